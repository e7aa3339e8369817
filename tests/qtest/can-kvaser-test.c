/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QTest for the Kvaser PCIcan-S/D/Q boards (AMCC S5920 bridge, 1, 2 or 4
 * SJA1000 channels on one INTx line), checked as Linux's kvaser_pci.c
 * sees them.
 */

#include "qemu/osdep.h"
#include "hw/pci/pci_regs.h"
#include "qobject/qdict.h"
#include "can-pci-board-qtest.h"

/* Kvaser PCIcan (Linux kvaser_pci.c) */
#define KVASER_VENDOR_ID    0x10e8
#define KVASER_DEVICE_ID    0x8406
#define KVASER_S5920_BAR    0
#define KVASER_SJA_BAR      1
#define KVASER_XILINX_BAR   2
#define KVASER_CHANNEL_SIZE 0x20
#define KVASER_MAX_CHANNELS 4
#define S5920_INTCSR        0x38
#define S5920_PTCR          0x60
#define INTCSR_ADDON_INTEN  (1u << 13)
#define INTCSR_INT_ASSERTED (1u << 23)
#define XILINX_VERINT       7


typedef SJAChan Chan;

static void kvaser_start(Board *b, const char *props)
{
    g_autofree char *devices =
        g_strdup_printf("-object can-bus,id=b0 -object can-bus,id=b1 "
                        "-device kvaser_pci,addr=0x%x,%s", BOARD_SLOT, props);

    board_start(b, devices, 3);
}

static Chan kvaser_chan(Board *b, unsigned i)
{
    return (Chan) {
        .dev = b->dev, .bar = b->bar[KVASER_SJA_BAR],
        .base = i * KVASER_CHANNEL_SIZE,
    };
}

static void intcsr_write(Board *b, uint32_t value)
{
    qpci_io_writel(b->dev, b->bar[KVASER_S5920_BAR], S5920_INTCSR, value);
}

/*
 * PCI identity
 */

static void test_pci_identity(void)
{
    Board b;

    kvaser_start(&b, "canbus0=b0");
    g_assert_cmphex(qpci_config_readw(b.dev, PCI_VENDOR_ID), ==,
                    KVASER_VENDOR_ID);
    g_assert_cmphex(qpci_config_readw(b.dev, PCI_DEVICE_ID), ==,
                    KVASER_DEVICE_ID);
    g_assert_cmphex(qpci_config_readw(b.dev, PCI_CLASS_DEVICE), ==, 0x0c09);
    g_assert_cmpuint(qpci_config_readb(b.dev, PCI_INTERRUPT_PIN), ==, 1);
    g_assert_cmphex(qpci_config_readl(b.dev, PCI_BASE_ADDRESS_0) &
                    PCI_BASE_ADDRESS_SPACE, ==, PCI_BASE_ADDRESS_SPACE_IO);
    g_assert_cmphex(qpci_config_readl(b.dev, PCI_BASE_ADDRESS_1) &
                    PCI_BASE_ADDRESS_SPACE, ==, PCI_BASE_ADDRESS_SPACE_IO);
    g_assert_cmphex(qpci_config_readl(b.dev, PCI_BASE_ADDRESS_2) &
                    PCI_BASE_ADDRESS_SPACE, ==, PCI_BASE_ADDRESS_SPACE_IO);
    g_assert_cmphex(b.bar_size[KVASER_S5920_BAR], ==, 0x80);
    g_assert_cmphex(b.bar_size[KVASER_SJA_BAR], ==, 0x80);
    g_assert_cmphex(b.bar_size[KVASER_XILINX_BAR], ==, 8);
    board_stop(&b);
}

/* kvaser_pci.c reads the Xilinx version from the high nibble of byte 7 */
static void test_xilinx_version_register(void)
{
    Board b;

    kvaser_start(&b, "canbus0=b0");
    g_assert_cmphex(qpci_io_readb(b.dev, b.bar[KVASER_XILINX_BAR],
                                  XILINX_VERINT) >> 4, ==, 1);
    board_stop(&b);
}

/*
 * The S5920's INTCSR comes out of reset with the add-on interrupt
 * pass-through off; the driver sets bit 13 and programs PTCR.
 */
