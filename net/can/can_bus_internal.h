/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The can-bus object's own state, shared by the files of net/can/ that
 * implement it.  Clients use include/net/can_emu.h only.
 */

#ifndef NET_CAN_BUS_INTERNAL_H
#define NET_CAN_BUS_INTERNAL_H

#include "qemu/queue.h"
#include "net/can_emu.h"

/*
 * Frames of can_bus_client_send() a client may have waiting for the wire
 * or for a full receiver: a burst from a network, while the guest drains
 * its controller's FIFO
 */
#define CAN_BUS_SEND_QUEUE_LEN  1024
/* Longest client name, without its NUL: migration loads no longer one */
#define CAN_BUS_NAME_MAX        255

/*
 * How a bus puts frames on its wire: at once (can_bus_instant.c) or taking
 * their bit time and arbitrating in virtual time (can_bus_timing.c).
 */
typedef struct CanBusEngine {
    /* Optional: set up @bus, which has just been created with the engine */
    void (*realize)(CanBusState *bus);
    /* @port's frame has just become pending: let it compete */
    void (*tx_start)(CanBusPort *port);
    /* How long after a failed attempt (ending now) the frame competes again */
    int64_t (*retry_delay_ns)(CanBusPort *port);
    /* Arm the timer for @port's pending frame, due at its tx_retry_at */
    void (*schedule)(CanBusPort *port);
    /* One frame of can_bus_client_send(); returns whether it was taken */
    bool (*send)(CanBusPort *port, const qemu_can_frame *frame);
    /* Optional: whether @peer can follow @sender's bits (default: yes) */
    bool (*follows)(CanBusPort *peer, CanBusPort *sender);
    /* Optional: can_bus_client_remote_error() (default: nothing) */
    void (*remote_error)(CanBusPort *port);
    /* Frames waiting for a full receiver (can_bus_hold.c) may go now */
    void (*release)(CanBusState *bus);
} CanBusEngine;

extern const CanBusEngine can_bus_instant_engine;
extern const CanBusEngine can_bus_timed_engine;

struct CanBusPort {
    CanBusClientState *client;
    const CanBusClientInfo *info;
    /* NULL for a client alone on its wire */
    CanBusState *bus;
    char *name;
    QTAILQ_ENTRY(CanBusPort) next;
    /* 0 if the client programs none */
    uint32_t bitrate;

    /* the frame this client is transmitting, if any */
    bool tx_pending;
    bool tx_self_ack;
    int64_t tx_retry_at;
    qemu_can_frame tx_frame;
    /* without timing: when the pending frame is retried */
    QEMUTimer *retry_timer;
    /* while a client alone migrates: ns from now to tx_retry_at */
    int64_t saved_retry_in;
    /*
     * Frames from can_bus_client_send() waiting for the wire (with timing)
     * or for a full receiver
     */
    GQueue *send_queue;
    /* full while frames wait for it, since when (virtual ns) */
    bool rx_waited;
    int64_t rx_waited_since;
    /* full for too long: overrun, not waited for, until it frees room */
    bool rx_stalled;

    /* for the monitor, since the client attached (not migrated) */
    uint64_t frames_out;    /* its frames the bus carried */
    uint64_t frames_in;     /* frames (observers: events) given to it */
    uint64_t drops;         /* frames it could not take */
};

/* One client's frames in flight, as the migration stream carries them */
typedef struct CanBusPortState {
    uint32_t name_len;      /* with its NUL */
    uint8_t *name;
    bool tx_pending;
    bool tx_self_ack;
    bool on_wire;
    int64_t tx_retry_in;    /* ns from now to tx_retry_at */
    qemu_can_frame tx_frame;
    int32_t queued;
    qemu_can_frame *queue;
} CanBusPortState;

struct CanBusState {
    Object parent_obj;

