/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QTest for the EMS CPC-PCI boards (ems_cpc_pci_v1, ems_cpc_pci_v2): PCI
 * identities and BARs as the Linux ems_pci driver tells the versions
 * apart, the card signature and reset, the channel probe (CDR reads back
 * PeliCAN) and the interrupt acknowledge of each bridge (PITA-2 ICR INT0
 * on v1, PLX 9030 INTCSR on v2).
 */

#include "qemu/osdep.h"
#include "hw/pci/pci_regs.h"
#include "can-pci-board-qtest.h"

#define EMS_CHANNELS_OFFSET 0x400
#define EMS_CHANNEL_STRIDE  0x200
#define EMS_MAX_CHANNELS    4

/* PITA-2 (v1), ems_pci.c */
#define PITA2_ICR           0x00
#define PITA2_ICR_INT0      0x00000002
#define PITA2_ICR_INT0_EN   0x00020000
#define PITA2_MISC          0x1c
#define PITA2_MISC_CONFIG   0x04000000

/* PLX 9030 (v2), ems_pci.c */
#define PLX_ICSR            0x4c
#define PLX_ICSR_LINTI1_ENA 0x0001
#define PLX_ICSR_LINTI1_STA 0x0004
#define PLX_ICSR_PCIINT_ENA 0x0040
#define PLX_ICSR_LINTI1_CLR 0x0400
#define PLX_ICSR_ENA_CLR    (PLX_ICSR_LINTI1_ENA | PLX_ICSR_PCIINT_ENA | \
                             PLX_ICSR_LINTI1_CLR)

typedef struct EmsVersion {
    const char *type;
    uint16_t vendor_id;
    uint16_t device_id;
    uint16_t subsystem_vendor_id;
    uint16_t subsystem_id;
    unsigned card_bar;
    unsigned shift;
    unsigned max_channels;
    uint64_t bridge_size;
} EmsVersion;

static const EmsVersion v1 = {
    .type = "ems_cpc_pci_v1", .vendor_id = 0x110a, .device_id = 0x2104,
    .card_bar = 1, .shift = 2, .max_channels = 2, .bridge_size = 0x1000,
};

static const EmsVersion v2 = {
    .type = "ems_cpc_pci_v2", .vendor_id = 0x10b5, .device_id = 0x9030,
    .subsystem_vendor_id = 0x10b5, .subsystem_id = 0x4000,
    .card_bar = 2, .shift = 0, .max_channels = 4, .bridge_size = 0x80,
};

static void ems_start(Board *b, const EmsVersion *v, unsigned channels)
{
    g_autofree char *devices =
        g_strdup_printf("-object can-bus,id=canbus0 "
                        "-device %s,addr=0x%x,channels=%u,canbus=canbus0",
                        v->type, BOARD_SLOT, channels);

    board_start(b, devices, v->card_bar + 1);
}

static SJAChan ems_chan(Board *b, const EmsVersion *v, unsigned i)
{
    return (SJAChan) {
        .dev = b->dev, .bar = b->bar[v->card_bar],
        .base = EMS_CHANNELS_OFFSET + i * EMS_CHANNEL_STRIDE,
        .shift = v->shift,
    };
}

static uint8_t card_rd(Board *b, const EmsVersion *v, unsigned reg)
{
    return qpci_io_readb(b->dev, b->bar[v->card_bar], reg << v->shift);
}

/* ems_pci.c's probe of one slot: reset mode, CDR PeliCAN, read CDR */
static bool ems_check_chan(const SJAChan *c)
{
    sja_wr(c, A_MOD, R_MOD_RM_MASK);
    sja_wr(c, A_CDR, R_CDR_PELICAN_MASK);
    return sja_rd(c, A_CDR) == R_CDR_PELICAN_MASK;
}

static void test_pci_identity(const void *data)
{
    const EmsVersion *v = data;
    Board b;

    ems_start(&b, v, 1);
    g_assert_cmphex(qpci_config_readw(b.dev, PCI_VENDOR_ID), ==,
                    v->vendor_id);
    g_assert_cmphex(qpci_config_readw(b.dev, PCI_DEVICE_ID), ==,
                    v->device_id);
    if (v->subsystem_id) {
        g_assert_cmphex(qpci_config_readw(b.dev, PCI_SUBSYSTEM_VENDOR_ID),
                        ==, v->subsystem_vendor_id);
        g_assert_cmphex(qpci_config_readw(b.dev, PCI_SUBSYSTEM_ID), ==,
                        v->subsystem_id);
    }
    g_assert_cmpuint(qpci_config_readb(b.dev, PCI_INTERRUPT_PIN), ==, 1);
    g_assert_cmphex(qpci_config_readl(b.dev, PCI_BASE_ADDRESS_0) &
                    PCI_BASE_ADDRESS_SPACE, ==, PCI_BASE_ADDRESS_SPACE_MEMORY);
    g_assert_cmphex(b.bar_size[0], ==, v->bridge_size);
    g_assert_cmphex(qpci_config_readl(b.dev, PCI_BASE_ADDRESS_0 +
                                      4 * v->card_bar) &
                    PCI_BASE_ADDRESS_SPACE, ==, PCI_BASE_ADDRESS_SPACE_MEMORY);
    g_assert_cmphex(b.bar_size[v->card_bar], ==, 0x1000);
    board_stop(&b);
}

