#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# qemu: -object can-bus,id=b0,timing=on
# qemu: -device kvaser_pci,canbus=b0 -device kvaser_pci,canbus=b0
# needs: bus-timing (can-bus timing=on; fails on upstream QEMU)
# timeout: 120
#
# Two nodes on a timed bus (timing=on) at different bitrates: can0 at
# 500 kbit/s, can1 at 250 kbit/s, both with "berr-reporting on".  can1
# cannot follow can0's bits: each attempt it sees a stuff error (SJA1000
# ECC 0xa2: stuff error, RX, in the identifier) and, while error active,
# destroys the frame with its error flag, which can0 sees as a bit error
# (ECC 0x02: bit error, TX, in the identifier).  can1's REC goes up by 9 an
# attempt and can0's TEC by 8; after 15 attempts can1 is error passive
# (REC 135) and stops destroying the frame, which then goes unacknowledged
# (can1 does not ACK what it cannot follow): ACK errors take can0 to TEC
# 128, error passive, where the ACK-error exception holds it.  can1 never
# receives the frame.  Everything is checked as the Linux sja1000 driver
# reports it: states, berr-counter, bus-errors, and the error frames
# (CAN_ERR_PROT, data[2] = type, data[3] = location).
. /qcan/lib.sh

[ "$(can_ifaces | tr '\n' ' ')" = "can0 can1 " ] || die "expected can0 and can1"
BITRATE=500000 can_up can0 berr-reporting on
BITRATE=250000 can_up can1 berr-reporting on
$IP -details link show dev can0 | grep -q 'bitrate 500000 ' || fail "can0 is not at 500000 bit/s"
$IP -details link show dev can1 | grep -q 'bitrate 250000 ' || fail "can1 is not at 250000 bit/s"
rx1=$(counter can1 rx_packets)

# Error frames only, from both: "IF,0~0,#FFFFFFFF".
listen /tmp/err.log /tmp/err.err "can0,0~0,#FFFFFFFF can1,0~0,#FFFFFFFF" \
    candump -L -n 400 -T 10000 can0,0~0,#FFFFFFFF can1,0~0,#FFFFFFFF
cp=$LISTENER_PID
# Data frames on can1 (there must be none).
listen /tmp/data1.log /tmp/data1.err can1 candump -L -T 3000 can1
dp=$LISTENER_PID

cansend can0 123#1122334455667788 || fail "cansend failed"
wait_until 20 is ERROR-PASSIVE can_state can0 || fail "can0 never became ERROR-PASSIVE"
wait_until 20 is ERROR-PASSIVE can_state can1 || fail "can1 never became ERROR-PASSIVE"
wait "$cp"
log "ip -details -statistics while can0 retransmits:"
show can0
show can1
state0=$(can_state can0); tec0=$(berr_tx can0); rec0=$(berr_rx can0)
state1=$(can_state can1); tec1=$(berr_tx can1); rec1=$(berr_rx can1)
be0=$(can_xstat can0 bus-errors); be1=$(can_xstat can1 bus-errors)
wait "$dp"
got1=$(( $(counter can1 rx_packets) - rx1 ))
# Stop the retransmissions (and their bus error interrupts).
can_down can0
log "can0: $state0, berr-counter tx $tec0 rx $rec0, bus-errors $be0"
log "can1: $state1, berr-counter tx $tec1 rx $rec1, bus-errors $be1, rx_packets +$got1, data frames seen $(wc -l < /tmp/data1.log)"

# candump -L: "(TS) IF 200000XX#D0D1D2D3D4D5D6D7"; a bus error has
# CAN_ERR_PROT (0x08) and CAN_ERR_BUSERROR (0x80) in the id, data[2] the
# type (0x01 bit, 0x04 stuff; 0x80 = while transmitting), data[3] the
# location (0x02 = identifier bits 28..21, 0x19 = ACK slot).
awk '{ split($3, f, "#"); print $2, substr(f[1], 7, 2), substr(f[2], 5, 2), substr(f[2], 7, 2) }' \
    /tmp/err.log > /tmp/err.fields
log "error frames logged: $(wc -l < /tmp/err.log); kinds (iface, id low byte, data[2], data[3]):"
sort /tmp/err.fields | uniq -c | sed 's/^/  /'
# kind IFACE SET CLEAR [LOC]: bus errors on IFACE whose data[2] has every
# bit of SET and none of CLEAR (and data[3] = LOC when given)
kind() { awk -v i="$1" -v set="$2" -v clr="$3" -v l="${4:-}" '
    function hex(s,  k, v) { v = 0; s = toupper(s)
        for (k = 1; k <= length(s); k++) v = v * 16 + index("0123456789ABCDEF", substr(s, k, 1)) - 1
        return v }
    function has(v, m) { return int(v / m) % 2 }
    $1 == i && has(hex($2), 128) && has(hex($2), 8) && (l == "" || $4 == l) {
        t = hex($3); ok = 1
        for (m = 1; m <= 128; m *= 2) {
            if (has(hex(set), m) && !has(t, m)) ok = 0
            if (has(hex(clr), m) && has(t, m)) ok = 0
        }
        n += ok }
    END { print n + 0 }' /tmp/err.fields; }
# 0x01 bit error, 0x04 stuff error, 0x80 while transmitting
bit0=$(kind can0 81 00 02); stuff1=$(kind can1 04 80 02); ack0=$(kind can0 80 00 19)
stuff0=$(kind can0 04 00); bit1=$(kind can1 81 00)
# On can0 the bit errors (frame destroyed by can1) all come before the
# first ACK error (can1 passive): line numbers in can0's part of the log.
order=$(awk '$1 == "can0" { n++ } $1 == "can0" && $3 ~ /^8[1-9A-F]$/ && $4 == "02" { lb = n }
             $1 == "can0" && $4 == "19" && !fa { fa = n } END { print (lb > 0 && fa > lb) ? "ok" : "bad " lb " " fa }' /tmp/err.fields)

check "can0 ERROR-PASSIVE with berr-counter tx 128 ($state0, tx $tec0)" [ "$state0" = ERROR-PASSIVE -a "$tec0" = 128 ]
check "can1 ERROR-PASSIVE with berr-counter rx >= 128 ($state1, rx $rec1)" [ "$state1" = ERROR-PASSIVE -a "${rec1:-0}" -ge 128 ]
check "can1 transmitted nothing: berr-counter tx 0 ($tec1)" [ "$tec1" = 0 ]
check "bus-errors counted on can0 ($be0)" [ "${be0:-0}" -gt 0 ]
check "bus-errors counted on can1 ($be1)" [ "${be1:-0}" -gt 0 ]
check "can1 received nothing (rx_packets +$got1)" [ "$got1" -eq 0 -a ! -s /tmp/data1.log ]
check "can0 error frames: bit error while transmitting, in the identifier ($bit0)" [ "$bit0" -ge 1 ]
check "can1 error frames: stuff error while receiving, in the identifier ($stuff1)" [ "$stuff1" -ge 1 ]
check "can0 error frames: ACK errors once can1 is passive ($ack0)" [ "$ack0" -ge 1 ]
check "can0: bit errors first, then ACK errors ($order)" [ "$order" = ok ]
check "no stuff errors on can0, no TX bit errors on can1 ($stuff0, $bit1)" [ "$stuff0" -eq 0 -a "$bit1" -eq 0 ]
done_scenario
