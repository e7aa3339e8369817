/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The can-bus's migration state: what each client has in flight (the
 * frame it is transmitting, the frames it queued for the wire), the frame
 * on the wire and when it ends, and the bus's counters.  It migrates with
 * the bus object, not with its clients: host backends have no state of
 * their own to carry it, and the frame on the wire is the bus's.  Clients
 * are matched by the name they attached under.  A client alone carries its
 * pending frame itself, with vmstate_can_bus_client.
 */

#include "qemu/osdep.h"
#include "qemu/error-report.h"
#include "qemu/timer.h"
#include "migration/vmstate.h"
#include "can_bus_internal.h"

static const VMStateDescription vmstate_can_frame = {
    .name = "can-bus/frame",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32(can_id, qemu_can_frame),
        VMSTATE_UINT8(can_dlc, qemu_can_frame),
        VMSTATE_UINT8(flags, qemu_can_frame),
        VMSTATE_UINT8(len8_dlc, qemu_can_frame),
        VMSTATE_UINT8_ARRAY(data, qemu_can_frame, QEMU_CANFD_MAX_DLEN),
        VMSTATE_END_OF_LIST()
    }
};

static bool can_bus_name_len_valid(void *opaque, int version_id)
{
    CanBusPortState *ps = opaque;

    return ps->name_len >= 1 && ps->name_len <= CAN_BUS_NAME_MAX + 1;
}

static bool can_bus_queued_valid(void *opaque, int version_id)
{
    CanBusPortState *ps = opaque;

    return ps->queued >= 0 && ps->queued <= CAN_BUS_SEND_QUEUE_LEN;
}

/*
 * The array of these is allocated, not zeroed, by the load: a client with
 * no queued frames leaves @queue unset, and post_load frees it.
 */
static int can_bus_port_pre_load(void *opaque)
{
    memset(opaque, 0, sizeof(CanBusPortState));
    return 0;
}

static const VMStateDescription vmstate_can_bus_port = {
    .name = "can-bus/client",
    .version_id = 1,
    .minimum_version_id = 1,
    .pre_load = can_bus_port_pre_load,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32(name_len, CanBusPortState),
        VMSTATE_VALIDATE("client name length", can_bus_name_len_valid),
        VMSTATE_VBUFFER_ALLOC_UINT32(name, CanBusPortState, 0, NULL,
                                     name_len),
        VMSTATE_BOOL(tx_pending, CanBusPortState),
        VMSTATE_BOOL(tx_self_ack, CanBusPortState),
        VMSTATE_BOOL(on_wire, CanBusPortState),
        VMSTATE_INT64(tx_retry_in, CanBusPortState),
        VMSTATE_STRUCT(tx_frame, CanBusPortState, 1, vmstate_can_frame,
                       qemu_can_frame),
        VMSTATE_INT32(queued, CanBusPortState),
        VMSTATE_VALIDATE("queued frames", can_bus_queued_valid),
        VMSTATE_STRUCT_VARRAY_ALLOC(queue, CanBusPortState, queued, 1,
                                    vmstate_can_frame, qemu_can_frame),
        VMSTATE_END_OF_LIST()
    }
};

static unsigned can_bus_port_count(CanBusState *bus)
{
    CanBusPort *port;
    unsigned n = 0;

    QTAILQ_FOREACH(port, &bus->ports, next) {
        n++;
    }
    return n;
}

static bool can_bus_port_busy(CanBusPort *port)
{
    return port->tx_pending ||
           (port->send_queue && !g_queue_is_empty(port->send_queue));
}

static int64_t can_bus_now(void)
{
    return qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
}

static void can_bus_save_port(CanBusPort *port, CanBusPortState *ps)
{
    GList *l;
    int i = 0;

    ps->name = (uint8_t *)g_strdup(port->name);
    ps->name_len = strlen(port->name) + 1;
    ps->tx_pending = port->tx_pending;
    ps->tx_self_ack = port->tx_self_ack;
    ps->on_wire = port->bus->on_wire == port;
    ps->tx_retry_in = port->tx_retry_at - can_bus_now();
    ps->tx_frame = port->tx_frame;
    ps->queued = port->send_queue ? g_queue_get_length(port->send_queue) : 0;
    ps->queue = g_new(qemu_can_frame, ps->queued);
    for (l = ps->queued ? port->send_queue->head : NULL; l; l = l->next) {
        ps->queue[i++] = *(qemu_can_frame *)l->data;
    }
}