/* v1: the driver refuses a board without the signature 55 AA 01 CB 11 */
static void test_v1_signature(void)
{
    static const uint8_t signature[] = { 0x55, 0xaa, 0x01, 0xcb, 0x11 };
    Board b;
    unsigned i;

    ems_start(&b, &v1, 2);
    qpci_io_writel(b.dev, b.bar[0], PITA2_MISC, PITA2_MISC_CONFIG);
    for (i = 0; i < sizeof(signature); i++) {
        g_assert_cmphex(card_rd(&b, &v1, i), ==, signature[i]);
    }
    board_stop(&b);
}

/* Probed like the driver, the slots give exactly channels= chips */
static void test_probe_finds_channels(const EmsVersion *v, unsigned channels)
{
    Board b;
    unsigned i;

    ems_start(&b, v, channels);
    for (i = 0; i < v->max_channels; i++) {
        SJAChan c = ems_chan(&b, v, i);

        g_assert_cmpint(ems_check_chan(&c), ==, i < channels);
    }
    board_stop(&b);
}

static void test_v1_probe_finds_1_channel(void)
{
    test_probe_finds_channels(&v1, 1);
}

static void test_v1_probe_finds_2_channels(void)
{
    test_probe_finds_channels(&v1, 2);
}

static void test_v2_probe_finds_1_channel(void)
{
    test_probe_finds_channels(&v2, 1);
}

static void test_v2_probe_finds_2_channels(void)
{
    test_probe_finds_channels(&v2, 2);
}

static void test_v2_probe_finds_4_channels(void)
{
    test_probe_finds_channels(&v2, 4);
}

/* A write to card register 0 resets the board: chips in BasicCAN reset */
static void test_card_reset_resets_channels(const void *data)
{
    const EmsVersion *v = data;
    Board b;
    SJAChan c;

    ems_start(&b, v, 2);
    c = ems_chan(&b, v, 1);
    sja_pelican_setup(&c, 0, 0);
    g_assert_cmphex(sja_rd(&c, A_MOD), ==, 0);
    qpci_io_writeb(b.dev, b.bar[v->card_bar], 0, 0);
    g_assert_cmphex(sja_rd(&c, A_CDR) & R_CDR_PELICAN_MASK, ==, 0);
    g_assert_cmphex(sja_rd(&c, A_CR), ==, 0x21);
    board_stop(&b);
}

/*
 * v1: each channel's interrupt latches ICR INT0; INTx follows it while
 * INT0 is enabled, and the driver's acknowledge (enable | INT0 written
 * after the chip is served) clears it.
 */
static void test_v1_int0_latch_and_acknowledge(void)
{
    Board b;
    unsigned i;

    ems_start(&b, &v1, 2);
    intx_route(&b);
    for (i = 0; i < 2; i++) {
        SJAChan c = ems_chan(&b, &v1, i);

        sja_pelican_setup(&c, R_MOD_STM_MASK, R_IR_TI_MASK);
        qpci_io_writel(b.dev, b.bar[0], PITA2_ICR, 0);
        board_send_std(&b, &c, 0x100 + i, i, R_CMR_SRR_MASK);
        g_assert_cmphex(qpci_io_readl(b.dev, b.bar[0], PITA2_ICR), ==,
                        PITA2_ICR_INT0);
        g_assert_false(intx(&b));
        qpci_io_writel(b.dev, b.bar[0], PITA2_ICR,
                       PITA2_ICR_INT0_EN | PITA2_ICR_INT0);
        /* the chip still interrupts: INT0 latches again */
        g_assert_true(intx(&b));
        g_assert_cmphex(sja_rd(&c, A_IR), ==, R_IR_TI_MASK);
        g_assert_true(intx(&b));
        qpci_io_writel(b.dev, b.bar[0], PITA2_ICR,
                       PITA2_ICR_INT0_EN | PITA2_ICR_INT0);
        g_assert_false(intx(&b));
        g_assert_cmphex(qpci_io_readl(b.dev, b.bar[0], PITA2_ICR), ==,
                        PITA2_ICR_INT0_EN);
    }
    board_stop(&b);
}

