/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * CAN bus emulation: the API of a CAN bus client.
 *
 * A client (a controller model, a host backend) embeds a CanBusClientState
 * and attaches it, with a const CanBusClientInfo of its callbacks, to a
 * can-bus.  It then either hands the bus a frame to transmit and learns the
 * outcome through tx_done(), as a real controller does, or pushes frames
 * that already exist elsewhere (a host interface) with can_bus_client_send().
 * When a frame is on the wire is the bus's decision, so that clients do not
 * change with the bus's timing model.  The bus's state stays its own.
 * Observers (captures, monitors) attach the same way and see every event
 * on the wire without taking part in it; see "Observers" below.
 */

#ifndef NET_CAN_EMU_H
#define NET_CAN_EMU_H

#include "qom/object.h"

/*
 * Identifier and flags, laid out as Linux's canid_t so that host backends
 * need no conversion: bits 28..0 identifier (11 or 29 bits), then the flags.
 */
typedef uint32_t qemu_canid_t;

#define QEMU_CAN_EFF_FLAG 0x80000000U /* 29-bit (extended) identifier */
#define QEMU_CAN_RTR_FLAG 0x40000000U /* remote transmission request */
#define QEMU_CAN_ERR_FLAG 0x20000000U /* error report, not a bus frame */

#define QEMU_CAN_SFF_MASK 0x000007FFU
#define QEMU_CAN_EFF_MASK 0x1FFFFFFFU

/* qemu_can_frame.flags, with the values of Linux's canfd_frame.flags */
#define QEMU_CAN_FRMF_BRS     0x01 /* FD: data phase at the second bitrate */
#define QEMU_CAN_FRMF_ESI     0x02 /* FD: sender is error passive */
#define QEMU_CAN_FRMF_TYPE_FD 0x04 /* an FD frame (FDF bit) */

#define QEMU_CAN_MAX_DLEN   8  /* classic payload */
#define QEMU_CANFD_MAX_DLEN 64 /* FD payload */

/*
 * One frame type for classic CAN and CAN FD.
 * @can_dlc: payload length in bytes (0..8 classic, 0..64 FD); for a remote
 *           frame the length it requests, with no payload carried.
 * @len8_dlc: a classic frame of 8 bytes sent with a DLC of 9..15 keeps that
 *            DLC here so that a receiving controller reports it; else 0.
 */
typedef struct qemu_can_frame {
    qemu_canid_t can_id;
    uint8_t can_dlc;
    uint8_t flags;
    uint8_t len8_dlc;
    uint8_t data[QEMU_CANFD_MAX_DLEN] QEMU_ALIGNED(8);
} qemu_can_frame;

/* CAN FD data length code <-> payload length */
uint8_t can_dlc2len(uint8_t can_dlc);
uint8_t can_len2dlc(uint8_t len);

typedef struct CanBusClientState CanBusClientState;
typedef struct CanBusState CanBusState;
/* The bus's record of one attached client; private to the bus */
typedef struct CanBusPort CanBusPort;
typedef struct CanBusEvent CanBusEvent;
typedef struct CanBusClientStatus CanBusClientStatus;

#define TYPE_CAN_BUS "can-bus"
OBJECT_DECLARE_SIMPLE_TYPE(CanBusState, CAN_BUS)

/* Outcome of a transmission started with can_bus_client_tx_start() */
typedef enum CanTxResult {
    CAN_TX_OK,      /* on the wire and acknowledged */
    CAN_TX_NO_ACK,  /* on the wire, nobody acknowledged: an ACK error */
    CAN_TX_ERROR,   /* destroyed by another node's error flag */
} CanTxResult;

