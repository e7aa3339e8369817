/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QTest for the PEAK PCAN-PCI board (peak_pcan_pci): its PCI identity and
 * BARs, the channel count the Linux peak_pci driver reads from the
 * subsystem id, the channel slots, and the PITA-2 bridge's interrupt
 * latch, enables and local reset as that driver uses them.
 */

#include "qemu/osdep.h"
#include "hw/pci/pci_regs.h"
#include "can-pci-board-qtest.h"

#define PEAK_VENDOR_ID      0x001c
#define PEAK_PCAN_PCI_ID    0x0001
#define PEAK_PITA_BAR       0
#define PEAK_SJA_BAR        1
#define PEAK_CHANNEL_SIZE   0x400
#define PEAK_MAX_CHANNELS   4

/* PITA-2 registers (peak_pci.c) */
#define PITA_ICR            0x00    /* status 15..0, enables 31..16 */
#define PITA_GPIOICR        0x18
#define PITA_MISC           0x1c

/* the ICR bit of each channel's interrupt, as peak_pci.c acknowledges */
static const uint16_t icr_bit[PEAK_MAX_CHANNELS] = { 0x02, 0x01, 0x40, 0x80 };

static void peak_start(Board *b, unsigned channels)
{
    g_autofree char *devices =
        g_strdup_printf("-object can-bus,id=canbus0 "
                        "-device peak_pcan_pci,addr=0x%x,channels=%u,"
                        "canbus=canbus0", BOARD_SLOT, channels);

    board_start(b, devices, 2);
}

static SJAChan peak_chan(Board *b, unsigned i)
{
    return (SJAChan) {
        .dev = b->dev, .bar = b->bar[PEAK_SJA_BAR],
        .base = i * PEAK_CHANNEL_SIZE, .shift = 2,
    };
}

static uint16_t icr_status(Board *b)
{
    return qpci_io_readw(b->dev, b->bar[PEAK_PITA_BAR], PITA_ICR);
}

static void icr_enable(Board *b, uint16_t enables)
{
    qpci_io_writew(b->dev, b->bar[PEAK_PITA_BAR], PITA_ICR + 2, enables);
}

static void icr_clear(Board *b, uint16_t bits)
{
    qpci_io_writew(b->dev, b->bar[PEAK_PITA_BAR], PITA_ICR, bits);
}

/* peak_pci.c: channels = 4 from subsystem id 12, 3 from 10, 2 from 4 */
static unsigned driver_channel_count(uint16_t subsystem_id)
{
    return subsystem_id >= 12 ? 4 : subsystem_id >= 10 ? 3 :
           subsystem_id >= 4 ? 2 : 1;
}

static void test_pci_identity(void)
{
    Board b;

    peak_start(&b, 1);
    g_assert_cmphex(qpci_config_readw(b.dev, PCI_VENDOR_ID), ==,
                    PEAK_VENDOR_ID);
    g_assert_cmphex(qpci_config_readw(b.dev, PCI_DEVICE_ID), ==,
                    PEAK_PCAN_PCI_ID);
    g_assert_cmphex(qpci_config_readw(b.dev, PCI_SUBSYSTEM_VENDOR_ID), ==,
                    PEAK_VENDOR_ID);
    g_assert_cmpuint(qpci_config_readb(b.dev, PCI_INTERRUPT_PIN), ==, 1);
    g_assert_cmphex(qpci_config_readl(b.dev, PCI_BASE_ADDRESS_0) &
                    PCI_BASE_ADDRESS_SPACE, ==, PCI_BASE_ADDRESS_SPACE_MEMORY);
    g_assert_cmphex(qpci_config_readl(b.dev, PCI_BASE_ADDRESS_1) &
                    PCI_BASE_ADDRESS_SPACE, ==, PCI_BASE_ADDRESS_SPACE_MEMORY);
    g_assert_cmphex(b.bar_size[PEAK_PITA_BAR], ==, 0x1000);
    g_assert_cmphex(b.bar_size[PEAK_SJA_BAR], >=,
                    PEAK_MAX_CHANNELS * PEAK_CHANNEL_SIZE);
    board_stop(&b);
}

