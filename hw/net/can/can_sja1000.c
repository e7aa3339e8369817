/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * NXP SJA1000 stand-alone CAN controller, PeliCAN and BasicCAN modes.
 *
 * Written from the SJA1000 product specification (Philips, 2000 Jan 04) and
 * ISO 11898-1.  The model keeps the chip's own state (RX FIFO RAM with RBSA,
 * TX buffer, error counters) and derives the status register from it, so
 * every register reads what the chip would show at that moment.  Bit timing
 * is not modelled: a frame is on the wire when the bus says so, and a
 * transmission nobody acknowledges fails with an ACK error as on hardware.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/log.h"
#include "qemu/module.h"
#include "qemu/timer.h"
#include "hw/irq.h"
#include "hw/qdev-properties.h"
#include "migration/vmstate.h"
#include "can_sja1000.h"
#include "can_sja1000_frame.h"
#include "trace.h"

#define SJA_BASIC_WINDOW       10
#define SJA_RAM_SIZE           (SJA1000_RX_FIFO_SIZE + SJA1000_TX_BUF_SIZE + \
                                SJA1000_SPARE_RAM)
/* BasicCAN's interrupt flags, below its reserved IR bits */
#define SJA_BASIC_IR_MASK      (UINT8_MAX & ~R_IR_BASIC_RESERVED_MASK)
/* CDR bits that only reset mode may change */
#define SJA_CDR_RESET_ONLY     (R_CDR_PELICAN_MASK | R_CDR_CBP_MASK | \
                                R_CDR_RXINTEN_MASK)
#define SJA_EWLR_DEFAULT       96
#define SJA_PASSIVE_LIMIT      128
#define SJA_BUS_OFF_LIMIT      255
#define SJA_RECOVERY_TEC       127
#define SJA_ECC(code, rx, seg) ((code) << R_ECC_ERRC_SHIFT | \
                                (rx) << R_ECC_DIR_SHIFT | (seg))
/* an ACK error: "other" error, while transmitting, in the ACK slot */
#define SJA_ECC_ACK_ERROR      SJA_ECC(SJA1000_ECC_OTHER_ERROR, 0, \
                                       SJA1000_ECC_SEG_ACK_SLOT)
/*
 * A node that cannot follow the sender's bitrate fails within the
 * identifier: a stuff error there while receiving, and the bit error the
 * transmitter sees when the error flag overwrites its recessive bits.
 */
#define SJA_ECC_RX_STUFF_ERROR SJA_ECC(SJA1000_ECC_STUFF_ERROR, 1, \
                                       SJA1000_ECC_SEG_ID28_21)
#define SJA_ECC_TX_BIT_ERROR   SJA_ECC(SJA1000_ECC_BIT_ERROR, 0, \
                                       SJA1000_ECC_SEG_ID28_21)
/* bus-off recovery waits for 128 occurrences of 11 recessive bits */
#define SJA_RECOVERY_BITS      (128 * 11)

static bool sja_pelican(CanSJA1000State *s)
{
    return FIELD_EX8(s->cdr, CDR, PELICAN);
}

static bool sja_in_reset(CanSJA1000State *s)
{
    return FIELD_EX8(s->mod, MOD, RM);
}

static bool sja_rx_pending(CanSJA1000State *s)
{
    return s->rx_frames != 0;
}

static bool sja_sleeping(CanSJA1000State *s)
{
    return FIELD_EX8(s->mod, MOD, SM);
}

/* Interrupt enables of the mode in force, as IR bit positions */
static uint8_t sja_irq_enables(CanSJA1000State *s)
{
    if (sja_pelican(s)) {
        return s->ier;
    }
    /* CR.RIE..OIE enable IR.RI..DOI; wake-up is always enabled */
    return (s->basic_cr >> R_CR_RIE_SHIFT) | R_IR_WUI_MASK;
}

static uint8_t sja_ir_value(CanSJA1000State *s)
{
    uint8_t ir = s->ir;

    /* PeliCAN's RI follows the FIFO; BasicCAN's is latched */
    if (sja_pelican(s) && sja_rx_pending(s) && (s->ier & R_IR_RI_MASK)) {
        ir |= R_IR_RI_MASK;
    }
    return ir;
}

static void sja_update_irq(CanSJA1000State *s)
{
    uint8_t ir = sja_ir_value(s);

    qemu_set_irq(s->irq, ir != 0);
}

/* Latch interrupt flags whose enable is set */
static void sja_raise(CanSJA1000State *s, uint8_t flags)
{
    flags &= sja_irq_enables(s);
    if (!flags) {
        return;
    }
    trace_sja1000_irq(DEVICE(s)->canonical_path, flags);
    s->ir |= flags;
    sja_update_irq(s);
}

static uint32_t sja_bitrate(CanSJA1000State *s)
{
    unsigned brp = FIELD_EX8(s->btr0, BTR0, BRP) + 1;
    unsigned tseg1 = FIELD_EX8(s->btr1, BTR1, TSEG1) + 1;
    unsigned tseg2 = FIELD_EX8(s->btr1, BTR1, TSEG2) + 1;

    /* tq = 2 (BRP + 1) / f_osc; a bit is sync + TSEG1 + TSEG2 quanta */
    return s->clock_hz / (2 * brp * (1 + tseg1 + tseg2));
}

/*
 * RX FIFO.  Frames sit in the 64-byte RAM one after the other, wrapping
 * at its end, as the receive window shows them.  RBSA is the first byte
 * of the oldest frame, the one the window shows; the next frame received
 * goes to the write position; RMC counts the frames between the two.
 * With no frame stored the write position is RBSA.
 */

static unsigned sja_ram_index(unsigned index)
{
    return index % SJA1000_RX_FIFO_SIZE;
}

static uint8_t sja_fifo_byte(CanSJA1000State *s, unsigned offset)
{
    return s->rx_ram[sja_ram_index(s->rbsa + offset)];
}

/* Bytes the stored frames occupy */
static unsigned sja_fifo_used(CanSJA1000State *s)
{
    if (!s->rx_frames) {
        return 0;
    }
    /* frames stored and the write position back at RBSA: the RAM is full */
    return sja_ram_index(s->rx_wp - s->rbsa + SJA1000_RX_FIFO_SIZE - 1) + 1;
}

