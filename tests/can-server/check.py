# SPDX-License-Identifier: GPL-2.0-or-later
#
# The test cases of tests/can-server/run (which makes the network namespace
# and starts this with Debian's /usr/bin/python3): qemu-can-server seen by
# python-can's socketcand interface and by raw socketcand sessions.  TAP
# on stdout; the servers' output in build/test-logs/can-server-*.log.
#
#   python-can  two python-can buses on one server bus: frames both ways,
#               exact and in order; a third bus of the server hears none
#   wire        a lone sender gets an ACK error frame; nodes at different
#               bitrates (the bittiming command before open) get protocol
#               error frames and nothing is delivered
#   protocol    echo, mode switches, FD frames, the error answers to
#               malformed elements, each one counted
#   bcm         BCM mode: cyclic sends (add, update, delete) at their
#               interval and never faster, subscriptions, content filters
#               and throttles, their limits and errors, with python-can's
#               socketcand client on the same bus
#   control     control mode's statistics: < stat ... > lines that count
#               the frames the bus carried
#   capture     --capture FILE: tshark reads every frame of both buses,
#               on an interface each, with its sender, and the ACK and
#               bitrate errors as error frames
#   display     --display and --display=canopen print the frames and
#               errors as can-display does, CANopen decoded, senders named
#   fuzz        random, huge and half-closed input: answered, counted,
#               the server still serves
#   slow        a client that never reads is dropped and counted; the
#               others get every frame meanwhile
#   limits      --max-clients, bad options
#   docs        the server command and the Python example of
#               docs/system/devices/can.rst, run as they stand
#   qemu-restart  two QEMU processes with can-host-socketcand on one server
#               bus (python-can reaches each through can-host-udp): frames
#               both ways; the server killed and restarted: both QEMUs keep
#               running, count it and carry frames again
#   qemu-input  a fake server feeding can-host-socketcand malformed and
#               huge input: counted, QEMU alive, a valid frame still taken
#   qemu-errors can-host-socketcand's bad options
#   nodes       the < nodes > extension: a client that asks is told how many
#               other nodes its bus has, again at each change
#   bitrates    the < bitrates > extension: a client that asks is told the
#               other nodes' bitrates, again at each change
#   bitrate     two QEMU processes under qtest, each a Kvaser PCIcan board on
#               can-host-socketcand, their SJA1000s programmed by register
#               writes: at the same bitrate a frame is delivered; at
#               another the sender sees bus errors (BEI, ECC, TXERR) and
#               nothing is received
#   lone-guest  tests/guest/run lone-node with its lone board's bus on a
#               server bus with no other node, through can-host-socketcand:
#               the guest's driver sees ACK errors, ERROR-PASSIVE, TEC 128
#   guests      two QEMU processes, each a Linux guest on can-host-socketcand,
#               with python-can's socketcand client on the same server bus:
#               every frame each sends reaches the other two

import os
import random
import re
import signal
import socket
import subprocess
import sys
import textwrap
import time

import can

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, 'tests', 'pylib'))
from tapcases import tap  # noqa: E402
import tapcases  # noqa: E402
from cannodes import QEMU, start_qemu  # noqa: E402
import cannodes  # noqa: E402
LOGS = os.path.join(REPO, 'build', 'test-logs')
SERVER = os.environ.get('CAN_SERVER') or os.path.join(REPO, 'build',
                                                      'qemu-can-server')
PORT = 29536



class Server:
    def __init__(self, name, *args, argv=None, cwd=REPO):
        self.log_path = os.path.join(LOGS, 'can-server-%s.log' % name)
        self.log = open(self.log_path, 'w+')
        self.args = argv or [SERVER] + list(args)
        self.log.write('# %s\n' % ' '.join(self.args))
        self.log.flush()
        self.proc = subprocess.Popen(self.args, stdout=self.log,
                                     stderr=subprocess.STDOUT, cwd=cwd)
        for _ in range(100):
            try:
                socket.create_connection(('127.0.0.1', PORT)).close()
                break
            except OSError:
                time.sleep(0.05)
        # that probe was a client too: let the server see it go
        time.sleep(0.1)

    def stats(self):
        """The counters the server prints on SIGUSR1, as a dict"""
        self.log.seek(0, os.SEEK_END)
        start = self.log.tell()
        self.proc.send_signal(signal.SIGUSR1)
        out = {}
        for _ in range(50):
            time.sleep(0.05)
            self.log.seek(start)
            text = self.log.read()
            if 'stats: bus=' in text:
                break
        for line in text.splitlines():
            if not line.startswith('stats: '):
                continue
            words = dict(w.split('=', 1) for w in line.split()[1:])
            prefix = 'bus.%s.' % words.pop('bus') if 'bus' in words else ''
            for k, v in words.items():
                out[prefix + k] = int(v)
        return out

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)
        self.log.close()


class Session:
    """A raw socketcand session: what any client sends and reads"""

    def __init__(self, bus=None, raw=True):
        self.sock = socket.create_connection(('127.0.0.1', PORT))
        self.buf = ''
        self.hi = self.element()
        if bus:
            self.open(bus, raw)

    def open(self, bus, raw=True):
        self.send('< open %s >' % bus)
        self.opened = self.element()
        if raw:
            self.send('< rawmode >')
            self.raw = self.element()

    def send(self, text):
        self.sock.sendall(text.encode())

    def element(self, timeout=2.0):
        """The next "< ... >" the server sends, or None"""
        self.sock.settimeout(timeout)
        while '>' not in self.buf:
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                return None
            if not data:
                return None
            self.buf += data.decode()
        end = self.buf.index('>') + 1
        start = self.buf.find('<')
        el, self.buf = self.buf[start:end], self.buf[end:]
        return el

    def elements(self, quiet=0.3):
        out = []
        while True:
            el = self.element(quiet)
            if el is None:
                return out
            out.append(el)

    def close(self):
        self.sock.close()


def words(el):
    return el.strip('<> ').split()


# ---------------------------------------------------------------------

def python_messages():
    """Frames python-can 4.1 can send: it writes identifiers in as few
    digits as they take, and socketcand takes 8 for an extended one"""
    msgs = []
    for i in range(40):
        ext = i % 3 == 2
        msgs.append(can.Message(
            arbitration_id=(0x11234567 + i * 0x10001) if ext else 0x100 + i,
            is_extended_id=ext,
            data=bytes((i * 13 + j) & 0xff for j in range(i % 9))))
    return msgs


def test_python_can():
    srv = Server('python-can', '--bus', 'canbus0', '--bus', 'canbus1')
    a = can.Bus(interface='socketcand', host='127.0.0.1', port=PORT,
                channel='canbus0')
    b = can.Bus(interface='socketcand', host='127.0.0.1', port=PORT,
                channel='canbus0')
    other = Session('canbus1')
    msgs = python_messages()
    for src, dst, name in ((a, b, 'a -> b'), (b, a, 'b -> a')):
        # one at a time: python-can 4.1 loses a character when an element
        # straddles two of its 1024-byte reads, whatever the server
        got = []
        for m in msgs:
            src.send(m)
            r = dst.recv(2)
            if r is not None:
                got.append((r.arbitration_id, bytes(r.data)))
        want = [(m.arbitration_id, bytes(m.data)) for m in msgs]
        tap(got == want, 'python-can %s on canbus0: %d frames, exact and in '
            'order' % (name, len(want)),
            'got %d: %s' % (len(got), got[:3]))
        tap(a.recv(0.3) is None and b.recv(0.1) is None,
            'python-can %s: the sender does not hear its own frames' % name)
    tap(other.elements() == [], 'a client of canbus1 hears nothing of '
        "canbus0's traffic")
    st = srv.stats()
    tap(st.get('bus.canbus0.frames') == 2 * len(msgs) and
        st.get('bus.canbus0.ack-errors') == 0,
        'canbus0 counts %d frames, no ACK error' % (2 * len(msgs)), st)
    a.shutdown()
    b.shutdown()
    other.close()
    srv.stop()


