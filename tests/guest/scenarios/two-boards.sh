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

# gen DIR: N distinct frames in cansend syntax.  DIR keeps the two
# directions' ids apart so a frame echoed back to the wrong side shows.
gen() {
    awk -v n="$N" -v dir="$1" 'BEGIN {
        for (i = 0; i < n; i++) {
            k = i % 10
            if (k == 3 || k == 7 || k == 8)       # extended id
                id = sprintf("%08X", (dir * 0x8000000 + 0x10000 + i * 0x1357) % 0x20000000)
            else
                id = sprintf("%03X", (dir * 0x400 + 0x10 + i * 3) % 0x800)
            if (k == 9 || k == 8) { print id "#R"; continue }   # RTR
            len = i % 9; d = ""
            for (j = 0; j < len; j++) d = d sprintf("%02X", (i * 7 + j * 13 + dir * 0x55) % 256)
            print id "#" d
        }
    }'
}

direction() {
    src=$1; dst=$2; dir=$3
    gen "$dir" > "/tmp/sent-$src"
    start_candump "/tmp/recv-$dst" "$N" 15000 "$dst"
    rx0=$(counter "$dst" rx_packets)
    send_frames "$src" "/tmp/sent-$src" || fail "$src: sending failed"
    wait "$CANDUMP_PID"
    frames_of "/tmp/recv-$dst" > "/tmp/got-$dst"
    got=$(wc -l < "/tmp/got-$dst")
    rx1=$(counter "$dst" rx_packets)
    log "$src -> $dst: sent $N, candump got $got, $dst rx_packets +$((rx1 - rx0))"
    if cmp -s "/tmp/sent-$src" "/tmp/got-$dst"; then
        ok "$src -> $dst: $N frames, content and order exact"
    else
        fail "$src -> $dst: received frames differ from sent (diff sent received):"
        diff "/tmp/sent-$src" "/tmp/got-$dst" | head -n 20
    fi
    check "$dst rx_packets counted exactly $N" [ $((rx1 - rx0)) -eq "$N" ]
}

direction can0 can1 0
direction can1 can0 1
check "can0 tx_packets = $N" [ "$(counter can0 tx_packets)" -eq "$N" ]
check "can1 tx_packets = $N" [ "$(counter can1 tx_packets)" -eq "$N" ]
check "can0 still ERROR-ACTIVE" [ "$(can_state can0)" = ERROR-ACTIVE ]
check "can1 still ERROR-ACTIVE" [ "$(can_state can1)" = ERROR-ACTIVE ]
show can0
show can1
done_scenario
