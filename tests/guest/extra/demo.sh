#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# qemu: -object can-bus,id=bus0 -device kvaser_pci,channels=2,canbus0=bus0,canbus1=bus0
# timeout: 120
#
# Guest half of tests/guest/demo: narrated first contact with the emulated
# CAN controllers.  The host script picks the devices (one PCIcan-D, or two
# PCIcan-S boards on QEMU builds without channels=).
. /qcan/lib.sh

say() { echo; echo ">>> $*"; }

say "Linux $(uname -r) is up. The kvaser_pci driver found these CAN interfaces:"
for i in $(can_ifaces); do
    echo "    $i  (PCI $(basename "$(readlink -f /sys/class/net/$i/device)"), driver $(basename "$(readlink -f /sys/class/net/$i/device/driver)"))"
done
[ "$(can_ifaces | tr '\n' ' ')" = "can0 can1 " ] || die "expected can0 and can1"

say "Configuring both at 500 kbit/s:  ip link set canX type can bitrate 500000; ip link set canX up"
can_up can0
can_up can1
$IP -details link show dev can0 | sed 's/^/    /'

say "Starting 'candump can1' in the background; everything below tagged 'can1' was received there."
listen /dev/console /dev/console can1 candump -t z can1
cpid=$LISTENER_PID

say "cansend can0 123#DEADBEEF      (standard id, 4 data bytes)"
cansend can0 123#DEADBEEF; sleep 0.2
say "cansend can0 1F334455#1122334455667788   (extended 29-bit id)"
cansend can0 1F334455#1122334455667788; sleep 0.2
say "cansend can0 321#R            (remote transmission request)"
cansend can0 321#R; sleep 0.2
say "cangen can0 -n 10 -g 100 -I i -D i -L 4   (10 generated frames, 100 ms apart)"
cangen can0 -n 10 -g 100 -I i -D i -L 4
sleep 0.5
kill "$cpid" 2>/dev/null
wait "$cpid" 2>/dev/null

rx=$(counter can1 rx_packets); tx=$(counter can0 tx_packets)
say "Driver statistics (ip -details -statistics link show):"
show can0 | sed 's/^/    /'
show can1 | sed 's/^/    /'
say "can0 sent $tx frames, can1 received $rx frames."
[ "$tx" = 13 ] && [ "$rx" = 13 ] || die "expected 13 frames each way"
exit 0
