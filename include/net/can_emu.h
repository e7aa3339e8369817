/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * CAN bus emulation: the frame every CAN client exchanges and the can-bus
 * object that carries frames between controllers and host backends.
 *
 * A client (a controller model, a host backend) embeds a CanBusClientState,
 * fills in its CanBusClientInfo and attaches to a bus.  It then either hands
 * the bus a frame to transmit and learns the outcome through tx_done(), as a
 * real controller does, or pushes frames that already exist elsewhere (a host
 * interface) with can_bus_client_send().  When a frame is on the wire is the
 * bus's decision, so that controllers need not change when the bus learns to
 * model bit timing and arbitration.
 */

#ifndef NET_CAN_EMU_H
#define NET_CAN_EMU_H

#include "qemu/queue.h"
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

typedef struct CanBusClientState CanBusClientState;
typedef struct CanBusState CanBusState;

/* Outcome of a transmission started with can_bus_client_transmit() */
typedef enum CanTxResult {
    CAN_TX_OK,      /* on the wire and acknowledged */
    CAN_TX_NO_ACK,  /* on the wire, nobody acknowledged: an ACK error */
    CAN_TX_ERROR,   /* destroyed by another node's error flag */
} CanTxResult;

typedef struct CanBusClientInfo {
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
     * Optional, required by clients that use can_bus_client_transmit():
     * the outcome of one attempt.  After CAN_TX_NO_ACK the frame stays
     * pending and the bus retries it, as the CAN protocol does, unless the
     * client withdraws it with can_bus_client_abort_tx() meanwhile.
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
     * receiving, either detected by itself (@own: its bitrate does not
     * match the sender's) or another node's error flag.  Returns whether
     * it signalled the error with an active error flag, which destroys the
     * frame for every node.
     */
    bool (*rx_error)(CanBusClientState *client, bool own);
    /*
     * Optional: whether the client is error passive.  An error-passive
     * transmitter signals an ACK error with recessive bits that receivers
     * take for the end of frame, so they still receive the frame.
     */
    bool (*error_passive)(CanBusClientState *client);
} CanBusClientInfo;

struct CanBusClientState {
    CanBusClientInfo *info;
    CanBusState *bus;
    QTAILQ_ENTRY(CanBusClientState) next;

    /* Owned by the bus: the frame this client is transmitting, if any */
    bool tx_pending;
    bool tx_self_ack;
    int64_t tx_retry_at;
    qemu_can_frame tx_frame;
    /* with timing: frames from can_bus_client_send() waiting for the wire */
    GQueue *send_queue;
    /*
     * Nominal bitrate in bit/s the client is programmed for: its frames'
     * wire time and retry spacing, and bitrate mismatch on a timed bus.
     * 0 if it programs none; it then takes the bus's.
     */
    uint32_t bitrate;
};

#define TYPE_CAN_BUS "can-bus"
OBJECT_DECLARE_SIMPLE_TYPE(CanBusState, CAN_BUS)

/* Attach @client to @bus; returns 0, or -1 if it is attached already. */
int can_bus_insert_client(CanBusState *bus, CanBusClientState *client);
/* Detach @client, withdrawing its pending transmission; returns 0. */
int can_bus_remove_client(CanBusClientState *client);

/*
 * Start transmitting @frame.  @self_ack presumes an acknowledgement (a
 * controller in self-test mode).  The outcome arrives through tx_done(),
 * possibly before this returns.  A client has one transmission at a time.
 */
void can_bus_client_transmit(CanBusClientState *client,
                             const qemu_can_frame *frame, bool self_ack);
/*
 * Like can_bus_client_transmit(), but the first attempt waits for the bus's
 * clock to run: for a frame in flight restored by migration.
 */
void can_bus_client_transmit_deferred(CanBusClientState *client,
                                      const qemu_can_frame *frame,
                                      bool self_ack);
/*
 * Withdraw the pending transmission.  Returns true if it had not yet been
 * completed, false if there was nothing to withdraw or the frame is on the
 * wire already (it then completes as usual).
 */
bool can_bus_client_abort_tx(CanBusClientState *client);
/*
 * Put frames that need no acknowledgement handshake on the bus: frames that
 * already exist on a host interface, or controllers that complete
 * transmissions on their own.  On a bus with timing they wait their turn on
 * the wire in a bounded queue, taking the bus's bitrate; frames beyond it
 * are dropped and counted.  Returns the number of frames taken.
 */
ssize_t can_bus_client_send(CanBusClientState *client,
                            const qemu_can_frame *frames, size_t frames_cnt);

/* CAN FD data length code <-> payload length */
uint8_t can_dlc2len(uint8_t can_dlc);
uint8_t can_len2dlc(uint8_t len);

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

#endif
