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
