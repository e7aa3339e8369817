#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# qemu: -object can-bus,id=b0
# qemu: -device kvaser_pci,canbus=b0 -device kvaser_pci,canbus=b0
# needs: error-model (a frame nobody acknowledges stays pending)
# timeout: 120
#
# A frame nobody acknowledges stays pending in the TX buffer, retried by
# the chip.  "ip link set can0 down" puts the SJA1000 into reset mode,
# which must abort that transmission for good: when a peer appears after
# can0 is brought up again, the stale frame must not show up on the bus;
# only frames sent after the restart arrive.
. /qcan/lib.sh

[ "$(can_ifaces | tr '\n' ' ')" = "can0 can1 " ] || die "expected can0 and can1"
can_up can0
can_down can1
cansend can0 0AA#57A1E0 || fail "cansend stale frame failed"
wait_until 10 is ERROR-PASSIVE can_state can0 || fail "stale frame was not pending (can0 $(can_state can0))"
log "stale frame pending: can0 $(can_state can0), berr-counter tx $(berr_tx can0), tx_packets $(counter can0 tx_packets)"

can_down can0
can_up can0
can_up can1
start_candump /tmp/ra.log 2 2000 can1
sleep 1
cansend can0 0BB#F2E5 || fail "cansend fresh frame failed"
wait "$CANDUMP_PID"
got=$(frames_of /tmp/ra.log | tr '\n' ' ')
log "can1 received: $got"
check "stale frame aborted by reset mode, only the fresh one arrives" [ "$got" = "0BB#F2E5 " ]
check "can0 tx_packets 1 after restart" [ "$(counter can0 tx_packets)" = 1 ]
check "can0 ERROR-ACTIVE after restart (counters cleared by the driver)" [ "$(can_state can0)" = ERROR-ACTIVE ]
done_scenario
