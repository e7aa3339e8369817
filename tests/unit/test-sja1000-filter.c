/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The SJA1000's acceptance filters (sja1000_accept()), case by case from
 * the SJA1000 product specification, 6.4.15 (PeliCAN: single filter,
 * Figs 9 and 10; dual filter, Figs 11 and 12) and 6.3.9 (BasicCAN).
 *
 * An AMR bit of 1 makes the ACR bit beside it "don't care"; a frame is
 * accepted when every compared bit equals its ACR bit, in the single
 * filter or in either of the two dual filters.  Data bytes a frame does
 * not have (a remote frame, or a DLC below the byte's number) are not
 * compared (6.4.15.2: such a message "may pass filter 1, if the first
 * part up to the RTR bit signals acceptance").
 */

#include "qemu/osdep.h"
#include "hw/net/can/can_sja1000_frame.h"

typedef struct Filter {
    bool pelican;
    bool single;            /* MOD.AFM */
    uint8_t acr[4];
    uint8_t amr[4];
} Filter;

static qemu_can_frame std_frame(uint32_t id, uint8_t dlc, uint8_t d1,
                                uint8_t d2)
{
    return (qemu_can_frame) {
        .can_id = id, .can_dlc = dlc, .data = { d1, d2 },
    };
}

static qemu_can_frame ext_frame(uint32_t id)
{
    return (qemu_can_frame) { .can_id = id | QEMU_CAN_EFF_FLAG };
}

static qemu_can_frame remote(qemu_can_frame f)
{
    f.can_id |= QEMU_CAN_RTR_FLAG;
    return f;
}

static bool passes(const Filter *flt, qemu_can_frame f)
{
    return sja1000_accept(flt->pelican, flt->single, flt->acr, flt->amr, &f);
}

/*
 * Single filter, standard frame (Fig 9): ACR0 = ID.28..21, ACR1 bits 7..5
 * = ID.20..18 (an 11-bit identifier's bits 10..0), ACR1 bit 4 = RTR, ACR1
 * bits 3..0 unused, ACR2 = data byte 1, ACR3 = data byte 2.
 * Identifier 0x123 = 001 0010 0011: ACR0 0x24, ACR1 0x60.
 */
static void test_single_standard(void)
{
    Filter id_only = {
        .pelican = true, .single = true,
        .acr = { 0x24, 0x60, 0x00, 0x00 },
        .amr = { 0x00, 0x0f, 0xff, 0xff },
    };
    Filter rtr_dont_care = id_only, data = id_only;

    g_assert_true(passes(&id_only, std_frame(0x123, 2, 0x12, 0x34)));
    g_assert_false(passes(&id_only, std_frame(0x122, 2, 0x12, 0x34)));
    g_assert_false(passes(&id_only, std_frame(0x1a3, 0, 0, 0)));
    g_assert_false(passes(&id_only, std_frame(0x523, 0, 0, 0)));
    /* the unused ACR1 bits 3..0 compare nothing, whatever AMR1 says */
    id_only.amr[1] = 0x00;
    id_only.acr[1] = 0x6f;
    g_assert_true(passes(&id_only, std_frame(0x123, 0, 0, 0)));
    /* RTR is compared: ACR1 bit 4 is 0, so a remote frame fails ... */
    g_assert_false(passes(&id_only, remote(std_frame(0x123, 0, 0, 0))));
    /* ... unless AMR1 bit 4 makes it don't care */
    rtr_dont_care.amr[1] = 0x1f;
    g_assert_true(passes(&rtr_dont_care, remote(std_frame(0x123, 0, 0, 0))));
    g_assert_true(passes(&rtr_dont_care, std_frame(0x123, 0, 0, 0)));

    /* data byte 1 must be 0x55, data byte 2 0xaa */
    data.acr[2] = 0x55;
    data.acr[3] = 0xaa;
    data.amr[2] = 0x00;
    data.amr[3] = 0x00;
    g_assert_true(passes(&data, std_frame(0x123, 2, 0x55, 0xaa)));
    g_assert_true(passes(&data, std_frame(0x123, 8, 0x55, 0xaa)));
    g_assert_false(passes(&data, std_frame(0x123, 2, 0x54, 0xaa)));
    g_assert_false(passes(&data, std_frame(0x123, 2, 0x55, 0xab)));
    /* bytes the frame lacks are not compared */
    g_assert_true(passes(&data, std_frame(0x123, 1, 0x55, 0x00)));
    g_assert_false(passes(&data, std_frame(0x123, 1, 0x54, 0xaa)));
    g_assert_true(passes(&data, std_frame(0x123, 0, 0x00, 0x00)));
    /* a DLC over 8 still means 8 bytes, both compared */
    g_assert_false(passes(&data, std_frame(0x123, 15, 0x55, 0xa0)));
    g_assert_true(passes(&data, std_frame(0x123, 15, 0x55, 0xaa)));
    /* a remote frame (RTR now required) has no data bytes to compare */
    data.acr[1] |= 0x10;
    g_assert_true(passes(&data, remote(std_frame(0x123, 8, 0, 0))));
    g_assert_false(passes(&data, std_frame(0x123, 2, 0x55, 0xaa)));
}

/*
 * Single filter, extended frame (Fig 10): ACR0..ACR3 bit 3 = ID.28..0,
 * ACR3 bit 2 = RTR, ACR3 bits 1..0 unused.  Identifier 0x12345678 << 3 =
 * 0x91a2b3c0.
 */
static void test_single_extended(void)
{
    Filter f = {
        .pelican = true, .single = true,
        .acr = { 0x91, 0xa2, 0xb3, 0xc0 },
        .amr = { 0x00, 0x00, 0x00, 0x03 },
    };

    g_assert_true(passes(&f, ext_frame(0x12345678)));
    g_assert_false(passes(&f, ext_frame(0x12345679)));
    g_assert_false(passes(&f, ext_frame(0x02345678)));
    g_assert_false(passes(&f, remote(ext_frame(0x12345678))));
    /*
     * To a standard frame the same bytes are identifier 0x48d (ACR0, ACR1
     * bits 7..5), RTR 0 (ACR1 bit 4) and data bytes 0xb3 and 0xc0
     */
    g_assert_true(passes(&f, std_frame(0x48d, 0, 0, 0)));
    g_assert_true(passes(&f, std_frame(0x48d, 1, 0xb3, 0)));
    g_assert_false(passes(&f, std_frame(0x48d, 1, 0xb4, 0)));
    g_assert_false(passes(&f, std_frame(0x123, 0, 0, 0)));
    /* ID.4..0 and RTR don't care: AMR3 = 0xff */
    f.amr[3] = 0xff;
    g_assert_true(passes(&f, ext_frame(0x1234567f)));
    g_assert_true(passes(&f, ext_frame(0x12345660)));
    g_assert_true(passes(&f, remote(ext_frame(0x12345670))));
    g_assert_false(passes(&f, ext_frame(0x12345680)));
}

/*
 * Dual filter, standard frame (Fig 11).  Filter 1: ACR0, ACR1 bits 7..5
 * the identifier, ACR1 bit 4 RTR, ACR1 bits 3..0 the high nibble of data
 * byte 1 and ACR3 bits 3..0 its low nibble.  Filter 2: ACR2, ACR3 bits
 * 7..5 the identifier, ACR3 bit 4 RTR.
 * Filter 1: 0x123 with data byte 1 0xa5: ACR0 0x24, ACR1 0x6a, ACR3 low
 * 0x5.  Filter 2: 0x456 = 100 0101 0110: ACR2 0x8a, ACR3 high 0xc.
 */
static void test_dual_standard(void)
{
    Filter f = {
        .pelican = true, .single = false,
        .acr = { 0x24, 0x6a, 0x8a, 0xc5 },
        .amr = { 0x00, 0x00, 0x00, 0x00 },
    };

    g_assert_true(passes(&f, std_frame(0x123, 1, 0xa5, 0)));
    g_assert_false(passes(&f, std_frame(0x123, 1, 0xa4, 0)));
    g_assert_false(passes(&f, std_frame(0x123, 1, 0x55, 0)));
    /* data byte 2 is in neither filter */
    g_assert_true(passes(&f, std_frame(0x123, 2, 0xa5, 0x99)));
    /* no data byte: filter 1 passes on identifier and RTR alone */
    g_assert_true(passes(&f, std_frame(0x123, 0, 0x00, 0)));
    g_assert_false(passes(&f, remote(std_frame(0x123, 1, 0xa5, 0))));
    /* filter 2 compares no data */
    g_assert_true(passes(&f, std_frame(0x456, 8, 0x00, 0)));
    g_assert_true(passes(&f, std_frame(0x456, 0, 0x00, 0)));
    g_assert_false(passes(&f, remote(std_frame(0x456, 0, 0, 0))));
    g_assert_false(passes(&f, std_frame(0x457, 0, 0, 0)));
    /* filter 2's RTR don't care (AMR3 bit 4) lets its remote frames by */
    f.amr[3] = 0x10;
    g_assert_true(passes(&f, remote(std_frame(0x456, 0, 0, 0))));
    g_assert_false(passes(&f, remote(std_frame(0x123, 0, 0, 0))));
}

/*
 * Dual filter, extended frame (Fig 12): filter 1 ACR0, ACR1 and filter 2
 * ACR2, ACR3 each compare ID.28..13; ID.12..0 and RTR are not compared.
 * 0x12345678 >> 13 = 0x91a2; 0x0abcdef0 >> 13 = 0x55e6.
 */
static void test_dual_extended(void)
{
    Filter f = {
        .pelican = true, .single = false,
        .acr = { 0x91, 0xa2, 0x55, 0xe6 },
        .amr = { 0x00, 0x00, 0x00, 0x00 },
    };

    g_assert_true(passes(&f, ext_frame(0x12345678)));
    g_assert_true(passes(&f, ext_frame(0x12344000)));
    g_assert_true(passes(&f, ext_frame(0x12345fff)));
    g_assert_true(passes(&f, remote(ext_frame(0x12345678))));
    g_assert_false(passes(&f, ext_frame(0x12346000)));
    g_assert_true(passes(&f, ext_frame(0x0abcdef0)));
    g_assert_true(passes(&f, ext_frame(0x0abcc000)));
    g_assert_false(passes(&f, ext_frame(0x0abce000)));
    g_assert_false(passes(&f, ext_frame(0x1abcdef0)));
    /* AMR1 = 0xff: filter 1 compares ID.28..21 (0x91) only */
    f.amr[1] = 0xff;
    g_assert_true(passes(&f, ext_frame(0x12200000)));
    g_assert_true(passes(&f, ext_frame(0x123fffff)));
    g_assert_false(passes(&f, ext_frame(0x12400000)));
}

/*
 * BasicCAN (6.3.9): ACR and AMR test identifier bits 10..3 only.
 * ACR 0x24: identifiers 0x120..0x127.
 */
static void test_basiccan(void)
{
    Filter f = { .acr = { 0x24 }, .amr = { 0x00 } };

    g_assert_true(passes(&f, std_frame(0x120, 0, 0, 0)));
    g_assert_true(passes(&f, std_frame(0x127, 8, 0xff, 0xff)));
    g_assert_true(passes(&f, remote(std_frame(0x123, 0, 0, 0))));
    g_assert_false(passes(&f, std_frame(0x128, 0, 0, 0)));
    g_assert_false(passes(&f, std_frame(0x11f, 0, 0, 0)));
    g_assert_false(passes(&f, std_frame(0x523, 0, 0, 0)));
    /* AMR 0x81: identifier bits 10 and 3 don't care */
    f.amr[0] = 0x81;
    g_assert_true(passes(&f, std_frame(0x523, 0, 0, 0)));
    g_assert_true(passes(&f, std_frame(0x12b, 0, 0, 0)));
    g_assert_false(passes(&f, std_frame(0x133, 0, 0, 0)));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sja1000/filter/single-standard", test_single_standard);
    g_test_add_func("/sja1000/filter/single-extended", test_single_extended);
    g_test_add_func("/sja1000/filter/dual-standard", test_dual_standard);
    g_test_add_func("/sja1000/filter/dual-extended", test_dual_extended);
    g_test_add_func("/sja1000/filter/basiccan", test_basiccan);
    return g_test_run();
}
