#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# qemu: -object can-bus,id=canbus0
# qemu: -device kvaser_pci,canbus=canbus0 -device kvaser_pci,canbus=canbus0
# timeout: 1800
# run-by: tests/soak/run (which samples QEMU's memory meanwhile)
#
# Soak: 1,000,000 frames (qcan.count=N to change) can0 -> can1 on a bus
# without timing, counted where nothing but the controller can lose them:
# at can1's driver (rx_packets), with no socket reading can1, so no socket
# buffer drops anything either.  cangen polls on ENOBUFS, so the sender
# never drops.  Progress is printed every 10 s as QCAN-SOAK lines, which
# tests/soak/run puts beside its memory samples.
. /qcan/lib.sh

N=${QCAN_COUNT:-1000000}
ifs=$(can_ifaces | tr '\n' ' ')
[ "$ifs" = "can0 can1 " ] || die "expected can0 and can1, got '$ifs'"
can_up can0
can_up can1

rx0=$(counter can1 rx_packets)
over0=$(counter can1 rx_over_errors)
t0=$(now_ns)
cangen can0 -g 0 -p 10 -n "$N" -I i -L 8 -D i -x &
gen=$!
# rx_packets stops moving once cangen is done and the last frame is in
while :; do
    sleep 10
    rx=$(( $(counter can1 rx_packets) - rx0 ))
    echo "QCAN-SOAK t=$(( ($(now_ns) - t0) / 1000000000 )) rx=$rx"
    kill -0 "$gen" 2>/dev/null || break
done
wait "$gen" || fail "cangen exited with $?"
wait_rx_packets can1 $((rx0 + N)) > /dev/null
rx=$(( $(counter can1 rx_packets) - rx0 ))
over=$(( $(counter can1 rx_over_errors) - over0 ))
dt=$(( $(now_ns) - t0 ))
log "sent $N, can1 rx_packets +$rx, rx_over_errors +$over in $((dt / 1000000)) ms"
metric "scenario=soak frames=$N received=$rx rx_over_errors=$over ns=$dt"

check "can0 tx_packets = $N" [ "$(counter can0 tx_packets)" -eq "$N" ]
check "can1 rx_packets +$N (none lost)" [ "$rx" -eq "$N" ]
check "no RX overrun on can1" [ "$over" -eq 0 ]
check "can0 still ERROR-ACTIVE" [ "$(can_state can0)" = ERROR-ACTIVE ]
done_scenario
