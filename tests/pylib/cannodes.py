# SPDX-License-Identifier: GPL-2.0-or-later
#
# Linux guests and python-can on one CAN bus that spans processes, for
# the test drivers of tests/can-udp/ and tests/can-server/: two QEMU
# processes boot tests/guest/extra/udp-node.sh (qcan.side=0 and 1), a
# python-can bus on the same network bus coordinates them (go when both
# listen, its own frames, the end), and what every node received is
# checked against what the others sent.  Also the QMP client and the
# QEMU starter those drivers share.

import json
import os
import socket
import subprocess
import threading
import time

import can

from tapcases import tap

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
LOGS = os.path.join(REPO, 'build', 'test-logs')
QEMU = os.environ.get('QEMU') or os.path.join(REPO, 'build',
                                              'qemu-system-x86_64')


def frame_text(msg, ext=None):
    """A can.Message as candump -L and tests/guest/lib.sh write it; @ext
    overrides what the message says of its identifier (python-can's
    socketcand client does not know)"""
    if msg.is_extended_id if ext is None else ext:
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


def python_frames(n, rtr=True):
    """python-can's frames for the guests: standard, extended, remote
    (@rtr: python-can's socketcand client sends none)"""
    msgs = []
    for i in range(n):
        k = i % 6
        if k == 5 and rtr:
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
    """QEMU with no machine and these -object options, its QMP, its
    output in build/test-logs/can-NAME.log"""
    sock = '/tmp/can-%s-%d.qmp' % (name, os.getpid())
    log = open(os.path.join(LOGS, 'can-%s.log' % name), 'w')
    args = [QEMU, '-M', 'none', '-display', 'none', '-nodefaults',
            '-qmp', 'unix:%s,server=on,wait=off' % sock]
    for o in objects:
        args += ['-object', o]
    log.write('# %s\n' % ' '.join(args))
    log.flush()
    proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
    return proc, Qmp(sock)


def coordinate(bus, want, py_msgs, state, ext_rule):
    """The python-can node: go when both guests listen, send, end once
    it has @want[side] frames of each guest"""
    got = {0: [], 1: []}
    ready, done = set(), set()
    deadline = time.monotonic() + 600

    def handle(msg):
        if msg is None:
            return
        text = frame_text(msg, ext_rule(msg) if ext_rule else None)
        who = sender_of(text)
        if who in (0, 1):
            got[who].append(text)
        elif who == 'ctl':
            if msg.arbitration_id in (0x7e0, 0x7e1):
                ready.add(msg.arbitration_id - 0x7e0)
            elif msg.arbitration_id in (0x7e8, 0x7e9):
                done.add(msg.arbitration_id - 0x7e8)

    sent_go = False
    while time.monotonic() < deadline and not state.get('stop'):
        handle(bus.recv(0.2))
        if not sent_go and ready == {0, 1}:
            bus.send(can.Message(arbitration_id=0x7ff, is_extended_id=False))
            # paced for a guest under TCG: the SJA1000's FIFO is 64 bytes
            for m in py_msgs:
                pause = time.monotonic() + 0.02
                while time.monotonic() < pause:
                    handle(bus.recv(max(pause - time.monotonic(), 0.001)))
                bus.send(m)
            sent_go = True
        if done == {0, 1} and all(len(got[s]) >= want[s] for s in got):
            break
    time.sleep(0.5)
    bus.send(can.Message(arbitration_id=0x7fe, is_extended_id=False))
    state['got'] = got


def guests_test(name, bus, devargs=None, rtr=True, ext_rule=None):
    """Two guests and python-can's @bus: TAP cases, logs can-NAME-*.
    Without @rtr, python-can neither sends nor hears remote frames"""
    n_guest, n_py = 60, 60
    py_msgs = python_frames(n_py, rtr)
    py_text = [frame_text(m) for m in py_msgs]
    sent = {0: gen_frames(0, n_guest), 1: gen_frames(1, n_guest)}
    # what python-can hears of them: its socketcand client reads no
    # remote frames (python-can 4.1 takes only "< frame ... >")
    heard = {s: [t for t in sent[s] if rtr or not t.endswith('#R')]
             for s in sent}
    subprocess.run([os.path.join(REPO, 'tests/guest/mkimage'), '--quiet'],
                   check=True)
    state = {}
    coord = threading.Thread(target=coordinate,
                             args=(bus, {s: len(heard[s]) for s in heard},
                                   py_msgs, state, ext_rule))
    coord.start()
    runs = {}
    for side in (0, 1):
        env = dict(os.environ,
                   QCAN_APPEND='qcan.side=%d qcan.count=%d' % (side, n_guest),
                   QCAN_LOG=os.path.join(LOGS, 'can-%s-guest%d.log' %
                                         (name, side)),
                   QEMU=QEMU)
        if devargs:
            env['QCAN_DEVARGS'] = devargs
        runs[side] = subprocess.Popen(
            [os.path.join(REPO, 'tests/guest/run'), 'udp-node'], env=env,
            stdout=subprocess.PIPE, text=True)
    status = {s: (runs[s].communicate()[0].strip(), runs[s].returncode)
              for s in runs}
    state['stop'] = True
    coord.join()
    for side in (0, 1):
        tap(status[side][1] == 0, 'guest %d: scenario passed' % side,
            status[side][0])
    got = state.get('got', {0: [], 1: []})
    for side in (0, 1):
        same_frames(got[side], heard[side],
                    'guest %d -> python-can' % side)
    for side in (0, 1):
        peer = 1 - side
        log = os.path.join(LOGS, 'can-%s-guest%d.log' % (name, side))
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


def burst_test(name, backends, count=5000):
    """One guest's two Kvaser channels, each on a can-bus of its own that
    @backends ('-object ...' for canbus0, then canbus1) joins to the
    other: @count frames sent back to back from one reach the other, none
    lost (the guest half of bench/network, counted at the driver)"""
    subprocess.run([os.path.join(REPO, 'tests/guest/mkimage'), '--quiet'],
                   check=True)
    log = os.path.join(LOGS, 'can-%s-burst.log' % name)
    devargs = ('-object can-bus,id=canbus0 -object can-bus,id=canbus1 '
               '-device kvaser_pci,channels=2,canbus0=canbus0,'
               'canbus1=canbus1 ' + backends)
    env = dict(os.environ, QEMU=QEMU, QCAN_LOG=log, QCAN_DEVARGS=devargs,
               QCAN_APPEND='qcan.count=%d qcan.paced=20 qcan.path=%s' %
               (count, name))
    r = subprocess.run([os.path.join(REPO, 'tests/guest/run'),
                        'network-bench'], env=env, capture_output=True,
                       text=True, timeout=600)
    metric = ''
    with open(log, errors='replace') as f:
        for line in f:
            if line.startswith('QCAN-METRIC') and 'kind=burst' in line:
                metric = line.strip()
    tap(r.returncode == 0 and 'received=%d ' % count in metric,
        '%d frames back to back from one guest channel to another through '
        '%s: all received, none lost to the receiving FIFO' % (count, name),
        metric, r.stdout.strip()[-800:])
