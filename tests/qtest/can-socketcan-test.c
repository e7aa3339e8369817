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
 * With QTEST_CAN_BENCH=N only the benchmark runs: N frames each way,
 * frames per second on stdout as TAP comments.  It uses nothing upstream
 * QEMU lacks, so bench/ runs it against both; as Debian's QEMU is built
 * without the qtest accelerator, the benchmark runs both on TCG with the
 * vCPUs stopped (-S), where qtest still reaches the devices.
 * QTEST_CAN_TCG=1 runs the tests so too, for a QEMU such as Debian's.
 */

#include "qemu/osdep.h"
#include "qemu/atomic.h"
#include "qemu/cutils.h"
#include "libqtest.h"
#include "libqos/pci-pc.h"
#include "qobject/qdict.h"

#include <net/if.h>
#include <sys/ioctl.h>
#include <linux/can.h>
#include <linux/can/error.h>
#include <linux/can/raw.h>

#include "can-sja1000-qtest.h"

#define KVASER_SLOT         4
#define KVASER_SJA_BAR      1

/* Frames that fit in the SJA1000's 64-byte RX FIFO whatever their kind */
#define FIFO_FRAMES         4
/* How long a frame may take to cross QEMU and the host's CAN stack */
#define TIMEOUT_US          (5 * G_USEC_PER_SEC)

typedef struct Rig {
    QTestState *qts;
    QPCIBus *bus;
    SJAChan chan;           /* the Kvaser board's SJA1000 */
    char *stderr_path;      /* QEMU's stderr, when the test reads it */
} Rig;

/*
 * Environment
 */

static const char *no_can_reason;
/* Arguments for every QEMU: TCG for the benchmark (see above) */
static const char *bench_args = "";
/* Options of the bus b0 for the next rig_start() */
static const char *bus_opts = "";
/*
 * Kinds of frame seq_frame() cycles through: 4, or 2 (data frames only)
 * for the benchmark, as upstream QEMU garbles extended remote frames.
 */
static unsigned seq_kinds = 4;

/* NULL if the host has CAN sockets, else why not */
static const char *can_sockets_missing(void)
{
    static bool probed;
    int fd;

    if (!probed) {
        probed = true;
        fd = socket(PF_CAN, SOCK_RAW, CAN_RAW);
        if (fd < 0) {
            no_can_reason = g_strdup_printf("no CAN sockets on this host "
                                            "(%s); tests/hostvm runs these "
                                            "tests in a Linux VM with vcan",
                                            strerror(errno));
        } else {
            close(fd);
        }
    }
    return no_can_reason;
}

/* Skip the test unless CAN sockets and every interface named exist */
static bool have_interfaces(const char *first, ...)
{
    const char *ifname;
    va_list ap;

    if (can_sockets_missing()) {
        g_test_skip(can_sockets_missing());
        return false;
    }
    va_start(ap, first);
    for (ifname = first; ifname; ifname = va_arg(ap, const char *)) {
        if (!if_nametoindex(ifname)) {
            g_autofree char *msg = g_strdup_printf(
                "no interface %s (make it: ip link add %s type vcan)",
                ifname, ifname);

            va_end(ap);
            g_test_skip(msg);
            return false;
        }
    }
    va_end(ap);
    return true;
}

static void set_link(const char *ifname, bool up)
{
    struct ifreq ifr = { 0 };
    int fd = socket(PF_CAN, SOCK_RAW, CAN_RAW);

    g_assert_cmpint(fd, >=, 0);
    pstrcpy(ifr.ifr_name, sizeof(ifr.ifr_name), ifname);
    g_assert_cmpint(ioctl(fd, SIOCGIFFLAGS, &ifr), ==, 0);
    if (up) {
        ifr.ifr_flags |= IFF_UP;
    } else {
        ifr.ifr_flags &= ~IFF_UP;
    }
    g_assert_cmpint(ioctl(fd, SIOCSIFFLAGS, &ifr), ==, 0);
    close(fd);
}

/* Take @ifname down, set its MTU, bring it up */
static void set_mtu(const char *ifname, int mtu)
{
    struct ifreq ifr = { .ifr_mtu = mtu };
    int fd = socket(PF_CAN, SOCK_RAW, CAN_RAW);

    g_assert_cmpint(fd, >=, 0);
    set_link(ifname, false);
    pstrcpy(ifr.ifr_name, sizeof(ifr.ifr_name), ifname);
    g_assert_cmpint(ioctl(fd, SIOCSIFMTU, &ifr), ==, 0);
    set_link(ifname, true);
    close(fd);
}

