/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Bus events as SocketCAN error frames (see can_error_frame.h).
 */

#include "qemu/osdep.h"
#include "net/can_error_frame.h"

/* data[1] for a controller in @state; transmit side if TEC is the higher */
static uint8_t can_error_frame_ctrl(CanBusErrorState state, bool tx)
{
    switch (state) {
    case CAN_BUS_STATE_ERROR_WARNING:
        return tx ? QEMU_CAN_ERR_CRTL_TX_WARNING
                  : QEMU_CAN_ERR_CRTL_RX_WARNING;
    case CAN_BUS_STATE_ERROR_PASSIVE:
        return tx ? QEMU_CAN_ERR_CRTL_TX_PASSIVE
                  : QEMU_CAN_ERR_CRTL_RX_PASSIVE;
    case CAN_BUS_STATE_ERROR_ACTIVE:
        return QEMU_CAN_ERR_CRTL_ACTIVE;
    default:
        return 0;
    }
}

bool can_error_frame_of_event(const CanBusEvent *event,
                              qemu_can_frame *frame)
{
    qemu_can_frame f = {
        .can_id = QEMU_CAN_ERR_FLAG,
        .can_dlc = QEMU_CAN_ERR_DLC,
    };

    switch (event->type) {
    case CAN_BUS_EVENT_FRAME:
        return false;
    case CAN_BUS_EVENT_ACK_ERROR:
        /* the transmitter sees a recessive ACK slot */
        f.can_id |= QEMU_CAN_ERR_ACK | QEMU_CAN_ERR_PROT |
                    QEMU_CAN_ERR_BUSERROR;
        f.data[2] = QEMU_CAN_ERR_PROT_TX;
        f.data[3] = QEMU_CAN_ERR_PROT_LOC_ACK;
        break;
    case CAN_BUS_EVENT_ERROR_FLAG:
        f.can_id |= QEMU_CAN_ERR_PROT | QEMU_CAN_ERR_BUSERROR;
        /* a bit error is the transmitter's finding, stuffing a receiver's */
        f.data[2] = event->error.kind == CAN_BUS_ERROR_BIT ?
                    QEMU_CAN_ERR_PROT_BIT | QEMU_CAN_ERR_PROT_TX :
                    QEMU_CAN_ERR_PROT_STUFF;
        f.data[3] = event->error.field == CAN_BUS_FIELD_IDENTIFIER ?
                    QEMU_CAN_ERR_PROT_LOC_ID28_21 :
                    QEMU_CAN_ERR_PROT_LOC_UNSPEC;
        break;
    case CAN_BUS_EVENT_ARBITRATION_LOST:
        f.can_id |= QEMU_CAN_ERR_LOSTARB;
        f.data[0] = event->arbitration.bit;
        break;
    case CAN_BUS_EVENT_STATE:
        f.can_id |= QEMU_CAN_ERR_CNT;
        if (event->state.state == CAN_BUS_STATE_BUS_OFF) {
            f.can_id |= QEMU_CAN_ERR_BUSOFF;
        } else {
            f.can_id |= QEMU_CAN_ERR_CRTL;
            f.data[1] = can_error_frame_ctrl(event->state.state,
                                             event->state.tec >=
                                             event->state.rec);
        }
        f.data[6] = MIN(event->state.tec, UINT8_MAX);
        f.data[7] = MIN(event->state.rec, UINT8_MAX);
        break;
    default:
        return false;
    }
    *frame = f;
    return true;
}
