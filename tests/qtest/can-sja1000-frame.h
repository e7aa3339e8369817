/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one frame codec of the CAN qtests: a classic CAN frame (CanMsg) to
 * and from the bytes a driver writes to an SJA1000's transmit buffer and
 * reads from its receive buffer, and to and from a chip through its
 * registers.  Written from the SJA1000 product specification: PeliCAN
 * frame information and identifier layout, datasheet 6.4.13 (transmit,
 * Tables 35..38) and 6.4.14 (receive, Tables 39..40); BasicCAN descriptor,
 * 6.3.7 and 6.3.8.
 *
 * The model decodes what the guest wrote with code of its own; the tests
 * compare what it stored with bytes they spell out, or with this codec.
 */

#ifndef CAN_SJA1000_FRAME_H
#define CAN_SJA1000_FRAME_H

#include "can-sja1000-qtest.h"

/* A classic CAN frame as the tests send and expect it */
typedef struct CanMsg {
    uint32_t id;            /* 11 or 29 bits */
    bool ext;               /* 29-bit identifier */
    bool rtr;               /* remote frame */
    uint8_t dlc;            /* 0..15; 9..15 mean 8 bytes */
    uint8_t data[8];
} CanMsg;

/* Frame information, 4 identifier bytes, 8 data bytes */
#define SJA_FRAME_MAX       13
/* The RTR bit in the last identifier byte (datasheet Tables 36..40) */
#define SJA_ID_RTR_STD      0x10
#define SJA_ID_RTR_EXT      0x04

/*
 * A frame no test sends otherwise.  A check that nothing arrived sends it
 * after the frame that must not arrive and requires it to come first: an
 * empty FIFO alone would also pass were that frame merely late.
 */
static const CanMsg can_sentinel = {
    .id = 0x7e5, .dlc = 2, .data = { 0x5e, 0x47 },
};

/* How many data bytes @m carries: none in a remote frame */
static inline unsigned can_msg_data_len(const CanMsg *m)
{
    return m->rtr ? 0 : MIN(m->dlc, 8);
}

static inline bool can_msg_equal(const CanMsg *a, const CanMsg *b)
{
    return a->id == b->id && a->ext == b->ext && a->rtr == b->rtr &&
           a->dlc == b->dlc &&
           !memcmp(a->data, b->data, can_msg_data_len(a));
}

/*
 * @m in the PeliCAN layout, as the chip stores a received frame (the RTR
 * bit also in the identifier bytes, where the transmit buffer ignores it);
 * returns the length, as RBSA advances by it.
 */
static inline unsigned sja_frame_encode(const CanMsg *m,
                                        uint8_t buf[SJA_FRAME_MAX])
{
    unsigned n = 0, i;

    buf[n++] = (m->ext ? R_FRAME_FF_MASK : 0) |
               (m->rtr ? R_FRAME_RTR_MASK : 0) | (m->dlc & R_FRAME_DLC_MASK);
    if (m->ext) {
        buf[n++] = m->id >> 21;
        buf[n++] = m->id >> 13;
        buf[n++] = m->id >> 5;
        buf[n++] = (m->id << 3) | (m->rtr ? SJA_ID_RTR_EXT : 0);
    } else {
        buf[n++] = m->id >> 3;
        buf[n++] = (m->id << 5) | (m->rtr ? SJA_ID_RTR_STD : 0);
    }
    for (i = 0; i < can_msg_data_len(m); i++) {
        buf[n++] = m->data[i];
    }
    return n;
}

/* The frame at @buf in the PeliCAN layout; returns its length */
static inline unsigned sja_frame_decode(const uint8_t *buf, CanMsg *m)
{
    unsigned n, i;

    memset(m, 0, sizeof(*m));
    m->ext = buf[0] & R_FRAME_FF_MASK;
    m->rtr = buf[0] & R_FRAME_RTR_MASK;
    m->dlc = buf[0] & R_FRAME_DLC_MASK;
    if (m->ext) {
        m->id = (buf[1] << 21) | (buf[2] << 13) | (buf[3] << 5) |
                (buf[4] >> 3);
        n = 5;
    } else {
        m->id = (buf[1] << 3) | (buf[2] >> 5);
        n = 3;
    }
    for (i = 0; i < can_msg_data_len(m); i++) {
        m->data[i] = buf[n++];
    }
    return n;
}

/* The BasicCAN layout of standard frame @m; returns its length */
static inline unsigned sja_basic_frame_encode(const CanMsg *m,
                                              uint8_t buf[10])
{
    unsigned n = 0, i;

    buf[n++] = m->id >> 3;
    buf[n++] = (m->id << 5) | (m->rtr ? SJA_ID_RTR_STD : 0) |
               (m->dlc & R_FRAME_DLC_MASK);
    for (i = 0; i < can_msg_data_len(m); i++) {
        buf[n++] = m->data[i];
    }
    return n;
}

/* Write @m into the PeliCAN transmit buffer of @c */
static inline void sja_load_tx(const SJAChan *c, const CanMsg *m)
{
    uint8_t buf[SJA_FRAME_MAX];
    unsigned n = sja_frame_encode(m, buf), i;

    for (i = 0; i < n; i++) {
        sja_wr(c, A_FRAME + i, buf[i]);
    }
}

/* The frame in the PeliCAN receive window of @c (not released) */
static inline void sja_read_rx(const SJAChan *c, CanMsg *m)
{
    uint8_t fi = sja_rd(c, A_FRAME);
    uint8_t buf[SJA_FRAME_MAX] = { fi };
    unsigned n = (fi & R_FRAME_FF_MASK ? 5 : 3) +
                 (fi & R_FRAME_RTR_MASK ? 0 : MIN(fi & R_FRAME_DLC_MASK, 8));
    unsigned i;

    for (i = 1; i < n; i++) {
        buf[i] = sja_rd(c, A_FRAME + i);
    }
    sja_frame_decode(buf, m);
}

/* Registers @base.. of @c read @bytes */
static inline void sja_assert_bytes(const SJAChan *c, uint8_t base,
                                    const uint8_t *bytes, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++) {
        g_assert_cmphex(sja_rd(c, base + i), ==, bytes[i]);
    }
}

/*
 * The bytes from register @base of @c are @m in the PeliCAN layout: a
 * window, or the frame's place in the internal RAM
 */
static inline void sja_assert_frame_at(const SJAChan *c, uint8_t base,
                                       const CanMsg *m)
{
    uint8_t buf[SJA_FRAME_MAX];

    sja_assert_bytes(c, base, buf, sja_frame_encode(m, buf));
}

/* The next frame @c holds is @m: check it and release it */
static inline void sja_assert_next_rx(const SJAChan *c, const CanMsg *m)
{
    g_assert_cmphex(sja_rd(c, A_SR) & R_SR_RBS_MASK, ==, R_SR_RBS_MASK);
    sja_assert_frame_at(c, A_FRAME, m);
    sja_wr(c, A_CMR, R_CMR_RRB_MASK);
}

#endif
