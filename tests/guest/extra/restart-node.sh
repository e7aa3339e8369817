#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# qemu: -object can-bus,id=canbus0 -device kvaser_pci,canbus=canbus0
# qemu: -object can-host-socketcand,id=n0,canbus=canbus0,server=127.0.0.1:29536,bus=canbus0
# timeout: 400
#
# One node of the restart-guests case of tests/can-server/: two QEMUs,
# each with a Kvaser PCIcan on a bus joined to one qemu-can-server bus,
# whose server the test kills and starts again while the guests talk.
# Not a test alone.  qcan.side=S sends qcan.count=N frames 10S#<seq>
# (seq a 16-bit counter) 0.1 s apart, records what candump sees of the
# other side's and prints it (QCAN-REC f ID#DATA), with its state: the
# test checks that both ran to the end, that frames came before the
# outage and after it, in order.
. /qcan/lib.sh

side=${QCAN_SIDE:-0}
n=${QCAN_COUNT:-300}
can_up can0
listen /tmp/all /tmp/all.err can0 candump -L can0
dump=$LISTENER_PID
log "restart-node: side $side sending"
i=0
while [ "$i" -lt "$n" ]; do
    cansend can0 "10$side#$(printf '%04X' "$i")" ||
        fail "cansend of frame $i failed"
    i=$((i + 1))
    sleep 0.1
done
# the other side's last frames
sleep 2
kill "$dump"
awk -v me="10$side" '{ split($3, f, "#"); if (f[1] != me) print "QCAN-REC f " $3 }' /tmp/all
check "can0 still ERROR-ACTIVE" [ "$(can_state can0)" = ERROR-ACTIVE ]
show can0
done_scenario
