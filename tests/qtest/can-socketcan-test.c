/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QTest for can-host-socketcan, the backend that joins a can-bus to a
 * Linux SocketCAN interface, against the host's real CAN stack.
 *
 * The guest side is channel 0 of a Kvaser PCIcan board (an SJA1000 in
 * PeliCAN mode, accepting every frame); the host side is this program's
 * own raw CAN sockets on vcan interfaces.  It needs a kernel with CAN
 * sockets and these interfaces (tests/hostvm/ boots such a Linux VM):
 *
 *   vcan0, vcan1   CAN FD MTU (72), the vcan default
 *   vcan2          classic MTU (16)
 *   vcan3          CAN FD MTU; a test slows it down with tc (iproute2)
 *
 * Without CAN sockets or without vcan0 every test is skipped, saying why;
 * the error cases that need no CAN stack run everywhere.
 *
 * QTEST_CAN_TCG=1 runs the tests on TCG with the vCPUs stopped (-S),
 * where qtest still reaches the devices, for a QEMU built without the
 * qtest accelerator such as Debian's.  The benchmark of the same rig is
 * bench/can-socketcan-bench.c.
 */

#include "qemu/osdep.h"
#include "can-socketcan-qtest.h"

/*
 * Errors at startup: QEMU exits with a clear message
 */

/*
 * QEMU started with @args fails with @message.  Should @args be accepted,
 * an object behind them that names no bus still makes QEMU exit, so that
 * the test fails on the message instead of waiting for ever.
 */
static void assert_startup_error(const char *args, const char *message)
{
    const char *qemu = g_getenv("QTEST_QEMU_BINARY");
    g_autofree char *cmd = g_strdup_printf("%s -machine none -nodefaults "
                                           "-display none %s "
                                           "-object can-host-socketcan,"
                                           "id=sentinel,if=vcan0,"
                                           "canbus=sentinel-bus",
                                           qemu, args);
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    int status;

    g_assert(qemu);
    g_assert_true(g_spawn_command_line_sync(cmd, &out, &err, &status, NULL));
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 1);
    if (!strstr(err, message)) {
        g_error("QEMU said \"%s\", not \"%s\"", g_strchomp(err), message);
    }
}

static void test_error_no_interface(void)
{
    if (can_sockets_missing()) {
        g_test_skip(can_sockets_missing());
        return;
    }
    assert_startup_error("-object can-bus,id=b0 -object can-host-socketcan,"
                         "id=h0,if=nosuch0,canbus=b0",
                         "can-host-socketcan: no interface 'nosuch0' on the "
                         "host");
}

static void test_error_not_can(void)
{
    if (can_sockets_missing()) {
        g_test_skip(can_sockets_missing());
        return;
    }
    assert_startup_error("-object can-bus,id=b0 -object can-host-socketcan,"
                         "id=h0,if=lo,canbus=b0",
                         "can-host-socketcan: 'lo' is not a CAN interface");
}

/* Runs where the kernel has no CAN sockets: QEMU says what is missing */
static void test_error_no_can_sockets(void)
{
    if (!can_sockets_missing()) {
        g_test_skip("this host has CAN sockets");
        return;
    }
    assert_startup_error("-object can-bus,id=b0 -object can-host-socketcan,"
                         "id=h0,if=vcan0,canbus=b0",
                         "can-host-socketcan: cannot open a CAN socket (is "
                         "the can-raw kernel module loaded?)");
}

/*
 * Two backends joining one interface to one bus would each take the
 * other's transmissions for a host application's frames and send every
 * frame round for ever: QEMU refuses the second.
 */
static void test_error_same_interface_twice(void)
{
    if (!have_interfaces("vcan0", NULL)) {
        return;
    }
    assert_startup_error("-object can-bus,id=b0 "
                         "-object can-host-socketcan,id=h0,if=vcan0,canbus=b0 "
                         "-object can-host-socketcan,id=h1,if=vcan0,canbus=b0",
                         "can-host-socketcan: 'h0' already joins 'vcan0' to "
                         "can-bus 'b0'");
}

/* The bus is compared, not its name: a path to b0 is the same bus */
static void test_error_same_interface_by_path(void)
{
    if (!have_interfaces("vcan0", NULL)) {
        return;
    }
    assert_startup_error("-object can-bus,id=b0 "
                         "-object can-host-socketcan,id=h0,if=vcan0,canbus=b0 "
                         "-object can-host-socketcan,id=h1,if=vcan0,"
                         "canbus=/objects/b0",
                         "can-host-socketcan: 'h0' already joins 'vcan0' to "
                         "can-bus 'b0'");
}

/*
 * What a backend joins is fixed when it is created: changing if or canbus
 * later is refused with an error, and the backend carries on as it was.
 */
static void test_properties_fixed_after_creation(void)
{
    static const char *const props[][2] = {
        { "if", "vcan1" }, { "canbus", "b1" },
    };
    struct canfd_frame want = seq_frame(1), got;
    QDict *rsp;
    Rig r;
    size_t i;
    int fd;

    if (!rig_start_host(&r, "", &fd, NULL)) {
        return;
    }
    qtest_qmp_assert_success(r.qts, "{ 'execute': 'object-add', "
                             "'arguments': { 'qom-type': 'can-bus', "
                             "'id': 'b1' } }");
    for (i = 0; i < ARRAY_SIZE(props); i++) {
        g_autofree char *expected =
            g_strdup_printf("h0: property '%s' is fixed once the object is "
                            "created; delete it and create a new one",
                            props[i][0]);
        QDict *err;

        rsp = qtest_qmp(r.qts, "{ 'execute': 'qom-set', 'arguments': "
                        "{ 'path': '/objects/h0', 'property': %s, "
                        "'value': %s } }", props[i][0], props[i][1]);
        err = qdict_get_qdict(rsp, "error");
        g_assert(err);
        g_assert_cmpstr(qdict_get_str(err, "desc"), ==, expected);
        qobject_unref(rsp);
    }
    rsp = qtest_qmp(r.qts, "{ 'execute': 'qom-get', 'arguments': "
                    "{ 'path': '/objects/h0', 'property': 'canbus' } }");
    g_assert_cmpstr(qdict_get_str(rsp, "return"), ==, "b0");
    qobject_unref(rsp);
    chan_send(&r, &want);
    assert_frame_eq(&got, sock_recv(fd, &got), &want, false);
    rig_stop(&r);
    close(fd);
}

