/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The can-capture object: what a can-bus's wire carried, errors included,
 * written as Wireshark reads it (pcapng, pcap) or as can-utils' log.
 *
 *   -object can-capture,id=cap0,canbus=canbus0,file=canbus0.pcapng
 *   -object can-capture,id=cap0,canbus=canbus0,chardev=wireshark
 *
 * It observes the bus: it never acknowledges, never arbitrates, and a
 * frame it cannot write is counted, never held back from the bus.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qapi-types-qom.h"
#include "qemu/error-report.h"
#include "qemu/timer.h"
#include "qom/object_interfaces.h"
#include "chardev/char-fe.h"
#include "net/can_emu.h"
#include "net/can_candump.h"
#include "net/can_error_frame.h"
#include "net/can_pcap.h"
#include "can_observer.h"
#include "trace.h"

#define TYPE_CAN_CAPTURE "can-capture"
OBJECT_DECLARE_SIMPLE_TYPE(CanCaptureState, CAN_CAPTURE)

struct CanCaptureState {
    Object parent_obj;

    /* properties */
    CanBusState *bus;
    char *path;
    char *chardev_id;
    int format;                 /* CanCaptureFormat */
    uint64_t max_size;          /* bytes of output, 0: no limit */

    char *bus_id;
    CanBusClientState observer;
    bool attached;
    int fd;                     /* file=, -1 otherwise */
    CharBackend chr;            /* chardev= */
    /* chardev=: a reader is there (it got the file header) */
    bool reader;
    /* set when the capture stops for good: full, or a write failed */
    bool stopped;
    /* wall clock minus the bus's clock when the capture started */
    int64_t epoch_ns;
    GByteArray *buf;

    uint64_t records;
    uint64_t dropped;
    uint64_t bytes;
};

static const char *can_capture_id(CanCaptureState *s)
{
    return object_get_canonical_path_component(OBJECT(s));
}

/* Stop for good, saying why once; later records are counted as dropped */
static void can_capture_stop(CanCaptureState *s, Error *err)
{
    s->stopped = true;
    error_report_err(err);
    error_report("can-capture %s: capture stopped after %" PRIu64
                 " records", can_capture_id(s), s->records);
}

/* The file header: what a reader must see before the first record */
static void can_capture_header(CanCaptureState *s, GByteArray *out)
{
    switch (s->format) {
    case CAN_CAPTURE_FORMAT_PCAPNG:
        can_pcapng_section_header(out, "QEMU " QEMU_VERSION " can-capture");
        /* one interface: this capture's bus, interface id 0 */
        can_pcapng_interface(out, s->bus_id);
        break;
    case CAN_CAPTURE_FORMAT_PCAP:
        can_pcap_file_header(out);
        break;
    default:
        break;
    }
}

/*
 * Write @out whole.  A file that fails or a limit that is reached is an
 * error; a chardev whose reader went away is not (the next reader gets
 * the file header anew), it only returns false.
 */
static bool can_capture_write(CanCaptureState *s, GByteArray *out,
                              Error **errp)
{
    if (s->max_size && s->bytes + out->len > s->max_size) {
        error_setg(errp, "can-capture %s: max-size %" PRIu64 " reached",
                   can_capture_id(s), s->max_size);
        return false;
    }
    if (s->fd >= 0) {
        if (qemu_write_full(s->fd, out->data, out->len) != out->len) {
            error_setg_errno(errp, errno, "can-capture %s: writing %s failed",
                             can_capture_id(s), s->path);
            return false;
        }
    } else if (qemu_chr_fe_write_all(&s->chr, out->data, out->len) !=
               out->len) {
        s->reader = false;
        return false;
    }
    s->bytes += out->len;
    return true;
}

static void can_capture_record(CanCaptureState *s, int64_t bus_ns,
                               const char *sender,
                               const qemu_can_frame *frame)
{
    uint64_t ts = s->epoch_ns + bus_ns;
    g_autoptr(GString) line = NULL;
    g_autofree char *comment = NULL;
    Error *err = NULL;

    if (s->stopped || (s->fd < 0 && !s->reader)) {
        s->dropped++;
        return;
    }
    g_byte_array_set_size(s->buf, 0);
    switch (s->format) {
    case CAN_CAPTURE_FORMAT_PCAPNG:
        comment = sender ? g_strdup_printf("sender: %s", sender) : NULL;
        can_pcapng_packet(s->buf, 0, ts, frame, comment);
        break;
    case CAN_CAPTURE_FORMAT_PCAP:
        can_pcap_packet(s->buf, ts, frame);
        break;
    case CAN_CAPTURE_FORMAT_CANDUMP:
        line = g_string_new(NULL);
        can_candump_format_line(line, ts, s->bus_id, frame);
        g_byte_array_append(s->buf, (guint8 *)line->str, line->len);
        break;
    default:
        g_assert_not_reached();
    }
    if (!can_capture_write(s, s->buf, &err)) {
        s->dropped++;
        if (err) {
            can_capture_stop(s, err);
        }
        return;
    }
    s->records++;
    trace_can_capture_frame(can_capture_id(s), frame->can_id, s->records);
}

