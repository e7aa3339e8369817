/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * CAN frame helpers shared by controllers, host backends and the bus.
 */

#include "qemu/osdep.h"
#include "can_bus_internal.h"

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

/* ISO 11898-1 field sizes the bit stream below does not build bit by bit */
#define CAN_FD_STUFF_COUNT     4
#define CAN_CRC_DELIMITER_BITS 1
#define CAN_ACK_EOF_BITS       (2 + 7)  /* ACK slot and delimiter, EOF */
#define CAN_INTERFRAME_BITS    3

/* Appends bits to a frame's dynamically stuffed region, counting stuff bits */
typedef struct CanBitStream {
    uint16_t crc;           /* CRC-15 of the bits so far (classic frames) */
    unsigned bits;          /* bits on the wire, stuff bits included */
    unsigned run;           /* length of the current run of equal bits */
    int last;               /* value of that run, -1 before the first bit */
} CanBitStream;

#define CAN_CRC15_POLY 0x4599

/* Five equal bits call for a stuff bit of the opposite value */
static bool can_stream_stuff_due(const CanBitStream *st)
{
    return st->run == 5;
}

static void can_stream_bit(CanBitStream *st, int bit)
{
    /*
     * The stuff bit goes out just before the next bit, so that it falls in
     * the same bitrate phase as that bit, and one due at the end of an FD
     * frame's data field can give way to the first fixed stuff bit.
     */
    if (can_stream_stuff_due(st)) {
        st->bits++;
        st->last = !st->last;
        st->run = 1;
    }
    st->bits++;
    if (bit == st->last) {
        st->run++;
    } else {
        st->last = bit;
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

/* Identifier bits as both formats send them; @rtr is RTR, or RRS for FD */
static void can_stream_identifier(CanBitStream *st, qemu_canid_t can_id,
                                  bool rtr)
{
    uint32_t id;

    can_stream_data(st, 0, 1);                          /* SOF */
    if (can_id & QEMU_CAN_EFF_FLAG) {
        id = can_id & QEMU_CAN_EFF_MASK;
        can_stream_data(st, id >> 18, 11);
        can_stream_data(st, 3, 2);                      /* SRR, IDE */
        can_stream_data(st, id & 0x3ffff, 18);
        can_stream_data(st, rtr, 1);
    } else {
        id = can_id & QEMU_CAN_SFF_MASK;
        can_stream_data(st, id, 11);
        can_stream_data(st, rtr, 1);
        can_stream_data(st, 0, 1);                      /* IDE */
    }
}

static void can_stream_payload(CanBitStream *st, const qemu_can_frame *frame,
                               unsigned n)
{
    unsigned i;

    for (i = 0; i < n; i++) {
        can_stream_data(st, frame->data[i], 8);
    }
}

static CanWireBits can_classic_wire_bits(const qemu_can_frame *frame)
{
    CanBitStream st = { .last = -1 };
    bool rtr = frame->can_id & QEMU_CAN_RTR_FLAG;
    /*
     * DLC 9..15 mean 8 bytes; a sender keeps them in @len8_dlc, or (CTU
     * CAN FD) gives a classic frame the FD length of its DLC.
     */
    uint8_t dlc = frame->len8_dlc ?: can_len2dlc(frame->can_dlc);
    uint16_t crc;
    unsigned i;

    can_stream_identifier(&st, frame->can_id, rtr);
    /* r1 (extended frames only) and r0 */
    can_stream_data(&st, 0, (frame->can_id & QEMU_CAN_EFF_FLAG) ? 2 : 1);
    can_stream_data(&st, dlc, 4);
    can_stream_payload(&st, frame, rtr ? 0 : MIN(frame->can_dlc,
                                                 QEMU_CAN_MAX_DLEN));
    /* the CRC is stuffed too, and not fed back into itself */
    crc = st.crc;
    for (i = 15; i-- > 0;) {
        can_stream_bit(&st, (crc >> i) & 1);
    }
    if (can_stream_stuff_due(&st)) {
        st.bits++;          /* one due after the last CRC bit is sent too */
    }
    return (CanWireBits) {
        .nominal = st.bits + CAN_CRC_DELIMITER_BITS + CAN_ACK_EOF_BITS +
                   CAN_INTERFRAME_BITS,
    };
}

/*
 * ISO 11898-1:2015 CAN FD: dynamic stuffing ends with the data field; the
 * CRC field (stuff count, CRC-17 or CRC-21) has a fixed stuff bit before
 * it and after every fourth of its bits, whatever their values, so its
 * length does not depend on the CRC.  With BRS, the bitrate switches to
 * the data bitrate at BRS's sample point and back at the CRC delimiter's,
 * so those two bits together last one nominal and one data bit time
 * whatever the sample points: BRS counts as nominal, the CRC delimiter as
 * a data bit, and the bits between them at the data bitrate.
 */
static CanWireBits can_fd_wire_bits(const qemu_can_frame *frame)
{
    CanBitStream st = { .last = -1 };
    bool brs = frame->flags & QEMU_CAN_FRMF_BRS;
    bool esi = frame->flags & QEMU_CAN_FRMF_ESI;
    uint8_t dlc = can_len2dlc(frame->can_dlc);
    unsigned n = can_dlc2len(dlc);
    unsigned nominal, data, crc_field;

    /* no remote frames in FD: RRS is always dominant */
    can_stream_identifier(&st, frame->can_id, false);
    can_stream_data(&st, 2, 2);                         /* FDF, res */
    can_stream_data(&st, brs, 1);
    nominal = st.bits;
    can_stream_data(&st, esi, 1);
    can_stream_data(&st, dlc, 4);
    /*
     * Senders give FD lengths; one with no DLC of its own would go out
     * padded to the next, with what the frame holds beyond it.
     */
    can_stream_payload(&st, frame, n);
    /* a dynamic stuff bit due now gives way to the first fixed one */
    crc_field = CAN_FD_STUFF_COUNT + (n > 16 ? 21 : 17);
    data = st.bits - nominal + crc_field + DIV_ROUND_UP(crc_field, 4) +
           CAN_CRC_DELIMITER_BITS;
    nominal += CAN_ACK_EOF_BITS + CAN_INTERFRAME_BITS;
    if (!brs) {
        return (CanWireBits) { .nominal = nominal + data };
    }
    return (CanWireBits) { .nominal = nominal, .data = data };
}

CanWireBits can_frame_wire_bits(const qemu_can_frame *frame)
{
    if (frame->flags & QEMU_CAN_FRMF_TYPE_FD) {
        return can_fd_wire_bits(frame);
    }
    return can_classic_wire_bits(frame);
}
