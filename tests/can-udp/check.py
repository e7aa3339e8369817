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

import json
import os
import random
import socket
import subprocess
import sys
import threading
import time

import can
import can.interfaces.udp_multicast.utils as udp_utils
import msgpack

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, 'tests', 'pylib'))
from tapcases import skip, tap  # noqa: E402
import tapcases  # noqa: E402
LOGS = os.path.join(REPO, 'build', 'test-logs')
QEMU = os.environ.get('QEMU') or os.path.join(REPO, 'build',
                                              'qemu-system-x86_64')
GROUP4 = '239.74.163.2'
GROUP6 = 'ff15:7079:7468:6f6e:6465:6d6f:6d63:6173'
PORT = 43113
IPV6_IF = os.environ.get('CAN_UDP_IPV6_IF', '')
FD_LENGTHS = (0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20, 24, 32, 48, 64)



def frame_text(msg):
    """A can.Message as candump -L and tests/guest/lib.sh write it"""
    if msg.is_extended_id:
        ident = '%08X' % msg.arbitration_id
    else:
        ident = '%03X' % msg.arbitration_id
    if msg.is_remote_frame:
        return ident + '#R'
    return ident + '#' + msg.data.hex().upper()


def text_id(text):
    ident = text.split('#')[0]
    return int(ident, 16), len(ident) == 8


def sender_of(text):
    """Who sent a frame of the guests test: 0, 1, 'py' or 'ctl'"""
    ident, ext = text_id(text)
    if not ext and ident >= 0x7e0:
        return 'ctl'
    if ext:
        return 0 if ident < 0x8000000 else 1 if ident < 0x10000000 else 'py'
    return 0 if ident < 0x400 else 1 if ident < 0x600 else 'py'


def gen_frames(side, n):
    """What tests/guest/lib.sh's gen_frames sends, as the guests do"""
    # busybox's awk, as the guest's: mawk reads no hex constants
    out = subprocess.run(['busybox', 'sh', '-c',
                          '. "$0"; gen_frames %d %d' % (side, n),
                          os.path.join(REPO, 'tests/guest/lib.sh')],
                         check=True, capture_output=True, text=True).stdout
    return out.split()


def python_frames(n):
    """python-can's frames for the guests: standard, extended, remote"""
    msgs = []
    for i in range(n):
        k = i % 6
        if k == 5:
            msgs.append(can.Message(arbitration_id=0x600 + i,
                                    is_extended_id=False,
                                    is_remote_frame=True))
        elif k >= 3:
            msgs.append(can.Message(arbitration_id=0x10000000 + i * 0x1111,
                                    data=bytes((i * 7 + j) & 0xff
                                               for j in range(i * 5 % 9))))
        else:
            msgs.append(can.Message(arbitration_id=0x600 + i,
                                    is_extended_id=False,
                                    data=bytes((i + j * 31) & 0xff
                                               for j in range(i % 9))))
    return msgs


def same_frames(got, want, what):
    if got == want:
        tap(True, '%s: %d frames, exact and in order' % (what, len(want)))
        return
    first = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b),
                 min(len(got), len(want)))
    tap(False, '%s: exact and in order' % what,
        'got %d frames, want %d; first difference at %d: got %s, want %s' %
        (len(got), len(want), first, got[first:first + 1],
         want[first:first + 1]))


class Qmp:
    def __init__(self, path):
        for _ in range(200):
            try:
                self.sock = socket.socket(socket.AF_UNIX)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                time.sleep(0.05)
        else:
            raise RuntimeError('no QMP socket at ' + path)
        self.file = self.sock.makefile('rw')
        json.loads(self.file.readline())
        self.cmd('qmp_capabilities')

    def cmd(self, name, **args):
        self.file.write(json.dumps({'execute': name, 'arguments': args}))
        self.file.write('\n')
        self.file.flush()
        while True:
            r = json.loads(self.file.readline())
            if 'error' in r:
                raise RuntimeError('%s: %s' % (name, r['error']))
            if 'return' in r:
                return r['return']

    def counter(self, obj, prop):
        return self.cmd('qom-get', path='/objects/' + obj, property=prop)


def start_qemu(name, *objects):
    sock = '/tmp/can-udp-%s-%d.qmp' % (name, os.getpid())
    log = open(os.path.join(LOGS, 'can-udp-%s.log' % name), 'w')
    args = [QEMU, '-M', 'none', '-display', 'none', '-nodefaults',
            '-qmp', 'unix:%s,server=on,wait=off' % sock]
    for o in objects:
        args += ['-object', o]
    log.write('# %s\n' % ' '.join(args))
    log.flush()
    proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
    return proc, Qmp(sock)