/* One interface joined to two buses is fine: it bridges them */
static void test_interface_bridges_buses(void)
{
    struct canfd_frame want = seq_frame(1), got;
    Rig r;
    int fd;

    if (!have_interfaces("vcan0", NULL)) {
        return;
    }
    fd = sock_open("vcan0");
    rig_start(&r, "-object can-bus,id=b1 "
              "-object can-host-socketcan,id=h0,if=vcan0,canbus=b0 "
              "-object can-host-socketcan,id=h1,if=vcan0,canbus=b1", false);
    chan_send(&r, &want);
    assert_frame_eq(&got, sock_recv(fd, &got), &want, false);
    /* h1 reads it from vcan0 and puts it on b1, where nobody listens */
    while (!counter(&r, "h1", "rx-frames")) {
        g_usleep(1000);
    }
    g_assert_cmpuint(qom_u64(&r, "/objects/b1", "frames"), ==, 1);
    sock_assert_sentinel_first(&r, fd);
    chan_assert_sentinel_first(&r, fd);
    /* h0 read back none of the guest's frames, only the host's sentinel */
    g_assert_cmpuint(counter(&r, "h0", "rx-frames"), ==, 1);
    rig_stop(&r);
    close(fd);
}

/* The bus is resolved before the host side: no CAN stack needed */
static void test_error_no_bus(void)
{
    assert_startup_error("-object can-host-socketcan,id=h0,if=vcan0,"
                         "canbus=nosuchbus", "no can-bus with id 'nosuchbus'");
}

/*
 * Frames both ways
 */

/* Every guest frame reaches a reader on the interface, in order, once */
static void test_guest_to_host(void)
{
    Rig r;
    int fd;

    if (!rig_start_host(&r, "", &fd, NULL)) {
        return;
    }
    guest_to_host(&r, fd, 0, 200);
    g_assert_cmpuint(counter(&r, "h0", "tx-frames"), ==, 200);
    g_assert_cmpuint(counter(&r, "h0", "tx-dropped"), ==, 0);
    g_assert_cmpuint(qom_u64(&r, "/objects/b0", "frames"), ==, 200);
    sock_assert_sentinel_first(&r, fd);
    rig_stop(&r);
    close(fd);
}

/*
 * The backend does not read back what it sent: the guest's frames never
 * come back into its RX FIFO, and the backend counts no host frame.
 */
static void test_guest_frames_not_echoed(void)
{
    Rig r;
    int fd;

    if (!rig_start_host(&r, "", &fd, NULL)) {
        return;
    }
    guest_to_host(&r, fd, 0, 20);
    chan_assert_sentinel_first(&r, fd);
    /* the backend read the host's sentinel and nothing else */
    g_assert_cmpuint(counter(&r, "h0", "rx-frames"), ==, 1);
    rig_stop(&r);
    close(fd);
}

/* Every frame another host socket sends reaches the guest, in order */
static void test_host_to_guest(void)
{
    Rig r;
    int fd;

    if (!rig_start_host(&r, "", &fd, NULL)) {
        return;
    }
    host_to_guest(&r, fd, 0, 200);
    chan_assert_sentinel_first(&r, fd);
    g_assert_cmpuint(counter(&r, "h0", "rx-frames"), ==, 201);
    g_assert_cmpuint(counter(&r, "h0", "rx-malformed"), ==, 0);
    /* the frames went to the guest, not back to the host */
    sock_assert_sentinel_first(&r, fd);
    rig_stop(&r);
    close(fd);
}

/*
 * QEMU stops reading (SIGSTOP) while a host application sends 2000 frames:
 * the socket's receive buffer holds a few hundred, the kernel drops the
 * rest, and the backend counts them once it reads again.
 */
static void test_host_overflow(void)
{
    const unsigned n = 2000;
    struct canfd_frame f;
    uint64_t got = 0, dropped = 0, last;
    int64_t end;
    unsigned i, still = 0;
    Rig r;
    int fd;

    if (!rig_start_host(&r, "", &fd, NULL)) {
        return;
    }
    g_assert_cmpint(kill(qtest_pid(r.qts), SIGSTOP), ==, 0);
    for (i = 0; i < n; i++) {
        f = seq_frame(i);
        sock_send(fd, &f, false);
    }
    g_assert_cmpint(kill(qtest_pid(r.qts), SIGCONT), ==, 0);
    /*
     * The drop count comes with the next frame the socket takes: once the
     * backend has read what the buffer held, send one more.
     */
    end = g_get_monotonic_time() + TIMEOUT_US;
    do {
        last = got;
        while (sja_rd(&r.chan, A_SR) & R_SR_RBS_MASK) {
            sja_wr(&r.chan, A_CMR, R_CMR_RRB_MASK);
        }
        got = counter(&r, "h0", "rx-frames");
        still = got && got == last ? still + 1 : 0;
    } while (still < 3 && g_get_monotonic_time() < end);
    f = seq_frame(n);
    sock_send(fd, &f, false);
    do {
        while (sja_rd(&r.chan, A_SR) & R_SR_RBS_MASK) {
            sja_wr(&r.chan, A_CMR, R_CMR_RRB_MASK);
        }
        got = counter(&r, "h0", "rx-frames");
        dropped = counter(&r, "h0", "rx-dropped");
    } while (got + dropped < n + 1 && g_get_monotonic_time() < end);
    g_test_message("%" PRIu64 " frames read, %" PRIu64 " dropped", got,
                   dropped);
    g_assert_cmpuint(got + dropped, ==, n + 1);
    g_assert_cmpuint(dropped, >, 0);
    g_assert_cmpuint(counter(&r, "h0", "link-errors"), ==, 0);
    rig_stop(&r);
    close(fd);
}

