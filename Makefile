# SPDX-License-Identifier: GPL-2.0-or-later
#
# make            build QEMU with the qemu-can patch set (runs ./configure
#                 first when needed, again when configure or patches/ changed)
# make check      build, then run every test: tests/run-checks
# make check-asan build x86_64-softmmu with ASan and UBSan in build/asan,
#                 then run every qtest and unit test against it
# make demo       build, then run tests/guest/demo, or list our CAN devices
# make bench      build, then run bench/run, bench/socketcan, bench/timing,
#                 bench/scale, bench/virtio, bench/network
# make mutate     build, then tests/mutate/run: does some test fail for
#                 each wrong rule of tests/mutate/mutants?
# make fuzz-long  build, then the seeded random register traffic qtest with
#                 10 million operations per board type (QCAN_RANDOM_OPS=N,
#                 QCAN_RANDOM_SEED=N to repeat a run)
# make fuzz-qtest build qemu-fuzz-x86_64 with clang and libFuzzer in
#                 build/fuzz, run QEMU's generic fuzzer on the CAN devices
#                 for FUZZ_SECONDS (300) per target (build-aux/fuzz-qtest)
# make soak       build, then tests/soak/run: 1,000,000 frames guest to guest
#                 and host to guest, none lost, QEMU's RSS sampled and flat
# make patches    export the patch set as a 'git am' series in build/patches/
#                 against upstream's tree, then build each commit and run its
#                 CAN tests (NOBUILD=1 skips that)
# make refresh-patch P=NAME [FILES="PATH..."]
#                 rewrite patches/NAME from your edits in build/qemu
# make clean      remove build/ except build/download/ (the QEMU source
#                 package); the ccache cache (~/.cache/ccache) is kept too
#
# JOBS=N limits ninja to N parallel jobs.

TOP := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
BUILD := $(TOP)/build
SHELL := /bin/bash

# ccache keys on paths relative to the top, so a clone in another folder
# reuses the same cache.
export CCACHE_BASEDIR := $(TOP)
export CCACHE_NOHASHDIR := 1

# A change to any of these reruns ./configure (with the recorded options).
CONFIG_INPUTS := $(TOP)/configure $(TOP)/build-aux/lib.sh $(TOP)/build-aux/apt.sh \
	$(TOP)/build-aux/stage \
	$(wildcard $(TOP)/patches/series $(TOP)/patches/removed-files \
		   $(TOP)/patches/*.patch)

.NOTPARALLEL:
.PHONY: all build check check-asan demo bench mutate fuzz-long fuzz-qtest soak \
	patches refresh-patch clean

all: build

$(BUILD)/config.stamp: $(CONFIG_INPUTS)
	@cd $(TOP) && if [ -f $@ ]; then ./configure --reconfigure; \
	else ./configure; fi

build: $(BUILD)/config.stamp
	@$(TOP)/build-aux/build

check: build
	@$(TOP)/tests/run-checks

check-asan: build
	@$(TOP)/build-aux/check-asan

demo: build
	@cd $(TOP) && if [ -x tests/guest/demo ]; then tests/guest/demo; else \
	  echo "\$$ build/qemu-system-x86_64 -device help | grep -i can"; \
	  build/qemu-system-x86_64 -device help | grep -i can; \
	  echo; echo "\$$ build/qemu-system-x86_64 -object help | grep -i can"; \
	  build/qemu-system-x86_64 -object help | grep -i can; \
	fi

# bench/run (guest burst vs upstream), bench/socketcan (host backend vs
# upstream, in a VM), bench/timing (timed bus vs wire rate),
# bench/scale (host CPU per frame, 2 to 64 channels), bench/virtio
# (virtio-can vs two Kvaser channels in one guest) and bench/network
# (two Kvaser channels through qemu-can-server and UDP vs one local bus),
# in turn; bench/profile is run by hand.
BENCHES := run socketcan timing scale virtio network

bench: build
	@cd $(TOP) && rc=0; for b in $(BENCHES); do \
	  echo "== bench/$$b"; bench/$$b || rc=1; done; exit $$rc

mutate: build
	@$(TOP)/tests/mutate/run

fuzz-long: build
	@cd $(TOP) && QCAN_RANDOM_OPS=$${QCAN_RANDOM_OPS:-10000000} \
	  QTEST_TIMEOUT=0 tests/run-checks can-random-traffic

fuzz-qtest: $(BUILD)/config.stamp
	@$(TOP)/build-aux/fuzz-qtest

soak: build
	@$(TOP)/tests/soak/run

patches: $(BUILD)/config.stamp
	@$(TOP)/build-aux/stage
	@$(TOP)/build-aux/export-patches $(if $(NOBUILD),--no-build)

# No prerequisite: making the tree first would undo the edits to record.
refresh-patch:
	@$(TOP)/build-aux/refresh-patch $(P) $(FILES)

clean:
	@if [ -d $(BUILD) ]; then \
	  find $(BUILD) -mindepth 1 -maxdepth 1 ! -name download \
	    -exec rm -rf {} +; fi
