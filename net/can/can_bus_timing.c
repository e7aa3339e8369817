/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The timed engine of the can-bus (timing=on): the bus is a wire in
 * virtual time.  A frame occupies it for its length in bits at its
 * sender's bitrate; frames pending when the wire becomes free arbitrate
 * bit by bit on their arbitration fields, and the losers try again after
 * the winner.  Nodes whose bitrates differ too much to follow each other
 * see errors instead of frames.
 */

#include "qemu/osdep.h"
#include "qemu/host-utils.h"
#include "qemu/timer.h"
#include "can_bus_internal.h"
#include "trace.h"

/* An active error flag and its delimiter, sent after a failed attempt */
#define CAN_ERROR_FRAME_BITS    (6 + 8)
/* Largest bitrate difference, in per mille, nodes still synchronise over */
#define CAN_BUS_BITRATE_TOLERANCE 16

/*
 * Whether @peer cannot follow @sender's bits: their bitrates differ by more
 * than the oscillator tolerance CAN's resynchronisation absorbs (ISO
 * 11898-1 allows at most 1.58 %).  An unknown bitrate follows anything.
 */
static bool can_bus_timed_follows(CanBusPort *peer, CanBusPort *sender)
{
    uint64_t a = can_bus_port_known_bitrate(peer);
    uint64_t b = can_bus_port_known_bitrate(sender);

    if (!a || !b) {
        return true;
    }
    return (a > b ? a - b : b - a) * 1000 <= b * CAN_BUS_BITRATE_TOLERANCE;
}

/*
 * The next queued frame of a can_bus_client_send() user, unless a
 * receiver is full
 */
static void can_bus_timed_send_next(CanBusPort *port)
{
    qemu_can_frame *frame;

    if (port->tx_pending || !port->send_queue ||
        g_queue_is_empty(port->send_queue)) {
        return;
    }
    if (can_bus_receiver_full(port)) {
        can_bus_hold(port->bus);
        return;
    }
    frame = g_queue_pop_head(port->send_queue);
    port->tx_frame = *frame;
    g_free(frame);
    /* acknowledged where it came from already */
    port->tx_self_ack = true;
    port->tx_pending = true;
    port->tx_retry_at = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    if (!port->bus->on_wire) {
        timer_mod_anticipate_ns(port->bus->timer, port->tx_retry_at);
    }
}

static int64_t can_bus_timed_retry_delay_ns(CanBusPort *port)
{
    /* the failed frame's own time has passed already */
    return can_bits_ns(CAN_ERROR_FRAME_BITS, can_bus_port_bitrate(port));
}

/*
 * Nodes that cannot follow the sender of @frame see errors.  Returns
 * whether one of them destroyed the frame with an active error flag; every
 * other receiver then sees that flag as an error of its own.
 */
static bool can_bus_timed_destroyed(CanBusPort *sender,
                                    const qemu_can_frame *frame)
{
    CanBusPort *peer, *flagger = NULL;
    CanBusEvent event = {
        .type = CAN_BUS_EVENT_ERROR_FLAG,
        .client = sender->name,
        .frame = frame,
        /* a node that cannot follow the bits fails within the identifier */
        .error = {
            .kind = CAN_BUS_ERROR_STUFF,
            .field = CAN_BUS_FIELD_IDENTIFIER,
        },
    };

    QTAILQ_FOREACH(peer, &sender->bus->ports, next) {
        if (peer != sender && peer->info->rx_error &&
            !can_bus_timed_follows(peer, sender) &&
            peer->info->rx_error(peer->client, frame, true) && !flagger) {
            flagger = peer;
        }
    }
    if (!flagger) {
        return false;
    }
    event.error.node = flagger->name;
    can_bus_notify(sender->bus, &event);
    QTAILQ_FOREACH(peer, &sender->bus->ports, next) {
        if (peer != sender && peer->info->rx_error &&
            can_bus_timed_follows(peer, sender)) {
            peer->info->rx_error(peer->client, frame, false);
        }
    }
    return true;
}

/* The frame on the wire has ended: its outcome */
static void can_bus_timed_frame_end(CanBusPort *port)
{
    if (can_bus_timed_destroyed(port, &port->tx_frame)) {
        trace_can_bus_destroyed(port->name, port->tx_frame.can_id);
        can_bus_attempt_failed(port, CAN_TX_ERROR);
    } else {
        can_bus_attempt(port);
    }
    if (!port->info->tx_done) {
        can_bus_timed_send_next(port);
    }
}

