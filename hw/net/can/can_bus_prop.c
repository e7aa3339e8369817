/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DEFINE_PROP_CAN_BUS: a device's can-bus, set by id.
 */

#include "qemu/osdep.h"
#include "qapi/visitor.h"
#include "can_bus_prop.h"

static void can_bus_prop_get(Object *obj, Visitor *v, const char *name,
                             void *opaque, Error **errp)
{
    CanBusState **slot = object_field_prop_ptr(obj, opaque);
    g_autofree char *value = can_bus_name(*slot);

    visit_type_str(v, name, &value, errp);
}

static void can_bus_prop_set(Object *obj, Visitor *v, const char *name,
                             void *opaque, Error **errp)
{
    CanBusState **slot = object_field_prop_ptr(obj, opaque);
    g_autofree char *value = NULL;

    if (visit_type_str(v, name, &value, errp)) {
        can_bus_set_ref(slot, value, errp);
    }
}

static void can_bus_prop_release(Object *obj, const char *name, void *opaque)
{
    CanBusState **slot = object_field_prop_ptr(obj, opaque);

    g_clear_pointer(slot, object_unref);
}

const PropertyInfo qdev_prop_can_bus = {
    .type = "str",
    .description = "id of the can-bus object to join",
    .get = can_bus_prop_get,
    .set = can_bus_prop_set,
    .release = can_bus_prop_release,
};
