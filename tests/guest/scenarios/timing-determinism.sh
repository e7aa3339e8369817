#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# qemu: -object can-bus,id=b0,timing=on
# qemu: -device
# qemu: kvaser_pci,channels=4,canbus0=b0,canbus1=b0,canbus2=b0,canbus3=b0
# qemu: -icount shift=0,sleep=off -rtc base=2025-01-01T00:00:00,clock=vm
# needs: multi-channel bus-timing (PCIcan-Q, timing=on; fails on upstream QEMU)
# timeout: 120
#
# Three senders contend for a timed bus at 500 kbit/s while a fourth
# channel records what goes over the wire, for tests/guest/determinism,
# which boots this scenario several times and requires the record to be
# the same every time.  This script checks what one run can check alone:
# nothing lost, nothing reordered within a sender, nothing unexpected.
#
# One Kvaser PCIcan-Q, all four channels on one bus (one PCI function and
# one shared interrupt, so the driver's interrupt handler also decides in
# which order the channels' events are seen):
#   can0  id 0x100, N0 frames back to back     (middle priority)
#   can1  id 0x080, a frame every 1 ms, N1     (highest priority)
#   can2  id 12345678 extended, N2 back to back (lowest priority)
#   can3  candump -L: every frame with its kernel receive timestamp
# can0 and can2 always have a frame waiting, so most arbitrations are
# between them; can1 comes in on a guest hrtimer (cangen's nanosleep), so
# where its frames fall among the others, and which of them lose
# arbitration to it, depends on the exact virtual time of that timer
# against the frame boundaries: a small change of timing changes the
# order, not just the timestamps.  The payload is cangen's incrementing
# counter (-D i), so every frame is unique and each sender's sequence
# can be checked.
#
# The record, one line per frame in receive order:
#   QCAN-REC f INDEX MICROSECONDS ID#DATA
# with MICROSECONDS the candump (kernel, CLOCK_REALTIME) timestamp
# relative to the first frame, then per-channel counters:
#   QCAN-REC stat canN tx=.. rx=.. arbit-lost=.. bus-errors=..
# and one line that is not part of the wire record but tells whether the
# whole boot ran the same instructions: the guest's CLOCK_MONOTONIC just
# before the senders start (under icount, virtual time counts
# instructions since QEMU started):
#   QCAN-CLOCK start_ns=..
#
# Why -rtc base=FIXED,clock=vm: -icount alone does not make a run
# repeatable.  QEMU's RTC defaults to base=utc,clock=host, so the date
# and time the BIOS and Linux read from it at boot (timekeeping_init,
# then rtc_cmos) are the host's: different in every run.  With a fixed
# base but clock=host they are still "base + host seconds since QEMU
# started", which depends on how fast the host ran the boot (one run
# read 00:00:04 first and 00:00:09 at rtc_cmos, 0.75 s into the guest's
# boot).  Linux sets its wall clock from that value, mixes it into its
# random pool (random_init) and prints it, and that changes the
# instructions the boot executes: two runs with base=...T00:00:00 and
# ...T00:00:01, both clock=vm, gave different records.  With the default
# RTC, two runs already differed by 55 us of CLOCK_MONOTONIC when the
# senders started, and then in frame order, timestamps and arbitration
# counters (tests/guest/determinism).  A fixed base on the virtual clock
# makes the RTC a function of the instruction count.
#
# The whole console output stays far below the 64 KiB of a pipe: QEMU
# writes the serial port to a non-blocking stdout, and if the reader on
# the host fell behind a full pipe, the UART would report its transmitter
# empty only when the host's main loop retries, so the guest's console
# driver would wait a host-dependent number of instructions.
. /qcan/lib.sh

# shellcheck disable=SC2034  # read by can_up in lib.sh
BITRATE=500000
# qcan.count=N: frames of each back-to-back sender; qcan.count1=N: can1's
N0=${QCAN_COUNT:-150}
N2=${QCAN_COUNT:-150}
N1=${QCAN_COUNT1:-60}
TOTAL=$((N0 + N1 + N2))

ifs=$(can_ifaces | tr '\n' ' ')
[ "$ifs" = "can0 can1 can2 can3 " ] || die "expected can0..can3, got '$ifs'"
for i in can0 can1 can2 can3; do
    can_up "$i"
done
# A long queue lets cangen block in write() instead of spinning on
# ENOBUFS (see bench/timing): the guest then idles while the wire is
# busy, which sleep=off turns into a jump of virtual time, and only the
# wire and the driver decide when a frame goes.
for i in can0 can1 can2; do
    $IP link set "$i" txqueuelen 1000
