/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Base of the host CAN backends: joins the can-bus named by "canbus" (its
 * id, as can_bus_find() looks it up) once the subclass has its host side
 * open, and leaves it when deleted.  What the backend joins is fixed when
 * it is created: its properties that choose it refuse later changes.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qom/object_interfaces.h"
#include "qemu/sockets.h"
#include "net/can_host.h"

bool can_host_check_settable(CanHostState *ch, const char *name,
                             Error **errp)
{
    if (ch->bus) {
        error_setg(errp, "%s: property '%s' is fixed once the object is "
                   "created; delete it and create a new one",
                   object_get_canonical_path_component(OBJECT(ch)), name);
        return false;
    }
    return true;
}

void can_host_set_str(Object *obj, const char *name, char **slot,
                      const char *value, Error **errp)
{
    if (can_host_check_settable(CAN_HOST(obj), name, errp)) {
        g_free(*slot);
        *slot = g_strdup(value);
    }
}

static void can_host_complete(UserCreatable *uc, Error **errp)
{
    CanHostState *ch = CAN_HOST(uc);
    CanHostClass *chc = CAN_HOST_GET_CLASS(ch);
    g_autofree char *path = object_get_canonical_path(OBJECT(ch));
    CanBusState *bus;

    if (!ch->bus_id) {
        error_setg(errp, "property 'canbus' is required: the id of a can-bus");
        return;
    }
    bus = can_bus_find(ch->bus_id, errp);
    if (!bus || !chc->open(ch, bus, errp)) {
        return;
    }
    if (!can_bus_attach(bus, &ch->bus_client, chc->bus_client_info, path,
                        errp)) {
        chc->close(ch);
        return;
    }
    ch->bus = CAN_BUS(object_ref(OBJECT(bus)));
}

typedef struct CanHostFind {
    CanBusState *bus;
    const char *host_name;
    CanHostState *found;
} CanHostFind;

static int can_host_find_one(Object *obj, void *opaque)
{
    CanHostFind *f = opaque;
    CanHostState *ch = (CanHostState *)object_dynamic_cast(obj, TYPE_CAN_HOST);
    CanHostClass *chc;

    if (!ch || ch->bus != f->bus) {
        return 0;
    }
    chc = CAN_HOST_GET_CLASS(ch);
    if (!chc->host_name || g_strcmp0(chc->host_name(ch), f->host_name)) {
        return 0;
    }
    f->found = ch;
    return 1;
}

CanHostState *can_host_find(CanBusState *bus, const char *host_name)
{
    CanHostFind f = { .bus = bus, .host_name = host_name };

    object_child_foreach(object_get_objects_root(), can_host_find_one, &f);
    return f.found;
}

void can_host_add_counters(Object *obj, const CanHostCounter *counters,
                           size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        object_property_add_uint64_ptr(obj, counters[i].name,
                                       (uint64_t *)((char *)obj +
                                                    counters[i].offset),
                                       OBJ_PROP_FLAG_READ);
    }
}

bool can_host_check_unique(CanHostState *ch, CanBusState *bus,
                           const char *host_name, Error **errp)
{
    CanHostState *twin = can_host_find(bus, host_name);
    g_autofree char *bus_name = NULL;

    if (!twin) {
        return true;
    }
    bus_name = can_bus_name(bus);
    error_setg(errp, "%s: '%s' already joins '%s' to can-bus '%s'; a second "
               "backend there would send every frame round again",
               object_get_typename(OBJECT(ch)),
               object_get_canonical_path_component(OBJECT(twin)),
               host_name, bus_name);
    return false;
}

ssize_t can_host_recv(int fd, void *buf, size_t size,
                      struct sockaddr_storage *from, int *flags,
                      uint32_t *kernel_drops, uint64_t *dropped)
{
    struct iovec iov = { .iov_base = buf, .iov_len = size };
    union {
        char buf[CMSG_SPACE(sizeof(uint32_t))];
        struct cmsghdr align;
    } control;
    struct msghdr msg = {
        .msg_name = from, .msg_namelen = sizeof(*from),
        .msg_iov = &iov, .msg_iovlen = 1,
        .msg_control = &control, .msg_controllen = sizeof(control),
    };
    struct cmsghdr *cmsg;
    uint32_t drops;
    ssize_t len;

    /* QIOChannel passes on no control messages but fds, nor the sender */
    len = recvmsg(fd, &msg, MSG_DONTWAIT);
    if (len < 0) {
        return -errno;
    }
    for (cmsg = CMSG_FIRSTHDR(&msg); cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg)) {
        if (cmsg->cmsg_level == SOL_SOCKET &&
            cmsg->cmsg_type == SO_RXQ_OVFL) {
            memcpy(&drops, CMSG_DATA(cmsg), sizeof(drops));
            *dropped += (uint32_t)(drops - *kernel_drops);
            *kernel_drops = drops;
        }
    }
    *flags = msg.msg_flags;
    return len;
}

void can_host_tx_queue_init(CanHostTxQueue *q, guint limit,
                            GDestroyNotify free_item, uint64_t *dropped,
                            CanHostTxSend send, void *opaque)
{
    g_queue_init(&q->items);
    q->limit = limit;
    q->free_item = free_item;
    q->dropped = dropped;
    q->send = send;
    q->opaque = opaque;
    q->watch = 0;
}

bool can_host_tx_queue_push(CanHostTxQueue *q, void *item)
{
    if (g_queue_get_length(&q->items) >= q->limit) {
        (*q->dropped)++;
        q->free_item(item);
        return false;
    }
    g_queue_push_tail(&q->items, item);
    return true;
}

static gboolean can_host_tx_writable(QIOChannel *ioc, GIOCondition cond,
                                     gpointer opaque)
{
    CanHostTxQueue *q = opaque;

    q->watch = 0;
    can_host_tx_queue_flush(q, ioc);
    return G_SOURCE_REMOVE;
}

void can_host_tx_queue_flush(CanHostTxQueue *q, QIOChannel *ioc)
{
    void *item;

    if (q->watch) {
        return;
    }
    while ((item = g_queue_peek_head(&q->items))) {
        switch (q->send(item, q->opaque)) {
        case CAN_HOST_TX_BLOCKED:
            q->watch = qio_channel_add_watch(ioc, G_IO_OUT,
                                             can_host_tx_writable, q, NULL);
            return;
        case CAN_HOST_TX_AGAIN:
            /* the queue may be empty now: nothing more of it is touched */
            return;
        case CAN_HOST_TX_DROPPED:
            (*q->dropped)++;
            break;
        case CAN_HOST_TX_SENT:
            break;
        }
        g_queue_pop_head(&q->items);
        q->free_item(item);
    }
}

guint can_host_tx_queue_clear(CanHostTxQueue *q)
{
    guint n = g_queue_get_length(&q->items);

    g_clear_handle_id(&q->watch, g_source_remove);
    g_queue_clear_full(&q->items, q->free_item);
    return n;
}

static char *can_host_get_bus(Object *obj, Error **errp)
{
    CanHostState *ch = CAN_HOST(obj);

    return ch->bus ? can_bus_name(ch->bus) : g_strdup(ch->bus_id);
}

static void can_host_set_bus(Object *obj, const char *value, Error **errp)
{
    CanHostState *ch = CAN_HOST(obj);

    if (!can_host_check_settable(ch, "canbus", errp)) {
        return;
    }
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
