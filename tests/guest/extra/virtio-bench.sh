#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# kernel: virtio-can
# qemu: -object can-bus,id=b0 -object can-bus,id=b1
# qemu: -device kvaser_pci,channels=2,canbus0=b0,canbus1=b0
# qemu: -device virtio-can-pci,canbus=b1 -device virtio-can-pci,canbus=b1
# timeout: 600
#
# Not a test: the guest half of bench/virtio.  qcan.count=N frames
# 123#0102030405060708 back to back (cangen) from one Kvaser channel to
# the other, then from one virtio-can device to the other, nobody
# listening: each burst is timed on the guest's CLOCK_MONOTONIC from just
# before cangen starts until the receiving driver's rx_packets has gone
# up by N.  qcan.pairs=kvaser,virtio (default both) picks the bursts, in
# that order (a pair named twice is measured twice);
# vxcan adds a burst through a vxcan pair, which has no device behind it:
# what the guest's CAN stack and cangen cost alone, the ceiling.
. /qcan/lib.sh

N=${QCAN_COUNT:-5000}
pairs=$(echo "${QCAN_PAIRS:-kvaser,virtio}" | tr ',' ' ')

# ifaces DRIVER: its interfaces, in name order
ifaces() {
    local i
    for i in $(can_ifaces); do
        [ "$(basename "$(readlink /sys/class/net/$i/device/driver)")" = "$1" ] && echo "$i"
    done
}

# interrupts: the guest's interrupts since boot, all sources
interrupts() { awk '$1 == "intr" { print $2 }' /proc/stat; }

burst() {
    local kind=$1 tx=$2 rx=$3 rx0 rx1 t0 t1 drop0 irq0
    $IP link set "$tx" txqueuelen 1000
    read -r rx0 < "/sys/class/net/$rx/statistics/rx_packets"
    drop0=$(counter "$tx" tx_dropped)
    irq0=$(interrupts)
    t0=$(now_ns)
    cangen "$tx" -g 0 -p 10 -n "$N" -I 123 -L 8 -D 0102030405060708 -x || fail "cangen exited with $?"
    rx1=$(wait_rx_packets "$rx" $((rx0 + N)))
    t1=$(now_ns)
    metric "bench=virtio kind=$kind tx=$tx rx=$rx frames=$N received=$((rx1 - rx0)) tx_dropped=$(( $(counter "$tx" tx_dropped) - drop0 )) rx_over=$(counter "$rx" rx_over_errors) span_ns=$((t1 - t0)) interrupts=$(( $(interrupts) - irq0 ))"
    check "$kind: $rx received all $N frames" [ $((rx1 - rx0)) -eq "$N" ]
}

for p in $pairs; do
    case $p in
        kvaser)
            set -- $(ifaces kvaser_pci)
            [ $# -eq 2 ] || die "expected two kvaser_pci channels, got '$*'"
            can_up "$1"; can_up "$2"
            burst kvaser "$1" "$2" ;;
        virtio)
            set -- $(ifaces virtio_can)
            [ $# -eq 2 ] || die "expected two virtio_can interfaces, got '$*'"
            # virtio-can has no bit timing: the device takes the bus's
            $IP link set "$1" up || die "cannot bring $1 up"
            $IP link set "$2" up || die "cannot bring $2 up"
            burst virtio "$1" "$2" ;;
        vxcan)
            [ -e /sys/class/net/vxcan0 ] ||
                $IP link add vxcan0 type vxcan peer name vxcan1 ||
                die "cannot add a vxcan pair"
            $IP link set vxcan0 up || die "cannot bring vxcan0 up"
            $IP link set vxcan1 up || die "cannot bring vxcan1 up"
            burst vxcan vxcan0 vxcan1 ;;
        *) die "unknown pair $p" ;;
    esac
done
done_scenario
