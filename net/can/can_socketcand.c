/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * can-host-socketcand: a can-bus joined to a bus of a socketcand server
 * (qemu-can-server, or socketcand on a host with a real adapter) over
 * TCP, in raw mode: the bus's frames are sent to the server, the other
 * clients' frames come back onto the bus.
 *
 * The connection never blocks the main loop: connect runs in the
 * background, reads and writes are non-blocking, frames for the server
 * wait in a bounded queue.  When the server goes away the backend
 * connects again every second; frames from the bus meanwhile are lost
 * and counted, as on an unplugged cable.
 *
 * Once up it asks "< nodes >", qemu-can-server's extension: a server that
 * knows it says how many other nodes its bus has, and while there are
 * none the backend does not acknowledge the guest's frames, so that a
 * guest alone on a server bus sees ACK errors as on a lone wire.  Any
 * other server answers with an error and the backend acknowledges.
 *
 * Bitrate mismatch, with qemu-can-server only.  On a wire, nodes at
 * different bitrates destroy each other's frames with error flags at
 * once: the sender sees a bus error and retries, nothing is received.
 * The server learns of a mismatch only when a frame reaches it, and tells
 * of it with error frames after the fact, when the guest's controller has
 * long taken the frame for sent.  So the backend acts locally instead:
 * it declares the bitrate its bus's controllers are programmed for with
 * the bittiming command, asks "< bitrates >" (the server's extension: the
 * other nodes' bitrates, at each change), and takes the remote nodes'
 * bitrate as its own on the can-bus.  The bus's mismatch machinery (a
 * timed bus's, timing=on) then does what the wire does: the remote node,
 * which cannot follow, flags the guest's frames, and the guest's
 * controllers cannot follow the remote's.  The bittiming command is taken
 * before "< open >" only, so a changed bitrate is declared by connecting
 * again; and it is sent only to a server that has answered "< nodes >"
 * on an earlier connection, as socketcand would apply it to a real
 * adapter.
 *
 * The remote nodes see the mismatch too: each frame the backend cannot
 * follow still goes to the server, which destroys it there (it knows
 * both bitrates) and sends every node an error frame; the backends of
 * the other QEMUs put that on their can-bus as an error flag of the
 * remote nodes (can_bus_client_remote_error()), so that their guests'
 * controllers count receive errors as on the wire.  The error frame that
 * comes back for the backend's own frame is not put on its bus again.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/cutils.h"
#include "qemu/error-report.h"
#include "qemu/main-loop.h"
#include "qemu/sockets.h"
#include "qemu/timer.h"
#include "qom/object_interfaces.h"
#include "io/channel-socket.h"
#include "net/can_error_frame.h"
#include "net/can_host.h"
#include "net/can_socketcand.h"
#include "trace.h"

#define TYPE_CAN_HOST_SOCKETCAND "can-host-socketcand"
OBJECT_DECLARE_SIMPLE_TYPE(CanHostSocketcand, CAN_HOST_SOCKETCAND)

/* Frames for the server that may wait while the socket pushes back */
#define SOCKETCAND_TX_QUEUE_LEN 256
#define SOCKETCAND_RECONNECT_MS 1000

typedef enum SocketcandState {
    SCD_DISCONNECTED,   /* waiting to connect again */
    SCD_CONNECTING,
    SCD_HELLO,          /* connected: the server's "< hi >" next */
    SCD_BITTIMING,      /* "< BUS B ... >" sent */
    SCD_OPENING,        /* "< open BUS >" sent */
    SCD_RAWMODE,        /* "< rawmode >" sent */
    SCD_UP,
} SocketcandState;

struct CanHostSocketcand {
    CanHostState parent_obj;

    char *server;               /* HOST:PORT */
    char *bus;                  /* the server's bus */
    char *host_name;            /* "HOST:PORT/BUS", once open */
    SocketAddress *addr;
    SocketcandState state;
    QIOChannelSocket *sioc;
    guint rx_watch;
    QEMUTimer *reconnect;
    ScdReader reader;
    CanHostTxQueue tx_queue;    /* of GString, one frame each */
    size_t tx_offset;           /* written of the head, before it blocked */
    bool warned_refused;
    bool nodes_asked;           /* "< nodes >" sent, not yet answered */
    bool nodes_known;           /* the server says how many nodes */
    uint32_t nodes;             /* the other nodes of the server's bus */
    bool extended;              /* the server has answered "< nodes >" */
    bool bitrates_asked;        /* "< bitrates >" sent, not yet answered */
    uint32_t declared;          /* bitrate declared on this connection */
    /* the other nodes' bitrates, lowest and highest; 0: none told */
    uint32_t remote_min;
    uint32_t remote_max;
    /*
     * The remote nodes' receive error counter, as far as the frames they
     * could not follow tell: they stop flagging at 128, error passive
     */
    unsigned remote_rec;
    /* frames sent although mismatched, whose error frame is still due */
    uint32_t own_errors;

    uint64_t rx_frames;         /* server -> bus */
    uint64_t tx_frames;         /* bus -> server */
    uint64_t rx_error_frames;   /* the server's error frames, counted */
    uint64_t rx_malformed;
    uint64_t tx_dropped;        /* not connected, or the queue full */
    uint64_t tx_refused;        /* answered "< error ... >" by the server */
    uint64_t remote_error_flags; /* the remote nodes' put on the bus */
    uint64_t connects;
    uint64_t disconnects;
    uint64_t link_errors;
};

static void socketcand_connect(CanHostSocketcand *s);

/*
 * The remote nodes are at @min..@max bit/s: the backend stands for them
 * on the can-bus at one that differs from its controllers' if any does,
 * since that node would destroy their frames on a wire
 */
static void socketcand_set_remote(CanHostSocketcand *s, uint32_t min,
                                  uint32_t max)
{
    CanBusClientState *client = &CAN_HOST(s)->bus_client;
    uint32_t local;

    if (min != s->remote_min || max != s->remote_max) {
        /* other nodes: their counters are theirs */
        s->remote_rec = 0;
    }
    s->remote_min = min;
    s->remote_max = max;
    if (!client->port) {
        return;
    }
    local = can_bus_client_peer_bitrate(client);
    can_bus_client_set_bitrate(client, min != local ? min : max);
}

static void socketcand_bitrate_changed(CanBusClientState *client);

static void socketcand_free_line(gpointer line)
{
    g_string_free(line, true);
}

static void socketcand_drop_queue(CanHostSocketcand *s)
{
    s->tx_dropped += can_host_tx_queue_clear(&s->tx_queue);
    s->tx_offset = 0;
}

/* Close the connection, if any, and try again later */
static void socketcand_disconnect(CanHostSocketcand *s, const char *why)
{
    g_clear_handle_id(&s->rx_watch, g_source_remove);
    if (s->state == SCD_UP) {
        s->disconnects++;
    }
    trace_can_socketcand_disconnect(s->host_name, why);
    socketcand_drop_queue(s);
    g_clear_pointer(&s->sioc, object_unref);
    memset(&s->reader, 0, sizeof(s->reader));
    s->state = SCD_DISCONNECTED;
    s->declared = 0;
    s->own_errors = 0;
    socketcand_set_remote(s, 0, 0);
    timer_mod(s->reconnect, qemu_clock_get_ms(QEMU_CLOCK_REALTIME) +
              SOCKETCAND_RECONNECT_MS);
}

/*
 * Write the queue's head, all of it, unless the socket pushes back (then
 * wait until it is writable) or fails (then drop the connection and what
 * waits for it).
 */
static CanHostTxResult socketcand_send(void *item, void *opaque)
{
    CanHostSocketcand *s = opaque;
    GString *line = item;
    Error *err = NULL;
    ssize_t n;

    while (s->tx_offset < line->len) {
        n = qio_channel_write(QIO_CHANNEL(s->sioc), line->str + s->tx_offset,
                              line->len - s->tx_offset, &err);
        if (n == QIO_CHANNEL_ERR_BLOCK) {
            return CAN_HOST_TX_BLOCKED;
        }
        if (n < 0) {
            s->link_errors++;
            trace_can_socketcand_link_error(s->host_name, "write",
                                            error_get_pretty(err));
            error_free(err);
            socketcand_disconnect(s, "write failed");
            return CAN_HOST_TX_AGAIN;
        }
        s->tx_offset += n;
    }
    s->tx_offset = 0;
    if (s->state == SCD_UP) {
        s->tx_frames++;
    }
    return CAN_HOST_TX_SENT;
}

static void socketcand_flush(CanHostSocketcand *s)
{
    if (s->sioc) {
        can_host_tx_queue_flush(&s->tx_queue, QIO_CHANNEL(s->sioc));
    }
}

/*
 * A protocol command of the handshake: ahead of any frame, so the queue
 * holds only the handshake's few and has room.
 */
static void socketcand_command(CanHostSocketcand *s, const char *text)
{
    can_host_tx_queue_push(&s->tx_queue, g_string_new(text));
    socketcand_flush(s);
}

/* "< bitrates R... >": the other nodes' bitrates, in ascending order */
static void socketcand_bitrates(CanHostSocketcand *s, const ScdElement *el)
{
    uint32_t min = 0, max = 0;

    if (el->words > 1 &&
        (!scd_parse_uint(el->word[1], UINT32_MAX, &min) ||
         !scd_parse_uint(el->word[el->words - 1], UINT32_MAX, &max))) {
        s->rx_malformed++;
        trace_can_socketcand_malformed(s->host_name, "bad bitrates");
        return;
    }
    s->bitrates_asked = false;
    socketcand_set_remote(s, min, max);
}

/*
 * An error frame of the server's bus.  A protocol error is a frame
 * destroyed there by error flags, a bitrate mismatch (the only one
 * qemu-can-server has): the remote nodes' flags, unless the frame was
 * this backend's own, whose flags its bus has seen already.
 */
static void socketcand_error_frame(CanHostSocketcand *s, uint32_t err_class)
{
    if (!(err_class & QEMU_CAN_ERR_PROT)) {
        return;
    }
    if (s->own_errors) {
        s->own_errors--;
        return;
    }
    s->remote_error_flags++;
    can_bus_client_remote_error(&CAN_HOST(s)->bus_client);
}

/* What the server says once the connection is up */
static void socketcand_up_element(CanHostSocketcand *s, const ScdElement *el)
{
    CanHostState *ch = CAN_HOST(s);
    const char *cmd = el->word[0];
    qemu_can_frame frame;
    const char *why;
    uint32_t err_class;

    if (!strcmp(cmd, "frame") || !strcmp(cmd, "fdframe") ||
        !strcmp(cmd, "rtr")) {
        if (!scd_parse_frame(el, &frame, &why)) {
            s->rx_malformed++;
            trace_can_socketcand_malformed(s->host_name, why);
            return;
        }
        s->rx_frames++;
        trace_can_socketcand_rx(s->host_name, frame.can_id, frame.can_dlc);
        can_bus_client_send(&ch->bus_client, &frame, 1);
        return;
    }
    if (!strcmp(cmd, "nodes") && el->words == 2 &&
        scd_parse_uint(el->word[1], UINT32_MAX, &s->nodes)) {
        s->nodes_asked = false;
        s->nodes_known = true;
        if (!s->extended) {
            s->extended = true;
            /* to declare the bitrate, if the controllers have one */
            socketcand_bitrate_changed(&ch->bus_client);
        }
        return;
    }
    if (!strcmp(cmd, "bitrates")) {
        socketcand_bitrates(s, el);
        return;
    }
    if (!strcmp(cmd, "error")) {
        /* "< error CLASS SEC.USEC >" is an error frame, else a complaint */
        if (el->words == 3 && strchr(el->word[2], '.') &&
            qemu_strtoui(el->word[1], NULL, 16, &err_class) == 0) {
            s->rx_error_frames++;
            trace_can_socketcand_error_frame(s->host_name, err_class);
            socketcand_error_frame(s, err_class);
        } else if (s->nodes_asked) {
            /* the first complaint answers "< nodes >": not known here */
            s->nodes_asked = false;
        } else if (s->bitrates_asked) {
            /* and the second "< bitrates >" */
            s->bitrates_asked = false;
        } else {
            s->tx_refused++;
            trace_can_socketcand_refused(s->host_name, el->words > 1 ?
                                         el->word[1] : "");
        }
        return;
    }
    if (strcmp(cmd, "ok") && strcmp(cmd, "echo")) {
        s->rx_malformed++;
        trace_can_socketcand_malformed(s->host_name, cmd);
    }
}

static void socketcand_element(void *opaque, const char *text, size_t len)
{
    CanHostSocketcand *s = opaque;
    g_autofree char *open = NULL;
    ScdElement el;
    const char *why;

    if (!scd_split(text, len, &el, &why)) {
        s->rx_malformed++;
        trace_can_socketcand_malformed(s->host_name, why);
        return;
    }
    switch (s->state) {
    case SCD_HELLO:
        if (strcmp(el.word[0], "hi")) {
            socketcand_disconnect(s, "no greeting");
            return;
        }
        s->declared = s->extended ?
            can_bus_client_peer_bitrate(&CAN_HOST(s)->bus_client) : 0;
        if (s->declared) {
            /* qemu-can-server reads the bitrate only */
            open = g_strdup_printf("< %s B %" PRIu32 " 0 0 0 0 0 0 0 >",
                                   s->bus, s->declared);
            s->state = SCD_BITTIMING;
            socketcand_command(s, open);
            return;
        }
        /* fall through */
    case SCD_BITTIMING:
        if (s->state == SCD_BITTIMING && strcmp(el.word[0], "ok")) {
            s->declared = 0;
        }
        open = g_strdup_printf("< open %s >", s->bus);
        s->state = SCD_OPENING;
        socketcand_command(s, open);
        return;
    case SCD_OPENING:
    case SCD_RAWMODE:
        if (strcmp(el.word[0], "ok")) {
            if (!s->warned_refused) {
                warn_report("can-host-socketcand: server %s refused bus "
                            "'%s'; trying again every %d ms", s->server,
                            s->bus, SOCKETCAND_RECONNECT_MS);
                s->warned_refused = true;
            }
            socketcand_disconnect(s, "open refused");
            return;
        }
        if (s->state == SCD_OPENING) {
            s->state = SCD_RAWMODE;
            socketcand_command(s, "< rawmode >");
        } else {
            /*
             * Ahead of any frame, so that its answer comes first; written
             * before the state is up, it is not counted as a frame
             */
            s->nodes_known = false;
            s->nodes_asked = true;
            socketcand_command(s, "< nodes >");
            s->bitrates_asked = true;
            socketcand_command(s, "< bitrates >");
            s->state = SCD_UP;
            s->connects++;
            s->warned_refused = false;
            trace_can_socketcand_up(s->host_name);
        }
        return;
    case SCD_UP:
        socketcand_up_element(s, &el);
        return;
    default:
        g_assert_not_reached();
    }
}

static void socketcand_input_error(void *opaque, const char *why)
{
    CanHostSocketcand *s = opaque;

    s->rx_malformed++;
    trace_can_socketcand_malformed(s->host_name, why);
}

static bool socketcand_input_more(void *opaque)
{
    CanHostSocketcand *s = opaque;

    return s->sioc != NULL;
}

static const ScdReaderOps socketcand_input_ops = {
    .element = socketcand_element,
    .error = socketcand_input_error,
    .more = socketcand_input_more,
};

static gboolean socketcand_readable(QIOChannel *ioc, GIOCondition cond,
                                    gpointer opaque)
{
    CanHostSocketcand *s = opaque;
    char buf[4096];
    Error *err = NULL;
    ssize_t n;

    n = qio_channel_read(ioc, buf, sizeof(buf), &err);
    if (n == QIO_CHANNEL_ERR_BLOCK) {
        return G_SOURCE_CONTINUE;
    }
    if (n <= 0) {
        if (n < 0) {
            s->link_errors++;
            trace_can_socketcand_link_error(s->host_name, "read",
                                            error_get_pretty(err));
            error_free(err);
        }
        /* the watch goes with the connection */
        s->rx_watch = 0;
        socketcand_disconnect(s, n ? "read failed" : "closed by the server");
        return G_SOURCE_REMOVE;
    }
    scd_reader_feed(&s->reader, buf, n, &socketcand_input_ops, s);
    return s->sioc ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static void socketcand_connected(QIOTask *task, gpointer opaque)
{
    CanHostSocketcand *s = opaque;
    Error *err = NULL;

    if (s->state != SCD_CONNECTING) {
        /* closed meanwhile */
        return;
    }
    if (qio_task_propagate_error(task, &err)) {
        s->link_errors++;
        trace_can_socketcand_link_error(s->host_name, "connect",
                                        error_get_pretty(err));
        error_free(err);
        socketcand_disconnect(s, "connect failed");
        return;
    }
    qio_channel_set_blocking(QIO_CHANNEL(s->sioc), false, NULL);
    /* each frame goes at once, not batched by Nagle's algorithm */
    qio_channel_set_delay(QIO_CHANNEL(s->sioc), false);
    s->state = SCD_HELLO;
    s->rx_watch = qio_channel_add_watch(QIO_CHANNEL(s->sioc),
                                        G_IO_IN | G_IO_HUP | G_IO_ERR,
                                        socketcand_readable, s, NULL);
}

static void socketcand_unref(gpointer opaque)
{
    object_unref(OBJECT(opaque));
}

static void socketcand_connect(CanHostSocketcand *s)
{
    s->state = SCD_CONNECTING;
    s->sioc = qio_channel_socket_new();
    qio_channel_set_name(QIO_CHANNEL(s->sioc), "can-host-socketcand");
    /* the object lives until the connect is done, whatever happens */
    qio_channel_socket_connect_async(s->sioc, s->addr, socketcand_connected,
                                     object_ref(OBJECT(s)), socketcand_unref,
                                     NULL);
}

static void socketcand_reconnect(void *opaque)
{
    socketcand_connect(opaque);
}

static bool socketcand_can_receive(CanBusClientState *client)
{
    return true;
}

/* Nobody to acknowledge on the server's bus: the guest is alone */
static bool socketcand_acks(CanBusClientState *client)
{
    CanHostSocketcand *s = CAN_HOST_SOCKETCAND(
        container_of(client, CanHostState, bus_client));

    return !(s->state == SCD_UP && s->nodes_known && !s->nodes);
}

/*
 * The controllers' bitrate changed: declare it, connecting again, if the
 * server takes it and it is not the one declared
 */
static void socketcand_bitrate_changed(CanBusClientState *client)
{
    CanHostSocketcand *s = CAN_HOST_SOCKETCAND(
        container_of(client, CanHostState, bus_client));
    uint32_t local = can_bus_client_peer_bitrate(client);

    /* which remote bitrate the controllers meet may change too */
    socketcand_set_remote(s, s->remote_min, s->remote_max);
    if (s->state != SCD_UP || !s->extended || local == s->declared) {
        return;
    }
    socketcand_disconnect(s, "declaring another bitrate");
    timer_mod(s->reconnect, qemu_clock_get_ms(QEMU_CLOCK_REALTIME));
}

/* Queue @frame for the server; false if there is no room */
static bool socketcand_queue_frame(CanHostSocketcand *s,
                                   const qemu_can_frame *frame)
{
    char line[SCD_OUTPUT_MAX];
    size_t n = scd_format_send(frame, line);

    if (!can_host_tx_queue_push(&s->tx_queue, g_string_new_len(line, n))) {
        trace_can_socketcand_tx_dropped(s->host_name, frame->can_id);
        return false;
    }
    trace_can_socketcand_tx(s->host_name, frame->can_id, frame->can_dlc);
    return true;
}

/*
 * A controller's frame this backend cannot follow (@own), at the remote
 * nodes' bitrate: it goes to the server, which destroys it for them
 * there.  They flag it actively while error active: each such error
 * counts +9 on their receive error counters (ISO 11898-1 12.1.4.2, as
 * for the first node to detect an error), and they turn passive at 128.
 */
static bool socketcand_rx_error(CanBusClientState *client,
                                const qemu_can_frame *frame, bool own)
{
    CanHostSocketcand *s = CAN_HOST_SOCKETCAND(
        container_of(client, CanHostState, bus_client));
    bool active_flag = s->remote_rec < 128;

    if (!own || !frame) {
        /*
         * A frame the remote nodes followed, destroyed by a node here; or
         * another backend's remote frame, which is not this bus's to send
         */
        return false;
    }
    if (s->state == SCD_UP && socketcand_queue_frame(s, frame)) {
        s->own_errors++;
        socketcand_flush(s);
    }
    s->remote_rec = MIN(s->remote_rec + 9, 255);
    return active_flag;
}

static ssize_t socketcand_receive(CanBusClientState *client,
                                  const qemu_can_frame *frames,
                                  size_t frames_cnt)
{
    CanHostSocketcand *s = CAN_HOST_SOCKETCAND(
        container_of(client, CanHostState, bus_client));
    size_t i;

    for (i = 0; i < frames_cnt; i++) {
        if (s->state != SCD_UP || (frames[i].can_id & QEMU_CAN_ERR_FLAG)) {
            /* no connection, or nothing the protocol sends */
            s->tx_dropped++;
            trace_can_socketcand_tx_dropped(s->host_name, frames[i].can_id);
            continue;
        }
        socketcand_queue_frame(s, &frames[i]);
        /* ISO 11898-1 12.1.4.2: -1 for each frame received well */
        s->remote_rec -= s->remote_rec > 0;
    }
    socketcand_flush(s);
    return frames_cnt;
}

static const CanBusClientInfo socketcand_bus_client_info = {
    .remote = true,
    .can_receive = socketcand_can_receive,
    .receive = socketcand_receive,
    .acks = socketcand_acks,
    .rx_error = socketcand_rx_error,
    .bitrate_changed = socketcand_bitrate_changed,
};

static bool socketcand_open(CanHostState *ch, CanBusState *bus, Error **errp)
{
    CanHostSocketcand *s = CAN_HOST_SOCKETCAND(ch);
    SocketAddress *addr;

    if (!s->server || !s->bus) {
        error_setg(errp, "can-host-socketcand: properties 'server' "
                   "(HOST:PORT) and 'bus' (the server's bus) are required");
        return false;
    }
    if (!s->bus[0] || strlen(s->bus) > SCD_BUS_NAME_MAX ||
        strpbrk(s->bus, " \t<>")) {
        error_setg(errp, "can-host-socketcand: bus '%s': 1 to %d "
                   "characters, no blanks or brackets", s->bus,
                   SCD_BUS_NAME_MAX);
        return false;
    }
    addr = socket_parse(s->server, errp);
    if (!addr) {
        return false;
    }
    if (addr->type != SOCKET_ADDRESS_TYPE_INET) {
        error_setg(errp, "can-host-socketcand: server '%s' is not HOST:PORT",
                   s->server);
        qapi_free_SocketAddress(addr);
        return false;
    }
    s->host_name = g_strdup_printf("%s/%s", s->server, s->bus);
    if (!can_host_check_unique(ch, bus, s->host_name, errp)) {
        qapi_free_SocketAddress(addr);
        g_clear_pointer(&s->host_name, g_free);
        return false;
    }
    s->addr = addr;
    s->reconnect = timer_new_ms(QEMU_CLOCK_REALTIME, socketcand_reconnect, s);
    socketcand_connect(s);
    return true;
}

static void socketcand_close(CanHostState *ch)
{
    CanHostSocketcand *s = CAN_HOST_SOCKETCAND(ch);

    g_clear_handle_id(&s->rx_watch, g_source_remove);
    s->state = SCD_DISCONNECTED;
    g_clear_pointer(&s->reconnect, timer_free);
    can_host_tx_queue_clear(&s->tx_queue);
    g_clear_pointer(&s->sioc, object_unref);
    g_clear_pointer(&s->addr, qapi_free_SocketAddress);
    g_clear_pointer(&s->host_name, g_free);
}

static const char *socketcand_host_name(CanHostState *ch)
{
    return CAN_HOST_SOCKETCAND(ch)->host_name;
}

static char *socketcand_get_server(Object *obj, Error **errp)
{
    return g_strdup(CAN_HOST_SOCKETCAND(obj)->server);
}

static void socketcand_set_server(Object *obj, const char *value,
                                  Error **errp)
{
    can_host_set_str(obj, "server", &CAN_HOST_SOCKETCAND(obj)->server, value,
                     errp);
}

static char *socketcand_get_bus(Object *obj, Error **errp)
{
    return g_strdup(CAN_HOST_SOCKETCAND(obj)->bus);
}

static void socketcand_set_bus(Object *obj, const char *value, Error **errp)
{
    can_host_set_str(obj, "bus", &CAN_HOST_SOCKETCAND(obj)->bus, value, errp);
}

static bool socketcand_get_connected(Object *obj, Error **errp)
{
    return CAN_HOST_SOCKETCAND(obj)->state == SCD_UP;
}

static const CanHostCounter socketcand_counters[] = {
    CAN_HOST_COUNTER("rx-frames", CanHostSocketcand, rx_frames),
    CAN_HOST_COUNTER("tx-frames", CanHostSocketcand, tx_frames),
    CAN_HOST_COUNTER("rx-error-frames", CanHostSocketcand, rx_error_frames),
    CAN_HOST_COUNTER("rx-malformed", CanHostSocketcand, rx_malformed),
    CAN_HOST_COUNTER("tx-dropped", CanHostSocketcand, tx_dropped),
    CAN_HOST_COUNTER("tx-refused", CanHostSocketcand, tx_refused),
    CAN_HOST_COUNTER("remote-error-flags", CanHostSocketcand,
                     remote_error_flags),
    CAN_HOST_COUNTER("connects", CanHostSocketcand, connects),
    CAN_HOST_COUNTER("disconnects", CanHostSocketcand, disconnects),
    CAN_HOST_COUNTER("link-errors", CanHostSocketcand, link_errors),
};

static void socketcand_init(Object *obj)
{
    CanHostSocketcand *s = CAN_HOST_SOCKETCAND(obj);

    can_host_tx_queue_init(&s->tx_queue, SOCKETCAND_TX_QUEUE_LEN,
                           socketcand_free_line, &s->tx_dropped,
                           socketcand_send, s);
    can_host_add_counters(obj, socketcand_counters,
                          ARRAY_SIZE(socketcand_counters));
    object_property_add_bool(obj, "connected", socketcand_get_connected,
                             NULL);
}

static void socketcand_finalize(Object *obj)
{
    CanHostSocketcand *s = CAN_HOST_SOCKETCAND(obj);

    g_free(s->server);
    g_free(s->bus);
}

static void socketcand_class_init(ObjectClass *oc, void *data)
{
    CanHostClass *chc = CAN_HOST_CLASS(oc);

    chc->bus_client_info = &socketcand_bus_client_info;
    chc->open = socketcand_open;
    chc->close = socketcand_close;
    chc->host_name = socketcand_host_name;
    object_class_property_add_str(oc, "server", socketcand_get_server,
                                  socketcand_set_server);
    object_class_property_set_description(oc, "server",
        "the socketcand server, HOST:PORT");
    object_class_property_add_str(oc, "bus", socketcand_get_bus,
                                  socketcand_set_bus);
    object_class_property_set_description(oc, "bus",
        "the server's bus to join");
}

static const TypeInfo socketcand_types[] = {
    {
        .name = TYPE_CAN_HOST_SOCKETCAND,
        .parent = TYPE_CAN_HOST,
        .instance_size = sizeof(CanHostSocketcand),
        .instance_init = socketcand_init,
        .instance_finalize = socketcand_finalize,
        .class_init = socketcand_class_init,
    },
};

DEFINE_TYPES(socketcand_types)
