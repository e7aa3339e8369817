#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# qemu: -object can-bus,id=canbus0 -device kvaser_pci,canbus=canbus0
# qemu: -object can-replay,id=replay0,canbus=canbus0,loop=on,file=tests/guest/data/replay-drive.log
# qemu: -icount shift=0,sleep=off -rtc base=2025-01-01T00:00:00,clock=vm
# timeout: 180
#
# can-replay plays a can-utils log (tests/guest/data/replay-drive.log)
# onto the bus, over and over (loop=on), each frame after the gap it had
# when recorded: 100, 250, 50 and 500 ms; the error frame in the log is
# no bus traffic and must not appear.  The guest's candump must receive
# the frames exactly, and its timestamps must show them at their
# recorded times after the first.
. /qcan/lib.sh

[ "$(can_ifaces | tr '\n' ' ')" = "can0 " ] || die "expected can0"
can_up can0
# two loops of five frames, whatever frame the first one starts at
start_candump /tmp/replay.log 15 5000 can0
wait "$CANDUMP_PID"
log "received:"; cat /tmp/replay.log
# from the first frame 100 on, one whole loop
awk '$3 == "100#01" { go = 1 } go && n < 5 { print; n++ }' /tmp/replay.log > /tmp/loop.log
frames_of /tmp/loop.log > /tmp/loop-frames
printf '%s\n' 100#01 200#0203 12345678#DEADBEEF 300#R4 7FF#0011223344556677 > /tmp/loop-want
if cmp -s /tmp/loop-want /tmp/loop-frames; then
    ok "one loop of the log received exactly, without its error frame"
else
    fail "the loop received differs (diff want got):"
    diff /tmp/loop-want /tmp/loop-frames
fi
# each frame's time after the loop's first, in ms, from candump's
# (SEC.USEC): the replay keeps every frame's offset from the start, so a
# late frame does not delay the ones after it
offs=$(awk '{ us = (substr($1, 2, 10) - 1700000000) * 1000000 + substr($1, 13, 6)
              if (NR == 1) t0 = us; printf "%d ", (us - t0 + 500) / 1000 }' /tmp/loop.log)
log "frames of one loop at $offs ms (recorded: 0 100 350 400 900)"
# shellcheck disable=SC2086 # the offsets, one word each
set -- $offs
# Under -icount the replay's timer and the guest's clock count the same
# instructions, so each frame arrives at its recorded offset; the guest
# stamps it a few microseconds later, when its interrupt handler runs.
# (Without -icount TCG runs the guest late now and then by tens of ms.)
within() { [ "$1" -ge $(($2 - 1)) ] 2>/dev/null && [ "$1" -le $(($2 + 1)) ]; }
check "200 is 100 ms after 100" within "${2:-0}" 100
check "12345678 is 350 ms after 100" within "${3:-0}" 350
check "300 is 400 ms after 100" within "${4:-0}" 400
check "7FF is 900 ms after 100" within "${5:-0}" 900
done_scenario
