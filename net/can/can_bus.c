/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The can-bus object: a CAN wire shared by controllers and host backends.
 *
 * A frame reaches every attached client but its sender.  A transmission
 * needs an acknowledgement from at least one other client that drives the
 * ACK slot, as on a real bus; without one the frame fails with an ACK error
 * and stays pending, and the bus tries it again.  When frames go on the
 * wire is the engine's: can_bus_instant.c or can_bus_timing.c.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/visitor.h"
#include "qemu/host-utils.h"
#include "qemu/timer.h"
#include "migration/vmstate.h"
#include "qom/object_interfaces.h"
#include "can_bus_internal.h"
#include "trace.h"

/* Bit time assumed for a client that has not said its bitrate */
#define CAN_BUS_DEFAULT_BITRATE 1000000
/*
 * ISO 11898-1 nominal bitrates go up to 1 Mbit/s.  CAN FD data phases run
 * at up to 8 Mbit/s on today's transceivers; 16 leaves room for faster
 * ones without accepting nonsense.  Any lower rate is a valid, if slow,
 * bus.
 */
#define CAN_BUS_MAX_BITRATE       1000000
#define CAN_BUS_MAX_DATA_BITRATE  16000000

const CanBusEngine *can_bus_port_engine(CanBusPort *port)
{
    /* a client alone has no wire to time */
    return port->bus ? port->bus->engine : &can_bus_instant_engine;
}

static bool can_bus_follows(CanBusPort *peer, CanBusPort *sender)
{
    const CanBusEngine *engine = can_bus_port_engine(sender);

    return !engine->follows || engine->follows(peer, sender);
}

static bool can_bus_port_acks(CanBusPort *port)
{
    if (port->info->acks) {
        return port->info->acks(port->client);
    }
    return port->info->can_receive(port->client);
}

uint32_t can_bus_port_known_bitrate(CanBusPort *port)
{
    return port->bitrate ?: (port->bus ? port->bus->bitrate : 0);
}

/*
 * The bitrate of the first client of @port's bus but @port that programs
 * one: a remote client's is not one of this bus's
 */
static uint32_t can_bus_peers_bitrate(CanBusPort *port)
{
    CanBusPort *peer;

    QTAILQ_FOREACH(peer, &port->bus->ports, next) {
        if (peer != port && peer->bitrate && !peer->info->remote) {
            return peer->bitrate;
        }
    }
    return 0;
}

/*
 * A client with no bitrate of its own (a host backend) sends at the bus's,
 * else at that of the first controller that has one.
 */
uint32_t can_bus_port_bitrate(CanBusPort *port)
{
    uint32_t known = can_bus_port_known_bitrate(port);

    if (known || !port->bus) {
        return known ?: CAN_BUS_DEFAULT_BITRATE;
    }
    return can_bus_peers_bitrate(port) ?: CAN_BUS_DEFAULT_BITRATE;
}

int64_t can_bits_ns(unsigned bits, uint32_t bitrate)
{
    return muldiv64(bits, NANOSECONDS_PER_SECOND, bitrate);
}

int64_t can_bus_frame_ns(CanBusPort *port)
{
    CanWireBits bits = can_frame_wire_bits(&port->tx_frame);
    uint32_t nominal = can_bus_port_bitrate(port);
    uint32_t data = port->bus ? port->bus->data_bitrate : 0;

    return can_bits_ns(bits.nominal, nominal) +
           can_bits_ns(bits.data, data ?: nominal);
}

void can_bus_deliver(CanBusPort *sender, const qemu_can_frame *frame)
{
    CanBusState *bus = sender->bus;
    CanBusPort *peer;

    if (!bus) {
        return;
    }
    trace_can_bus_frame(bus->name, frame->can_id, frame->can_dlc,
                        frame->flags);
    QTAILQ_FOREACH(peer, &bus->ports, next) {
        if (peer == sender || !can_bus_follows(peer, sender)) {
            /* a node that cannot follow the bits receives nothing */
            continue;
        }
        if (!peer->info->can_receive(peer->client)) {
            bus->drops++;
            peer->drops++;
            trace_can_bus_drop(bus->name, frame->can_id);
            continue;
        }
        peer->frames_in++;
        peer->info->receive(peer->client, frame, 1);
    }
}