done

listen /tmp/rx.log /tmp/candump.err can3 candump -L -n "$TOTAL" -T 3000 can3
cpid=$LISTENER_PID
echo "QCAN-CLOCK start_ns=$(now_ns)"
# -x: no local echo, so can3 is the only receiver in the guest.  Fixed
# ids and lengths and -D i: nothing random (cangen seeds random() from
# gettimeofday(), the wall clock that came from the RTC).
cangen can0 -g 0 -p 10 -x -n "$N0" -I 100 -L 8 -D i &
p0=$!
cangen can1 -g 1 -p 10 -x -n "$N1" -I 080 -L 8 -D i &
p1=$!
cangen can2 -g 0 -p 10 -x -n "$N2" -e -I 12345678 -L 8 -D i &
p2=$!
for p in $p0 $p1 $p2; do
    wait "$p" || fail "cangen (pid $p) exited with $?"
done
wait "$cpid"
[ -s /tmp/candump.err ] && { log "candump stderr:"; cat /tmp/candump.err; }

# candump -L: "(SECONDS.MICROSECONDS) can3 ID#DATA".  Integer arithmetic
# on the two halves: as one double the absolute time has too few digits
# for microseconds, and busybox awk may read "012345" as octal, hence
# the "1" put in front of the microseconds.
awk '{
    ts = substr($1, 2, length($1) - 2)
    split(ts, p, ".")
    us = p[1] * 1000000 + ("1" p[2]) - 1000000
    if (NR == 1) t0 = us
    printf "QCAN-REC f %d %d %s\n", NR, us - t0, $3
}' /tmp/rx.log > /tmp/rec
cat /tmp/rec
for i in can0 can1 can2 can3; do
    tx=$(counter $i tx_packets)
    rx=$(counter $i rx_packets)
    al=$(can_xstat $i arbit-lost)
    be=$(can_xstat $i bus-errors)
    echo "QCAN-REC stat $i tx=$tx rx=$rx arbit-lost=$al bus-errors=$be"
done

# Each sender's frames in order: the first two data bytes (little
# endian, as cangen -D i writes its counter) go up by one from frame to
# frame, from whatever the first frame has (0 with can-utils 2020.11).
seq_ok() {
    awk -v id="$1" -v n="$2" '
        # no hex input in busybox awk that all versions agree on
        function hex(s,   i, v) {
            v = 0
            for (i = 1; i <= length(s); i++)
                v = v * 16 + index("0123456789ABCDEF", substr(s, i, 1)) - 1
            return v
        }
        { split($5, f, "#") }
        f[1] "" != id "" { next }
        { v = hex(substr(f[2], 3, 2) substr(f[2], 1, 2))
          if (k == 0) base = v
          if (v != base + k) bad++
          k++ }
        END { exit !(k == n && bad == 0) }' /tmp/rec
}
got=$(wc -l < /tmp/rx.log)
other=$(awk '{ split($5, f, "#") }
    f[1] != "100" && f[1] != "080" && f[1] != "12345678"' /tmp/rec | wc -l)
first=$(head -n 1 /tmp/rx.log | cut -d' ' -f3)
last=$(tail -n 1 /tmp/rec | cut -d' ' -f4)
log "can3 received $got frames of $TOTAL; first: $first, last at $last us"
check "can3 received all $TOTAL frames" [ "$got" -eq "$TOTAL" ]
check "no frame with an unexpected id" [ "$other" -eq 0 ]
check "can0's $N0 frames (id 100) complete and in order" seq_ok 100 "$N0"
check "can1's $N1 frames (id 080) complete and in order" seq_ok 080 "$N1"
check "can2's $N2 frames (id 12345678) complete and in order" \
    seq_ok 12345678 "$N2"
check "tx_packets can0 $N0, can1 $N1, can2 $N2" \
    [ "$(counter can0 tx_packets)" -eq "$N0" \
      -a "$(counter can1 tx_packets)" -eq "$N1" \
      -a "$(counter can2 tx_packets)" -eq "$N2" ]
check "no TX errors on the senders" \
    [ "$(counter can0 tx_errors)" -eq 0 \
      -a "$(counter can1 tx_errors)" -eq 0 \
      -a "$(counter can2 tx_errors)" -eq 0 ]
# Arbitration must have mattered, or the run would not test it.
lost=$(( $(can_xstat can0 arbit-lost) + $(can_xstat can2 arbit-lost) ))
check "can0 and can2 lost arbitration ($lost times)" [ "$lost" -gt 0 ]
done_scenario
