/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QTest for the Adlink PCI-7841 (adlink_pci7841) as the Linux plx_pci
 * driver sees it: PCI identity and class code, the PLX 9052 registers in
 * BAR0 and BAR1, the local bus reset and the driver's channel check (the
 * SJA1000's hardware reset state in both modes), and INTCSR's LINTi1
 * path to INTx.
 */

#include "qemu/osdep.h"
#include "hw/pci/pci_regs.h"
#include "can-pci-board-qtest.h"

#define ADLINK_VENDOR_ID    0x144a
#define ADLINK_PCI7841_ID   0x7841
#define ADLINK_SJA_BAR      2
#define ADLINK_CHANNEL_SIZE 0x80

/* PLX 9050/9052 (plx_pci.c) */
#define PLX_INTCSR          0x4c
#define PLX_CNTRL           0x50
#define PLX_LINT1_EN        0x01
#define PLX_LINT1_POL       0x02
#define PLX_LINT1_STATUS    0x04
#define PLX_LINT2_EN        0x08
#define PLX_PCI_INT_EN      0x40
#define PLX_SW_INT          0x80
#define PLX_PCI_RESET       (1u << 30)

static void adlink_start(Board *b, unsigned channels)
{
    g_autofree char *devices =
        g_strdup_printf("-object can-bus,id=canbus0 "
                        "-device adlink_pci7841,addr=0x%x,channels=%u,"
                        "canbus0=canbus0", BOARD_SLOT, channels);

    board_start(b, devices, 3);
}

static SJAChan adlink_chan(Board *b, unsigned i)
{
    return (SJAChan) {
        .dev = b->dev, .bar = b->bar[ADLINK_SJA_BAR],
        .base = i * ADLINK_CHANNEL_SIZE,
    };
}

/* The driver uses the PLX registers through BAR1 (I/O) on this board */
static uint32_t plx_rd(Board *b, unsigned reg)
{
    return qpci_io_readl(b->dev, b->bar[1], reg);
}

static void plx_wr(Board *b, unsigned reg, uint32_t value)
{
    qpci_io_writel(b->dev, b->bar[1], reg, value);
}

/* plx_pci.c's reset: set CNTRL bit 30, then clear it */
static void plx_reset(Board *b)
{
    uint32_t cntrl = plx_rd(b, PLX_CNTRL);

    plx_wr(b, PLX_CNTRL, cntrl | PLX_PCI_RESET);
    plx_wr(b, PLX_CNTRL, cntrl & ~PLX_PCI_RESET);
}

/*
 * plx_pci_check_sja1000(): BasicCAN CR & 0xa1 == 0x21, SR 0x0c, IR 0xe0;
 * then with CDR PeliCAN: MOD 0x01, SR 0x3c, IR 0x00.
 */
static bool plx_check_sja1000(const SJAChan *c)
{
    bool basic = (sja_rd(c, A_CR) & 0xa1) == 0x21 &&
                 sja_rd(c, A_SR) == 0x0c && sja_rd(c, A_IR) == 0xe0;

    sja_wr(c, A_CDR, R_CDR_PELICAN_MASK);
    return basic && sja_rd(c, A_MOD) == 0x01 && sja_rd(c, A_SR) == 0x3c &&
           sja_rd(c, A_IR) == 0x00;
}

static void test_pci_identity(void)
{
    Board b;

    adlink_start(&b, 2);
    g_assert_cmphex(qpci_config_readw(b.dev, PCI_VENDOR_ID), ==,
                    ADLINK_VENDOR_ID);
    g_assert_cmphex(qpci_config_readw(b.dev, PCI_DEVICE_ID), ==,
                    ADLINK_PCI7841_ID);
    /* the driver tells the PCI-7841 from the SE by "network, other" */
    g_assert_cmphex(qpci_config_readw(b.dev, PCI_CLASS_DEVICE), ==, 0x0280);
    g_assert_cmphex(qpci_config_readb(b.dev, PCI_CLASS_PROG), ==, 0);
    g_assert_cmpuint(qpci_config_readb(b.dev, PCI_INTERRUPT_PIN), ==, 1);
    g_assert_cmphex(qpci_config_readl(b.dev, PCI_BASE_ADDRESS_0) &
                    PCI_BASE_ADDRESS_SPACE, ==, PCI_BASE_ADDRESS_SPACE_MEMORY);
    g_assert_cmphex(qpci_config_readl(b.dev, PCI_BASE_ADDRESS_1) &
                    PCI_BASE_ADDRESS_SPACE, ==, PCI_BASE_ADDRESS_SPACE_IO);
    g_assert_cmphex(qpci_config_readl(b.dev, PCI_BASE_ADDRESS_2) &
                    PCI_BASE_ADDRESS_SPACE, ==, PCI_BASE_ADDRESS_SPACE_IO);
    g_assert_cmphex(b.bar_size[0], ==, 0x80);
    g_assert_cmphex(b.bar_size[1], ==, 0x80);
    g_assert_cmphex(b.bar_size[ADLINK_SJA_BAR], ==, 2 * ADLINK_CHANNEL_SIZE);
    board_stop(&b);
}