/*
 * v2: the channels drive LINTi1; INTx follows it (level) once the driver
 * wrote LINTi1 enable | PCI interrupt enable | clear; the status bit
 * reads the line, and the clear bit does not stick.
 */
static void test_v2_lint1_drives_intx(void)
{
    Board b;
    unsigned i;

    ems_start(&b, &v2, 4);
    intx_route(&b);
    g_assert_cmphex(qpci_io_readl(b.dev, b.bar[0], PLX_ICSR), ==, 0);
    for (i = 0; i < 4; i++) {
        SJAChan c = ems_chan(&b, &v2, i);

        sja_pelican_setup(&c, R_MOD_STM_MASK, R_IR_TI_MASK);
        qpci_io_writel(b.dev, b.bar[0], PLX_ICSR, 0);
        board_send_std(&b, &c, 0x100 + i, i, R_CMR_SRR_MASK);
        g_assert_cmphex(qpci_io_readl(b.dev, b.bar[0], PLX_ICSR), ==,
                        PLX_ICSR_LINTI1_STA);
        g_assert_false(intx(&b));
        qpci_io_writel(b.dev, b.bar[0], PLX_ICSR, PLX_ICSR_ENA_CLR);
        g_assert_true(intx(&b));
        g_assert_cmphex(qpci_io_readl(b.dev, b.bar[0], PLX_ICSR), ==,
                        PLX_ICSR_LINTI1_ENA | PLX_ICSR_PCIINT_ENA |
                        PLX_ICSR_LINTI1_STA);
        g_assert_cmphex(sja_rd(&c, A_IR), ==, R_IR_TI_MASK);
        g_assert_false(intx(&b));
        g_assert_cmphex(qpci_io_readl(b.dev, b.bar[0], PLX_ICSR), ==,
                        PLX_ICSR_LINTI1_ENA | PLX_ICSR_PCIINT_ENA);
    }
    board_stop(&b);
}

/* Frames between two channels of one board on one bus */
static void test_channels_on_one_bus_talk(const void *data)
{
    const EmsVersion *v = data;
    g_autofree char *devices =
        g_strdup_printf("-object can-bus,id=canbus0 -device %s,addr=0x%x,"
                        "channels=2,canbus0=canbus0,canbus1=canbus0",
                        v->type, BOARD_SLOT);
    Board b;
    SJAChan c0, c1;

    board_start(&b, devices, v->card_bar + 1);
    c0 = ems_chan(&b, v, 0);
    c1 = ems_chan(&b, v, 1);
    check_channels_talk(&b, &c0, &c1);
    board_stop(&b);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_set_nonfatal_assertions();

    qtest_add_data_func("/can-ems-pci/v1/pci-identity", &v1,
                        test_pci_identity);
    qtest_add_data_func("/can-ems-pci/v2/pci-identity", &v2,
                        test_pci_identity);
    qtest_add_func("/can-ems-pci/v1/signature", test_v1_signature);
    qtest_add_func("/can-ems-pci/v1/probe-finds-1-channel",
                   test_v1_probe_finds_1_channel);
    qtest_add_func("/can-ems-pci/v1/probe-finds-2-channels",
                   test_v1_probe_finds_2_channels);
    qtest_add_func("/can-ems-pci/v2/probe-finds-1-channel",
                   test_v2_probe_finds_1_channel);
    qtest_add_func("/can-ems-pci/v2/probe-finds-2-channels",
                   test_v2_probe_finds_2_channels);
    qtest_add_func("/can-ems-pci/v2/probe-finds-4-channels",
                   test_v2_probe_finds_4_channels);
    qtest_add_data_func("/can-ems-pci/v1/card-reset-resets-channels", &v1,
                        test_card_reset_resets_channels);
    qtest_add_data_func("/can-ems-pci/v2/card-reset-resets-channels", &v2,
                        test_card_reset_resets_channels);
    qtest_add_func("/can-ems-pci/v1/int0-latch-and-acknowledge",
                   test_v1_int0_latch_and_acknowledge);
    qtest_add_func("/can-ems-pci/v2/lint1-drives-intx",
                   test_v2_lint1_drives_intx);
    qtest_add_data_func("/can-ems-pci/v1/channels-on-one-bus-talk", &v1,
                        test_channels_on_one_bus_talk);
    qtest_add_data_func("/can-ems-pci/v2/channels-on-one-bus-talk", &v2,
                        test_channels_on_one_bus_talk);
    return g_test_run();
}
