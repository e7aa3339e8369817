#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# qemu: -object can-bus,id=canbus0 -object can-bus,id=canbus1,timing=on
# qemu: -object can-bus,id=canbus2 -icount shift=0,sleep=off
# qemu: -device kvaser_pci,canbus=canbus0 -device kvaser_pci,canbus=canbus0
# qemu: -device kvaser_pci,canbus=canbus1 -device kvaser_pci,canbus=canbus1
# qemu: -device kvaser_pci,canbus=canbus2
# qemu: -object can-capture,id=cap0,canbus=canbus0,file=build/test-logs/observe-canbus0.pcapng
# qemu: -object can-capture,id=cap1,canbus=canbus0,format=pcap,file=build/test-logs/observe-canbus0.pcap
# qemu: -object can-capture,id=cap2,canbus=canbus0,format=candump,file=build/test-logs/observe-canbus0.log
# qemu: -object can-capture,id=cap3,canbus=canbus1,file=build/test-logs/observe-canbus1.pcapng
# qemu: -object can-capture,id=cap4,canbus=canbus2,max-size=1M,file=build/test-logs/observe-canbus2.pcapng
# qemu: -object can-capture,id=capsmall,canbus=canbus0,max-size=200,file=build/test-logs/observe-small.pcapng
# qemu: -object can-capture,id=capfull,canbus=canbus0,format=candump,file=/dev/full
# qemu: -chardev file,id=stream0,path=build/test-logs/observe-stream.pcapng
# qemu: -object can-capture,id=cap5,canbus=canbus0,chardev=stream0
# qemu: -chardev file,id=disp0,path=build/test-logs/observe-display.txt
# qemu: -object can-display,id=display0,canbus=canbus0,decode=canopen,chardev=disp0
# timeout: 300
# run-by: tests/guest/observe (which reads what the captures wrote)
#
# Traffic for the bus captures and the frame display, which
# tests/guest/observe then reads with tshark and can-utils: on canbus0 can0 sends can1 frames of every kind
# and a CANopen start-up; on the timed canbus1 (125 kbit/s) can2 and can3
# send bursts at once; can4 is alone on canbus2 and gets ACK errors until
# it is error passive.  Captures that cannot write (/dev/full) or reach
# their max-size stop; the guest must not notice any of it: every frame
# arrives.  The CANopen frames are there for can-display.  Under -icount
# the bus's timer fires when it is due, so the captured times are the
# wire's exactly; without it, they are when the loaded host ran it.
. /qcan/lib.sh

ifs=$(can_ifaces | tr '\n' ' ')
[ "$ifs" = "can0 can1 can2 can3 can4 " ] || die "expected can0..can4, got '$ifs'"
can_up can0
can_up can1

# standard, empty, extended, remote (std, ext with DLC 8), then CANopen:
# NMT start node 5, SYNC, heartbeat operational, TPDO1, SDO download of
# 1017:00 and its response
printf '%s\n' 123#DEADBEEF 7FF# 1ABCDEF0#5A 321#R 1ABCDE01#R8 \
    000#0105 080# 705#05 185#3412 605#2B171000E8030000 \
    585#6017100000000000 > /tmp/sent
n=$(wc -l < /tmp/sent)
start_candump /tmp/recv "$n" 5000 can1
send_frames can0 /tmp/sent || fail "sending on can0 failed"
wait "$CANDUMP_PID"
frames_of /tmp/recv > /tmp/got
if cmp -s /tmp/sent /tmp/got; then
    ok "can1 received all $n frames from can0 exactly"
else
    fail "can1 received other frames (diff sent received):"
    diff /tmp/sent /tmp/got
fi
echo "QCAN-OBSERVE-SENT-BEGIN"
cat /tmp/sent
echo "QCAN-OBSERVE-SENT-END"

BITRATE=125000 can_up can2
BITRATE=125000 can_up can3
# both at once: while one's frame is on the wire the other's waits, and
# follows it back to back
cangen can2 -g 0 -p 1000 -n 20 -I 555 -L 8 -D 5555555555555555 &
gen=$!
cangen can3 -g 0 -p 1000 -n 20 -I 556 -L 8 -D 5555555555555555 ||
    fail "cangen on can3 failed"
wait "$gen" || fail "cangen on can2 failed"
wait_until 10 is 20 counter can3 rx_packets
check "can3 received the 20 frames of can2" [ "$(counter can3 rx_packets)" = 20 ]
check "can2 received the 20 frames of can3" [ "$(counter can2 rx_packets)" = 20 ]

can_up can4
cansend can4 0AA#01 || fail "cansend can4 failed"
wait_until 10 is ERROR-PASSIVE can_state can4
check "lone can4 is ERROR-PASSIVE" [ "$(can_state can4)" = ERROR-PASSIVE ]
can_down can4
done_scenario
