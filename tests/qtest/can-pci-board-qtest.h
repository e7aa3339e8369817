/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the qtests of the PCI CAN boards share: a pc machine with the board
 * under test in slot 4, its BARs mapped as firmware would, and a frame
 * sent from one of its SJA1000 channels.
 */

#ifndef CAN_PCI_BOARD_QTEST_H
#define CAN_PCI_BOARD_QTEST_H

#include "libqtest.h"
#include "libqos/pci-pc.h"
#include "hw/pci/pci_regs.h"
#include "can-sja1000-frame.h"

#define BOARD_SLOT          4
/* PIIX3 routes all four PCI interrupt lines to ISA IRQ / GSI 11 here */
#define PIIX3_DEVFN         QPCI_DEVFN(1, 0)
#define PIIX3_PIRQRC        0x60
#define INTX_GSI            11
#define BOARD_MAX_BARS      3

typedef struct Board {
    QTestState *qts;
    QPCIBus *bus;
    QPCIDevice *dev;
    QPCIBar bar[BOARD_MAX_BARS];
    uint64_t bar_size[BOARD_MAX_BARS];
} Board;

/* Start QEMU with @devices and map BARs 0..@bars-1 of the board in slot 4 */
static inline void board_start(Board *b, const char *devices, int bars)
{
    int i;

    g_assert_cmpint(bars, <=, BOARD_MAX_BARS);
    memset(b, 0, sizeof(*b));
    b->qts = qtest_initf("-machine pc -nodefaults %s", devices);
    b->bus = qpci_new_pc(b->qts, NULL);
    b->dev = qpci_device_find(b->bus, QPCI_DEVFN(BOARD_SLOT, 0));
    g_assert(b->dev);
    qpci_device_enable(b->dev);
    for (i = 0; i < bars; i++) {
        b->bar[i] = qpci_iomap(b->dev, i, &b->bar_size[i]);
    }
}

static inline void board_stop(Board *b)
{
    g_free(b->dev);
    qpci_free_pc(b->bus);
    qtest_quit(b->qts);
}

/*
 * What firmware does on a pc machine: route PIRQA..D to IRQ 11 in the
 * PIIX3 and tell the device; then watch the IOAPIC input.
 */
static inline void intx_route(Board *b)
{
    QPCIDevice *piix3 = qpci_device_find(b->bus, PIIX3_DEVFN);
    int i;

    g_assert(piix3);
    for (i = 0; i < 4; i++) {
        qpci_config_writeb(piix3, PIIX3_PIRQRC + i, INTX_GSI);
    }
    g_free(piix3);
    qpci_config_writeb(b->dev, PCI_INTERRUPT_LINE, INTX_GSI);
    qtest_irq_intercept_in(b->qts, "ioapic");
}

static inline bool intx(Board *b)
{
    return qtest_get_irq(b->qts, INTX_GSI);
}

/* Channel @c sends @m with command @cmd; 1 ms lets the bus settle */
static inline void board_send(Board *b, const SJAChan *c, const CanMsg *m,
                              uint8_t cmd)
{
    sja_load_tx(c, m);
    sja_wr(c, A_CMR, cmd);
    qtest_clock_step(b->qts, 1000000);
}

/* A standard data frame: identifier @id, one data byte */
static inline void board_send_std(Board *b, const SJAChan *c, uint16_t id,
                                  uint8_t data, uint8_t cmd)
{
    CanMsg m = { .id = id, .dlc = 1, .data = { data } };

    board_send(b, c, &m, cmd);
}

/*
 * Two channels on one bus: a frame from @c0 is acknowledged and lands in
 * @c1's RX FIFO (id 0x123, data 0x5a)
 */
static inline void check_channels_talk(Board *b, const SJAChan *c0,
                                       const SJAChan *c1)
{
    sja_pelican_setup(c0, 0, 0);
    sja_pelican_setup(c1, 0, 0);
    board_send_std(b, c0, 0x123, 0x5a, R_CMR_TR_MASK);
    g_assert_cmphex(sja_rd(c0, A_SR) & R_SR_TCS_MASK, ==, R_SR_TCS_MASK);
    g_assert_cmpuint(sja_rd(c1, A_RMC), ==, 1);
    g_assert_cmphex(sja_rd(c1, A_FRAME + 1), ==, 0x24);
    g_assert_cmphex(sja_rd(c1, A_FRAME + 3), ==, 0x5a);
}

#endif