static void can_bus_free_saved(CanBusState *bus)
{
    int i;

    for (i = 0; i < bus->saved_count; i++) {
        g_free(bus->saved[i].name);
        g_free(bus->saved[i].queue);
    }
    g_free(bus->saved);
    bus->saved = NULL;
    bus->saved_count = 0;
}

static int can_bus_pre_save(void *opaque)
{
    CanBusState *bus = opaque;
    CanBusPort *port;
    int n = 0;

    /* only clients with frames in flight: the others have nothing to lose */
    bus->saved = g_new0(CanBusPortState, can_bus_port_count(bus));
    QTAILQ_FOREACH(port, &bus->ports, next) {
        if (can_bus_port_busy(port)) {
            can_bus_save_port(port, &bus->saved[n++]);
        }
    }
    bus->saved_count = n;
    bus->saved_wire_left = bus->wire_end - can_bus_now();
    return 0;
}

static int can_bus_post_save(void *opaque)
{
    can_bus_free_saved(opaque);
    return 0;
}

static bool can_bus_saved_count_valid(void *opaque, int version_id)
{
    CanBusState *bus = opaque;

    /* each names a different client of this bus */
    return bus->saved_count >= 0 &&
           bus->saved_count <= can_bus_port_count(bus);
}

static bool can_bus_frame_valid(const qemu_can_frame *frame)
{
    bool fd = frame->flags & QEMU_CAN_FRMF_TYPE_FD;

    return frame->can_dlc <= (fd ? QEMU_CANFD_MAX_DLEN : QEMU_CAN_MAX_DLEN) &&
           frame->len8_dlc <= 15;
}

/* Give the client named in @ps its frames back; false if they cannot be */
static bool can_bus_restore_port(CanBusState *bus, CanBusPortState *ps)
{
    const char *name = (const char *)ps->name;
    CanBusPort *port;
    GQueue *queue;
    int i;

    if (name[ps->name_len - 1]) {
        error_report("can-bus %s: a client name in the stream is not a "
                     "string", bus->name);
        return false;
    }
    port = can_bus_find_port(bus, name);
    if (!port || can_bus_port_busy(port)) {
        error_report("can-bus %s: %s has frames in flight, but %s here",
                     bus->name, name, port ? "is busy already" : "is not");
        return false;
    }
    if ((ps->tx_pending && !can_bus_frame_valid(&ps->tx_frame)) ||
        /* without tx_done, only a queued frame can be pending */
        (ps->tx_pending && !port->info->tx_done && !ps->tx_self_ack) ||
        (ps->on_wire && (!bus->timing || !ps->tx_pending || bus->on_wire)) ||
        (ps->queued && port->info->tx_done)) {
        error_report("can-bus %s: the state of %s in the stream is not "
                     "possible", bus->name, name);
        return false;
    }
    for (i = 0; i < ps->queued; i++) {
        if (!can_bus_frame_valid(&ps->queue[i])) {
            error_report("can-bus %s: a frame queued by %s in the stream "
                         "is not possible", bus->name, name);
            return false;
        }
    }

    port->tx_pending = ps->tx_pending;
    port->tx_self_ack = ps->tx_self_ack;
    port->tx_retry_at = can_bus_now() + ps->tx_retry_in;
    port->tx_frame = ps->tx_frame;
    if (ps->on_wire) {
        bus->on_wire = port;
    }
    if (ps->queued) {
        queue = port->send_queue ?: g_queue_new();
        port->send_queue = queue;
        for (i = 0; i < ps->queued; i++) {
            g_queue_push_tail(queue, g_memdup2(&ps->queue[i],
                                               sizeof(ps->queue[i])));
        }
    }
    return true;
}

