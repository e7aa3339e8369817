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
ifs=$(can_ifaces | tr '\n' ' ')
[ "$ifs" = "can0 can1 " ] || die "expected can0 and can1, got '$ifs'"
can_up can0
can_up can1

echo 16777216 > /proc/sys/net/core/rmem_max
listen /tmp/burst.log /tmp/candump.err can1 candump -L -d -r 16000000 -n "$N" -T 60000 can1
cpid=$LISTENER_PID
rx0=$(counter can1 rx_packets)
echo "QCAN-MIGRATE-BURST frames=$N"
cangen can0 -g 0 -p 10 -n "$N" -I i -L 8 -D i -x || fail "cangen exited with $?"
wait "$cpid"
rx=$(( $(counter can1 rx_packets) - rx0 ))

grep '^(' /tmp/burst.log | awk '{ print $3 }' > /tmp/burst.frames
got=$(wc -l < /tmp/burst.frames)
drops=$(grep -c DROPCOUNT /tmp/burst.log || true)
# each frame's 32-bit counter (data bytes 0..3, little endian) is the
# previous one's plus 1
bad=$(awk -F'#' '
    function hex(s,  i, v) { v = 0; s = toupper(s)
        for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789ABCDEF", substr(s, i, 1)) - 1
        return v }
    { d = $2
      c = hex(substr(d, 1, 2)) + 256 * hex(substr(d, 3, 2)) + 65536 * hex(substr(d, 5, 2)) + 16777216 * hex(substr(d, 7, 2))
      if (NR > 1 && c != pc + 1) { bad++; if (bad <= 5) printf "seq break at frame %d: %s after counter %d\n", NR, $0, pc > "/dev/stderr" }
      pc = c }
    END { print bad + 0 }' /tmp/burst.frames)
log "sent $N, can1 rx_packets +$rx, candump $got (socket drop notes $drops), sequence breaks $bad"
metric "scenario=migrate-burst frames=$N rx_packets=$rx candump=$got seq_breaks=$bad"

check "can0 tx_packets = $N" [ "$(counter can0 tx_packets)" -eq "$N" ]
check "can1 rx_packets +$N: none lost, none twice" [ "$rx" -eq "$N" ]
check "candump got all $N" [ "$got" -eq "$N" ]
check "in order, none twice" [ "$bad" -eq 0 ]
check "can1 rx_over_errors 0" [ "$(counter can1 rx_over_errors)" -eq 0 ]
done_scenario