def test_wire():
    srv = Server('wire', '--bus', 'canbus0', '--bus',
                 'canbus1,bitrate=500000')
    lone = Session('canbus0')
    lone.send('< send 123 2 11 22 >')
    el = lone.element()
    tap(el is not None and words(el)[:2] == ['error', '020'],
        'a lone sender gets an ACK error frame (CAN_ERR_ACK, < error 020 '
        '... >)', el)
    # two nodes at 250 kbit/s and 500 kbit/s on a 500 kbit/s bus
    slow = Session()
    slow.send('< canbus1 B 250000 875 250 2 3 2 1 16 >')
    tap(slow.element() == '< ok >', 'the bittiming command before open is '
        'taken')
    slow.open('canbus1')
    fast = Session('canbus1')
    fast.send('< send 321 1 AA >')
    got_fast, got_slow = fast.elements(), slow.elements()
    tap([words(e)[:2] for e in got_fast] == [['error', '008']] and
        [words(e)[:2] for e in got_slow] == [['error', '008']],
        'bitrate mismatch: the frame is not delivered, both sides get a '
        'protocol error frame (CAN_ERR_PROT, < error 008 ... >)',
        got_fast, got_slow)
    slow.send('< send 321 1 AA >')
    tap([words(e)[:2] for e in fast.elements()] == [['error', '008']],
        'the same the other way')
    same = Session('canbus1')
    fast.send('< send 7FF 0 >')
    got = same.elements()
    tap([words(e)[:2] for e in got] == [['error', '008']],
        'a third node at the bus bitrate sees the error flag, not the frame, '
        'while the slow node is on the bus', got)
    slow.close()
    time.sleep(0.2)
    fast.send('< send 7FF 0 >')
    el = same.element()
    tap(el is not None and words(el)[:2] == ['frame', '7FF'],
        'once it has gone, frames are delivered', el)
    st = srv.stats()
    tap(st.get('bus.canbus0.ack-errors') == 1 and
        st.get('bus.canbus1.bitrate-errors') == 3 and
        st.get('bus.canbus1.frames') == 1,
        'counted: 1 ACK error on canbus0, 3 frames lost to the mismatch on '
        'canbus1, 1 delivered', st)
    for s in (lone, fast, same):
        s.close()
    srv.stop()


def test_protocol():
    srv = Server('protocol', '--bus', 'canbus0')
    a = Session()
    tap(a.hi == '< hi >', 'a client is greeted with < hi >')
    a.send('< echo >')
    tap(a.element() == '< echo >', 'echo before open')
    a.open('canbus0')
    tap(a.opened == '< ok >' and a.raw == '< ok >', 'open and rawmode: ok')
    b = Session('canbus0')
    b.send('< fdsend 1ABCDEF0 01 12 00 01 02 03 04 05 06 07 08 09 0A 0B >')
    el = a.element()
    w = words(el) if el else []
    tap(w[:3] == ['fdframe', '1ABCDEF0', '01'] and
        w[4:] == ['000102030405060708090A0B'],
        'fdsend arrives as an fdframe, BRS kept', el)
    b.send('< sendrtr 123 4 >')
    el = a.element()
    tap(el is not None and words(el)[:2] == ['rtr', '123'] and
        words(el)[3] == '4', 'sendrtr arrives as < rtr 123 SEC.USEC 4 >', el)
    b.send('< send 12345678 1 5 >')
    el = a.element()
    tap(el is not None and words(el)[1] == '12345678' and
        words(el)[3] == '05', 'an 8-digit identifier is an extended one',
        el)
    a.send('< bcmmode >')
    b.send('< send 123 0 >')
    tap(a.element() == '< ok >' and a.element(0.3) is None,
        'a client in BCM mode without subscriptions receives no frames')
    bad = [
        ('< send 800 0 >', 'identifier out of range'),
        ('< send 20000000 0 >', 'identifier out of range'),
        ('< send 12G 0 >', 'bad identifier'),
        ('< send 123 9 >', 'bad length'),
        ('< send 123 2 11 >', 'the data does not match the length'),
        ('< send 123 1 11 22 >', 'the data does not match the length'),
        ('< send 123 1 1FF >', 'bad data byte'),
        ('< send 123 1 ZZ >', 'bad data byte'),
        ('< fdsend 123 00 10 >', 'bad CAN FD length'),
        ('< sendrtr 123 1 00 >', 'a remote frame carries no data'),
        ('< send >', 'send needs an identifier and a length'),
        ('< frobnicate >', 'unknown command'),
        ('<  >', 'empty element'),
        ('garbage', 'text outside an element'),
        ('< muxfilter 0 0 123 2 FF 00 00 00 00 00 00 00 33 FF FF FF FF FF '
         'FF FF >', 'not supported by qemu-can-server'),
    ]
    for text, why in bad:
        a.send(text)
        el = a.element()
        tap(el == '< error %s >' % why, '%r answered < error %s >' %
            (text, why), el)
    st = srv.stats()
    tap(st.get('malformed') == len(bad) - 1 and st.get('unsupported') == 1,
        'counted: %d malformed, 1 unsupported' % (len(bad) - 1), st)
    c = Session()
    c.send('< open nosuchbus >')
    tap(c.element() == '< error no such bus >' and c.element() is None,
        'open of an unknown bus: an error, and the connection ends')
    for s in (a, b, c):
        s.close()
    srv.stop()


def frames_of(els, ident):
    """The data of the < frame ident ... > elements in @els, as bytes"""
    return [bytes.fromhex(''.join(words(e)[3:])) for e in els
            if words(e)[:2] == ['frame', ident]]


