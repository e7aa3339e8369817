/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the CAN qtests share about the NXP SJA1000: access to one chip
 * through a board's BAR, and the PeliCAN set-up every test that is not
 * about set-up starts from.  The registers are the model's own names
 * (hw/net/can_sja1000_regs.h, from the datasheet).
 */

#ifndef CAN_SJA1000_QTEST_H
#define CAN_SJA1000_QTEST_H

#include "libqos/pci.h"
#include "hw/net/can_sja1000_regs.h"

/* ECC of an ACK error: "other" error, during transmission, ACK slot */
#define ECC_ACK_ERROR       0xd9

/* One SJA1000 behind a board's BAR */
typedef struct SJAChan {
    QPCIDevice *dev;
    QPCIBar bar;
    uint64_t base;
    unsigned shift;         /* register n at base + (n << shift) */
} SJAChan;

static inline uint8_t sja_rd(const SJAChan *c, uint8_t reg)
{
    return qpci_io_readb(c->dev, c->bar, c->base + (reg << c->shift));
}

static inline void sja_wr(const SJAChan *c, uint8_t reg, uint8_t value)
{
    qpci_io_writeb(c->dev, c->bar, c->base + (reg << c->shift), value);
}

/*
 * PeliCAN set-up as Linux's sja1000 driver does it: reset mode, CDR with
 * the PeliCAN bit, 500 kbit/s (16 MHz oscillator, BTR0 0x00, BTR1 0x1c),
 * output control, acceptance filter @acr/@amr, then the interrupt enables
 * @ier and the mode bits @mod with RM cleared.
 */
static inline void sja_pelican_setup_filter(const SJAChan *c, uint8_t mod,
                                            uint8_t ier,
                                            const uint8_t acr[4],
                                            const uint8_t amr[4])
{
    int i;

    sja_wr(c, A_MOD, R_MOD_RM_MASK);
    sja_wr(c, A_CDR, R_CDR_PELICAN_MASK);
    sja_wr(c, A_MOD, R_MOD_RM_MASK | mod);
    sja_wr(c, A_BTR0, 0x00);
    sja_wr(c, A_BTR1, 0x1c);
    sja_wr(c, A_OCR, 0x1a);
    for (i = 0; i < 4; i++) {
        sja_wr(c, A_ACR0 + i, acr[i]);
        sja_wr(c, A_AMR0 + i, amr[i]);
    }
    sja_wr(c, A_IER, ier);
    sja_wr(c, A_MOD, mod);
    g_assert_cmphex(sja_rd(c, A_MOD), ==, mod);
}

/* The same, accepting every frame */
static inline void sja_pelican_setup(const SJAChan *c, uint8_t mod,
                                     uint8_t ier)
{
    static const uint8_t acr[4] = { 0, 0, 0, 0 };
    static const uint8_t amr[4] = { 0xff, 0xff, 0xff, 0xff };

    sja_pelican_setup_filter(c, mod, ier, acr, amr);
}

#endif