/*
 * The host side: raw CAN sockets
 */

/* A raw socket on @ifname taking CAN FD frames and every error frame */
static int sock_open(const char *ifname)
{
    struct sockaddr_can addr = { .can_family = AF_CAN };
    struct timeval tv = { .tv_sec = TIMEOUT_US / G_USEC_PER_SEC };
    can_err_mask_t err_mask = CAN_ERR_MASK;
    int on = 1;
    int fd;

    fd = socket(PF_CAN, SOCK_RAW, CAN_RAW);
    g_assert_cmpint(fd, >=, 0);
    addr.can_ifindex = if_nametoindex(ifname);
    g_assert_cmpint(addr.can_ifindex, >, 0);
    setsockopt(fd, SOL_CAN_RAW, CAN_RAW_FD_FRAMES, &on, sizeof(on));
    g_assert_cmpint(setsockopt(fd, SOL_CAN_RAW, CAN_RAW_ERR_FILTER, &err_mask,
                               sizeof(err_mask)), ==, 0);
    g_assert_cmpint(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv,
                               sizeof(tv)), ==, 0);
    g_assert_cmpint(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
    return fd;
}

static void sock_send(int fd, const struct canfd_frame *f, bool fd_frame)
{
    size_t mtu = fd_frame ? CANFD_MTU : CAN_MTU;

    g_assert_cmpint(write(fd, f, mtu), ==, mtu);
}

/*
 * The next frame on @fd within the timeout, or -1.  An error the socket
 * reports (ENETDOWN when its interface went down) is skipped.
 */
static ssize_t sock_recv(int fd, struct canfd_frame *f)
{
    int64_t end = g_get_monotonic_time() + TIMEOUT_US;
    ssize_t len;

    do {
        memset(f, 0, sizeof(*f));
        len = read(fd, f, sizeof(*f));
        if (len >= 0) {
            return len;
        }
    } while ((errno == ENETDOWN || errno == EINTR) &&
             g_get_monotonic_time() < end);
    return -1;
}

/* The next frame already waiting on @fd, or -1 */
static ssize_t sock_recv_nowait(int fd, struct canfd_frame *f)
{
    ssize_t len;

    do {
        len = recv(fd, f, sizeof(*f), MSG_DONTWAIT);
    } while (len < 0 && (errno == ENETDOWN || errno == EINTR));
    return len;
}

/* Nothing waits on @fd */
static void sock_assert_empty(int fd)
{
    struct canfd_frame f;

    g_assert_cmpint(recv(fd, &f, sizeof(f), MSG_DONTWAIT), <, 0);
}

/*
 * A classic frame's DLC over 8 (8 data bytes) travels in Linux's
 * can_frame.len8_dlc, the byte canfd_frame calls __res1.
 */
static uint8_t *len8_dlc(struct canfd_frame *f)
{
    return &((struct can_frame *)f)->len8_dlc;
}

static void assert_frame_eq(const struct canfd_frame *got, ssize_t got_len,
                            const struct canfd_frame *want, bool want_fd)
{
    g_assert_cmpint(got_len, ==, want_fd ? CANFD_MTU : CAN_MTU);
    g_assert_cmphex(got->can_id, ==, want->can_id);
    g_assert_cmpuint(got->len, ==, want->len);
    if (want_fd) {
        g_assert_cmphex(got->flags & (CANFD_BRS | CANFD_ESI), ==,
                        want->flags & (CANFD_BRS | CANFD_ESI));
    } else {
        g_assert_cmpuint(*len8_dlc((struct canfd_frame *)got), ==,
                         *len8_dlc((struct canfd_frame *)want));
    }
    if (!(want->can_id & CAN_RTR_FLAG)) {
        g_assert_cmpmem(got->data, got->len, want->data, want->len);
    }
}

/*
 * Classic frame number @i of a test sequence: standard and extended
 * identifiers, data and remote frames, every length 0..8.
 */
static struct canfd_frame seq_frame(unsigned i)
{
    struct canfd_frame f = { 0 };
    unsigned j;