static unsigned sja_head_frame_len(CanSJA1000State *s)
{
    return sja1000_stored_len(sja_pelican(s), sja_fifo_byte(s, 0),
                              sja_fifo_byte(s, 1));
}

static void sja_fifo_clear(CanSJA1000State *s)
{
    /* empty, but frames keep landing at RBSA */
    s->rx_wp = s->rbsa;
    s->rx_frames = 0;
}

/* Store a frame the chip received, as the FIFO allows */
static void sja_store(CanSJA1000State *s, const qemu_can_frame *frame)
{
    uint8_t buf[SJA1000_TX_BUF_SIZE];
    unsigned len, i;
    bool was_empty = !sja_rx_pending(s);

    if (!sja1000_accept(sja_pelican(s), FIELD_EX8(s->mod, MOD, AFM), s->acr,
                        s->amr, frame)) {
        trace_sja1000_rx_filtered(DEVICE(s)->canonical_path, frame->can_id);
        return;
    }
    len = sja1000_encode(sja_pelican(s), frame, buf);
    if (len > SJA1000_RX_FIFO_SIZE - sja_fifo_used(s)) {
        s->rx_overruns++;
        trace_sja1000_rx_overrun(DEVICE(s)->canonical_path, frame->can_id);
        if (!s->dos) {
            s->dos = true;
            sja_raise(s, R_IR_DOI_MASK);
        }
        return;
    }
    for (i = 0; i < len; i++) {
        s->rx_ram[sja_ram_index(s->rx_wp + i)] = buf[i];
    }
    s->rx_wp = sja_ram_index(s->rx_wp + len);
    s->rx_frames++;
    trace_sja1000_rx(DEVICE(s)->canonical_path, frame->can_id, len,
                     s->rx_frames);
    if (sja_pelican(s)) {
        sja_update_irq(s);
    } else if (was_empty) {
        sja_raise(s, R_IR_RI_MASK);
    }
}

static void sja_release_rx(CanSJA1000State *s)
{
    if (!sja_rx_pending(s)) {
        return;
    }
    s->rbsa = sja_ram_index(s->rbsa + sja_head_frame_len(s));
    s->rx_frames--;
    if (sja_pelican(s)) {
        sja_update_irq(s);
    } else if (sja_rx_pending(s)) {
        /* the next frame in the window is a new receive event */
        sja_raise(s, R_IR_RI_MASK);
    }
    can_bus_client_rx_freed(&s->bus_client);
}

/*
 * Error confinement (ISO 11898-1 clause 12).  Status bits and their
 * interrupts follow the counters in operating mode; in reset mode the host
 * may rewrite the counters and the consequences appear when it leaves.
 */

static bool sja_bus_off_state(SJA1000ErrorState state)
{
    return state == SJA1000_BUS_OFF || state == SJA1000_BUS_OFF_RECOVERY;
}

static bool sja_is_bus_off(CanSJA1000State *s)
{
    return sja_bus_off_state(s->state);
}

static bool sja_is_passive(CanSJA1000State *s)
{
    return s->state == SJA1000_ERROR_PASSIVE;
}

/* The fault confinement state observers of the bus are told about */
static CanBusErrorState sja_bus_state(SJA1000ErrorState state, bool es)
{
    if (sja_bus_off_state(state)) {
        return CAN_BUS_STATE_BUS_OFF;
    }
    if (state == SJA1000_ERROR_PASSIVE) {
        return CAN_BUS_STATE_ERROR_PASSIVE;
    }
    return es ? CAN_BUS_STATE_ERROR_WARNING : CAN_BUS_STATE_ERROR_ACTIVE;
}

/* Enter @state with SR.ES @es, raising the interrupts the change makes */
static void sja_set_error_state(CanSJA1000State *s, SJA1000ErrorState state,
                                bool es)
{
    CanBusErrorState was = sja_bus_state(s->state, s->sr_es);
    CanBusErrorState now = sja_bus_state(state, es);
    bool bs = sja_bus_off_state(state);
    uint8_t raise = 0;

    if (es != s->sr_es || bs != sja_is_bus_off(s)) {
        raise |= R_IR_EI_MASK;
    }
    /* bus-off and its end are reported by EI alone */
    if (state != s->state && !bs && !sja_is_bus_off(s)) {
        raise |= R_IR_EPI_MASK;
    }
    s->state = state;
    s->sr_es = es;
    if (now != was) {
        can_bus_client_report_state(&s->bus_client, now, s->tec, s->rec);
    }
    if (raise) {
        trace_sja1000_error_state(DEVICE(s)->canonical_path, s->tec, s->rec,
                                  es, state == SJA1000_ERROR_PASSIVE, bs);
        sja_raise(s, raise);
    }
}

/* The state the counters put the chip in, unless it is bus-off */
static void sja_update_error_state(CanSJA1000State *s)
{
    SJA1000ErrorState state = s->state;

    if (!sja_is_bus_off(s)) {
        state = s->tec >= SJA_PASSIVE_LIMIT || s->rec >= SJA_PASSIVE_LIMIT ?
                SJA1000_ERROR_PASSIVE : SJA1000_ERROR_ACTIVE;
    }
    sja_set_error_state(s, state, sja_bus_off_state(state) ||
                        s->tec >= s->ewlr || s->rec >= s->ewlr);
}

static void sja_enter_reset(CanSJA1000State *s);

static void sja_bus_off(CanSJA1000State *s)
{
    can_bus_client_tx_abort(&s->bus_client);
    s->tx_busy = false;
    s->tec = SJA_RECOVERY_TEC;
    s->rec = 0;
    /* the chip sets MOD.RM itself and waits for the host to clear it */
    sja_set_error_state(s, SJA1000_BUS_OFF, true);
    sja_enter_reset(s);
}

