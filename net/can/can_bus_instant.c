/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The instant engine of the can-bus: a frame is on the wire, acknowledged
 * and delivered the moment it is sent, and takes no time there.  Only a
 * failed attempt waits: the frame is retried when its own length and the
 * error frame after it would have passed on a real bus, so that a lone
 * node's error counter climbs at the rate it does on hardware.
 */

#include "qemu/osdep.h"
#include "qemu/timer.h"
#include "can_bus_internal.h"

/* An active error flag and its delimiter, sent after a failed attempt */
#define CAN_ERROR_FRAME_BITS    (6 + 8)

static void can_bus_instant_tx_start(CanBusPort *port)
{
    can_bus_attempt(port);
}

static int64_t can_bus_instant_retry_delay_ns(CanBusPort *port)
{
    return can_bus_frame_ns(port) +
           can_bits_ns(CAN_ERROR_FRAME_BITS, can_bus_port_bitrate(port));
}

static void can_bus_instant_retry(void *opaque)
{
    CanBusPort *port = opaque;
    int64_t now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    CanBusPort *due;

    if (!port->bus) {
        if (can_bus_port_due(port, now)) {
            can_bus_attempt(port);
        }
        return;
    }
    /* the frames due now go in the order arbitration would give them */
    while ((due = can_bus_arbitrate(port->bus, now))) {
        can_bus_attempt(due);
    }
}

static void can_bus_instant_schedule(CanBusPort *port)
{
    if (!port->retry_timer) {
        port->retry_timer = timer_new_ns(QEMU_CLOCK_VIRTUAL,
                                         can_bus_instant_retry, port);
    }
    timer_mod(port->retry_timer, port->tx_retry_at);
}

/* @port's queued frames, in order, while no receiver is full */
static void can_bus_instant_release_port(CanBusPort *port)
{
    qemu_can_frame *frame;

    while (port->send_queue && !g_queue_is_empty(port->send_queue)) {
        if (can_bus_receiver_full(port)) {
            can_bus_hold(port->bus);
            return;
        }
        frame = g_queue_pop_head(port->send_queue);
        can_bus_carry(port, frame);
        g_free(frame);
    }
}

static bool can_bus_instant_send(CanBusPort *port,
                                 const qemu_can_frame *frame)
{
    /* error reports are no frames on the wire, and fill no FIFO */
    if ((frame->can_id & QEMU_CAN_ERR_FLAG) ||
        ((!port->send_queue || g_queue_is_empty(port->send_queue)) &&
         !can_bus_receiver_full(port))) {
        can_bus_carry(port, frame);
        return true;
    }
    if (!can_bus_queue_frame(port, frame)) {
        return false;
    }
    can_bus_instant_release_port(port);
    return true;
}

static void can_bus_instant_release(CanBusState *bus)
{
    CanBusPort *port;

    QTAILQ_FOREACH(port, &bus->ports, next) {
        can_bus_instant_release_port(port);
    }
}

const CanBusEngine can_bus_instant_engine = {
    .tx_start = can_bus_instant_tx_start,
    .retry_delay_ns = can_bus_instant_retry_delay_ns,
    .schedule = can_bus_instant_schedule,
    .send = can_bus_instant_send,
    .release = can_bus_instant_release,
};