/* can-utils' cansend and cangen, as a user would test a setup */
static void test_host_to_guest_can_utils(void)
{
    struct canfd_frame got;
    Rig r;
    int i, fd;

    if (!have_interfaces("vcan0", NULL)) {
        return;
    }
    if (system("command -v cansend >/dev/null && "
               "command -v cangen >/dev/null") != 0) {
        g_test_skip("can-utils (cansend, cangen) not installed");
        return;
    }
    fd = sock_open("vcan0");
    rig_start(&r, "-object can-host-socketcan,id=h0,if=vcan0,canbus=b0",
              false);

    g_assert_cmpint(system("cansend vcan0 123#DEADBEEF"), ==, 0);
    g_assert_true(chan_recv(&r, &got));
    g_assert_cmphex(got.can_id, ==, 0x123);
    g_assert_cmpuint(got.len, ==, 4);
    g_assert_cmpmem(got.data, 4, "\xde\xad\xbe\xef", 4);

    g_assert_cmpint(system("cansend vcan0 1abcdef0#R3"), ==, 0);
    g_assert_true(chan_recv(&r, &got));
    g_assert_cmphex(got.can_id, ==, CAN_EFF_FLAG | CAN_RTR_FLAG | 0x1abcdef0);
    g_assert_cmpuint(got.len, ==, 3);

    /* cangen: 4 frames, incrementing payload, 1 ms apart */
    g_assert_cmpint(system("cangen vcan0 -n 4 -g 1 -I 42 -L 8 -D i"), ==, 0);
    for (i = 0; i < 4; i++) {
        g_assert_true(chan_recv(&r, &got));
        g_assert_cmphex(got.can_id, ==, 0x42);
        g_assert_cmpuint(got.len, ==, 8);
        g_assert_cmpuint(got.data[0], ==, i);
    }
    chan_assert_sentinel_first(&r, fd);
    g_assert_cmpuint(counter(&r, "h0", "rx-frames"), ==, 7);
    rig_stop(&r);
    close(fd);
}

/*
 * A classic frame of 8 bytes sent with a DLC of 9..15 keeps that DLC both
 * ways: Linux's len8_dlc on the host, the DLC field of the SJA1000's frame
 * information in the guest.
 */
static void test_classic_dlc_over_8(void)
{
    struct canfd_frame want = seq_frame(8), got;
    Rig r;
    int fd;

    if (!rig_start_host(&r, "", &fd, NULL)) {
        return;
    }
    g_assert_cmpuint(want.len, ==, CAN_MAX_DLEN);
    *len8_dlc(&want) = 12;
    sock_send(fd, &want, false);
    g_assert_true(chan_recv(&r, &got));
    assert_frame_eq(&got, CAN_MTU, &want, false);

    *len8_dlc(&want) = 15;
    chan_send(&r, &want);
    assert_frame_eq(&got, sock_recv(fd, &got), &want, false);
    rig_stop(&r);
    close(fd);
}

/*
 * object-del takes the backend off the bus and closes its socket while
 * frames are waiting on it; object-add brings it back.
 */
static void test_object_del_add(void)
{
    struct canfd_frame f;
    Rig r;
    int fd, i;

    if (!rig_start_host(&r, "", &fd, NULL)) {
        return;
    }
    host_to_guest(&r, fd, 0, 4);
    for (i = 0; i < 3; i++) {
        f = seq_frame(10 + i);
        sock_send(fd, &f, false);
    }
    qtest_qmp_assert_success(r.qts, "{ 'execute': 'object-del', "
                             "'arguments': { 'id': 'h0' } }");
    /* host frames sent now reach nobody: the bus counts none of them */
    for (i = 0; i < 3; i++) {
        f = seq_frame(20 + i);
        sock_send(fd, &f, false);
    }
    for (i = 0; i < 100; i++) {
        while (sja_rd(&r.chan, A_SR) & R_SR_RBS_MASK) {
            sja_wr(&r.chan, A_CMR, R_CMR_RRB_MASK);
        }
    }
    g_assert_cmpuint(qom_u64(&r, "/objects/b0", "frames"), <=, 4 + 3);

    qtest_qmp_assert_success(r.qts, "{ 'execute': 'object-add', "
                             "'arguments': { 'qom-type': "
                             "'can-host-socketcan', 'id': 'h0', "
                             "'if': 'vcan0', 'canbus': 'b0' } }");
    g_assert_cmpuint(counter(&r, "h0", "rx-frames"), ==, 0);
    guest_to_host(&r, fd, 30, 4);
    host_to_guest(&r, fd, 40, 4);
    chan_assert_sentinel_first(&r, fd);
    rig_stop(&r);
    close(fd);
}

/*
 * Frames with a standard id over 11 bits, or CAN FD frames of a length no
 * DLC encodes, are nonsense: counted, dropped.
 */
static void test_host_malformed(void)
{
    struct canfd_frame bad = { .can_id = 0x800, .len = 1 };
    struct canfd_frame bad_fd = fd_frame(0x123, 9);
    struct canfd_frame good = seq_frame(0), got;
    Rig r;
    int fd;

    if (!rig_start_host(&r, "", &fd, NULL)) {
        return;
    }
    sock_send(fd, &bad, false);
    sock_send(fd, &bad_fd, true);
    sock_send(fd, &good, false);
    g_assert_true(chan_recv(&r, &got));
    assert_frame_eq(&got, CAN_MTU, &good, false);
    chan_assert_sentinel_first(&r, fd);
    g_assert_cmpuint(counter(&r, "h0", "rx-malformed"), ==, 2);
    g_assert_cmpuint(counter(&r, "h0", "rx-frames"), ==, 2);
    rig_stop(&r);
    close(fd);
}