static void can_capture_observe(CanBusClientState *client,
                                const CanBusEvent *event)
{
    CanCaptureState *s = container_of(client, CanCaptureState, observer);
    qemu_can_frame err;

    if (can_error_frame_of_event(event, &err)) {
        can_capture_record(s, event->time_ns, event->client, &err);
    } else {
        can_capture_record(s, event->time_ns, event->client, event->frame);
    }
}

static const CanBusClientInfo can_capture_observer_info = {
    .observe = can_capture_observe,
};

static void can_capture_chr_event(void *opaque, QEMUChrEvent event)
{
    CanCaptureState *s = opaque;
    Error *err = NULL;

    switch (event) {
    case CHR_EVENT_OPENED:
        g_byte_array_set_size(s->buf, 0);
        can_capture_header(s, s->buf);
        s->reader = true;
        if (!can_capture_write(s, s->buf, &err) && err) {
            can_capture_stop(s, err);
        }
        break;
    case CHR_EVENT_CLOSED:
        s->reader = false;
        break;
    default:
        break;
    }
}

/* chardev=: each reader that connects gets the file header first */
static bool can_capture_open_chardev(CanCaptureState *s, Error **errp)
{
    if (!can_observer_chardev_init(OBJECT(s), &s->chr, s->chardev_id,
                                   errp)) {
        return false;
    }
    qemu_chr_fe_set_handlers(&s->chr, NULL, NULL, can_capture_chr_event,
                             NULL, s, NULL, true);
    return true;
}

static bool can_capture_open(CanCaptureState *s, Error **errp)
{
    if (!!s->path == !!s->chardev_id) {
        error_setg(errp, "can-capture %s: give one of file= and chardev=",
                   can_capture_id(s));
        return false;
    }
    if (s->chardev_id) {
        return can_capture_open_chardev(s, errp);
    }
    s->fd = qemu_create(s->path, O_WRONLY | O_TRUNC | O_BINARY, 0644, errp);
    if (s->fd < 0) {
        error_prepend(errp, "can-capture %s: ", can_capture_id(s));
        return false;
    }
    /* a disk that is full already fails the object, not the frames */
    can_capture_header(s, s->buf);
    return can_capture_write(s, s->buf, errp);
}

static void can_capture_complete(UserCreatable *uc, Error **errp)
{
    CanCaptureState *s = CAN_CAPTURE(uc);
    g_autofree char *path = object_get_canonical_path(OBJECT(s));

    if (!s->bus) {
        error_setg(errp, "can-capture %s: property 'canbus' is required",
                   can_capture_id(s));
        return;
    }
    s->bus_id = can_bus_name(s->bus);
    if (!can_capture_open(s, errp)) {
        return;
    }
    s->epoch_ns = qemu_clock_get_ns(QEMU_CLOCK_HOST) -
                  qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    if (!can_bus_attach(s->bus, &s->observer, &can_capture_observer_info,
                        path, errp)) {
        return;
    }
    s->attached = true;
}

/* Where, what and how much a capture writes is chosen at its creation */
static bool can_capture_settable(Object *obj, const char *name, Error **errp)
{
    CanCaptureState *s = CAN_CAPTURE(obj);

    if (s->attached) {
        error_setg(errp, "can-capture %s: %s is chosen when the capture is "
                   "created", can_capture_id(s), name);
        return false;
    }
    return true;
}

static char *can_capture_get_file(Object *obj, Error **errp)
{
    return g_strdup(CAN_CAPTURE(obj)->path);
}

static void can_capture_set_file(Object *obj, const char *value, Error **errp)
{
    CanCaptureState *s = CAN_CAPTURE(obj);

    if (can_capture_settable(obj, "file", errp)) {
        g_free(s->path);
        s->path = g_strdup(value);
    }
}