def test_bcm():
    srv = Server('bcm', '--bus', 'canbus0', '--bus', 'canbus1')
    bcm = Session('canbus0', raw=False)
    peer = Session('canbus0')
    tap(bcm.opened == '< ok >', 'open leaves a client in BCM mode')

    bcm.send('< add 0 20000 123 2 AA BB >')
    got = []
    while len(got) < 12:
        el = peer.element(2)
        if el is None:
            break
        got.append(el)
    stamps = [float(words(e)[2]) for e in got]
    mean = (stamps[-1] - stamps[0]) / (len(stamps) - 1) if got else 0
    tap(len(got) >= 12 and frames_of(got, '123') == [b'\xaa\xbb'] * len(got),
        '< add 0 20000 123 2 AA BB >: the frame comes again and again',
        got[:3])
    tap(mean >= 0.018, 'and never faster than every 20 ms (mean gap %.1f '
        'ms over %d frames)' % (mean * 1000, len(got)))
    bcm.send('< update 123 1 CC >')
    got = frames_of([peer.element(1) for _ in range(10)], '123')
    tap(len(got) == 10 and got[-5:] == [b'\xcc'] * 5 and
        set(got) <= {b'\xaa\xbb', b'\xcc'},
        '< update 123 1 CC >: the job goes on with the new content', got)
    bcm.send('< delete 123 >')
    peer.elements(0.1)
    tap(peer.elements(0.3) == [], '< delete 123 >: the job ends')

    bad = [
        ('< add 0 10 123 0 >', 'interval below 1000 us'),
        ('< add 0 1000000 123 0 >', 'bad interval'),
        ('< add 0 20000 123 2 11 >', 'the data does not match the length'),
        ('< add 1 0 >', 'add needs an interval, an identifier and a length'),
        ('< update 124 0 >', 'no such send job'),
        ('< delete 124 >', 'no such send job'),
        ('< delete >', 'an identifier is needed'),
        ('< subscribe 0 0 >', 'subscribe needs an interval and an '
         'identifier'),
        ('< subscribe 0 0 800 >', 'identifier out of range'),
        ('< filter 0 0 123 9 >', 'bad length'),
        ('< unsubscribe 124 >', 'no such subscription'),
    ]
    for text, why in bad:
        bcm.send(text)
        el = bcm.element()
        tap(el == '< error %s >' % why, '%r answered < error %s >' %
            (text, why), el)
    for i in range(16):
        bcm.send('< add 100 0 %03X 0 >' % (0x200 + i))
    bcm.send('< add 100 0 210 0 >')
    el = bcm.element()
    tap(el == '< error too many send jobs >', '16 send jobs a client: a '
        '17th is refused', el)
    for i in range(16):
        bcm.send('< delete %03X >' % (0x200 + i))
    for i in range(33):
        bcm.send('< subscribe 0 0 %03X >' % (0x600 + i))
    el = bcm.element()
    tap(el == '< error too many subscriptions >', '32 subscriptions a '
        'client: a 33rd is refused', el)
    for i in range(32):
        bcm.send('< unsubscribe %03X >' % (0x600 + i))
    tap(bcm.elements(0.2) == [], 'and they are deleted without a word')

    bcm.send('< subscribe 0 0 321 >< subscribe 0 0 00000322 >'
             '< subscribe 0 0 1ABCDEF0 >')
    time.sleep(0.1)
    for text in ('< send 321 2 01 02 >', '< send 322 1 03 >',
                 '< send 00000321 1 04 >', '< sendrtr 321 0 >',
                 '< fdsend 321 00 12 ' + '00 ' * 12 + '>',
                 '< send 00000322 1 05 >', '< send 321 0 >'):
        peer.send(text)
    got = bcm.elements()
    w = [words(e) for e in got]
    tap([(x[0], x[1], x[3:]) for x in w] ==
        [('frame', '321', ['01', '02']), ('frame', '00000322', ['05']),
         ('frame', '321', [])],
        'subscribe: only the frames of 321 and the extended 00000322, in '
        'order, the data bytes apart as socketcand writes them; not 322, '
        'nor the remote or the FD frame of 321', got)

    bcm.send('< filter 0 0 456 1 FF >')
    time.sleep(0.1)
    for data in ('01 00', '01 05', '02 05', '02 06', '01 06'):
        peer.send('< send 456 2 %s >' % data)
    got = bcm.elements()
    tap(frames_of(got, '456') == [b'\x01\x00', b'\x02\x05', b'\x01\x06'],
        '< filter 0 0 456 1 FF >: the first frame, then only those whose '
        'first byte changed', got)

    bcm.send('< subscribe 0 300000 789 >')
    time.sleep(0.1)
    t0 = time.monotonic()
    for i in range(10):
        peer.send('< send 789 1 %02X >' % i)
    sent_in = time.monotonic() - t0
    got = bcm.elements(0.8)
    tap(frames_of(got, '789') == [b'\x00', b'\x09'] and sent_in < 0.3,
        '< subscribe 0 300000 789 >: 10 frames at once give the first, '
        'then the newest when the 300 ms are up', got)
    bcm.send('< unsubscribe 321 >')
    time.sleep(0.1)
    peer.send('< send 321 1 01 >')
    tap(bcm.elements() == [], '< unsubscribe 321 >: no more 321 frames')

    py = can.Bus(interface='socketcand', host='127.0.0.1', port=PORT,
                 channel='canbus0')
    time.sleep(0.1)
    py.send(can.Message(arbitration_id=0x1abcdef0, is_extended_id=True,
                        data=b'\x42'))
    bcm.send('< add 0 50000 123 2 11 22 >')
    m = py.recv(2)
    got = frames_of(bcm.elements(), '1ABCDEF0')
    tap(got == [b'\x42'] and m is not None and m.arbitration_id == 0x123 and
        bytes(m.data) == b'\x11\x22',
        "python-can's socketcand client: its frame reaches a subscription, "
        "a cyclic send reaches it", got, m)
    py.shutdown()
    bcm.send('< rawmode >')
    tap(bcm.element() == '< ok >', 'rawmode: ok')
    peer.elements(0.2)
    tap(peer.elements(0.3) == [], 'leaving BCM mode ends its send jobs')
    bcm.send('< add 0 50000 123 0 >')
    tap(bcm.element() == '< error not in BCM mode >', 'add in raw mode: '
        '< error not in BCM mode >')

    lone = Session('canbus1', raw=False)
    lone.send('< add 0 50000 55 0 >')
    el = lone.element()
    lone.send('< delete 55 >')
    tap(el is not None and words(el)[:2] == ['error', '020'],
        'a cyclic send alone on its bus gets ACK error frames', el)
    st = srv.stats()
    tap(st.get('bcm-errors') == 6 and st.get('malformed') == 8,
        'counted: 6 BCM commands refused, 8 malformed', st)
    for x in (bcm, peer, lone):
        x.close()
    srv.stop()


def test_control():
    srv = Server('control', '--bus', 'canbus0')
    ctl = Session()
    ctl.send('< open canbus0 >< controlmode >< statistics 200 >')
    tap(ctl.elements(0.1) == ['< ok >', '< ok >'],
        '< open canbus0 >< controlmode >< statistics 200 >: ok, ok, and '
        'statistics quietly on')
    a, b, c = Session('canbus0'), Session('canbus0'), Session('canbus0')
    for i in range(3):
        a.send('< send 1%02X 2 11 22 >' % i)
    b.send('< send 7FF 8 ' + '00 ' * 8 + '>')
    stats = []
    for _ in range(6):
        el = ctl.element(2)
        if el is None:
            break
        stats.append(words(el))
    want = ['stat', '14', '4', '28', '8']
    tap(len(stats) == 6 and all(w[0] == 'stat' for w in stats) and
        stats[-1] == want,
        'every 200 ms a < stat rbytes rpackets tbytes tpackets >: 4 frames '
        'of 14 bytes on the bus, to 2 raw clients each (the control client '
        'gets none)', stats[-2:])
    ctl.send('< statistics 50 >')
    tap(ctl.element() == '< error statistics needs 0 or 100 to 3600000 ms >',
        'an interval under 100 ms is refused')
    ctl.send('< statistics 0 >')
    time.sleep(0.3)
    ctl.elements(0.05)
    tap(ctl.elements(0.5) == [], '< statistics 0 >: no more')
    ctl.send('< send 123 0 >< subscribe 0 0 123 >')
    tap(ctl.elements() == ['< error unknown command >',
                           '< error not in BCM mode >'],
        'control mode sends no frames and takes no BCM commands')
    for x in (ctl, a, b, c):
        x.close()
    srv.stop()


def test_capture():
    path = os.path.join(LOGS, 'can-server-capture.pcapng')
    srv = Server('capture', '--bus', 'canbus0', '--bus',
                 'canbus1,bitrate=500000', '--capture', path)
    a, b = Session('canbus0'), Session('canbus0')
    a.send('< send 123 2 11 22 >< send 1ABCDEF0 1 33 >< sendrtr 456 2 >')
    b.send('< send 7FF 0 >')
    lone = Session('canbus1')
    lone.send('< send 100 1 AA >')
    slow = Session()
    slow.send('< canbus1 B 250000 875 250 2 3 2 1 16 >')
    slow.element()
    slow.open('canbus1')
    slow.send('< send 200 0 >')
    time.sleep(0.3)
    srv.stop()
    r = subprocess.run(
        ['tshark', '-r', path, '--disable-protocol', 'autosar-nm',
         '--disable-protocol', 'ipdum', '--disable-protocol', 'signal_pdu',
         '-T', 'fields', '-E', 'separator=|', '-e', 'frame.interface_name',
         '-e', 'can.id', '-e', 'can.flags.xtd', '-e', 'can.flags.rtr',
         '-e', 'can.flags.err', '-e', 'can.len', '-e', 'data.data',
         '-e', 'frame.comment'],
        capture_output=True, text=True, timeout=60)
    rows = [line.split('|') for line in r.stdout.splitlines()]
    # (a remote frame's record has zeros where data would be)
    frames = [(x[0], int(x[1]), x[2], x[3], x[5],
               '' if x[3] == '1' else x[6]) for x in rows if x[4] != '1']
    tap(r.returncode == 0 and frames == [
        ('canbus0', 0x123, '0', '0', '2', '1122'),
        ('canbus0', 0x1abcdef0, '1', '0', '1', '33'),
        ('canbus0', 0x456, '0', '1', '2', ''),
        ('canbus0', 0x7ff, '0', '0', '0', '')],
        'tshark reads the capture: the 4 frames of canbus0, exact, in '
        'order, on interface canbus0', r.stderr, rows)
    errs = [(x[0], x[7].startswith('sender: client 127.0.0.1:')) for x in rows
            if x[4] == '1']
    tap(errs == [('canbus1', True), ('canbus1', True)],
        "and on canbus1 the lone sender's ACK error and the bitrate "
        'mismatch, as error frames with their senders', rows)
    tap(all(x[7].startswith('sender: client 127.0.0.1:') for x in rows),
        'every record names its sender')
    for x in (a, b, lone, slow):
        x.close()
    r = subprocess.run([SERVER, '--bus', 'canbus0', '--capture',
                        '/nonexistent/x.pcapng'], capture_output=True,
                       text=True, timeout=10)
    tap(r.returncode != 0 and '--capture /nonexistent/x.pcapng' in r.stderr,
        'a capture file that cannot be written is refused', r.stderr)

    # can.rst's two commands, as they stand, in build/test-logs
    with open(os.path.join(REPO, 'docs/system/devices/can.rst')) as f:
        lines = [line.strip() for line in f]
    cmd = next(x for x in lines if x.startswith('build/qemu-can-server') and
               '--capture' in x).split()
    show = next(x for x in lines if x.startswith('tshark -r canbus0')).split()
    srv = Server('capture-docs', argv=[SERVER] + cmd[1:], cwd=LOGS)
    a, b = Session('canbus0'), Session('canbus0')
    a.send('< send 321 1 01 >')
    time.sleep(0.3)
    srv.stop()
    r = subprocess.run(show, capture_output=True, text=True, timeout=60,
                       cwd=LOGS)
    tap(r.returncode == 0 and
        r.stdout.startswith('canbus0\t801\tsender: client 127.0.0.1:'),
        "docs: can.rst's --capture command and its tshark line",
        r.stdout, r.stderr)
    a.close()
    b.close()