typedef struct CanBusClientInfo {
    /*
     * A host backend that stands on the bus for nodes elsewhere: a bitrate
     * it sets is theirs, not one the bus's controllers are programmed for,
     * so can_bus_client_peer_bitrate() and clients that program none never
     * take it.
     */
    bool remote;
    /*
     * Whether the client takes frames now.  A frame offered to a client that
     * refuses is counted as dropped by the bus.
     */
    bool (*can_receive)(CanBusClientState *client);
    /* Frames from another client, in wire order. */
    ssize_t (*receive)(CanBusClientState *client,
                       const qemu_can_frame *frames, size_t frames_cnt);
    /*
     * Optional: whether the client drives the ACK slot now (a controller in
     * operating mode and not listen-only).  Without it, a client that can
     * receive acknowledges.
     */
    bool (*acks)(CanBusClientState *client);
    /*
     * Optional, required by clients that use can_bus_client_tx_start():
     * the outcome of one attempt.  After a failure the frame stays pending
     * and the bus retries it, as the CAN protocol does, unless the client
     * withdraws it with can_bus_client_tx_abort() meanwhile.
     */
    void (*tx_done)(CanBusClientState *client, CanTxResult result);
    /*
     * Optional, on a bus with timing: the pending frame lost arbitration at
     * @bit of the arbitration field (0: the first identifier bit; then as
     * the SJA1000's ALC numbers them).  It stays pending and competes again
     * when the wire is free.
     */
    void (*arbitration_lost)(CanBusClientState *client, unsigned bit);
    /*
     * Optional, on a bus with timing: the client saw an error while
     * receiving @frame, either detected by itself (@own: its bitrate does
     * not match the sender's) or another node's error flag.  @frame is
     * NULL for a frame of the nodes beyond a host backend, which nobody
     * here decoded (can_bus_client_remote_error()).  Returns whether it
     * signalled the error with an active error flag, which destroys the
     * frame for every node.
     */
    bool (*rx_error)(CanBusClientState *client, const qemu_can_frame *frame,
                     bool own);
    /*
     * Optional: whether the client's receive buffer is full now, so that
     * another frame would overrun it.  Frames from beyond the bus
     * (can_bus_client_send()) then wait, a while, until the client calls
     * can_bus_client_rx_freed(); transmissions of
     * can_bus_client_tx_start() never do.
     */
    bool (*rx_full)(CanBusClientState *client);
    /*
     * Optional: whether the client is error passive.  An error-passive
     * transmitter signals an ACK error with recessive bits that receivers
     * take for the end of frame, so they still receive the frame.
     */
    bool (*error_passive)(CanBusClientState *client);
    /*
     * Optional: another client of the bus programmed a new bitrate, so
     * that can_bus_client_peer_bitrate() may say another now.
     */
    void (*bitrate_changed)(CanBusClientState *client);
    /*
     * Optional, for the monitor (query-can, info can): a controller's
     * mode, error state and counters now.
     */
    void (*get_status)(CanBusClientState *client, CanBusClientStatus *status);
    /*
     * An observer's only callback, and only an observer's: @event
     * happened on the bus.
     */
    void (*observe)(CanBusClientState *client, const CanBusEvent *event);
} CanBusClientInfo;

struct CanBusClientState {
    /* set by can_bus_attach(), the bus's until can_bus_detach() */
    CanBusPort *port;
};

/*
 * Attach @client to @bus under @name, unique on the bus (a device's
 * canonical path, a backend's id): the name migration matches clients by
 * and observers see senders by.  With @bus NULL the client is alone, as a
 * controller with nothing on its connector: its transmissions meet no
 * acknowledgement.  Fails if @client is attached already or @name is taken,
 * or if an observer is given no bus.
 */
bool can_bus_attach(CanBusState *bus, CanBusClientState *client,
                    const CanBusClientInfo *info, const char *name,
                    Error **errp);
/* Detach @client, withdrawing what it has pending; nothing if detached. */
void can_bus_detach(CanBusClientState *client);

/*
 * The nominal bitrate in bit/s @client is programmed for: its frames' wire
 * time and retry spacing, and bitrate mismatch on a timed bus.  0 (the
 * default) if it programs none; it then takes the bus's.
 */
void can_bus_client_set_bitrate(CanBusClientState *client, uint32_t bitrate);
/*
 * The bitrate the other clients of @client's bus are at, for a host
 * backend to tell the nodes beyond it: the first that programs one (and
 * is not remote), else the bus's; 0 if none is known.
 */
uint32_t can_bus_client_peer_bitrate(CanBusClientState *client);

/*
 * The can-bus @name names: the id of a user-created can-bus (-object
 * can-bus,id=ID, found under /objects), or an absolute QOM path.  Never a
 * partial path, which the links and children of devices make ambiguous.
 * Every property that names a bus finds it here.  NULL and @errp set,
 * naming @name, if there is no such bus.
 */