/* BAR0 and BAR1 are the same registers */
static void test_plx_registers_in_bar0_and_bar1(void)
{
    Board b;

    adlink_start(&b, 2);
    qpci_io_writel(b.dev, b.bar[0], PLX_CNTRL, 0x00000123);
    g_assert_cmphex(plx_rd(&b, PLX_CNTRL), ==, 0x00000123);
    plx_wr(&b, PLX_INTCSR, PLX_LINT1_EN | PLX_PCI_INT_EN);
    g_assert_cmphex(qpci_io_readl(b.dev, b.bar[0], PLX_INTCSR), ==,
                    PLX_LINT1_EN | PLX_PCI_INT_EN);
    board_stop(&b);
}

/*
 * The driver's probe after its reset finds exactly channels= chips, also
 * when they had been running (a driver reload): the reset through CNTRL
 * puts them back into their hardware reset state.
 */
static void test_reset_and_probe_find_channels(const void *data)
{
    unsigned channels = GPOINTER_TO_UINT(data);
    Board b;
    unsigned i;

    adlink_start(&b, channels);
    for (i = 0; i < channels; i++) {
        SJAChan c = adlink_chan(&b, i);

        sja_pelican_setup(&c, 0, R_IR_RI_MASK);
    }
    plx_reset(&b);
    g_assert_cmphex(plx_rd(&b, PLX_CNTRL) & PLX_PCI_RESET, ==, 0);
    for (i = 0; i < 2; i++) {
        SJAChan c = adlink_chan(&b, i);

        g_assert_cmpint(plx_check_sja1000(&c), ==, i < channels);
    }
    board_stop(&b);
}

/*
 * INTx follows LINTi1 (the channels' INT#, wired together) while LINTi1
 * and the PCI interrupt are enabled, as plx_pci.c sets them; INTCSR bit 2
 * shows LINTi1 whether enabled or not.
 */
static void test_lint1_drives_intx(void)
{
    Board b;
    unsigned i;

    adlink_start(&b, 2);
    intx_route(&b);
    for (i = 0; i < 2; i++) {
        SJAChan c = adlink_chan(&b, i);

        sja_pelican_setup(&c, R_MOD_STM_MASK, R_IR_TI_MASK);
        plx_wr(&b, PLX_INTCSR, 0);
        board_send_std(&b, &c, 0x100 + i, i, R_CMR_SRR_MASK);
        g_assert_cmphex(plx_rd(&b, PLX_INTCSR), ==, PLX_LINT1_STATUS);
        g_assert_false(intx(&b));
        plx_wr(&b, PLX_INTCSR, PLX_LINT1_EN);
        g_assert_false(intx(&b));
        plx_wr(&b, PLX_INTCSR, PLX_LINT1_EN | PLX_LINT2_EN | PLX_PCI_INT_EN);
        g_assert_true(intx(&b));
        g_assert_cmphex(sja_rd(&c, A_IR), ==, R_IR_TI_MASK);
        g_assert_false(intx(&b));
        g_assert_cmphex(plx_rd(&b, PLX_INTCSR), ==,
                        PLX_LINT1_EN | PLX_LINT2_EN | PLX_PCI_INT_EN);
    }
    board_stop(&b);
}

/*
 * LINTi1 polarity 1 (active high) takes the idle INT# pin as a request;
 * the software interrupt asserts INTx on its own.
 */
static void test_polarity_and_software_interrupt(void)
{
    Board b;

    adlink_start(&b, 2);
    intx_route(&b);
    plx_wr(&b, PLX_INTCSR, PLX_LINT1_EN | PLX_LINT1_POL | PLX_PCI_INT_EN);
    g_assert_true(intx(&b));
    g_assert_cmphex(plx_rd(&b, PLX_INTCSR) & PLX_LINT1_STATUS, ==,
                    PLX_LINT1_STATUS);
    plx_wr(&b, PLX_INTCSR, PLX_PCI_INT_EN);
    g_assert_false(intx(&b));
    plx_wr(&b, PLX_INTCSR, PLX_PCI_INT_EN | PLX_SW_INT);
    g_assert_true(intx(&b));
    plx_wr(&b, PLX_INTCSR, PLX_SW_INT);
    g_assert_false(intx(&b));
    board_stop(&b);
}

/* Both channels on one bus talk */
static void test_channels_on_one_bus_talk(void)
{
    Board b;
    SJAChan c0, c1;

    board_start(&b, "-object can-bus,id=canbus0 "
                "-device adlink_pci7841,addr=0x4,canbus0=canbus0,"
                "canbus1=canbus0", 3);
    c0 = adlink_chan(&b, 0);
    c1 = adlink_chan(&b, 1);
    check_channels_talk(&b, &c0, &c1);
    board_stop(&b);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_set_nonfatal_assertions();

    qtest_add_func("/can-adlink-pci7841/pci-identity", test_pci_identity);
    qtest_add_func("/can-adlink-pci7841/plx-registers-in-bar0-and-bar1",
                   test_plx_registers_in_bar0_and_bar1);
    qtest_add_data_func("/can-adlink-pci7841/reset-and-probe-find/1",
                        GUINT_TO_POINTER(1),
                        test_reset_and_probe_find_channels);
    qtest_add_data_func("/can-adlink-pci7841/reset-and-probe-find/2",
                        GUINT_TO_POINTER(2),
                        test_reset_and_probe_find_channels);
    qtest_add_func("/can-adlink-pci7841/lint1-drives-intx",
                   test_lint1_drives_intx);
    qtest_add_func("/can-adlink-pci7841/polarity-and-software-interrupt",
                   test_polarity_and_software_interrupt);
    qtest_add_func("/can-adlink-pci7841/channels-on-one-bus-talk",
                   test_channels_on_one_bus_talk);
    return g_test_run();
}
