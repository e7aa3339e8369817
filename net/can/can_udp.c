/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * can-host-udp: a can-bus joined to an IP multicast group in python-can's
 * udp_multicast format, so that QEMU processes and python-can scripts on
 * one host or one LAN share a bus without a server.
 *
 * Each frame is one datagram to the group (net/can/can_udp_msgpack.c).
 * Frames go out on their own socket, connected to the group: its address
 * is the source of our packets, so that the ones the group hands back are
 * known and not put on the bus again, while every other sender's are, those
 * of another QEMU on this host included.  Neither socket blocks the main
 * loop; packets wait in a bounded queue while the socket pushes back, and
 * whatever is lost or refused is counted.
 *
 * The network is not a CAN wire: nothing is acknowledged across it,
 * there is no arbitration between hosts, and a lost datagram is lost.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/visitor.h"
#include "qemu/sockets.h"
#include "qom/object_interfaces.h"
#include "io/channel-socket.h"
#include "net/can_host.h"
#include "net/can_udp_msgpack.h"
#include "trace.h"

#include <net/if.h>

#define TYPE_CAN_HOST_UDP "can-host-udp"
OBJECT_DECLARE_SIMPLE_TYPE(CanHostUDP, CAN_HOST_UDP)

/* python-can's defaults, but for IPv4: IPv6 does not loop back on lo */
#define UDP_DEFAULT_GROUP "239.74.163.2"
#define UDP_DEFAULT_PORT 43113
#define UDP_DEFAULT_IFNAME "lo"
#define UDP_DEFAULT_TTL 1
/* Packets for the group that may wait while the socket pushes back */
#define UDP_TX_QUEUE_LEN 256
/* Packets read per main loop dispatch */
#define UDP_RX_BATCH 64
/* python-can reads at most this much of a packet: nothing valid is longer */
#define UDP_RX_MAX 4096
/* Receive buffer asked of the kernel, in bytes */
#define UDP_RCVBUF (1024 * 1024)

struct CanHostUDP {
    CanHostState parent_obj;

    char *group;
    uint16_t port;
    char *ifname;
    uint8_t ttl;
    char *host_name;            /* "GROUP:PORT%IFNAME", once open */
    struct sockaddr_storage own;    /* our packets' source */
    QIOChannelSocket *rx_sioc;
    QIOChannelSocket *tx_sioc;
    guint rx_watch;
    CanHostTxQueue tx_queue;    /* of UDPPacket */

    uint64_t rx_frames;         /* group -> bus */
    uint64_t tx_frames;         /* bus -> group */
    uint64_t rx_own;            /* our packets, back from the group */
    uint64_t rx_error_frames;   /* error frames kept off the bus */
    uint64_t rx_malformed;
    uint64_t rx_dropped;        /* lost in the kernel: QEMU read too late */
    uint32_t kernel_drops;      /* the socket's drop count, last seen */
    uint64_t tx_dropped;
    uint64_t link_errors;
};

typedef struct UDPPacket {
    size_t len;
    uint8_t data[CAN_UDP_PACKET_MAX];
} UDPPacket;

/* Whether @a and @b are the same address and port, scope aside */
static bool udp_same_sender(const struct sockaddr_storage *a,
                            const struct sockaddr_storage *b)
{
    if (a->ss_family != b->ss_family) {
        return false;
    }
    if (a->ss_family == AF_INET) {
        const struct sockaddr_in *a4 = (const struct sockaddr_in *)a;
        const struct sockaddr_in *b4 = (const struct sockaddr_in *)b;

        return a4->sin_port == b4->sin_port &&
               a4->sin_addr.s_addr == b4->sin_addr.s_addr;
    } else {
        const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)a;
        const struct sockaddr_in6 *b6 = (const struct sockaddr_in6 *)b;

        return a6->sin6_port == b6->sin6_port &&
               IN6_ARE_ADDR_EQUAL(&a6->sin6_addr, &b6->sin6_addr);
    }
}