static void sja_bus_error(CanSJA1000State *s, uint8_t ecc)
{
    /*
     * ECC holds the first error until read; no new bus error interrupt
     * either until then.
     */
    if (!s->ecc_armed) {
        return;
    }
    s->ecc = ecc;
    s->ecc_armed = false;
    if (sja_pelican(s)) {
        sja_raise(s, R_IR_BEI_MASK);
    }
}

static void sja_tx_done(CanBusClientState *client, CanTxResult result)
{
    CanSJA1000State *s = container_of(client, CanSJA1000State, bus_client);
    qemu_can_frame frame;

    if (result == CAN_TX_OK) {
        trace_sja1000_tx_done(DEVICE(s)->canonical_path, s->tec);
        s->tx_busy = false;
        s->tx_complete = true;
        if (s->tec) {
            s->tec--;
        }
        if (s->tx_self_rx) {
            sja1000_decode(sja_pelican(s), s->tx_buf, &frame);
            sja_store(s, &frame);
        }
        sja_update_error_state(s);
        sja_raise(s, R_IR_TI_MASK);
        return;
    }

    trace_sja1000_tx_error(DEVICE(s)->canonical_path, result, s->tec);
    if (result == CAN_TX_NO_ACK) {
        sja_bus_error(s, SJA_ECC_ACK_ERROR);
    } else {
        /* it sent recessive and saw another node's dominant error flag */
        sja_bus_error(s, SJA_ECC_TX_BIT_ERROR);
    }
    /*
     * An error-passive transmitter that sees only an ACK error leaves its
     * counter alone (ISO 11898-1 12.1.4.2 exception 1): a lone node stays at
     * 128, error passive, and never goes bus-off.
     */
    if (!sja_is_passive(s) || result != CAN_TX_NO_ACK) {
        s->tec += 8;
    }
    if (s->tec > SJA_BUS_OFF_LIMIT) {
        sja_bus_off(s);
        return;
    }
    sja_update_error_state(s);
    if (s->tx_single_shot) {
        can_bus_client_tx_abort(client);
        s->tx_busy = false;
        sja_raise(s, R_IR_TI_MASK);
    }
}

static void sja_arbitration_lost(CanBusClientState *client, unsigned bit)
{
    CanSJA1000State *s = container_of(client, CanSJA1000State, bus_client);

    trace_sja1000_arbitration_lost(DEVICE(s)->canonical_path, bit);
    /* like ECC: ALC holds the first loss until read, and so does ALI */
    if (s->alc_armed && sja_pelican(s)) {
        s->alc = bit;
        s->alc_armed = false;
        sja_raise(s, R_IR_ALI_MASK);
    }
    if (s->tx_single_shot) {
        can_bus_client_tx_abort(client);
        s->tx_busy = false;
        sja_raise(s, R_IR_TI_MASK);
    }
}

static bool sja_rx_error(CanBusClientState *client,
                         const qemu_can_frame *frame, bool own)
{
    CanSJA1000State *s = container_of(client, CanSJA1000State, bus_client);
    bool active_flag;

    if (sja_in_reset(s) || sja_is_bus_off(s) || sja_sleeping(s)) {
        return false;
    }
    sja_bus_error(s, SJA_ECC_RX_STUFF_ERROR);
    /* a listen-only node sees errors but neither flags nor counts them */
    if (FIELD_EX8(s->mod, MOD, LOM)) {
        return false;
    }
    active_flag = !sja_is_passive(s);
    /*
     * ISO 11898-1 12.1.4.2: +1 for a receiver that detects an error; the
     * node that detected it first also sees the others' flags follow its
     * own, +8.
     */
    s->rec = MIN(s->rec + (own ? 9 : 1), UINT8_MAX);
    trace_sja1000_rx_error(DEVICE(s)->canonical_path, own, s->rec);
    sja_update_error_state(s);
    return active_flag;
}

static bool sja_error_passive(CanBusClientState *client)
{
    return sja_is_passive(container_of(client, CanSJA1000State, bus_client));
}

static bool sja_acks(CanBusClientState *client)
{
    CanSJA1000State *s = container_of(client, CanSJA1000State, bus_client);

    return !sja_in_reset(s) && !FIELD_EX8(s->mod, MOD, LOM) &&
           !sja_sleeping(s) && !sja_is_bus_off(s);
}

static bool sja_can_receive(CanBusClientState *client)
{
    /* the chip hears the wire in every state; sja_receive decides */
    return true;
}

/*
 * Where the chip would store a frame (operating, awake), whether its FIFO
 * lacks room for the longest: frames from beyond the bus then wait
 */
static bool sja_rx_full(CanBusClientState *client)
{
    CanSJA1000State *s = container_of(client, CanSJA1000State, bus_client);

    return !sja_in_reset(s) && !sja_is_bus_off(s) && !sja_sleeping(s) &&
           SJA1000_RX_FIFO_SIZE - sja_fifo_used(s) < SJA1000_TX_BUF_SIZE;
}

static ssize_t sja_receive(CanBusClientState *client,
                           const qemu_can_frame *frames, size_t frames_cnt)
{
    CanSJA1000State *s = container_of(client, CanSJA1000State, bus_client);
    size_t i;

    if (sja_in_reset(s) || sja_is_bus_off(s)) {
        return frames_cnt;
    }
    if (sja_sleeping(s)) {
        /* bus activity wakes the chip; this frame is lost to it */
        s->mod &= ~R_MOD_SM_MASK;
        sja_raise(s, R_IR_WUI_MASK);
        return frames_cnt;
    }
    for (i = 0; i < frames_cnt; i++) {
        const qemu_can_frame *frame = &frames[i];

        if (frame->can_id & QEMU_CAN_ERR_FLAG) {
            continue;
        }
        if (frame->flags & QEMU_CAN_FRMF_TYPE_FD) {
            s->rx_fd_ignored++;
            continue;
        }
        /* BasicCAN tolerates 29-bit frames but does not store them */
        if (!sja_pelican(s) && (frame->can_id & QEMU_CAN_EFF_FLAG)) {
            continue;
        }
        if (!FIELD_EX8(s->mod, MOD, LOM) && s->rec) {
            s->rec = s->rec > SJA_PASSIVE_LIMIT - 1 ? SJA_PASSIVE_LIMIT - 1
                                                    : s->rec - 1;
            sja_update_error_state(s);
        }
        sja_store(s, frame);
    }
    return frames_cnt;
}

