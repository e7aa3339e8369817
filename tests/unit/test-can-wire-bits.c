/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * can_frame_wire_bits(): the bits a CAN frame takes on the wire, against
 * counts derived here from ISO 11898-1:2015, frame by frame.
 *
 * Classic frame (clause 10.4): SOF, arbitration field (11-bit identifier
 * and RTR; or 11 bits, SRR, IDE, 18 bits, RTR), control field (IDE and
 * r0; or r1 and r0; then the 4-bit DLC), data field, CRC-15 (over SOF to
 * the end of the data, generator 0x4599, register cleared at SOF).  Bit
 * stuffing (10.5) covers SOF to the end of the CRC sequence: after five
 * equal bits a bit of the other value follows, and counts in the next
 * run.  Then unstuffed: CRC delimiter 1, ACK slot and delimiter 2, EOF 7,
 * and the interframe space of 3 bits, which the counts here include.
 *
 * CAN FD frame: SOF, arbitration (RRS in place of RTR), IDE, FDF, res,
 * BRS, ESI, DLC, data, dynamically stuffed as above; then the CRC field
 * of fixed length: stuff count (4 bits) and CRC-17 (up to 16 data bytes)
 * or CRC-21, with a fixed stuff bit before it and after every fourth of
 * its bits, whatever their values; a dynamic stuff bit due at the end of
 * the data gives way to the first fixed one.  With BRS the data phase
 * runs from the bit after BRS to the CRC delimiter, both counted there.
 *
 * In the bit strings below, [b] is a stuff bit; "bit n" of a field or
 * byte counts from its most significant bit, 0.
 */

#include "qemu/osdep.h"
#include "net/can/can_bus_internal.h"

static void assert_bits(const qemu_can_frame *f, unsigned nominal,
                        unsigned data)
{
    CanWireBits bits = can_frame_wire_bits(f);

    g_assert_cmpuint(bits.nominal, ==, nominal);
    g_assert_cmpuint(bits.data, ==, data);
}

/*
 * Identifier 0, no data: SOF, 11 identifier bits, RTR, IDE, r0 and DLC
 * are 19 dominant bits, and so is the CRC of them (0x0000): 34 zeros.
 * A stuff bit after each five: 00000[1]00000[1]...0000 puts 6 stuff bits
 * in (after the 5th, 10th, ... 30th zero; the last 4 make no run of 5).
 * 34 + 6 + 1 + 2 + 7 + 3 = 53.
 */
static void test_classic_all_dominant(void)
{
    qemu_can_frame f = { .can_id = 0 };

    assert_bits(&f, 53, 0);
}

/*
 * Remote frame 0x7ff, DLC 0: SOF 0, identifier 11111111111, RTR 1, IDE
 * r0 00, DLC 0000, CRC 0x54ea (101010011101010).  Stuffed:
 * 011111[0]11111[0]11 00000[1]0 101010011101010: 34 bits, 3 stuff bits.
 * 34 + 3 + 1 + 2 + 7 + 3 = 50.
 */
static void test_classic_remote_all_recessive_identifier(void)
{
    qemu_can_frame f = {
        .can_id = 0x7ff | QEMU_CAN_RTR_FLAG,
    };

    assert_bits(&f, 50, 0);
}

/*
 * Identifier 0x123, 8 bytes 01 02 .. 08: SOF 0, 00100100011, RTR IDE r0
 * 000, DLC 1000, the data: 83 bits, CRC 0x64ef (110010011101111).  The
 * zeros of DLC 1000 and of the data bytes' high bits make runs of five:
 * 1000 00[1]00000[1]1 (DLC, 0x01), then stuff bits before bit 5 of 0x02
 * (1 00000[1]010), bit 4 of 0x03 (0 0000[1]0011), bit 5 of 0x04, bit 3
 * of 0x05 (00 000[1]00101), bit 5 of 0x06 and bit 4 of 0x07; 0x08 after
 * 0x07's 111 has four zeros only, and the CRC no run of five: 8 stuff
 * bits.  83 + 15 + 8 + 1 + 2 + 7 + 3 = 119.
 */
static void test_classic_8_bytes(void)
{
    qemu_can_frame f = {
        .can_id = 0x123, .can_dlc = 8,
        .data = { 1, 2, 3, 4, 5, 6, 7, 8 },
    };

    assert_bits(&f, 119, 0);
}

/*
 * Extended remote frame 0x1fffffff, DLC 8: SOF 0, then identifier 28..18,
 * SRR, IDE, identifier 17..0 and RTR, 32 ones: a stuff bit after each
 * five, 6 in all (each stuff bit starts the next run, so the last of
 * them falls before identifier bit 17, leaving RTR and it a run of 2);
 * r1 r0 00, DLC 1000, CRC 0x1b4a (001101101001010): 00 1 000 00[1]1101...,
 * a 7th stuff bit where the DLC's zeros meet the CRC's.  No data: a
 * remote frame carries none whatever its DLC.  39 + 15 bits, 7 stuff
 * bits: 54 + 7 + 1 + 2 + 7 + 3 = 74.
 */
