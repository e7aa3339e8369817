#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# qemu: -object can-bus,id=b0
# qemu: -device kvaser_pci,canbus=b0 -device kvaser_pci,canbus=b0
# needs: error-model (single-shot transmission, CMR.AT; fails on upstream QEMU)
# timeout: 120
#
# "one-shot on" makes the sja1000 driver transmit with CMR.TR|CMR.AT: one
# attempt, no automatic retransmission.  With the only peer down (a chip
# in reset mode does not acknowledge) each frame fails once: the driver
# sees the TX interrupt with SR.TCS clear and counts tx_errors instead of
# tx_packets, the TX error counter rises by 8 per frame (3 frames: 24,
# still ERROR-ACTIVE), and the queue keeps moving.  With the peer up the
# next frame is acknowledged and counted as sent.
. /qcan/lib.sh

[ "$(can_ifaces | tr '\n' ' ')" = "can0 can1 " ] || die "expected can0 and can1"
can_up can0 one-shot on
can_down can1
$IP -details link show dev can0 | grep -q 'ONE-SHOT' || fail "ip does not show ONE-SHOT"

for k in 1 2 3; do
    cansend can0 "10$k#0$k" || fail "cansend $k failed"
    wait_until 5 at_least "$k" counter can0 tx_errors || fail "frame $k: no tx_error reported"
done
sleep 0.5
txe=$(counter can0 tx_errors); txp=$(counter can0 tx_packets); tec=$(berr_tx can0)
log "peer down: tx_errors $txe, tx_packets $txp, berr-counter tx $tec, state $(can_state can0)"
check "each unacknowledged one-shot frame counted once in tx_errors (3)" [ "$txe" = 3 ]
check "no frame counted as sent" [ "$txp" = 0 ]
check "no retransmission: TX error counter 3 x 8 = 24" [ "$tec" = 24 ]
check "still ERROR-ACTIVE" [ "$(can_state can0)" = ERROR-ACTIVE ]

can_up can1
start_candump /tmp/os.log 1 15000 can1
cansend can0 104#04 || fail "cansend 4 failed"
wait "$CANDUMP_PID"
wait_until 5 at_least 1 counter can0 tx_packets
log "peer up: tx_packets $(counter can0 tx_packets), tx_errors $(counter can0 tx_errors), berr-counter tx $(berr_tx can0)"
check "with an acknowledging peer the one-shot frame is sent" [ "$(counter can0 tx_packets)" = 1 ]
check "peer received it" [ "$(frames_of /tmp/os.log)" = "104#04" ]
check "TX error counter decremented by the success (23)" [ "$(berr_tx can0)" = 23 ]
done_scenario
