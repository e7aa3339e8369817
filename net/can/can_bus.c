/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The can-bus object: a CAN wire shared by controllers and host backends.
 *
 * A frame reaches every attached client but its sender.  A transmission
 * needs an acknowledgement from at least one other client that drives the
 * ACK slot, as on a real bus; without one the frame fails with an ACK error
 * and stays pending, and the bus tries it again one frame time later.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/visitor.h"
#include "qemu/host-utils.h"
#include "qemu/timer.h"
#include "qom/object_interfaces.h"
#include "net/can_emu.h"
#include "trace.h"

/* Bit time assumed for a client that has not said its bitrate */
#define CAN_BUS_DEFAULT_BITRATE 1000000
/* An active error flag and its delimiter, sent after a failed attempt */
#define CAN_ERROR_FRAME_BITS    (6 + 8)
/* Frames of can_bus_client_send() a client may have waiting for the wire */
#define CAN_BUS_SEND_QUEUE_LEN  64
/* Largest bitrate difference, in per mille, nodes still synchronise over */
#define CAN_BUS_BITRATE_TOLERANCE 16
/*
 * ISO 11898-1 nominal bitrates go up to 1 Mbit/s.  CAN FD data phases run
 * at up to 8 Mbit/s on today's transceivers; 16 leaves room for faster
 * ones without accepting nonsense.  Any lower rate is a valid, if slow,
 * bus.
 */
#define CAN_BUS_MAX_BITRATE       1000000
#define CAN_BUS_MAX_DATA_BITRATE  16000000

struct CanBusState {
    Object parent_obj;

    char *name;
    bool timing;
    bool complete;
    /* for clients that do not program a bitrate of their own; 0 if unset */
    uint32_t bitrate;
    uint32_t data_bitrate;
    QTAILQ_HEAD(, CanBusClientState) clients;
    /*
     * Without timing: when the next retry is due.  With timing: the end of
     * the frame on the wire, or when the next arbitration is due.
     */
    QEMUTimer *timer;
    CanBusClientState *on_wire;
    int64_t wire_end;

    uint64_t frames;
    uint64_t fd_frames;
    uint64_t error_frames;
    uint64_t drops;
    uint64_t busy_ns;
    uint64_t arbitration_losses;
};

static bool can_bus_client_acks(CanBusClientState *client)
{
    if (client->info->acks) {
        return client->info->acks(client);
    }
    return client->info->can_receive(client);
}

/* The bitrate @client is known to use, its own or the bus's; 0 if unknown */
static uint32_t can_bus_known_bitrate(CanBusClientState *client)
{
    return client->bitrate ?: client->bus->bitrate;
}

/*
 * Whether @peer cannot follow @sender's bits: their bitrates differ by more
 * than the oscillator tolerance CAN's resynchronisation absorbs (ISO
 * 11898-1 allows at most 1.58 %).  An unknown bitrate follows anything.
 */
static bool can_bus_mismatched(CanBusClientState *peer,
                               CanBusClientState *sender)
{
    uint64_t a = can_bus_known_bitrate(peer);
    uint64_t b = can_bus_known_bitrate(sender);

    if (!a || !b) {
        return false;
    }
    return (a > b ? a - b : b - a) * 1000 > b * CAN_BUS_BITRATE_TOLERANCE;
}

/* Hand @frame to every client but @sender; frame counters are the caller's */
static void can_bus_deliver(CanBusState *bus, CanBusClientState *sender,
                            const qemu_can_frame *frame)
{
    CanBusClientState *peer;

    trace_can_bus_frame(bus->name, frame->can_id, frame->can_dlc,
                        frame->flags);
    QTAILQ_FOREACH(peer, &bus->clients, next) {
        if (peer == sender ||
            (bus->timing && can_bus_mismatched(peer, sender))) {
            /* a node that cannot follow the bits receives nothing */
            continue;
        }
        if (!peer->info->can_receive(peer)) {
            bus->drops++;
            trace_can_bus_drop(bus->name, frame->can_id);
            continue;
        }
        peer->info->receive(peer, frame, 1);
    }
}