    switch (i % seq_kinds) {
    case 0:
        f.can_id = (0x100 + i) & CAN_SFF_MASK;
        break;
    case 1:
        f.can_id = CAN_EFF_FLAG | ((0x12345000 + i) & CAN_EFF_MASK);
        break;
    case 2:
        f.can_id = CAN_RTR_FLAG | ((0x700 - i) & CAN_SFF_MASK);
        break;
    default:
        f.can_id = CAN_EFF_FLAG | CAN_RTR_FLAG | (i & CAN_EFF_MASK);
        break;
    }
    f.len = i % (CAN_MAX_DLEN + 1);
    if (!(f.can_id & CAN_RTR_FLAG)) {
        for (j = 0; j < f.len; j++) {
            f.data[j] = i * 7 + j;
        }
    }
    return f;
}

/* A CAN FD frame of @len bytes (a valid FD length), BRS set */
static struct canfd_frame fd_frame(uint32_t can_id, uint8_t len)
{
    struct canfd_frame f = { .can_id = can_id, .len = len,
                             .flags = CANFD_BRS };
    unsigned j;

    for (j = 0; j < len; j++) {
        f.data[j] = 0xa0 ^ j;
    }
    return f;
}

/*
 * The guest side: channel 0 of a Kvaser PCIcan
 */

/*
 * Start QEMU: can-bus b0, the board on it, then @backends.  With
 * @capture_stderr, QEMU's stderr goes to a file for rig_stderr().
 */
static void rig_start(Rig *r, const char *backends, bool capture_stderr)
{
    g_autofree char *redirect = NULL;

    memset(r, 0, sizeof(*r));
    if (capture_stderr) {
        int fd = g_file_open_tmp("can-socketcan-test-XXXXXX",
                                 &r->stderr_path, NULL);

        g_assert_cmpint(fd, >=, 0);
        close(fd);
        redirect = g_strdup_printf("2>%s", r->stderr_path);
    }
    r->qts = qtest_initf("-machine pc -nodefaults %s -object can-bus,id=b0%s "
                         "-device kvaser_pci,id=kv,addr=0x%x,canbus=b0 %s %s",
                         bench_args, bus_opts, KVASER_SLOT, backends,
                         redirect ?: "");
    r->bus = qpci_new_pc(r->qts, NULL);
    r->chan.dev = qpci_device_find(r->bus, QPCI_DEVFN(KVASER_SLOT, 0));
    g_assert(r->chan.dev);
    qpci_device_enable(r->chan.dev);
    r->chan.bar = qpci_iomap(r->chan.dev, KVASER_SJA_BAR, NULL);
    /* no interrupts: the tests poll */
    sja_pelican_setup(&r->chan, 0, 0);
}

/*
 * The rig with backend h0 on vcan0 (@h0_opts appended) and a socket there
 * in *@fd0; given @fd1, also h1 on vcan1, bridged by the bus, and a socket
 * there.  Returns false, having said why, when the host lacks them.
 */
static bool rig_start_host(Rig *r, const char *h0_opts, int *fd0, int *fd1)
{
    g_autofree char *backends = NULL;

    if (!have_interfaces("vcan0", fd1 ? "vcan1" : NULL, NULL)) {
        return false;
    }
    *fd0 = sock_open("vcan0");
    if (fd1) {
        *fd1 = sock_open("vcan1");
    }
    backends = g_strdup_printf("-object can-host-socketcan,id=h0,if=vcan0,"
                               "canbus=b0%s%s", h0_opts,
                               fd1 ? " -object can-host-socketcan,id=h1,"
                                     "if=vcan1,canbus=b0" : "");
    rig_start(r, backends, false);
    return true;
}

static void rig_stop(Rig *r)
{
    g_free(r->chan.dev);
    qpci_free_pc(r->bus);
    qtest_quit(r->qts);
    if (r->stderr_path) {
        unlink(r->stderr_path);
        g_free(r->stderr_path);
    }
}

/* How often QEMU has written @message to stderr (rig_start capture) */
static unsigned rig_stderr_count(Rig *r, const char *message)
{
    g_autofree char *text = NULL;
    const char *p;
    unsigned n = 0;

    g_assert(r->stderr_path);
    g_assert(g_file_get_contents(r->stderr_path, &text, NULL, NULL));
    for (p = strstr(text, message); p; p = strstr(p + 1, message)) {
        n++;
    }
    return n;
}

static uint64_t qom_u64(Rig *r, const char *path, const char *prop)
{
    QDict *rsp = qtest_qmp(r->qts, "{ 'execute': 'qom-get', 'arguments': "
                           "{ 'path': %s, 'property': %s } }", path, prop);
    uint64_t value;

    g_assert(qdict_haskey(rsp, "return"));
    value = qdict_get_int(rsp, "return");
    qobject_unref(rsp);
    return value;
}

