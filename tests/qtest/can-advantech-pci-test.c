/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QTest for the Advantech PCM-3680I and MIOe-3680 PCI boards: two SJA1000
 * channels each, BAR n is channel n, checked as an SJA1000 driver sees
 * them.
 */

#include "qemu/osdep.h"
#include "hw/pci/pci_regs.h"
#include "can-pci-board-qtest.h"

#define ADVANTECH_VENDOR_ID 0x13fe
#define PCM3680_DEVICE_ID   0xc002
#define MIOE3680_DEVICE_ID  0xc302

typedef SJAChan Chan;

/*
 * Start @device with both channels on can-bus b0 and check what a driver
 * probes: the PCI identity, two BARs of @bar_size with a register every
 * 1 << @shift bytes, and channel 0 in reset mode after the PeliCAN bit
 * (datasheet 6.4.2, Table 7).  Its channels in @c.
 */
static void advantech_start(Board *b, const char *device, uint16_t device_id,
                            uint64_t bar_size, unsigned shift, Chan c[2])
{
    g_autofree char *devices =
        g_strdup_printf("-object can-bus,id=b0 -device %s,addr=0x%x,"
                        "canbus0=b0,canbus1=b0", device, BOARD_SLOT);
    int i;

    board_start(b, devices, 2);
    g_assert_cmphex(qpci_config_readw(b->dev, PCI_VENDOR_ID), ==,
                    ADVANTECH_VENDOR_ID);
    g_assert_cmphex(qpci_config_readw(b->dev, PCI_DEVICE_ID), ==, device_id);
    for (i = 0; i < 2; i++) {
        g_assert_cmphex(b->bar_size[i], ==, bar_size);
        c[i] = (Chan) { .dev = b->dev, .bar = b->bar[i], .shift = shift };
    }
    sja_wr(&c[0], A_CDR, R_CDR_PELICAN_MASK);
    g_assert_cmphex(sja_rd(&c[0], A_MOD), ==, R_MOD_RM_MASK);
    g_assert_cmphex(sja_rd(&c[0], A_SR), ==, 0x3c);
}

/*
 * PCM-3680I: one byte per register and the whole 128-byte register space
 * decoded, so the internal RAM (datasheet 6.4.17) is reachable at 32:
 * the received frame sits at 32 + RBSA; the RAM is writable in reset
 * mode only.
 */
static void test_pcm3680_smoke(void)
{
    /* 0x0aa with 0x11, then 0x0ab with 0x22 (datasheet Table 39) */
    static const uint8_t first[] = { 0x01, 0x15, 0x40, 0x11 };
    static const uint8_t second[] = { 0x01, 0x15, 0x60, 0x22 };
    Board b;
    Chan c[2], *c0 = &c[0], *c1 = &c[1];

    advantech_start(&b, "pcm3680_pci", PCM3680_DEVICE_ID, 0x100, 0, c);
    sja_pelican_setup(c0, 0, 0);
    sja_pelican_setup(c1, 0, 0);
    board_send_std(&b, c0, 0x0aa, 0x11, R_CMR_TR_MASK);
    board_send_std(&b, c0, 0x0ab, 0x22, R_CMR_TR_MASK);
    /* the first frame released, the window shows the second */
    sja_wr(c1, A_CMR, R_CMR_RRB_MASK);
    g_assert_cmpuint(sja_rd(c1, A_RMC), ==, 1);
    g_assert_cmpuint(sja_rd(c1, A_RBSA), ==, sizeof(first));
    sja_assert_bytes(c1, A_FRAME, second, sizeof(second));
    /* and the RAM holds both, one after the other, from its start */
    sja_assert_bytes(c1, A_RAM, first, sizeof(first));
    sja_assert_bytes(c1, A_RAM + sizeof(first), second, sizeof(second));

    sja_wr(c1, A_RAM + 60, 0x5a);
    g_assert_cmphex(sja_rd(c1, A_RAM + 60), !=, 0x5a);
    sja_wr(c1, A_MOD, R_MOD_RM_MASK);
    sja_wr(c1, A_RAM + 60, 0x5a);
    g_assert_cmphex(sja_rd(c1, A_RAM + 60), ==, 0x5a);
    board_stop(&b);
}