    char *name;
    bool timing;
    bool complete;
    const CanBusEngine *engine;
    /* for clients that do not program a bitrate of their own; 0 if unset */
    uint32_t bitrate;
    uint32_t data_bitrate;
    QTAILQ_HEAD(, CanBusPort) ports;
    /* observers take no part: they are not among the ports above */
    QTAILQ_HEAD(, CanBusPort) observers;
    /*
     * With timing: the end of the frame on the wire, or when the next
     * arbitration is due.
     */
    QEMUTimer *timer;
    CanBusPort *on_wire;
    int64_t wire_end;
    /* while frames wait for a full receiver: when the first is stalled */
    QEMUTimer *hold_timer;

    uint64_t frames;
    uint64_t fd_frames;
    uint64_t error_frames;
    uint64_t drops;
    uint64_t busy_ns;
    uint64_t arbitration_losses;
    /* virtual time of the bus's creation, for its load */
    int64_t created_ns;

    /*
     * While migrating: the clients with frames in flight, and when the
     * frame on the wire ends, in ns from now.  Times travel relative to
     * the stopped clock, so that they hold whatever the destination's
     * clock reads.
     */
    int32_t saved_count;
    CanBusPortState *saved;
    int64_t saved_wire_left;
};

/* can_bus_vmstate.c */
extern const VMStateDescription vmstate_can_bus;

/* A frame's length on the wire, stuff bits included, by bitrate phase */
typedef struct CanWireBits {
    unsigned nominal;   /* at the nominal bitrate, interframe space included */
    unsigned data;      /* at the data bitrate: a CAN FD frame's data phase */
} CanWireBits;

/*
 * The bits @frame takes on the wire as its bit pattern stuffs them (ISO
 * 11898-1:2015), in the nominal and the data phase.  Only an FD frame with
 * BRS has a data phase.
 */
CanWireBits can_frame_wire_bits(const qemu_can_frame *frame);

/* can_bus.c, for the engines and migration */

/* The client or observer of @bus attached as @name, or NULL */
CanBusPort *can_bus_find_port(CanBusState *bus, const char *name);
/* Tell @bus's observers of @event, stamping it with the bus time */
void can_bus_notify(CanBusState *bus, CanBusEvent *event);
/* The same, for an event of @type about @frame, sent by @port */
void can_bus_notify_frame(CanBusPort *port, CanBusEventType type,
                          const qemu_can_frame *frame);
/* The engine that carries @port's frames */
const CanBusEngine *can_bus_port_engine(CanBusPort *port);
/* The bitrate @port's frames go at: its own, the bus's, or a peer's */
uint32_t can_bus_port_bitrate(CanBusPort *port);
/* The bitrate @port is known to use, its own or the bus's; 0 if unknown */
uint32_t can_bus_port_known_bitrate(CanBusPort *port);
int64_t can_bits_ns(unsigned bits, uint32_t bitrate);
/* How long @port's pending frame occupies the wire */
int64_t can_bus_frame_ns(CanBusPort *port);
/* Hand @frame to every client of @sender's bus but @sender */
void can_bus_deliver(CanBusPort *sender, const qemu_can_frame *frame);
/*
 * @frame from @port went over the wire: count it (among frames, or error
 * reports), deliver it and show it to the observers
 */
void can_bus_carry(CanBusPort *port, const qemu_can_frame *frame);
/* can_bus_hold.c */
/* Whether a client of @sender's bus but @sender is full and not stalled */
bool can_bus_receiver_full(CanBusPort *sender);
/* Queue @frame of can_bus_client_send(); false (counted) if no room */
bool can_bus_queue_frame(CanBusPort *port, const qemu_can_frame *frame);
/* A frame of @bus waits for full receivers: time their waits */
void can_bus_hold(CanBusState *bus);

/* The due frame that wins arbitration on @bus at @now, or NULL */
CanBusPort *can_bus_arbitrate(CanBusState *bus, int64_t now);
/*
 * The arbitration field as it goes on the wire, most significant bit
 * first, 0 (dominant) winning.
 */
uint32_t can_bus_arbitration_field(const qemu_can_frame *frame);
bool can_bus_port_due(CanBusPort *port, int64_t now);
/* One attempt of @port's pending frame on the wire */
void can_bus_attempt(CanBusPort *port);
/* @port's attempt failed with @result: report it, let the frame retry */
void can_bus_attempt_failed(CanBusPort *port, CanTxResult result);

#endif