static void can_bus_count(CanBusState *bus, const qemu_can_frame *frame)
{
    if (frame->can_id & QEMU_CAN_ERR_FLAG) {
        bus->error_frames++;
        return;
    }
    bus->frames++;
    if (frame->flags & QEMU_CAN_FRMF_TYPE_FD) {
        bus->fd_frames++;
    }
}

/*
 * A client with no bitrate of its own (a host backend) sends at the bus's,
 * else at that of the first controller that has one.
 */
static uint32_t can_bus_bitrate(CanBusClientState *client)
{
    uint32_t known = can_bus_known_bitrate(client);
    CanBusClientState *peer;

    if (known) {
        return known;
    }
    QTAILQ_FOREACH(peer, &client->bus->clients, next) {
        if (peer->bitrate) {
            return peer->bitrate;
        }
    }
    return CAN_BUS_DEFAULT_BITRATE;
}

static int64_t can_bits_ns(unsigned bits, uint32_t bitrate)
{
    return muldiv64(bits, NANOSECONDS_PER_SECOND, bitrate);
}

static int64_t can_bus_bits_ns(CanBusClientState *client, unsigned bits)
{
    return can_bits_ns(bits, can_bus_bitrate(client));
}

/* How long @client's pending frame occupies the wire */
static int64_t can_bus_frame_ns(CanBusClientState *client)
{
    CanWireBits bits = can_frame_wire_bits(&client->tx_frame);
    uint32_t nominal = can_bus_bitrate(client);

    return can_bits_ns(bits.nominal, nominal) +
           can_bits_ns(bits.data, client->bus->data_bitrate ?: nominal);
}

/* With timing: the next queued frame of a can_bus_client_send() user */
static void can_bus_send_next(CanBusState *bus, CanBusClientState *client)
{
    qemu_can_frame *frame = g_queue_pop_head(client->send_queue);

    if (!frame) {
        return;
    }
    client->tx_frame = *frame;
    g_free(frame);
    /* acknowledged where it came from already */
    client->tx_self_ack = true;
    client->tx_pending = true;
    client->tx_retry_at = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    if (!bus->on_wire) {
        timer_mod_anticipate_ns(bus->timer, client->tx_retry_at);
    }
}

static void can_bus_tx_done(CanBusState *bus, CanBusClientState *client,
                            CanTxResult result)
{
    if (client->info->tx_done) {
        client->info->tx_done(client, result);
    } else if (result == CAN_TX_OK) {
        can_bus_send_next(bus, client);
    }
}

static int64_t can_bus_retry_delay_ns(CanBusState *bus,
                                      CanBusClientState *client)
{
    int64_t ns = can_bus_bits_ns(client, CAN_ERROR_FRAME_BITS);

    /* with timing, the failed frame's own time has passed already */
    return bus->timing ? ns : ns + can_bus_frame_ns(client);
}

/*
 * With timing: nodes that cannot follow the sender see errors.  Returns
 * whether one of them destroyed the frame with an active error flag; every
 * other receiver then sees that flag as an error of its own.
 */
static bool can_bus_frame_destroyed(CanBusState *bus,
                                    CanBusClientState *client)
{
    CanBusClientState *peer;
    bool destroyed = false;

    QTAILQ_FOREACH(peer, &bus->clients, next) {
        if (peer != client && peer->info->rx_error &&
            can_bus_mismatched(peer, client) &&
            peer->info->rx_error(peer, true)) {
            destroyed = true;
        }
    }
    if (!destroyed) {
        return false;
    }
    QTAILQ_FOREACH(peer, &bus->clients, next) {
        if (peer != client && peer->info->rx_error &&
            !can_bus_mismatched(peer, client)) {
            peer->info->rx_error(peer, false);
        }
    }
    return true;
}

