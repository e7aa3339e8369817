/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The rig of the can-host-socketcan qtest and of its benchmark
 * (bench/can-socketcan-bench.c): QEMU with a can-bus b0, channel 0 of a
 * Kvaser PCIcan on it (an SJA1000 in PeliCAN mode, accepting every frame,
 * polled), can-host-socketcan backends on vcan interfaces, and this
 * program's own raw CAN sockets there as the host side.
 */

#ifndef CAN_SOCKETCAN_QTEST_H
#define CAN_SOCKETCAN_QTEST_H

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

#include "can-sja1000-frame.h"

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
/* Arguments for every QEMU: "-S -accel tcg" for a QEMU without qtest */
static const char *rig_qemu_args = "";
/* Options of the bus b0 for the next rig_start() */
static const char *bus_opts = "";
/*
 * Kinds of frame seq_frame() cycles through: 4, or 2 (data frames only)
 * for a benchmark against upstream QEMU, which garbles extended remote
 * frames.
 */
static unsigned seq_kinds = 4;

/* NULL if the host has CAN sockets, else why not */
static inline const char *can_sockets_missing(void)
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
static inline bool have_interfaces(const char *first, ...)
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

static inline void set_link(const char *ifname, bool up)
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
static inline void set_mtu(const char *ifname, int mtu)
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
static inline int sock_open(const char *ifname)
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

static inline void sock_send(int fd, const struct canfd_frame *f, bool fd_frame)
{
    size_t mtu = fd_frame ? CANFD_MTU : CAN_MTU;

    g_assert_cmpint(write(fd, f, mtu), ==, mtu);
}

/*
 * The next frame on @fd within the timeout, or -1.  An error the socket
 * reports (ENETDOWN when its interface went down) is skipped.
 */
static inline ssize_t sock_recv(int fd, struct canfd_frame *f)
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
static inline ssize_t sock_recv_nowait(int fd, struct canfd_frame *f)
{
    ssize_t len;

    do {
        len = recv(fd, f, sizeof(*f), MSG_DONTWAIT);
    } while (len < 0 && (errno == ENETDOWN || errno == EINTR));
    return len;
}

/*
 * A classic frame's DLC over 8 (8 data bytes) travels in Linux's
 * can_frame.len8_dlc, the byte canfd_frame calls __res1.
 */
static inline uint8_t *len8_dlc(struct canfd_frame *f)
{
    return &((struct can_frame *)f)->len8_dlc;
}

static inline void assert_frame_eq(const struct canfd_frame *got,
                                   ssize_t got_len,
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
static inline struct canfd_frame seq_frame(unsigned i)
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
static inline struct canfd_frame fd_frame(uint32_t can_id, uint8_t len)
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
static inline void rig_start(Rig *r, const char *backends, bool capture_stderr)
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
                         rig_qemu_args, bus_opts, KVASER_SLOT, backends,
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
static inline bool rig_start_host(Rig *r, const char *h0_opts, int *fd0,
                                  int *fd1)
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

static inline void rig_stop(Rig *r)
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
static inline unsigned rig_stderr_count(Rig *r, const char *message)
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

static inline uint64_t qom_u64(Rig *r, const char *path, const char *prop)
{
    QDict *rsp = qtest_qmp(r->qts, "{ 'execute': 'qom-get', 'arguments': "
                           "{ 'path': %s, 'property': %s } }", path, prop);
    uint64_t value;

    g_assert(qdict_haskey(rsp, "return"));
    value = qdict_get_int(rsp, "return");
    qobject_unref(rsp);
    return value;
}

static inline uint64_t counter(Rig *r, const char *backend, const char *prop)
{
    g_autofree char *path = g_strdup_printf("/objects/%s", backend);

    return qom_u64(r, path, prop);
}

/* A classic SocketCAN frame as the frame codec's CanMsg */
static inline CanMsg msg_from_frame(const struct canfd_frame *f)
{
    CanMsg m = {
        .ext = f->can_id & CAN_EFF_FLAG,
        .rtr = f->can_id & CAN_RTR_FLAG,
        .dlc = *len8_dlc((struct canfd_frame *)f) ?: f->len,
    };

    m.id = f->can_id & (m.ext ? CAN_EFF_MASK : CAN_SFF_MASK);
    memcpy(m.data, f->data, MIN(f->len, CAN_MAX_DLEN));
    return m;
}

static inline struct canfd_frame frame_from_msg(const CanMsg *m)
{
    struct canfd_frame f = {
        .can_id = m->id | (m->ext ? CAN_EFF_FLAG : 0) |
                  (m->rtr ? CAN_RTR_FLAG : 0),
        .len = MIN(m->dlc, CAN_MAX_DLEN),
    };

    if (m->dlc > CAN_MAX_DLEN) {
        *len8_dlc(&f) = m->dlc;
    }
    if (!m->rtr) {
        memcpy(f.data, m->data, f.len);
    }
    return f;
}

/* Transmit a classic frame from the guest; the bus completes it at once */
static inline void chan_send(Rig *r, const struct canfd_frame *f)
{
    CanMsg m = msg_from_frame(f);

    g_assert_cmpuint(f->len, <=, CAN_MAX_DLEN);
    g_assert_true(sja_rd(&r->chan, A_SR) & R_SR_TBS_MASK);
    sja_load_tx(&r->chan, &m);
    sja_wr(&r->chan, A_CMR, R_CMR_TR_MASK);
    g_assert_true(sja_rd(&r->chan, A_SR) & R_SR_TCS_MASK);
}

/*
 * Take the next frame from the RX FIFO, waiting for one while QEMU's main
 * loop reads the host socket; false if none came in time.
 */
static inline bool chan_recv(Rig *r, struct canfd_frame *f)
{
    int64_t end = g_get_monotonic_time() + TIMEOUT_US;
    CanMsg m;

    while (!(sja_rd(&r->chan, A_SR) & R_SR_RBS_MASK)) {
        if (g_get_monotonic_time() > end) {
            return false;
        }
    }
    sja_read_rx(&r->chan, &m);
    *f = frame_from_msg(&m);
    sja_wr(&r->chan, A_CMR, R_CMR_RRB_MASK);
    return true;
}

/*
 * Checks that nothing came that should not have: a sentinel sent now
 * must be the first frame to arrive, where an empty FIFO or socket alone
 * would also pass were the unwanted frame merely late.
 */

/* The guest gets nothing from the host before a host frame sent on @fd */
static inline void chan_assert_sentinel_first(Rig *r, int fd)
{
    struct canfd_frame want = frame_from_msg(&can_sentinel), got;

    sock_send(fd, &want, false);
    g_assert_true(chan_recv(r, &got));
    assert_frame_eq(&got, CAN_MTU, &want, false);
    g_assert_cmpuint(sja_rd(&r->chan, A_RMC), ==, 0);
}

/* @fd gets nothing before a guest frame sent now */
static inline void sock_assert_sentinel_first(Rig *r, int fd)
{
    struct canfd_frame want = frame_from_msg(&can_sentinel), got;

    chan_send(r, &want);
    assert_frame_eq(&got, sock_recv(fd, &got), &want, false);
}

/* Host frames @first..@first+@n-1 of seq_frame() sent on @fd arrive */
static inline void host_to_guest(Rig *r, int fd, unsigned first, unsigned n)
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
static inline void guest_to_host(Rig *r, int fd, unsigned first, unsigned n)
{
    unsigned i;

    for (i = first; i < first + n; i++) {
        struct canfd_frame want = seq_frame(i), got;

        chan_send(r, &want);
        assert_frame_eq(&got, sock_recv(fd, &got), &want, false);
    }
}

#endif