static void test_s5920_intcsr_and_ptcr(void)
{
    Board b;
    QPCIBar s5920;

    kvaser_start(&b, "canbus0=b0");
    s5920 = b.bar[KVASER_S5920_BAR];
    g_assert_cmphex(qpci_io_readl(b.dev, s5920, S5920_INTCSR) &
                    INTCSR_ADDON_INTEN, ==, 0);
    intcsr_write(&b, INTCSR_ADDON_INTEN);
    g_assert_cmphex(qpci_io_readl(b.dev, s5920, S5920_INTCSR) &
                    INTCSR_ADDON_INTEN, ==, INTCSR_ADDON_INTEN);
    /* the mailbox selects and the enable stick; status bits do not */
    intcsr_write(&b, 0xffffffff);
    g_assert_cmphex(qpci_io_readl(b.dev, s5920, S5920_INTCSR), ==, 0x3f1f);
    qpci_io_writel(b.dev, s5920, S5920_PTCR, 0x80808080);
    g_assert_cmphex(qpci_io_readl(b.dev, s5920, S5920_PTCR), ==, 0x80808080);
    board_stop(&b);
}

/* A system reset turns the add-on interrupt pass-through off again */
static void test_system_reset_clears_intcsr(void)
{
    Board b;
    QDict *rsp;

    kvaser_start(&b, "canbus0=b0");
    intcsr_write(&b, INTCSR_ADDON_INTEN);
    rsp = qtest_qmp(b.qts, "{'execute': 'system_reset'}");
    g_assert(qdict_haskey(rsp, "return"));
    qobject_unref(rsp);
    qtest_qmp_eventwait(b.qts, "RESET");
    qpci_device_enable(b.dev);
    b.bar[KVASER_S5920_BAR] = qpci_iomap(b.dev, KVASER_S5920_BAR, NULL);
    g_assert_cmphex(qpci_io_readl(b.dev, b.bar[KVASER_S5920_BAR],
                                  S5920_INTCSR) & INTCSR_ADDON_INTEN, ==, 0);
    board_stop(&b);
}

/*
 * Channel detection as kvaser_pci.c does it: for each 0x20 slot write
 * MOD (CR in BasicCAN, the same reset bit) = 1 and stop at the first slot
 * that does not read bit 0 back.
 */
static void test_probe_finds_channels(const void *data)
{
    unsigned channels = GPOINTER_TO_UINT(data);
    g_autofree char *props = g_strdup_printf("channels=%u,canbus0=b0",
                                             channels);
    Board b;
    unsigned found;

    kvaser_start(&b, props);
    for (found = 0; found < KVASER_MAX_CHANNELS; found++) {
        Chan c = kvaser_chan(&b, found);

        sja_wr(&c, A_MOD, R_MOD_RM_MASK);
        if (!(sja_rd(&c, A_MOD) & R_MOD_RM_MASK)) {
            break;
        }
    }
    g_assert_cmpuint(found, ==, channels);
    board_stop(&b);
}

/* The slots of absent chips read 0 and ignore writes */
static void test_absent_channel_slots_read_0(void)
{
    Board b;
    unsigned i, reg;

    kvaser_start(&b, "channels=1,canbus0=b0");
    for (i = 1; i < KVASER_MAX_CHANNELS; i++) {
        Chan c = kvaser_chan(&b, i);

        sja_wr(&c, A_CDR, R_CDR_PELICAN_MASK);
        sja_wr(&c, A_MOD, R_MOD_RM_MASK);
        sja_wr(&c, A_EWLR, 0x55);
        for (reg = 0; reg < KVASER_CHANNEL_SIZE; reg++) {
            g_assert_cmphex(sja_rd(&c, reg), ==, 0);
        }
    }
    board_stop(&b);
}

/*
 * Interrupts: a channel with an interrupt pending drives the board's INTx
 * only while INTCSR enables the add-on interrupt pass-through.  A chip in
 * self-test mode receiving its own frame (SRR) keeps RI until RRB.
 */
static void test_channel_interrupt_needs_intcsr_addon_enable(void)
{
    Board b;
    Chan c;

    kvaser_start(&b, "canbus0=b0");
    intx_route(&b);
    c = kvaser_chan(&b, 0);
    sja_pelican_setup(&c, R_MOD_STM_MASK, R_IR_RI_MASK);
    g_assert_false(intx(&b));

    board_send_std(&b, &c, 0x10, 0x01, R_CMR_SRR_MASK);
    g_assert_cmphex(sja_rd(&c, A_SR) & R_SR_RBS_MASK, ==, R_SR_RBS_MASK);
    g_assert_false(intx(&b));
    intcsr_write(&b, INTCSR_ADDON_INTEN);
    g_assert_true(intx(&b));
    intcsr_write(&b, 0);
    g_assert_false(intx(&b));
    intcsr_write(&b, INTCSR_ADDON_INTEN);
    g_assert_true(intx(&b));
    sja_wr(&c, A_CMR, R_CMR_RRB_MASK);
    g_assert_false(intx(&b));
    board_stop(&b);
}

