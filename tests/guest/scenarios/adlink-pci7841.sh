#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# qemu: -object can-bus,id=canbus0 -object can-bus,id=canbus1
# qemu: -device kvaser_pci,addr=0x4,canbus=canbus0
# qemu: -device adlink_pci7841,addr=0x5,channels=1,canbus=canbus0
# qemu: -device adlink_pci7841,addr=0x6,canbus0=canbus0,canbus1=canbus1
# timeout: 240
#
# Adlink PCI-7841 boards with 1 and 2 channels next to a Kvaser PCIcan-S,
# driven by Linux's unmodified plx_pci driver, which resets the local bus
# through the PLX 9052 and takes a slot only if it shows the SJA1000's
# hardware reset state: exactly 1 and 2 interfaces; frames both ways
# between each board's first channel and the Kvaser channel; the last
# channel, alone on canbus1, ends ERROR-PASSIVE with TEC 128.
. /qcan/lib.sh

board_scenario sja1000_plx_pci "1 2" "${QCAN_COUNT:-30}"
done_scenario
