# SPDX-License-Identifier: GPL-2.0-or-later
#
# The test cases of tests/can-udp/run (which makes the network namespace
# and starts this with Debian's /usr/bin/python3): can-host-udp seen
# through python-can's udp_multicast interface, Linux guests' drivers and
# QEMU's QMP counters.  TAP on stdout; logs in build/test-logs/can-udp-*.
#
#   guests      two QEMU processes, each a Linux guest with a Kvaser
#               PCIcan-S on a bus joined to the default group, and a
#               python-can script on the group: every frame each sends
#               reaches the other two, exact and in order; a guest's own
#               frames do not come back to it
#   ipv6-fd     one QEMU joining an IPv4 and an IPv6 group to one bus:
#               classic and FD frames from python-can on either group
#               reach python-can on the other unchanged, none comes back
#   malformed   truncated, random, huge and out-of-range packets into
#               the group: each one python-can refuses is counted in
#               rx-malformed and kept off the bus, QEMU stays up
#   errors      bad options fail with a clear error
#   docs        the Python example of docs/system/devices/can.rst, run
#               as it stands, puts its frame on a QEMU's bus

import os
import random
import socket
import subprocess
import sys
import time

import can
import can.interfaces.udp_multicast.utils as udp_utils
import msgpack

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, 'tests', 'pylib'))
from tapcases import skip, tap  # noqa: E402
import tapcases  # noqa: E402
from cannodes import QEMU, frame_text, same_frames, start_qemu  # noqa: E402
import cannodes  # noqa: E402

LOGS = os.path.join(REPO, 'build', 'test-logs')
GROUP4 = '239.74.163.2'
GROUP6 = 'ff15:7079:7468:6f6e:6465:6d6f:6d63:6173'
PORT = 43113
IPV6_IF = os.environ.get('CAN_UDP_IPV6_IF', '')
FD_LENGTHS = (0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20, 24, 32, 48, 64)



# ---------------------------------------------------------------------
# guests

def test_guests():
    bus = can.Bus(interface='udp_multicast', channel=GROUP4, port=PORT)
    cannodes.guests_test('udp', bus)
    bus.shutdown()


def test_burst():
    cannodes.burst_test('udp', '-object can-host-udp,id=u0,canbus=canbus0 '
                        '-object can-host-udp,id=u1,canbus=canbus1')


# ---------------------------------------------------------------------
# ipv6-fd

def fd_messages():
    msgs = []
    for i, n in enumerate(FD_LENGTHS):
        msgs.append(can.Message(arbitration_id=0x100 + i, is_fd=True,
                                is_extended_id=bool(i & 1),
                                bitrate_switch=bool(i & 2),
                                error_state_indicator=bool(i & 4),
                                data=bytes((i * 11 + j) & 0xff
                                           for j in range(n))))
    for n in range(9):
        msgs.append(can.Message(arbitration_id=0x7ff - n,
                                is_extended_id=False, data=bytes(range(n))))
    msgs.append(can.Message(arbitration_id=0x1fffffff, is_remote_frame=True,
                            dlc=4))
    msgs.append(can.Message(arbitration_id=0, is_extended_id=False,
                            is_remote_frame=True))
    return msgs


def msg_key(m):
    return (m.arbitration_id, m.is_extended_id, m.is_remote_frame, m.is_fd,
            m.bitrate_switch, m.error_state_indicator, m.dlc, bytes(m.data))


def drain(bus, quiet=0.5):
    out = []
    while True:
        m = bus.recv(quiet)
        if m is None:
            return out
        out.append(m)


