/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * CAN frame helpers shared by controllers, host backends and the bus.
 */

#include "qemu/osdep.h"
#include "net/can_emu.h"

/* ISO 11898-1:2015 table 5: DLC 9..15 select the CAN FD payload sizes */
static const uint8_t fd_dlc_len[16] = {
    0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20, 24, 32, 48, 64
};

uint8_t can_dlc2len(uint8_t can_dlc)
{
    return fd_dlc_len[can_dlc & 0x0f];
}

uint8_t can_len2dlc(uint8_t len)
{
    uint8_t dlc = 0;

    /* the smallest DLC whose payload holds @len bytes */
    while (dlc < 15 && fd_dlc_len[dlc] < len) {
        dlc++;
    }
    return dlc;
}

/*
 * Field sizes from ISO 11898-1.  Classic data frame: SOF, identifier, RTR,
 * IDE, r0, DLC (19 bits standard; extended adds SRR, 18 identifier bits and
 * r1 for 39), then payload, CRC 15, CRC delimiter, ACK slot and delimiter,
 * EOF 7.  FD frames add FDF, res, BRS, ESI, the stuff count and a longer CRC
 * (17 bits up to 16 bytes of payload, 21 beyond).  Stuff bits depend on the
 * bit pattern and are not counted here.
 */
#define CAN_STD_HEADER_BITS   19
#define CAN_EXT_HEADER_BITS   39
#define CAN_FD_EXTRA_BITS     4
#define CAN_FD_STUFF_COUNT    4
#define CAN_TRAILER_BITS      (15 + 1 + 2 + 7)
#define CAN_INTERFRAME_BITS   3

unsigned can_frame_bits(const qemu_can_frame *frame)
{
    bool fd = frame->flags & QEMU_CAN_FRMF_TYPE_FD;
    bool rtr = !fd && (frame->can_id & QEMU_CAN_RTR_FLAG);
    unsigned bits;

    bits = (frame->can_id & QEMU_CAN_EFF_FLAG) ? CAN_EXT_HEADER_BITS
                                               : CAN_STD_HEADER_BITS;
    bits += rtr ? 0 : 8 * frame->can_dlc;
    bits += CAN_TRAILER_BITS + CAN_INTERFRAME_BITS;
    if (fd) {
        bits += CAN_FD_EXTRA_BITS + CAN_FD_STUFF_COUNT;
        bits += frame->can_dlc > 16 ? 6 : 2;
    }
    return bits;
}

/* Appends bits to a classic frame's stuffed region, counting stuff bits */
typedef struct CanBitStream {
    uint16_t crc;           /* CRC-15 of the bits so far */
    unsigned bits;          /* bits on the wire, stuff bits included */
    unsigned run;           /* length of the current run of equal bits */
    int last;               /* value of that run, -1 before the first bit */
} CanBitStream;

#define CAN_CRC15_POLY 0x4599

static void can_stream_bit(CanBitStream *st, int bit)
{
    st->bits++;
    if (bit == st->last) {
        st->run++;
    } else {
        st->last = bit;
        st->run = 1;
    }
    /* five equal bits are followed by one of the opposite value */
    if (st->run == 5) {
        st->bits++;
        st->last = !bit;
        st->run = 1;
    }
}

static void can_stream_data(CanBitStream *st, uint32_t value, unsigned nbits)
{
    while (nbits--) {
        int bit = (value >> nbits) & 1;
        bool feedback = bit ^ ((st->crc >> 14) & 1);

        st->crc = (st->crc << 1) & 0x7fff;
        if (feedback) {
            st->crc ^= CAN_CRC15_POLY;
        }
        can_stream_bit(st, bit);
    }
}

unsigned can_frame_wire_bits(const qemu_can_frame *frame)
{
    CanBitStream st = { .last = -1 };
    bool rtr = frame->can_id & QEMU_CAN_RTR_FLAG;
    uint8_t dlc = frame->len8_dlc ?: frame->can_dlc;
    unsigned n = rtr ? 0 : MIN(frame->can_dlc, QEMU_CAN_MAX_DLEN);
    uint32_t id;
    unsigned i, crc_bits;

    if (frame->flags & QEMU_CAN_FRMF_TYPE_FD) {
        /* FD stuffing differs (fixed stuff bits in the CRC); not counted */
        return can_frame_bits(frame);
    }
    can_stream_data(&st, 0, 1);                         /* SOF */
    if (frame->can_id & QEMU_CAN_EFF_FLAG) {
        id = frame->can_id & QEMU_CAN_EFF_MASK;
        can_stream_data(&st, id >> 18, 11);
        can_stream_data(&st, 3, 2);                     /* SRR, IDE */
        can_stream_data(&st, id & 0x3ffff, 18);
        can_stream_data(&st, rtr, 1);
        can_stream_data(&st, 0, 2);                     /* r1, r0 */
    } else {
        id = frame->can_id & QEMU_CAN_SFF_MASK;
        can_stream_data(&st, id, 11);
        can_stream_data(&st, rtr, 1);
        can_stream_data(&st, 0, 2);                     /* IDE, r0 */
    }
    can_stream_data(&st, dlc, 4);
    for (i = 0; i < n; i++) {
        can_stream_data(&st, frame->data[i], 8);
    }
    /* the CRC is stuffed too, and not fed back into itself */
    crc_bits = st.crc;
    for (i = 15; i-- > 0;) {
        can_stream_bit(&st, (crc_bits >> i) & 1);
    }
    return st.bits + 1 + 2 + 7 + CAN_INTERFRAME_BITS;
}
