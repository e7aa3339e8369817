/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The can-replay object: plays a can-utils log (candump -l, or our
 * can-capture's format=candump) onto a can-bus, each frame after the gap
 * it had in the recording, on the virtual clock.
 *
 *   -object can-replay,id=r0,canbus=canbus0,file=drive.log[,loop=on]
 *           [,speed=2.0]
 *
 * The whole file is checked when the object is created, so that a
 * malformed line fails with its line number before anything is played;
 * then it is read again as it plays, one frame at a time, so that a long
 * recording takes no memory.  Error frames in the log are no bus traffic
 * and are skipped, counted.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/cutils.h"
#include "qemu/timer.h"
#include "qom/object_interfaces.h"
#include "net/can_emu.h"
#include "net/can_candump.h"
#include "trace.h"

#define TYPE_CAN_REPLAY "can-replay"
OBJECT_DECLARE_SIMPLE_TYPE(CanReplayState, CAN_REPLAY)

/* Longer than any line candump writes (an FD frame of 64 bytes is ~170) */
#define CAN_REPLAY_LINE_MAX 512
/* Frames sent at once when they are due together (a high speed) */
#define CAN_REPLAY_BURST 64

struct CanReplayState {
    Object parent_obj;

    /* properties */
    char *bus_id;
    char *path;
    bool loop;
    double speed;

    CanBusState *bus;
    CanBusClientState client;
    bool attached;
    FILE *file;
    unsigned line_no;
    QEMUTimer *timer;
    /* the next frame to play, read ahead */
    CanCandumpRecord next;
    bool have_next;
    /* the recording's time and the virtual time of the loop's first frame */
    uint64_t rec_start_ns;
    int64_t play_start_ns;

    uint64_t frames;
    uint64_t skipped;
    uint64_t loops;
};

static const char *can_replay_id(CanReplayState *s)
{
    return object_get_canonical_path_component(OBJECT(s));
}

/*
 * The next frame of the file into @rec: 1, 0 at its end, -1 with @errp
 * set (naming the line) for a malformed line.  Error frames are skipped.
 */
static int can_replay_read(CanReplayState *s, CanCandumpRecord *rec,
                           Error **errp)
{
    char line[CAN_REPLAY_LINE_MAX];
    Error *err = NULL;
    int r;

    while (fgets(line, sizeof(line), s->file)) {
        s->line_no++;
        if (!strchr(line, '\n') && !feof(s->file)) {
            error_setg(errp, "%s:%u: line longer than %d characters",
                       s->path, s->line_no, CAN_REPLAY_LINE_MAX - 2);
            return -1;
        }
        r = can_candump_parse_line(line, rec, &err);
        if (r < 0) {
            error_propagate_prepend(errp, err, "%s:%u: ", s->path,
                                    s->line_no);
            return -1;
        }
        if (r == 0) {
            continue;
        }
        if (rec->frame.can_id & QEMU_CAN_ERR_FLAG) {
            s->skipped++;
            continue;
        }
        return 1;
    }
    if (ferror(s->file)) {
        error_setg_errno(errp, errno, "%s:%u: read error", s->path,
                         s->line_no);
        return -1;
    }
    return 0;
}

/* Back to the first line, for the check at creation and for loop=on */
static void can_replay_rewind(CanReplayState *s)
{
    rewind(s->file);
    s->line_no = 0;
}

/* The virtual time at which @rec is due */
static int64_t can_replay_due(CanReplayState *s, const CanCandumpRecord *rec)
{
    uint64_t gap = rec->ts_ns >= s->rec_start_ns ?
                   rec->ts_ns - s->rec_start_ns : 0;

    return s->play_start_ns + (int64_t)(gap / s->speed);
}

/* Read ahead the next frame, starting a new loop at the end with loop=on */
static void can_replay_advance(CanReplayState *s)
{
    int64_t now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);

    /* the file was checked whole at creation: no error can come now */
    s->have_next = can_replay_read(s, &s->next, &error_abort) > 0;
    if (!s->have_next && s->loop) {
        can_replay_rewind(s);
        s->loops++;
        s->have_next = can_replay_read(s, &s->next, &error_abort) > 0;
        s->rec_start_ns = s->next.ts_ns;
        s->play_start_ns = now;
    }
    if (s->have_next) {
        timer_mod(s->timer, MAX(can_replay_due(s, &s->next), now));
    } else {
        trace_can_replay_done(can_replay_id(s), s->frames, s->skipped);
    }
}

static void can_replay_timer(void *opaque)
{
    CanReplayState *s = opaque;
    int64_t now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    unsigned n;

    for (n = 0; n < CAN_REPLAY_BURST && s->have_next &&
                can_replay_due(s, &s->next) <= now; n++) {
        /* a frame the bus's queue has no room for, the bus counts */
        can_bus_client_send(&s->client, &s->next.frame, 1);
        s->frames++;
        trace_can_replay_frame(can_replay_id(s), s->line_no,
                               s->next.frame.can_id);
        can_replay_advance(s);
    }
    if (s->have_next && n == CAN_REPLAY_BURST) {
        timer_mod(s->timer, now);
    }
}

/* The bus's frames mean nothing to a recording: taken, and dropped */
static bool can_replay_can_receive(CanBusClientState *client)
{
    return true;
}

static ssize_t can_replay_receive(CanBusClientState *client,
                                  const qemu_can_frame *frames, size_t cnt)
{
    return cnt;
}

/* Recorded traffic acknowledges nothing: the other nodes must */
static bool can_replay_acks(CanBusClientState *client)
{
    return false;
}

static const CanBusClientInfo can_replay_client_info = {
    .can_receive = can_replay_can_receive,
    .receive = can_replay_receive,
    .acks = can_replay_acks,
};