void can_bus_notify(CanBusState *bus, CanBusEvent *event)
{
    CanBusPort *obs, *next;

    if (!bus) {
        return;
    }
    event->time_ns = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    QTAILQ_FOREACH_SAFE(obs, &bus->observers, next, next) {
        obs->frames_in++;
        obs->info->observe(obs->client, event);
    }
}

void can_bus_notify_frame(CanBusPort *port, CanBusEventType type,
                          const qemu_can_frame *frame)
{
    CanBusEvent event = {
        .type = type,
        .client = port->name,
        .frame = frame,
    };

    can_bus_notify(port->bus, &event);
}

void can_bus_client_report_state(CanBusClientState *client,
                                 CanBusErrorState state, unsigned tec,
                                 unsigned rec)
{
    CanBusPort *port = client->port;
    CanBusEvent event = {
        .type = CAN_BUS_EVENT_STATE,
        .client = port->name,
        .state = { .state = state, .tec = tec, .rec = rec },
    };

    can_bus_notify(port->bus, &event);
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

void can_bus_carry(CanBusPort *port, const qemu_can_frame *frame)
{
    if (port->bus) {
        can_bus_count(port->bus, frame);
    }
    port->frames_out++;
    can_bus_deliver(port, frame);
    can_bus_notify_frame(port, CAN_BUS_EVENT_FRAME, frame);
}

static void can_bus_tx_done(CanBusPort *port, CanTxResult result)
{
    if (port->info->tx_done) {
        port->info->tx_done(port->client, result);
    }
}

void can_bus_attempt_failed(CanBusPort *port, CanTxResult result)
{
    const CanBusEngine *engine = can_bus_port_engine(port);

    if (port->bus) {
        port->bus->error_frames++;
    }
    port->tx_retry_at = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) +
                        engine->retry_delay_ns(port);
    can_bus_tx_done(port, result);
    if (port->tx_pending) {
        engine->schedule(port);
    }
}

static bool can_bus_acked(CanBusPort *port)
{
    CanBusPort *peer;

    if (port->tx_self_ack) {
        return true;
    }
    if (!port->bus) {
        return false;
    }
    QTAILQ_FOREACH(peer, &port->bus->ports, next) {
        if (peer != port && can_bus_port_acks(peer) &&
            can_bus_follows(peer, port)) {
            return true;
        }
    }
    return false;
}

void can_bus_attempt(CanBusPort *port)
{
    if (can_bus_acked(port)) {
        port->tx_pending = false;
        can_bus_carry(port, &port->tx_frame);
        can_bus_tx_done(port, CAN_TX_OK);
        return;
    }

    /*
     * The sender flags the ACK error after the ACK delimiter.  An active
     * flag destroys the frame for every receiver; a passive one is
     * recessive, like the end of frame it overlaps, so the receivers that
     * do not acknowledge (listen-only nodes) get the frame, at every
     * attempt.
     */
    trace_can_bus_no_ack(port->name, port->tx_frame.can_id);
    can_bus_notify_frame(port, CAN_BUS_EVENT_ACK_ERROR, &port->tx_frame);
    if (port->info->error_passive &&
        port->info->error_passive(port->client)) {
        can_bus_deliver(port, &port->tx_frame);
    }
    can_bus_attempt_failed(port, CAN_TX_NO_ACK);
}

/*
 * Standard frames are identifier, RTR, IDE; extended frames identifier
 * 28..18, SRR, IDE, identifier 17..0, RTR.
 */
uint32_t can_bus_arbitration_field(const qemu_can_frame *frame)
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

bool can_bus_port_due(CanBusPort *port, int64_t now)
{
    return port->tx_pending && port->tx_retry_at <= now;
}

CanBusPort *can_bus_arbitrate(CanBusState *bus, int64_t now)
{
    CanBusPort *port, *winner = NULL;

    QTAILQ_FOREACH(port, &bus->ports, next) {
        if (can_bus_port_due(port, now) &&
            (!winner || can_bus_arbitration_field(&port->tx_frame) <
                        can_bus_arbitration_field(&winner->tx_frame))) {
            winner = port;
        }
    }
    return winner;
}