static uint64_t counter(Rig *r, const char *backend, const char *prop)
{
    g_autofree char *path = g_strdup_printf("/objects/%s", backend);

    return qom_u64(r, path, prop);
}

/* Transmit a classic frame from the guest; the bus completes it at once */
static void chan_send(Rig *r, const struct canfd_frame *f)
{
    uint8_t fi = (*len8_dlc((struct canfd_frame *)f) ?: f->len) & FI_DLC;
    uint8_t reg = REG_FRAME + 1;
    unsigned j;

    g_assert_cmpuint(f->len, <=, CAN_MAX_DLEN);
    g_assert_true(sja_rd(&r->chan, REG_SR) & SR_TBS);
    if (f->can_id & CAN_RTR_FLAG) {
        fi |= FI_RTR;
    }
    if (f->can_id & CAN_EFF_FLAG) {
        uint32_t id = (f->can_id & CAN_EFF_MASK) << 3;

        sja_wr(&r->chan, REG_FRAME, fi | FI_FF);
        sja_wr(&r->chan, reg++, id >> 24);
        sja_wr(&r->chan, reg++, id >> 16);
        sja_wr(&r->chan, reg++, id >> 8);
        sja_wr(&r->chan, reg++, id);
    } else {
        uint32_t id = (f->can_id & CAN_SFF_MASK) << 5;

        sja_wr(&r->chan, REG_FRAME, fi);
        sja_wr(&r->chan, reg++, id >> 8);
        sja_wr(&r->chan, reg++, id);
    }
    if (!(f->can_id & CAN_RTR_FLAG)) {
        for (j = 0; j < f->len; j++) {
            sja_wr(&r->chan, reg++, f->data[j]);
        }
    }
    sja_wr(&r->chan, REG_CMR, CMR_TR);
    g_assert_true(sja_rd(&r->chan, REG_SR) & SR_TCS);
}

/*
 * Take the next frame from the RX FIFO, waiting for one while QEMU's main
 * loop reads the host socket; false if none came in time.
 */
static bool chan_recv(Rig *r, struct canfd_frame *f)
{
    int64_t end = g_get_monotonic_time() + TIMEOUT_US;
    uint8_t fi, reg = REG_FRAME + 1;
    unsigned j;

    while (!(sja_rd(&r->chan, REG_SR) & SR_RBS)) {
        if (g_get_monotonic_time() > end) {
            return false;
        }
    }
    memset(f, 0, sizeof(*f));
    fi = sja_rd(&r->chan, REG_FRAME);
    f->len = MIN(fi & FI_DLC, CAN_MAX_DLEN);
    if ((fi & FI_DLC) > CAN_MAX_DLEN) {
        *len8_dlc(f) = fi & FI_DLC;
    }
    if (fi & FI_FF) {
        uint32_t id = sja_rd(&r->chan, reg++) << 24;

        id |= sja_rd(&r->chan, reg++) << 16;
        id |= sja_rd(&r->chan, reg++) << 8;
        id |= sja_rd(&r->chan, reg++);
        f->can_id = CAN_EFF_FLAG | (id >> 3);
    } else {
        uint32_t id = sja_rd(&r->chan, reg++) << 8;

        id |= sja_rd(&r->chan, reg++);
        f->can_id = id >> 5;
    }
    if (fi & FI_RTR) {
        f->can_id |= CAN_RTR_FLAG;
    } else {
        for (j = 0; j < f->len; j++) {
            f->data[j] = sja_rd(&r->chan, reg++);
        }
    }
    sja_wr(&r->chan, REG_CMR, CMR_RRB);
    return true;
}

/* The RX FIFO is empty and stays so while QEMU polls the host a while */
static void chan_assert_empty(Rig *r)
{
    int i;

    for (i = 0; i < 100; i++) {
        g_assert_false(sja_rd(&r->chan, REG_SR) & SR_RBS);
    }
    g_assert_cmpuint(sja_rd(&r->chan, REG_RMC), ==, 0);
}

/* Host frames @first..@first+@n-1 of seq_frame() sent on @fd arrive */
static void host_to_guest(Rig *r, int fd, unsigned first, unsigned n)
{
    unsigned i, k;

    for (i = first; i < first + n; i += k) {
        for (k = 0; k < FIFO_FRAMES && i + k < first + n; k++) {
            struct canfd_frame f = seq_frame(i + k);

            sock_send(fd, &f, false);
        }
        for (k = 0; k < FIFO_FRAMES && i + k < first + n; k++) {
            struct canfd_frame want = seq_frame(i + k), got;

            g_assert_true(chan_recv(r, &got));
            assert_frame_eq(&got, CAN_MTU, &want, false);
        }
    }
}

