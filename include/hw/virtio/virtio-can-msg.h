/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The messages of the VIRTIO 1.4 CAN device (device ID 36, "CAN Device"):
 * the layout and values the specification gives, and the rules it sets
 * for what a Txq request may carry and what the Rxq may deliver.  Shared
 * by the in-QEMU device (virtio-can) and the vhost-user daemon
 * (contrib/vhost-device-can), so that both answer a guest alike.
 */

#ifndef HW_VIRTIO_CAN_MSG_H
#define HW_VIRTIO_CAN_MSG_H

#include "net/can_emu.h"

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

/*
 * Whether the feature set @features meets the specification's feature bit
 * requirements (classic or FD, RTR only with classic).
 */
bool virtio_can_features_valid(uint64_t features);

/*
 * Why a Txq request of @size bytes (header included) that starts with
 * @hdr must be answered NOT_OK under the negotiated @features, or NULL
 * when it is a frame to send.
 */
const char *virtio_can_tx_refusal(const VirtIOCANHeader *hdr, size_t size,
                                  uint64_t features);

/* The frame of a request virtio_can_tx_refusal() accepted, data zeroed */
void virtio_can_tx_frame(const VirtIOCANHeader *hdr, qemu_can_frame *frame);

/* Whether the negotiated @features let the guest receive @frame */
bool virtio_can_rx_negotiated(const qemu_can_frame *frame, uint64_t features);

/*
 * The Rxq header for @frame; the buffer needs the header and
 * virtio_can_rx_payload(@frame) bytes after it.
 */
void virtio_can_rx_header(const qemu_can_frame *frame, VirtIOCANHeader *hdr);
size_t virtio_can_rx_payload(const qemu_can_frame *frame);

#endif