/*
 * The host pushes back: vcan3 sends a burst of 100 frames, then next to
 * nothing (a tc token bucket of 100 bit/s that holds @qdisc_limit bytes),
 * however long the guest takes to send @n frames at qtest speed.  The
 * backend queues, then drops and counts; the guest's transmissions all
 * complete meanwhile and QEMU keeps answering.  Once vcan3 is fast again, the
 * queue drains: what goes out goes in order, and every frame is either
 * sent or counted as dropped.  Pushing back is no link error.
 */
static void tx_pushback(unsigned n, unsigned qdisc_limit)
{
    g_autofree char *tc = NULL;
    int64_t end;
    unsigned i, next, got_n = 0;
    uint64_t sent, dropped;
    struct canfd_frame f;
    int rcvbuf = 4 << 20;
    Rig r;
    int fd;

    if (!have_interfaces("vcan3", NULL)) {
        return;
    }
    /* a full path, or a busybox shell would run its own tc */
    tc = g_strdup_printf("/sbin/tc qdisc replace dev vcan3 root tbf "
                         "rate 100bit burst 1600 limit %u", qdisc_limit);
    if (system(tc) != 0) {
        g_test_skip("cannot slow vcan3 down (tc, sch_tbf)");
        return;
    }
    fd = sock_open("vcan3");
    setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf));
    rig_start(&r, "-object can-host-socketcan,id=h3,if=vcan3,canbus=b0",
              false);
    for (i = 0; i < n; i++) {
        f = seq_frame(i);
        chan_send(&r, &f);
    }
    g_test_message("after sending: %" PRIu64 " frames sent, %" PRIu64
                   " dropped", counter(&r, "h3", "tx-frames"),
                   counter(&r, "h3", "tx-dropped"));
    g_assert_cmpuint(counter(&r, "h3", "tx-dropped"), >, 0);
    g_assert_cmpint(system("/sbin/tc qdisc change dev vcan3 root tbf "
                           "rate 100mbit burst 100000 limit 1000000"), ==, 0);

    end = g_get_monotonic_time() + 60 * G_USEC_PER_SEC;
    do {
        g_usleep(100000);
        sent = counter(&r, "h3", "tx-frames");
        dropped = counter(&r, "h3", "tx-dropped");
    } while (sent + dropped < n && g_get_monotonic_time() < end);
    g_test_message("%" PRIu64 " frames sent, %" PRIu64 " dropped", sent,
                   dropped);
    g_assert_cmpuint(sent + dropped, ==, n);
    /* the backend's queue of 256 was full */
    g_assert_cmpuint(sent, >, 256);
    g_assert_cmpuint(counter(&r, "h3", "link-errors"), ==, 0);

    /* the frames that went out are in order, none twice */
    for (next = 0; got_n < sent; got_n++) {
        g_assert_cmpint(sock_recv(fd, &f), ==, CAN_MTU);
        while (next < n && seq_frame(next).can_id != f.can_id) {
            next++;
        }
        g_assert_cmpuint(next, <, n);
        next++;
    }
    sock_assert_sentinel_first(&r, fd);
    rig_stop(&r);
    close(fd);
    g_assert_cmpint(system("/sbin/tc qdisc del dev vcan3 root"), ==, 0);
}

/* The socket's send buffer fills (EAGAIN) before the qdisc does */
static void test_tx_pushback_send_buffer(void)
{
    tx_pushback(1000, 1000000);
}

/*
 * The qdisc fills first (ENOBUFS), as with a real adapter and its short
 * transmit queue: the socket stays writable, yet the frames must wait.
 */
static void test_tx_pushback_qdisc_full(void)
{
    tx_pushback(600, 320);
}

/*
 * CAN FD and bridging
 */

/*
 * Two backends on one bus bridge their interfaces: classic and CAN FD
 * frames both ways, every frame once, in order.  The classic Kvaser
 * channel on the same bus takes the classic frames, counts the FD ones.
 */
static void test_bridge_fd(void)
{
    static const uint8_t fd_lens[] = { 0, 1, 8, 12, 16, 20, 24, 32, 48, 64 };
    struct canfd_frame want, got;
    int fd0, fd1;
    unsigned i;
    Rig r;

    if (!rig_start_host(&r, "", &fd0, &fd1)) {
        return;
    }

    for (i = 0; i < G_N_ELEMENTS(fd_lens); i++) {
        int from = i % 2 ? fd1 : fd0, to = i % 2 ? fd0 : fd1;

        want = fd_frame(CAN_EFF_FLAG | (0x1000 + i), fd_lens[i]);
        want.flags = i % 3 ? CANFD_BRS : CANFD_ESI;
        sock_send(from, &want, true);
        assert_frame_eq(&got, sock_recv(to, &got), &want, true);

        want = seq_frame(i);
        sock_send(from, &want, false);
        assert_frame_eq(&got, sock_recv(to, &got), &want, false);
        g_assert_true(chan_recv(&r, &got));
        assert_frame_eq(&got, CAN_MTU, &want, false);
    }
    /* a guest frame reaches both interfaces */
    want = seq_frame(99);
    chan_send(&r, &want);
    assert_frame_eq(&got, sock_recv(fd0, &got), &want, false);
    assert_frame_eq(&got, sock_recv(fd1, &got), &want, false);

    g_assert_cmpuint(counter(&r, "h0", "rx-frames"), ==, 10);
    g_assert_cmpuint(counter(&r, "h1", "rx-frames"), ==, 10);
    g_assert_cmpuint(counter(&r, "h0", "tx-frames"), ==, 11);
    g_assert_cmpuint(counter(&r, "h1", "tx-frames"), ==, 11);
    g_assert_cmpuint(qom_u64(&r, "/objects/b0", "fd-frames"), ==, 10);
    g_assert_cmpuint(qom_u64(&r, "/machine/peripheral/kv/chip[0]",
                             "rx-fd-ignored"), ==, 10);
    /* the guest's sentinel is the next frame on both interfaces */
    sock_assert_sentinel_first(&r, fd0);
    want = frame_from_msg(&can_sentinel);
    assert_frame_eq(&got, sock_recv(fd1, &got), &want, false);
    chan_assert_sentinel_first(&r, fd0);
    rig_stop(&r);
    close(fd0);
    close(fd1);
}