/* Guest frames @first..@first+@n-1 sent on the channel reach @fd */
static void guest_to_host(Rig *r, int fd, unsigned first, unsigned n)
{
    unsigned i;

    for (i = first; i < first + n; i++) {
        struct canfd_frame want = seq_frame(i), got;

        chan_send(r, &want);
        assert_frame_eq(&got, sock_recv(fd, &got), &want, false);
    }
}

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
    sock_assert_empty(fd);
    chan_assert_empty(&r);
    g_assert_cmpuint(qom_u64(&r, "/objects/b1", "frames"), ==, 1);
    g_assert_cmpuint(counter(&r, "h0", "rx-frames"), ==, 0);
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
    sock_assert_empty(fd);
    g_assert_cmpuint(counter(&r, "h0", "tx-frames"), ==, 200);
    g_assert_cmpuint(counter(&r, "h0", "tx-dropped"), ==, 0);
    g_assert_cmpuint(qom_u64(&r, "/objects/b0", "frames"), ==, 200);
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
    chan_assert_empty(&r);
    g_assert_cmpuint(counter(&r, "h0", "rx-frames"), ==, 0);
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
    chan_assert_empty(&r);
    g_assert_cmpuint(counter(&r, "h0", "rx-frames"), ==, 200);
    g_assert_cmpuint(counter(&r, "h0", "rx-malformed"), ==, 0);
    /* the frames went to the guest, not back to the host */
    sock_assert_empty(fd);
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
        while (sja_rd(&r.chan, REG_SR) & SR_RBS) {
            sja_wr(&r.chan, REG_CMR, CMR_RRB);
        }
        got = counter(&r, "h0", "rx-frames");
        still = got && got == last ? still + 1 : 0;
    } while (still < 3 && g_get_monotonic_time() < end);
    f = seq_frame(n);
    sock_send(fd, &f, false);
    do {
        while (sja_rd(&r.chan, REG_SR) & SR_RBS) {
            sja_wr(&r.chan, REG_CMR, CMR_RRB);
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
    int i;

    if (!have_interfaces("vcan0", NULL)) {
        return;
    }
    if (system("command -v cansend >/dev/null && "
               "command -v cangen >/dev/null") != 0) {
        g_test_skip("can-utils (cansend, cangen) not installed");
        return;
    }
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
    chan_assert_empty(&r);
    g_assert_cmpuint(counter(&r, "h0", "rx-frames"), ==, 6);
    rig_stop(&r);
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
        while (sja_rd(&r.chan, REG_SR) & SR_RBS) {
            sja_wr(&r.chan, REG_CMR, CMR_RRB);
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
    chan_assert_empty(&r);
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
    chan_assert_empty(&r);
    g_assert_cmpuint(counter(&r, "h0", "rx-malformed"), ==, 2);
    g_assert_cmpuint(counter(&r, "h0", "rx-frames"), ==, 1);
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
    sock_assert_empty(fd);
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

    sock_assert_empty(fd0);
    sock_assert_empty(fd1);
    chan_assert_empty(&r);
    g_assert_cmpuint(counter(&r, "h0", "rx-frames"), ==, 10);
    g_assert_cmpuint(counter(&r, "h1", "rx-frames"), ==, 10);
    g_assert_cmpuint(counter(&r, "h0", "tx-frames"), ==, 11);
    g_assert_cmpuint(counter(&r, "h1", "tx-frames"), ==, 11);
    g_assert_cmpuint(qom_u64(&r, "/objects/b0", "fd-frames"), ==, 10);
    g_assert_cmpuint(qom_u64(&r, "/machine/peripheral/kv/chip[0]",
                             "rx-fd-ignored"), ==, 10);
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
    sock_assert_empty(fd2);
    g_assert_cmpuint(counter(&r, "h2", "tx-dropped"), ==, 3);
    g_assert_cmpuint(counter(&r, "h2", "tx-frames"), ==, 3);
    g_assert_cmpuint(counter(&r, "h0", "rx-frames"), ==, 6);

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
    sock_assert_empty(fd2);
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
        chan_assert_empty(&r);
        sock_assert_empty(fd1);
        g_assert_cmpuint(counter(&r, "h0", "rx-error-frames"), ==, 1);
        g_assert_cmpuint(counter(&r, "h0", "rx-frames"), ==, 1);
        g_assert_cmpuint(qom_u64(&r, "/objects/b0", "error-frames"), ==, 0);
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
        chan_assert_empty(&r);
        g_assert_cmpuint(counter(&r, "h0", "rx-error-frames"), ==, 1);
        g_assert_cmpuint(counter(&r, "h0", "rx-frames"), ==, 1);
        g_assert_cmpuint(counter(&r, "h1", "tx-frames"), ==, 1);
        g_assert_cmpuint(qom_u64(&r, "/objects/b0", "error-frames"), ==, 1);
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
    chan_assert_empty(&r);
    sock_assert_empty(fd);
    g_assert_cmpuint(counter(&r, "h0", "tx-frames"), ==, 30);
    g_assert_cmpuint(counter(&r, "h0", "link-errors"), >=, link_errors);
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
    chan_assert_empty(&r);
    sock_assert_empty(fd);
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
    chan_assert_empty(&r);
    sock_assert_empty(fd);
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
        while (sja_rd(&r.chan, REG_SR) & SR_RBS) {
            sja_wr(&r.chan, REG_CMR, CMR_RRB);
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
    chan_assert_empty(&r);
    rig_stop(&r);
    close(fl.fd);
    close(fd);
}

/*
 * Benchmark (QTEST_CAN_BENCH=N): frames per second each way, through the
 * register interface as a driver would move them
 */

static unsigned bench_frames;

static void bench_report(const char *dir, unsigned n, int64_t us)
{
    printf("# HOSTVM-METRIC dir=%s frames=%u us=%" PRId64 " fps=%.0f\n",
           dir, n, us, n * (double)G_USEC_PER_SEC / MAX(us, 1));
}

/* @move's frames per second through vcan0 and the guest's channel */
static void bench_direction(const char *dir,
                            void (*move)(Rig *r, int fd, unsigned first,
                                         unsigned n))
{
    int64_t t0;
    Rig r;
    int fd;

    if (!rig_start_host(&r, "", &fd, NULL)) {
        return;
    }
    t0 = g_get_monotonic_time();
    move(&r, fd, 0, bench_frames);
    bench_report(dir, bench_frames, g_get_monotonic_time() - t0);
    rig_stop(&r);
    close(fd);
}

static void bench_host_to_guest(void)
{
    bench_direction("host-to-guest", host_to_guest);
}

static void bench_guest_to_host(void)
{
    bench_direction("guest-to-host", guest_to_host);
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
    const unsigned n = 100, queued = 64;
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
    g_assert_cmpuint(sja_rd(&r.chan, REG_RMC), ==, 0);
    qtest_clock_step(r.qts, frame_ns - 1);
    g_assert_cmpuint(sja_rd(&r.chan, REG_RMC), ==, 0);
    qtest_clock_step(r.qts, 1);
    g_assert_cmpuint(sja_rd(&r.chan, REG_RMC), ==, 1);
    qtest_clock_step(r.qts, 3 * frame_ns);
    g_assert_cmpuint(sja_rd(&r.chan, REG_RMC), ==, 4);
    g_assert_cmpuint(qom_u64(&r, "/objects/b0", "busy-ns"), ==, 4 * frame_ns);

    /* one frame on the wire, 64 waiting, the rest dropped */
    for (i = 0; i < n; i++) {
        sock_send(fd, &f, false);
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
        qtest_clock_step(r.qts, cases[i].ns - 1);
        g_assert_cmpint(sock_recv_nowait(fd1, &got), <, 0);
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
    const char *bench = g_getenv("QTEST_CAN_BENCH");

    g_test_init(&argc, &argv, NULL);
    if (g_getenv("QTEST_CAN_TCG")) {
        bench_args = "-S -accel tcg";
    }

    if (bench) {
        bench_frames = MAX(atoi(bench), 1);
        bench_args = "-S -accel tcg";
        seq_kinds = 2;
        qtest_add_func("/socketcan/bench/host-to-guest", bench_host_to_guest);
        qtest_add_func("/socketcan/bench/guest-to-host", bench_guest_to_host);
        return g_test_run();
    }

    qtest_add_func("/socketcan/error/no-interface", test_error_no_interface);
    qtest_add_func("/socketcan/error/not-can", test_error_not_can);
    qtest_add_func("/socketcan/error/no-can-sockets",
                   test_error_no_can_sockets);
    qtest_add_func("/socketcan/error/no-bus", test_error_no_bus);
    qtest_add_func("/socketcan/error/same-interface-twice",
                   test_error_same_interface_twice);
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
