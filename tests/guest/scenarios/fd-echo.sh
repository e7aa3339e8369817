#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# qemu: -object can-bus,id=b0
# qemu: -device kvaser_pci,canbus=b0 -device kvaser_pci,canbus=b0
# timeout: 300
#
# Full-duplex echo with can-utils' canfdtest: can1 is the device under
# test (echoes every frame back with id+1 and data bytes +1), can0
# generates and checks.  canfdtest itself verifies content and order of
# every echoed frame and exits non-zero on a mismatch; we additionally
# require the frame counters to add up (no loss in either direction).
. /qcan/lib.sh

LOOPS=${QCAN_COUNT:-1000}
ifs=$(can_ifaces | tr '\n' ' ')
[ "$ifs" = "can0 can1 " ] || die "expected can0 and can1, got '$ifs'"
can_up can0
can_up can1

listen /tmp/dut.log /tmp/dut.err can1 canfdtest -v can1
dut=$LISTENER_PID
t0=$(now_ns)
# Bound the generator: a lost frame would make it wait forever.
timeout 200 canfdtest -v -g -l "$LOOPS" can0 > /tmp/host.log 2>&1
rc=$?
t1=$(now_ns)
kill "$dut" 2>/dev/null
wait "$dut" 2>/dev/null

tail -n 5 /tmp/host.log | tr '\r' '\n' | tail -n 5
log "canfdtest generator exit status $rc after $(( (t1 - t0) / 1000000 )) ms"
tx0=$(counter can0 tx_packets); rx0=$(counter can0 rx_packets)
tx1=$(counter can1 tx_packets); rx1=$(counter can1 rx_packets)
log "can0 tx=$tx0 rx=$rx0   can1 tx=$tx1 rx=$rx1"
metric "scenario=fd-echo loops=$LOOPS rc=$rc ns=$((t1 - t0)) can0_tx=$tx0 can1_rx=$rx1 can1_tx=$tx1 can0_rx=$rx0"

check "canfdtest: $LOOPS loops, every echo in order and correct" [ "$rc" -eq 0 ]
check "no loss can0 -> can1 (can0 tx = can1 rx)" [ "$tx0" -eq "$rx1" ]
check "no loss can1 -> can0 (can1 tx = can0 rx)" [ "$tx1" -eq "$rx0" ]
check "every frame echoed (can1 tx = can1 rx)" [ "$tx1" -eq "$rx1" ]
check "at least $LOOPS frames each way" [ "$tx0" -ge "$LOOPS" ]
check "no RX overruns on can0/can1" [ "$(counter can0 rx_over_errors)" -eq 0 -a "$(counter can1 rx_over_errors)" -eq 0 ]
done_scenario
