/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vhost-device-can: the VIRTIO 1.4 CAN device as a vhost-user backend,
 * bridging a guest's virtio-can to a host SocketCAN interface.
 *
 * One device per vhost-user socket; each has the interface its guest
 * frames are written to (--can-out) and the one whose frames it delivers
 * to the guest (--can-in), one socket when they are the same.  The guest
 * never gets its own frames back: the raw socket does not receive what it
 * sent (CAN_RAW_RECV_OWN_MSGS off), and an echo the kernel still marks as
 * ours (MSG_CONFIRM) is dropped.  CAN FD is offered when the interfaces'
 * MTU says they carry it; a frame type the guest did not negotiate is
 * neither sent nor delivered.  An interface that goes down fails the
 * frames sent meanwhile; one that is deleted is looked up by name until
 * it is back.  Whatever is dropped is counted; SIGUSR1 prints the counts.
 */

#include "qemu/osdep.h"

#include <linux/can.h>
#include <glib-unix.h>

#include "qemu/bitops.h"
#include "qemu/cutils.h"
#include "qemu/iov.h"
#include "qemu/bswap.h"
#include "qemu/sockets.h"
#include "qapi/error.h"
#include "libvhost-user-glib.h"
#include "hw/virtio/virtio-can-msg.h"
#include "net/can_raw_socket.h"

/* How often a deleted interface is looked up again */
#define LINK_REOPEN_MS      250
/* A frame the interface had no room for is tried again after this */
#define TX_RETRY_MS         1
/* Frames read from an interface at one wake-up, so that Tx is not starved */
#define RX_BATCH            64

typedef struct VdcStats {
    uint64_t tx;            /* guest frames written to the interface */
    uint64_t tx_rejected;   /* requests the spec makes NOT_OK */
    uint64_t tx_refused;    /* FD frames for an interface without FD */
    uint64_t tx_failed;     /* the interface was down or gone */
    uint64_t tx_cancelled;  /* sent while the controller was STOPPED */
    uint64_t rx;            /* frames delivered to the guest */
    uint64_t rx_dropped;    /* no (big enough) Rx buffer */
    uint64_t rx_refused;    /* a frame type the guest did not negotiate */
    uint64_t rx_stopped;    /* STOPPED, or no guest connected */
    uint64_t rx_own;        /* our own frames echoed back */
    uint64_t rx_overflow;   /* lost in the socket's receive queue */
    uint64_t ctrl_rejected; /* unknown or short control requests */
    uint64_t if_down;       /* the interface went down */
    uint64_t if_gone;       /* the interface was deleted */
    uint64_t if_back;       /* a deleted interface was found again */
    uint64_t connections;   /* front-ends that connected */
} VdcStats;

typedef struct VdcDev VdcDev;

/* A raw CAN socket bound to a host interface by name */
typedef struct VdcLink {
    VdcDev *dev;
    const char *ifname;
    bool reads;             /* the --can-in side: frames go to the guest */
    int fd;                 /* -1 while the interface is gone */
    bool fd_mtu;            /* the interface's MTU carries CAN FD */
    guint watch;
    guint reopen;
} VdcLink;

struct VdcDev {
    VugDev vug;
    char *path;
    int listen_fd;
    guint listen_watch;
    bool connected;
    bool started;
    uint16_t status;

    VdcLink in;
    VdcLink out_link;
    VdcLink *out;           /* &in when --can-in and --can-out are one */

    /* the Txq request the interface had no room for yet */
    VuVirtqElement *tx_held;
    guint tx_retry;

    VdcStats stats;
};

static VdcDev *devs;
static unsigned dev_count;
static GMainLoop *loop;

static bool vdc_link_open(VdcLink *link, Error **errp);
static void vdc_pump_tx(VdcDev *d);

static uint64_t vdc_features(VdcDev *d)
{
    return d->vug.parent.features;
}

