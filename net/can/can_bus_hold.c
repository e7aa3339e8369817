/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Frames from beyond the bus wait for a full receiver.
 *
 * can_bus_client_send() carries frames that exist already, on a host
 * interface or another QEMU's bus across a network.  They arrive at the
 * host's pace, in bunches (a socket read holds dozens), where a real wire
 * spaces them by their length in bits; an emulated guest is slower than
 * the hardware it drives, too.  A controller's receive FIFO holds a few
 * frames only, so each bunch would overrun it.  So while a receiver says
 * it is full (rx_full()) these frames wait in their sender's queue and go
 * once it has room (can_bus_client_rx_freed()).  A receiver that stays
 * full for CAN_BUS_HOLD_MAX_NS, however the others fare, is stalled (a
 * guest that stopped reading): it is overrun as on a wire, and the others
 * get their frames, until it frees room again.  Transmissions of
 * can_bus_client_tx_start() (controllers that wait for their
 * acknowledgement) never wait: between them an overrun is the hardware's
 * behaviour.
 */

#include "qemu/osdep.h"
#include "qemu/timer.h"
#include "can_bus_internal.h"
#include "trace.h"

/* How long a full receiver holds up frames before it counts as stalled */
#define CAN_BUS_HOLD_MAX_NS     (100 * SCALE_MS)

bool can_bus_receiver_full(CanBusPort *sender)
{
    int64_t now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    CanBusPort *peer;
    bool full = false;

    if (!sender->bus) {
        return false;
    }
    QTAILQ_FOREACH(peer, &sender->bus->ports, next) {
        if (peer == sender || peer->rx_stalled || !peer->info->rx_full ||
            !peer->info->rx_full(peer->client)) {
            /* room again, maybe without saying so (reset, bus-off) */
            peer->rx_waited = false;
            continue;
        }
        if (!peer->rx_waited) {
            peer->rx_waited = true;
            peer->rx_waited_since = now;
        }
        full = true;
    }
    return full;
}

bool can_bus_queue_frame(CanBusPort *port, const qemu_can_frame *frame)
{
    if (!port->send_queue) {
        port->send_queue = g_queue_new();
    }
    if (g_queue_get_length(port->send_queue) >= CAN_BUS_SEND_QUEUE_LEN) {
        port->bus->drops++;
        trace_can_bus_send_queue_full(port->name, frame->can_id);
        return false;
    }
    g_queue_push_tail(port->send_queue, g_memdup2(frame, sizeof(*frame)));
    return true;
}

/* Receivers that stayed full: they are overrun now, until they free room */
static void can_bus_hold_expired(void *opaque)
{
    CanBusState *bus = opaque;
    int64_t now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    CanBusPort *port;

    QTAILQ_FOREACH(port, &bus->ports, next) {
        if (port->rx_waited &&
            now - port->rx_waited_since >= CAN_BUS_HOLD_MAX_NS) {
            port->rx_waited = false;
            port->rx_stalled = true;
            trace_can_bus_rx_stalled(port->name);
        }
    }
    bus->engine->release(bus);
}

void can_bus_hold(CanBusState *bus)
{
    int64_t expire = INT64_MAX;
    CanBusPort *port;

    QTAILQ_FOREACH(port, &bus->ports, next) {
        if (port->rx_waited) {
            expire = MIN(expire, port->rx_waited_since + CAN_BUS_HOLD_MAX_NS);
        }
    }
    if (expire == INT64_MAX) {
        return;
    }
    if (!bus->hold_timer) {
        bus->hold_timer = timer_new_ns(QEMU_CLOCK_VIRTUAL,
                                       can_bus_hold_expired, bus);
    }
    timer_mod(bus->hold_timer, expire);
}

void can_bus_client_rx_freed(CanBusClientState *client)
{
    CanBusPort *port = client->port;

    if (!port || !port->bus) {
        return;
    }
    /* its wait, if it was waited for, ends; another's goes on */
    port->rx_waited = false;
    port->rx_stalled = false;
    port->bus->engine->release(port->bus);
}
