/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QMP query-can: every can-bus with its clients, as the bus knows them,
 * for people finding out why a driver sees what it sees.
 */

#include "qemu/osdep.h"
#include "qapi/qapi-commands-net.h"
#include "qemu/timer.h"
#include "hw/qdev-core.h"
#include "can_bus_internal.h"

static const CanErrorState can_query_states[] = {
    [CAN_BUS_STATE_ERROR_ACTIVE] = CAN_ERROR_STATE_ERROR_ACTIVE,
    [CAN_BUS_STATE_ERROR_WARNING] = CAN_ERROR_STATE_ERROR_WARNING,
    [CAN_BUS_STATE_ERROR_PASSIVE] = CAN_ERROR_STATE_ERROR_PASSIVE,
    [CAN_BUS_STATE_BUS_OFF] = CAN_ERROR_STATE_BUS_OFF,
};

static CanClientInfo *can_query_client(CanBusPort *port)
{
    CanClientInfo *info = g_new0(CanClientInfo, 1);
    Object *obj = object_resolve_path(port->name, NULL);
    uint32_t bitrate = can_bus_port_known_bitrate(port);
    CanBusClientStatus st;

    info->name = g_strdup(port->name);
    if (obj) {
        info->type = g_strdup(object_get_typename(obj));
    }
    if (port->info->observe) {
        info->role = CAN_CLIENT_ROLE_OBSERVER;
    } else if (obj && object_dynamic_cast(obj, TYPE_DEVICE)) {
        info->role = CAN_CLIENT_ROLE_CONTROLLER;
    } else {
        info->role = CAN_CLIENT_ROLE_BACKEND;
    }
    if (bitrate && !port->info->observe) {
        info->has_bitrate = true;
        info->bitrate = bitrate;
    }
    if (port->info->get_status) {
        port->info->get_status(port->client, &st);
        info->status = g_new0(CanControllerStatus, 1);
        info->status->operating = st.operating;
        info->status->listen_only = st.listen_only;
        info->status->self_test = st.self_test;
        info->status->state = can_query_states[st.state];
        info->status->tec = st.tec;
        info->status->rec = st.rec;
    }
    info->frames_out = port->frames_out;
    info->frames_in = port->frames_in;
    info->drops = port->drops;
    return info;
}

static CanBusInfo *can_query_bus(CanBusState *bus)
{
    CanBusInfo *info = g_new0(CanBusInfo, 1);
    int64_t age = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) - bus->created_ns;
    CanClientInfoList **tail = &info->clients;
    CanBusPort *port;

    info->id = can_bus_name(bus);
    info->timing = bus->timing;
    info->has_bitrate = bus->bitrate != 0;
    info->bitrate = bus->bitrate;
    info->has_data_bitrate = bus->data_bitrate != 0;
    info->data_bitrate = bus->data_bitrate;
    info->frames = bus->frames;
    info->fd_frames = bus->fd_frames;
    info->error_frames = bus->error_frames;
    info->drops = bus->drops;
    info->busy_ns = bus->busy_ns;
    info->arbitration_losses = bus->arbitration_losses;
    /* a frame on the wire counts whole from its start */
    info->load = age > 0 ? MIN(100.0, 100.0 * bus->busy_ns / age) : 0;
    QTAILQ_FOREACH(port, &bus->ports, next) {
        QAPI_LIST_APPEND(tail, can_query_client(port));
    }
    QTAILQ_FOREACH(port, &bus->observers, next) {
        QAPI_LIST_APPEND(tail, can_query_client(port));
    }
    return info;
}

static int can_query_find_bus(Object *obj, void *opaque)
{
    GPtrArray *buses = opaque;

    if (object_dynamic_cast(obj, TYPE_CAN_BUS) && CAN_BUS(obj)->complete) {
        g_ptr_array_add(buses, obj);
    }
    return 0;
}

static gint can_query_by_name(gconstpointer a, gconstpointer b)
{
    const CanBusState *x = *(CanBusState * const *)a;
    const CanBusState *y = *(CanBusState * const *)b;

    return strcmp(x->name, y->name);
}

CanBusInfoList *qmp_query_can(Error **errp)
{
    g_autoptr(GPtrArray) buses = g_ptr_array_new();
    CanBusInfoList *list = NULL, **tail = &list;
    guint i;

    object_child_foreach_recursive(object_get_root(), can_query_find_bus,
                                   buses);
    g_ptr_array_sort(buses, can_query_by_name);
    for (i = 0; i < buses->len; i++) {
        QAPI_LIST_APPEND(tail, can_query_bus(g_ptr_array_index(buses, i)));
    }
    return list;
}