static void vdc_print_stats(VdcDev *d)
{
    VdcStats *s = &d->stats;

    g_printerr("vhost-device-can: stats socket=%s in=%s out=%s tx=%" PRIu64
               " tx-rejected=%" PRIu64 " tx-refused=%" PRIu64
               " tx-failed=%" PRIu64 " tx-cancelled=%" PRIu64
               " rx=%" PRIu64 " rx-dropped=%" PRIu64 " rx-refused=%" PRIu64
               " rx-stopped=%" PRIu64 " rx-own=%" PRIu64
               " rx-overflow=%" PRIu64 " ctrl-rejected=%" PRIu64
               " if-down=%" PRIu64 " if-gone=%" PRIu64 " if-back=%" PRIu64
               " connections=%" PRIu64 "\n",
               d->path, d->in.ifname, d->out->ifname, s->tx, s->tx_rejected,
               s->tx_refused, s->tx_failed, s->tx_cancelled, s->rx,
               s->rx_dropped, s->rx_refused, s->rx_stopped, s->rx_own,
               s->rx_overflow, s->ctrl_rejected, s->if_down, s->if_gone,
               s->if_back, s->connections);
}

/* Host interfaces */

static void vdc_link_close(VdcLink *link)
{
    g_clear_handle_id(&link->watch, g_source_remove);
    if (link->fd >= 0) {
        close(link->fd);
        link->fd = -1;
    }
}

static gboolean vdc_link_reopen(gpointer opaque)
{
    VdcLink *link = opaque;

    if (!vdc_link_open(link, NULL)) {
        return G_SOURCE_CONTINUE;
    }
    link->dev->stats.if_back++;
    g_printerr("vhost-device-can: %s is back%s\n", link->ifname,
               link->fd_mtu ? " (CAN FD)" : "");
    link->reopen = 0;
    return G_SOURCE_REMOVE;
}

/* The interface was deleted: look for one of its name until it is back */
static void vdc_link_lost(VdcLink *link)
{
    if (link->fd < 0) {
        return;
    }
    vdc_link_close(link);
    link->dev->stats.if_gone++;
    g_printerr("vhost-device-can: %s is gone, waiting for it\n",
               link->ifname);
    link->reopen = g_timeout_add(LINK_REOPEN_MS, vdc_link_reopen, link);
}

/* A socket error: the interface went down (ENETDOWN) or away (ENODEV) */
static void vdc_link_error(VdcLink *link, int err)
{
    switch (err) {
    case 0:
        return;
    case ENETDOWN:
        link->dev->stats.if_down++;
        g_printerr("vhost-device-can: %s is down\n", link->ifname);
        return;
    case ENODEV:
    case ENXIO:
        vdc_link_lost(link);
        return;
    default:
        g_printerr("vhost-device-can: %s: %s\n", link->ifname,
                   g_strerror(err));
    }
}