def display_lines(srv):
    with open(srv.log_path) as f:
        return [line.rstrip('\n') for line in f if line.startswith('(')]


def test_display():
    for opt in ('--display=canopen', '--display'):
        srv = Server('display', '--bus', 'canbus0', '--bus', 'canbus1', opt)
        a, b = Session('canbus0'), Session('canbus0')
        a.send('< send 000 2 01 05 >< send 1ABCDEF0 1 33 >')
        b.send('< sendrtr 705 1 >')
        lone = Session('canbus1')
        lone.send('< send 100 0 >')
        time.sleep(0.3)
        srv.stop()
        lines = display_lines(srv)
        shown = [re.sub(r'^\(\d+\.\d{6}\)|  <client 127\.0\.0\.1:\d+>$',
                        '', x) for x in lines]
        want = ['  canbus0  000   [2]  01 05',
                '  canbus0  1ABCDEF0   [1]  33',
                '  canbus0  705   [1]  remote request',
                # CAN_ERR_ACK, as can_error_frame.c writes it for QEMU's
                '  canbus1  200000A8   [8]  00 00 80 19 00 00 00 00']
        if opt == '--display=canopen':
            want[0] += '  NMT start node 5'
            want[2] += '  node guarding request node 5'
        tap(shown == want and all(re.search('<client 127.0.0.1:', x)
                                  for x in lines),
            '%s: every frame of both buses and the ACK error, with its '
            'sender%s' % (opt, ', CANopen decoded' if 'canopen' in opt
                          else ''), lines)
        for x in (a, b, lone):
            x.close()
    # can.rst's command and the line it shows
    with open(os.path.join(REPO, 'docs/system/devices/can.rst')) as f:
        lines = [line.strip() for line in f]
    cmd = next(x for x in lines if x.startswith('build/qemu-can-server') and
               '--display' in x).split()
    doc = next(x for x in lines if x.startswith('(') and
               x.endswith('>') and '<client 127.0.0.1:' in x)
    srv = Server('display-docs', argv=[SERVER] + cmd[1:])
    a, b = Session('canbus0'), Session('canbus0')
    a.send('< send 000 2 01 05 >')
    time.sleep(0.3)
    srv.stop()
    norm = [re.sub(r'^\(\d+\.\d{6}\)|:\d+>$', '', x)
            for x in display_lines(srv) + [doc]]
    tap(len(norm) == 2 and norm[0] == norm[1],
        "docs: can.rst's --display=canopen command prints the line it shows "
        '(but the time and port)', norm)
    a.close()
    b.close()
    r = subprocess.run([SERVER, '--bus', 'canbus0', '--display=x'],
                       capture_output=True, text=True, timeout=10)
    tap(r.returncode != 0 and 'only --display or --display=canopen' in
        r.stderr, '--display=x refused', r.stderr)


def test_fuzz():
    srv = Server('fuzz', '--bus', 'canbus0')
    rnd = random.Random(7)
    listener = Session('canbus0')
    answers = 0
    for i in range(40):
        s = Session('canbus0')
        kind = i % 4
        if kind == 0:
            data = rnd.randbytes(rnd.randrange(1, 3000))
        elif kind == 1:
            data = ('< send %X %d %s >' % (
                rnd.randrange(0x4000000), rnd.randrange(-1, 12),
                ' '.join('%X' % rnd.randrange(512)
                         for _ in range(rnd.randrange(10))))).encode()
        elif kind == 2:
            # far beyond the element limit, with and without its end
            data = b'< send ' + b'1' * rnd.randrange(600, 200000) + \
                (b' >' if i % 8 == 2 else b'')
        else:
            data = b'< send 123 2 11 22 >< echo'
        s.sock.sendall(data)
        if i % 3 == 0:
            s.sock.shutdown(socket.SHUT_WR)     # half-closed
        answers += len(s.elements(0.1))
        s.close()
    # BCM and control commands with random words where numbers belong
    vocab = ['0', '1', '999999', '1000000', '4294967296', '-1', '123',
             '1FFFFFFF', '20000000', '8', '9', 'FF', 'ZZ', '', '00000800']
    for i in range(30):
        s = Session('canbus0', raw=False)
        if i % 5 == 4:
            s.send('< controlmode >')
        for _ in range(20):
            cmd = rnd.choice(['add', 'update', 'delete', 'subscribe',
                              'filter', 'unsubscribe', 'muxfilter',
                              'statistics', 'send'])
            s.send('< %s %s >' % (cmd, ' '.join(
                rnd.choice(vocab) for _ in range(rnd.randrange(12)))))
        answers += len(s.elements(0.05))
        s.close()
    tap(srv.alive(), 'the server survives random, huge and half-closed '
        'input, random BCM and control commands (%d answers)' % answers)
    probe = Session('canbus0')
    probe.send('< send 42 1 99 >')
    got = [e for e in listener.elements() if words(e)[:2] == ['frame', '042']]
    tap(probe.hi == '< hi >' and probe.raw == '< ok >' and len(got) == 1,
        'and still serves: a new client is greeted and its frame delivered')
    st = srv.stats()
    tap(st.get('malformed', 0) > 0, 'malformed input counted', st)
    listener.close()
    probe.close()
    srv.stop()


def test_slow():
    srv = Server('slow', '--bus', 'canbus0')
    stuck = Session('canbus0')
    stuck.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    fast = Session('canbus0')
    sender = Session('canbus0')
    n = 20000
    got = 0
    t0 = time.monotonic()
    for k in range(0, n, 500):
        sender.send(''.join('< send %03X 2 %02X %02X >' %
                            (i % 0x800, i >> 8 & 0xff, i & 0xff)
                            for i in range(k, k + 500)))
        while got < k + 500:
            el = fast.element(5)
            if el is None:
                break
            w = words(el)
            if w[0] == 'frame' and w[3] == '%04X' % (got & 0xffff):
                got += 1
            else:
                break
    secs = time.monotonic() - t0
    tap(got == n, 'a fast client got all %d frames in order (%.1f s) while '
        'another does not read' % (n, secs), 'got %d' % got)
    st = srv.stats()
    tap(st.get('slow-dropped') == 1, 'the client that does not read is '
        'dropped and counted', st)
    with open(srv.log_path) as f:
        log = f.read()
    tap('does not read: dropped' in log, 'and logged', log[-300:])
    for s in (stuck, fast, sender):
        s.close()
    srv.stop()


