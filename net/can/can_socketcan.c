/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * can-host-socketcan: a can-bus joined to a Linux SocketCAN interface
 * (a real adapter such as can0, or vcan0) through a raw CAN socket.
 *
 * Frames go both ways, classic and CAN FD.  The socket never blocks the
 * main loop: frames for the host wait in a bounded queue while the socket
 * pushes back, and whatever cannot be carried is counted.  The socket does
 * not receive its own transmissions, so the guest's frames never come back
 * to the bus; the frames of every other host application do.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "qemu/cutils.h"
#include "qemu/main-loop.h"
#include "qemu/timer.h"
#include "qom/object_interfaces.h"
#include "io/channel-socket.h"
#include "net/can_host.h"
#include "net/can_raw_socket.h"
#include "trace.h"

#include <net/if.h>
#include <sys/ioctl.h>
#include <linux/can.h>
#include <linux/can/error.h>
#include <linux/can/raw.h>

#define TYPE_CAN_HOST_SOCKETCAN "can-host-socketcan"
OBJECT_DECLARE_SIMPLE_TYPE(CanHostSocketCAN, CAN_HOST_SOCKETCAN)

/* Frames for the host that may wait while the socket pushes back */
#define SOCKETCAN_TX_QUEUE_LEN 256
/* Frames read from the host per main loop dispatch */
#define SOCKETCAN_RX_BATCH 64
/* How long frames wait when the interface's own queue is full */
#define SOCKETCAN_RETRY_US 1000
/* How often a backend whose interface is gone looks for it again */
#define SOCKETCAN_REBIND_MS 100

struct CanHostSocketCAN {
    CanHostState parent_obj;

    char *ifname;
    int ifindex;                /* once open */
    bool error_frames;
    bool fd_frames;             /* the socket takes CAN FD frames */
    bool fd_capable;            /* ... and the interface's MTU carries them */
    bool warned_fd;
    QIOChannelSocket *sioc;
    guint rx_watch;
    QEMUTimer *tx_retry;        /* the interface's queue is full */
    QEMUTimer *rebind;          /* the interface is gone */
    bool gone;
    CanHostTxQueue tx_queue;    /* of SocketCANTxFrame */

    uint64_t rx_frames;         /* host -> bus */
    uint64_t tx_frames;         /* bus -> host */
    uint64_t rx_error_frames;   /* error frames kept off the bus */
    uint64_t rx_malformed;
    uint64_t rx_dropped;        /* lost in the kernel: QEMU read too late */
    uint32_t kernel_drops;      /* the socket's drop count, last seen */
    uint64_t tx_dropped;
    uint64_t link_errors;
};

typedef struct SocketCANTxFrame {
    struct canfd_frame frame;
    size_t mtu;
} SocketCANTxFrame;

/* Linux's frame layout to ours; false if the host sent nonsense */
static bool socketcan_to_bus(const struct canfd_frame *in, ssize_t len,
                             qemu_can_frame *out)
{
    memset(out, 0, sizeof(*out));
    out->can_id = in->can_id;
    if (len == CAN_MTU) {
        const struct can_frame *cf = (const struct can_frame *)in;

        if (cf->len > CAN_MAX_DLEN) {
            return false;
        }
        out->can_dlc = cf->len;
        if (cf->len == CAN_MAX_DLEN && cf->len8_dlc > CAN_MAX_DLEN &&
            cf->len8_dlc <= CAN_MAX_RAW_DLC) {
            out->len8_dlc = cf->len8_dlc;
        }
    } else if (len == CANFD_MTU) {
        if (in->len > CANFD_MAX_DLEN ||
            can_dlc2len(can_len2dlc(in->len)) != in->len ||
            (in->can_id & CAN_RTR_FLAG)) {
            return false;
        }
        out->can_dlc = in->len;
        out->flags = QEMU_CAN_FRMF_TYPE_FD |
                     (in->flags & CANFD_BRS ? QEMU_CAN_FRMF_BRS : 0) |
                     (in->flags & CANFD_ESI ? QEMU_CAN_FRMF_ESI : 0);
    } else {
        return false;
    }
    if (!(in->can_id & CAN_EFF_FLAG) && (in->can_id & ~CAN_SFF_MASK &
                                         ~(CAN_RTR_FLAG | CAN_ERR_FLAG))) {
        return false;
    }
    if (!(out->can_id & QEMU_CAN_RTR_FLAG)) {
        memcpy(out->data, in->data, out->can_dlc);
    }
    return true;
}

