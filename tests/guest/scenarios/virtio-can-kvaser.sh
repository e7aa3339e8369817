#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# kernel: virtio-can
# qemu: -object can-bus,id=canbus0
# qemu: -device kvaser_pci,canbus0=canbus0 -device virtio-can-pci,canbus=canbus0
# timeout: 300
#
# Linux's virtio_can driver (can1) and a Kvaser PCIcan-S with the sja1000
# driver (can0) on one bus: frames both ways, standard, extended and
# remote, every length, content and order exact.
. /qcan/lib.sh

ifs=$(can_ifaces | tr '\n' ' ')
[ "$ifs" = "can0 can1 " ] || die "expected can0 and can1, got '$ifs'"
drv=$(basename "$(readlink /sys/class/net/can1/device/driver)")
check "can1 is driven by virtio_can" [ "$drv" = virtio_can ]
can_up can0
# virtio-can has no bit timing to set: the device takes the bus's
$IP link set can1 up || die "cannot bring can1 up"
check "can1 is ERROR-ACTIVE once started" [ "$(can_state can1)" = ERROR-ACTIVE ]

exchange can0 can1 0 200
exchange can1 can0 1 200
check "can1 counted every frame it sent" [ "$(counter can1 tx_packets)" -eq 200 ]
check "can1 dropped nothing" [ "$(counter can1 tx_dropped)" -eq 0 ]
check "can0 saw no bus errors" [ "$(berr_tx can0)" -eq 0 ]
done_scenario
