#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# qemu: -object can-bus,id=b0
# qemu: -device kvaser_pci,channels=4,canbus0=b0,canbus1=b0,canbus2=b0,canbus3=b0
# needs: multi-channel (kvaser_pci channels=, canbusN=; skipped when QEMU lacks them)
# timeout: 180
#
# One Kvaser PCIcan-Q (four SJA1000 channels on one PCI function) with all
# channels on one bus.  The kvaser_pci driver counts channels by putting
# each 0x20-byte slot into reset mode and reading MOD.RM back, so it must
# find exactly can0..can3, all on the same PCI device.  Then every channel
# sends K frames and each of the other three must receive exactly those,
# in order: that covers all 12 ordered pairs.
. /qcan/lib.sh

K=${QCAN_COUNT:-20}
ifs=$(can_ifaces | tr '\n' ' ')
log "CAN interfaces: $ifs"
[ "$ifs" = "can0 can1 can2 can3 " ] || die "expected can0..can3, got '$ifs'"
parents=$(for i in 0 1 2 3; do basename "$(readlink -f /sys/class/net/can$i/device)"; done | sort -u)
log "PCI device(s): $(echo $parents)"
check "all four channels on one PCI function" [ "$(echo "$parents" | wc -l)" = 1 ]

for i in 0 1 2 3; do can_up "can$i"; done

for s in 0 1 2 3; do
    others=""
    for d in 0 1 2 3; do [ "$d" = "$s" ] || others="$others can$d"; done
    : > "/tmp/q-sent-$s"
    j=0
    while [ "$j" -lt "$K" ]; do
        # id carries the source channel; an odd j gets an extended id.
        if [ $((j % 2)) = 1 ]; then
            printf '%08X#%02X%02X\n' $((0x1000000 * (s + 1) + j)) "$s" "$j" >> "/tmp/q-sent-$s"
        else
            printf '%03X#%02X%02XA5\n' $((0x100 * (s + 1) + j)) "$s" "$j" >> "/tmp/q-sent-$s"
        fi
        j=$((j + 1))
    done
    # shellcheck disable=SC2086
    start_candump "/tmp/q-recv-$s" $((3 * K)) 15000 $others
    send_frames "can$s" "/tmp/q-sent-$s" || fail "can$s: sending failed"
    wait "$CANDUMP_PID"
    for d in $others; do
        awk -v ifc="$d" '$2 == ifc { print $3 }' "/tmp/q-recv-$s" > /tmp/q-got
        if cmp -s "/tmp/q-sent-$s" /tmp/q-got; then
            ok "can$s -> $d: $K frames exact and in order"
        else
            fail "can$s -> $d: got $(wc -l < /tmp/q-got) frames, differ from sent:"
            diff "/tmp/q-sent-$s" /tmp/q-got | head -n 10
        fi
    done
done
for i in 0 1 2 3; do
    check "can$i: tx_packets $K, rx_packets $((3 * K)), ERROR-ACTIVE" \
        [ "$(counter can$i tx_packets)" = "$K" -a "$(counter can$i rx_packets)" = $((3 * K)) -a "$(can_state can$i)" = ERROR-ACTIVE ]
done
done_scenario