static void udp_rx_packet(CanHostUDP *s, const uint8_t *buf, ssize_t len,
                          int msg_flags, const struct sockaddr_storage *from)
{
    CanHostState *ch = CAN_HOST(s);
    qemu_can_frame frame;
    const char *why = "larger than python-can reads";

    if (udp_same_sender(from, &s->own)) {
        s->rx_own++;
        return;
    }
    if ((msg_flags & MSG_TRUNC) || !can_udp_decode(buf, len, &frame, &why)) {
        s->rx_malformed++;
        trace_can_udp_malformed(s->host_name, len, why);
        return;
    }
    if (frame.can_id & QEMU_CAN_ERR_FLAG) {
        s->rx_error_frames++;
        return;
    }
    s->rx_frames++;
    trace_can_udp_rx(s->host_name, frame.can_id, frame.can_dlc);
    can_bus_client_send(&ch->bus_client, &frame, 1);
}

static gboolean udp_readable(QIOChannel *ioc, GIOCondition cond,
                             gpointer opaque)
{
    CanHostUDP *s = opaque;
    uint8_t buf[UDP_RX_MAX];
    struct sockaddr_storage from;
    ssize_t len;
    int i, flags;

    /*
     * A sender without pause must not keep the main loop here: take a
     * batch, and the watch fires again for the rest.
     */
    for (i = 0; i < UDP_RX_BATCH; i++) {
        len = can_host_recv(s->rx_sioc->fd, buf, sizeof(buf), &from, &flags,
                            &s->kernel_drops, &s->rx_dropped);
        if (len < 0) {
            if (len != -EAGAIN && len != -EINTR) {
                s->link_errors++;
                trace_can_udp_link_error(s->host_name, "read",
                                         strerror(-len));
            }
            break;
        }
        udp_rx_packet(s, buf, len, flags, &from);
    }
    return G_SOURCE_CONTINUE;
}

/*
 * Send the queue's head; when the socket's buffer is full, wait until the
 * socket is writable.
 */
static CanHostTxResult udp_send(void *item, void *opaque)
{
    CanHostUDP *s = opaque;
    UDPPacket *pkt = item;
    Error *err = NULL;
    ssize_t len;

    len = qio_channel_write(QIO_CHANNEL(s->tx_sioc), (char *)pkt->data,
                            pkt->len, &err);
    if (len == QIO_CHANNEL_ERR_BLOCK) {
        return CAN_HOST_TX_BLOCKED;
    }
    if (len < 0) {
        /* e.g. the interface is down: this packet is lost */
        s->link_errors++;
        trace_can_udp_link_error(s->host_name, "write",
                                 error_get_pretty(err));
        error_free(err);
        return CAN_HOST_TX_DROPPED;
    }
    s->tx_frames++;
    return CAN_HOST_TX_SENT;
}

static bool udp_can_receive(CanBusClientState *client)
{
    return true;
}

static ssize_t udp_receive(CanBusClientState *client,
                           const qemu_can_frame *frames, size_t frames_cnt)
{
    CanHostUDP *s = CAN_HOST_UDP(container_of(client, CanHostState,
                                              bus_client));
    double now = g_get_real_time() / (double)G_USEC_PER_SEC;
    UDPPacket *pkt;
    size_t i;

    for (i = 0; i < frames_cnt; i++) {
        pkt = g_new(UDPPacket, 1);
        pkt->len = can_udp_encode(&frames[i], now, pkt->data);
        if (can_host_tx_queue_push(&s->tx_queue, pkt)) {
            trace_can_udp_tx(s->host_name, frames[i].can_id,
                             frames[i].can_dlc);
        } else {
            trace_can_udp_tx_full(s->host_name, frames[i].can_id);
        }
    }
    can_host_tx_queue_flush(&s->tx_queue, QIO_CHANNEL(s->tx_sioc));
    return frames_cnt;
}

static const CanBusClientInfo udp_bus_client_info = {
    .can_receive = udp_can_receive,
    .receive = udp_receive,
};

static bool udp_setsockopt(int fd, int level, int name, const void *val,
                           socklen_t len, const char *what, Error **errp)
{
    if (setsockopt(fd, level, name, val, len) < 0) {
        error_setg_errno(errp, errno, "can-host-udp: cannot set %s", what);
        return false;
    }
    return true;
}

