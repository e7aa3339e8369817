/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Base of the host CAN backends: user-creatable objects that join a can-bus
 * (property "canbus") and carry frames between it and the host.
 */

#ifndef NET_CAN_HOST_H
#define NET_CAN_HOST_H

#include "net/can_emu.h"
#include "qom/object.h"
#include "io/channel.h"

#define TYPE_CAN_HOST "can-host"
OBJECT_DECLARE_TYPE(CanHostState, CanHostClass, CAN_HOST)

struct CanHostState {
    Object parent_obj;

    char *bus_id;               /* "canbus" as the user set it */
    CanBusState *bus;           /* the bus joined, from complete on */
    CanBusClientState bus_client;
};

struct CanHostClass {
    ObjectClass parent_class;

    /* The backend's callbacks on the bus */
    const CanBusClientInfo *bus_client_info;
    /*
     * Acquire host resources to join @bus.  The client is put on the bus
     * only on success; ch->bus is NULL until then.
     */
    bool (*open)(CanHostState *ch, CanBusState *bus, Error **errp);
    void (*close)(CanHostState *ch);
    /* Optional: the host side's name, such as its interface */
    const char *(*host_name)(CanHostState *ch);
};

/*
 * The backend, created and complete, that joins @bus to the host side
 * named @host_name (e.g. a SocketCAN interface), or NULL.
 */
CanHostState *can_host_find(CanBusState *bus, const char *host_name);

/* A backend's read-only counter: a uint64_t at @offset of its state */
typedef struct CanHostCounter {
    const char *name;
    size_t offset;
} CanHostCounter;

#define CAN_HOST_COUNTER(name, type, field) { name, offsetof(type, field) }

/* Add the @n counters of @counters to @obj as read-only properties */
void can_host_add_counters(Object *obj, const CanHostCounter *counters,
                           size_t n);

/*
 * False, with an error naming the backend, if one joins @bus to
 * @host_name already: each would hear the other's frames as another
 * host application's and put them back on the bus, for ever.
 */
bool can_host_check_unique(CanHostState *ch, CanBusState *bus,
                           const char *host_name, Error **errp);

/*
 * Read one datagram from the non-blocking socket @fd into @buf (@size
 * bytes), its sender into @from: its length, or -errno; *@flags gets the
 * message's flags (MSG_TRUNC).  With SO_RXQ_OVFL set on the socket, the
 * kernel stamps each datagram with the number it has dropped so far:
 * those lost since *@kernel_drops (the last count seen) are added to
 * *@dropped.
 */
ssize_t can_host_recv(int fd, void *buf, size_t size,
                      struct sockaddr_storage *from, int *flags,
                      uint32_t *kernel_drops, uint64_t *dropped);

/*
 * For the setters of properties that choose what the backend joins: false,
 * with an error naming @name, once the backend is created (complete).
 */
bool can_host_check_settable(CanHostState *ch, const char *name,
                             Error **errp);

/*
 * The setter of such a property of type string: *@slot becomes a copy of
 * @value, unless can_host_check_settable() refuses.
 */
void can_host_set_str(Object *obj, const char *name, char **slot,
                      const char *value, Error **errp);

/* What a backend's send callback did with the queue's head */
typedef enum CanHostTxResult {
    CAN_HOST_TX_SENT,           /* gone: freed, the next one goes */
    /* the channel's buffer is full: it stays; on again once writable */
    CAN_HOST_TX_BLOCKED,
    /*
     * Not now: it stays at the head and the flush stops; the callback has
     * arranged to flush again (a timer), or emptied the queue.
     */
    CAN_HOST_TX_AGAIN,
    CAN_HOST_TX_DROPPED,        /* cannot go: counted, freed, the next goes */
} CanHostTxResult;

typedef CanHostTxResult (*CanHostTxSend)(void *item, void *opaque);

/*
 * What a backend has for its host socket, waiting while the socket pushes
 * back: at most @limit items, the rest dropped and counted.
 */
typedef struct CanHostTxQueue {
    GQueue items;
    guint limit;
    GDestroyNotify free_item;
    uint64_t *dropped;          /* the backend's counter of items lost */
    CanHostTxSend send;
    void *opaque;               /* @send's */
    guint watch;                /* blocked: until the channel is writable */
} CanHostTxQueue;

void can_host_tx_queue_init(CanHostTxQueue *q, guint limit,
                            GDestroyNotify free_item, uint64_t *dropped,
                            CanHostTxSend send, void *opaque);

/* Queue @item; if the queue is full, free it, count it and return false */
bool can_host_tx_queue_push(CanHostTxQueue *q, void *item);

/*
 * Unless blocked already, hand the items to @send, oldest first, until
 * none is left or one is not sent now; @ioc is the channel @send writes.
 */
void can_host_tx_queue_flush(CanHostTxQueue *q, QIOChannel *ioc);

/* Free what waits, uncounted, and stop waiting: how many there were */
guint can_host_tx_queue_clear(CanHostTxQueue *q);

#endif
