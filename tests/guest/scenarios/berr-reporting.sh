#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# qemu: -object can-bus,id=lone -device kvaser_pci,canbus=lone
# needs: error-model (bus error interrupt + ECC; fails on upstream QEMU)
# timeout: 120
#
# Lone sender with "berr-reporting on": the sja1000 driver then enables the
# bus error interrupt (IER.BEIE) and turns each one into an error frame
# built from the Error Code Capture register.  An ACK error must read as
# "error while transmitting, in the ACK slot" (ECC direction bit clear,
# segment 0x19), and the driver's bus-errors counter must count at least
# the 16 ACK errors it takes to get from TEC 0 to 128.
. /qcan/lib.sh

[ "$(can_ifaces | tr '\n' ' ')" = "can0 " ] || die "expected only can0"
can_up can0 berr-reporting on
$IP -details link show dev can0 | grep -q 'BERR-REPORTING' || fail "ip does not show BERR-REPORTING"

# Error frames only (no data frames): "can0,0~0,#FFFFFFFF".
listen /tmp/berr.log /tmp/berr.err can0,0~0,#FFFFFFFF \
    candump -L -n 40 -T 15000 can0,0~0,#FFFFFFFF
cp=$LISTENER_PID
cansend can0 321#0102 || fail "cansend failed"
wait_until 10 is ERROR-PASSIVE can_state can0
wait "$cp"
# Stop the retransmissions (and their bus error interrupts).
be=$(can_xstat can0 bus-errors)
state=$(can_state can0); tec=$(berr_tx can0)
can_down can0
log "state $state, berr-counter tx $tec, bus-errors $be, error frames logged: $(wc -l < /tmp/berr.log)"
head -n 5 /tmp/berr.log

# Error frame: id has CAN_ERR_FLAG|CAN_ERR_PROT(0x08)|CAN_ERR_BUSERROR(0x80);
# data[2] bit 0x80 = CAN_ERR_PROT_TX, data[3] = 0x19 = CAN_ERR_PROT_LOC_ACK.
ack=$(awk '{ split($3, f, "#"); id = f[1]; d = f[2]
             # both 0x80 and 0x08 set in the low byte of the id
             if (substr(id, 7, 1) ~ /[89A-F]/ && substr(id, 8, 1) ~ /[89A-F]/ &&
                 substr(d, 5, 1) ~ /[89A-F]/ && substr(d, 7, 2) == "19") n++ }
           END { print n + 0 }' /tmp/berr.log)
check "ERROR-PASSIVE with berr-counter tx 128" [ "$state" = ERROR-PASSIVE -a "$tec" = 128 ]
check "bus-errors counted >= 16 (ACK errors from TEC 0 to 128)" [ "${be:-0}" -ge 16 ]
check "error frames report TX error in the ACK slot ($ack of them)" [ "$ack" -ge 1 ]
done_scenario