static void can_bus_set_pending(CanBusPort *port, const qemu_can_frame *frame,
                                bool self_ack)
{
    assert(port->info->tx_done && !port->tx_pending);
    port->tx_frame = *frame;
    port->tx_self_ack = self_ack;
    port->tx_pending = true;
}

void can_bus_client_tx_start(CanBusClientState *client,
                             const qemu_can_frame *frame, bool self_ack)
{
    CanBusPort *port = client->port;

    can_bus_set_pending(port, frame, self_ack);
    can_bus_port_engine(port)->tx_start(port);
}

/*
 * The frame on the wire breaks off: the wire stays busy to the end the
 * frame would have had, and the receivers, seeing it break off, flag an
 * error.
 */
static void can_bus_cut_wire(CanBusState *bus)
{
    bus->on_wire = NULL;
    bus->error_frames++;
}

static bool can_bus_withdraw(CanBusPort *port)
{
    bool was_pending = port->tx_pending;

    port->tx_pending = false;
    if (port->retry_timer) {
        timer_del(port->retry_timer);
    }
    return was_pending;
}

bool can_bus_client_tx_abort(CanBusClientState *client)
{
    CanBusPort *port = client->port;

    if (!port || (port->bus && port->bus->on_wire == port)) {
        /* a frame on the wire runs to its end */
        return false;
    }
    return can_bus_withdraw(port);
}

bool can_bus_client_tx_cut(CanBusClientState *client)
{
    CanBusPort *port = client->port;

    if (!port) {
        return false;
    }
    if (port->bus && port->bus->on_wire == port) {
        can_bus_cut_wire(port->bus);
    }
    return can_bus_withdraw(port);
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
    CanBusPort *port = client->port;
    qemu_can_frame frame;
    size_t i, taken = 0;

    if (!port || port->info->observe) {
        return -1;
    }
    if (!port->bus) {
        /* alone: the frames go on a wire nobody listens to */
        return frames_cnt;
    }
    for (i = 0; i < frames_cnt; i++) {
        frame = frames[i];
        can_bus_wire_frame(&frame);
        if (port->bus->engine->send(port, &frame)) {
            taken++;
        }
    }
    return taken;
}

void can_bus_client_set_bitrate(CanBusClientState *client, uint32_t bitrate)
{
    CanBusPort *port = client->port, *peer;

    if (port->bitrate == bitrate) {
        return;
    }
    port->bitrate = bitrate;
    if (!port->bus) {
        return;
    }
    QTAILQ_FOREACH(peer, &port->bus->ports, next) {
        if (peer != port && peer->info->bitrate_changed) {
            peer->info->bitrate_changed(peer->client);
        }
    }
}

uint32_t can_bus_client_peer_bitrate(CanBusClientState *client)
{
    CanBusPort *port = client->port;

    if (!port || !port->bus) {
        return 0;
    }
    return can_bus_peers_bitrate(port) ?: port->bus->bitrate;
}

void can_bus_client_remote_error(CanBusClientState *client)
{
    CanBusPort *port = client->port;

    if (port && port->bus && port->bus->engine->remote_error) {
        port->bus->engine->remote_error(port);
    }
}

CanBusPort *can_bus_find_port(CanBusState *bus, const char *name)
{
    CanBusPort *port;

    QTAILQ_FOREACH(port, &bus->ports, next) {
        if (!strcmp(port->name, name)) {
            return port;
        }
    }
    QTAILQ_FOREACH(port, &bus->observers, next) {
        if (!strcmp(port->name, name)) {
            return port;
        }
    }
    return NULL;
}

static bool can_bus_is_observer(const CanBusClientInfo *info)
{
    /* an observer has nothing else to do on the bus */
    assert(!info->observe ||
           (!info->can_receive && !info->receive && !info->acks &&
            !info->tx_done && !info->arbitration_lost && !info->rx_error &&
            !info->error_passive && !info->bitrate_changed));
    return info->observe;
}