def test_limits():
    srv = Server('limits', '--bus', 'canbus0', '--max-clients', '2')
    a, b = Session(), Session()
    c = Session()
    tap(a.hi == '< hi >' and b.hi == '< hi >' and
        c.hi == '< error too many clients >' and c.element() is None,
        '--max-clients 2: a third client is told so and closed')
    st = srv.stats()
    tap(st.get('refused') == 1, 'and counted', st)
    for s in (a, b, c):
        s.close()
    srv.stop()
    for args, want in ((['--bus', 'canbus0,bitrate=fast'],
                        "'bitrate=fast' is not bitrate=N"),
                       ([], 'no bus: give --bus NAME'),
                       (['--bus', 'x' * 17], 'bus name'),
                       (['--bus', 'canbus0', '--bus', 'canbus0'],
                        "bus 'canbus0' given twice"),
                       (['--bus', 'canbus0', '--listen', 'nonsense'],
                        '--listen nonsense')):
        r = subprocess.run([SERVER] + args, capture_output=True, text=True,
                           timeout=10)
        tap(r.returncode != 0 and want in r.stderr,
            '%s refused: %s' % (' '.join(args) or 'no option', want),
            r.stderr.strip())


def python_blocks(text):
    """The code of each ".. code-block:: python" in @text, dedented"""
    out = []
    for block in text.split('.. code-block:: python\n')[1:]:
        lines = block.split('\n')[1:]
        indent = len(lines[0]) - len(lines[0].lstrip())
        code = []
        for line in lines:
            if line.strip() and len(line) - len(line.lstrip()) < indent:
                break
            code.append(line)
        out.append(textwrap.dedent('\n'.join(code)))
    return out


def test_docs():
    with open(os.path.join(REPO, 'docs/system/devices/can.rst')) as f:
        text = f.read()
    section = text[text.index('A bus server (socketcand)'):
                   text.index('QEMU on a server bus')]
    cmd = next(line.split() for line in section.splitlines()
               if line.strip().startswith('build/qemu-can-server'))
    codes = python_blocks(section)
    srv = Server('docs', argv=cmd)
    r = subprocess.run([sys.executable, '-c', codes[0]],
                       capture_output=True, text=True, timeout=60)
    tap(srv.alive() and r.returncode == 0 and '00000123' in r.stdout and
        '11 22' in r.stdout,
        "docs: can.rst's server command and Python example run, the frame "
        'arrives', ' '.join(cmd), r.stdout, r.stderr)
    r = subprocess.run([sys.executable, '-c', codes[1]],
                       capture_output=True, text=True, timeout=60)
    out = r.stdout.splitlines()
    tap(r.returncode == 0 and len(out) == 2 and '00000123' in out[0] and
        '11 22' in out[0] and
        out[1].startswith('< hi >< ok >< frame 321 ') and
        out[1].endswith(' 42 >'),
        "docs: can.rst's BCM example: python-can gets the cyclic frame, "
        'the subscription its frame', r.stdout, r.stderr)
    # "< open canbus0 >< controlmode >< statistics 1000 >", joined
    flat = ' '.join(section.split())
    start = flat.index('``< open canbus0 >< controlmode >')
    line = flat[start + 2:flat.index('``', start + 2)]
    ctl = Session()
    ctl.send(line)
    got = [ctl.element(3) for _ in range(3)]
    tap(got[:2] == ['< ok >', '< ok >'] and len(got) == 3 and
        words(got[2])[0] == 'stat' and len(words(got[2])) == 5,
        "docs: can.rst's control mode line gives < stat ... > a second",
        line, got)
    ctl.close()
    srv.stop()


# ---------------------------------------------------------------------
# QEMU's can-host-socketcand

def socketcand_object(bus='canbus0', port=PORT):
    return ('can-host-socketcand,id=n0,canbus=canbus0,'
            'server=127.0.0.1:%d,bus=%s' % (port, bus))


def wait_connected(qmp, want=True, secs=10):
    for _ in range(int(secs * 10)):
        if qmp.counter('n0', 'connected') == want:
            return True
        time.sleep(0.1)
    return False


def udp_bus(port):
    return can.Bus(interface='udp_multicast', channel='239.74.163.2',
                   port=port)


def from_others(bus, mine, quiet=0.5):
    """What @bus hears but its own @mine packets, as (id, data)"""
    out = []
    while True:
        m = bus.recv(quiet)
        if m is None:
            return [x for x in out if x not in mine]
        out.append((m.arbitration_id, bytes(m.data)))


def exchange(qa, qb, ua, ub, base, n=20):
    """@n frames from QEMU A's side to B's and back: both exact"""
    ok = True
    for src, dst in ((ua, ub), (ub, ua)):
        sent = [(base + i, bytes([i, base & 0xff])) for i in range(n)]
        for ident, data in sent:
            src.send(can.Message(arbitration_id=ident, data=data,
                                 is_extended_id=False))
            time.sleep(0.005)
        from_others(src, sent, 0.1)
        got = from_others(dst, [])
        ok = ok and got == sent
        base += 0x40
    return ok


def test_qemu_restart():
    srv = Server('qemu-restart', '--bus', 'canbus0')
    qa, ma = start_qemu('server-qemu-a', 'can-bus,id=canbus0',
                        socketcand_object(),
                        'can-host-udp,id=u0,canbus=canbus0,port=43160')
    qb, mb = start_qemu('server-qemu-b', 'can-bus,id=canbus0',
                        socketcand_object(),
                        'can-host-udp,id=u0,canbus=canbus0,port=43161')
    ua, ub = udp_bus(43160), udp_bus(43161)
    tap(wait_connected(ma) and wait_connected(mb),
        'both QEMUs connect to the server bus')
    tap(exchange(qa, qb, ua, ub, 0x100),
        'QEMU A -> server -> QEMU B and back: 20 frames each way, exact and '
        'in order')
    srv.stop()
    tap(wait_connected(ma, False) and wait_connected(mb, False) and
        qa.poll() is None and qb.poll() is None,
        'server killed: both QEMUs notice and keep running')
    ua.send(can.Message(arbitration_id=0x55, data=b'x', is_extended_id=False))
    time.sleep(0.3)
    dropped = ma.counter('n0', 'tx-dropped')
    tap(dropped == 1, 'a frame while the server is away is dropped and '
        'counted (tx-dropped %d)' % dropped)
    srv = Server('qemu-restart-2', '--bus', 'canbus0')
    tap(wait_connected(ma) and wait_connected(mb),
        'server restarted: both QEMUs connect again')
    tap(exchange(qa, qb, ua, ub, 0x300),
        'and carry frames again, both ways, exact and in order')
    c = {(q, p): m.counter('n0', p) for q, m in (('a', ma), ('b', mb))
         for p in ('connects', 'disconnects', 'rx-malformed')}
    tap(all(c[(q, 'connects')] == 2 and c[(q, 'disconnects')] == 1 and
            c[(q, 'rx-malformed')] == 0 for q in 'ab'),
        'counted: 2 connects, 1 disconnect each', c)
    for q in (qa, qb):
        q.kill()
        q.wait()
    ua.shutdown()
    ub.shutdown()
    srv.stop()


def fake_server(name, udp_port):
    """A QEMU whose can-host-socketcand connects to a server played here,
    which greets it and takes its bus and raw mode; a can-host-udp on
    @udp_port puts frames on its bus.  Returns the listening socket, the
    connection, QEMU, its QMP, python-can on the group, and what QEMU
    asked for (open, rawmode)"""
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(('127.0.0.1', PORT + 1))
    ls.listen(1)
    q, m = start_qemu(name, 'can-bus,id=canbus0',
                      socketcand_object(port=PORT + 1),
                      'can-host-udp,id=u0,canbus=canbus0,port=%d' % udp_port)
    u = udp_bus(udp_port)
    ls.settimeout(10)
    conn, _ = ls.accept()
    conn.settimeout(5)
    conn.sendall(b'< hi >')
    hello = conn.recv(100)
    conn.sendall(b'< ok >')
    raw = conn.recv(100)
    conn.sendall(b'< ok >')
    return ls, conn, q, m, u, (hello, raw)


