#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# qemu: -object can-bus,id=canbus0 -device kvaser_pci,canbus=canbus0
# qemu: -object can-host-udp,id=u0,canbus=canbus0
# timeout: 400
#
# One node of the guests cases of tests/can-udp/ and tests/can-server/
# (tests/pylib/cannodes.py), which boot two of them (qcan.side=0 and
# qcan.side=1) on one multicast group, or one server bus (replacing this
# header), with a python-can script: not a test alone.  The guest's can0 says it listens (7E<side>#) until the
# script says go (7FF#), sends gen_frames <side> COUNT, says it is done
# (7E<side + 8>#) and records everything until the script says the end
# (7FE#).  It prints what candump recorded (QCAN-REC f ID#DATA, its own
# frames included, as the Linux stack echoes them to candump) and its
# counters (QCAN-REC stat); the script checks them against what the
# others sent.
. /qcan/lib.sh

side=${QCAN_SIDE:-0}
n=${QCAN_COUNT:-60}
can_up can0
listen /tmp/all /tmp/all.err can0 candump -L can0
dump=$LISTENER_PID

tries=0
until grep -q ' 7FF#' /tmp/all; do
    cansend can0 "7E$side#" || fail "cansend of the ready frame failed"
    tries=$((tries + 1))
    [ "$tries" -le 600 ] || die "no go from the script after $tries ready frames"
    sleep 0.3
done
log "go after $tries ready frames"
gen_frames "$side" "$n" > /tmp/sent
send_frames can0 /tmp/sent || fail "sending failed"
cansend can0 "7E$((side + 8))#" || fail "cansend of the done frame failed"
wait_until 300 grep -q ' 7FE#' /tmp/all || fail "no end frame from the script"
# nothing is sent after the end frame: let the last frames settle
sleep 1
kill "$dump"
awk '{ print "QCAN-REC f " $3 }' /tmp/all
echo "QCAN-REC stat rx=$(counter can0 rx_packets) tx=$(counter can0 tx_packets)"
check "can0 still ERROR-ACTIVE" [ "$(can_state can0)" = ERROR-ACTIVE ]
show can0
done_scenario