static void socketcan_link_error(CanHostSocketCAN *s, const char *op,
                                 Error *err)
{
    s->link_errors++;
    trace_can_socketcan_link_error(s->ifname, op, error_get_pretty(err));
    error_free(err);
}

/*
 * Whether the interface carries CAN FD now.  Its MTU can change while it
 * is down, so this is asked again when the answer may have changed: for
 * an FD frame the interface did not carry, and after a failed write.
 */
static void socketcan_check_mtu(CanHostSocketCAN *s)
{
    struct ifreq ifr = { 0 };
    bool fd_capable;

    pstrcpy(ifr.ifr_name, sizeof(ifr.ifr_name), s->ifname);
    if (ioctl(s->sioc->fd, SIOCGIFMTU, &ifr) < 0) {
        return;
    }
    fd_capable = s->fd_frames && ifr.ifr_mtu >= CANFD_MTU;
    if (fd_capable != s->fd_capable) {
        trace_can_socketcan_mtu(s->ifname, ifr.ifr_mtu);
        s->fd_capable = fd_capable;
        /* a new warning when CAN FD goes again */
        s->warned_fd = false;
    }
}

/*
 * The interface is gone (a USB adapter unplugged, a vcan deleted) and the
 * kernel has unbound the socket: look for an interface of that name every
 * SOCKETCAN_REBIND_MS, and bind to it once it is back.
 */