static bool intcsr_int_asserted(Board *b)
{
    return qpci_io_readl(b->dev, b->bar[KVASER_S5920_BAR], S5920_INTCSR) &
           INTCSR_INT_ASSERTED;
}

/*
 * INTCSR bit 23, "interrupt asserted", is read-only and follows INTA#: a
 * driver that looks at it before it services the channels must see 1 for
 * a pending interrupt of any channel, and 0 once that is served.
 */
static void test_intcsr_bit23_follows_intx(const void *data)
{
    unsigned channels = GPOINTER_TO_UINT(data);
    g_autofree char *props = g_strdup_printf("channels=%u", channels);
    Board b;
    unsigned i;

    kvaser_start(&b, props);
    intx_route(&b);
    intcsr_write(&b, INTCSR_ADDON_INTEN | INTCSR_INT_ASSERTED);
    g_assert_false(intcsr_int_asserted(&b));
    for (i = 0; i < channels; i++) {
        Chan c = kvaser_chan(&b, i);

        sja_pelican_setup(&c, R_MOD_STM_MASK, R_IR_RI_MASK);
        g_assert_false(intcsr_int_asserted(&b));
        board_send_std(&b, &c, 0x20 + i, i, R_CMR_SRR_MASK);
        g_assert_true(intx(&b));
        g_assert_true(intcsr_int_asserted(&b));
        /* the pass-through off takes INTA# and the bit down together */
        intcsr_write(&b, 0);
        g_assert_false(intx(&b));
        g_assert_false(intcsr_int_asserted(&b));
        intcsr_write(&b, INTCSR_ADDON_INTEN);
        g_assert_true(intcsr_int_asserted(&b));
        sja_wr(&c, A_CMR, R_CMR_RRB_MASK);
        g_assert_false(intx(&b));
        g_assert_false(intcsr_int_asserted(&b));
    }
    board_stop(&b);
}

/*
 * Both channels of a PCIcan-D share INTx: it stays asserted until every
 * channel's interrupt is cleared, in either order.
 */
static void test_shared_intx_until_both_channels_cleared(void)
{
    Board b;
    Chan c0, c1;

    /* separate buses, so each channel hears only itself */
    kvaser_start(&b, "channels=2,canbus0=b0,canbus1=b1");
    intx_route(&b);
    intcsr_write(&b, INTCSR_ADDON_INTEN);
    c0 = kvaser_chan(&b, 0);
    c1 = kvaser_chan(&b, 1);
    sja_pelican_setup(&c0, R_MOD_STM_MASK, R_IR_RI_MASK);
    sja_pelican_setup(&c1, R_MOD_STM_MASK, R_IR_RI_MASK);
    g_assert_false(intx(&b));

    board_send_std(&b, &c0, 0x10, 0x01, R_CMR_SRR_MASK);
    board_send_std(&b, &c1, 0x11, 0x02, R_CMR_SRR_MASK);
    g_assert_true(intx(&b));
    sja_wr(&c0, A_CMR, R_CMR_RRB_MASK);
    g_assert_true(intx(&b));
    sja_wr(&c1, A_CMR, R_CMR_RRB_MASK);
    g_assert_false(intx(&b));

    board_send_std(&b, &c0, 0x10, 0x03, R_CMR_SRR_MASK);
    board_send_std(&b, &c1, 0x11, 0x04, R_CMR_SRR_MASK);
    sja_wr(&c1, A_CMR, R_CMR_RRB_MASK);
    g_assert_true(intx(&b));
    intcsr_write(&b, 0);
    g_assert_false(intx(&b));
    intcsr_write(&b, INTCSR_ADDON_INTEN);
    g_assert_true(intx(&b));
    sja_wr(&c0, A_CMR, R_CMR_RRB_MASK);
    g_assert_false(intx(&b));
    board_stop(&b);
}

