/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a bus event is as a SocketCAN error frame: QEMU_CAN_ERR_FLAG with
 * the error classes in the identifier and their details in the 8 data
 * bytes, laid out as Linux's linux/can/error.h defines them, so that
 * captures show bus errors the way Wireshark and can-utils know them.
 * Free of QOM, for the observers and tools outside QEMU.
 */

#ifndef NET_CAN_ERROR_FRAME_H
#define NET_CAN_ERROR_FRAME_H

#include "net/can_emu.h"

/* Error classes, in the identifier of an error frame */
#define QEMU_CAN_ERR_LOSTARB     0x00000002U /* data[0]: the bit */
#define QEMU_CAN_ERR_CRTL        0x00000004U /* data[1]: controller state */
#define QEMU_CAN_ERR_PROT        0x00000008U /* data[2..3]: type, where */
#define QEMU_CAN_ERR_ACK         0x00000020U /* no acknowledgement */
#define QEMU_CAN_ERR_BUSOFF      0x00000040U
#define QEMU_CAN_ERR_BUSERROR    0x00000080U
#define QEMU_CAN_ERR_CNT         0x00000200U /* data[6] TEC, data[7] REC */

/* data[1], controller state */
#define QEMU_CAN_ERR_CRTL_RX_WARNING 0x04
#define QEMU_CAN_ERR_CRTL_TX_WARNING 0x08
#define QEMU_CAN_ERR_CRTL_RX_PASSIVE 0x10
#define QEMU_CAN_ERR_CRTL_TX_PASSIVE 0x20
#define QEMU_CAN_ERR_CRTL_ACTIVE     0x40

/* data[2], protocol violation type */
#define QEMU_CAN_ERR_PROT_BIT    0x01
#define QEMU_CAN_ERR_PROT_STUFF  0x04
#define QEMU_CAN_ERR_PROT_TX     0x80 /* detected while transmitting */

/* data[3], where in the frame (the SJA1000's ECC segment codes) */
#define QEMU_CAN_ERR_PROT_LOC_UNSPEC  0x00
#define QEMU_CAN_ERR_PROT_LOC_ID28_21 0x02 /* standard frames: ID 10..3 */
#define QEMU_CAN_ERR_PROT_LOC_ACK     0x19 /* ACK slot */

#define QEMU_CAN_ERR_DLC 8

/*
 * Fill @frame with the error frame that tells of @event; false, @frame
 * untouched, for an event that is a frame on the wire.
 */
bool can_error_frame_of_event(const CanBusEvent *event,
                              qemu_can_frame *frame);

#endif