/*
 * An interface with the classic MTU cannot carry CAN FD: the backend
 * drops the bus's FD frames, counts them, warns once; classic frames pass.
 */
static void test_fd_on_classic_mtu(void)
{
    struct canfd_frame want, got;
    int fd0, fd2, i;
    Rig r;

    if (!have_interfaces("vcan0", "vcan2", NULL)) {
        return;
    }
    fd0 = sock_open("vcan0");
    fd2 = sock_open("vcan2");
    rig_start(&r, "-object can-host-socketcan,id=h0,if=vcan0,canbus=b0 "
              "-object can-host-socketcan,id=h2,if=vcan2,canbus=b0", true);
    for (i = 0; i < 3; i++) {
        want = fd_frame(0x200 + i, 64);
        sock_send(fd0, &want, true);
        want = seq_frame(i);
        sock_send(fd0, &want, false);
        assert_frame_eq(&got, sock_recv(fd2, &got), &want, false);
    }
    g_assert_cmpuint(counter(&r, "h2", "tx-dropped"), ==, 3);
    g_assert_cmpuint(counter(&r, "h2", "tx-frames"), ==, 3);
    g_assert_cmpuint(counter(&r, "h0", "rx-frames"), ==, 6);
    sock_assert_sentinel_first(&r, fd2);

    g_assert_cmpuint(rig_stderr_count(&r, "can-host-socketcan: vcan2 does "
                                      "not carry CAN FD"), ==, 1);
    rig_stop(&r);
    close(fd0);
    close(fd2);
}

/*
 * The MTU of vcan2 changes while QEMU runs: CAN FD frames pass once it is
 * CAN FD's, and are dropped, with a new warning, once it is classic again.
 */
static void test_fd_mtu_change(void)
{
    const char *warning = "can-host-socketcan: vcan2 does not carry CAN FD";
    struct canfd_frame want = fd_frame(0x321, 48), got;
    int fd0, fd2;
    Rig r;

    if (!have_interfaces("vcan0", "vcan2", NULL)) {
        return;
    }
    fd0 = sock_open("vcan0");
    rig_start(&r, "-object can-host-socketcan,id=h0,if=vcan0,canbus=b0 "
              "-object can-host-socketcan,id=h2,if=vcan2,canbus=b0", true);
    sock_send(fd0, &want, true);
    while (!counter(&r, "h2", "tx-dropped")) {
        g_usleep(1000);
    }

    set_mtu("vcan2", CANFD_MTU);
    fd2 = sock_open("vcan2");
    sock_send(fd0, &want, true);
    assert_frame_eq(&got, sock_recv(fd2, &got), &want, true);
    g_assert_cmpuint(counter(&r, "h2", "tx-dropped"), ==, 1);
    g_assert_cmpuint(counter(&r, "h2", "tx-frames"), ==, 1);

    set_mtu("vcan2", CAN_MTU);
    /* the first FD frame fails to go and tells the backend; later ones wait */
    sock_send(fd0, &want, true);
    sock_send(fd0, &want, true);
    want = seq_frame(1);
    sock_send(fd0, &want, false);
    assert_frame_eq(&got, sock_recv(fd2, &got), &want, false);
    sock_assert_sentinel_first(&r, fd2);
    g_assert_cmpuint(counter(&r, "h2", "tx-dropped"), ==, 3);
    g_assert_cmpuint(rig_stderr_count(&r, warning), ==, 2);
    rig_stop(&r);
    close(fd0);
    close(fd2);
}

/*
 * Error frames
 */

/* Send a controller error report on @fd as a CAN driver would */
static bool send_error_frame(int fd, struct canfd_frame *f)
{
    memset(f, 0, sizeof(*f));
    f->can_id = CAN_ERR_FLAG | CAN_ERR_CRTL;
    f->len = CAN_ERR_DLC;
    f->data[1] = CAN_ERR_CRTL_RX_WARNING;
    if (write(fd, f, CAN_MTU) != CAN_MTU) {
        g_autofree char *msg = g_strdup_printf(
            "the kernel refuses error frames from a raw socket (%s)",
            strerror(errno));

        g_test_skip(msg);
        return false;
    }
    return true;
}

/* By default the host's error frames are counted and kept off the bus */
static void test_error_frames_kept_off(void)
{
    struct canfd_frame ef, want = seq_frame(5), got;
    int fd0, fd1;
    Rig r;

    if (!rig_start_host(&r, "", &fd0, &fd1)) {
        return;
    }
    if (send_error_frame(fd0, &ef)) {
        /* a data frame behind it comes through: the error frame was read */
        sock_send(fd0, &want, false);
        assert_frame_eq(&got, sock_recv(fd1, &got), &want, false);
        g_assert_true(chan_recv(&r, &got));
        assert_frame_eq(&got, CAN_MTU, &want, false);
        g_assert_cmpuint(counter(&r, "h0", "rx-error-frames"), ==, 1);
        g_assert_cmpuint(counter(&r, "h0", "rx-frames"), ==, 1);
        g_assert_cmpuint(qom_u64(&r, "/objects/b0", "error-frames"), ==, 0);
        /* the guest's sentinel first: the host's would reach vcan1 too */
        sock_assert_sentinel_first(&r, fd1);
        chan_assert_sentinel_first(&r, fd0);
    }
    rig_stop(&r);
    close(fd0);
    close(fd1);
}

/*
 * error-frames=on passes them to the bus: the other backend puts them on
 * its interface; the SJA1000 channel does not store them.
 */