def test_ipv6_fd():
    desc = 'IPv4 and IPv6 groups on one bus, classic and FD frames'
    if not IPV6_IF:
        skip(desc, 'no veth interface for IPv6 multicast')
        return
    proc, qmp = start_qemu(
        'udp-ipv6-fd', 'can-bus,id=canbus0',
        'can-host-udp,id=u4,canbus=canbus0,port=43120',
        'can-host-udp,id=u6,canbus=canbus0,group=%s,ifname=%s,port=43121' %
        (GROUP6, IPV6_IF))
    b4 = can.Bus(interface='udp_multicast', channel=GROUP4, port=43120)
    b6 = can.Bus(interface='udp_multicast', channel=GROUP6, port=43121)
    msgs = fd_messages()
    want = [msg_key(m) for m in msgs]
    for src, dst, name in ((b4, b6, 'IPv4 -> IPv6'), (b6, b4, 'IPv6 -> IPv4')):
        for m in msgs:
            src.send(m)
        # python-can hears its own packets too: the source's are its own
        mine = [msg_key(m) for m in drain(src, 0.1)]
        got = [msg_key(m) for m in drain(dst)]
        same_frames(got, want, 'python-can %s through QEMU' % name)
        tap(mine == want, '%s: nothing came back to the sending group' % name,
            'the sender heard %d packets, its own %d' % (len(mine),
                                                        len(want)))
    k = len(msgs)
    counters = {(o, p): qmp.counter(o, p) for o in ('u4', 'u6')
                for p in ('rx-frames', 'tx-frames', 'rx-own', 'rx-malformed',
                          'tx-dropped')}
    tap(all(counters[(o, p)] == k for o in ('u4', 'u6')
            for p in ('rx-frames', 'tx-frames', 'rx-own')) and
        all(counters[(o, p)] == 0 for o in ('u4', 'u6')
            for p in ('rx-malformed', 'tx-dropped')),
        'counters: %d frames in and out of each group, each its own %d '
        'packets back and not forwarded' % (k, k), counters)
    b4.shutdown()
    b6.shutdown()
    proc.kill()
    proc.wait()


# ---------------------------------------------------------------------
# malformed

def python_takes(pkt):
    """Whether python-can's receiver builds a can.Message from @pkt, one
    QEMU's bus can carry, and of which kind: 'frame', 'error' or None"""
    if len(pkt) > 4096:
        return None             # python-can reads 4096 bytes at most
    try:
        m = udp_utils.unpack_message(pkt, replace={'timestamp': 0.0},
                                     check=True)
    except Exception:
        return None
    if m.is_fd and m.dlc not in FD_LENGTHS:
        return None             # no DLC codes it: no CAN FD bus carries it
    return 'error' if m.is_error_frame else 'frame'


def malformed_packets():
    good = udp_utils.pack_message(can.Message(arbitration_id=0x123,
                                              data=b'\x11\x22\x33',
                                              is_extended_id=False))
    pkts = [good[:n] for n in range(len(good))]
    rnd = random.Random(13)
    for _ in range(300):
        n = rnd.randrange(1, 80)
        pkts.append(bytes([0x80 | rnd.randrange(16)]) + rnd.randbytes(n))
    # the good packet with one byte changed, at every position
    for i in range(len(good)):
        b = bytearray(good)
        b[i] = rnd.randrange(256)
        pkts.append(bytes(b))
    pack = msgpack.packb
    for d in ({'arbitration_id': 0x800, 'is_extended_id': False},
              {'arbitration_id': 1 << 29},
              {'dlc': 9, 'data': bytes(9)},
              {'dlc': 3, 'data': b'\x01'},
              {'is_fd': True, 'dlc': 65, 'data': bytes(65)},
              {'is_remote_frame': True, 'data': b'\x01'},
              {'bitrate_switch': True},
              {'data': 'not bytes'},
              {'unknown_key': 1},
              [1, 2, 3]):
        pkts.append(pack(d, use_bin_type=True))
    # length fields larger than the packet
    pkts += [b'\x81\xa4data\xc6\xff\xff\xff\xff', b'\x81\xdb\xff\xff\xff\xff',
             b'\xdf\xff\xff\xff\xff', b'\x81\xa4data\xc4\x40\x00']
    # huge packets: beyond what python-can reads, and close to UDP's limit
    pkts += [good + bytes(5000), bytes([0xde]) + rnd.randbytes(65000)]
    return pkts