/* The socket that receives the group's packets on interface @ifindex */
static int udp_open_rx(CanHostUDP *s, const struct sockaddr_storage *group,
                       socklen_t group_len, int ifindex, Error **errp)
{
    int fd, on = 1, rcvbuf = UDP_RCVBUF;
    bool ok;

    fd = qemu_socket(group->ss_family, SOCK_DGRAM, 0);
    if (fd < 0) {
        error_setg_errno(errp, errno, "can-host-udp: cannot open a socket");
        return -1;
    }
    /* python-can and other QEMUs on this host share the port */
    ok = udp_setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on),
                        "SO_REUSEADDR", errp);
    /* packets the socket's buffer had no room for are counted */
    setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &on, sizeof(on));
    /*
     * Room for a burst while the main loop is busy: the default buffer
     * holds a few hundred packets.  The kernel caps it at rmem_max.
     */
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
    /* bound to the group, it receives no other group's packets */
    if (ok && bind(fd, (const struct sockaddr *)group, group_len) < 0) {
        error_setg_errno(errp, errno, "can-host-udp: cannot bind to %s "
                         "port %u", s->group, s->port);
        ok = false;
    }
    if (ok && group->ss_family == AF_INET) {
        struct ip_mreqn mreq = {
            .imr_multiaddr = ((const struct sockaddr_in *)group)->sin_addr,
            .imr_ifindex = ifindex,
        };

        ok = udp_setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq,
                            sizeof(mreq), "IP_ADD_MEMBERSHIP", errp);
    } else if (ok) {
        struct ipv6_mreq mreq = {
            .ipv6mr_multiaddr =
                ((const struct sockaddr_in6 *)group)->sin6_addr,
            .ipv6mr_interface = ifindex,
        };

        ok = udp_setsockopt(fd, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &mreq,
                            sizeof(mreq), "IPV6_ADD_MEMBERSHIP", errp);
    }
    if (!ok) {
        close(fd);
        return -1;
    }
    return fd;
}

/*
 * The socket that sends to the group through interface @ifindex, with
 * the TTL (hop limit) asked for, heard by the other sockets of this host.
 */
static int udp_open_tx(CanHostUDP *s, const struct sockaddr_storage *group,
                       socklen_t group_len, int ifindex, Error **errp)
{
    int fd, on = 1, ttl = s->ttl;
    bool ok;

    fd = qemu_socket(group->ss_family, SOCK_DGRAM, 0);
    if (fd < 0) {
        error_setg_errno(errp, errno, "can-host-udp: cannot open a socket");
        return -1;
    }
    if (group->ss_family == AF_INET) {
        struct ip_mreqn mreq = { .imr_ifindex = ifindex };

        ok = udp_setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mreq,
                            sizeof(mreq), "IP_MULTICAST_IF", errp) &&
             udp_setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl,
                            sizeof(ttl), "IP_MULTICAST_TTL", errp) &&
             udp_setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &on,
                            sizeof(on), "IP_MULTICAST_LOOP", errp);
    } else {
        ok = udp_setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex,
                            sizeof(ifindex), "IPV6_MULTICAST_IF", errp) &&
             udp_setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &ttl,
                            sizeof(ttl), "IPV6_MULTICAST_HOPS", errp) &&
             udp_setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &on,
                            sizeof(on), "IPV6_MULTICAST_LOOP", errp);
    }
    /*
     * Connected, the socket has a source address and port the group
     * reports as the sender of our packets.
     */
    if (ok && connect(fd, (const struct sockaddr *)group, group_len) < 0) {
        error_setg_errno(errp, errno, "can-host-udp: cannot send to %s "
                         "port %u through %s", s->group, s->port, s->ifname);
        ok = false;
    }
    if (!ok) {
        close(fd);
        return -1;
    }
    return fd;
}

/* @s->group and @s->port as a socket address; false if not multicast */
static bool udp_group_addr(CanHostUDP *s, struct sockaddr_storage *addr,
                           socklen_t *len, Error **errp)
{
    struct addrinfo hints = {
        .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV,
        .ai_socktype = SOCK_DGRAM,
    };
    struct addrinfo *res;
    g_autofree char *port = g_strdup_printf("%u", s->port);
    bool multicast;

    if (getaddrinfo(s->group, port, &hints, &res) != 0) {
        error_setg(errp, "can-host-udp: group '%s' is not an IPv4 or IPv6 "
                   "address", s->group);
        return false;
    }
    memcpy(addr, res->ai_addr, res->ai_addrlen);
    *len = res->ai_addrlen;
    freeaddrinfo(res);
    if (addr->ss_family == AF_INET) {
        multicast = IN_MULTICAST(
            ntohl(((struct sockaddr_in *)addr)->sin_addr.s_addr));
    } else {
        multicast = IN6_IS_ADDR_MULTICAST(
            &((struct sockaddr_in6 *)addr)->sin6_addr);
    }
    if (!multicast) {
        error_setg(errp, "can-host-udp: group '%s' is not a multicast "
                   "address (224.0.0.0/4 or ff00::/8)", s->group);
        return false;
    }
    return true;
}

