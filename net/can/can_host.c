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
    g_autofree char *path = object_get_canonical_path(OBJECT(ch));
    Object *bus;

    if (!ch->bus_id) {
        error_setg(errp, "property 'canbus' is required: the id of a can-bus");
        return;
    }
    bus = object_resolve_path_component(object_get_objects_root(),
                                        ch->bus_id);
    if (!bus || !object_dynamic_cast(bus, TYPE_CAN_BUS)) {
        error_setg(errp, "there is no can-bus with id '%s'; create it with "
                   "-object can-bus,id=%s", ch->bus_id, ch->bus_id);
        return;
    }
    if (!chc->open(ch, errp)) {
        return;
    }
    if (!can_bus_attach(CAN_BUS(bus), &ch->bus_client, chc->bus_client_info,
                        path, errp)) {
        chc->close(ch);
        return;
    }
    ch->bus = CAN_BUS(object_ref(bus));
}

static char *can_host_get_bus(Object *obj, Error **errp)
{
    return g_strdup(CAN_HOST(obj)->bus_id);
}

static void can_host_set_bus(Object *obj, const char *value, Error **errp)
{
    CanHostState *ch = CAN_HOST(obj);

    g_free(ch->bus_id);
    ch->bus_id = g_strdup(value);
}

static void can_host_finalize(Object *obj)
{
    CanHostState *ch = CAN_HOST(obj);

    if (ch->bus) {
        can_bus_detach(&ch->bus_client);
        CAN_HOST_GET_CLASS(ch)->close(ch);
        object_unref(OBJECT(ch->bus));
    }
    g_free(ch->bus_id);
}

static void can_host_class_init(ObjectClass *oc, void *data)
{
    UserCreatableClass *ucc = USER_CREATABLE_CLASS(oc);

    object_class_property_add_str(oc, "canbus", can_host_get_bus,
                                  can_host_set_bus);
    object_class_property_set_description(oc, "canbus",
        "id of the can-bus object to join");
    ucc->complete = can_host_complete;
}

static const TypeInfo can_host_types[] = {
    {
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
    },
};

DEFINE_TYPES(can_host_types)