/* Bus-off recovery: TXERR counts the bus-free sequences down */
static int64_t sja_recovery_ns(CanSJA1000State *s, unsigned bits)
{
    return muldiv64(bits, NANOSECONDS_PER_SECOND, sja_bitrate(s) ?: 1);
}

static uint8_t sja_txerr_value(CanSJA1000State *s)
{
    int64_t elapsed;
    unsigned seen;

    if (s->state != SJA1000_BUS_OFF_RECOVERY) {
        /* in reset mode a recovery's count stands still in tec */
        return MIN(s->tec, SJA_BUS_OFF_LIMIT);
    }
    elapsed = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) - s->recovery_start;
    seen = elapsed / sja_recovery_ns(s, 11);
    return SJA_RECOVERY_TEC - MIN(seen, SJA_RECOVERY_TEC);
}

/* What the monitor shows: the mode and what TXERR and RXERR read */
static void sja_get_status(CanBusClientState *client,
                           CanBusClientStatus *status)
{
    CanSJA1000State *s = container_of(client, CanSJA1000State, bus_client);

    *status = (CanBusClientStatus) {
        .operating = !sja_in_reset(s),
        .listen_only = FIELD_EX8(s->mod, MOD, LOM),
        .self_test = FIELD_EX8(s->mod, MOD, STM),
        .state = sja_bus_state(s->state, s->sr_es),
        .tec = sja_txerr_value(s),
        .rec = s->rec,
    };
}

static const CanBusClientInfo sja_bus_client_info = {
    .can_receive = sja_can_receive,
    .receive = sja_receive,
    .rx_full = sja_rx_full,
    .acks = sja_acks,
    .tx_done = sja_tx_done,
    .arbitration_lost = sja_arbitration_lost,
    .rx_error = sja_rx_error,
    .error_passive = sja_error_passive,
    .get_status = sja_get_status,
};

static void sja_recovery_done(void *opaque)
{
    CanSJA1000State *s = opaque;

    trace_sja1000_bus_on(DEVICE(s)->canonical_path);
    s->tec = 0;
    s->rec = 0;
    sja_set_error_state(s, SJA1000_ERROR_ACTIVE, false);
}

static void sja_enter_reset(CanSJA1000State *s)
{
    s->mod |= R_MOD_RM_MASK;
    timer_del(s->recovery_timer);
    if (s->state == SJA1000_BUS_OFF_RECOVERY) {
        /* bus-off stays; the recovery count freezes until RM is cleared */
        s->tec = sja_txerr_value(s);
        s->state = SJA1000_BUS_OFF;
    }
    /*
     * MOD.0 and BasicCAN CR.0 (datasheet): "detection of a reset request
     * results in aborting the current transmission/reception of a
     * message", a frame on the wire included.
     */
    can_bus_client_tx_cut(&s->bus_client);
    s->tx_busy = false;
    sja_fifo_clear(s);
    s->dos = false;
    s->ir &= ~(R_IR_RI_MASK | R_IR_DOI_MASK);
    sja_update_irq(s);
    /* in reset mode the chip stores nothing: nobody need wait for it */
    can_bus_client_rx_freed(&s->bus_client);
}

static void sja_leave_reset(CanSJA1000State *s)
{
    s->mod &= ~R_MOD_RM_MASK;
    can_bus_client_set_bitrate(&s->bus_client, sja_bitrate(s));
    if (s->tec == SJA_BUS_OFF_LIMIT) {
        /*
         * TXERR = 255 written in reset mode: a CPU-driven bus-off event,
         * which puts the chip back in reset mode as any bus-off does.
         */
        sja_bus_off(s);
        return;
    }
    if (s->state == SJA1000_BUS_OFF) {
        /* count the bus-free sequences from where TXERR stands */
        unsigned seen = SJA_RECOVERY_TEC - s->tec;

        s->state = SJA1000_BUS_OFF_RECOVERY;
        s->recovery_start = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) -
                            sja_recovery_ns(s, seen * 11);
        timer_mod(s->recovery_timer, s->recovery_start +
                  sja_recovery_ns(s, SJA_RECOVERY_BITS));
    }
    sja_update_error_state(s);
}

static void sja_set_reset(CanSJA1000State *s, bool reset)
{
    if (reset == sja_in_reset(s)) {
        return;
    }
    trace_sja1000_reset_mode(DEVICE(s)->canonical_path, reset);
    if (reset) {
        sja_enter_reset(s);
    } else {
        sja_leave_reset(s);
    }
}

static void sja_transmit(CanSJA1000State *s, bool self_rx, bool single_shot)
{
    qemu_can_frame frame;

    if (sja_in_reset(s)) {
        qemu_log_mask(LOG_GUEST_ERROR, "%s: transmission requested in reset "
                      "mode, ignored\n", DEVICE(s)->canonical_path);
        return;
    }
    if (s->tx_busy) {
        qemu_log_mask(LOG_GUEST_ERROR, "%s: transmission requested while the "
                      "TX buffer is locked, ignored\n",
                      DEVICE(s)->canonical_path);
        return;
    }
    if (FIELD_EX8(s->mod, MOD, LOM) || sja_is_bus_off(s)) {
        /* a listen-only or bus-off node cannot drive the bus */
        qemu_log_mask(LOG_GUEST_ERROR, "%s: transmission requested in "
                      "%s, ignored\n", DEVICE(s)->canonical_path,
                      sja_is_bus_off(s) ? "bus-off" : "listen-only mode");
        return;
    }
    sja1000_decode(sja_pelican(s), s->tx_buf, &frame);
    trace_sja1000_tx(DEVICE(s)->canonical_path, frame.can_id, frame.can_dlc,
                     self_rx, single_shot);
    s->tx_busy = true;
    s->tx_complete = false;
    s->tx_self_rx = self_rx;
    s->tx_single_shot = single_shot;
    can_bus_client_tx_start(&s->bus_client, &frame,
                            FIELD_EX8(s->mod, MOD, STM));
}

