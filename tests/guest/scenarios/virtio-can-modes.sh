#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# kernel: virtio-can
# qemu: -object can-bus,id=canbus0 -object can-bus,id=canbus1
# qemu: -device kvaser_pci,canbus0=canbus0 -device virtio-can-pci,canbus=canbus0
# qemu: -device virtio-can-pci,canbus=canbus1,can-fd=off
# timeout: 300
#
# What Linux's virtio_can driver sees of the device's modes:
# - can1 (with the Kvaser can0): 'ip link set down' sends STOP, and a
#   stopped device acknowledges nothing; 'up' sends START and frames flow
#   both ways again.
# - can2, classic only (can-fd=off) and alone on canbus1: no CAN FD MTU,
#   so FD frames are refused; its frame is never acknowledged, so with
#   LATE_TX_ACK it stays in flight, and the node never goes bus-off (an
#   error-passive transmitter's ACK errors do not count); 'down' (STOP)
#   fails it, which the driver counts as dropped.
. /qcan/lib.sh

# refuses COMMAND...: COMMAND fails
refuses() { ! "$@" 2>/dev/null; }

ifs=$(can_ifaces | tr '\n' ' ')
[ "$ifs" = "can0 can1 can2 " ] || die "expected can0, can1 and can2, got '$ifs'"
can_up can0
$IP link set can1 up || die "cannot bring can1 up"
exchange can0 can1 0 20

# STOP: can1 no longer acknowledges, can0 counts ACK errors
$IP link set can1 down || die "cannot take can1 down"
cansend can0 5A5#C0FFEE || fail "cansend can0"
wait_until 5 at_least 1 berr_tx can0
check "stopped, can1 acknowledges nothing (can0 tx errors $(berr_tx can0))" \
    [ "$(berr_tx can0)" -gt 0 ]
check "can0's frame is still pending" [ "$(counter can0 tx_packets)" -eq 20 ]
# START.  can0 withdraws its frame first: the driver enables its receive
# NAPI only after START has completed, and a frame that arrives in
# between leaves its Rx queue's callbacks disabled for good (Linux 7.3.4's
# virtio_can_open(); seen with can0's retried frame arriving at once)
$IP link set can0 down
$IP link set can1 up || die "cannot bring can1 up again"
can_up can0
check "after START can1 is ERROR-ACTIVE" [ "$(can_state can1)" = ERROR-ACTIVE ]
exchange can0 can1 0 20
exchange can1 can0 1 20

# classic only
$IP link set can2 up || die "cannot bring can2 up"
check "can2 has the classic MTU (16)" [ "$(cat /sys/class/net/can2/mtu)" = 16 ]
check "can2 refuses the CAN FD MTU" refuses $IP link set can2 mtu 72
check "cansend refuses an FD frame on can2" refuses cansend can2 123##1112233
# alone: never acknowledged, never bus-off
cansend can2 321#01 || fail "cansend can2"
sleep 2
check "can2's frame is still in flight" [ "$(counter can2 tx_packets)" -eq 0 ]
check "can2 is not bus-off ($(can_state can2))" [ "$(can_state can2)" != BUS-OFF ]
$IP link set can2 down
wait_until 5 is 1 counter can2 tx_dropped
check "STOP failed can2's frame: tx_dropped $(counter can2 tx_dropped)" \
    [ "$(counter can2 tx_dropped)" -eq 1 ]
done_scenario