static void can_bus_failed(CanBusState *bus, CanBusClientState *client,
                           CanTxResult result)
{
    bus->error_frames++;
    client->tx_retry_at = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) +
                          can_bus_retry_delay_ns(bus, client);
    can_bus_tx_done(bus, client, result);
    if (client->tx_pending) {
        timer_mod_anticipate_ns(bus->timer, client->tx_retry_at);
    }
}

/* One attempt of @client's pending frame on the wire */
static void can_bus_attempt(CanBusState *bus, CanBusClientState *client)
{
    CanBusClientState *peer;
    bool acked = client->tx_self_ack;

    if (bus->timing && can_bus_frame_destroyed(bus, client)) {
        trace_can_bus_destroyed(bus->name, client->tx_frame.can_id);
        can_bus_failed(bus, client, CAN_TX_ERROR);
        return;
    }
    QTAILQ_FOREACH(peer, &bus->clients, next) {
        if (peer != client && can_bus_client_acks(peer) &&
            !(bus->timing && can_bus_mismatched(peer, client))) {
            acked = true;
            break;
        }
    }

    if (acked) {
        client->tx_pending = false;
        can_bus_count(bus, &client->tx_frame);
        can_bus_deliver(bus, client, &client->tx_frame);
        can_bus_tx_done(bus, client, CAN_TX_OK);
        return;
    }

    /*
     * The sender flags the ACK error after the ACK delimiter.  An active
     * flag destroys the frame for every receiver; a passive one is
     * recessive, like the end of frame it overlaps, so the receivers that
     * do not acknowledge (listen-only nodes) get the frame, at every
     * attempt.
     */
    trace_can_bus_no_ack(bus->name, client->tx_frame.can_id);
    if (client->info->error_passive && client->info->error_passive(client)) {
        can_bus_deliver(bus, client, &client->tx_frame);
    }
    can_bus_failed(bus, client, CAN_TX_NO_ACK);
}

/*
 * The arbitration field as it goes on the wire, most significant bit
 * first, 0 (dominant) winning: standard frames are identifier, RTR, IDE;
 * extended frames identifier 28..18, SRR, IDE, identifier 17..0, RTR.
 */
static uint32_t can_bus_arbitration_field(const qemu_can_frame *frame)
{
    bool rtr = frame->can_id & QEMU_CAN_RTR_FLAG;
    uint32_t id;

    if (!(frame->can_id & QEMU_CAN_EFF_FLAG)) {
        id = frame->can_id & QEMU_CAN_SFF_MASK;
        return (id << 21) | (rtr << 20);
    }
    id = frame->can_id & QEMU_CAN_EFF_MASK;
    return ((id >> 18) << 21) | (3 << 19) | ((id & 0x3ffff) << 1) | rtr;
}

static bool can_bus_due(CanBusClientState *client, int64_t now)
{
    return client->tx_pending && client->tx_retry_at <= now;
}

/* The due frame that wins arbitration, or NULL */
static CanBusClientState *can_bus_arbitrate(CanBusState *bus, int64_t now)
{
    CanBusClientState *client, *winner = NULL;

    QTAILQ_FOREACH(client, &bus->clients, next) {
        if (can_bus_due(client, now) &&
            (!winner || can_bus_arbitration_field(&client->tx_frame) <
                        can_bus_arbitration_field(&winner->tx_frame))) {
            winner = client;
        }
    }
    return winner;
}