CanBusState *can_bus_find(const char *name, Error **errp);
/* How a property naming @bus reads back: its id, else its path; "" if NULL */
char *can_bus_name(CanBusState *bus);
/*
 * Point *@slot at the bus @name names ("" for none), holding a reference
 * and dropping the one held before.  False, *@slot unchanged, on error.
 */
bool can_bus_set_ref(CanBusState **slot, const char *name, Error **errp);
/*
 * Add property @name to @obj: the bus that *@slot points at, set by id as
 * can_bus_find() looks it up.  For objects that are not devices (machines);
 * devices use DEFINE_PROP_CAN_BUS (hw/net/can/can_bus_prop.h).
 */
void object_property_add_can_bus(Object *obj, const char *name,
                                 CanBusState **slot);
/*
 * The same as a class property, so that -object TYPE,help lists it: the
 * slot is the CanBusState pointer @offset bytes into each instance.  It
 * is set once, when the object is created.
 */
void object_class_property_add_can_bus(ObjectClass *oc, const char *name,
                                       size_t offset);

/*
 * Start transmitting @frame.  @self_ack presumes an acknowledgement (a
 * controller in self-test mode).  The outcome arrives through tx_done(),
 * possibly before this returns.  A client has one transmission at a time.
 */
void can_bus_client_tx_start(CanBusClientState *client,
                             const qemu_can_frame *frame, bool self_ack);
/*
 * Withdraw the pending transmission.  Returns true if it had not yet been
 * completed, false if there was nothing to withdraw or the frame is on the
 * wire already (it then completes as usual).
 */
bool can_bus_client_tx_abort(CanBusClientState *client);
/*
 * Stop transmitting at once, as a controller does when it is reset:
 * withdraw the pending transmission and cut a frame on the wire short (no
 * node receives it, the bus counts an error frame, and no tx_done()
 * follows).  Returns whether there was a transmission to stop.
 */
bool can_bus_client_tx_cut(CanBusClientState *client);
/*
 * Put frames that need no acknowledgement handshake on the bus: frames that
 * already exist on a host interface, or controllers that complete
 * transmissions on their own.  On a bus with timing they wait their turn on
 * the wire in a bounded queue, taking the bus's bitrate; frames beyond it
 * are dropped and counted.  They also wait, on any bus, while a receiver
 * says it is full (see rx_full()).  Returns the number of frames taken,
 * or -1 if @client is not attached or is an observer.
 */
ssize_t can_bus_client_send(CanBusClientState *client,
                            const qemu_can_frame *frames, size_t frames_cnt);

/*
 * @client, whose rx_full() said so, has room for a frame again: frames
 * from beyond the bus that waited for it go on.
 */
void can_bus_client_rx_freed(CanBusClientState *client);

/*
 * For a host backend whose remote nodes destroyed a frame of theirs with
 * error flags (a server's error frame tells so): on a timed bus, the
 * clients that cannot follow @client's bitrate, the remote nodes' here,
 * see errors of their own, and the others the error flag of the first
 * that flags, as on a wire where those nodes sent.  Nothing on a bus
 * without timing, which models no bitrates.
 */
void can_bus_client_remote_error(CanBusClientState *client);

/*
 * Observers.  An observer sees everything that happens on a bus's wire
 * without taking part in it: it acknowledges nothing, sends nothing and
 * competes in no arbitration, so attaching one changes no outcome.
 * Captures (pcap, candump), frame displays and replay checks are
 * observers.  One attaches with can_bus_attach() to a bus, like any
 * client, with a CanBusClientInfo that has observe() and no other
 * callback, and gets one CanBusEvent for each thing that happens, in the
 * order the bus sees them.  The event and what it points to are valid
 * during the call only.
 *
 * The events carry what a SocketCAN error frame would say: an ACK error
 * (CAN_ERR_ACK); an error flag with its kind and where it was detected
 * (CAN_ERR_PROT, CAN_ERR_PROT_BIT or _STUFF, CAN_ERR_PROT_LOC_*); a
 * controller's state change with its counters (CAN_ERR_CRTL warning or
 * passive, CAN_ERR_BUSOFF, TEC and REC).
 */
