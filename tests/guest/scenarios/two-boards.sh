#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# qemu: -object can-bus,id=b0
# qemu: -device kvaser_pci,canbus=b0 -device kvaser_pci,canbus=b0
# timeout: 180
#
# Two single-channel Kvaser PCIcan-S boards on one bus.  100 frames each
# way (standard, extended, RTR, every DLC 0..8); what arrives must equal
# what was sent, byte for byte and in order.
. /qcan/lib.sh

N=${QCAN_COUNT:-100}
ifs=$(can_ifaces | tr '\n' ' ')
log "CAN interfaces: $ifs"
[ "$ifs" = "can0 can1 " ] || die "expected can0 and can1, got '$ifs'"
can_up can0
can_up can1

exchange can0 can1 0 "$N"
exchange can1 can0 1 "$N"
check "can0 tx_packets = $N" [ "$(counter can0 tx_packets)" -eq "$N" ]
check "can1 tx_packets = $N" [ "$(counter can1 tx_packets)" -eq "$N" ]
check "can0 still ERROR-ACTIVE" [ "$(can_state can0)" = ERROR-ACTIVE ]
check "can1 still ERROR-ACTIVE" [ "$(can_state can1)" = ERROR-ACTIVE ]
show can0
show can1
done_scenario
