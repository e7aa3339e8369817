#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# qemu: -object can-bus,id=canbus0
# qemu: -device kvaser_pci,canbus=canbus0 -device kvaser_pci,canbus=canbus0
# timeout: 600
# run-by: tests/guest/migrate (which migrates the guest during the burst)
#
# A burst can0 -> can1 (default 50000 frames, qcan.count=N) during which
# tests/guest/migrate live-migrates the guest into another QEMU process:
# it starts when the guest prints QCAN-MIGRATE-BURST.  Counted at the
# receiving driver (rx_packets: nothing lost, nothing twice) and by a
# candump with a 16 MB socket buffer (-d reports its socket's drops), whose
# frames must come in order, each once.
. /qcan/lib.sh

N=${QCAN_COUNT:-50000}
burst_listen "$N" 60000
cpid=$LISTENER_PID
rx0=$(counter can1 rx_packets)
echo "QCAN-MIGRATE-BURST frames=$N"
burst_send "$N"
wait "$cpid"
rx=$(( $(counter can1 rx_packets) - rx0 ))

got=$(burst_frames)
drops=$(grep -c DROPCOUNT /tmp/burst.log || true)
# each frame's 32-bit counter one more than the last
bad=$(burst_seq_breaks)
log "sent $N, can1 rx_packets +$rx, candump $got (socket drop notes $drops), sequence breaks $bad"
metric "scenario=migrate-burst frames=$N rx_packets=$rx candump=$got seq_breaks=$bad"

check "can0 tx_packets = $N" [ "$(counter can0 tx_packets)" -eq "$N" ]
check "can1 rx_packets +$N: none lost, none twice" [ "$rx" -eq "$N" ]
check "candump got all $N" [ "$got" -eq "$N" ]
check "in order, none twice" [ "$bad" -eq 0 ]
check "can1 rx_over_errors 0" [ "$(counter can1 rx_over_errors)" -eq 0 ]
done_scenario
