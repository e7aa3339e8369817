/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * NXP SJA1000 stand-alone CAN controller: register map and bit fields, as
 * the SJA1000 product specification ("datasheet", Philips 2000 Jan 04)
 * numbers them.  Shared by the chip model and its qtests.
 */

#ifndef HW_NET_CAN_SJA1000_REGS_H
#define HW_NET_CAN_SJA1000_REGS_H

#include "hw/registerfields.h"

/* One byte per register, 128 addresses */
#define SJA1000_ADDR_SPACE      128
/* Internal RAM (datasheet 6.4.1): RX FIFO, TX buffer, three spare bytes */
#define SJA1000_RX_FIFO_SIZE    64
#define SJA1000_TX_BUF_SIZE     13
#define SJA1000_SPARE_RAM       3

/* Registers common to both modes (datasheet 6.5) */
REG8(BTR0, 6)
    FIELD(BTR0, BRP, 0, 6)          /* tq = 2 (BRP + 1) / f_osc */
    FIELD(BTR0, SJW, 6, 2)
REG8(BTR1, 7)
    FIELD(BTR1, TSEG1, 0, 4)
    FIELD(BTR1, TSEG2, 4, 3)
    FIELD(BTR1, SAM, 7, 1)
REG8(OCR, 8)
    FIELD(OCR, MODE, 0, 2)
    FIELD(OCR, POL0, 2, 1)
    FIELD(OCR, TN0, 3, 1)
    FIELD(OCR, TP0, 4, 1)
    FIELD(OCR, POL1, 5, 1)
    FIELD(OCR, TN1, 6, 1)
    FIELD(OCR, TP1, 7, 1)
REG8(TEST, 9)
REG8(CDR, 31)
    FIELD(CDR, CD, 0, 3)
    FIELD(CDR, CLKOFF, 3, 1)
    FIELD(CDR, RESERVED, 4, 1)      /* cannot be written, reads 0 */
    FIELD(CDR, RXINTEN, 5, 1)
    FIELD(CDR, CBP, 6, 1)
    FIELD(CDR, PELICAN, 7, 1)       /* CAN mode: 1 PeliCAN, 0 BasicCAN */

/* PeliCAN address layout (datasheet 6.4.1) */
REG8(MOD, 0)
    FIELD(MOD, RM, 0, 1)
    FIELD(MOD, LOM, 1, 1)
    FIELD(MOD, STM, 2, 1)
    FIELD(MOD, AFM, 3, 1)
    FIELD(MOD, SM, 4, 1)
REG8(CMR, 1)                        /* BasicCAN's has the same bits */
    FIELD(CMR, TR, 0, 1)
    FIELD(CMR, AT, 1, 1)
    FIELD(CMR, RRB, 2, 1)
    FIELD(CMR, CDO, 3, 1)
    FIELD(CMR, SRR, 4, 1)
    FIELD(CMR, GTS, 4, 1)           /* BasicCAN: go to sleep */
REG8(SR, 2)                         /* BasicCAN's has the same bits */
    FIELD(SR, RBS, 0, 1)
    FIELD(SR, DOS, 1, 1)
    FIELD(SR, TBS, 2, 1)
    FIELD(SR, TCS, 3, 1)
    FIELD(SR, RS, 4, 1)
    FIELD(SR, TS, 5, 1)
    FIELD(SR, ES, 6, 1)
    FIELD(SR, BS, 7, 1)
REG8(IR, 3)                         /* BasicCAN: bits 0..4 as here */
    FIELD(IR, RI, 0, 1)
    FIELD(IR, TI, 1, 1)
    FIELD(IR, EI, 2, 1)
    FIELD(IR, DOI, 3, 1)
    FIELD(IR, WUI, 4, 1)
    FIELD(IR, EPI, 5, 1)
    FIELD(IR, ALI, 6, 1)
    FIELD(IR, BEI, 7, 1)
    FIELD(IR, BASIC_RESERVED, 5, 3) /* BasicCAN: read 1 (6.3.6, Table 6) */