bool can_bus_attach(CanBusState *bus, CanBusClientState *client,
                    const CanBusClientInfo *info, const char *name,
                    Error **errp)
{
    bool observer = can_bus_is_observer(info);
    CanBusPort *port;

    assert(observer || (info->can_receive && info->receive));
    if (observer && !bus) {
        error_setg(errp, "%s: an observer needs a can-bus to observe", name);
        return false;
    }
    if (client->port) {
        error_setg(errp, "%s is attached to a CAN bus already", name);
        return false;
    }
    if (strlen(name) > CAN_BUS_NAME_MAX) {
        error_setg(errp, "CAN bus client name %s is longer than %d "
                   "characters", name, CAN_BUS_NAME_MAX);
        return false;
    }
    if (bus && can_bus_find_port(bus, name)) {
        error_setg(errp, "can-bus %s has a client named %s already",
                   bus->name, name);
        return false;
    }
    port = g_new0(CanBusPort, 1);
    port->client = client;
    port->info = info;
    port->bus = bus;
    port->name = g_strdup(name);
    if (observer) {
        QTAILQ_INSERT_TAIL(&bus->observers, port, next);
    } else if (bus) {
        QTAILQ_INSERT_TAIL(&bus->ports, port, next);
    }
    client->port = port;
    return true;
}

void can_bus_detach(CanBusClientState *client)
{
    CanBusPort *port = client->port;
    CanBusState *bus;

    if (!port) {
        return;
    }
    bus = port->bus;
    if (bus) {
        if (bus->on_wire == port) {
            can_bus_cut_wire(bus);
        }
        if (port->info->observe) {
            QTAILQ_REMOVE(&bus->observers, port, next);
        } else {
            QTAILQ_REMOVE(&bus->ports, port, next);
        }
    }
    if (port->send_queue) {
        g_queue_free_full(port->send_queue, g_free);
    }
    if (port->retry_timer) {
        timer_free(port->retry_timer);
    }
    g_free(port->name);
    g_free(port);
    client->port = NULL;
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
    /* the frames in flight migrate with the bus, under its canonical path */
    if (vmstate_register_any(VMSTATE_IF(bus), &vmstate_can_bus, bus) < 0) {
        error_setg(errp, "can-bus %s: cannot register its migration state",
                   id);
        return;
    }
    g_free(bus->name);
    bus->name = g_strdup(id);
    bus->engine = bus->timing ? &can_bus_timed_engine : &can_bus_instant_engine;
    if (bus->engine->realize) {
        bus->engine->realize(bus);
    }
    bus->created_ns = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
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

    QTAILQ_INIT(&bus->ports);
    QTAILQ_INIT(&bus->observers);
    bus->name = g_strdup("can-bus");
    bus->engine = &can_bus_instant_engine;
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
    CanBusPort *port, *next;

    QTAILQ_FOREACH_SAFE(port, &bus->ports, next, next) {
        can_bus_detach(port->client);
    }
    QTAILQ_FOREACH_SAFE(port, &bus->observers, next, next) {
        can_bus_detach(port->client);
    }
    if (bus->complete) {
        vmstate_unregister(VMSTATE_IF(bus), &vmstate_can_bus, bus);
    }
    if (bus->timer) {
        timer_free(bus->timer);
    }
    if (bus->hold_timer) {
        timer_free(bus->hold_timer);
    }
    g_free(bus->name);
}

static char *can_bus_vmstate_id(VMStateIf *obj)
{
    return object_get_canonical_path(OBJECT(obj));
}

static bool can_bus_can_be_deleted(UserCreatable *uc)
{
    /* controllers and backends hold a pointer to their bus */
    CanBusState *bus = CAN_BUS(uc);

    return QTAILQ_EMPTY(&bus->ports) && QTAILQ_EMPTY(&bus->observers);
}

static void can_bus_class_init(ObjectClass *oc, void *data)
{
    UserCreatableClass *ucc = USER_CREATABLE_CLASS(oc);
    VMStateIfClass *vc = VMSTATE_IF_CLASS(oc);
    size_t i;

    ucc->complete = can_bus_complete;
    vc->get_id = can_bus_vmstate_id;
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
            { TYPE_VMSTATE_IF },
            { }
        }
    },
};

DEFINE_TYPES(can_bus_types)
