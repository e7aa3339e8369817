#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# qemu: -object can-bus,id=b0
# qemu: -device kvaser_pci,canbus=b0 -device kvaser_pci,canbus=b0
# needs: self-reception (SJA1000 CMR.SRR; fails on upstream QEMU)
# timeout: 120
#
# "ip link set can0 type can loopback on" makes the sja1000 driver send
# with a self reception request (CMR.SRR) instead of a plain transmission
# request: the controller puts the frame on the bus *and* receives it
# itself, so it comes back through the RX path (rx_packets rises, candump
# -x shows it as RX).  Linux's software echo (IFF_ECHO) is there in both
# modes and shows as TX, so the assertion is on RX: with loopback off the
# sender's rx_packets must not move, with loopback on it must rise by
# exactly the number of frames sent.  The peer gets every frame either way.
. /qcan/lib.sh

N=10
ifs=$(can_ifaces | tr '\n' ' ')
[ "$ifs" = "can0 can1 " ] || die "expected can0 and can1, got '$ifs'"
can_up can1

i=0
: > /tmp/frames
while [ "$i" -lt "$N" ]; do printf '2%02X#%02X11223344\n' "$i" "$i" >> /tmp/frames; i=$((i + 1)); done

# run_phase MODE: send N frames on can0 with "loopback MODE", report
# "rx-delta tx-delta peer-delta candump-RX candump-TX".
run_phase() {
    can_up can0 loopback "$1"
    rx0=$(counter can0 rx_packets); tx0=$(counter can0 tx_packets); p0=$(counter can1 rx_packets)
    listen "/tmp/lb-$1.log" "/tmp/lb-$1.err" can0 candump -x -n $((2 * N)) -T 2000 can0
    cp=$LISTENER_PID
    send_frames can0 /tmp/frames || fail "loopback $1: sending failed"
    wait "$cp"
    drx=$(( $(counter can0 rx_packets) - rx0 )); dtx=$(( $(counter can0 tx_packets) - tx0 ))
    dp=$(( $(counter can1 rx_packets) - p0 ))
    crx=$(grep -c ' RX ' "/tmp/lb-$1.log"); ctx=$(grep -c ' TX ' "/tmp/lb-$1.log")
    log "loopback $1: can0 rx +$drx tx +$dtx, can1 rx +$dp, candump -x on can0: $crx RX, $ctx TX"
    sed 's/^/    /' "/tmp/lb-$1.log" | head -n 6
}

run_phase off
check "loopback off: can0 tx_packets +$N" [ "$dtx" = "$N" ]
check "loopback off: can0 rx_packets unchanged (no self reception)" [ "$drx" = 0 ]
check "loopback off: candump on can0 sees only the software echo (0 RX)" [ "$crx" = 0 ]
check "loopback off: can1 received all $N" [ "$dp" = "$N" ]

run_phase on
$IP -details link show dev can0 | grep -q 'LOOPBACK' || fail "ip does not show LOOPBACK on can0"
check "loopback on: can0 tx_packets +$N" [ "$dtx" = "$N" ]
check "loopback on: can0 rx_packets +$N (controller self reception)" [ "$drx" = "$N" ]
check "loopback on: candump -x on can0 sees $N frames as RX" [ "$crx" = "$N" ]
check "loopback on: frames still reach can1 ($N)" [ "$dp" = "$N" ]
check "loopback on: self-received frames equal the sent ones" \
    [ "$(grep ' RX ' /tmp/lb-on.log | awk '{ print $5 }' | tr '\n' ' ')" = "$(cut -d'#' -f1 /tmp/frames | tr '\n' ' ')" ]
check "can0 stays ERROR-ACTIVE" [ "$(can_state can0)" = ERROR-ACTIVE ]
show can0
done_scenario