static bool udp_open(CanHostState *ch, CanBusState *bus, Error **errp)
{
    CanHostUDP *s = CAN_HOST_UDP(ch);
    struct sockaddr_storage group;
    socklen_t group_len;
    int ifindex, rx_fd, tx_fd;

    if (!udp_group_addr(s, &group, &group_len, errp)) {
        return false;
    }
    ifindex = if_nametoindex(s->ifname);
    if (!ifindex) {
        error_setg(errp, "can-host-udp: no interface '%s' on the host",
                   s->ifname);
        return false;
    }
    if (group.ss_family == AF_INET6 &&
        !strcmp(s->ifname, UDP_DEFAULT_IFNAME)) {
        error_setg(errp, "can-host-udp: Linux does not loop IPv6 multicast "
                   "back on '%s': name another interface with ifname=",
                   s->ifname);
        return false;
    }
    s->host_name = g_strdup_printf("%s:%u%%%s", s->group, s->port,
                                   s->ifname);
    if (!can_host_check_unique(ch, bus, s->host_name, errp)) {
        goto fail;
    }
    rx_fd = udp_open_rx(s, &group, group_len, ifindex, errp);
    if (rx_fd < 0) {
        goto fail;
    }
    tx_fd = udp_open_tx(s, &group, group_len, ifindex, errp);
    if (tx_fd < 0) {
        close(rx_fd);
        goto fail;
    }
    s->rx_sioc = qio_channel_socket_new_fd(rx_fd, errp);
    if (!s->rx_sioc) {
        close(rx_fd);
        close(tx_fd);
        goto fail;
    }
    s->tx_sioc = qio_channel_socket_new_fd(tx_fd, errp);
    if (!s->tx_sioc) {
        close(tx_fd);
        g_clear_pointer(&s->rx_sioc, object_unref);
        goto fail;
    }
    memcpy(&s->own, &s->tx_sioc->localAddr, sizeof(s->own));
    qio_channel_set_name(QIO_CHANNEL(s->rx_sioc), "can-host-udp-rx");
    qio_channel_set_name(QIO_CHANNEL(s->tx_sioc), "can-host-udp-tx");
    qio_channel_set_blocking(QIO_CHANNEL(s->rx_sioc), false, NULL);
    qio_channel_set_blocking(QIO_CHANNEL(s->tx_sioc), false, NULL);
    s->rx_watch = qio_channel_add_watch(QIO_CHANNEL(s->rx_sioc), G_IO_IN,
                                        udp_readable, s, NULL);
    return true;

fail:
    g_clear_pointer(&s->host_name, g_free);
    return false;
}

static void udp_close(CanHostState *ch)
{
    CanHostUDP *s = CAN_HOST_UDP(ch);

    g_clear_handle_id(&s->rx_watch, g_source_remove);
    can_host_tx_queue_clear(&s->tx_queue);
    g_clear_pointer(&s->rx_sioc, object_unref);
    g_clear_pointer(&s->tx_sioc, object_unref);
    g_clear_pointer(&s->host_name, g_free);
}

static const char *udp_host_name(CanHostState *ch)
{
    return CAN_HOST_UDP(ch)->host_name;
}

static char *udp_get_group(Object *obj, Error **errp)
{
    return g_strdup(CAN_HOST_UDP(obj)->group);
}

static void udp_set_group(Object *obj, const char *value, Error **errp)
{
    can_host_set_str(obj, "group", &CAN_HOST_UDP(obj)->group, value, errp);
}

static char *udp_get_ifname(Object *obj, Error **errp)
{
    return g_strdup(CAN_HOST_UDP(obj)->ifname);
}

static void udp_set_ifname(Object *obj, const char *value, Error **errp)
{
    can_host_set_str(obj, "ifname", &CAN_HOST_UDP(obj)->ifname, value, errp);
}

static void udp_get_port(Object *obj, Visitor *v, const char *name,
                         void *opaque, Error **errp)
{
    visit_type_uint16(v, name, &CAN_HOST_UDP(obj)->port, errp);
}

