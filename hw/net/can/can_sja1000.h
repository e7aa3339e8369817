/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * NXP SJA1000 stand-alone CAN controller.
 *
 * The chip is a device of its own with 128 one-byte registers, an
 * interrupt output "irq" (active high: the chip's INT# pin inverted) and a
 * "canbus" link.  Boards decode their own address lines into register
 * numbers and combine the interrupts of their channels.
 */

#ifndef HW_NET_CAN_SJA1000_H
#define HW_NET_CAN_SJA1000_H

#include "hw/qdev-core.h"
#include "exec/hwaddr.h"
#include "net/can_emu.h"
#include "hw/net/can_sja1000_regs.h"

#define TYPE_CAN_SJA1000 "can-sja1000"

/* Fault confinement (ISO 11898-1 clause 12) as the chip reports it */
typedef enum SJA1000ErrorState {
    SJA1000_ERROR_ACTIVE,
    SJA1000_ERROR_PASSIVE,
    /* SR.BS, the chip set reset mode and waits for the host to clear it */
    SJA1000_BUS_OFF,
    /* SR.BS, reset mode cleared: TXERR counts 128 bus-free sequences down */
    SJA1000_BUS_OFF_RECOVERY,
} SJA1000ErrorState;
OBJECT_DECLARE_SIMPLE_TYPE(CanSJA1000State, CAN_SJA1000)

struct CanSJA1000State {
    DeviceState parent_obj;

    qemu_irq irq;
    CanBusState *bus;       /* NULL: the chip is alone */
    CanBusClientState bus_client;
    uint32_t clock_hz;
    QEMUTimer *recovery_timer;

    /* registers as the chip holds them */
    uint8_t mod;            /* PeliCAN MOD */
    uint8_t basic_cr;       /* BasicCAN CR bits other than RR */
    uint8_t ir;             /* latched interrupt flags */
    uint8_t ier;
    uint8_t btr0;
    uint8_t btr1;
    uint8_t ocr;
    uint8_t cdr;
    uint8_t ecc;
    uint8_t alc;
    uint8_t ewlr;
    uint8_t acr[4];
    uint8_t amr[4];
    uint8_t tx_buf[SJA1000_TX_BUF_SIZE];
    uint8_t spare_ram[SJA1000_SPARE_RAM];
    uint8_t rx_ram[SJA1000_RX_FIFO_SIZE];   /* the RX FIFO RAM */
    uint8_t rbsa;           /* RBSA: the oldest frame's first byte */
    uint8_t rx_wp;          /* where the next frame received goes */
    uint8_t rx_frames;      /* RMC */

    /* status and protocol state */
    uint16_t tec;           /* may exceed 255 on the way to bus-off */
    uint8_t rec;
    bool tx_busy;           /* !SR.TBS */
    bool tx_complete;       /* SR.TCS */
    bool tx_single_shot;
    bool tx_self_rx;
    bool dos;               /* SR.DOS */
    bool sr_es;             /* SR.ES as last reported */
    uint8_t state;          /* SJA1000ErrorState, as last reported */
    bool ecc_armed;         /* ECC captures the next bus error */
    bool alc_armed;         /* ALC captures the next arbitration loss */
    int64_t recovery_start; /* SJA1000_BUS_OFF_RECOVERY began (ns) */
    /*
     * While migrating: ns from recovery_start to now.  Relative to the
     * stopped clock, like the bus's times, so that it holds whatever the
     * destination's clock reads (qtest's starts again at 0).
     */
    int64_t recovery_elapsed;

    /* counters for the user, not chip state */
    uint64_t rx_overruns;
    uint64_t rx_fd_ignored;
};

/* The chip's state, for the board that carries it to migrate */
extern const VMStateDescription vmstate_can_sja1000;

/* Register access at @addr, 0..SJA1000_ADDR_SPACE - 1 */
uint8_t can_sja1000_read(CanSJA1000State *s, hwaddr addr);
void can_sja1000_write(CanSJA1000State *s, hwaddr addr, uint8_t value);

#endif