def test_malformed():
    proc, qmp = start_qemu('udp-malformed', 'can-bus,id=canbus0',
                           'can-host-udp,id=u0,canbus=canbus0,port=43130',
                           'can-host-udp,id=u1,canbus=canbus0,port=43131')
    out = can.Bus(interface='udp_multicast', channel=GROUP4, port=43131)
    pkts = malformed_packets()
    kinds = [python_takes(p) for p in pkts]
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
    for i, p in enumerate(pkts):
        sock.sendto(p, (GROUP4, 43130))
        if i % 32 == 31:
            time.sleep(0.01)    # the socket's buffer holds some hundreds
    sock.sendto(udp_utils.pack_message(can.Message(arbitration_id=0x42,
                                                   data=b'ok')),
                (GROUP4, 43130))
    got = drain(out)
    n_bad = kinds.count(None)
    n_err = kinds.count('error')
    n_ok = kinds.count('frame') + 1
    c = {p: qmp.counter('u0', p) for p in ('rx-malformed', 'rx-frames',
                                            'rx-error-frames', 'rx-dropped')}
    tap(c['rx-malformed'] == n_bad,
        '%d packets, %d that python-can refuses: rx-malformed %d' %
        (len(pkts), n_bad, c['rx-malformed']), c)
    tap(c['rx-frames'] == n_ok and c['rx-error-frames'] == n_err and
        c['rx-dropped'] == 0,
        'the %d packets python-can takes are frames on the bus (%d) or '
        'error frames kept off it (%d)' % (n_ok, n_ok - n_err, n_err), c)
    tap(len(got) == n_ok and frame_text(got[-1]) == '00000042#6F6B',
        'only those reached python-can through the bus, the last one after '
        'all the garbage', ['%d frames, last %s' %
                            (len(got), frame_text(got[-1]) if got else '-')])
    try:
        alive = qmp.cmd('query-status')['status'] == 'running' and \
            proc.poll() is None
    except (RuntimeError, OSError, ValueError) as e:
        alive = False
        print('# query-status: %s' % e)
    tap(alive, 'QEMU still running after the malformed packets')
    out.shutdown()
    proc.kill()
    proc.wait()


# ---------------------------------------------------------------------
# errors

def test_errors():
    cases = [
        ('group=10.0.0.1', "group '10.0.0.1' is not a multicast address"),
        ('group=nonsense', "group 'nonsense' is not an IPv4 or IPv6 address"),
        ('ifname=nosuch0', "no interface 'nosuch0' on the host"),
        ('group=' + GROUP6, 'Linux does not loop IPv6 multicast back on '
         "'lo': name another interface with ifname="),
        ('port=0', 'port must be 1..65535'),
        ('ttl=256', "Parameter 'ttl' expects uint8_t"),
    ]
    for opt, want in cases:
        r = subprocess.run([QEMU, '-M', 'none', '-display', 'none',
                            '-object', 'can-bus,id=canbus0', '-object',
                            'can-host-udp,id=u0,canbus=canbus0,' + opt],
                           capture_output=True, text=True, timeout=30)
        tap(r.returncode != 0 and want in r.stderr,
            '%s refused: %s' % (opt, want), r.stderr.strip())
    r = subprocess.run([QEMU, '-M', 'none', '-display', 'none',
                        '-object', 'can-bus,id=canbus0',
                        '-object', 'can-host-udp,id=u0,canbus=canbus0',
                        '-object', 'can-host-udp,id=u1,canbus=canbus0'],
                       capture_output=True, text=True, timeout=30)
    want = "can-host-udp: 'u0' already joins '%s:%d%%lo' to can-bus " \
        "'canbus0'" % (GROUP4, PORT)
    tap(r.returncode != 0 and want in r.stderr,
        'a second backend on the same group and bus refused',
        r.stderr.strip())


# ---------------------------------------------------------------------
# docs

def docs_python_example():
    """The code-block:: python of can.rst that uses udp_multicast"""
    with open(os.path.join(REPO, 'docs/system/devices/can.rst')) as f:
        text = f.read()
    for block in text.split('.. code-block:: python\n')[1:]:
        lines = []
        for line in block.split('\n')[1:]:
            if line and not line.startswith('  '):
                break
            lines.append(line[2:])
        code = '\n'.join(lines)
        if 'udp_multicast' in code:
            return code
    return None


def test_docs():
    code = docs_python_example()
    if code is None:
        tap(False, 'docs: a Python example with udp_multicast in can.rst')
        return
    proc, qmp = start_qemu('udp-docs', 'can-bus,id=canbus0',
                           'can-host-udp,id=u0,canbus=canbus0')
    r = subprocess.run([sys.executable, '-c', code], capture_output=True,
                       text=True, timeout=60)
    rx = qmp.counter('u0', 'rx-frames')
    tap(r.returncode == 0 and rx == 1,
        "docs: can.rst's Python example runs and its frame reaches the bus",
        'exit %d, rx-frames %d' % (r.returncode, rx), r.stdout, r.stderr)
    proc.kill()
    proc.wait()


def main():
    os.makedirs(LOGS, exist_ok=True)
    return tapcases.run((('errors', test_errors), ('docs', test_docs),
                         ('malformed', test_malformed),
                         ('ipv6-fd', test_ipv6_fd), ('guests', test_guests),
                         ('burst', test_burst)))


if __name__ == '__main__':
    sys.exit(main())