/*
 * The driver does not probe: it sets up as many channels as the
 * subsystem id says, so that must be channels=; each of them is a chip
 * (sja1000_probe_chip: MOD.RM reads back), the slots beyond read 0.
 */
static void test_channel_count_and_probe(const void *data)
{
    unsigned channels = GPOINTER_TO_UINT(data);
    Board b;
    unsigned i;

    peak_start(&b, channels);
    g_assert_cmpuint(driver_channel_count(
                         qpci_config_readw(b.dev, PCI_SUBSYSTEM_ID)), ==,
                     channels);
    for (i = 0; i < PEAK_MAX_CHANNELS; i++) {
        SJAChan c = peak_chan(&b, i);

        sja_wr(&c, A_MOD, R_MOD_RM_MASK);
        g_assert_cmphex(sja_rd(&c, A_MOD) & R_MOD_RM_MASK, ==,
                        i < channels ? R_MOD_RM_MASK : 0);
    }
    board_stop(&b);
}

/*
 * peak_pci.c's set-up: GPIO direction and outputs, a pulse on MISC bit 24
 * (the channels' reset), then MISC 0x04 << 24.  The pulse puts a channel
 * that was running back to its hardware reset state (BasicCAN, CR 0x21).
 */
static void test_misc_reset_resets_channels(void)
{
    Board b;
    SJAChan c;

    peak_start(&b, 2);
    c = peak_chan(&b, 1);
    sja_pelican_setup(&c, 0, 0);
    qpci_io_writew(b.dev, b.bar[PEAK_PITA_BAR], PITA_GPIOICR + 2, 0x0005);
    qpci_io_writeb(b.dev, b.bar[PEAK_PITA_BAR], PITA_GPIOICR, 0x00);
    g_assert_cmphex(qpci_io_readl(b.dev, b.bar[PEAK_PITA_BAR], PITA_GPIOICR),
                    ==, 0x00050000);
    g_assert_cmphex(sja_rd(&c, A_MOD), ==, 0);
    qpci_io_writeb(b.dev, b.bar[PEAK_PITA_BAR], PITA_MISC + 3, 0x05);
    qpci_io_writeb(b.dev, b.bar[PEAK_PITA_BAR], PITA_MISC + 3, 0x04);
    g_assert_cmphex(qpci_io_readl(b.dev, b.bar[PEAK_PITA_BAR], PITA_MISC),
                    ==, 0x04000000);
    g_assert_cmphex(sja_rd(&c, A_CDR) & R_CDR_PELICAN_MASK, ==, 0);
    g_assert_cmphex(sja_rd(&c, A_CR), ==, 0x21);
    board_stop(&b);
}

/*
 * Each channel's INT# latches its own ICR bit, whether enabled or not;
 * INTx follows the enabled latched bits.  The latch outlives the chip's
 * interrupt (the driver reads IR first, then clears ICR), and a clear
 * while the chip still interrupts latches the bit again.
 */