static void test_error_frames_passed(void)
{
    struct canfd_frame ef, got;
    int fd0, fd1;
    Rig r;

    if (!rig_start_host(&r, ",error-frames=on", &fd0, &fd1)) {
        return;
    }
    if (send_error_frame(fd0, &ef)) {
        assert_frame_eq(&got, sock_recv(fd1, &got), &ef, false);
        g_assert_cmpuint(counter(&r, "h0", "rx-error-frames"), ==, 1);
        g_assert_cmpuint(counter(&r, "h0", "rx-frames"), ==, 1);
        g_assert_cmpuint(counter(&r, "h1", "tx-frames"), ==, 1);
        g_assert_cmpuint(qom_u64(&r, "/objects/b0", "error-frames"), ==, 1);
        chan_assert_sentinel_first(&r, fd0);
    }
    rig_stop(&r);
    close(fd0);
    close(fd1);
}

/*
 * The interface going down and up
 */

/*
 * vcan0 goes down in the middle of traffic and comes back: QEMU keeps
 * running, the guest's frames meanwhile are dropped and counted, the
 * link errors are counted, and traffic resumes both ways.
 */
static void test_link_down_up(void)
{
    struct canfd_frame f;
    uint64_t link_errors;
    Rig r;
    int fd, i;

    if (!rig_start_host(&r, "", &fd, NULL)) {
        return;
    }
    guest_to_host(&r, fd, 0, 10);
    host_to_guest(&r, fd, 0, 10);
    /* frames still queued for the backend when the link goes */
    for (i = 0; i < 3; i++) {
        f = seq_frame(100 + i);
        sock_send(fd, &f, false);
    }
    set_link("vcan0", false);

    for (i = 0; i < 5; i++) {
        f = seq_frame(200 + i);
        chan_send(&r, &f);
    }
    /* the backend sees the link errors while QEMU answers as ever */
    for (i = 0; i < 100 && !counter(&r, "h0", "link-errors"); i++) {
        g_usleep(10000);
    }
    link_errors = counter(&r, "h0", "link-errors");
    g_assert_cmpuint(link_errors, >=, 1);
    g_assert_cmpuint(counter(&r, "h0", "tx-dropped"), ==, 5);
    while (chan_recv(&r, &f) && f.can_id != seq_frame(102).can_id) {
        /* whatever of the 3 in flight made it before the link went */
    }

    set_link("vcan0", true);
    guest_to_host(&r, fd, 300, 20);
    host_to_guest(&r, fd, 400, 20);
    g_assert_cmpuint(counter(&r, "h0", "tx-frames"), ==, 30);
    g_assert_cmpuint(counter(&r, "h0", "link-errors"), >=, link_errors);
    chan_assert_sentinel_first(&r, fd);
    sock_assert_sentinel_first(&r, fd);
    rig_stop(&r);
    close(fd);
}

/* A host application that sends on vcan0 until told to stop */
typedef struct Flood {
    int fd;
    bool stop;
    unsigned sent;
} Flood;

static gpointer flood_thread(gpointer opaque)
{
    Flood *fl = opaque;
    struct canfd_frame f;

    while (!qatomic_read(&fl->stop)) {
        f = seq_frame(fl->sent);
        /* ENETDOWN while the link is down; the sender carries on */
        if (write(fl->fd, &f, CAN_MTU) == CAN_MTU) {
            fl->sent++;
        }
        g_usleep(1000);
    }
    return NULL;
}

/*
 * QEMU starts while vcan0 is down, as before an adapter is configured:
 * the guest's frames are dropped and counted until it comes up, then
 * traffic flows both ways.
 */
static void test_link_down_at_start(void)
{
    struct canfd_frame f = seq_frame(0);
    Rig r;
    int fd;

    if (!have_interfaces("vcan0", NULL)) {
        return;
    }
    fd = sock_open("vcan0");
    set_link("vcan0", false);
    rig_start(&r, "-object can-host-socketcan,id=h0,if=vcan0,canbus=b0",
              false);
    chan_send(&r, &f);
    g_assert_cmpuint(counter(&r, "h0", "tx-dropped"), ==, 1);
    g_assert_cmpuint(counter(&r, "h0", "link-errors"), >=, 1);
    set_link("vcan0", true);
    guest_to_host(&r, fd, 1, 10);
    host_to_guest(&r, fd, 11, 10);
    chan_assert_sentinel_first(&r, fd);
    sock_assert_sentinel_first(&r, fd);
    rig_stop(&r);
    close(fd);
}

/*
 * vcan1 is deleted and made again while QEMU runs, as a USB adapter is
 * unplugged and plugged back: the guest's frames meanwhile are dropped
 * and counted, and the backend finds the new vcan1 by its name.
 */
static void test_link_deleted_and_back(void)
{
    struct canfd_frame f, got;
    int64_t end;
    Rig r;
    int fd, i;

    if (!have_interfaces("vcan1", NULL)) {
        return;
    }
    fd = sock_open("vcan1");
    rig_start(&r, "-object can-host-socketcan,id=h1,if=vcan1,canbus=b0",
              false);
    guest_to_host(&r, fd, 0, 5);
    close(fd);
    /* a full path, or a busybox shell would run its own ip */
    if (system("/sbin/ip link del vcan1") != 0) {
        g_test_skip("cannot delete vcan1 (iproute2's /sbin/ip)");
        rig_stop(&r);
        return;
    }
    for (i = 0; i < 3; i++) {
        f = seq_frame(10 + i);
        chan_send(&r, &f);
    }
    g_assert_cmpuint(counter(&r, "h1", "tx-dropped"), ==, 3);
    g_assert_cmpuint(counter(&r, "h1", "link-errors"), >=, 1);
    g_assert_cmpint(system("/sbin/ip link add vcan1 type vcan && "
                           "/sbin/ip link set vcan1 up"), ==, 0);

    /* the backend looks for vcan1 now and then: send until it is back */
    fd = sock_open("vcan1");
    end = g_get_monotonic_time() + TIMEOUT_US;
    for (i = 20;; i++) {
        f = seq_frame(i);
        chan_send(&r, &f);
        g_usleep(20000);
        if (sock_recv_nowait(fd, &got) > 0) {
            assert_frame_eq(&got, CAN_MTU, &f, false);
            break;
        }
        g_assert_cmpint(g_get_monotonic_time(), <, end);
    }
    guest_to_host(&r, fd, 100, 10);
    host_to_guest(&r, fd, 200, 10);
    chan_assert_sentinel_first(&r, fd);
    sock_assert_sentinel_first(&r, fd);
    rig_stop(&r);
    close(fd);
}

