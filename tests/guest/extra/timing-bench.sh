#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# qemu: -object can-bus,id=b0,timing=on
# qemu: -device kvaser_pci,canbus=b0 -device kvaser_pci,canbus=b0
# qemu: -icount shift=0,sleep=off
#
# Not a test: the guest half of bench/timing.  qcan.count=N frames
# 123#0102030405060708 (119 bits on the wire, see scenarios/
# timing-wire-rate.sh) sent back to back on can0 at qcan.bitrate=B with
# nobody listening on can1; the time from just before cangen starts until
# can1's rx_packets has gone up by N (polled every 0.5 ms once cangen is
# done), on the guest's CLOCK_MONOTONIC, goes out in a QCAN-METRIC line.
. /qcan/lib.sh

N=${QCAN_COUNT:-2000}
BITS=119
[ "$(can_ifaces | tr '\n' ' ')" = "can0 can1 " ] || die "expected can0 and can1"
can_up can0
can_up can1
# qcan.txqlen=L: can0's queue length.  The default 10 fills long before
# the socket's send buffer, so cangen -p spins (write: ENOBUFS, poll:
# writable at once) and keeps the guest CPU busy all the time; bench/timing
# passes 1000 so that cangen blocks in write() and the guest idles while
# the wire is busy, as a real sender would.
[ -n "${QCAN_TXQLEN:-}" ] && $IP link set can0 txqueuelen "$QCAN_TXQLEN"
read -r rx0 < /sys/class/net/can1/statistics/rx_packets
want=$((rx0 + N))
t0=$(now_ns)
cangen can0 -g 0 -p 10 -n "$N" -I 123 -L 8 -D 0102030405060708 -x || fail "cangen exited with $?"
# cangen exits once its last frame is queued: at most the queue and the
# one in the controller are still to go; wait for those only.
rx=$(wait_rx_packets can1 "$want")
t1=$(now_ns)
got=$((rx - rx0))
metric "scenario=timing-bench txqlen=$(cat /sys/class/net/can0/tx_queue_len) bitrate=$BITRATE frames=$N received=$got bits=$BITS span_ns=$((t1 - t0))"
check "can1 received all $N frames" [ "$got" -eq "$N" ]
done_scenario
