#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# kernel: virtio-can
# qemu: -object can-bus,id=canbus0
# qemu: -device virtio-can-pci,canbus=canbus0 -device virtio-can-pci,canbus=canbus0
# timeout: 300
#
# Two virtio-can devices exchange CAN FD frames, up to 64 bytes, with and
# without bit rate switch, standard and extended.  VIRTIO 1.4 carries no
# BRS flag, so the receiver's frames have the sender's identifier and data
# and no BRS: the flags digit of candump's "##F" is not compared.
. /qcan/lib.sh

ifs=$(can_ifaces | tr '\n' ' ')
[ "$ifs" = "can0 can1 " ] || die "expected can0 and can1, got '$ifs'"
for i in can0 can1; do
    $IP link set "$i" up || die "cannot bring $i up"
    check "$i has the CAN FD MTU (72)" [ "$(cat /sys/class/net/$i/mtu)" = 72 ]
done

# FD frames: lengths 0..64 of the FD set, BRS on odd ones
awk 'BEGIN {
    split("0 1 8 12 16 20 24 32 48 64 64 64", len, " ")
    for (i = 1; i <= 12; i++) {
        id = (i % 3 == 0) ? sprintf("%08X", 0x1abc000 + i) : sprintf("%03X", 0x100 + i)
        d = ""
        for (j = 0; j < len[i]; j++) d = d sprintf("%02X", (i * 31 + j * 7) % 256)
        print id "##" (i % 2) d
    }
}' > /tmp/fd-sent
n=$(wc -l < /tmp/fd-sent)
start_candump /tmp/fd-recv "$n" 10000 can1
send_frames can0 /tmp/fd-sent || fail "can0: sending failed"
wait "$CANDUMP_PID"
sed 's/##./##/' /tmp/fd-sent > /tmp/fd-want
frames_of /tmp/fd-recv | sed 's/##./##/' > /tmp/fd-got
if cmp -s /tmp/fd-want /tmp/fd-got; then
    ok "can0 -> can1: $n CAN FD frames, identifiers, lengths and data exact"
else
    fail "can0 -> can1: CAN FD frames differ (diff sent received):"
    diff /tmp/fd-want /tmp/fd-got | head -n 20
fi
check "can1 received them as CAN FD frames" \
    [ "$(frames_of /tmp/fd-recv | grep -c '##')" -eq "$n" ]
exchange can1 can0 1 50
done_scenario