static void socketcan_rebind(void *opaque)
{
    CanHostSocketCAN *s = opaque;
    struct sockaddr_can addr = { .can_family = AF_CAN };
    /* the kernel dropped the socket's filters with the interface */
    struct can_filter all = { .can_id = 0, .can_mask = 0 };
    int fd = s->sioc->fd;

    addr.can_ifindex = can_raw_socket_ifindex(fd, s->ifname, NULL);
    if (addr.can_ifindex >= 0 &&
        setsockopt(fd, SOL_CAN_RAW, CAN_RAW_FILTER, &all, sizeof(all)) == 0 &&
        bind(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0) {
        s->ifindex = addr.can_ifindex;
        s->gone = false;
        trace_can_socketcan_rebound(s->ifname, s->ifindex);
        socketcan_check_mtu(s);
        return;
    }
    timer_mod(s->rebind, qemu_clock_get_ms(QEMU_CLOCK_REALTIME) +
              SOCKETCAN_REBIND_MS);
}

static void socketcan_gone(CanHostSocketCAN *s)
{
    if (!s->gone) {
        s->gone = true;
        trace_can_socketcan_gone(s->ifname);
        timer_mod(s->rebind, qemu_clock_get_ms(QEMU_CLOCK_REALTIME) +
                  SOCKETCAN_REBIND_MS);
    }
}

static gboolean socketcan_readable(QIOChannel *ioc, GIOCondition cond,
                                   gpointer opaque)
{
    CanHostSocketCAN *s = opaque;
    CanHostState *ch = CAN_HOST(s);
    struct canfd_frame buf;
    struct sockaddr_storage from;
    qemu_can_frame frame;
    Error *err = NULL;
    ssize_t len;
    int i, flags;

    /*
     * A host application sending without pause must not keep the main loop
     * here: take a batch, and the watch fires again for the rest.
     */
    for (i = 0; i < SOCKETCAN_RX_BATCH; i++) {
        /*
         * Frames lost since the last one read (the kernel counts them)
         * go into rx-dropped.
         */
        len = can_host_recv(s->sioc->fd, &buf, sizeof(buf), &from, &flags,
                            &s->kernel_drops, &s->rx_dropped);
        if (len == -EAGAIN || len == -EINTR) {
            break;
        }
        if (len < 0) {
            /* e.g. ENETDOWN while the interface is down: keep watching */
            error_setg_errno(&err, -len, "read");
            socketcan_link_error(s, "read", err);
            if (len == -ENODEV) {
                socketcan_gone(s);
            }
            break;
        }
        if (buf.can_id & CAN_ERR_FLAG) {
            s->rx_error_frames++;
            if (!s->error_frames) {
                continue;
            }
        }
        if (!socketcan_to_bus(&buf, len, &frame)) {
            s->rx_malformed++;
            trace_can_socketcan_malformed(s->ifname, len);
            continue;
        }
        s->rx_frames++;
        trace_can_socketcan_rx(s->ifname, frame.can_id, frame.can_dlc);
        can_bus_client_send(&ch->bus_client, &frame, 1);
    }
    return G_SOURCE_CONTINUE;
}

/* socketcan_write(): the interface's own queue is full */
#define SOCKETCAN_ERR_NOBUFS -3

/*
 * Write one frame: its length, QIO_CHANNEL_ERR_BLOCK when the socket's
 * buffer is full, SOCKETCAN_ERR_NOBUFS when the interface's queue is, or
 * -1 when the frame cannot go (the interface down or gone, its MTU too
 * small).
 */
static ssize_t socketcan_write(CanHostSocketCAN *s, SocketCANTxFrame *tx)
{
    Error *err = NULL;
    ssize_t len;
    int attempt, errnum;

    for (attempt = 0; attempt < 2; attempt++) {
        len = qio_channel_write(QIO_CHANNEL(s->sioc), (char *)&tx->frame,
                                tx->mtu, &err);
        if (len >= 0 || len == QIO_CHANNEL_ERR_BLOCK) {
            return len;
        }
        /* the write's: Error functions preserve errno */
        errnum = errno;
        if (errnum == ENOBUFS) {
            error_free(err);
            return SOCKETCAN_ERR_NOBUFS;
        }
        if (errnum == ENODEV || errnum == ENXIO) {
            /* unbound: the interface is gone */
            socketcan_gone(s);
        }
        if (attempt == 0) {
            /*
             * The socket reports an error once, on its next call: this
             * may be the ENETDOWN of an interface that is up again by
             * now.  Counted once; the frame gets a second try.
             */
            socketcan_link_error(s, "write", err);
        } else {
            error_free(err);
        }
        err = NULL;
    }
    return -1;
}

/*
 * Send the queue's head; when the socket's buffer is full, wait until the
 * socket is writable; when the interface's queue is (the socket stays
 * writable), wait a while.
 */
static CanHostTxResult socketcan_send(void *item, void *opaque)
{
    CanHostSocketCAN *s = opaque;
    SocketCANTxFrame *tx = item;
    ssize_t len = socketcan_write(s, tx);

    if (len == QIO_CHANNEL_ERR_BLOCK) {
        return CAN_HOST_TX_BLOCKED;
    }
    if (len == SOCKETCAN_ERR_NOBUFS) {
        trace_can_socketcan_tx_busy(s->ifname, tx->frame.can_id);
        timer_mod(s->tx_retry, qemu_clock_get_us(QEMU_CLOCK_REALTIME) +
                  SOCKETCAN_RETRY_US);
        return CAN_HOST_TX_AGAIN;
    }
    if (len < 0) {
        /* the interface is down, gone, or its MTU shrank: lost */
        if (tx->mtu == CANFD_MTU) {
            socketcan_check_mtu(s);
        }
        return CAN_HOST_TX_DROPPED;
    }
    s->tx_frames++;
    return CAN_HOST_TX_SENT;
}

static void socketcan_flush(CanHostSocketCAN *s)
{
    if (!timer_pending(s->tx_retry)) {
        can_host_tx_queue_flush(&s->tx_queue, QIO_CHANNEL(s->sioc));
    }
}

static void socketcan_retry(void *opaque)
{
    socketcan_flush(opaque);
}

static bool socketcan_can_receive(CanBusClientState *client)
{
    return true;
}

static ssize_t socketcan_receive(CanBusClientState *client,
                                 const qemu_can_frame *frames,
                                 size_t frames_cnt)
{
    CanHostSocketCAN *s = CAN_HOST_SOCKETCAN(
        container_of(client, CanHostState, bus_client));
    size_t i;

    for (i = 0; i < frames_cnt; i++) {
        const qemu_can_frame *f = &frames[i];
        bool fd = f->flags & QEMU_CAN_FRMF_TYPE_FD;
        SocketCANTxFrame *tx;

        if (fd && !s->fd_capable) {
            socketcan_check_mtu(s);
        }
        if (fd && !s->fd_capable) {
            s->tx_dropped++;
            if (!s->warned_fd) {
                warn_report("can-host-socketcan: %s does not carry CAN FD "
                            "(its MTU is classic CAN's): CAN FD frames from "
                            "the bus are dropped", s->ifname);
                s->warned_fd = true;
            }
            continue;
        }
        tx = g_new0(SocketCANTxFrame, 1);
        tx->frame.can_id = f->can_id;
        tx->frame.len = f->can_dlc;
        if (fd) {
            tx->mtu = CANFD_MTU;
            tx->frame.flags = (f->flags & QEMU_CAN_FRMF_BRS ? CANFD_BRS : 0) |
                              (f->flags & QEMU_CAN_FRMF_ESI ? CANFD_ESI : 0);
        } else {
            tx->mtu = CAN_MTU;
            ((struct can_frame *)&tx->frame)->len8_dlc = f->len8_dlc;
        }
        if (!(f->can_id & QEMU_CAN_RTR_FLAG)) {
            memcpy(tx->frame.data, f->data, f->can_dlc);
        }
        if (can_host_tx_queue_push(&s->tx_queue, tx)) {
            trace_can_socketcan_tx(s->ifname, f->can_id, f->can_dlc);
        } else {
            trace_can_socketcan_tx_full(s->ifname, f->can_id);
        }
    }
    socketcan_flush(s);
    return frames_cnt;
}

static const CanBusClientInfo socketcan_bus_client_info = {
    .can_receive = socketcan_can_receive,
    .receive = socketcan_receive,
};

static bool socketcan_open(CanHostState *ch, CanBusState *bus, Error **errp)
{
    ERRP_GUARD();
    CanHostSocketCAN *s = CAN_HOST_SOCKETCAN(ch);
    CanRawSocketInfo info;
    int fd;

    if (!s->ifname) {
        error_setg(errp, "can-host-socketcan: property 'if' is required: a "
                   "host CAN interface such as can0 or vcan0");
        return false;
    }
    /* error frames are always read, to be counted even when kept off */
    fd = can_raw_socket_open(s->ifname, CAN_RAW_SOCKET_ERROR_FRAMES, &info,
                             errp);
    if (fd < 0) {
        error_prepend(errp, "can-host-socketcan: ");
        return false;
    }
    s->ifindex = info.ifindex;
    s->fd_frames = info.fd_frames;
    s->fd_capable = info.fd_mtu;
    if (!can_host_check_unique(ch, bus, s->ifname, errp)) {
        close(fd);
        return false;
    }
    s->sioc = qio_channel_socket_new_fd(fd, errp);
    if (!s->sioc) {
        close(fd);
        return false;
    }
    qio_channel_set_name(QIO_CHANNEL(s->sioc), "can-host-socketcan");
    s->tx_retry = timer_new_us(QEMU_CLOCK_REALTIME, socketcan_retry, s);
    s->rebind = timer_new_ms(QEMU_CLOCK_REALTIME, socketcan_rebind, s);
    /*
     * An interface going down reports an error on the socket; reading it
     * clears it, so errors are watched as well as data.
     */
    s->rx_watch = qio_channel_add_watch(QIO_CHANNEL(s->sioc),
                                        G_IO_IN | G_IO_ERR | G_IO_HUP,
                                        socketcan_readable, s, NULL);
    return true;
}

static void socketcan_close(CanHostState *ch)
{
    CanHostSocketCAN *s = CAN_HOST_SOCKETCAN(ch);

    g_clear_handle_id(&s->rx_watch, g_source_remove);
    g_clear_pointer(&s->tx_retry, timer_free);
    g_clear_pointer(&s->rebind, timer_free);
    can_host_tx_queue_clear(&s->tx_queue);
    g_clear_pointer(&s->sioc, object_unref);
}

static const char *socketcan_host_name(CanHostState *ch)
{
    return CAN_HOST_SOCKETCAN(ch)->ifname;
}

static char *socketcan_get_if(Object *obj, Error **errp)
{
    return g_strdup(CAN_HOST_SOCKETCAN(obj)->ifname);
}

static void socketcan_set_if(Object *obj, const char *value, Error **errp)
{
    can_host_set_str(obj, "if", &CAN_HOST_SOCKETCAN(obj)->ifname, value,
                     errp);
}

static bool socketcan_get_error_frames(Object *obj, Error **errp)
{
    return CAN_HOST_SOCKETCAN(obj)->error_frames;
}

static void socketcan_set_error_frames(Object *obj, bool value, Error **errp)
{
    CAN_HOST_SOCKETCAN(obj)->error_frames = value;
}

static const CanHostCounter socketcan_counters[] = {
    CAN_HOST_COUNTER("rx-frames", CanHostSocketCAN, rx_frames),
    CAN_HOST_COUNTER("tx-frames", CanHostSocketCAN, tx_frames),
    CAN_HOST_COUNTER("rx-error-frames", CanHostSocketCAN, rx_error_frames),
    CAN_HOST_COUNTER("rx-malformed", CanHostSocketCAN, rx_malformed),
    CAN_HOST_COUNTER("rx-dropped", CanHostSocketCAN, rx_dropped),
    CAN_HOST_COUNTER("tx-dropped", CanHostSocketCAN, tx_dropped),
    CAN_HOST_COUNTER("link-errors", CanHostSocketCAN, link_errors),
};

static void socketcan_init(Object *obj)
{
    CanHostSocketCAN *s = CAN_HOST_SOCKETCAN(obj);

    can_host_tx_queue_init(&s->tx_queue, SOCKETCAN_TX_QUEUE_LEN, g_free,
                           &s->tx_dropped, socketcan_send, s);
    can_host_add_counters(obj, socketcan_counters,
                          ARRAY_SIZE(socketcan_counters));
}

static void socketcan_finalize(Object *obj)
{
    g_free(CAN_HOST_SOCKETCAN(obj)->ifname);
}

static void socketcan_class_init(ObjectClass *oc, void *data)
{
    CanHostClass *chc = CAN_HOST_CLASS(oc);

    chc->bus_client_info = &socketcan_bus_client_info;
    chc->open = socketcan_open;
    chc->close = socketcan_close;
    chc->host_name = socketcan_host_name;
    object_class_property_add_str(oc, "if", socketcan_get_if,
                                  socketcan_set_if);
    object_class_property_set_description(oc, "if",
        "host CAN interface, e.g. can0 or vcan0");
    object_class_property_add_bool(oc, "error-frames",
                                   socketcan_get_error_frames,
                                   socketcan_set_error_frames);
    object_class_property_set_description(oc, "error-frames",
        "pass the interface's error frames on to the bus (default off)");
}

static const TypeInfo socketcan_types[] = {
    {
        .name = TYPE_CAN_HOST_SOCKETCAN,
        .parent = TYPE_CAN_HOST,
        .instance_size = sizeof(CanHostSocketCAN),
        .instance_init = socketcan_init,
        .instance_finalize = socketcan_finalize,
        .class_init = socketcan_class_init,
    },
};

DEFINE_TYPES(socketcan_types)