/* Each of a PCIcan-Q's four channels drives the board's INTx */
static void test_every_channel_of_4_drives_intx(void)
{
    Board b;
    unsigned i;

    kvaser_start(&b, "channels=4");
    intx_route(&b);
    intcsr_write(&b, INTCSR_ADDON_INTEN);
    for (i = 0; i < 4; i++) {
        Chan c = kvaser_chan(&b, i);

        sja_pelican_setup(&c, R_MOD_STM_MASK, R_IR_RI_MASK);
        g_assert_false(intx(&b));
        board_send_std(&b, &c, 0x20 + i, i, R_CMR_SRR_MASK);
        g_assert_cmpuint(sja_rd(&c, A_RMC), ==, 1);
        g_assert_true(intx(&b));
        sja_wr(&c, A_CMR, R_CMR_RRB_MASK);
        g_assert_false(intx(&b));
    }
    board_stop(&b);
}

/*
 * Buses: two channels on one bus talk to each other; on different buses
 * they do not hear each other (and a lone sender gets no acknowledge).
 */
static void test_channels_on_one_bus_talk(void)
{
    Board b;
    Chan c0, c1;

    kvaser_start(&b, "channels=2,canbus0=b0,canbus1=b0");
    c0 = kvaser_chan(&b, 0);
    c1 = kvaser_chan(&b, 1);
    check_channels_talk(&b, &c0, &c1);
    board_stop(&b);
}

static void test_channels_on_different_buses_are_isolated(void)
{
    Board b;
    Chan c0, c1;

    kvaser_start(&b, "channels=2,canbus0=b0,canbus1=b1");
    c0 = kvaser_chan(&b, 0);
    c1 = kvaser_chan(&b, 1);
    sja_pelican_setup(&c0, 0, R_IR_BEI_MASK);
    sja_pelican_setup(&c1, R_MOD_STM_MASK, 0);
    board_send_std(&b, &c0, 0x123, 0x5a, R_CMR_TR_MASK | R_CMR_AT_MASK);
    g_assert_cmphex(sja_rd(&c0, A_SR) & (R_SR_TBS_MASK | R_SR_TCS_MASK), ==,
                    R_SR_TBS_MASK);
    g_assert_cmphex(sja_rd(&c0, A_IR), ==, R_IR_BEI_MASK);
    /* alone on b1, c1 receives its own sentinel: the first frame it holds */
    board_send(&b, &c1, &can_sentinel, R_CMR_SRR_MASK);
    g_assert_cmpuint(sja_rd(&c1, A_RMC), ==, 1);
    sja_assert_next_rx(&c1, &can_sentinel);
    board_stop(&b);
}

/* upstream QEMU's canbus= keeps naming channel 0's bus */
static void test_canbus_alias_names_channel_0_bus(void)
{
    Board b;
    Chan c0, peer;
    QPCIDevice *dev2;

    kvaser_start(&b, "canbus=b0 -device kvaser_pci,addr=0x5,canbus0=b0");
    dev2 = qpci_device_find(b.bus, QPCI_DEVFN(BOARD_SLOT + 1, 0));
    g_assert(dev2);
    qpci_device_enable(dev2);
    c0 = kvaser_chan(&b, 0);
    peer = (Chan) { .dev = dev2, .bar = qpci_iomap(dev2, KVASER_SJA_BAR,
                                                   NULL) };
    sja_pelican_setup(&c0, 0, 0);
    sja_pelican_setup(&peer, 0, 0);
    board_send_std(&b, &c0, 0x321, 0x99, R_CMR_TR_MASK);
    g_assert_cmphex(sja_rd(&c0, A_SR) & R_SR_TCS_MASK, ==, R_SR_TCS_MASK);
    g_assert_cmpuint(sja_rd(&peer, A_RMC), ==, 1);
    g_free(dev2);
    board_stop(&b);
}

/*
 * Bad command lines: QEMU must refuse to start, saying why.
 */

typedef struct BadCmdline {
    const char *name;
    const char *args;
    const char *stderr_pattern;
} BadCmdline;

