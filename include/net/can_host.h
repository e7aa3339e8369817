/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Base of the host CAN backends: user-creatable objects that join a can-bus
 * (property "canbus") and carry frames between it and the host.
 */

#ifndef NET_CAN_HOST_H
#define NET_CAN_HOST_H

#include "net/can_emu.h"
#include "qom/object.h"

#define TYPE_CAN_HOST "can-host"
OBJECT_DECLARE_TYPE(CanHostState, CanHostClass, CAN_HOST)

struct CanHostState {
    Object parent_obj;

    char *bus_id;
    CanBusState *bus;           /* the bus joined, once complete */
    CanBusClientState bus_client;
};

struct CanHostClass {
    ObjectClass parent_class;

    /* The backend's callbacks on the bus */
    const CanBusClientInfo *bus_client_info;
    /* Acquire host resources; the client is on the bus only on success. */
    bool (*open)(CanHostState *ch, Error **errp);
    void (*close)(CanHostState *ch);
};

#endif