static void sja_command(CanSJA1000State *s, uint8_t cmd)
{
    bool pelican = sja_pelican(s);
    /* TR and SRR together: the SRR bit is ignored */
    bool self_rx = pelican && FIELD_EX8(cmd, CMR, SRR) &&
                   !FIELD_EX8(cmd, CMR, TR);

    if (FIELD_EX8(cmd, CMR, TR) || self_rx) {
        sja_transmit(s, self_rx, FIELD_EX8(cmd, CMR, AT));
    } else if (FIELD_EX8(cmd, CMR, AT) && s->tx_busy) {
        /* only a frame waiting for the wire (or a retry) can be aborted */
        if (can_bus_client_tx_abort(&s->bus_client)) {
            s->tx_busy = false;
            sja_raise(s, R_IR_TI_MASK);
        }
    }
    if (FIELD_EX8(cmd, CMR, RRB)) {
        sja_release_rx(s);
    }
    if (FIELD_EX8(cmd, CMR, CDO)) {
        s->dos = false;
    }
    if (!pelican && FIELD_EX8(cmd, CMR, SRR)) {
        /* BasicCAN's GTS: sleep unless an interrupt is pending */
        if (sja_ir_value(s) & SJA_BASIC_IR_MASK) {
            sja_raise(s, R_IR_WUI_MASK);
        } else {
            s->mod |= R_MOD_SM_MASK;
        }
    } else if (!pelican && sja_sleeping(s)) {
        /* clearing GTS wakes the chip up */
        s->mod &= ~R_MOD_SM_MASK;
        sja_raise(s, R_IR_WUI_MASK);
    }
}

static uint8_t sja_status(CanSJA1000State *s)
{
    /*
     * PeliCAN shows a chip waiting for bus-free (reset mode, bus-off
     * recovery) as receiving and transmitting; BasicCAN does not.
     */
    bool waiting = sja_pelican(s) &&
                   (sja_in_reset(s) || sja_is_bus_off(s));
    uint8_t sr = 0;

    sr = FIELD_DP8(sr, SR, RBS, sja_rx_pending(s));
    sr = FIELD_DP8(sr, SR, DOS, s->dos);
    sr = FIELD_DP8(sr, SR, TBS, !s->tx_busy);
    sr = FIELD_DP8(sr, SR, TCS, s->tx_complete);
    /* waiting for bus-free: receive and transmit status both read 1 */
    sr = FIELD_DP8(sr, SR, RS, waiting);
    sr = FIELD_DP8(sr, SR, TS, waiting || s->tx_busy);
    sr = FIELD_DP8(sr, SR, ES, s->sr_es);
    sr = FIELD_DP8(sr, SR, BS, sja_is_bus_off(s));
    return sr;
}

static void sja_guest_error(CanSJA1000State *s, const char *what, hwaddr addr,
                            uint8_t value)
{
    qemu_log_mask(LOG_GUEST_ERROR, "%s: %s (address %" HWADDR_PRIu
                  ", value 0x%02x), ignored\n", DEVICE(s)->canonical_path,
                  what, addr, value);
}

static void sja_write_cdr(CanSJA1000State *s, uint8_t value)
{
    uint8_t keep = sja_in_reset(s) ? 0 : SJA_CDR_RESET_ONLY;

    /* bit 4 cannot be written */
    s->cdr = ((s->cdr & keep) | (value & ~keep)) & ~R_CDR_RESERVED_MASK;
}

/* Internal RAM at 32..111: RX FIFO, TX buffer, three spare bytes */
static uint8_t *sja_ram_byte(CanSJA1000State *s, hwaddr offset)
{
    if (offset < SJA1000_RX_FIFO_SIZE) {
        return &s->rx_ram[offset];
    }
    offset -= SJA1000_RX_FIFO_SIZE;
    if (offset < SJA1000_TX_BUF_SIZE) {
        return &s->tx_buf[offset];
    }
    offset -= SJA1000_TX_BUF_SIZE;
    return offset < SJA1000_SPARE_RAM ? &s->spare_ram[offset] : NULL;
}

static uint8_t sja_read_pelican(CanSJA1000State *s, hwaddr addr)
{
    uint8_t value;
    uint8_t *ram;

    switch (addr) {
    case A_MOD:
        return s->mod;
    case A_CMR:
        /* write-only: reads 0 in PeliCAN mode, 0xff in BasicCAN mode */
        return 0;
    case A_SR:
        return sja_status(s);
    case A_IR:
        value = sja_ir_value(s);
        s->ir = 0;
        sja_update_irq(s);
        return value;
    case A_IER:
        return s->ier;
    case A_BTR0:
        return s->btr0;
    case A_BTR1:
        return s->btr1;
    case A_OCR:
        return s->ocr;
    case A_ALC:
        s->alc_armed = true;
        return s->alc;
    case A_ECC:
        s->ecc_armed = true;
        return s->ecc;
    case A_EWLR:
        return s->ewlr;
    case A_RXERR:
        return s->rec;
    case A_TXERR:
        return sja_txerr_value(s);
    case A_FRAME ... A_FRAME + SJA1000_TX_BUF_SIZE - 1:
        if (!sja_in_reset(s)) {
            return sja_fifo_byte(s, addr - A_FRAME);
        }
        if (addr < A_FRAME + 4) {
            return s->acr[addr - A_FRAME];
        }
        if (addr < A_FRAME + 8) {
            return s->amr[addr - A_FRAME - 4];
        }
        return 0;
    case A_RMC:
        return s->rx_frames;
    case A_RBSA:
        return s->rbsa;
    case A_CDR:
        return s->cdr;
    case A_RAM ... SJA1000_ADDR_SPACE - 1:
        ram = sja_ram_byte(s, addr - A_RAM);
        return ram ? *ram : 0;
    default:
        /* 5, 9 (test) and 10 are reserved and read 0 */
        return 0;
    }
}