REG8(IER, 4)                        /* enables IR's flags bit for bit */
REG8(ALC, 11)
    FIELD(ALC, BITNO, 0, 5)
REG8(ECC, 12)
    FIELD(ECC, SEG, 0, 5)
    FIELD(ECC, DIR, 5, 1)           /* 1: the error occurred receiving */
    FIELD(ECC, ERRC, 6, 2)
REG8(EWLR, 13)
REG8(RXERR, 14)
REG8(TXERR, 15)
/*
 * 16..28: in operating mode the TX buffer on write and the receive window
 * on read, both starting with the frame information byte; in reset mode
 * ACR0..3 and AMR0..3 at 16..23.
 */
REG8(FRAME, 16)
    FIELD(FRAME, DLC, 0, 4)
    FIELD(FRAME, RTR, 6, 1)
    FIELD(FRAME, FF, 7, 1)          /* extended (29-bit) frame */
REG8(ACR0, 16)
REG8(AMR0, 20)
REG8(RMC, 29)
REG8(RBSA, 30)
    FIELD(RBSA, ADDR, 0, 6)
REG8(RAM, 32)                       /* internal RAM, the RX FIFO first */
REG8(TX_RAM, 96)                    /* the TX buffer in internal RAM */

/* ECC error codes and the segments the model reports (datasheet 6.4.9) */
#define SJA1000_ECC_BIT_ERROR       0
#define SJA1000_ECC_FORM_ERROR      1
#define SJA1000_ECC_STUFF_ERROR     2
#define SJA1000_ECC_OTHER_ERROR     3
#define SJA1000_ECC_SEG_ID28_21     0x02
#define SJA1000_ECC_SEG_ACK_SLOT    0x19

/* BasicCAN address layout (datasheet 6.3.1; CR bits 6.3.3, Table 3) */
REG8(CR, 0)
    FIELD(CR, RR, 0, 1)
    FIELD(CR, RIE, 1, 1)
    FIELD(CR, TIE, 2, 1)
    FIELD(CR, EIE, 3, 1)
    FIELD(CR, OIE, 4, 1)
    /* Table 3 note 3: always reads 1, whatever is written */
    FIELD(CR, ONE, 5, 1)
    /* note 2: PCA82C200's sync mode; reads what was written, kept by reset */
    FIELD(CR, SYNC, 6, 1)
    /* note 1: written as 0, reads 0 */
    FIELD(CR, ZERO, 7, 1)
REG8(BASIC_ACR, 4)
REG8(BASIC_AMR, 5)
/* Descriptor and data, TX buffer at 10..19, receive window at 20..29 */
REG8(BASIC_TXB, 10)
REG8(BASIC_RXB, 20)

/*
 * Frame layouts in the TX buffer and the receive buffer (datasheet
 * 6.3.7, 6.4.13, 6.4.14), byte by byte from the buffer's first byte.
 *
 * PeliCAN: the frame information byte (FRAME fields above), then for a
 * standard frame ID.10..3 and the byte below, for an extended frame
 * ID.28..21, ID.20..13, ID.12..5 and the byte below, then the data.
 */
FIELD(SFF_ID2, RTR, 4, 1)
FIELD(SFF_ID2, ID, 5, 3)            /* ID.2..0 */
FIELD(EFF_ID4, RTR, 2, 1)
FIELD(EFF_ID4, ID, 3, 5)            /* ID.4..0 */
#define SJA1000_SFF_HEADER          3
#define SJA1000_EFF_HEADER          5

/* BasicCAN: descriptor byte 1 is ID.10..3, then this byte, then the data */
FIELD(BASIC_DESC2, DLC, 0, 4)
FIELD(BASIC_DESC2, RTR, 4, 1)
FIELD(BASIC_DESC2, ID, 5, 3)        /* ID.2..0 */
#define SJA1000_BASIC_HEADER        2

#endif