/* With timing: the frame on the wire ends, or the wire is free */
static void can_bus_wire_event(CanBusState *bus)
{
    int64_t now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    int64_t next = INT64_MAX;
    CanBusClientState *client, *winner = NULL;
    uint32_t field, winning;
    unsigned bit;       /* where a loser backs off */

    if (bus->on_wire) {
        if (now < bus->wire_end) {
            timer_mod(bus->timer, bus->wire_end);
            return;
        }
        client = bus->on_wire;
        bus->on_wire = NULL;
        can_bus_attempt(bus, client);
    }

    winner = can_bus_arbitrate(bus, now);
    if (!winner) {
        QTAILQ_FOREACH(client, &bus->clients, next) {
            if (client->tx_pending) {
                next = MIN(next, client->tx_retry_at);
            }
        }
        if (next != INT64_MAX) {
            timer_mod(bus->timer, next);
        }
        return;
    }

    /* the others back off at the first bit they send recessive */
    winning = can_bus_arbitration_field(&winner->tx_frame);
    QTAILQ_FOREACH(client, &bus->clients, next) {
        field = can_bus_arbitration_field(&client->tx_frame);
        if (client == winner || !can_bus_due(client, now) ||
            field == winning) {
            continue;
        }
        bit = clz32(field ^ winning);
        bus->arbitration_losses++;
        trace_can_bus_arbitration_lost(bus->name, client->tx_frame.can_id,
                                       winner->tx_frame.can_id, bit);
        if (client->info->arbitration_lost) {
            client->info->arbitration_lost(client, bit);
        }
    }

    bus->on_wire = winner;
    bus->wire_end = now + can_bus_frame_ns(winner);
    bus->busy_ns += bus->wire_end - now;
    timer_mod(bus->timer, bus->wire_end);
}

static void can_bus_retry(CanBusState *bus)
{
    int64_t now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    CanBusClientState *client, *due;

    /* the due frames go in the order arbitration would give them */
    while ((due = can_bus_arbitrate(bus, now))) {
        can_bus_attempt(bus, due);
    }

    QTAILQ_FOREACH(client, &bus->clients, next) {
        if (client->tx_pending) {
            timer_mod_anticipate_ns(bus->timer, client->tx_retry_at);
        }
    }
}

static void can_bus_timer(void *opaque)
{
    CanBusState *bus = opaque;

    if (bus->timing) {
        can_bus_wire_event(bus);
    } else {
        can_bus_retry(bus);
    }
}

static void can_bus_client_set_pending(CanBusClientState *client,
                                       const qemu_can_frame *frame,
                                       bool self_ack)
{
    assert(client->bus && client->info->tx_done && !client->tx_pending);
    client->tx_frame = *frame;
    client->tx_self_ack = self_ack;
    client->tx_pending = true;
}

void can_bus_client_transmit(CanBusClientState *client,
                             const qemu_can_frame *frame, bool self_ack)
{
    CanBusState *bus = client->bus;

    can_bus_client_set_pending(client, frame, self_ack);
    if (!bus->timing) {
        can_bus_attempt(bus, client);
        return;
    }
    /* on the wire when it wins an arbitration, the next one at the earliest */
    client->tx_retry_at = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    if (!bus->on_wire) {
        timer_mod_anticipate_ns(bus->timer, client->tx_retry_at);
    }
}

void can_bus_client_transmit_deferred(CanBusClientState *client,
                                      const qemu_can_frame *frame,
                                      bool self_ack)
{
    can_bus_client_set_pending(client, frame, self_ack);
    client->tx_retry_at = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    timer_mod_anticipate_ns(client->bus->timer, client->tx_retry_at);
}

bool can_bus_client_abort_tx(CanBusClientState *client)
{
    bool was_pending = client->tx_pending;

    if (client->bus && client->bus->on_wire == client) {
        /* a frame on the wire runs to its end */
        return false;
    }
    client->tx_pending = false;
    return was_pending;
}

/*
 * A frame from can_bus_client_send() as the wire carries it.  Its senders
 * build frames from their own registers or sockets: FD has no remote
 * frames (the RRS bit is always dominant), and only a classic frame of 8
 * bytes has a DLC of 9..15 to keep.
 */
static void can_bus_wire_frame(qemu_can_frame *frame)
{
    if (frame->flags & QEMU_CAN_FRMF_TYPE_FD) {
        frame->can_id &= ~QEMU_CAN_RTR_FLAG;
        frame->len8_dlc = 0;
    } else if (frame->can_dlc != QEMU_CAN_MAX_DLEN ||
               frame->len8_dlc <= QEMU_CAN_MAX_DLEN ||
               frame->len8_dlc > 15) {
        frame->len8_dlc = 0;
    }
}