static void sja_write_pelican(CanSJA1000State *s, hwaddr addr, uint8_t value)
{
    bool reset = sja_in_reset(s);
    uint8_t *ram;

    switch (addr) {
    case A_MOD:
        if (reset) {
            /* LOM, STM and AFM change in reset mode only */
            s->mod = (s->mod & ~(R_MOD_LOM_MASK | R_MOD_STM_MASK |
                                 R_MOD_AFM_MASK)) |
                     (value & (R_MOD_LOM_MASK | R_MOD_STM_MASK |
                               R_MOD_AFM_MASK));
        } else if (FIELD_EX8(value, MOD, SM) && !sja_sleeping(s)) {
            /* sleep needs a quiet chip: a pending interrupt wakes it */
            if (sja_ir_value(s)) {
                sja_raise(s, R_IR_WUI_MASK);
            } else {
                s->mod |= R_MOD_SM_MASK;
            }
        } else if (!FIELD_EX8(value, MOD, SM) && sja_sleeping(s)) {
            s->mod &= ~R_MOD_SM_MASK;
            sja_raise(s, R_IR_WUI_MASK);
        }
        if (FIELD_EX8(value, MOD, RM)) {
            s->mod &= ~R_MOD_SM_MASK;
        }
        sja_set_reset(s, FIELD_EX8(value, MOD, RM));
        return;
    case A_CMR:
        sja_command(s, value);
        return;
    case A_IER:
        s->ier = value;
        sja_update_irq(s);
        return;
    case A_FRAME ... A_FRAME + SJA1000_TX_BUF_SIZE - 1:
        if (!reset) {
            if (s->tx_busy) {
                /* the datasheet: lost without being indicated */
                sja_guest_error(s, "TX buffer write while locked", addr,
                                value);
                return;
            }
            s->tx_buf[addr - A_FRAME] = value;
        } else if (addr < A_FRAME + 4) {
            s->acr[addr - A_FRAME] = value;
        } else if (addr < A_FRAME + 8) {
            s->amr[addr - A_FRAME - 4] = value;
        } else {
            sja_guest_error(s, "write to a reserved register", addr, value);
        }
        return;
    case A_CDR:
        /* CAN mode, CBP and RXINTEN change in reset mode only */
        sja_write_cdr(s, value);
        return;
    case A_SR:
    case A_IR:
    case A_ALC:
    case A_ECC:
    case A_RMC:
        sja_guest_error(s, "write to a read-only register", addr, value);
        return;
    case A_RAM ... SJA1000_ADDR_SPACE - 1:
        ram = sja_ram_byte(s, addr - A_RAM);
        if (!reset || !ram) {
            sja_guest_error(s, "internal RAM write outside reset mode", addr,
                            value);
            return;
        }
        *ram = value;
        return;
    default:
        break;
    }

    if (!reset) {
        sja_guest_error(s, "write to a reset-mode register in operating mode",
                        addr, value);
        return;
    }
    switch (addr) {
    case A_BTR0:
        s->btr0 = value;
        break;
    case A_BTR1:
        s->btr1 = value;
        break;
    case A_OCR:
        s->ocr = value;
        break;
    case A_EWLR:
        s->ewlr = value;
        break;
    case A_RXERR:
        /* while bus-off the counter is not the host's to set */
        if (!sja_is_bus_off(s)) {
            s->rec = value;
        }
        break;
    case A_TXERR:
        /*
         * Datasheet 6.4.12: 0..254 clear the bus-off flag, and the chip
         * waits for one bus-free once reset mode is left; ES follows the
         * counters then.  255 starts a bus-off when reset mode is left.
         */
        s->tec = value;
        if (sja_is_bus_off(s) && value != SJA_BUS_OFF_LIMIT) {
            sja_set_error_state(s, SJA1000_ERROR_ACTIVE, s->sr_es);
        }
        break;
    case A_RBSA:
        /* reset mode emptied the FIFO: the next frame goes there */
        s->rbsa = FIELD_EX8(value, RBSA, ADDR);
        s->rx_wp = s->rbsa;
        break;
    default:
        sja_guest_error(s, "write to a reserved register", addr, value);
        break;
    }
}

static uint8_t sja_read_basic(CanSJA1000State *s, hwaddr addr)
{
    bool reset = sja_in_reset(s);
    uint8_t value;

    switch (addr) {
    case A_CR:
        /*
         * Datasheet 6.3.3, Table 3 note 3: bit 5 always reads 1, so a
         * write of 0x01 reads back 0x21 (Linux's plx_pci.c expects CR &
         * 0xa1 == 0x21 after reset); note 1: bit 7 reads 0.
         */
        return s->basic_cr | R_CR_ONE_MASK | reset;
    case A_CMR:
        return 0xff;
    case A_SR:
        return sja_status(s);
    case A_IR:
        value = s->ir | R_IR_BASIC_RESERVED_MASK;
        s->ir = 0;
        sja_update_irq(s);
        return value;
    case A_BASIC_ACR:
        return reset ? s->acr[0] : 0xff;
    case A_BASIC_AMR:
        return reset ? s->amr[0] : 0xff;
    /* BasicCAN hides its set-up registers in operating mode */
    case A_BTR0:
        return reset ? s->btr0 : 0xff;
    case A_BTR1:
        return reset ? s->btr1 : 0xff;
    case A_OCR:
        return reset ? s->ocr : 0xff;
    case A_BASIC_TXB ... A_BASIC_TXB + SJA_BASIC_WINDOW - 1:
        return reset ? 0xff : s->tx_buf[addr - A_BASIC_TXB];
    case A_BASIC_RXB ... A_BASIC_RXB + SJA_BASIC_WINDOW - 1:
        return sja_fifo_byte(s, addr - A_BASIC_RXB);
    case A_CDR:
        return s->cdr;
    default:
        /* 9 (test) and 30 are reserved; BasicCAN stops at 31 */
        return addr < 32 ? 0 : 0xff;
    }
}

