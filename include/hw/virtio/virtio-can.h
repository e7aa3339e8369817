/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio-can: a CAN controller on a can-bus, as the VIRTIO 1.4 CAN device
 * (device ID 36).  The layout and values below are the specification's
 * (VIRTIO 1.4, "CAN Device").
 */

#ifndef HW_VIRTIO_CAN_H
#define HW_VIRTIO_CAN_H

#include "hw/virtio/virtio.h"
#include "net/can_emu.h"

#define TYPE_VIRTIO_CAN "virtio-can-device"
OBJECT_DECLARE_SIMPLE_TYPE(VirtIOCAN, VIRTIO_CAN)

/* Feature bits */
#define VIRTIO_CAN_F_CAN_CLASSIC        0
#define VIRTIO_CAN_F_CAN_FD             1
#define VIRTIO_CAN_F_RTR_FRAMES         2
#define VIRTIO_CAN_F_LATE_TX_ACK        3

/* Virtqueues */
#define VIRTIO_CAN_QUEUE_TX             0
#define VIRTIO_CAN_QUEUE_RX             1
#define VIRTIO_CAN_QUEUE_CONTROL        2
#define VIRTIO_CAN_QUEUE_COUNT          3

/* Configuration space: le16 status */
#define VIRTIO_CAN_CONFIG_SIZE          2
#define VIRTIO_CAN_S_CTRL_BUSOFF        (1u << 0)

/* Result of a transmission or a control request */
#define VIRTIO_CAN_RESULT_OK            0
#define VIRTIO_CAN_RESULT_NOT_OK        1

/* Message types */
#define VIRTIO_CAN_TX                   0x0001
#define VIRTIO_CAN_RX                   0x0101
#define VIRTIO_CAN_SET_CTRL_MODE_START  0x0201
#define VIRTIO_CAN_SET_CTRL_MODE_STOP   0x0202

/* virtio_can_tx_out.flags and virtio_can_rx.flags */
#define VIRTIO_CAN_FLAGS_EXTENDED       0x8000
#define VIRTIO_CAN_FLAGS_FD             0x4000
#define VIRTIO_CAN_FLAGS_RTR            0x2000

/*
 * The header of a Txq request and of an Rxq buffer, then the payload:
 * le16 msg_type, le16 length, u8 reserved_classic_dlc, u8 padding,
 * le16 reserved_xl_priority, le32 flags, le32 can_id.
 */
typedef struct QEMU_PACKED VirtIOCANHeader {
    uint16_t msg_type;
    uint16_t length;
    uint8_t classic_dlc;
    uint8_t padding;
    uint16_t xl_priority;
    uint32_t flags;
    uint32_t can_id;
} VirtIOCANHeader;

/* The request on the wire now, with the guest's buffer when it waits */
typedef struct VirtIOCANTxReq VirtIOCANTxReq;

struct VirtIOCAN {
    VirtIODevice parent_obj;

    /* properties */
    CanBusState *bus;
    uint64_t host_features;

    VirtQueue *txq;
    VirtQueue *rxq;
    VirtQueue *ctrlq;
    CanBusClientState bus_client;

    /* controller state: STARTED or STOPPED, config status */
    bool started;
    uint16_t status;
    /* ISO 11898-1 fault confinement counters */
    uint16_t tec;
    uint8_t rec;
    /* a frame is with the bus; tx_req holds its buffer under LATE_TX_ACK */
    bool tx_busy;
    VirtIOCANTxReq *tx_req;
    /* set while the Txq is being processed, against re-entry from tx_done */
    bool tx_pumping;

    /* counters, read-only QOM properties */
    uint64_t tx_rejected;
    uint64_t tx_cancelled;
    uint64_t rx_dropped;
    uint64_t rx_refused;
    uint64_t ctrl_rejected;
    uint64_t bus_off_count;
};

#endif