def test_qemu_input():
    """A server that speaks garbage after the handshake"""
    ls, conn, q, m, u, (hello, raw) = fake_server('server-qemu-input', 43162)
    bad = [b'< frame >', b'< frame 123 >', b'< frame 800 1.0 11 >',
           b'< frame 123 1.0 1122334455667788AA >', b'< frame 123 1.0 1 >',
           b'< frame 123 1.0 ZZ >', b'< fdframe 123 01 1.0 ' +
           b'00' * 10 + b' >', b'< rtr 123 1.0 9 >', b'< nonsense >',
           b'garbage', b'< ' + b'7' * 100000 + b' >', b'<<>',
           random.Random(3).randbytes(3000) + b' >']
    for b in bad:
        conn.sendall(b)
    conn.sendall(b'< error 020 1.000000 >< frame 123 1.000000 C0FFEE >')
    m0 = from_others(u, [], 1.0)
    mal = m.counter('n0', 'rx-malformed')
    tap(q.poll() is None and m0 == [(0x123, b'\xc0\xff\xee')],
        'after malformed and huge input from a server, QEMU is up and '
        'takes the next valid frame', m0)
    tap(hello == b'< open canbus0 >' and raw == b'< rawmode >',
        'QEMU opens the bus and asks for raw mode', hello, raw)
    errs = m.counter('n0', 'rx-error-frames')
    tap(mal >= len(bad) - 1 and errs == 1,
        'the malformed elements are counted (%d), the error frame too' % mal,
        'rx-error-frames %d, tx-refused %d' %
        (errs, m.counter('n0', 'tx-refused')))
    conn.close()
    ls.close()
    q.kill()
    q.wait()
    u.shutdown()


def test_qemu_queue_limit():
    """A server that stops reading: the backend's queue for it is bounded
    and what does not fit is counted"""
    ls, conn, q, m, u, _ = fake_server('server-qemu-queue', 43163)
    # "< nodes >< bitrates >": not known here; then it reads no more
    time.sleep(0.3)
    conn.recv(100)
    conn.sendall(b'< error unknown >< error unknown >')
    n = 10000
    for i in range(n):
        u.send(can.Message(arbitration_id=0x100 + i % 0x600,
                           is_extended_id=False, data=i.to_bytes(2, 'big')))
    time.sleep(1.0)
    sent, dropped = m.counter('n0', 'tx-frames'), m.counter('n0',
                                                             'tx-dropped')
    rx = m.counter('u0', 'rx-frames')
    tap(q.poll() is None and dropped > 0 and
        rx - 256 <= sent + dropped <= rx,
        'a server that stops reading: QEMU stays up, at most 256 frames '
        'wait for it, the rest is counted in tx-dropped (%d of %d)' %
        (dropped, rx),
        'udp rx-frames %d, tx-frames %d, tx-dropped %d' % (rx, sent, dropped))
    conn.close()
    ls.close()
    q.kill()
    q.wait()
    u.shutdown()


def test_qemu_errors():
    for opt, want in (
            ('', "Parameter 'server' is missing"),
            (',server=127.0.0.1:1', "Parameter 'bus' is missing"),
            (',server=nonsense,bus=canbus0', 'nonsense'),
            (',server=127.0.0.1:1,bus=' + 'x' * 17, 'bus '),
            (',server=unix:/tmp/sock,bus=canbus0', "is not HOST:PORT")):
        r = subprocess.run([QEMU, '-M', 'none', '-display', 'none',
                            '-object', 'can-bus,id=canbus0', '-object',
                            'can-host-socketcand,id=n0,canbus=canbus0' + opt],
                           capture_output=True, text=True, timeout=30)
        tap(r.returncode != 0 and want in r.stderr,
            'can-host-socketcand%s refused: %s' % (opt, want),
            r.stderr.strip())


def test_nodes():
    srv = Server('nodes', '--bus', 'canbus0', '--bus', 'canbus1')
    a = Session('canbus0')
    a.send('< nodes >')
    first = a.element()
    b = Session('canbus0')
    other = Session('canbus1')
    second = a.element()
    b.close()
    third = a.element()
    tap((first, second, third) == ('< nodes 0 >', '< nodes 1 >',
                                   '< nodes 0 >'),
        '< nodes >: 0 other nodes, 1 when another opens the bus, 0 when it '
        'leaves; a node of canbus1 does not count',
        first, second, third)
    tap(other.elements() == [], 'a client that does not ask is not told')
    a.close()
    other.close()
    srv.stop()


def test_bitrates():
    srv = Server('bitrates', '--bus', 'canbus0', '--bus',
                 'canbus1,bitrate=500000')
    a = Session('canbus0')
    a.send('< bitrates >')
    first = a.element()
    slow = Session()
    slow.send('< canbus0 B 250000 875 250 2 3 2 1 16 >')
    slow.element()
    slow.open('canbus0')
    second = a.element()
    fast = Session()
    fast.send('< canbus0 B 500000 875 125 2 3 2 1 8 >')
    fast.element()
    fast.open('canbus0')
    third = a.element()
    other = Session('canbus1')
    slow.close()
    fourth = a.element()
    tap((first, second, third, fourth) ==
        ('< bitrates >', '< bitrates 250000 >', '< bitrates 250000 500000 >',
         '< bitrates 500000 >'),
        '< bitrates >: none declared, then each other node\'s as it opens '
        'and leaves the bus; a node of canbus1 does not count',
        first, second, third, fourth)
    b = Session('canbus1')
    b.send('< bitrates >')
    el = b.element()
    tap(el == '< bitrates 500000 >',
        'a node that declares none is at its bus\'s bitrate', el)
    tap(fast.elements() == [] and other.elements() == [],
        'a client that does not ask is not told')
    for s in (a, fast, other, b):
        s.close()
    srv.stop()


class QtestBoard:
    """A QEMU under qtest with a Kvaser PCIcan board on a timed can-bus
    joined to the server's canbus0, its SJA1000 driven by register
    writes"""
    SLOT, IO = 5, 0xc100
    MOD, CMR, SR, IR, IER, BTR0, BTR1, OCR = 0, 1, 2, 3, 4, 6, 7, 8
    ECC, RXERR, TXERR, BUF, RMC, CDR = 12, 14, 15, 16, 29, 31

    def __init__(self, name):
        path = '/tmp/can-%s-%d.qtest' % (name, os.getpid())
        qmp = '/tmp/can-%s-%d.qmp' % (name, os.getpid())
        listener = socket.socket(socket.AF_UNIX)
        if os.path.exists(path):
            os.unlink(path)
        listener.bind(path)
        listener.listen(1)
        args = [QEMU, '-M', 'pc', '-accel', 'qtest', '-display', 'none',
                '-nodefaults', '-qtest', 'unix:' + path,
                '-qmp', 'unix:%s,server=on,wait=off' % qmp,
                '-object', 'can-bus,id=canbus0,timing=on',
                '-object', socketcand_object(),
                '-device', 'kvaser_pci,canbus=canbus0,addr=%d' % self.SLOT]
        log = open(os.path.join(LOGS, 'can-server-%s.log' % name), 'w')
        self.proc = subprocess.Popen(args, stdout=log,
                                     stderr=subprocess.STDOUT)
        listener.settimeout(10)
        self.sock, _ = listener.accept()
        listener.close()
        os.unlink(path)
        self.file = self.sock.makefile('rw')
        self.qmp = cannodes.Qmp(qmp)
        cfg = 0x80000000 | self.SLOT << 11
        self.cmd('outl 0xcf8 0x%x' % (cfg | 0x14))
        self.cmd('outl 0xcfc 0x%x' % self.IO)
        self.cmd('outl 0xcf8 0x%x' % (cfg | 0x04))
        self.cmd('outw 0xcfc 0x1')

    def cmd(self, line):
        self.file.write(line + '\n')
        self.file.flush()
        while True:
            r = self.file.readline().split()
            if r and r[0] == 'OK':
                return r[1:]
            if not r or r[0] != 'IRQ':
                raise RuntimeError('qtest: %s: %s' % (line, r))

    def wr(self, reg, value):
        self.cmd('outb 0x%x 0x%x' % (self.IO + reg, value))

    def rd(self, reg):
        return int(self.cmd('inb 0x%x' % (self.IO + reg))[0], 16)

    def setup(self, btr0):
        """PeliCAN as Linux's sja1000 driver sets it up, 16 MHz
        oscillator: BTR0 0 is 500 kbit/s, 1 is 250 kbit/s"""
        self.wr(self.MOD, 1)
        self.wr(self.CDR, 0x80)
        self.wr(self.BTR0, btr0)
        self.wr(self.BTR1, 0x1c)
        self.wr(self.OCR, 0x1a)
        for i in range(4):
            self.wr(self.BUF + i, 0)
            self.wr(self.BUF + 4 + i, 0xff)
        self.wr(self.IER, 0xff)
        self.wr(self.MOD, 0)

    def send(self, ident, data):
        self.wr(self.BUF, len(data))
        self.wr(self.BUF + 1, ident >> 3)
        self.wr(self.BUF + 2, (ident & 7) << 5)
        for i, b in enumerate(data):
            self.wr(self.BUF + 3 + i, b)
        self.wr(self.CMR, 1)

    def step(self, ms=1):
        self.cmd('clock_step %d' % (ms * 1000000))

    def received(self):
        """The frames in the RX FIFO, as (identifier, data)"""
        out = []
        while self.rd(self.SR) & 1:
            n = self.rd(self.BUF) & 0xf
            ident = self.rd(self.BUF + 1) << 3 | self.rd(self.BUF + 2) >> 5
            out.append((ident, bytes(self.rd(self.BUF + 3 + i)
                                     for i in range(n))))
            self.wr(self.CMR, 4)
        return out

    def declared(self, connects):
        """Wait until the backend has connected @connects times, up"""
        for _ in range(100):
            if (self.qmp.counter('n0', 'connects') >= connects and
                    self.qmp.counter('n0', 'connected')):
                return True
            time.sleep(0.1)
        return False

    def stop(self):
        self.proc.kill()
        self.proc.wait()