static void sja_write_basic(CanSJA1000State *s, hwaddr addr, uint8_t value)
{
    bool reset = sja_in_reset(s);

    switch (addr) {
    case A_CR:
        if (FIELD_EX8(value, CR, ZERO)) {
            /* Table 3 note 1: any write has to set bit 7 to 0 */
            qemu_log_mask(LOG_GUEST_ERROR, "%s: CR written 0x%02x: bit 7 "
                          "must be written 0, it stays 0\n",
                          DEVICE(s)->canonical_path, value);
        }
        /* note 2: bit 6, PCA82C200's sync mode, keeps what is written */
        s->basic_cr = value & (R_CR_RIE_MASK | R_CR_TIE_MASK | R_CR_EIE_MASK |
                               R_CR_OIE_MASK | R_CR_SYNC_MASK);
        sja_set_reset(s, FIELD_EX8(value, CR, RR));
        sja_update_irq(s);
        return;
    case A_CMR:
        sja_command(s, value);
        return;
    case A_BASIC_TXB ... A_BASIC_TXB + SJA_BASIC_WINDOW - 1:
        if (reset || s->tx_busy) {
            sja_guest_error(s, reset ? "TX buffer write in reset mode"
                                     : "TX buffer write while locked",
                            addr, value);
            return;
        }
        s->tx_buf[addr - A_BASIC_TXB] = value;
        return;
    case A_CDR:
        sja_write_cdr(s, value);
        return;
    case A_BASIC_ACR:
    case A_BASIC_AMR:
    case A_BTR0:
    case A_BTR1:
    case A_OCR:
        break;
    default:
        sja_guest_error(s, "write to a read-only or reserved register", addr,
                        value);
        return;
    }

    if (!reset) {
        sja_guest_error(s, "write to a reset-mode register in operating mode",
                        addr, value);
        return;
    }
    switch (addr) {
    case A_BASIC_ACR:
        s->acr[0] = value;
        break;
    case A_BASIC_AMR:
        s->amr[0] = value;
        break;
    case A_BTR0:
        s->btr0 = value;
        break;
    case A_BTR1:
        s->btr1 = value;
        break;
    default:
        s->ocr = value;
        break;
    }
}

uint8_t can_sja1000_read(CanSJA1000State *s, hwaddr addr)
{
    uint8_t value;

    value = sja_pelican(s) ? sja_read_pelican(s, addr)
                           : sja_read_basic(s, addr);
    trace_sja1000_read(DEVICE(s)->canonical_path, addr, value);
    return value;
}

void can_sja1000_write(CanSJA1000State *s, hwaddr addr, uint8_t value)
{
    trace_sja1000_write(DEVICE(s)->canonical_path, addr, value);
    if (sja_pelican(s)) {
        sja_write_pelican(s, addr, value);
    } else {
        sja_write_basic(s, addr, value);
    }
}

/* Hardware reset: the RST pin, or the board's reset */
static void sja_reset_hold(Object *obj, ResetType type)
{
    CanSJA1000State *s = CAN_SJA1000(obj);
    bool was_active = sja_bus_state(s->state, s->sr_es) ==
                      CAN_BUS_STATE_ERROR_ACTIVE;

    /* the RST pin stops the chip at once, in the middle of a frame too */
    can_bus_client_tx_cut(&s->bus_client);
    timer_del(s->recovery_timer);
    s->mod = R_MOD_RM_MASK;
    /* CR bit 6 "will not change after hardware or software reset" */
    s->basic_cr &= R_CR_SYNC_MASK;
    s->ir = 0;
    s->ier = 0;
    s->cdr = 0;
    s->ecc = 0;
    s->ecc_armed = true;
    s->alc = 0;
    s->alc_armed = true;
    s->ewlr = SJA_EWLR_DEFAULT;
    s->tec = 0;
    s->rec = 0;
    s->tx_busy = false;
    s->tx_complete = true;
    s->dos = false;
    s->sr_es = false;
    s->state = SJA1000_ERROR_ACTIVE;
    s->rbsa = 0;
    sja_fifo_clear(s);
    if (!was_active) {
        /* the counters start again from 0: error active */
        can_bus_client_report_state(&s->bus_client,
                                    CAN_BUS_STATE_ERROR_ACTIVE, 0, 0);
    }
}

static void sja_reset_exit(Object *obj, ResetType type)
{
    sja_update_irq(CAN_SJA1000(obj));
}

static void sja_realize(DeviceState *dev, Error **errp)
{
    CanSJA1000State *s = CAN_SJA1000(dev);
    g_autofree char *path = object_get_canonical_path(OBJECT(dev));

    if (!s->clock_hz) {
        error_setg(errp, "clock must be the oscillator frequency in Hz, "
                   "not 0");
        return;
    }
    /* with no bus, alone: nobody acknowledges, as on hardware */
    can_bus_attach(s->bus, &s->bus_client, &sja_bus_client_info, path, errp);
}

static void sja_unrealize(DeviceState *dev)
{
    CanSJA1000State *s = CAN_SJA1000(dev);

    can_bus_detach(&s->bus_client);
}

static void sja_init(Object *obj)
{
    CanSJA1000State *s = CAN_SJA1000(obj);

    qdev_init_gpio_out_named(DEVICE(obj), &s->irq, "irq", 1);
    s->recovery_timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, sja_recovery_done, s);
    object_property_add_uint64_ptr(obj, "rx-overruns", &s->rx_overruns,
                                   OBJ_PROP_FLAG_READ);
    object_property_add_uint64_ptr(obj, "rx-fd-ignored", &s->rx_fd_ignored,
                                   OBJ_PROP_FLAG_READ);
}

static void sja_finalize(Object *obj)
{
    CanSJA1000State *s = CAN_SJA1000(obj);

    timer_free(s->recovery_timer);
}

static int sja_pre_save(void *opaque)
{
    CanSJA1000State *s = opaque;

    s->recovery_elapsed = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) -
                          s->recovery_start;
    return 0;
}