static void test_extended_remote_dlc_8(void)
{
    qemu_can_frame f = {
        .can_id = 0x1fffffff | QEMU_CAN_EFF_FLAG | QEMU_CAN_RTR_FLAG,
        .can_dlc = 8,
        .data = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
    };

    assert_bits(&f, 74, 0);
}

/*
 * FD, identifier 0, no data, no BRS: SOF, 11 identifier bits, RRS, IDE
 * (14 zeros), FDF 1, res 0, BRS 0, ESI 0, DLC 0000.  Stuffed:
 * 00000[1]00000[1]0000 1 00000[1]00: 22 bits, 3 stuff bits.  CRC field:
 * 4 + 17 bits and 6 fixed stuff bits (before bits 1, 5, 9, 13, 17, 21).
 * 25 + 27 + CRC delimiter 1 + 2 + 7 + 3 = 65, all nominal.
 */
static void test_fd_empty(void)
{
    qemu_can_frame f = { .flags = QEMU_CAN_FRMF_TYPE_FD };

    assert_bits(&f, 65, 0);
}

/*
 * The same with BRS: 00000[1]00000[1]0000 1 0 1 | 0 0000, and the stuff
 * bit due after those five zeros gives way to the first fixed one.
 * Nominal: 14 + 2 stuff + FDF res BRS = 19, and after the CRC delimiter
 * ACK 2, EOF 7, interframe 3: 31.  Data: ESI and DLC 5, CRC field 27,
 * CRC delimiter 1: 33.
 */
static void test_fd_empty_brs(void)
{
    qemu_can_frame f = {
        .flags = QEMU_CAN_FRMF_TYPE_FD | QEMU_CAN_FRMF_BRS,
    };

    assert_bits(&f, 31, 33);
}

/*
 * FD, extended identifier 0x1abcdef, 64 bytes 0xa0 ^ i, BRS.  Nominal
 * phase: SOF 0, identifier 28..18 0000[1]1101010, SRR IDE 11, identifier
 * 17..0 111[0]100110111101111, RRS 0, FDF 1, res 0, BRS 1: 36 bits, 2
 * stuff bits, and after the CRC delimiter 12 more: 50.  Data phase: ESI
 * 0, DLC 1111 and 512 data bits, with stuff bits at: DLC and 0xa0 (1111
 * 1[0]0100000), 0xa0's low zeros (00000[1] before 0xa1), 0xaf's low
 * ones and 0xb0 (1111 1[0]0110000), inside 0xbe (10111110: 1011111[0]0)
 * and 0xbf (1011111[0]1), 0xbf's last 1 with 0x80 (1 100000[1]00), and
 * likewise before bit 6 of 0x81, 0x82 and 0x83 (the previous byte's last
 * two zeros, then 100000[1]00), 0x8f and 0x90 (1111 1[0]0010000):
 * 10 stuff bits; 0x9f, the last byte, ends in five ones, and the stuff
 * bit due after them gives way to the first fixed one.  517 + 10 + CRC
 * field 4 + 21 + 7 fixed stuff bits + CRC delimiter 1 = 560.  Without
 * BRS all 50 + 560 = 610 bits are nominal (BRS 0 changes no stuff bit:
 * it follows res 0 and precedes ESI 0 in runs shorter than five).
 */
static void test_fd_64_bytes(void)
{
    qemu_can_frame f = {
        .can_id = 0x1abcdef | QEMU_CAN_EFF_FLAG, .can_dlc = 64,
        .flags = QEMU_CAN_FRMF_TYPE_FD | QEMU_CAN_FRMF_BRS,
    };
    unsigned i;

    for (i = 0; i < 64; i++) {
        f.data[i] = 0xa0 ^ i;
    }
    assert_bits(&f, 50, 560);
    f.flags &= ~QEMU_CAN_FRMF_BRS;
    assert_bits(&f, 610, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/can/wire-bits/classic-all-dominant",
                    test_classic_all_dominant);
    g_test_add_func("/can/wire-bits/classic-remote-all-recessive-identifier",
                    test_classic_remote_all_recessive_identifier);
    g_test_add_func("/can/wire-bits/classic-8-bytes", test_classic_8_bytes);
    g_test_add_func("/can/wire-bits/extended-remote-dlc-8",
                    test_extended_remote_dlc_8);
    g_test_add_func("/can/wire-bits/fd-empty", test_fd_empty);
    g_test_add_func("/can/wire-bits/fd-empty-brs", test_fd_empty_brs);
    g_test_add_func("/can/wire-bits/fd-64-bytes", test_fd_64_bytes);
    return g_test_run();
}