def test_bitrate():
    srv = Server('bitrate', '--bus', 'canbus0')
    a, b = QtestBoard('bitrate-a'), QtestBoard('bitrate-b')
    a.setup(0)
    b.setup(0)
    # once up the backend learns the server takes the bittiming command,
    # and connects again to declare the controller's bitrate
    tap(a.declared(2) and b.declared(2),
        'each backend connects again to declare its bitrate')
    time.sleep(0.5)
    a.send(0x123, b'\x11\x22')
    a.step()
    time.sleep(0.5)
    b.step()
    got = b.received()
    ir = a.rd(a.IR)
    tap(got == [(0x123, b'\x11\x22')] and ir & 0x02 and not ir & 0x80,
        'same bitrate (500 kbit/s): delivered, the sender sees TI and no '
        'bus error', got, hex(ir))
    b.setup(1)
    tap(b.declared(3), 'the receiver, now at 250 kbit/s, declares it')
    time.sleep(0.5)
    a.send(0x321, b'\xaa')
    a.step()
    ir, ecc, tec = a.rd(a.IR), a.rd(a.ECC), a.rd(a.TXERR)
    time.sleep(0.5)
    b.step()
    # BEI (and RI) are read before the FIFO, which reading IR leaves alone
    ir_b, ecc_b, rec_b = b.rd(b.IR), b.rd(b.ECC), b.rd(b.RXERR)
    got = b.received()
    tap(ir & 0x80 and ecc == 0x02 and tec >= 8 and not ir & 0x02,
        'other bitrates: the sender sees bus errors (BEI, ECC bit error in '
        'the identifier, TXERR rising), no TI', hex(ir), hex(ecc), tec)
    tap(ir_b & 0x80 and ecc_b == 0xa2 and rec_b >= 9,
        'the receiver in the other QEMU sees them too: BEI, ECC stuff error '
        'while receiving in the identifier, RXERR up by 9 an attempt',
        hex(ir_b), hex(ecc_b), rec_b)
    tap(got == [], 'and nothing is received', got)
    st = srv.stats()
    tap(st.get('bus.canbus0.frames') == 1 and
        st.get('bus.canbus0.bitrate-errors', 0) >= 1,
        'the server carried the one frame and destroyed the mismatched '
        "one's attempts (bitrate-errors)", st)
    ca = a.qmp.counter('n0', 'remote-error-flags')
    cb = b.qmp.counter('n0', 'remote-error-flags')
    tap(ca == 0 and cb >= 1, "only the receiver's backend put the remote "
        "nodes' error flags on its bus (remote-error-flags)", ca, cb)
    a.stop()
    b.stop()
    srv.stop()


def test_two_backends():
    """One timed bus joined to two server buses whose nodes are at other
    bitrates: a mismatch on one server bus puts the remote error flag on
    the bus, which the other backend, standing for other nodes, cannot
    follow either; it must not take that for a frame of its bus"""
    srv = Server('two-backends', '--bus', 'canbus0', '--bus', 'canbus1')

    def declared(bus, rate):
        ses = Session()
        ses.send('< %s B %d 0 0 0 0 0 0 0 >' % (bus, rate))
        ses.element()
        ses.open(bus)
        return ses
    x, z = declared('canbus0', 500000), declared('canbus0', 125000)
    y = declared('canbus1', 250000)
    q, m = start_qemu('server-qemu-two-backends', 'can-bus,id=canbus0,timing=on',
                      socketcand_object(),
                      socketcand_object(bus='canbus1').replace('id=n0',
                                                               'id=n1'))
    up = wait_connected(m)
    time.sleep(0.5)
    x.send('< send 123 1 11 >')
    time.sleep(0.5)
    flags = m.counter('n0', 'remote-error-flags') if q.poll() is None else -1
    tap(up and q.poll() is None and flags >= 1,
        "a remote node's error flag on a bus with a second backend: QEMU "
        'stays up, the flag counted (remote-error-flags %d)' % flags)
    q.kill()
    q.wait()
    for ses in (x, y, z):
        ses.close()
    srv.stop()


def test_lone_guest():
    srv = Server('lone-guest', '--bus', 'canbus0')
    subprocess.run([os.path.join(REPO, 'tests/guest/mkimage'), '--quiet'],
                   check=True)
    env = dict(os.environ, QEMU=QEMU,
               QCAN_LOG=os.path.join(LOGS, 'can-server-lone-guest.log'),
               QCAN_DEVARGS='-object can-bus,id=lone -object can-bus,id=other '
               '-device kvaser_pci,canbus=lone -device kvaser_pci,canbus=other '
               '-object ' + socketcand_object().replace('canbus=canbus0',
                                                        'canbus=lone'))
    r = subprocess.run([os.path.join(REPO, 'tests/guest/run'), 'lone-node'],
                       env=env, capture_output=True, text=True, timeout=600)
    tap(r.returncode == 0, 'lone-node with its bus on a server bus alone: '
        'ACK errors, ERROR-PASSIVE, berr-counter tx 128, as on a lone local '
        'bus', r.stdout.strip(), r.stderr.strip()[-500:])
    st = srv.stats()
    tap(st.get('bus.canbus0.ack-errors', 0) >= 1 and
        st.get('bus.canbus0.frames') == 0,
        'the server saw the unacknowledged frame: ACK errors, nothing '
        'delivered', st)
    # with python-can on the server bus the guest is no longer alone
    py = can.Bus(interface='socketcand', host='127.0.0.1', port=PORT,
                 channel='canbus0')
    r = subprocess.run([os.path.join(REPO, 'tests/guest/run'), 'lone-node'],
                       env=env, capture_output=True, text=True, timeout=600)
    got = []
    while True:
        m = py.recv(0.5)
        if m is None:
            break
        got.append((m.arbitration_id, bytes(m.data)))
    tap(r.returncode != 0 and (0x123, b'\x11\x22\x33\x44') in got,
        'the same with python-can on the server bus: acknowledged, so '
        'lone-node fails, and python-can has the frame', r.stdout.strip(),
        got[:3])
    py.shutdown()
    srv.stop()