ssize_t can_bus_client_send(CanBusClientState *client,
                            const qemu_can_frame *frames, size_t frames_cnt)
{
    CanBusState *bus = client->bus;
    qemu_can_frame frame;
    size_t i, taken = 0;

    if (!bus) {
        return -1;
    }
    for (i = 0; i < frames_cnt; i++) {
        taken++;
        frame = frames[i];
        can_bus_wire_frame(&frame);
        /* error reports are no frames on the wire */
        if (!bus->timing || (frame.can_id & QEMU_CAN_ERR_FLAG)) {
            can_bus_count(bus, &frame);
            can_bus_deliver(bus, client, &frame);
            continue;
        }
        if (!client->send_queue) {
            client->send_queue = g_queue_new();
        }
        if (g_queue_get_length(client->send_queue) >= CAN_BUS_SEND_QUEUE_LEN) {
            bus->drops++;
            taken--;
            trace_can_bus_send_queue_full(bus->name, frame.can_id);
            continue;
        }
        g_queue_push_tail(client->send_queue,
                          g_memdup2(&frame, sizeof(frame)));
    }
    if (bus->timing && !client->tx_pending) {
        can_bus_send_next(bus, client);
    }
    return taken;
}

int can_bus_insert_client(CanBusState *bus, CanBusClientState *client)
{
    if (client->bus) {
        return -1;
    }
    client->bus = bus;
    client->tx_pending = false;
    QTAILQ_INSERT_TAIL(&bus->clients, client, next);
    return 0;
}

int can_bus_remove_client(CanBusClientState *client)
{
    CanBusState *bus = client->bus;

    client->tx_pending = false;
    if (client->send_queue) {
        g_queue_free_full(client->send_queue, g_free);
        client->send_queue = NULL;
    }
    if (bus) {
        if (bus->on_wire == client) {
            /* the frame is cut short; the wire stays busy to its end */
            bus->on_wire = NULL;
        }
        QTAILQ_REMOVE(&bus->clients, client, next);
        client->bus = NULL;
    }
    return 0;
}

static void can_bus_complete(UserCreatable *uc, Error **errp)
{
    CanBusState *bus = CAN_BUS(uc);
    const char *id = object_get_canonical_path_component(OBJECT(bus));

    if ((bus->bitrate || bus->data_bitrate) && !bus->timing) {
        error_setg(errp, "can-bus %s: bitrate and data-bitrate need "
                   "timing=on", id);
        return;
    }
    g_free(bus->name);
    bus->name = g_strdup(id);
    bus->complete = true;
}

/* Bitrate properties: which field, and the largest value it takes */
typedef struct CanBusRateProperty {
    const char *name;
    size_t offset;
    uint32_t max;
    const char *description;
} CanBusRateProperty;

static const CanBusRateProperty can_bus_rate_properties[] = {
    {
        "bitrate", offsetof(CanBusState, bitrate), CAN_BUS_MAX_BITRATE,
        "with timing=on: bit/s of the frames of clients that program no "
        "bitrate (host backends, CTU CAN FD, Xilinx CAN); 0 if unset",
    }, {
        "data-bitrate", offsetof(CanBusState, data_bitrate),
        CAN_BUS_MAX_DATA_BITRATE,
        "with timing=on: bit/s of the CAN FD data phase (BRS) of those "
        "clients' frames (default: the nominal bitrate); 0 if unset",
    },
};

static void can_bus_get_rate(Object *obj, Visitor *v, const char *name,
                             void *opaque, Error **errp)
{
    const CanBusRateProperty *prop = opaque;
    uint32_t *field = (uint32_t *)((char *)obj + prop->offset);

    visit_type_uint32(v, name, field, errp);
}

