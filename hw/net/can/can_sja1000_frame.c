/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * NXP SJA1000: frame layouts and acceptance filters, from the datasheet's
 * descriptions of the TX buffer, the receive buffer and the acceptance
 * filter (single and dual filter configurations).
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "hw/net/can_sja1000_regs.h"
#include "can_sja1000_frame.h"

/* Bytes a stored frame occupies, from its first byte(s) */
unsigned sja1000_stored_len(bool pelican, uint8_t b0, uint8_t b1)
{
    unsigned dlc, n;

    if (pelican) {
        dlc = FIELD_EX8(b0, FRAME, DLC);
        n = FIELD_EX8(b0, FRAME, RTR) ? 0 : MIN(dlc, 8);
        return (FIELD_EX8(b0, FRAME, FF) ? SJA1000_EFF_HEADER
                                         : SJA1000_SFF_HEADER) + n;
    }
    dlc = FIELD_EX8(b1, BASIC_DESC2, DLC);
    n = FIELD_EX8(b1, BASIC_DESC2, RTR) ? 0 : MIN(dlc, 8);
    return SJA1000_BASIC_HEADER + n;
}

unsigned sja1000_encode(bool pelican, const qemu_can_frame *frame,
                        uint8_t *buf)
{
    bool rtr = frame->can_id & QEMU_CAN_RTR_FLAG;
    uint8_t dlc = frame->len8_dlc ?: MIN(frame->can_dlc, 15);
    unsigned n = rtr ? 0 : MIN(frame->can_dlc, 8);
    unsigned hdr;
    uint32_t id;

    if (!pelican) {
        id = frame->can_id & QEMU_CAN_SFF_MASK;
        buf[0] = id >> 3;
        buf[1] = FIELD_DP8(0, BASIC_DESC2, ID, id);
        buf[1] = FIELD_DP8(buf[1], BASIC_DESC2, RTR, rtr);
        buf[1] = FIELD_DP8(buf[1], BASIC_DESC2, DLC, dlc);
        hdr = SJA1000_BASIC_HEADER;
    } else if (frame->can_id & QEMU_CAN_EFF_FLAG) {
        id = frame->can_id & QEMU_CAN_EFF_MASK;
        buf[0] = FIELD_DP8(R_FRAME_FF_MASK, FRAME, RTR, rtr);
        buf[0] = FIELD_DP8(buf[0], FRAME, DLC, dlc);
        buf[1] = id >> 21;
        buf[2] = id >> 13;
        buf[3] = id >> 5;
        buf[4] = FIELD_DP8(0, EFF_ID4, ID, id);
        buf[4] = FIELD_DP8(buf[4], EFF_ID4, RTR, rtr);
        hdr = SJA1000_EFF_HEADER;
    } else {
        id = frame->can_id & QEMU_CAN_SFF_MASK;
        buf[0] = FIELD_DP8(0, FRAME, RTR, rtr);
        buf[0] = FIELD_DP8(buf[0], FRAME, DLC, dlc);
        buf[1] = id >> 3;
        buf[2] = FIELD_DP8(0, SFF_ID2, ID, id);
        buf[2] = FIELD_DP8(buf[2], SFF_ID2, RTR, rtr);
        hdr = SJA1000_SFF_HEADER;
    }
    memcpy(buf + hdr, frame->data, n);
    return hdr + n;
}

