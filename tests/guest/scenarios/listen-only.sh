#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# qemu: -object can-bus,id=b0
# qemu: -device kvaser_pci,canbus=b0 -device kvaser_pci,canbus=b0
# needs: error-model (fails on upstream QEMU, where a lone sender succeeds)
# timeout: 120
#
# can0 sends; its only peer can1 is in listen-only mode (SJA1000 MOD.LOM),
# which never drives the ACK slot.  As on real hardware the sender must see
# ACK errors, retransmit, and end up ERROR-PASSIVE with TX error counter
# 128.  The listen-only node may receive the frame (once the sender is
# error passive its passive error flag no longer destroys the frame, so it
# can see every retransmission); its own error counters stay frozen and it
# never transmits.  When can1 becomes a normal node the pending frame gets
# its ACK and is delivered.
. /qcan/lib.sh

ifs=$(can_ifaces | tr '\n' ' ')
[ "$ifs" = "can0 can1 " ] || die "expected can0 and can1, got '$ifs'"
can_up can0
can_up can1 listen-only on
$IP -details link show dev can1 | grep -q 'LISTEN-ONLY' || fail "ip does not show LISTEN-ONLY on can1"

start_candump /tmp/lom.log 1000 3000 can1
cansend can0 123#DEADBEEF || fail "cansend can0 failed"
wait_until 10 is ERROR-PASSIVE can_state can0
sleep 1
state=$(can_state can0); tec=$(berr_tx can0)
log "sender can0: state $state, berr-counter tx $tec rx $(berr_rx can0), tx_packets $(counter can0 tx_packets)"
check "sender can0 got no ACK: ERROR-PASSIVE" [ "$state" = ERROR-PASSIVE ]
check "sender can0 berr-counter tx 128" [ "$tec" = 128 ]
check "sender can0 tx_packets 0 (never acknowledged)" [ "$(counter can0 tx_packets)" = 0 ]
check "can0 never went bus-off" [ "$(can_xstat can0 bus-off)" = 0 ]

# Stop the receiver's candump (it idles out) before counting.
wait "$CANDUMP_PID"
seen=$(grep -c '123#DEADBEEF' /tmp/lom.log)
other=$(grep -vc '123#DEADBEEF' /tmp/lom.log)
log "listen-only can1 received the frame $seen times (rx_packets $(counter can1 rx_packets)); other frames: $other"
check "listen-only can1 received nothing but the sent frame" [ "$other" = 0 ]
# An error-passive sender's error flag is recessive, so from then on every
# retransmission is a valid frame to the listen-only node: it receives
# copies, thousands a second (the capture stops after 1000).
check "listen-only can1 received copies of the retransmitted frame" [ "$seen" -ge 1 ]
check "listen-only can1 transmitted nothing (tx_packets 0)" [ "$(counter can1 tx_packets)" = 0 ]
check "listen-only can1 error counters frozen at 0" [ "$(berr_tx can1)" = 0 -a "$(berr_rx can1)" = 0 ]
check "listen-only can1 stays ERROR-ACTIVE" [ "$(can_state can1)" = ERROR-ACTIVE ]
show can0
show can1

# A normal node appears: the frame still pending in can0's TX buffer is
# retransmitted, acknowledged and reported as sent; each success lowers
# TEC by one, so can0 leaves error passive.
log "switching can1 to normal mode"
rx0=$(counter can1 rx_packets)
can_up can1 listen-only off
wait_until 10 at_least 1 counter can0 tx_packets
log "can0: tx_packets $(counter can0 tx_packets), state $(can_state can0), berr-counter tx $(berr_tx can0); can1 rx +$(( $(counter can1 rx_packets) - rx0 ))"
check "pending frame delivered once a node ACKs (can0 tx_packets 1)" [ "$(counter can0 tx_packets)" = 1 ]
check "can1 received it in normal mode" [ "$(counter can1 rx_packets)" -gt "$rx0" ]
check "can0 TEC decreased below 128" [ "$(berr_tx can0)" -lt 128 ]
check "can0 left ERROR-PASSIVE" [ "$(can_state can0)" != ERROR-PASSIVE ]
done_scenario