static const BadCmdline bad_cmdlines[] = {
    {
        "channels-0-is-rejected",
        "-object can-bus,id=b0 -device kvaser_pci,channels=0,canbus0=b0",
        "*channels=0 is not possible: this board has *channels*",
    }, {
        "channels-3-is-rejected",
        "-object can-bus,id=b0 -device kvaser_pci,channels=3,canbus0=b0",
        "*channels=3 is not possible: this board has *channels*",
    }, {
        "channels-5-is-rejected",
        "-object can-bus,id=b0 -device kvaser_pci,channels=5,canbus0=b0",
        "*channels=5 is not possible: this board has *channels*",
    }, {
        "canbus-beyond-the-channels-is-rejected",
        "-object can-bus,id=b0 -device kvaser_pci,channels=2,canbus2=b0",
        "*canbus2 is set but the board has only 2 channels*",
    }, {
        "unknown-bus-is-rejected",
        "-device kvaser_pci,canbus0=nosuchbus",
        "*there is no can-bus with id 'nosuchbus'*",
    }, {
        "duplicate-bus-id-is-rejected",
        "-object can-bus,id=b0 -object can-bus,id=b0 "
        "-device kvaser_pci,canbus0=b0",
        "*Duplicate ID 'b0'*",
    },
};

/*
 * The child runs QEMU itself (libqtest would wait for a QEMU that never
 * connects); a command line QEMU wrongly accepts shows as a timeout.
 */
static void test_bad_cmdline(const void *data)
{
    const BadCmdline *bad = data;

    if (g_test_subprocess()) {
        g_autofree char *cmd =
            g_strdup_printf("exec %s -machine pc -nodefaults -display none "
                            "-S -accel qtest %s",
                            g_getenv("QTEST_QEMU_BINARY"), bad->args);

        execl("/bin/sh", "sh", "-c", cmd, NULL);
        g_assert_not_reached();
    }
    g_test_trap_subprocess(NULL, 10 * G_USEC_PER_SEC, 0);
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr(bad->stderr_pattern);
}

int main(int argc, char **argv)
{
    static const unsigned channels[] = { 1, 2, 4 };
    size_t i;

    g_test_init(&argc, &argv, NULL);
    /* a failing check marks its test failed; the others still run */
    g_test_set_nonfatal_assertions();

    qtest_add_func("/can-kvaser/pci-identity", test_pci_identity);
    qtest_add_func("/can-kvaser/xilinx-version-register",
                   test_xilinx_version_register);
    qtest_add_func("/can-kvaser/s5920-intcsr-and-ptcr",
                   test_s5920_intcsr_and_ptcr);
    for (i = 0; i < ARRAY_SIZE(channels); i++) {
        g_autofree char *path =
            g_strdup_printf("/can-kvaser/probe-finds-%u-channel%s",
                            channels[i], channels[i] == 1 ? "" : "s");

        qtest_add_data_func(path, GUINT_TO_POINTER(channels[i]),
                            test_probe_finds_channels);
    }
    for (i = 0; i < ARRAY_SIZE(channels); i++) {
        g_autofree char *path =
            g_strdup_printf("/can-kvaser/intcsr-bit23-follows-intx/"
                            "%u-channel%s", channels[i],
                            channels[i] == 1 ? "" : "s");

        qtest_add_data_func(path, GUINT_TO_POINTER(channels[i]),
                            test_intcsr_bit23_follows_intx);
    }
    qtest_add_func("/can-kvaser/absent-channel-slots-read-0",
                   test_absent_channel_slots_read_0);
    qtest_add_func("/can-kvaser/channel-interrupt-needs-intcsr-addon-enable",
                   test_channel_interrupt_needs_intcsr_addon_enable);
    qtest_add_func("/can-kvaser/shared-intx-until-both-channels-cleared",
                   test_shared_intx_until_both_channels_cleared);
    qtest_add_func("/can-kvaser/every-channel-of-4-drives-intx",
                   test_every_channel_of_4_drives_intx);
    qtest_add_func("/can-kvaser/channels-on-one-bus-talk",
                   test_channels_on_one_bus_talk);
    qtest_add_func("/can-kvaser/channels-on-different-buses-are-isolated",
                   test_channels_on_different_buses_are_isolated);
    qtest_add_func("/can-kvaser/canbus-alias-names-channel-0-bus",
                   test_canbus_alias_names_channel_0_bus);
    qtest_add_func("/can-kvaser/system-reset-clears-intcsr",
                   test_system_reset_clears_intcsr);
    for (i = 0; i < ARRAY_SIZE(bad_cmdlines); i++) {
        g_autofree char *path =
            g_strdup_printf("/can-kvaser/bad-cmdline/%s",
                            bad_cmdlines[i].name);

        qtest_add_data_func(path, &bad_cmdlines[i], test_bad_cmdline);
    }

    return g_test_run();
}
