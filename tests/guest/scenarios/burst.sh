#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# qemu: -object can-bus,id=b0
# qemu: -device kvaser_pci,canbus=b0 -device kvaser_pci,canbus=b0
# timeout: 600
#
# Back-to-back burst can0 -> can1 (default 20000 frames, qcan.count=N to
# change): cangen with no gap, polling on ENOBUFS so the sender never
# drops.  Every frame must arrive on can1, in order; the driver's RX
# overrun counters are printed.  Also the source of bench/run's numbers:
# the QCAN-METRIC line carries the time from the first send to the last
# frame received, on the guest's monotonic clock.
. /qcan/lib.sh

N=${QCAN_COUNT:-20000}
ifs=$(can_ifaces | tr '\n' ' ')
[ "$ifs" = "can0 can1 " ] || die "expected can0 and can1, got '$ifs'"
can_up can0
can_up can1

# A slow candump must not be mistaken for controller loss: give its socket
# a big buffer and have it report socket-level drops (-d).
echo 16777216 > /proc/sys/net/core/rmem_max
listen /tmp/burst.log /tmp/candump.err can1 candump -L -d -r 16000000 -n "$N" -T 20000 can1
cpid=$LISTENER_PID

over0=$(counter can1 rx_over_errors)
t0=$(now_ns)
# -I i / -D i: incrementing id and a 64-bit little-endian counter as data,
# so loss and reordering are visible per frame.  -x: no local echo to
# other sockets on can0 (nobody listens there).
cangen can0 -g 0 -p 10 -n "$N" -I i -L 8 -D i -x || fail "cangen exited with $?"
t_sent=$(now_ns)
wait "$cpid"
t1=$(now_ns)

# candump with -d writes DROPCOUNT lines among the frames; keep them apart.
grep -v '^(' /tmp/burst.log > /tmp/burst.notes || true
grep '^(' /tmp/burst.log | awk '{ print $3 }' > /tmp/burst.frames
got=$(wc -l < /tmp/burst.frames)
over=$(( $(counter can1 rx_over_errors) - over0 ))
lost=$((N - got))

# Sequence check: counter in data bytes 0..3 (little endian) must advance
# by exactly 1 per frame and the 11-bit id by 1 modulo 0x800.
bad=$(awk -F'#' '
    function hex(s,  i, v) { v = 0; s = toupper(s)
        for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789ABCDEF", substr(s, i, 1)) - 1
        return v }
    { id = hex($1); d = $2
      c = hex(substr(d, 1, 2)) + 256 * hex(substr(d, 3, 2)) + 65536 * hex(substr(d, 5, 2)) + 16777216 * hex(substr(d, 7, 2))
      if (NR > 1 && (c != pc + 1 || id != (pid + 1) % 2048)) { bad++; if (bad <= 5) printf "seq break at frame %d: %s after id %03X counter %d\n", NR, $0, pid, pc > "/dev/stderr" }
      pc = c; pid = id }
    END { print bad + 0 }' /tmp/burst.frames)

dt=$((t1 - t0))
fps=$(awk -v n="$got" -v ns="$dt" 'BEGIN { if (ns > 0) printf "%.0f", n * 1e9 / ns; else print 0 }')
log "sent $N, received $got, lost $lost, sequence breaks $bad"
log "can1 rx_over_errors +$over (controller RX FIFO overruns reported by the driver)"
log "time: send $(( (t_sent - t0) / 1000000 )) ms, last frame received $(( dt / 1000000 )) ms; $fps frames/s"
[ -s /tmp/burst.notes ] && { log "candump notes:"; cat /tmp/burst.notes; }
[ -s /tmp/candump.err ] && { log "candump stderr:"; cat /tmp/candump.err; }
metric "scenario=burst frames=$N received=$got lost=$lost rx_over_errors=$over seq_breaks=$bad ns=$dt fps=$fps"

check "all $N frames received on can1" [ "$got" -eq "$N" ]
check "frames in order, none duplicated" [ "$bad" -eq 0 ]
check "can0 tx_packets = $N" [ "$(counter can0 tx_packets)" -eq "$N" ]
show can1
done_scenario
