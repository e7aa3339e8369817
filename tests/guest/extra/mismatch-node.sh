#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# qemu: -object can-bus,id=canbus0,timing=on -device kvaser_pci,canbus=canbus0
# qemu: -object can-host-socketcand,id=n0,canbus=canbus0,server=127.0.0.1:29536,bus=canbus0
# timeout: 400
#
# One node of the mismatch-guests case of tests/can-server/: two QEMUs,
# each with a Kvaser PCIcan on a timed bus joined to one qemu-can-server
# bus, their guests' can0 at different bitrates, with "berr-reporting
# on" as in the local timing-bitrate-mismatch scenario.  Not a test
# alone.
#
# qcan.side=1, the receiver, at 250 kbit/s: says it listens (a console
# line the test waits for before it starts the sender), then must see the
# sender's frame as bus errors only: stuff errors while receiving (ECC
# 0xa2 as the driver's error frames code it), REC up to ERROR-PASSIVE,
# no frame received.
# qcan.side=0, the sender, at 500 kbit/s: sends one frame, which the
# receiver cannot follow: bus errors (bit errors while transmitting, the
# receiver's flags), then once the receiver is passive, ACK errors; TEC
# 128, ERROR-PASSIVE, as on a local bus.  Its backend learns the
# receiver's bitrate from the server once up: until it has, a frame gets
# through to the server, which destroys it there; so the sender tries
# again while it is still ERROR-ACTIVE.
. /qcan/lib.sh

side=${QCAN_SIDE:-0}
[ "$(can_ifaces | tr '\n' ' ')" = "can0 " ] || die "expected can0 only"
if [ "$side" = 1 ]; then
    BITRATE=250000 can_up can0 berr-reporting on
else
    BITRATE=500000 can_up can0 berr-reporting on
fi
rx0=$(counter can0 rx_packets)
# error frames, and data frames (there must be none)
listen /tmp/err.log /tmp/err.err can0 candump -L can0,0~0,#FFFFFFFF
ep=$LISTENER_PID
listen /tmp/data.log /tmp/data.err can0 candump -L can0
dp=$LISTENER_PID

if [ "$side" = 1 ]; then
    log "mismatch-node: receiver listening at 250000 bit/s"
    wait_until 300 is ERROR-PASSIVE can_state can0 ||
        fail "the receiver never became ERROR-PASSIVE"
else
    tries=0
    until [ "$(can_state can0)" != ERROR-ACTIVE ]; do
        tries=$((tries + 1))
        [ "$tries" -le 20 ] || die "still ERROR-ACTIVE after $tries frames"
        cansend can0 123#1122334455667788 || fail "cansend failed"
        wait_until 2 isnt ERROR-ACTIVE can_state can0 || true
    done
    log "sender: $tries frame(s) sent"
    wait_until 60 is ERROR-PASSIVE can_state can0 ||
        fail "the sender never became ERROR-PASSIVE"
    # where the ACK-error exception holds it
    sleep 1
fi
state=$(can_state can0); tec=$(berr_tx can0); rec=$(berr_rx can0)
be=$(can_xstat can0 bus-errors)
got=$(( $(counter can0 rx_packets) - rx0 ))
show can0
# the sender stops retransmitting
[ "$side" = 0 ] && can_down can0
kill "$ep" "$dp" 2> /dev/null
wait "$ep" "$dp" 2> /dev/null
log "can0: $state, berr-counter tx $tec rx $rec, bus-errors $be, rx_packets +$got, data frames seen $(wc -l < /tmp/data.log)"
# candump -L: "(TS) can0 200000XX#D0D1D2D3D4D5D6D7": data[2] the type
# (0x01 bit, 0x04 stuff, 0x80 while transmitting), data[3] the location
# (0x02 identifier bits 28..21, 0x19 ACK slot)
awk '{ split($3, f, "#"); print substr(f[2], 5, 2), substr(f[2], 7, 2) }' \
    /tmp/err.log | sort | uniq -c > /tmp/err.kinds
log "error frames (count, data[2], data[3]):"
sed 's/^/  /' /tmp/err.kinds
kinds() { awk -v t="$1" -v l="$2" '$2 == t && $3 == l { n += $1 } END { print n + 0 }' /tmp/err.kinds; }

check "no frame received (rx_packets +$got)" [ "$got" -eq 0 -a ! -s /tmp/data.log ]
check "bus errors counted ($be)" [ "${be:-0}" -gt 0 ]
if [ "$side" = 1 ]; then
    check "ERROR-PASSIVE with berr-counter rx >= 128 ($state, rx $rec)" [ "$state" = ERROR-PASSIVE -a "${rec:-0}" -ge 128 ]
    check "transmitted nothing: berr-counter tx 0 ($tec)" [ "$tec" = 0 ]
    check "stuff errors while receiving, in the identifier ($(kinds 04 02))" [ "$(kinds 04 02)" -ge 1 ]
else
    check "ERROR-PASSIVE with berr-counter tx 128 ($state, tx $tec)" [ "$state" = ERROR-PASSIVE -a "$tec" = 128 ]
    check "bit errors while transmitting, in the identifier ($(kinds 81 02))" [ "$(kinds 81 02)" -ge 1 ]
    check "ACK errors once the receiver is passive ($(kinds 80 19))" [ "$(kinds 80 19)" -ge 1 ]
fi
done_scenario