def test_mismatch_guests():
    srv = Server('mismatch-guests', '--bus', 'canbus0')
    subprocess.run([os.path.join(REPO, 'tests/guest/mkimage'), '--quiet'],
                   check=True)
    devargs = ('-object can-bus,id=canbus0,timing=on '
               '-device kvaser_pci,canbus=canbus0 -object ' +
               socketcand_object())
    runs, logs = {}, {}
    # the receiver first: the sender's frame must find it at its bitrate
    for side in (1, 0):
        logs[side] = os.path.join(LOGS, 'can-server-mismatch-guest%d.log' %
                                  side)
        env = dict(os.environ, QEMU=QEMU, QCAN_DEVARGS=devargs,
                   QCAN_APPEND='qcan.side=%d' % side, QCAN_LOG=logs[side])
        if os.path.exists(logs[side]):
            os.unlink(logs[side])
        runs[side] = subprocess.Popen(
            [os.path.join(REPO, 'tests/guest/run'), 'mismatch-node'], env=env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if side == 1:
            deadline = time.monotonic() + 400
            while time.monotonic() < deadline and runs[1].poll() is None:
                if os.path.exists(logs[1]) and 'receiver listening' in open(
                        logs[1], errors='replace').read():
                    break
                time.sleep(0.5)
    out = {s: runs[s].communicate(timeout=600)[0].strip() for s in runs}
    tap(runs[0].returncode == 0,
        'the sender at 500 kbit/s: bus errors, no frame received, then ACK '
        'errors: ERROR-PASSIVE, berr-counter tx 128, as on a local bus',
        out[0])
    tap(runs[1].returncode == 0,
        'the receiver at 250 kbit/s in the other QEMU: stuff errors, '
        'ERROR-PASSIVE, berr-counter rx >= 128, no frame received', out[1])
    st = srv.stats()
    tap(st.get('bus.canbus0.frames') == 0 and
        st.get('bus.canbus0.bitrate-errors', 0) >= 15,
        'the server delivered nothing and destroyed every attempt', st)
    srv.stop()


def test_hosts():
    """can.rst's "Several hosts", host A's address on loopback"""
    with open(os.path.join(REPO, 'docs/system/devices/can.rst')) as f:
        text = f.read()
    section = text[text.index('Several hosts\n'):
                   text.index('Replaying a log\n')]
    lines = [line.strip() for line in section.splitlines()]
    cmd = next(line.split() for line in lines
               if line.startswith('build/qemu-can-server'))
    obj = next(line.split()[1] for line in lines
               if line.startswith('-object can-host-socketcand'))
    code = python_blocks(section)[0]
    subprocess.run(['ip', 'addr', 'add', '192.0.2.1/32', 'dev', 'lo'],
                   check=True)
    srv = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL,
                           stderr=subprocess.STDOUT)
    qb, mb = start_qemu('server-hosts', 'can-bus,id=canbus0', obj,
                        'can-host-udp,id=u0,canbus=canbus0,port=43162')
    ub = udp_bus(43162)
    up = wait_connected(mb)
    r = subprocess.run([sys.executable, '-c', code], capture_output=True,
                       text=True, timeout=60)
    got = from_others(ub, [], quiet=1.0)
    tap(up and r.returncode == 0 and (0x7a0, b'\x01\x02') in got,
        "can.rst's several-hosts commands: the script reaches the emulator "
        'through the server at 192.0.2.1', ' '.join(cmd), obj, r.stderr,
        got)
    qb.kill()
    qb.wait()
    ub.shutdown()
    srv.terminate()
    srv.wait(10)
    subprocess.run(['ip', 'addr', 'del', '192.0.2.1/32', 'dev', 'lo'],
                   check=True)


def test_restart_guests():
    srv = Server('restart-guests', '--bus', 'canbus0')
    subprocess.run([os.path.join(REPO, 'tests/guest/mkimage'), '--quiet'],
                   check=True)
    devargs = ('-object can-bus,id=canbus0 -device kvaser_pci,canbus=canbus0 '
               '-object ' + socketcand_object())
    n = 300
    runs, logs = {}, {}
    for side in (0, 1):
        logs[side] = os.path.join(LOGS, 'can-server-restart-guest%d.log' %
                                  side)
        if os.path.exists(logs[side]):
            os.unlink(logs[side])
        env = dict(os.environ, QEMU=QEMU, QCAN_DEVARGS=devargs,
                   QCAN_APPEND='qcan.side=%d qcan.count=%d' % (side, n),
                   QCAN_LOG=logs[side])
        runs[side] = subprocess.Popen(
            [os.path.join(REPO, 'tests/guest/run'), 'restart-node'], env=env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def sending(side):
        return (os.path.exists(logs[side]) and
                'sending' in open(logs[side], errors='replace').read())
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and not (sending(0) and sending(1)):
        time.sleep(0.5)
    # both send for 30 s: the server goes away for 4 s in the middle
    time.sleep(8)
    srv.stop()
    time.sleep(4)
    srv = Server('restart-guests-2', '--bus', 'canbus0')
    out = {s: runs[s].communicate(timeout=400)[0].strip() for s in runs}
    for side in (0, 1):
        tap(runs[side].returncode == 0, 'guest %d ran to the end through '
            'the outage, ERROR-ACTIVE' % side, out[side])
    for side in (0, 1):
        seqs = []
        with open(logs[side], errors='replace') as f:
            for line in f:
                w = line.split()
                if line.startswith('QCAN-REC f ') and len(w) == 3:
                    seqs.append(int(w[2].split('#')[1], 16))
        gaps = [b - a for a, b in zip(seqs, seqs[1:])]
        tap(seqs and all(g > 0 for g in gaps) and max(gaps) >= 10 and
            seqs[0] < n // 3 and seqs[-1] > 2 * n // 3,
            'guest %d had frames of the other from before the outage and '
            'after it, in order, none twice' % side,
            '%d frames, first %s, last %s, longest gap %s' %
            (len(seqs), seqs[:1], seqs[-1:], max(gaps or [0])))
    st = srv.stats()
    # accepted: both QEMUs and the probe of Server()
    tap(st.get('accepted', 0) >= 3 and st.get('bus.canbus0.frames', 0) > 0,
        'the restarted server had both QEMUs back, carrying frames', st)
    srv.stop()


def test_burst():
    srv = Server('burst', '--bus', 'canbus0')
    cannodes.burst_test('server', '-object %s -object %s' % (
        socketcand_object(), socketcand_object().replace(
            'id=n0,canbus=canbus0', 'id=n1,canbus=canbus1')))
    st = srv.stats()
    tap(st.get('bus.canbus0.frames', 0) >= 5000 and
        st.get('slow-dropped') == 0,
        'the server carried the burst and dropped no slow client', st)
    srv.stop()


def test_guests():
    srv = Server('guests', '--bus', 'canbus0')
    bus = can.Bus(interface='socketcand', host='127.0.0.1', port=PORT,
                  channel='canbus0')
    devargs = ('-object can-bus,id=canbus0 -device kvaser_pci,canbus=canbus0 '
               '-object ' + socketcand_object())
    # python-can's socketcand client does not say which identifiers are
    # extended: in this test, those above 11 bits
    cannodes.guests_test('server', bus, devargs, rtr=False,
                         ext_rule=lambda m: m.arbitration_id > 0x7ff)
    bus.shutdown()
    srv.stop()


def main():
    os.makedirs(LOGS, exist_ok=True)
    if not os.access(SERVER, os.X_OK):
        print('SKIP can-server: no %s (make builds it)' % SERVER)
        return 77
    return tapcases.run((('python-can', test_python_can),
                         ('wire', test_wire), ('protocol', test_protocol),
                         ('bcm', test_bcm), ('control', test_control),
                         ('capture', test_capture),
                         ('display', test_display),
                         ('fuzz', test_fuzz), ('slow', test_slow),
                         ('limits', test_limits), ('docs', test_docs),
                         ('qemu-restart', test_qemu_restart),
                         ('qemu-input', test_qemu_input),
                         ('qemu-queue-limit', test_qemu_queue_limit),
                         ('qemu-errors', test_qemu_errors),
                         ('nodes', test_nodes),
                         ('bitrate', test_bitrate),
                         ('bitrates', test_bitrates),
                         ('two-backends', test_two_backends),
                         ('lone-guest', test_lone_guest),
                         ('mismatch-guests', test_mismatch_guests),
                         ('guests', test_guests),
                         ('burst', test_burst),
                         ('restart-guests', test_restart_guests),
                         ('hosts', test_hosts)))


if __name__ == '__main__':
    sys.exit(main())