# ---------------------------------------------------------------------
# guests

def coordinate(bus, n_guest, py_msgs, state):
    """The python-can node: go when both guests listen, send, end"""
    want = {0: n_guest, 1: n_guest}
    got = {0: [], 1: []}
    ready, done = set(), set()
    deadline = time.monotonic() + 600
    sent_go = False
    while time.monotonic() < deadline and not state.get('stop'):
        msg = bus.recv(0.2)
        if msg is not None:
            text = frame_text(msg)
            who = sender_of(text)
            if who in (0, 1):
                got[who].append(text)
            elif who == 'ctl' and not msg.is_extended_id:
                if msg.arbitration_id in (0x7e0, 0x7e1):
                    ready.add(msg.arbitration_id - 0x7e0)
                elif msg.arbitration_id in (0x7e8, 0x7e9):
                    done.add(msg.arbitration_id - 0x7e8)
        if not sent_go and ready == {0, 1}:
            bus.send(can.Message(arbitration_id=0x7ff, is_extended_id=False))
            # paced for a guest under TCG: the SJA1000's FIFO is 64 bytes
            for m in py_msgs:
                time.sleep(0.02)
                bus.send(m)
            sent_go = True
        if done == {0, 1} and all(len(got[s]) >= want[s] for s in got):
            break
    time.sleep(0.5)
    bus.send(can.Message(arbitration_id=0x7fe, is_extended_id=False))
    state['got'] = got
    state['ready'] = ready
    state['done'] = done


def test_guests():
    n_guest, n_py = 60, 60
    py_msgs = python_frames(n_py)
    py_text = [frame_text(m) for m in py_msgs]
    sent = {0: gen_frames(0, n_guest), 1: gen_frames(1, n_guest)}
    subprocess.run([os.path.join(REPO, 'tests/guest/mkimage'), '--quiet'],
                   check=True)
    bus = can.Bus(interface='udp_multicast', channel=GROUP4, port=PORT)
    state = {}
    coord = threading.Thread(target=coordinate,
                             args=(bus, n_guest, py_msgs, state))
    coord.start()
    runs = {}
    for side in (0, 1):
        env = dict(os.environ,
                   QCAN_APPEND='qcan.side=%d qcan.count=%d' % (side, n_guest),
                   QCAN_LOG=os.path.join(LOGS, 'can-udp-guest%d.log' % side),
                   QEMU=QEMU)
        runs[side] = subprocess.Popen(
            [os.path.join(REPO, 'tests/guest/run'), 'udp-node'], env=env,
            stdout=subprocess.PIPE, text=True)
    status = {s: (runs[s].communicate()[0].strip(), runs[s].returncode)
              for s in runs}
    state['stop'] = True
    coord.join()
    bus.shutdown()
    for side in (0, 1):
        tap(status[side][1] == 0, 'guest %d: scenario passed' % side,
            status[side][0])
    got = state.get('got', {0: [], 1: []})
    for side in (0, 1):
        same_frames(got[side], sent[side],
                    'guest %d -> python-can' % side)
    for side in (0, 1):
        peer = 1 - side
        log = os.path.join(LOGS, 'can-udp-guest%d.log' % side)
        rec, stat = [], {}
        with open(log, errors='replace') as f:
            for line in f:
                w = line.split()
                if line.startswith('QCAN-REC f ') and len(w) == 3:
                    rec.append(w[2])
                elif line.startswith('QCAN-REC stat '):
                    stat = dict(x.split('=') for x in w[2:])
        by = {0: [], 1: [], 'py': [], 'ctl': []}
        for text in rec:
            by[sender_of(text)].append(text)
        same_frames(by[peer], sent[peer],
                    'guest %d -> guest %d' % (peer, side))
        same_frames(by['py'], py_text, 'python-can -> guest %d' % side)
        # candump sees the guest's own frames once, by the Linux stack's
        # echo; a copy from the group would be a second
        same_frames(by[side], sent[side],
                    "guest %d's own frames recorded once" % side)
        print('# guest %d: %d frames recorded, rx_packets %s tx_packets %s' %
              (side, len(rec), stat.get('rx'), stat.get('tx')))


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
        'ipv6-fd', 'can-bus,id=canbus0',
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
    proc, qmp = start_qemu('malformed', 'can-bus,id=canbus0',
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
    proc, qmp = start_qemu('docs', 'can-bus,id=canbus0',
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
                         ('ipv6-fd', test_ipv6_fd), ('guests', test_guests)))


if __name__ == '__main__':
    sys.exit(main())