typedef enum CanBusEventType {
    /*
     * @frame went over the wire; every node that could follow it has it.
     * An error report a host backend passes on (QEMU_CAN_ERR_FLAG) is
     * shown so too.
     */
    CAN_BUS_EVENT_FRAME,
    /*
     * Nobody acknowledged @frame: its sender signals an ACK error and
     * will retry (after the ACK delimiter)
     */
    CAN_BUS_EVENT_ACK_ERROR,
    /* A node's active error flag destroyed @frame (see @error) */
    CAN_BUS_EVENT_ERROR_FLAG,
    /*
     * @frame lost arbitration to another (see @arbitration) and waits for
     * the wire to be free: timed buses only (at the start of the
     * arbitration)
     */
    CAN_BUS_EVENT_ARBITRATION_LOST,
    /*
     * The controller @client reported a change of its error state (see
     * @state), with can_bus_client_report_state()
     */
    CAN_BUS_EVENT_STATE,
} CanBusEventType;

/* ISO 11898-1 fault confinement states, with the warning level */
typedef enum CanBusErrorState {
    CAN_BUS_STATE_ERROR_ACTIVE,
    CAN_BUS_STATE_ERROR_WARNING,    /* a counter at the warning limit */
    CAN_BUS_STATE_ERROR_PASSIVE,
    CAN_BUS_STATE_BUS_OFF,
} CanBusErrorState;

/* What a controller tells the monitor of itself (get_status()) */
struct CanBusClientStatus {
    bool operating;             /* false: in reset (configuration) mode */
    bool listen_only;
    bool self_test;
    CanBusErrorState state;
    unsigned tec;               /* as the controller's registers read */
    unsigned rec;
};

/* What an error flag signals (ISO 11898-1 10.11) */
typedef enum CanBusErrorKind {
    CAN_BUS_ERROR_BIT,      /* a transmitter saw another bit than it sent */
    CAN_BUS_ERROR_STUFF,    /* a receiver saw six equal bits */
} CanBusErrorKind;

/* Where in the frame an error was detected */
typedef enum CanBusErrorField {
    CAN_BUS_FIELD_UNKNOWN,
    CAN_BUS_FIELD_IDENTIFIER,
} CanBusErrorField;

struct CanBusEvent {
    CanBusEventType type;
    /*
     * Bus time (QEMU_CLOCK_VIRTUAL, ns) of the event: a frame's end (its
     * last bit, interframe space included, on a timed bus; on an instant
     * bus frames take no time), the end of a failed attempt, the start of
     * an arbitration, a controller's report.
     */
    int64_t time_ns;
    /*
     * The client it is about, by the name it attached under: @frame's
     * sender, or the controller that reported a state
     */
    const char *client;
    /*
     * The frame concerned; NULL for CAN_BUS_EVENT_STATE, and for an error
     * flag on a remote node's frame (can_bus_client_remote_error())
     */
    const qemu_can_frame *frame;
    union {
        /* CAN_BUS_EVENT_ERROR_FLAG */
        struct {
            const char *node;           /* the node that flagged first */
            CanBusErrorKind kind;       /* the error it detected */
            CanBusErrorField field;
        } error;
        /* CAN_BUS_EVENT_ARBITRATION_LOST */
        struct {
            unsigned bit;               /* as arbitration_lost() numbers it */
            const char *winner;
        } arbitration;
        /* CAN_BUS_EVENT_STATE */
        struct {
            CanBusErrorState state;
            unsigned tec;
            unsigned rec;
        } state;
    };
};

/*
 * A controller reports that its error state is now @state, with its
 * transmit and receive error counters, to the bus's observers.
 */
void can_bus_client_report_state(CanBusClientState *client,
                                 CanBusErrorState state, unsigned tec,
                                 unsigned rec);

/*
 * Migration.  What a client on a bus has in flight migrates with the bus.
 * A client alone has no bus to carry its pending frame: a client that may
 * be alone carries vmstate_can_bus_client (a VMSTATE_STRUCT of its
 * CanBusClientState) in a subsection that is needed when
 * can_bus_client_alone_pending() says so.
 */
extern const VMStateDescription vmstate_can_bus_client;
bool can_bus_client_alone_pending(CanBusClientState *client);

#endif