/*
 * vcan0 goes down and up three times while a host application sends
 * without pause and the guest sends too: QEMU keeps answering, each
 * outage is counted, and once the link stays up traffic flows both ways
 * again, in order.
 */
static void test_link_flapping_under_load(void)
{
    Flood fl = { 0 };
    struct canfd_frame f;
    GThread *thread;
    Rig r;
    int fd, i, j;

    if (!rig_start_host(&r, "", &fd, NULL)) {
        return;
    }
    fl.fd = sock_open("vcan0");
    thread = g_thread_new("flood", flood_thread, &fl);
    /* the flood overruns the RX FIFO meanwhile: the chip counts that */
    for (i = 0; i < 3; i++) {
        for (j = 0; j < 10; j++) {
            f = seq_frame(j);
            chan_send(&r, &f);
        }
        set_link("vcan0", false);
        for (j = 0; j < 10; j++) {
            f = seq_frame(j);
            chan_send(&r, &f);
        }
        set_link("vcan0", true);
    }
    qatomic_set(&fl.stop, true);
    g_thread_join(thread);
    g_assert_cmpuint(fl.sent, >, 0);

    /* let the backend take what is left of the flood, then empty the FIFO */
    for (i = 0; i < 50; i++) {
        while (sja_rd(&r.chan, A_SR) & R_SR_RBS_MASK) {
            sja_wr(&r.chan, A_CMR, R_CMR_RRB_MASK);
        }
        g_usleep(2000);
    }
    while (sock_recv_nowait(fd, &f) > 0) {
        /* the guest's frames from before */
    }
    g_test_message("host sent %u frames, the backend took %" PRIu64
                   ", link errors %" PRIu64, fl.sent,
                   counter(&r, "h0", "rx-frames"),
                   counter(&r, "h0", "link-errors"));
    g_assert_cmpuint(counter(&r, "h0", "link-errors"), >=, 3);
    g_assert_cmpuint(counter(&r, "h0", "tx-dropped"), ==, 30);
    g_assert_cmpuint(counter(&r, "h0", "rx-frames"), >, 0);

    guest_to_host(&r, fd, 500, 20);
    host_to_guest(&r, fd, 600, 20);
    chan_assert_sentinel_first(&r, fd);
    rig_stop(&r);
    close(fl.fd);
    close(fd);
}

/*
 * On a bus with timing=on, host frames take their turn on the wire at the
 * bus's bitrate (the Kvaser channel's 500 kbit/s): a frame of 119 bits
 * (standard id 0x123, 8 bytes 01..08, stuff bits and interframe space
 * included) arrives 238 us of virtual time after the previous one, and
 * frames beyond the backend's place in the queue for the wire are dropped
 * and counted by the bus.
 */
static void test_timed_host_frames_take_wire_time(void)
{
    const struct canfd_frame f = {
        .can_id = 0x123, .len = 8, .data = { 1, 2, 3, 4, 5, 6, 7, 8 },
    };
    const int64_t frame_ns = 119 * 2000;
    const unsigned n = 1100, queued = 1024;
    int64_t end;
    unsigned i;
    bool started;
    Rig r;
    int fd;

    bus_opts = ",timing=on";
    started = rig_start_host(&r, "", &fd, NULL);
    bus_opts = "";
    if (!started) {
        return;
    }
    for (i = 0; i < 4; i++) {
        sock_send(fd, &f, false);
    }
    end = g_get_monotonic_time() + TIMEOUT_US;
    while (counter(&r, "h0", "rx-frames") < 4) {
        g_assert_cmpint(g_get_monotonic_time(), <, end);
    }
    g_assert_cmpuint(sja_rd(&r.chan, A_RMC), ==, 0);
    qtest_clock_step(r.qts, frame_ns - 1);
    g_assert_cmpuint(sja_rd(&r.chan, A_RMC), ==, 0);
    qtest_clock_step(r.qts, 1);
    g_assert_cmpuint(sja_rd(&r.chan, A_RMC), ==, 1);
    qtest_clock_step(r.qts, 3 * frame_ns);
    g_assert_cmpuint(sja_rd(&r.chan, A_RMC), ==, 4);
    g_assert_cmpuint(qom_u64(&r, "/objects/b0", "busy-ns"), ==, 4 * frame_ns);

    /*
     * The FIFO's four frames leave room for a fifth: one frame on the
     * wire, 1024 waiting, the rest dropped
     */
    for (i = 0; i < n; i++) {
        sock_send(fd, &f, false);
        /* in steps the backend's socket buffer holds */
        while (counter(&r, "h0", "rx-frames") + 50 < 4 + i + 1) {
            g_assert_cmpint(g_get_monotonic_time(), <, end + TIMEOUT_US);
        }
    }
    while (counter(&r, "h0", "rx-frames") < 4 + n) {
        g_assert_cmpint(g_get_monotonic_time(), <, end + TIMEOUT_US);
    }
    g_assert_cmpuint(qom_u64(&r, "/objects/b0", "drops"), ==,
                     n - 1 - queued);
    rig_stop(&r);
    close(fd);
}

