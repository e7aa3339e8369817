/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * NXP SJA1000: how frames are laid out in its buffers and FIFO, and its
 * acceptance filters.  Pure functions of the register contents.
 */

#ifndef HW_NET_CAN_SJA1000_FRAME_H
#define HW_NET_CAN_SJA1000_FRAME_H

#include "net/can_emu.h"

/* Bytes a stored frame occupies, from its first two bytes */
unsigned sja1000_stored_len(bool pelican, uint8_t b0, uint8_t b1);

/*
 * Lay @frame out as the chip stores it (frame information or descriptor,
 * identifier, data) in @buf, SJA1000_TX_BUF_SIZE bytes; returns the length.
 */
unsigned sja1000_encode(bool pelican, const qemu_can_frame *frame,
                        uint8_t *buf);

/* The frame a TX buffer laid out that way describes */
void sja1000_decode(bool pelican, const uint8_t *buf, qemu_can_frame *frame);

/*
 * Whether the acceptance filter set by ACR0..3 and AMR0..3 (BasicCAN: ACR
 * and AMR in acr[0], amr[0]) passes @frame; @single is MOD.AFM.
 */
bool sja1000_accept(bool pelican, bool single, const uint8_t *acr,
                    const uint8_t *amr, const qemu_can_frame *frame);

#endif
