#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# qemu: -object can-bus,id=b0
# qemu: -device kvaser_pci,canbus=b0 -device kvaser_pci,canbus=b0
# needs: correct RTR handling (upstream QEMU 10.0 garbles the RX FIFO here)
# timeout: 120
#
# Remote frames carry a DLC but no data bytes.  The SJA1000 stores an RTR
# frame in the RX FIFO as frame info + id only, whatever its DLC, so a
# model that reserves DLC data bytes for it misaligns every frame behind
# it.  Send standard and extended RTR frames with every DLC 0..8, each
# followed by a data frame, and require an exact copy on the other side.
. /qcan/lib.sh

[ "$(can_ifaces | tr '\n' ' ')" = "can0 can1 " ] || die "expected can0 and can1"
can_up can0
can_up can1

: > /tmp/rtr-sent
for len in 0 1 2 3 4 5 6 7 8; do
    # candump prints a zero DLC remote frame as "#R", others as "#R<dlc>".
    r=R; [ "$len" = 0 ] || r=R$len
    echo "1$len$len#$r" >> /tmp/rtr-sent
    echo "1$len$len#A5$len$len" >> /tmp/rtr-sent
    echo "1ABCDE0$len#$r" >> /tmp/rtr-sent
    echo "1ABCDE1$len#0102030405060708" >> /tmp/rtr-sent
done
n=$(wc -l < /tmp/rtr-sent)
start_candump /tmp/rtr-recv "$n" 15000 can1
send_frames can0 /tmp/rtr-sent || fail "sending failed"
wait "$CANDUMP_PID"
frames_of /tmp/rtr-recv > /tmp/rtr-got
log "sent $n frames, received $(wc -l < /tmp/rtr-got)"
if cmp -s /tmp/rtr-sent /tmp/rtr-got; then
    ok "all $n frames (RTR with DLC 0..8, std and ext, between data frames) exact"
else
    fail "received frames differ (diff sent received):"
    diff /tmp/rtr-sent /tmp/rtr-got | head -n 20
fi
done_scenario