static void vdc_link_take_error(VdcLink *link)
{
    int err = 0;
    socklen_t len = sizeof(err);

    if (getsockopt(link->fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0) {
        vdc_link_error(link, err);
    }
}

static void vdc_deliver(VdcDev *d, const qemu_can_frame *frame, bool *pushed)
{
    VuDev *vu = &d->vug.parent;
    VuVirtq *vq;
    VuVirtqElement *elem;
    VirtIOCANHeader hdr;
    size_t len;

    if (!d->connected || !d->started) {
        d->stats.rx_stopped++;
        return;
    }
    if (!virtio_can_rx_negotiated(frame, vdc_features(d))) {
        d->stats.rx_refused++;
        return;
    }
    vq = vu_get_queue(vu, VIRTIO_CAN_QUEUE_RX);
    elem = vu_queue_started(vu, vq) ?
           vu_queue_pop(vu, vq, sizeof(VuVirtqElement)) : NULL;
    if (!elem) {
        d->stats.rx_dropped++;
        return;
    }
    virtio_can_rx_header(frame, &hdr);
    len = sizeof(hdr) + virtio_can_rx_payload(frame);
    if (iov_size(elem->in_sg, elem->in_num) < len) {
        d->stats.rx_dropped++;
        len = 0;
    } else {
        iov_from_buf(elem->in_sg, elem->in_num, 0, &hdr, sizeof(hdr));
        iov_from_buf(elem->in_sg, elem->in_num, sizeof(hdr), frame->data,
                     len - sizeof(hdr));
        d->stats.rx++;
    }
    vu_queue_push(vu, vq, elem, len);
    free(elem);
    *pushed = true;
}

/* Read one frame; false when there is none (or an error was handled) */
static bool vdc_link_read(VdcLink *link, qemu_can_frame *frame)
{
    struct canfd_frame cf;
    struct iovec iov = { .iov_base = &cf, .iov_len = sizeof(cf) };
    char control[CMSG_SPACE(sizeof(uint32_t))];
    struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1,
        .msg_control = control, .msg_controllen = sizeof(control),
    };
    struct cmsghdr *cmsg;
    ssize_t n;

    for (;;) {
        /* recvmsg() shortens the control buffer to what it filled */
        msg.msg_controllen = sizeof(control);
        n = recvmsg(link->fd, &msg, MSG_DONTWAIT);
        if (n < 0) {
            if (errno != EAGAIN && errno != EINTR) {
                vdc_link_error(link, errno);
            }
            if (errno != EINTR) {
                return false;
            }
            continue;
        }
        for (cmsg = CMSG_FIRSTHDR(&msg); cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg)) {
            if (cmsg->cmsg_level == SOL_SOCKET &&
                cmsg->cmsg_type == SO_RXQ_OVFL) {
                uint32_t total;

                /* the kernel's running count of what it could not queue */
                memcpy(&total, CMSG_DATA(cmsg), sizeof(total));
                link->dev->stats.rx_overflow = total;
            }
        }
        /* our own frame, should the socket ever be told to echo it */
        if (msg.msg_flags & MSG_CONFIRM) {
            link->dev->stats.rx_own++;
            continue;
        }
        if (n != CAN_MTU && n != CANFD_MTU) {
            continue;
        }
        memset(frame, 0, sizeof(*frame));
        frame->can_id = cf.can_id;
        if (n == CANFD_MTU) {
            frame->flags = QEMU_CAN_FRMF_TYPE_FD;
            frame->can_dlc = MIN(cf.len, QEMU_CANFD_MAX_DLEN);
        } else {
            frame->can_dlc = MIN(cf.len, QEMU_CAN_MAX_DLEN);
            frame->len8_dlc = ((struct can_frame *)&cf)->len8_dlc;
        }
        if (!(frame->can_id & QEMU_CAN_RTR_FLAG)) {
            memcpy(frame->data, cf.data, frame->can_dlc);
        }
        return true;
    }
}

