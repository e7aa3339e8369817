/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the CAN qtests share about the NXP SJA1000: its registers (the
 * SJA1000 product specification, "datasheet", with its section numbers),
 * access to one chip through a board's BAR, and the PeliCAN set-up every
 * test that is not about set-up starts from.
 */

#ifndef CAN_SJA1000_QTEST_H
#define CAN_SJA1000_QTEST_H

#include "libqos/pci.h"

/* Registers common to both modes (datasheet 6.5) */
#define REG_BTR0            6
#define REG_BTR1            7
#define REG_OCR             8
#define REG_CDR             31
#define CDR_PELICAN         0x80

/* PeliCAN address layout (datasheet 6.4.1) */
#define REG_MOD             0
#define REG_CMR             1
#define REG_SR              2
#define REG_IR              3
#define REG_IER             4
#define REG_ALC             11
#define REG_ECC             12
#define REG_EWLR            13
#define REG_RXERR           14
#define REG_TXERR           15
#define REG_FRAME           16      /* TX buffer, RX window, ACR0..AMR3 */
#define REG_ACR0            16
#define REG_AMR0            20
#define REG_RMC             29
#define REG_RBSA            30
#define REG_RAM             32      /* internal RAM, RX FIFO first */
#define REG_TX_RAM          96      /* the TX buffer in internal RAM */

#define MOD_RM              0x01
#define MOD_LOM             0x02
#define MOD_STM             0x04
#define MOD_AFM             0x08

#define CMR_TR              0x01
#define CMR_AT              0x02
#define CMR_RRB             0x04
#define CMR_CDO             0x08
#define CMR_SRR             0x10

#define SR_RBS              0x01
#define SR_DOS              0x02
#define SR_TBS              0x04
#define SR_TCS              0x08
#define SR_RS               0x10
#define SR_TS               0x20
#define SR_ES               0x40
#define SR_BS               0x80

/* IR bits; IER enables them bit for bit (datasheet 6.4.7) */
#define IR_RI               0x01
#define IR_TI               0x02
#define IR_EI               0x04
#define IR_DOI              0x08
#define IR_WUI              0x10
#define IR_EPI              0x20
#define IR_ALI              0x40
#define IR_BEI              0x80

#define FI_FF               0x80    /* extended frame */
#define FI_RTR              0x40
#define FI_DLC              0x0f

/* ECC of an ACK error: "other" error, during transmission, ACK slot */
#define ECC_ACK_ERROR       0xd9

/* BasicCAN address layout (datasheet 6.3.1) */
#define REG_CR              0
#define REG_BASIC_ACR       4
#define REG_BASIC_AMR       5
#define REG_BASIC_TXB       10
#define REG_BASIC_RXB       20

#define CR_RR               0x01
#define CR_RIE              0x02
#define CR_TIE              0x04
#define CR_EIE              0x08
#define CR_OIE              0x10
#define BASIC_IR_RESERVED   0xe0

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

    sja_wr(c, REG_MOD, MOD_RM);
    sja_wr(c, REG_CDR, CDR_PELICAN);
    sja_wr(c, REG_MOD, MOD_RM | mod);
    sja_wr(c, REG_BTR0, 0x00);
    sja_wr(c, REG_BTR1, 0x1c);
    sja_wr(c, REG_OCR, 0x1a);
    for (i = 0; i < 4; i++) {
        sja_wr(c, REG_ACR0 + i, acr[i]);
        sja_wr(c, REG_AMR0 + i, amr[i]);
    }
    sja_wr(c, REG_IER, ier);
    sja_wr(c, REG_MOD, mod);
    g_assert_cmphex(sja_rd(c, REG_MOD), ==, mod);
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