static int can_bus_post_load(void *opaque, int version_id)
{
    CanBusState *bus = opaque;
    CanBusPort *port;
    int i, ret = 0;

    for (i = 0; i < bus->saved_count && !ret; i++) {
        if (!can_bus_restore_port(bus, &bus->saved[i])) {
            ret = -EINVAL;
        }
    }
    can_bus_free_saved(bus);
    if (ret) {
        return ret;
    }
    /* the wire ends the frame on it first; the others wait for that */
    bus->wire_end = can_bus_now() + bus->saved_wire_left;
    if (bus->on_wire) {
        timer_mod(bus->timer, bus->wire_end);
    }
    QTAILQ_FOREACH(port, &bus->ports, next) {
        if (port->tx_pending) {
            bus->engine->schedule(port);
        }
    }
    /*
     * Frames that waited for a full receiver: not now, while the devices'
     * state may still be loading, but once the VM runs (at the latest when
     * the wait times out)
     */
    QTAILQ_FOREACH(port, &bus->ports, next) {
        if (port->send_queue && !g_queue_is_empty(port->send_queue) &&
            !port->tx_pending) {
            can_bus_hold(bus);
        }
    }
    return 0;
}

const VMStateDescription vmstate_can_bus = {
    .name = "can-bus",
    .version_id = 1,
    .minimum_version_id = 1,
    .pre_save = can_bus_pre_save,
    .post_save = can_bus_post_save,
    .post_load = can_bus_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_INT64(saved_wire_left, CanBusState),
        VMSTATE_UINT64(frames, CanBusState),
        VMSTATE_UINT64(fd_frames, CanBusState),
        VMSTATE_UINT64(error_frames, CanBusState),
        VMSTATE_UINT64(drops, CanBusState),
        VMSTATE_UINT64(busy_ns, CanBusState),
        VMSTATE_UINT64(arbitration_losses, CanBusState),
        VMSTATE_INT32(saved_count, CanBusState),
        VMSTATE_VALIDATE("clients in flight", can_bus_saved_count_valid),
        VMSTATE_STRUCT_VARRAY_ALLOC(saved, CanBusState, saved_count, 1,
                                    vmstate_can_bus_port, CanBusPortState),
        VMSTATE_END_OF_LIST()
    }
};

bool can_bus_client_alone_pending(CanBusClientState *client)
{
    return client->port && !client->port->bus && client->port->tx_pending;
}

static int can_bus_alone_post_load(void *opaque, int version_id)
{
    CanBusPort *port = opaque;

    if (port->bus) {
        error_report("%s was alone, but is on can-bus %s here", port->name,
                     port->bus->name);
        return -EINVAL;
    }
    if (!port->info->tx_done || !can_bus_frame_valid(&port->tx_frame)) {
        error_report("%s: the frame it was sending alone is not possible",
                     port->name);
        return -EINVAL;
    }
    port->tx_pending = true;
    port->tx_retry_at = can_bus_now() + port->saved_retry_in;
    can_bus_instant_engine.schedule(port);
    return 0;
}

static int can_bus_alone_pre_save(void *opaque)
{
    CanBusPort *port = opaque;

    port->saved_retry_in = port->tx_retry_at - can_bus_now();
    return 0;
}

/* The pending frame of a client alone, which is always retried */
static const VMStateDescription vmstate_can_bus_alone = {
    .name = "can-bus/alone",
    .version_id = 1,
    .minimum_version_id = 1,
    .pre_save = can_bus_alone_pre_save,
    .post_load = can_bus_alone_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_BOOL(tx_self_ack, CanBusPort),
        VMSTATE_INT64(saved_retry_in, CanBusPort),
        VMSTATE_STRUCT(tx_frame, CanBusPort, 1, vmstate_can_frame,
                       qemu_can_frame),
        VMSTATE_END_OF_LIST()
    }
};

const VMStateDescription vmstate_can_bus_client = {
    .name = "can-bus-client",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_STRUCT_POINTER(port, CanBusClientState, vmstate_can_bus_alone,
                               CanBusPort),
        VMSTATE_END_OF_LIST()
    }
};
