#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# qemu: -object can-bus,id=canbus0 -object can-bus,id=canbus1
# qemu: -device kvaser_pci,addr=0x4,canbus=canbus0
# qemu: -device ems_cpc_pci_v1,addr=0x5,channels=1,canbus=canbus0
# qemu: -device ems_cpc_pci_v1,addr=0x6,canbus0=canbus0,canbus1=canbus0
# qemu: -device ems_cpc_pci_v2,addr=0x7,channels=1,canbus=canbus0
# qemu: -device ems_cpc_pci_v2,addr=0x8,channels=2,canbus0=canbus0,canbus1=canbus0
# qemu: -device ems_cpc_pci_v2,addr=0x9,channels=4,canbus0=canbus0,canbus1=canbus0,canbus2=canbus0,canbus3=canbus1
# timeout: 300
#
# EMS CPC-PCI v1 boards (PITA-2) with 1 and 2 channels and v2 boards
# (PLX 9030) with 1, 2 and 4 channels next to a Kvaser PCIcan-S, driven by
# Linux's unmodified ems_pci driver, which checks v1's signature and
# probes every slot for a chip: exactly 1, 2, 1, 2 and 4 interfaces;
# frames both ways between each board's first channel and the Kvaser
# channel; the last channel, alone on canbus1, ends ERROR-PASSIVE with
# TEC 128.
. /qcan/lib.sh

board_scenario ems_pci "1 2 1 2 4" "${QCAN_COUNT:-20}"
done_scenario
