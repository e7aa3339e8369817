/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Base of the host CAN backends: joins the can-bus named by "canbus" once
 * the subclass has its host side open, and leaves it when deleted.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qom/object_interfaces.h"
#include "net/can_host.h"

static void can_host_complete(UserCreatable *uc, Error **errp)
{
    CanHostState *ch = CAN_HOST(uc);
    CanHostClass *chc = CAN_HOST_GET_CLASS(ch);

    if (!ch->bus) {
        error_setg(errp, "property 'canbus' is required: the id of a can-bus");
        return;
    }
    if (!chc->open(ch, errp)) {
        return;
    }
    can_bus_insert_client(ch->bus, &ch->bus_client);
}

static void can_host_finalize(Object *obj)
{
    CanHostState *ch = CAN_HOST(obj);

    if (ch->bus_client.bus) {
        can_bus_remove_client(&ch->bus_client);
        CAN_HOST_GET_CLASS(ch)->close(ch);
    }
}

static void can_host_class_init(ObjectClass *oc, void *data)
{
    UserCreatableClass *ucc = USER_CREATABLE_CLASS(oc);

    object_class_property_add_link(oc, "canbus", TYPE_CAN_BUS,
                                   offsetof(CanHostState, bus),
                                   object_property_allow_set_link,
                                   OBJ_PROP_LINK_STRONG);
    ucc->complete = can_host_complete;
}

static const TypeInfo can_host_info = {
    .name = TYPE_CAN_HOST,
    .parent = TYPE_OBJECT,
    .abstract = true,
    .instance_size = sizeof(CanHostState),
    .instance_finalize = can_host_finalize,
    .class_size = sizeof(CanHostClass),
    .class_init = can_host_class_init,
    .interfaces = (InterfaceInfo[]) {
        { TYPE_USER_CREATABLE },
        { }
    }
};

static void can_host_register_types(void)
{
    type_register_static(&can_host_info);
}

type_init(can_host_register_types);
