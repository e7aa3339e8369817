#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# qemu: -object can-bus,id=canbus0
# qemu: -device kvaser_pci,channels=2,canbus0=canbus0,canbus1=canbus0
# timeout: 300
#
# The guest half of bench/network, which replaces this header with the
# path to measure (one bus, or two buses joined through qemu-can-server or
# UDP multicast), and of the burst cases of tests/can-server and
# tests/can-udp (tests/pylib/cannodes.py), which check that it passes.  Two Kvaser channels, the first
# sending to the second, timed on this guest's one clock:
# 1. burst: qcan.count=N frames 123#0102030405060708 back to back
#    (cangen, txqueuelen 1000), nobody listening, from just before cangen
#    starts until the receiver's rx_packets has gone up by N;
# 2. paced: qcan.paced=M frames one every millisecond (cangen -g 1,
#    identifier 123, an incrementing counter as data), with one candump on
#    both interfaces: the sender's interface gets each frame's local echo
#    when its transmission completes, the receiver's its arrival; both
#    carry the kernel's receive timestamp.  The latency of a frame is
#    arrival - echo, printed in microseconds on QCAN-LAT lines.
# Before either, one frame must get through (10 s at most): a path whose
# sockets are still connecting would lose the first frames.
# shellcheck source=tests/guest/lib.sh
. /qcan/lib.sh

N=${QCAN_COUNT:-5000}
M=${QCAN_PACED:-1000}
path=${QCAN_PATH:-local}

# shellcheck disable=SC2046  # interface names have no blanks
set -- $(can_ifaces)
[ $# -eq 2 ] || die "expected two CAN interfaces, got '$*'"
tx=$1 rx=$2
can_up "$tx"
can_up "$rx"
$IP link set "$tx" txqueuelen 1000

# The path is up once a frame crosses it.
rx0=$(counter "$rx" rx_packets)
tries=0
until [ "$(counter "$rx" rx_packets)" -gt "$rx0" ]; do
    [ "$tries" -lt 20 ] || die "$path: no frame from $tx reached $rx in 10 s"
    cansend "$tx" 7FF# || fail "cansend of the probe frame failed"
    tries=$((tries + 1))
    sleep 0.5
done
# A probe still on its way would count in the burst.
sleep 1

read -r rx0 < "/sys/class/net/$rx/statistics/rx_packets"
drop0=$(counter "$tx" tx_dropped)
t0=$(now_ns)
cangen "$tx" -g 0 -p 10 -n "$N" -I 123 -L 8 -D 0102030405060708 -x || fail "cangen exited with $?"
# A path that lost frames shows as no new frame in 1000 polls (0.5 s at
# least; the slowest paced frames took about 45 ms on a loaded host).
rx1=$(wait_rx_packets "$rx" $((rx0 + N)) 1000)
t1=$(now_ns)
metric "bench=network path=$path kind=burst frames=$N received=$((rx1 - rx0)) tx_dropped=$(( $(counter "$tx" tx_dropped) - drop0 )) rx_over=$(counter "$rx" rx_over_errors) span_ns=$((t1 - t0))"
check "burst: $rx received all $N frames" [ $((rx1 - rx0)) -eq "$N" ]
# The stragglers of a lossy path must not reach the paced run's candump.
sleep 1

start_candump /tmp/lat.log $((2 * M)) 5000 "$tx" "$rx"
cangen "$tx" -g 1 -p 10 -n "$M" -I 123 -L 8 -D i || fail "cangen -g 1 exited with $?"
wait "$CANDUMP_PID"
# candump -L: "(SEC.USEC) IFACE 123#DATA"; the data (the counter) names
# the frame.
awk -v tx="$tx" -v rx="$rx" '
    { t = substr($1, 2, length($1) - 2); split(t, p, ".")
      if (!base) base = p[1]
      us = (p[1] - base) * 1000000 + p[2]
      if ($2 == tx) echo[$3] = us; else if ($2 == rx) arr[$3] = us }
    END {
      for (f in arr) if (f in echo) print arr[f] - echo[f]
      for (f in echo) if (!(f in arr)) lost++
      for (f in arr) if (!(f in echo)) noecho++
      printf "lost=%d noecho=%d\n", lost, noecho > "/tmp/lat.count"
    }' /tmp/lat.log > /tmp/lat.us
echoed=$(awk -v i="$tx" '$2 == i' /tmp/lat.log | wc -l)
arrived=$(awk -v i="$rx" '$2 == i' /tmp/lat.log | wc -l)
metric "bench=network path=$path kind=paced frames=$M echoed=$echoed arrived=$arrived matched=$(wc -l < /tmp/lat.us) $(cat /tmp/lat.count)"
# 100 values a line keeps the console lines short.
awk -v path="$path" '
    { v = v (n ? "," : "") $1; n++ }
    n == 100 { print "QCAN-LAT path=" path " us=" v; v = ""; n = 0 }
    END { if (n) print "QCAN-LAT path=" path " us=" v }' /tmp/lat.us
check "paced: $tx echoed all $M frames" [ "$echoed" -eq "$M" ]
check "paced: $rx received all $M frames" [ "$arrived" -eq "$M" ]
done_scenario
