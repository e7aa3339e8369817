#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# qemu: -object can-bus,id=canbus0 -object can-bus,id=canbus1
# qemu: -device kvaser_pci,addr=0x4,canbus=canbus0
# qemu: -device peak_pcan_pci,addr=0x5,canbus=canbus0
# qemu: -device peak_pcan_pci,addr=0x6,channels=2,canbus0=canbus0,canbus1=canbus0
# qemu: -device peak_pcan_pci,addr=0x7,channels=4,canbus0=canbus0,canbus1=canbus0,canbus2=canbus0,canbus3=canbus1
# timeout: 240
#
# PEAK PCAN-PCI boards with 1, 2 and 4 channels next to a Kvaser PCIcan-S,
# driven by Linux's unmodified peak_pci driver, which takes each board's
# channel count from its PCI subsystem id and acknowledges every
# interrupt in the PITA-2 bridge: exactly 1, 2 and 4 interfaces; frames
# both ways between the first PCAN channel and the Kvaser channel; the
# last channel, alone on canbus1, ends ERROR-PASSIVE with TEC 128.
. /qcan/lib.sh

board_scenario peak_pci "1 2 4" "${QCAN_COUNT:-20}"
done_scenario