static char *can_capture_get_chardev(Object *obj, Error **errp)
{
    return g_strdup(CAN_CAPTURE(obj)->chardev_id);
}

static void can_capture_set_chardev(Object *obj, const char *value,
                                    Error **errp)
{
    CanCaptureState *s = CAN_CAPTURE(obj);

    if (can_capture_settable(obj, "chardev", errp)) {
        g_free(s->chardev_id);
        s->chardev_id = g_strdup(value);
    }
}

static int can_capture_get_format(Object *obj, Error **errp)
{
    return CAN_CAPTURE(obj)->format;
}

static void can_capture_set_format(Object *obj, int value, Error **errp)
{
    if (can_capture_settable(obj, "format", errp)) {
        CAN_CAPTURE(obj)->format = value;
    }
}

static void can_capture_get_max_size(Object *obj, Visitor *v,
                                     const char *name, void *opaque,
                                     Error **errp)
{
    visit_type_size(v, name, &CAN_CAPTURE(obj)->max_size, errp);
}

static void can_capture_set_max_size(Object *obj, Visitor *v,
                                     const char *name, void *opaque,
                                     Error **errp)
{
    uint64_t value;

    if (can_capture_settable(obj, name, errp) &&
        visit_type_size(v, name, &value, errp)) {
        CAN_CAPTURE(obj)->max_size = value;
    }
}

static void can_capture_init(Object *obj)
{
    CanCaptureState *s = CAN_CAPTURE(obj);

    s->fd = -1;
    s->format = CAN_CAPTURE_FORMAT_PCAPNG;
    s->buf = g_byte_array_new();
    object_property_add_uint64_ptr(obj, "records", &s->records,
                                   OBJ_PROP_FLAG_READ);
    object_property_add_uint64_ptr(obj, "dropped", &s->dropped,
                                   OBJ_PROP_FLAG_READ);
    object_property_add_uint64_ptr(obj, "bytes", &s->bytes,
                                   OBJ_PROP_FLAG_READ);
}

static void can_capture_finalize(Object *obj)
{
    CanCaptureState *s = CAN_CAPTURE(obj);

    if (s->attached) {
        can_bus_detach(&s->observer);
    }
    if (s->fd >= 0) {
        /* each record went out whole with its own write: nothing to flush */
        qemu_close(s->fd);
    }
    qemu_chr_fe_deinit(&s->chr, false);
    g_byte_array_unref(s->buf);
    g_free(s->bus_id);
    g_free(s->path);
    g_free(s->chardev_id);
}

static void can_capture_class_init(ObjectClass *oc, void *data)
{
    UserCreatableClass *ucc = USER_CREATABLE_CLASS(oc);

    object_class_property_add_can_bus(oc, "canbus",
                                      offsetof(CanCaptureState, bus));
    object_class_property_set_description(oc, "canbus",
        "id of the can-bus to observe");
    ucc->complete = can_capture_complete;
    object_class_property_add_str(oc, "file", can_capture_get_file,
                                  can_capture_set_file);
    object_class_property_set_description(oc, "file",
        "file to write the capture to (truncated)");
    object_class_property_add_str(oc, "chardev", can_capture_get_chardev,
                                  can_capture_set_chardev);
    object_class_property_set_description(oc, "chardev",
        "chardev to stream the capture to, e.g. a pipe Wireshark reads");
    object_class_property_add_enum(oc, "format", "CanCaptureFormat",
                                   &CanCaptureFormat_lookup,
                                   can_capture_get_format,
                                   can_capture_set_format);
    object_class_property_set_description(oc, "format",
        "pcapng (default), pcap or candump (can-utils' log format)");
    object_class_property_add(oc, "max-size", "size",
                              can_capture_get_max_size,
                              can_capture_set_max_size, NULL, NULL);
    object_class_property_set_description(oc, "max-size",
        "stop capturing before the output exceeds this many bytes "
        "(default: no limit)");
}

static const TypeInfo can_capture_types[] = {
    {
        .name = TYPE_CAN_CAPTURE,
        .parent = TYPE_OBJECT,
        .instance_size = sizeof(CanCaptureState),
        .instance_init = can_capture_init,
        .instance_finalize = can_capture_finalize,
        .class_init = can_capture_class_init,
        .interfaces = (InterfaceInfo[]) {
            { TYPE_USER_CREATABLE },
            { }
        }
    },
};

DEFINE_TYPES(can_capture_types)
