#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# qemu: -object can-bus,id=b0,timing=on
# qemu: -device kvaser_pci,canbus=b0 -device kvaser_pci,canbus=b0
# qemu: -device kvaser_pci,canbus=b0
# needs: bus-timing (can-bus timing=on; fails on upstream QEMU)
# timeout: 120
#
# Three nodes on a timed bus: can0 and can2 at 500 kbit/s, can1 at
# 250 kbit/s.  One frame from can0.  While can1 is error active its error
# flag destroys every attempt: can1 REC += 9 (stuff error), can0 TEC += 8
# (bit error), can2 REC += 1 (it sees the flag).  After 15 attempts can1
# is error passive (REC 135 >= 128) and its flag destroys nothing, so
# attempt 16 reaches can2, which acknowledges it: can0 TEC 120 - 1 = 119
# (ERROR-WARNING), can2 REC 15 - 1 = 14, can2 has the frame exactly once,
# can1 never.
. /qcan/lib.sh

[ "$(can_ifaces | tr '\n' ' ')" = "can0 can1 can2 " ] || die "expected can0, can1 and can2"
BITRATE=500000 can_up can0 berr-reporting on
BITRATE=250000 can_up can1 berr-reporting on
BITRATE=500000 can_up can2
rx1=$(counter can1 rx_packets)

start_candump /tmp/rx2.log 2 3000 can2
p2=$CANDUMP_PID
start_candump /tmp/rx1.log 1 3000 can1
p1=$CANDUMP_PID
cansend can0 123#1122334455667788 || fail "cansend failed"
wait_until 10 at_least 1 counter can0 tx_packets || fail "can0 never completed the frame"
wait "$p2"; wait "$p1"
show can0; show can1; show can2
s0=$(can_state can0); t0=$(berr_tx can0)
s1=$(can_state can1); r1=$(berr_rx can1)
s2=$(can_state can2); r2=$(berr_rx can2)
be0=$(can_xstat can0 bus-errors); be1=$(can_xstat can1 bus-errors)
got1=$(( $(counter can1 rx_packets) - rx1 ))
log "can0 $s0 tx $t0 bus-errors $be0; can1 $s1 rx $r1 bus-errors $be1; can2 $s2 rx $r2"
log "can2 received: $(frames_of /tmp/rx2.log | tr '\n' ' ')"

check "can2 received the frame exactly once" [ "$(frames_of /tmp/rx2.log | tr '\n' ' ')" = "123#1122334455667788 " ]
check "can1 received nothing (rx_packets +$got1)" [ "$got1" -eq 0 -a ! -s /tmp/rx1.log ]
check "can0 tx_packets = 1" [ "$(counter can0 tx_packets)" -eq 1 ]
check "can0 ERROR-WARNING with berr-counter tx 119 ($s0, tx $t0)" [ "$s0" = ERROR-WARNING -a "$t0" = 119 ]
check "can1 ERROR-PASSIVE with berr-counter rx >= 128 ($s1, rx $r1)" [ "$s1" = ERROR-PASSIVE -a "${r1:-0}" -ge 128 ]
check "can2 ERROR-ACTIVE with berr-counter rx 14 ($s2, rx $r2)" [ "$s2" = ERROR-ACTIVE -a "$r2" = 14 ]
check "bus errors on can0 and can1 ($be0, $be1)" [ "${be0:-0}" -gt 0 -a "${be1:-0}" -gt 0 ]
done_scenario