static void can_bus_set_rate(Object *obj, Visitor *v, const char *name,
                             void *opaque, Error **errp)
{
    const CanBusRateProperty *prop = opaque;
    uint32_t *field = (uint32_t *)((char *)obj + prop->offset);
    uint32_t value;

    if (CAN_BUS(obj)->complete) {
        error_setg(errp, "can-bus: %s is chosen when the bus is created",
                   name);
        return;
    }
    if (!visit_type_uint32(v, name, &value, errp)) {
        return;
    }
    if (value < 1 || value > prop->max) {
        error_setg(errp, "can-bus: %s must be between 1 and %" PRIu32
                   " bit/s, not %" PRIu32, name, prop->max, value);
        return;
    }
    *field = value;
}

static bool can_bus_get_timing(Object *obj, Error **errp)
{
    return CAN_BUS(obj)->timing;
}

static void can_bus_set_timing(Object *obj, bool value, Error **errp)
{
    CanBusState *bus = CAN_BUS(obj);

    if (bus->complete) {
        error_setg(errp, "can-bus: timing is chosen when the bus is created");
        return;
    }
    bus->timing = value;
}

static void can_bus_init(Object *obj)
{
    CanBusState *bus = CAN_BUS(obj);

    QTAILQ_INIT(&bus->clients);
    bus->name = g_strdup("can-bus");
    bus->timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, can_bus_timer, bus);
    object_property_add_uint64_ptr(obj, "frames", &bus->frames,
                                   OBJ_PROP_FLAG_READ);
    object_property_add_uint64_ptr(obj, "fd-frames", &bus->fd_frames,
                                   OBJ_PROP_FLAG_READ);
    object_property_add_uint64_ptr(obj, "error-frames", &bus->error_frames,
                                   OBJ_PROP_FLAG_READ);
    object_property_add_uint64_ptr(obj, "drops", &bus->drops,
                                   OBJ_PROP_FLAG_READ);
    object_property_add_uint64_ptr(obj, "busy-ns", &bus->busy_ns,
                                   OBJ_PROP_FLAG_READ);
    object_property_add_uint64_ptr(obj, "arbitration-losses",
                                   &bus->arbitration_losses,
                                   OBJ_PROP_FLAG_READ);
}

static void can_bus_finalize(Object *obj)
{
    CanBusState *bus = CAN_BUS(obj);
    CanBusClientState *client, *next;

    QTAILQ_FOREACH_SAFE(client, &bus->clients, next, next) {
        can_bus_remove_client(client);
    }
    timer_free(bus->timer);
    g_free(bus->name);
}

static bool can_bus_can_be_deleted(UserCreatable *uc)
{
    /* controllers and backends hold a pointer to their bus */
    return QTAILQ_EMPTY(&CAN_BUS(uc)->clients);
}

static void can_bus_class_init(ObjectClass *oc, void *data)
{
    UserCreatableClass *ucc = USER_CREATABLE_CLASS(oc);
    size_t i;

    ucc->complete = can_bus_complete;
    object_class_property_add_bool(oc, "timing", can_bus_get_timing,
                                   can_bus_set_timing);
    object_class_property_set_description(oc, "timing",
        "frames take their bit time on the wire and arbitrate (default off)");
    ucc->can_be_deleted = can_bus_can_be_deleted;
    for (i = 0; i < ARRAY_SIZE(can_bus_rate_properties); i++) {
        const CanBusRateProperty *prop = &can_bus_rate_properties[i];

        object_class_property_add(oc, prop->name, "uint32",
                                  can_bus_get_rate, can_bus_set_rate,
                                  NULL, (void *)prop);
        object_class_property_set_description(oc, prop->name,
                                              prop->description);
    }
}

static const TypeInfo can_bus_types[] = {
    {
        .name = TYPE_CAN_BUS,
        .parent = TYPE_OBJECT,
        .instance_size = sizeof(CanBusState),
        .instance_init = can_bus_init,
        .instance_finalize = can_bus_finalize,
        .class_init = can_bus_class_init,
        .interfaces = (InterfaceInfo[]) {
            { TYPE_USER_CREATABLE },
            { }
        }
    },
};

DEFINE_TYPES(can_bus_types)