static gboolean vdc_link_ready(gint fd, GIOCondition cond, gpointer opaque)
{
    VdcLink *link = opaque;
    VdcDev *d = link->dev;
    qemu_can_frame frame;
    bool pushed = false;
    int i;

    if (cond & G_IO_ERR) {
        vdc_link_take_error(link);
    }
    for (i = 0; link->reads && link->fd >= 0 && i < RX_BATCH; i++) {
        if (!vdc_link_read(link, &frame)) {
            break;
        }
        vdc_deliver(d, &frame, &pushed);
    }
    if (pushed) {
        vu_queue_notify(&d->vug.parent,
                        vu_get_queue(&d->vug.parent, VIRTIO_CAN_QUEUE_RX));
    }
    /* the watch went with the socket if the interface is gone */
    return link->fd >= 0 ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static bool vdc_link_open(VdcLink *link, Error **errp)
{
    CanRawSocketInfo info;
    /* the write-only side of a two-interface set-up receives nothing */
    int fd = can_raw_socket_open(link->ifname,
                                 link->reads ? 0 : CAN_RAW_SOCKET_WRITE_ONLY,
                                 &info, errp);

    if (fd < 0) {
        return false;
    }
    link->fd_mtu = info.fd_mtu;
    link->fd = fd;
    /* a write-only socket is watched for its errors: down, deleted */
    link->watch = g_unix_fd_add(fd, link->reads ? G_IO_IN | G_IO_ERR
                                                : G_IO_ERR,
                                vdc_link_ready, link);
    return true;
}

/* The Txq */

static void vdc_complete(VuDev *vu, VuVirtq *vq, VuVirtqElement *elem,
                         uint8_t result)
{
    size_t len = iov_from_buf(elem->in_sg, elem->in_num, 0, &result, 1);

    vu_queue_push(vu, vq, elem, len);
    free(elem);
}

/*
 * Write the request's frame: a result for the guest, or -1 when the
 * interface has no room now and the request must wait.
 */
static int vdc_send(VdcDev *d, VuVirtqElement *elem)
{
    VdcLink *out = d->out;
    VirtIOCANHeader hdr = { 0 };
    struct canfd_frame cf = { 0 };
    qemu_can_frame frame;
    size_t size = iov_size(elem->out_sg, elem->out_num);
    bool fd;

    if (!d->started) {
        d->stats.tx_cancelled++;
        return VIRTIO_CAN_RESULT_NOT_OK;
    }
    iov_to_buf(elem->out_sg, elem->out_num, 0, &hdr, sizeof(hdr));
    if (virtio_can_tx_refusal(&hdr, size, vdc_features(d))) {
        d->stats.tx_rejected++;
        return VIRTIO_CAN_RESULT_NOT_OK;
    }
    virtio_can_tx_frame(&hdr, &frame);
    fd = frame.flags & QEMU_CAN_FRMF_TYPE_FD;
    if (fd && !out->fd_mtu) {
        d->stats.tx_refused++;
        return VIRTIO_CAN_RESULT_NOT_OK;
    }
    if (out->fd < 0) {
        d->stats.tx_failed++;
        return VIRTIO_CAN_RESULT_NOT_OK;
    }
    cf.can_id = frame.can_id;
    cf.len = frame.can_dlc;
    if (fd) {
        cf.flags = CANFD_FDF;
    } else {
        ((struct can_frame *)&cf)->len8_dlc = frame.len8_dlc;
    }
    if (!(frame.can_id & QEMU_CAN_RTR_FLAG)) {
        iov_to_buf(elem->out_sg, elem->out_num, sizeof(hdr), cf.data, cf.len);
    }
    if (write(out->fd, &cf, fd ? CANFD_MTU : CAN_MTU) < 0) {
        if (errno == EAGAIN || errno == ENOBUFS) {
            return -1;
        }
        d->stats.tx_failed++;
        /* down is reported on the socket's error queue, and counted there */
        if (errno == ENODEV || errno == ENXIO) {
            vdc_link_lost(out);
        }
        return VIRTIO_CAN_RESULT_NOT_OK;
    }
    d->stats.tx++;
    return VIRTIO_CAN_RESULT_OK;
}

static gboolean vdc_tx_retry(gpointer opaque)
{
    VdcDev *d = opaque;

    d->tx_retry = 0;
    vdc_pump_tx(d);
    return G_SOURCE_REMOVE;
}

/* Take Txq requests in the guest's order, one waiting at most */
static void vdc_pump_tx(VdcDev *d)
{
    VuDev *vu = &d->vug.parent;
    VuVirtq *vq = vu_get_queue(vu, VIRTIO_CAN_QUEUE_TX);
    VuVirtqElement *elem;
    bool pushed = false;
    int result;

    while ((elem = d->tx_held) ||
           (elem = vu_queue_pop(vu, vq, sizeof(VuVirtqElement)))) {
        d->tx_held = NULL;
        result = vdc_send(d, elem);
        if (result < 0) {
            d->tx_held = elem;
            if (!d->tx_retry) {
                d->tx_retry = g_timeout_add(TX_RETRY_MS, vdc_tx_retry, d);
            }
            break;
        }
        vdc_complete(vu, vq, elem, result);
        pushed = true;
    }
    if (pushed) {
        vu_queue_notify(vu, vq);
    }
}

static void vdc_handle_tx(VuDev *vu, int qidx)
{
    vdc_pump_tx(container_of(vu, VdcDev, vug.parent));
}

/* The Controlq: START and STOP */

static uint8_t vdc_control(VdcDev *d, VuVirtqElement *elem)
{
    uint16_t msg_type;

    if (iov_to_buf(elem->out_sg, elem->out_num, 0, &msg_type,
                   sizeof(msg_type)) < sizeof(msg_type)) {
        d->stats.ctrl_rejected++;
        return VIRTIO_CAN_RESULT_NOT_OK;
    }
    switch (le16_to_cpu(msg_type)) {
    case VIRTIO_CAN_SET_CTRL_MODE_START:
        d->started = true;
        vdc_pump_tx(d);
        return VIRTIO_CAN_RESULT_OK;
    case VIRTIO_CAN_SET_CTRL_MODE_STOP:
        /* STOPPED: nothing pending stays pending (spec, "Controller Mode") */
        d->started = false;
        vdc_pump_tx(d);
        return VIRTIO_CAN_RESULT_OK;
    default:
        d->stats.ctrl_rejected++;
        return VIRTIO_CAN_RESULT_NOT_OK;
    }
}

static void vdc_handle_ctrl(VuDev *vu, int qidx)
{
    VdcDev *d = container_of(vu, VdcDev, vug.parent);
    VuVirtq *vq = vu_get_queue(vu, qidx);
    VuVirtqElement *elem;
    bool pushed = false;

    while ((elem = vu_queue_pop(vu, vq, sizeof(VuVirtqElement)))) {
        vdc_complete(vu, vq, elem, vdc_control(d, elem));
        pushed = true;
    }
    if (pushed) {
        vu_queue_notify(vu, vq);
    }
}

/* vhost-user */

static uint64_t vdc_get_features(VuDev *vu)
{
    VdcDev *d = container_of(vu, VdcDev, vug.parent);
    uint64_t features = BIT_ULL(VIRTIO_CAN_F_CAN_CLASSIC) |
                        BIT_ULL(VIRTIO_CAN_F_RTR_FRAMES);

    /*
     * No LATE_TX_ACK: SocketCAN tells a writer nothing of the frame's
     * acknowledgement, so a request completes when the interface took it.
     */
    if (d->in.fd_mtu && d->out->fd_mtu) {
        features |= BIT_ULL(VIRTIO_CAN_F_CAN_FD);
    }
    return features;
}

static void vdc_queue_set_started(VuDev *vu, int qidx, bool started)
{
    VdcDev *d = container_of(vu, VdcDev, vug.parent);
    VuVirtq *vq = vu_get_queue(vu, qidx);

    /*
     * A control queue that was used before is a running driver's, whose
     * daemon was restarted: it said START to that daemon and will not say
     * it again, so take over STARTED.  A reset driver begins at index 0.
     */
    if (qidx == VIRTIO_CAN_QUEUE_CONTROL && started && vq->last_avail_idx) {
        d->started = true;
    }

    /* Rx buffers need no kick handler: the next frame finds them */
    if (qidx == VIRTIO_CAN_QUEUE_TX) {
        vu_set_queue_handler(vu, vq, started ? vdc_handle_tx : NULL);
    } else if (qidx == VIRTIO_CAN_QUEUE_CONTROL) {
        vu_set_queue_handler(vu, vq, started ? vdc_handle_ctrl : NULL);
    }
}

static int vdc_get_config(VuDev *vu, uint8_t *config, uint32_t len)
{
    VdcDev *d = container_of(vu, VdcDev, vug.parent);
    uint8_t status[VIRTIO_CAN_CONFIG_SIZE];

    stw_le_p(status, d->status);
    memset(config, 0, len);
    memcpy(config, status, MIN(len, sizeof(status)));
    return 0;
}

static int vdc_set_config(VuDev *vu, const uint8_t *data, uint32_t offset,
                          uint32_t size, uint32_t flags)
{
    /* the status field is the device's; a driver's write changes nothing */
    return 0;
}

static const VuDevIface vdc_iface = {
    .get_features = vdc_get_features,
    .queue_set_started = vdc_queue_set_started,
    .get_config = vdc_get_config,
    .set_config = vdc_set_config,
};

static gboolean vdc_accept(gint fd, GIOCondition cond, gpointer opaque);

/* The front-end went away: forget its queues, wait for the next one */
static gboolean vdc_disconnect(gpointer opaque)
{
    VdcDev *d = opaque;

    g_clear_handle_id(&d->tx_retry, g_source_remove);
    free(d->tx_held);
    d->tx_held = NULL;
    vu_deinit(&d->vug.parent);
    vug_deinit(&d->vug);
    d->started = false;
    d->status = 0;
    d->listen_watch = g_unix_fd_add(d->listen_fd, G_IO_IN, vdc_accept, d);
    return G_SOURCE_REMOVE;
}

static void vdc_panic(VuDev *vu, const char *msg)
{
    VdcDev *d = container_of(vu, VdcDev, vug.parent);

    if (!d->connected) {
        return;
    }
    d->connected = false;
    g_printerr("vhost-device-can: %s: %s\n", d->path, msg);
    /*
     * libvhost-user is still on the stack: tear down once it has left, and
     * meanwhile stop watching the socket, which would wake us at every turn.
     */
    vug_source_destroy(d->vug.src);
    d->vug.src = NULL;
    g_idle_add(vdc_disconnect, d);
}

static gboolean vdc_accept(gint fd, GIOCondition cond, gpointer opaque)
{
    VdcDev *d = opaque;
    int sock = qemu_accept(fd, NULL, NULL);

    if (sock < 0) {
        return G_SOURCE_CONTINUE;
    }
    if (!vug_init(&d->vug, VIRTIO_CAN_QUEUE_COUNT, sock, vdc_panic,
                  &vdc_iface)) {
        g_printerr("vhost-device-can: %s: cannot set up vhost-user\n",
                   d->path);
        close(sock);
        return G_SOURCE_CONTINUE;
    }
    d->connected = true;
    d->stats.connections++;
    /* one front-end at a time: the next is accepted when this one leaves */
    d->listen_watch = 0;
    return G_SOURCE_REMOVE;
}

/* Set-up */

static char *opt_socket_path;
static char *opt_can_in;
static char *opt_can_out;
static char *opt_can_devices;
static int opt_socket_count;

static GOptionEntry entries[] = {
    { "socket-path", 's', 0, G_OPTION_ARG_FILENAME, &opt_socket_path,
      "vhost-user socket: PATH, or PATH0, PATH1... for several devices",
      "PATH" },
    { "can-in", 'i', 0, G_OPTION_ARG_STRING, &opt_can_in,
      "host CAN interface whose frames go to the guest", "IF" },
    { "can-out", 'o', 0, G_OPTION_ARG_STRING, &opt_can_out,
      "host CAN interface the guest's frames are sent on", "IF" },
    { "socket-count", 'c', 0, G_OPTION_ARG_INT, &opt_socket_count,
      "number of devices (sockets), one interface of -d each", "N" },
    { "can-devices", 'd', 0, G_OPTION_ARG_STRING, &opt_can_devices,
      "host CAN interfaces, one per device, space separated", "\"IF...\"" },
    { NULL }
};

/* Errors at start-up are fatal; error_report() names the program */
static void vdc_dev_init(VdcDev *d, const char *path, const char *in,
                         const char *out)
{
    Error *err = NULL;

    d->path = g_strdup(path);
    d->in = (VdcLink) { .dev = d, .ifname = in, .reads = true, .fd = -1 };
    d->out = &d->in;
    if (strcmp(in, out)) {
        d->out_link = (VdcLink) { .dev = d, .ifname = out, .fd = -1 };
        d->out = &d->out_link;
    }
    if (!vdc_link_open(&d->in, &err) ||
        (d->out != &d->in && !vdc_link_open(d->out, &err))) {
        error_report_err(err);
        exit(EXIT_FAILURE);
    }
    d->listen_fd = unix_listen(path, &err);
    if (d->listen_fd < 0) {
        error_report_err(err);
        exit(EXIT_FAILURE);
    }
    d->listen_watch = g_unix_fd_add(d->listen_fd, G_IO_IN, vdc_accept, d);
}

static gboolean vdc_signal_stats(gpointer opaque)
{
    unsigned i;

    for (i = 0; i < dev_count; i++) {
        vdc_print_stats(&devs[i]);
    }
    return G_SOURCE_CONTINUE;
}

static gboolean vdc_signal_quit(gpointer opaque)
{
    g_main_loop_quit(loop);
    return G_SOURCE_CONTINUE;
}

static G_NORETURN void usage_error(GOptionContext *ctx, const char *msg)
{
    g_printerr("vhost-device-can: %s\n(see --help)\n", msg);
    g_option_context_free(ctx);
    exit(EXIT_FAILURE);
}

int main(int argc, char *argv[])
{
    GOptionContext *ctx;
    GError *gerr = NULL;
    g_auto(GStrv) names = NULL;
    unsigned i;

    ctx = g_option_context_new("- virtio-can over vhost-user to SocketCAN");
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(ctx,
        "One interface: -s PATH -i IF -o IF (the same IF for both is the\n"
        "usual set-up).  Several: -s PATH -d \"can0 can1\" makes sockets\n"
        "PATH0 and PATH1, one device each; -c N, when given, must match.\n"
        "SIGUSR1 prints each device's counters on stderr.\n");
    if (!g_option_context_parse(ctx, &argc, &argv, &gerr)) {
        usage_error(ctx, gerr->message);
    }
    if (argc > 1) {
        usage_error(ctx, "unexpected arguments");
    }
    if (!opt_socket_path) {
        usage_error(ctx, "-s/--socket-path is needed");
    }
    if (opt_can_devices) {
        if (opt_can_in || opt_can_out) {
            usage_error(ctx, "-d goes without -i and -o");
        }
        names = g_strsplit_set(g_strstrip(opt_can_devices), " \t", -1);
        /* several spaces in a row give empty names: drop them */
        dev_count = 0;
        for (i = 0; names[i]; i++) {
            if (*names[i]) {
                names[dev_count++] = names[i];
            } else {
                g_free(names[i]);
            }
        }
        names[dev_count] = NULL;
        if (!dev_count) {
            usage_error(ctx, "-d names no interface");
        }
        if (opt_socket_count && opt_socket_count != dev_count) {
            usage_error(ctx, "-c must be the number of interfaces of -d");
        }
    } else {
        if (!opt_can_in || !opt_can_out) {
            usage_error(ctx, "name the interfaces: -i IF -o IF, or -d IF...");
        }
        if (opt_socket_count > 1) {
            usage_error(ctx, "-c N needs N interfaces, given with -d");
        }
        dev_count = 1;
    }
    if (opt_socket_count < 0) {
        usage_error(ctx, "-c must be positive");
    }

    loop = g_main_loop_new(NULL, FALSE);
    /* before the sockets exist: whoever sees one may signal us */
    g_unix_signal_add(SIGUSR1, vdc_signal_stats, NULL);
    g_unix_signal_add(SIGTERM, vdc_signal_quit, NULL);
    g_unix_signal_add(SIGINT, vdc_signal_quit, NULL);
    signal(SIGPIPE, SIG_IGN);
    devs = g_new0(VdcDev, dev_count);
    for (i = 0; i < dev_count; i++) {
        g_autofree char *path = dev_count > 1 || opt_socket_count
            ? g_strdup_printf("%s%u", opt_socket_path, i)
            : g_strdup(opt_socket_path);

        if (names) {
            vdc_dev_init(&devs[i], path, names[i], names[i]);
        } else {
            vdc_dev_init(&devs[i], path, opt_can_in, opt_can_out);
        }
    }

    g_main_loop_run(loop);

    for (i = 0; i < dev_count; i++) {
        vdc_print_stats(&devs[i]);
        unlink(devs[i].path);
    }
    g_option_context_free(ctx);
    return EXIT_SUCCESS;
}
