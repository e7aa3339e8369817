#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# qemu: -object can-bus,id=b0
# qemu: -device kvaser_pci,canbus=b0 -device kvaser_pci,canbus=b0
# timeout: 600
#
# Back-to-back burst can0 -> can1 (default 20000 frames, qcan.count=N to
# change): cangen with no gap (burst_send).  Every frame must arrive on
# can1, in order, each id one more than the last; the driver's RX
# overrun counters are printed.  Also the source of bench/run's numbers:
# the QCAN-METRIC line carries the time from the first send to the last
# frame received, on the guest's monotonic clock.
. /qcan/lib.sh

N=${QCAN_COUNT:-20000}
burst_listen "$N" 20000
cpid=$LISTENER_PID

over0=$(counter can1 rx_over_errors)
t0=$(now_ns)
burst_send "$N"
t_sent=$(now_ns)
wait "$cpid"
t1=$(now_ns)

# candump with -d writes DROPCOUNT lines among the frames; keep them apart.
grep -v '^(' /tmp/burst.log > /tmp/burst.notes || true
got=$(burst_frames)
over=$(( $(counter can1 rx_over_errors) - over0 ))
lost=$((N - got))

bad=$(burst_seq_breaks id)

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
