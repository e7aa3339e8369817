/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio-can: a CAN controller on a can-bus, as the VIRTIO 1.4 CAN device
 * (device ID 36); its messages are in virtio-can-msg.h.
 */

#ifndef HW_VIRTIO_CAN_H
#define HW_VIRTIO_CAN_H

#include "hw/virtio/virtio.h"
#include "hw/virtio/virtio-can-msg.h"

#define TYPE_VIRTIO_CAN "virtio-can-device"
OBJECT_DECLARE_SIMPLE_TYPE(VirtIOCAN, VIRTIO_CAN)

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
    /* a kick before tx_batch_at waits for it on tx_batch_timer */
    QEMUTimer *tx_batch_timer;
    int64_t tx_batch_at;

    /* counters, read-only QOM properties */
    uint64_t tx_rejected;
    uint64_t tx_cancelled;
    uint64_t rx_dropped;
    uint64_t rx_refused;
    uint64_t ctrl_rejected;
    uint64_t bus_off_count;
};

#endif