/* The others back off at the first bit they send recessive */
static void can_bus_timed_losers(CanBusState *bus, CanBusPort *winner,
                                 int64_t now)
{
    uint32_t winning = can_bus_arbitration_field(&winner->tx_frame);
    uint32_t field;
    CanBusPort *port;
    unsigned bit;

    QTAILQ_FOREACH(port, &bus->ports, next) {
        field = can_bus_arbitration_field(&port->tx_frame);
        if (port == winner || !can_bus_port_due(port, now) ||
            field == winning) {
            continue;
        }
        bit = clz32(field ^ winning);
        bus->arbitration_losses++;
        trace_can_bus_arbitration_lost(port->name, port->tx_frame.can_id,
                                       winner->tx_frame.can_id, bit);
        if (port->info->arbitration_lost) {
            port->info->arbitration_lost(port->client, bit);
        }
        can_bus_notify(bus, &(CanBusEvent) {
            .type = CAN_BUS_EVENT_ARBITRATION_LOST,
            .client = port->name,
            .frame = &port->tx_frame,
            .arbitration = { .bit = bit, .winner = winner->name },
        });
    }
}

/* The frame on the wire ends, or the wire is free */
static void can_bus_timed_wire_event(void *opaque)
{
    CanBusState *bus = opaque;
    int64_t now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    int64_t next = INT64_MAX;
    CanBusPort *port, *winner;

    if (bus->on_wire) {
        if (now < bus->wire_end) {
            timer_mod(bus->timer, bus->wire_end);
            return;
        }
        port = bus->on_wire;
        bus->on_wire = NULL;
        can_bus_timed_frame_end(port);
    }

    winner = can_bus_arbitrate(bus, now);
    if (!winner) {
        QTAILQ_FOREACH(port, &bus->ports, next) {
            if (port->tx_pending) {
                next = MIN(next, port->tx_retry_at);
            }
        }
        if (next != INT64_MAX) {
            timer_mod(bus->timer, next);
        }
        return;
    }

    can_bus_timed_losers(bus, winner, now);
    bus->on_wire = winner;
    bus->wire_end = now + can_bus_frame_ns(winner);
    bus->busy_ns += bus->wire_end - now;
    timer_mod(bus->timer, bus->wire_end);
}

static void can_bus_timed_schedule(CanBusPort *port)
{
    if (!port->bus->on_wire) {
        timer_mod_anticipate_ns(port->bus->timer, port->tx_retry_at);
    }
}

static void can_bus_timed_tx_start(CanBusPort *port)
{
    /* on the wire when it wins an arbitration, the next one at the earliest */
    port->tx_retry_at = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    can_bus_timed_schedule(port);
}

static bool can_bus_timed_send(CanBusPort *port, const qemu_can_frame *frame)
{
    /* error reports are no frames on the wire */
    if (frame->can_id & QEMU_CAN_ERR_FLAG) {
        can_bus_carry(port, frame);
        return true;
    }
    if (!can_bus_queue_frame(port, frame)) {
        return false;
    }
    can_bus_timed_send_next(port);
    return true;
}

static void can_bus_timed_release(CanBusState *bus)
{
    CanBusPort *port;

    QTAILQ_FOREACH(port, &bus->ports, next) {
        can_bus_timed_send_next(port);
    }
}

/*
 * The remote nodes' frame takes no wire time here: it happened on their
 * wire, and the news of it comes late anyway
 */
static void can_bus_timed_remote_error(CanBusPort *port)
{
    bool flagged = can_bus_timed_destroyed(port, NULL);

    trace_can_bus_remote_error(port->name, flagged);
}

static void can_bus_timed_realize(CanBusState *bus)
{
    bus->timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, can_bus_timed_wire_event,
                              bus);
}

const CanBusEngine can_bus_timed_engine = {
    .realize = can_bus_timed_realize,
    .tx_start = can_bus_timed_tx_start,
    .retry_delay_ns = can_bus_timed_retry_delay_ns,
    .schedule = can_bus_timed_schedule,
    .send = can_bus_timed_send,
    .follows = can_bus_timed_follows,
    .remote_error = can_bus_timed_remote_error,
    .release = can_bus_timed_release,
};