static void udp_set_port(Object *obj, Visitor *v, const char *name,
                         void *opaque, Error **errp)
{
    CanHostUDP *s = CAN_HOST_UDP(obj);
    uint16_t value;

    if (!can_host_check_settable(CAN_HOST(s), name, errp) ||
        !visit_type_uint16(v, name, &value, errp)) {
        return;
    }
    if (!value) {
        error_setg(errp, "can-host-udp: port must be 1..65535");
        return;
    }
    s->port = value;
}

static void udp_get_ttl(Object *obj, Visitor *v, const char *name,
                        void *opaque, Error **errp)
{
    visit_type_uint8(v, name, &CAN_HOST_UDP(obj)->ttl, errp);
}

static void udp_set_ttl(Object *obj, Visitor *v, const char *name,
                        void *opaque, Error **errp)
{
    CanHostUDP *s = CAN_HOST_UDP(obj);

    if (can_host_check_settable(CAN_HOST(s), name, errp)) {
        visit_type_uint8(v, name, &s->ttl, errp);
    }
}

static const CanHostCounter udp_counters[] = {
    CAN_HOST_COUNTER("rx-frames", CanHostUDP, rx_frames),
    CAN_HOST_COUNTER("tx-frames", CanHostUDP, tx_frames),
    CAN_HOST_COUNTER("rx-own", CanHostUDP, rx_own),
    CAN_HOST_COUNTER("rx-error-frames", CanHostUDP, rx_error_frames),
    CAN_HOST_COUNTER("rx-malformed", CanHostUDP, rx_malformed),
    CAN_HOST_COUNTER("rx-dropped", CanHostUDP, rx_dropped),
    CAN_HOST_COUNTER("tx-dropped", CanHostUDP, tx_dropped),
    CAN_HOST_COUNTER("link-errors", CanHostUDP, link_errors),
};

static void udp_init(Object *obj)
{
    CanHostUDP *s = CAN_HOST_UDP(obj);

    s->group = g_strdup(UDP_DEFAULT_GROUP);
    s->port = UDP_DEFAULT_PORT;
    s->ifname = g_strdup(UDP_DEFAULT_IFNAME);
    s->ttl = UDP_DEFAULT_TTL;
    can_host_tx_queue_init(&s->tx_queue, UDP_TX_QUEUE_LEN, g_free,
                           &s->tx_dropped, udp_send, s);
    can_host_add_counters(obj, udp_counters,
                          ARRAY_SIZE(udp_counters));
}

static void udp_finalize(Object *obj)
{
    CanHostUDP *s = CAN_HOST_UDP(obj);

    g_free(s->group);
    g_free(s->ifname);
}

static void udp_class_init(ObjectClass *oc, void *data)
{
    CanHostClass *chc = CAN_HOST_CLASS(oc);

    chc->bus_client_info = &udp_bus_client_info;
    chc->open = udp_open;
    chc->close = udp_close;
    chc->host_name = udp_host_name;
    object_class_property_add_str(oc, "group", udp_get_group, udp_set_group);
    object_class_property_set_description(oc, "group",
        "IPv4 or IPv6 multicast group (default " UDP_DEFAULT_GROUP ")");
    object_class_property_add(oc, "port", "uint16", udp_get_port,
                              udp_set_port, NULL, NULL);
    object_class_property_set_description(oc, "port",
        "UDP port (default " stringify(UDP_DEFAULT_PORT) ")");
    object_class_property_add_str(oc, "ifname", udp_get_ifname,
                                  udp_set_ifname);
    object_class_property_set_description(oc, "ifname",
        "host interface to send and receive on (default "
        UDP_DEFAULT_IFNAME ")");
    object_class_property_add(oc, "ttl", "uint8", udp_get_ttl, udp_set_ttl,
                              NULL, NULL);
    object_class_property_set_description(oc, "ttl",
        "IPv4 TTL, IPv6 hop limit of the packets sent (default "
        stringify(UDP_DEFAULT_TTL) ")");
}

static const TypeInfo udp_types[] = {
    {
        .name = TYPE_CAN_HOST_UDP,
        .parent = TYPE_CAN_HOST,
        .instance_size = sizeof(CanHostUDP),
        .instance_init = udp_init,
        .instance_finalize = udp_finalize,
        .class_init = udp_class_init,
    },
};

DEFINE_TYPES(udp_types)