static void can_replay_complete(UserCreatable *uc, Error **errp)
{
    CanReplayState *s = CAN_REPLAY(uc);
    g_autofree char *path = object_get_canonical_path(OBJECT(s));
    CanCandumpRecord rec;
    CanBusState *bus;
    int r;

    if (!s->bus_id) {
        error_setg(errp, "can-replay %s: property 'canbus' is required",
                   can_replay_id(s));
        return;
    }
    bus = can_bus_find(s->bus_id, errp);
    if (!bus) {
        error_prepend(errp, "can-replay %s: ", can_replay_id(s));
        return;
    }
    if (!s->path) {
        error_setg(errp, "can-replay %s: property 'file' is required",
                   can_replay_id(s));
        return;
    }
    s->file = fopen(s->path, "r");
    if (!s->file) {
        error_setg_errno(errp, errno, "can-replay %s: cannot open %s",
                         can_replay_id(s), s->path);
        return;
    }
    while ((r = can_replay_read(s, &rec, errp)) > 0) {
        /* every line checked before any is played */
    }
    if (r < 0) {
        error_prepend(errp, "can-replay %s: ", can_replay_id(s));
        return;
    }
    s->skipped = 0;
    can_replay_rewind(s);
    if (!can_bus_attach(bus, &s->client, &can_replay_client_info, path,
                        errp)) {
        return;
    }
    s->bus = CAN_BUS(object_ref(OBJECT(bus)));
    s->attached = true;

    s->have_next = can_replay_read(s, &s->next, &error_abort) > 0;
    if (!s->have_next) {
        return;
    }
    s->rec_start_ns = s->next.ts_ns;
    s->play_start_ns = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    timer_mod(s->timer, s->play_start_ns);
}

static char *can_replay_get_bus(Object *obj, Error **errp)
{
    return g_strdup(CAN_REPLAY(obj)->bus_id);
}

static void can_replay_set_bus(Object *obj, const char *value, Error **errp)
{
    CanReplayState *s = CAN_REPLAY(obj);

    g_free(s->bus_id);
    s->bus_id = g_strdup(value);
}

static char *can_replay_get_file(Object *obj, Error **errp)
{
    return g_strdup(CAN_REPLAY(obj)->path);
}

static void can_replay_set_file(Object *obj, const char *value, Error **errp)
{
    CanReplayState *s = CAN_REPLAY(obj);

    g_free(s->path);
    s->path = g_strdup(value);
}

static bool can_replay_get_loop(Object *obj, Error **errp)
{
    return CAN_REPLAY(obj)->loop;
}

static void can_replay_set_loop(Object *obj, bool value, Error **errp)
{
    CAN_REPLAY(obj)->loop = value;
}

/*
 * A string, not a QAPI number: -object's option visitor parses no
 * floating-point numbers.
 */
static char *can_replay_get_speed(Object *obj, Error **errp)
{
    return g_strdup_printf("%g", CAN_REPLAY(obj)->speed);
}

static void can_replay_set_speed(Object *obj, const char *value, Error **errp)
{
    double speed;

    if (qemu_strtod_finite(value, NULL, &speed) < 0 || !(speed > 0)) {
        error_setg(errp, "can-replay: speed must be a number above 0, "
                   "not '%s'", value);
        return;
    }
    CAN_REPLAY(obj)->speed = speed;
}

static void can_replay_init(Object *obj)
{
    CanReplayState *s = CAN_REPLAY(obj);

    s->speed = 1.0;
    s->timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, can_replay_timer, s);
    object_property_add_uint64_ptr(obj, "frames", &s->frames,
                                   OBJ_PROP_FLAG_READ);
    object_property_add_uint64_ptr(obj, "skipped", &s->skipped,
                                   OBJ_PROP_FLAG_READ);
    object_property_add_uint64_ptr(obj, "loops", &s->loops,
                                   OBJ_PROP_FLAG_READ);
}

static void can_replay_finalize(Object *obj)
{
    CanReplayState *s = CAN_REPLAY(obj);

    timer_free(s->timer);
    if (s->attached) {
        can_bus_detach(&s->client);
        object_unref(OBJECT(s->bus));
    }
    if (s->file) {
        fclose(s->file);
    }
    g_free(s->path);
    g_free(s->bus_id);
}

static void can_replay_class_init(ObjectClass *oc, void *data)
{
    UserCreatableClass *ucc = USER_CREATABLE_CLASS(oc);

    ucc->complete = can_replay_complete;
    object_class_property_add_str(oc, "canbus", can_replay_get_bus,
                                  can_replay_set_bus);
    object_class_property_set_description(oc, "canbus",
        "id of the can-bus to play onto");
    object_class_property_add_str(oc, "file", can_replay_get_file,
                                  can_replay_set_file);
    object_class_property_set_description(oc, "file",
        "can-utils log to play (candump -l format)");
    object_class_property_add_bool(oc, "loop", can_replay_get_loop,
                                   can_replay_set_loop);
    object_class_property_set_description(oc, "loop",
        "play the log again from its start when it ends (default off)");
    object_class_property_add_str(oc, "speed", can_replay_get_speed,
                                  can_replay_set_speed);
    object_class_property_set_description(oc, "speed",
        "how much faster than recorded the gaps pass (default 1.0)");
}

static const TypeInfo can_replay_types[] = {
    {
        .name = TYPE_CAN_REPLAY,
        .parent = TYPE_OBJECT,
        .instance_size = sizeof(CanReplayState),
        .instance_init = can_replay_init,
        .instance_finalize = can_replay_finalize,
        .class_init = can_replay_class_init,
        .interfaces = (InterfaceInfo[]) {
            { TYPE_USER_CREATABLE },
            { }
        }
    },
};

DEFINE_TYPES(can_replay_types)