static int sja_post_load(void *opaque, int version_id)
{
    CanSJA1000State *s = opaque;
    unsigned used = 0, frames;
    bool pelican = sja_pelican(s);

    if (s->rbsa >= SJA1000_RX_FIFO_SIZE || s->rx_wp >= SJA1000_RX_FIFO_SIZE ||
        s->rx_frames > SJA1000_RX_FIFO_SIZE) {
        return -EINVAL;
    }
    /* a frozen bus-off recovery's count is at most 127, or 255 written */
    if (s->state > SJA1000_BUS_OFF_RECOVERY ||
        (s->state == SJA1000_BUS_OFF && s->tec > SJA_RECOVERY_TEC &&
         s->tec != SJA_BUS_OFF_LIMIT)) {
        return -EINVAL;
    }
    /* RMC frames from RBSA must end exactly at the write position */
    for (frames = 0; frames < s->rx_frames; frames++) {
        used += sja1000_stored_len(pelican, sja_fifo_byte(s, used),
                                   sja_fifo_byte(s, used + 1));
        if (used > SJA1000_RX_FIFO_SIZE) {
            return -EINVAL;
        }
    }
    if (used != sja_fifo_used(s) || (!frames && s->rx_wp != s->rbsa)) {
        return -EINVAL;
    }
    if (s->recovery_elapsed < 0) {
        return -EINVAL;
    }
    s->recovery_start = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) -
                        s->recovery_elapsed;
    can_bus_client_set_bitrate(&s->bus_client, sja_bitrate(s));
    if (s->state == SJA1000_BUS_OFF_RECOVERY) {
        timer_mod(s->recovery_timer, s->recovery_start +
                  sja_recovery_ns(s, SJA_RECOVERY_BITS));
    }
    return 0;
}

static bool sja_alone_pending(void *opaque)
{
    CanSJA1000State *s = opaque;

    return can_bus_client_alone_pending(&s->bus_client);
}

/* A chip with no bus carries its frame in flight itself */
static const VMStateDescription vmstate_can_sja1000_alone = {
    .name = "can-sja1000/alone",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = sja_alone_pending,
    .fields = (const VMStateField[]) {
        VMSTATE_STRUCT(bus_client, CanSJA1000State, 1, vmstate_can_bus_client,
                       CanBusClientState),
        VMSTATE_END_OF_LIST()
    }
};

const VMStateDescription vmstate_can_sja1000 = {
    .name = "can-sja1000",
    /*
     * 2: the RX FIFO as RAM, RBSA and write position instead of a Fifo8;
     * the error state as one value instead of two flags and a time
     * 3: the bus-off recovery's progress instead of when it began
     */
    .version_id = 3,
    .minimum_version_id = 3,
    .pre_save = sja_pre_save,
    .post_load = sja_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT8(mod, CanSJA1000State),
        VMSTATE_UINT8(basic_cr, CanSJA1000State),
        VMSTATE_UINT8(ir, CanSJA1000State),
        VMSTATE_UINT8(ier, CanSJA1000State),
        VMSTATE_UINT8(btr0, CanSJA1000State),
        VMSTATE_UINT8(btr1, CanSJA1000State),
        VMSTATE_UINT8(ocr, CanSJA1000State),
        VMSTATE_UINT8(cdr, CanSJA1000State),
        VMSTATE_UINT8(ecc, CanSJA1000State),
        VMSTATE_UINT8(ewlr, CanSJA1000State),
        VMSTATE_UINT8_ARRAY(acr, CanSJA1000State, 4),
        VMSTATE_UINT8_ARRAY(amr, CanSJA1000State, 4),
        VMSTATE_UINT8_ARRAY(tx_buf, CanSJA1000State, SJA1000_TX_BUF_SIZE),
        VMSTATE_UINT8_ARRAY(spare_ram, CanSJA1000State, SJA1000_SPARE_RAM),
        VMSTATE_UINT8_ARRAY(rx_ram, CanSJA1000State, SJA1000_RX_FIFO_SIZE),
        VMSTATE_UINT8(rbsa, CanSJA1000State),
        VMSTATE_UINT8(rx_wp, CanSJA1000State),
        VMSTATE_UINT8(rx_frames, CanSJA1000State),
        VMSTATE_UINT16(tec, CanSJA1000State),
        VMSTATE_UINT8(rec, CanSJA1000State),
        VMSTATE_BOOL(tx_busy, CanSJA1000State),
        VMSTATE_BOOL(tx_complete, CanSJA1000State),
        VMSTATE_BOOL(tx_single_shot, CanSJA1000State),
        VMSTATE_BOOL(tx_self_rx, CanSJA1000State),
        VMSTATE_BOOL(dos, CanSJA1000State),
        VMSTATE_BOOL(sr_es, CanSJA1000State),
        VMSTATE_UINT8(state, CanSJA1000State),
        VMSTATE_BOOL(ecc_armed, CanSJA1000State),
        VMSTATE_UINT8(alc, CanSJA1000State),
        VMSTATE_BOOL(alc_armed, CanSJA1000State),
        VMSTATE_INT64(recovery_elapsed, CanSJA1000State),
        VMSTATE_END_OF_LIST()
    },
    .subsections = (const VMStateDescription * const []) {
        &vmstate_can_sja1000_alone,
        NULL
    }
};

static const Property sja_properties[] = {
    DEFINE_PROP_LINK("canbus", CanSJA1000State, bus, TYPE_CAN_BUS,
                     CanBusState *),
    DEFINE_PROP_UINT32("clock", CanSJA1000State, clock_hz, 16000000),
};

static void sja_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    ResettableClass *rc = RESETTABLE_CLASS(klass);

    dc->realize = sja_realize;
    dc->unrealize = sja_unrealize;
    dc->desc = "NXP SJA1000 CAN controller";
    /* a chip on a board, never on its own on the command line */
    dc->user_creatable = false;
    rc->phases.hold = sja_reset_hold;
    rc->phases.exit = sja_reset_exit;
    device_class_set_props(dc, sja_properties);
    set_bit(DEVICE_CATEGORY_NETWORK, dc->categories);
}

static const TypeInfo sja_types[] = {
    {
        .name = TYPE_CAN_SJA1000,
        .parent = TYPE_DEVICE,
        .instance_size = sizeof(CanSJA1000State),
        .instance_init = sja_init,
        .instance_finalize = sja_finalize,
        .class_init = sja_class_init,
    },
};

DEFINE_TYPES(sja_types)
