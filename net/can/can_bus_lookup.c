/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * How a property names a can-bus: by the id the user gave it with
 * -object can-bus,id=ID, looked up among the user-created objects only.
 *
 * QOM's link properties resolve a partial path instead, which matches any
 * link or child of that name anywhere in the tree: a bus with id canbus0
 * becomes ambiguous as soon as one board has a link property named
 * canbus0.  An id looked up under /objects is unique by construction.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/visitor.h"
#include "net/can_emu.h"

CanBusState *can_bus_find(const char *name, Error **errp)
{
    Object *obj;

    if (name[0] == '/') {
        obj = object_resolve_path(name, NULL);
    } else {
        obj = object_resolve_path_component(object_get_objects_root(), name);
    }
    if (!obj) {
        if (name[0] == '/') {
            error_setg(errp, "there is no can-bus at '%s'", name);
        } else {
            error_setg(errp, "there is no can-bus with id '%s'; create it "
                       "with -object can-bus,id=%s", name, name);
        }
        return NULL;
    }
    if (!object_dynamic_cast(obj, TYPE_CAN_BUS)) {
        error_setg(errp, "'%s' is not a can-bus but a %s", name,
                   object_get_typename(obj));
        return NULL;
    }
    return CAN_BUS(obj);
}

char *can_bus_name(CanBusState *bus)
{
    Object *obj;

    if (!bus) {
        return g_strdup("");
    }
    obj = OBJECT(bus);
    if (obj->parent == object_get_objects_root()) {
        return g_strdup(object_get_canonical_path_component(obj));
    }
    return object_get_canonical_path(obj);
}

bool can_bus_set_ref(CanBusState **slot, const char *name, Error **errp)
{
    CanBusState *bus = NULL;

    if (*name) {
        bus = can_bus_find(name, errp);
        if (!bus) {
            return false;
        }
        object_ref(OBJECT(bus));
    }
    if (*slot) {
        object_unref(OBJECT(*slot));
    }
    *slot = bus;
    return true;
}

static void can_bus_prop_get(Object *obj, Visitor *v, const char *name,
                             void *opaque, Error **errp)
{
    CanBusState **slot = opaque;
    g_autofree char *value = can_bus_name(*slot);

    visit_type_str(v, name, &value, errp);
}

static void can_bus_prop_set(Object *obj, Visitor *v, const char *name,
                             void *opaque, Error **errp)
{
    g_autofree char *value = NULL;

    if (visit_type_str(v, name, &value, errp)) {
        can_bus_set_ref(opaque, value, errp);
    }
}

static void can_bus_prop_release(Object *obj, const char *name, void *opaque)
{
    g_clear_pointer((CanBusState **)opaque, object_unref);
}

void object_property_add_can_bus(Object *obj, const char *name,
                                 CanBusState **slot)
{
    object_property_add(obj, name, "str", can_bus_prop_get, can_bus_prop_set,
                        can_bus_prop_release, slot);
    object_property_set_description(obj, name,
                                    "id of the can-bus object to join");
}

/* A class property's slot: @offset bytes into the instance */
static CanBusState **can_bus_class_slot(Object *obj, void *opaque)
{
    return (CanBusState **)((char *)obj + (uintptr_t)opaque);
}

static void can_bus_class_prop_get(Object *obj, Visitor *v, const char *name,
                                   void *opaque, Error **errp)
{
    can_bus_prop_get(obj, v, name, can_bus_class_slot(obj, opaque), errp);
}

/*
 * Set once, when the object is created: its user (an observer) attaches
 * to that bus and stays there.
 */
static void can_bus_class_prop_set(Object *obj, Visitor *v, const char *name,
                                   void *opaque, Error **errp)
{
    if (*can_bus_class_slot(obj, opaque)) {
        error_setg(errp, "%s: %s is chosen when the object is created",
                   object_get_typename(obj), name);
        return;
    }
    can_bus_prop_set(obj, v, name, can_bus_class_slot(obj, opaque), errp);
}

static void can_bus_class_prop_release(Object *obj, const char *name,
                                       void *opaque)
{
    can_bus_prop_release(obj, name, can_bus_class_slot(obj, opaque));
}

void object_class_property_add_can_bus(ObjectClass *oc, const char *name,
                                       size_t offset)
{
    object_class_property_add(oc, name, "str", can_bus_class_prop_get,
                              can_bus_class_prop_set,
                              can_bus_class_prop_release,
                              (void *)(uintptr_t)offset);
    object_class_property_set_description(oc, name,
                                          "id of the can-bus object to join");
}