static void test_icr_latches_channel_interrupts(const void *data)
{
    unsigned channels = GPOINTER_TO_UINT(data);
    Board b;
    unsigned i;

    peak_start(&b, channels);
    intx_route(&b);
    g_assert_cmphex(icr_status(&b), ==, 0);
    for (i = 0; i < channels; i++) {
        SJAChan c = peak_chan(&b, i);

        sja_pelican_setup(&c, R_MOD_STM_MASK, R_IR_TI_MASK);
        icr_enable(&b, 0);
        board_send_std(&b, &c, 0x100 + i, i, R_CMR_SRR_MASK);
        g_assert_cmphex(icr_status(&b), ==, icr_bit[i]);
        g_assert_false(intx(&b));
        /* enabling another channel's bit does not pass this one on */
        icr_enable(&b, icr_bit[(i + 1) % PEAK_MAX_CHANNELS]);
        g_assert_false(intx(&b));
        icr_enable(&b, icr_bit[i]);
        g_assert_true(intx(&b));

        /* a clear while IR.TI is still set latches the bit again */
        icr_clear(&b, icr_bit[i]);
        g_assert_cmphex(icr_status(&b), ==, icr_bit[i]);
        g_assert_true(intx(&b));

        /* the driver's order: serve the chip, then clear its ICR bit */
        g_assert_cmphex(sja_rd(&c, A_IR), ==, R_IR_TI_MASK);
        g_assert_cmphex(icr_status(&b), ==, icr_bit[i]);
        g_assert_true(intx(&b));
        icr_clear(&b, icr_bit[i]);
        g_assert_cmphex(icr_status(&b), ==, 0);
        g_assert_false(intx(&b));
    }
    board_stop(&b);
}

/* The ICR enables are the high word; writing the status word keeps them */
static void test_icr_enables_read_back(void)
{
    Board b;

    peak_start(&b, 4);
    icr_enable(&b, 0x00c3);
    icr_clear(&b, 0xffff);
    g_assert_cmphex(qpci_io_readl(b.dev, b.bar[PEAK_PITA_BAR], PITA_ICR), ==,
                    0x00c30000);
    board_stop(&b);
}

/* Frames between two channels on one bus */
static void test_channels_on_one_bus_talk(void)
{
    Board b;
    SJAChan c0, c1;

    board_start(&b, "-object can-bus,id=canbus0 "
                "-device peak_pcan_pci,addr=0x4,channels=2,"
                "canbus0=canbus0,canbus1=canbus0", 2);
    c0 = peak_chan(&b, 0);
    c1 = peak_chan(&b, 1);
    check_channels_talk(&b, &c0, &c1);
    board_stop(&b);
}

/* channels=3 exists in the driver's table but not as a PCAN-PCI */
static void test_channels_3_is_rejected(void)
{
    if (g_test_subprocess()) {
        g_autofree char *cmd =
            g_strdup_printf("exec %s -machine pc -nodefaults -display none "
                            "-S -accel qtest -device peak_pcan_pci,channels=3",
                            g_getenv("QTEST_QEMU_BINARY"));

        execl("/bin/sh", "sh", "-c", cmd, NULL);
        g_assert_not_reached();
    }
    g_test_trap_subprocess(NULL, 10 * G_USEC_PER_SEC, 0);
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr("*channels=3 is not possible: this board has "
                              "1, 2 or 4 channels*");
}

int main(int argc, char **argv)
{
    static const unsigned channels[] = { 1, 2, 4 };
    size_t i;

    g_test_init(&argc, &argv, NULL);
    g_test_set_nonfatal_assertions();

    qtest_add_func("/can-peak-pci/pci-identity", test_pci_identity);
    for (i = 0; i < ARRAY_SIZE(channels); i++) {
        g_autofree char *probe =
            g_strdup_printf("/can-peak-pci/channel-count-and-probe/%u",
                            channels[i]);
        g_autofree char *icr =
            g_strdup_printf("/can-peak-pci/icr-latches-channel-interrupts/%u",
                            channels[i]);

        qtest_add_data_func(probe, GUINT_TO_POINTER(channels[i]),
                            test_channel_count_and_probe);
        qtest_add_data_func(icr, GUINT_TO_POINTER(channels[i]),
                            test_icr_latches_channel_interrupts);
    }
    qtest_add_func("/can-peak-pci/misc-reset-resets-channels",
                   test_misc_reset_resets_channels);
    qtest_add_func("/can-peak-pci/icr-enables-read-back",
                   test_icr_enables_read_back);
    qtest_add_func("/can-peak-pci/channels-on-one-bus-talk",
                   test_channels_on_one_bus_talk);
    qtest_add_func("/can-peak-pci/channels-3-is-rejected",
                   test_channels_3_is_rejected);
    return g_test_run();
}
