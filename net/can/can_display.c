/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The can-display object: every frame on a can-bus as a line of text, as
 * candump prints it, with its bus time; with decode=canopen also the
 * CANopen object it is.  Bus errors show as candump shows error frames.
 *
 *   -object can-display,id=d0,canbus=canbus0[,decode=canopen][,chardev=ID]
 *
 * Without chardev= the lines go to stderr.  An observer: it takes no part
 * in the bus, and a line the chardev does not take is counted as dropped.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qapi-types-qom.h"
#include "qom/object_interfaces.h"
#include "chardev/char-fe.h"
#include "net/can_emu.h"
#include "net/can_candump.h"
#include "net/can_canopen.h"
#include "net/can_error_frame.h"
#include "can_observer.h"

#define TYPE_CAN_DISPLAY "can-display"
OBJECT_DECLARE_SIMPLE_TYPE(CanDisplayState, CAN_DISPLAY)

struct CanDisplayState {
    Object parent_obj;

    /* properties */
    CanBusState *bus;
    char *chardev_id;
    int decode;                 /* CanDisplayDecode */

    char *bus_name;
    CanBusClientState observer;
    bool attached;
    CharBackend chr;

    uint64_t lines;
    uint64_t dropped;
};

static const char *can_display_id(CanDisplayState *s)
{
    return object_get_canonical_path_component(OBJECT(s));
}

static void can_display_observe(CanBusClientState *client,
                                const CanBusEvent *event)
{
    CanDisplayState *s = container_of(client, CanDisplayState, observer);
    g_autoptr(GString) line = g_string_new(NULL);
    const qemu_can_frame *frame = event->frame;
    qemu_can_frame err;

    if (can_error_frame_of_event(event, &err)) {
        frame = &err;
    }
    can_candump_format_shown(line, event->time_ns, s->bus_name, frame,
                             s->decode == CAN_DISPLAY_DECODE_CANOPEN ?
                             can_canopen_describe : NULL, event->client);

    if (!qemu_chr_fe_backend_connected(&s->chr)) {
        fputs(line->str, stderr);
    } else if (qemu_chr_fe_write_all(&s->chr, (uint8_t *)line->str,
                                     line->len) != line->len) {
        s->dropped++;
        return;
    }
    s->lines++;
}

static const CanBusClientInfo can_display_observer_info = {
    .observe = can_display_observe,
};

static void can_display_complete(UserCreatable *uc, Error **errp)
{
    CanDisplayState *s = CAN_DISPLAY(uc);
    g_autofree char *path = object_get_canonical_path(OBJECT(s));

    if (!s->bus) {
        error_setg(errp, "can-display %s: property 'canbus' is required",
                   can_display_id(s));
        return;
    }
    /* chardev=: where the lines go instead of stderr */
    if (s->chardev_id &&
        !can_observer_chardev_init(OBJECT(s), &s->chr, s->chardev_id, errp)) {
        return;
    }
    s->bus_name = can_bus_name(s->bus);
    if (!can_bus_attach(s->bus, &s->observer, &can_display_observer_info,
                        path, errp)) {
        return;
    }
    s->attached = true;
}

static char *can_display_get_chardev(Object *obj, Error **errp)
{
    return g_strdup(CAN_DISPLAY(obj)->chardev_id);
}

static void can_display_set_chardev(Object *obj, const char *value,
                                    Error **errp)
{
    CanDisplayState *s = CAN_DISPLAY(obj);

    if (s->attached) {
        error_setg(errp, "can-display %s: chardev is chosen when the "
                   "display is created", can_display_id(s));
        return;
    }
    g_free(s->chardev_id);
    s->chardev_id = g_strdup(value);
}

static int can_display_get_decode(Object *obj, Error **errp)
{
    return CAN_DISPLAY(obj)->decode;
}

static void can_display_set_decode(Object *obj, int value, Error **errp)
{
    CAN_DISPLAY(obj)->decode = value;
}

static void can_display_init(Object *obj)
{
    CanDisplayState *s = CAN_DISPLAY(obj);

    object_property_add_uint64_ptr(obj, "lines", &s->lines,
                                   OBJ_PROP_FLAG_READ);
    object_property_add_uint64_ptr(obj, "dropped", &s->dropped,
                                   OBJ_PROP_FLAG_READ);
}

static void can_display_finalize(Object *obj)
{
    CanDisplayState *s = CAN_DISPLAY(obj);

    if (s->attached) {
        can_bus_detach(&s->observer);
    }
    qemu_chr_fe_deinit(&s->chr, false);
    g_free(s->bus_name);
    g_free(s->chardev_id);
}

static void can_display_class_init(ObjectClass *oc, void *data)
{
    UserCreatableClass *ucc = USER_CREATABLE_CLASS(oc);

    object_class_property_add_can_bus(oc, "canbus",
                                      offsetof(CanDisplayState, bus));
    object_class_property_set_description(oc, "canbus",
        "id of the can-bus to observe");
    ucc->complete = can_display_complete;
    object_class_property_add_str(oc, "chardev", can_display_get_chardev,
                                  can_display_set_chardev);
    object_class_property_set_description(oc, "chardev",
        "chardev to print to (default: stderr)");
    object_class_property_add_enum(oc, "decode", "CanDisplayDecode",
                                   &CanDisplayDecode_lookup,
                                   can_display_get_decode,
                                   can_display_set_decode);
    object_class_property_set_description(oc, "decode",
        "none (default), or canopen: name each frame's CANopen object");
}

static const TypeInfo can_display_types[] = {
    {
        .name = TYPE_CAN_DISPLAY,
        .parent = TYPE_OBJECT,
        .instance_size = sizeof(CanDisplayState),
        .instance_init = can_display_init,
        .instance_finalize = can_display_finalize,
        .class_init = can_display_class_init,
        .interfaces = (InterfaceInfo[]) {
            { TYPE_USER_CREATABLE },
            { }
        }
    },
};

DEFINE_TYPES(can_display_types)
