/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the CAN qtests share about the CTU CAN FD core: its registers (CTU
 * CAN FD IP core datasheet, 32-bit access) and the layout of a frame in a
 * TX buffer and in RX_DATA.
 */

#ifndef CAN_CTUCAN_QTEST_H
#define CAN_CTUCAN_QTEST_H

#define CTU_DEVICE_ID           0x00
#define CTU_MODE                0x04    /* MODE, SETTINGS in the high half */
#define CTU_RX_STATUS           0x68
#define CTU_RX_DATA             0x6c
#define CTU_TX_COMMAND          0x74
#define CTU_TX_PRIORITY         0x78
#define CTU_TXTB(n)             (0x100 * ((n) + 1))    /* TX buffer n */

#define CTU_ID                  0xcafd
#define MODE_FDE                (1u << 4)
#define SETTINGS_ENA            (1u << 22)
#define RX_STATUS_RXFRC(v)      (((v) >> 4) & 0x7ff)
#define TX_COMMAND_TXCR         (1u << 1)
#define TX_COMMAND_TXB(n)       (1u << (8 + (n)))

/* Frame format word, the first of a TX buffer and of a frame in RX_DATA */
#define FFW_DLC(v)              ((v) & 0xf)
#define FFW_RTR                 (1u << 5)
#define FFW_IDE                 (1u << 6)
#define FFW_FDF                 (1u << 7)
#define FFW_BRS                 (1u << 9)
#define FFW_ESI                 (1u << 10)
#define FFW_RWCNT_SHIFT         11
#define FFW_RWCNT(v)            (((v) >> FFW_RWCNT_SHIFT) & 0x1f)
#define FFW_FLAGS               (FFW_RTR | FFW_IDE | FFW_FDF | FFW_BRS | \
                                 FFW_ESI)
/* Identifier word: base identifier in 28..18, extension in 17..0 */
#define IDW_BASE_SHIFT          18
#define FRAME_HEADER_WORDS      4       /* format, identifier, timestamp */

#endif