/*
 * Datasheet 6.4.13 and 6.4.5 note 5: the TX buffer reads back at
 * internal RAM 96..108; while a transmission is pending (TBS 0) writes
 * to it are lost without indication.
 */
static void test_pcm3680_tx_buffer_in_ram_and_locked_writes(void)
{
    static const uint8_t frame[] = { 0x03, 0x12, 0x20, 0xaa, 0xbb, 0xcc };
    Board b;
    Chan c0;
    size_t i;

    /* channel 0 alone on b0: nobody acknowledges, it keeps retrying */
    board_start(&b, "-object can-bus,id=b0 -object can-bus,id=b1 "
                "-device pcm3680_pci,addr=0x4,canbus0=b0,canbus1=b1", 2);
    c0 = (Chan) { .dev = b.dev, .bar = b.bar[0] };
    sja_pelican_setup(&c0, 0, 0);
    for (i = 0; i < sizeof(frame); i++) {
        sja_wr(&c0, A_FRAME + i, frame[i]);
    }
    sja_assert_bytes(&c0, A_TX_RAM, frame, sizeof(frame));

    sja_wr(&c0, A_CMR, R_CMR_TR_MASK);
    qtest_clock_step(b.qts, 1000000);
    g_assert_cmphex(sja_rd(&c0, A_SR) & R_SR_TBS_MASK, ==, 0);
    sja_wr(&c0, A_FRAME + 3, 0x55);
    g_assert_cmphex(sja_rd(&c0, A_TX_RAM + 3), ==, 0xaa);

    sja_wr(&c0, A_CMR, R_CMR_AT_MASK);
    qtest_clock_step(b.qts, 1000000);
    g_assert_cmphex(sja_rd(&c0, A_SR) & R_SR_TBS_MASK, ==, R_SR_TBS_MASK);
    sja_wr(&c0, A_FRAME + 3, 0x55);
    g_assert_cmphex(sja_rd(&c0, A_TX_RAM + 3), ==, 0x55);
    board_stop(&b);
}

/* MIOe-3680: registers on 32-bit boundaries (offset = register << 2) */
static void test_mioe3680_smoke(void)
{
    /* 0x0aa with 0x11 (datasheet Table 39) */
    static const uint8_t frame[] = { 0x01, 0x15, 0x40, 0x11 };
    Board b;
    Chan c[2], *c0 = &c[0], *c1 = &c[1];

    advantech_start(&b, "mioe3680_pci", MIOE3680_DEVICE_ID, 0x400, 2, c);
    g_assert_cmpuint(sja_rd(c0, A_EWLR), ==, 96);
    sja_pelican_setup(c0, 0, 0);
    sja_pelican_setup(c1, 0, R_IR_RI_MASK);
    board_send_std(&b, c0, 0x0aa, 0x11, R_CMR_TR_MASK);
    g_assert_cmpuint(sja_rd(c1, A_RMC), ==, 1);
    g_assert_cmphex(sja_rd(c1, A_IR), ==, R_IR_RI_MASK);
    sja_assert_bytes(c1, A_FRAME, frame, sizeof(frame));
    board_stop(&b);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    /* a failing check marks its test failed; the others still run */
    g_test_set_nonfatal_assertions();

    qtest_add_func("/can-advantech/pcm3680-smoke", test_pcm3680_smoke);
    qtest_add_func("/can-advantech/pcm3680-tx-buffer-in-ram-and-locked-writes",
                   test_pcm3680_tx_buffer_in_ram_and_locked_writes);
    qtest_add_func("/can-advantech/mioe3680-smoke", test_mioe3680_smoke);
    return g_test_run();
}
