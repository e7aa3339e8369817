#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# qemu: -object can-bus,id=b0
# qemu: -device kvaser_pci,channels=1,canbus0=b0
# qemu: -device kvaser_pci,channels=2,canbus0=b0,canbus1=b0
# qemu: -device kvaser_pci,channels=4,canbus0=b0,canbus1=b0,canbus2=b0,canbus3=b0
# needs: multi-channel (kvaser_pci channels=, canbusN=; skipped when QEMU lacks them)
# timeout: 120
#
# PCIcan-S, -D and -Q side by side.  The driver sizes each board by
# probing the 0x20-byte channel slots for MOD.RM, so absent slots must not
# look like a chip: we need exactly 1, 2 and 4 interfaces on the three PCI
# functions (7 in total), and one frame from the first channel must reach
# all six others.
. /qcan/lib.sh

ifs=$(can_ifaces | tr '\n' ' ')
log "CAN interfaces: $ifs"
check "7 CAN interfaces (1 + 2 + 4)" [ "$(can_ifaces | wc -l)" = 7 ]
per=$(for i in $(can_ifaces); do basename "$(readlink -f /sys/class/net/$i/device)"; done | sort | uniq -c | awk '{ print $1 }' | tr '\n' ' ')
log "channels per PCI function, in slot order: $per"
check "boards have 1, 2 and 4 channels" [ "$per" = "1 2 4 " ]

for i in $(can_ifaces); do can_up "$i"; done
others=$(can_ifaces | grep -v '^can0$' | tr '\n' ' ')
# shellcheck disable=SC2086
start_candump /tmp/cc.log 6 15000 $others
cansend can0 7E1#C0FFEE || fail "cansend can0 failed"
wait "$CANDUMP_PID"
for d in $others; do
    check "$d received can0's frame" [ "$(awk -v i="$d" '$2 == i { print $3 }' /tmp/cc.log)" = 7E1#C0FFEE ]
done
done_scenario