void sja1000_decode(bool pelican, const uint8_t *b, qemu_can_frame *frame)
{
    uint8_t dlc;
    bool rtr;
    unsigned hdr;

    memset(frame, 0, sizeof(*frame));
    if (!pelican) {
        frame->can_id = (b[0] << 3) | FIELD_EX8(b[1], BASIC_DESC2, ID);
        rtr = FIELD_EX8(b[1], BASIC_DESC2, RTR);
        dlc = FIELD_EX8(b[1], BASIC_DESC2, DLC);
        hdr = SJA1000_BASIC_HEADER;
    } else if (FIELD_EX8(b[0], FRAME, FF)) {
        frame->can_id = QEMU_CAN_EFF_FLAG | (b[1] << 21) | (b[2] << 13) |
                        (b[3] << 5) | FIELD_EX8(b[4], EFF_ID4, ID);
        rtr = FIELD_EX8(b[0], FRAME, RTR);
        dlc = FIELD_EX8(b[0], FRAME, DLC);
        hdr = SJA1000_EFF_HEADER;
    } else {
        frame->can_id = (b[1] << 3) | FIELD_EX8(b[2], SFF_ID2, ID);
        rtr = FIELD_EX8(b[0], FRAME, RTR);
        dlc = FIELD_EX8(b[0], FRAME, DLC);
        hdr = SJA1000_SFF_HEADER;
    }
    frame->can_dlc = MIN(dlc, 8);
    frame->len8_dlc = dlc > 8 ? dlc : 0;
    if (rtr) {
        frame->can_id |= QEMU_CAN_RTR_FLAG;
    } else {
        memcpy(frame->data, b + hdr, frame->can_dlc);
    }
}

/*
 * Acceptance filtering.  A filter compares the frame's bits, as the
 * datasheet lines them up against ACR/AMR read as one big-endian word,
 * where AMR bits are 0; bits a frame does not carry (data bytes of a short
 * or remote frame) are not compared.
 */
static bool sja_filter_word(uint32_t bits, uint32_t code, uint32_t mask,
                            uint32_t compared)
{
    return ((bits ^ code) & ~mask & compared) == 0;
}

static bool sja1000_accept_pelican(bool single, const uint8_t *acr_regs,
                                   const uint8_t *amr_regs,
                                   const qemu_can_frame *f)
{
    uint32_t acr = ldl_be_p(acr_regs), amr = ldl_be_p(amr_regs);
    bool rtr = f->can_id & QEMU_CAN_RTR_FLAG;
    unsigned n = rtr ? 0 : MIN(f->can_dlc, 8);
    uint32_t id, bits, compared;

    if (f->can_id & QEMU_CAN_EFF_FLAG) {
        id = f->can_id & QEMU_CAN_EFF_MASK;
        if (single) {
            /* identifier 28..0 and RTR in ACR0..ACR3 bit 2 */
            bits = (id << 3) | (rtr << 2);
            return sja_filter_word(bits, acr, amr, 0xfffffffc);
        }
        /* two filters on identifier bits 28..13 */
        bits = (id >> 13) << 16;
        return sja_filter_word(bits, acr, amr, 0xffff0000) ||
               sja_filter_word(bits, acr << 16, amr << 16, 0xffff0000);
    }

    id = f->can_id & QEMU_CAN_SFF_MASK;
    if (single) {
        /* identifier, RTR, then data bytes 1 and 2 in ACR2, ACR3 */
        bits = (id << 21) | (rtr << 20) | (f->data[0] << 8) | f->data[1];
        compared = 0xfff00000 | (n > 0 ? 0xff00 : 0) | (n > 1 ? 0xff : 0);
        return sja_filter_word(bits & compared, acr, amr, compared);
    }
    /* filter 1: ACR0, ACR1 and the low nibble of ACR3 (data byte 1) */
    bits = (id << 21) | (rtr << 20) | (f->data[0] << 12);
    compared = 0xfff00000 | (n > 0 ? 0x000ff000 : 0);
    if (sja_filter_word(bits & compared,
                        (acr & 0xffff0000) | ((acr & 0x0f) << 12),
                        (amr & 0xffff0000) | ((amr & 0x0f) << 12),
                        compared)) {
        return true;
    }
    /* filter 2: ACR2 and the high nibble of ACR3 */
    bits = (id << 21) | (rtr << 20);
    return sja_filter_word(bits, acr << 16, amr << 16, 0xfff00000);
}

bool sja1000_accept(bool pelican, bool single, const uint8_t *acr,
                    const uint8_t *amr, const qemu_can_frame *frame)
{
    uint8_t id_high;

    if (pelican) {
        return sja1000_accept_pelican(single, acr, amr, frame);
    }
    /* BasicCAN: ACR/AMR test identifier bits 10..3 */
    id_high = (frame->can_id & QEMU_CAN_SFF_MASK) >> 3;
    return ((id_high ^ acr[0]) & ~amr[0]) == 0;
}