/*
 * CAN FD frames from a host interface on a bus with bitrate=500000 and
 * data-bitrate=2000000: the frame with BRS takes its nominal bits at
 * 2 us and its data phase at 0.5 us, the one without BRS all its bits at
 * 2 us.  The frame is fd_frame(0x1abcdef | CAN_EFF_FLAG, 64).  Its bits,
 * counted by hand from ISO 11898-1:2015 with this /usr/bin/python3 script
 * (phase 'n' nominal, 'd' data; stuff bits take the phase of the bit
 * they precede):
 *
 *   def b(v, n): return [(v >> (n - 1 - i)) & 1 for i in range(n)]
 *   i = 0x1abcdef
 *   head = [0] + b(i >> 18, 11) + [1, 1] + b(i & 0x3ffff, 18) \
 *          + [0, 1, 0, 1]                 # RRS, FDF, res, BRS
 *   tail = [0] + b(15, 4) + sum((b(0xa0 ^ j, 8) for j in range(64)), [])
 *   wire, run, last = [], 0, None         # ESI, DLC 15, data
 *   for k, x in enumerate(head + tail):
 *       ph = 'n' if k < len(head) else 'd'
 *       if run == 5: wire.append(ph); last = 1 - last; run = 1
 *       wire.append(ph); run = run + 1 if x == last else 1; last = x
 *   # a stuff bit due after the data is replaced by the first fixed one;
 *   # stuff count 4 + CRC-21, with 7 fixed stuff bits, CRC delimiter (the
 *   # rate switches back at its sample point as it switched at BRS's, so
 *   # the two make one nominal and one data bit); then ACK, ACK delimiter,
 *   # EOF, interframe space
 *   print(wire.count('n') + 2 + 7 + 3, wire.count('d') + 25 + 7 + 1)
 *
 * prints 50 560: 50 x 2000 + 560 x 500 = 380000 ns with BRS; without BRS
 * the same 610 bits at 2000 ns, 1220000 ns.
 */
static void test_timed_host_fd_frames_data_phase(void)
{
    static const struct {
        uint8_t flags;
        int64_t ns;
    } cases[] = {
        { CANFD_BRS, 50 * 2000 + 560 * 500 },
        { 0, 610 * 2000 },
    };
    struct canfd_frame want, got;
    int64_t end, busy = 0;
    unsigned i;
    int fd0, fd1;
    bool started;
    Rig r;

    bus_opts = ",timing=on,bitrate=500000,data-bitrate=2000000";
    started = rig_start_host(&r, "", &fd0, &fd1);
    bus_opts = "";
    if (!started) {
        return;
    }
    end = g_get_monotonic_time() + TIMEOUT_US;
    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        want = fd_frame(CAN_EFF_FLAG | 0x1abcdef, 64);
        want.flags = cases[i].flags;
        sock_send(fd0, &want, true);
        while (counter(&r, "h0", "rx-frames") < i + 1) {
            g_assert_cmpint(g_get_monotonic_time(), <, end);
        }
        /*
         * Not yet off the wire: h1, which writes what the bus delivers
         * to vcan1 at once, has written nothing (an empty socket would
         * also be empty were the frame merely on its way)
         */
        qtest_clock_step(r.qts, cases[i].ns - 1);
        g_assert_cmpuint(counter(&r, "h1", "tx-frames"), ==, i);
        qtest_clock_step(r.qts, 1);
        assert_frame_eq(&got, sock_recv(fd1, &got), &want, true);
        busy += cases[i].ns;
    }
    g_assert_cmpuint(qom_u64(&r, "/objects/b0", "busy-ns"), ==, busy);
    g_assert_cmpuint(qom_u64(&r, "/objects/b0", "fd-frames"), ==, 2);
    rig_stop(&r);
    close(fd0);
    close(fd1);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    if (g_getenv("QTEST_CAN_TCG")) {
        rig_qemu_args = "-S -accel tcg";
    }

    qtest_add_func("/socketcan/error/no-interface", test_error_no_interface);
    qtest_add_func("/socketcan/error/not-can", test_error_not_can);
    qtest_add_func("/socketcan/error/no-can-sockets",
                   test_error_no_can_sockets);
    qtest_add_func("/socketcan/error/no-bus", test_error_no_bus);
    qtest_add_func("/socketcan/error/same-interface-twice",
                   test_error_same_interface_twice);
    qtest_add_func("/socketcan/error/same-interface-by-path",
                   test_error_same_interface_by_path);
    qtest_add_func("/socketcan/properties-fixed-after-creation",
                   test_properties_fixed_after_creation);
    qtest_add_func("/socketcan/interface-bridges-buses",
                   test_interface_bridges_buses);
    qtest_add_func("/socketcan/guest-to-host", test_guest_to_host);
    qtest_add_func("/socketcan/guest-frames-not-echoed",
                   test_guest_frames_not_echoed);
    qtest_add_func("/socketcan/host-to-guest/sockets", test_host_to_guest);
    qtest_add_func("/socketcan/host-to-guest/overflow", test_host_overflow);
    qtest_add_func("/socketcan/host-to-guest/can-utils",
                   test_host_to_guest_can_utils);
    qtest_add_func("/socketcan/host-malformed", test_host_malformed);
    qtest_add_func("/socketcan/classic-dlc-over-8", test_classic_dlc_over_8);
    qtest_add_func("/socketcan/object-del-add", test_object_del_add);
    qtest_add_func("/socketcan/tx-pushback/send-buffer",
                   test_tx_pushback_send_buffer);
    qtest_add_func("/socketcan/tx-pushback/qdisc-full",
                   test_tx_pushback_qdisc_full);
    qtest_add_func("/socketcan/fd/bridge", test_bridge_fd);
    qtest_add_func("/socketcan/fd/classic-mtu", test_fd_on_classic_mtu);
    qtest_add_func("/socketcan/fd/mtu-change", test_fd_mtu_change);
    qtest_add_func("/socketcan/error-frames/kept-off",
                   test_error_frames_kept_off);
    qtest_add_func("/socketcan/error-frames/passed", test_error_frames_passed);
    qtest_add_func("/socketcan/link/down-up", test_link_down_up);
    qtest_add_func("/socketcan/link/down-at-start", test_link_down_at_start);
    qtest_add_func("/socketcan/timing/host-frames-take-wire-time",
                   test_timed_host_frames_take_wire_time);
    qtest_add_func("/socketcan/timing/host-fd-frames-data-phase",
                   test_timed_host_fd_frames_data_phase);
    qtest_add_func("/socketcan/link/deleted-and-back",
                   test_link_deleted_and_back);
    qtest_add_func("/socketcan/link/flapping-under-load",
                   test_link_flapping_under_load);
    return g_test_run();
}
