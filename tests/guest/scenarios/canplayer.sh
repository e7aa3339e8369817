#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# qemu: -fw_cfg name=opt/qcan/canbus0.log,file=build/test-logs/observe-canbus0.log
# timeout: 180
# run-by: tests/guest/observe (after the capture that wrote the log)
#
# can-utils' own canplayer replays the candump log our can-capture wrote
# (format=candump, handed to the guest through fw_cfg) onto a vcan
# interface, and candump there must receive exactly its frames, in order.
. /qcan/lib.sh

in=/sys/firmware/qemu_fw_cfg/by_name/opt/qcan/canbus0.log/raw
[ -r "$in" ] || die "no log from the host at $in"
cat "$in" > /tmp/in.log
n=$(wc -l < /tmp/in.log)
[ "$n" -gt 0 ] || die "the log from the host is empty"
$IP link add dev vcan0 type vcan || die "cannot add vcan0"
$IP link set vcan0 up || die "cannot bring vcan0 up"
start_candump /tmp/out.log "$n" 5000 vcan0
canplayer -I /tmp/in.log vcan0=canbus0 || fail "canplayer failed"
wait "$CANDUMP_PID"
frames_of /tmp/in.log > /tmp/want
frames_of /tmp/out.log > /tmp/got
if cmp -s /tmp/want /tmp/got; then
    ok "candump on vcan0 received the log's $n frames exactly"
else
    fail "candump on vcan0 received other frames (diff log received):"
    diff /tmp/want /tmp/got
fi
echo "QCAN-CANPLAYER-BEGIN"
cat /tmp/got
echo "QCAN-CANPLAYER-END"
done_scenario
