/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Seeded random register traffic for every SJA1000 board type: reads and
 * writes of 1, 2 and 4 bytes anywhere in every BAR of the board, most of
 * them aimed at the channels' mode, command and frame registers, mixed
 * with steps of the virtual clock, on a bus with timing off and on, with
 * a Kvaser partner channel on the same bus, so that frames, ACK errors,
 * overruns, bus-offs and recoveries happen.  What must hold throughout:
 * QEMU answers, and every PeliCAN channel's RMC is a frame count the
 * 64-byte RAM can hold and agrees with SR.RBS.  At the end a system reset
 * must leave every channel working: frames both ways with the partner.
 *
 * QCAN_RANDOM_SEED=N repeats a run (the seed is printed first);
 * QCAN_RANDOM_OPS=N sets the operations per board type, half with timing
 * off and half on (default 14,000: about 200,000 in all); make fuzz-long
 * runs 10 million per board type.
 */

#include "qemu/osdep.h"
#include "libqtest.h"
#include "libqos/pci-pc.h"
#include "hw/pci/pci_regs.h"
#include "qobject/qdict.h"
#include "can-sja1000-frame.h"
#include "can-board-types.h"
#include "can-random-qtest.h"

#define BOARD_SLOT          4
#define PARTNER_SLOT        5
#define MAX_CHANNELS        4
#define DEFAULT_OPS         7000
/* the smallest frame a PeliCAN RAM stores takes 3 bytes */
#define RMC_MAX             (SJA1000_RX_FIFO_SIZE / 3)

typedef struct Bar {
    QPCIBar bar;
    uint64_t size;
} Bar;

typedef struct Rig {
    QTestState *qts;
    QPCIBus *bus;
    QPCIDevice *dev;
    QPCIDevice *partner_dev;
    const BoardType *type;
    Bar bars[6];
    int n_bars;
    SJAChan chan[MAX_CHANNELS];
    SJAChan partner;
    GRand *rand;
} Rig;

static uint32_t seed;
static uint64_t ops_per_run = DEFAULT_OPS;

static QPCIDevice *map_dev(Rig *r, int slot)
{
    QPCIDevice *dev = qpci_device_find(r->bus, QPCI_DEVFN(slot, 0));

    g_assert(dev);
    qpci_device_enable(dev);
    return dev;
}

static void map_channels(Rig *r)
{
    const BoardType *t = r->type;
    unsigned i;

    for (i = 0; i < t->channels; i++) {
        r->chan[i] = (SJAChan) {
            .dev = r->dev,
            .bar = r->bars[t->first_bar + i * t->bar_step].bar,
            .base = t->offset + i * t->span,
            .shift = t->shift,
        };
    }
}

/* Find the boards on the PCI bus and map their BARs (again after a reset) */
static void rig_map(Rig *r)
{
    int b;

    r->bus = qpci_new_pc(r->qts, NULL);
    r->dev = map_dev(r, BOARD_SLOT);
    for (b = 0; b < 6; b++) {
        if (board_bar_present(r->dev, b)) {
            r->bars[b].bar = qpci_iomap(r->dev, b, &r->bars[b].size);
            r->n_bars = b + 1;
        }
    }
    map_channels(r);
    r->partner_dev = map_dev(r, PARTNER_SLOT);
    r->partner = (SJAChan) {
        .dev = r->partner_dev, .bar = qpci_iomap(r->partner_dev, 1, NULL),
    };
}

static void rig_unmap(Rig *r)
{
    g_free(r->dev);
    g_free(r->partner_dev);
    qpci_free_pc(r->bus);
    memset(r->bars, 0, sizeof(r->bars));
    r->n_bars = 0;
}

static void rig_start(Rig *r, const BoardType *t, bool timing)
{
    g_autoptr(GString) cmd = g_string_new(NULL);
    unsigned i;

    memset(r, 0, sizeof(*r));
    r->type = t;
    g_string_append_printf(cmd, "-machine pc -nodefaults "
                           "-object can-bus,id=canbus0%s "
                           "-device %s,id=board,addr=0x%x",
                           timing ? ",timing=on" : "", t->device, BOARD_SLOT);
    if (t->channels == 1) {
        g_string_append(cmd, ",canbus=canbus0");
    }
    for (i = 0; t->channels > 1 && i < t->channels; i++) {
        g_string_append_printf(cmd, ",canbus%u=canbus0", i);
    }
    g_string_append_printf(cmd, " -device kvaser_pci,id=partner,"
                           "canbus=canbus0,addr=0x%x", PARTNER_SLOT);
    r->qts = qtest_init(cmd->str);
    rig_map(r);
    r->rand = g_rand_new_with_seed(seed);
}

static void rig_stop(Rig *r)
{
    g_rand_free(r->rand);
    rig_unmap(r);
    qtest_quit(r->qts);
}

static uint32_t rnd(Rig *r, uint32_t n)
{
    return g_rand_int_range(r->rand, 0, n);
}

/* A value for SJA1000 register @reg, often one that does something */
static uint8_t chan_value(Rig *r, uint8_t reg)
{
    static const uint8_t mod[] = {
        0, R_MOD_RM_MASK, R_MOD_LOM_MASK, R_MOD_STM_MASK, R_MOD_SM_MASK,
        R_MOD_AFM_MASK,
    };
    static const uint8_t cmr[] = {
        R_CMR_TR_MASK, R_CMR_AT_MASK, R_CMR_RRB_MASK, R_CMR_CDO_MASK,
        R_CMR_SRR_MASK, R_CMR_TR_MASK | R_CMR_AT_MASK,
    };
    /* around the warning, passive and bus-off limits */
    static const uint8_t counter[] = { 0, 95, 96, 127, 128, 254, 255 };

    if (rnd(r, 2)) {
        return rnd(r, 256);
    }
    switch (reg) {
    case A_MOD:
        return mod[rnd(r, ARRAY_SIZE(mod))];
    case A_CMR:
        return cmr[rnd(r, ARRAY_SIZE(cmr))];
    case A_TXERR:
    case A_RXERR:
        return counter[rnd(r, ARRAY_SIZE(counter))];
    default:
        return rnd(r, 256);
    }
}

/* One register access of a channel: mode, command, frame, or any */
static void chan_op(Rig *r)
{
    const SJAChan *c = &r->chan[rnd(r, r->type->channels)];
    uint32_t pick = rnd(r, 10);
    uint8_t reg;

    if (pick < 4) {
        reg = rnd(r, 2) ? A_MOD : A_CMR;
    } else if (pick < 7) {
        reg = A_FRAME + rnd(r, SJA1000_TX_BUF_SIZE);
    } else {
        reg = rnd(r, 32);
    }
    if (rnd(r, 2)) {
        sja_wr(c, reg, chan_value(r, reg));
    } else {
        sja_rd(c, reg);
    }
}

/* One access of 1, 2 or 4 bytes, aligned, anywhere in a BAR */
static void bar_op(Rig *r)
{
    const Bar *b;
    unsigned width = 1u << rnd(r, 3);
    uint64_t off;
    uint32_t value = g_rand_int(r->rand);

    do {
        b = &r->bars[rnd(r, r->n_bars)];
    } while (!b->size);
    width = MIN(width, b->size);
    off = QEMU_ALIGN_DOWN(rnd(r, b->size), width);
    if (rnd(r, 2)) {
        switch (width) {
        case 1:
            qpci_io_writeb(r->dev, b->bar, off, value);
            break;
        case 2:
            qpci_io_writew(r->dev, b->bar, off, value);
            break;
        default:
            qpci_io_writel(r->dev, b->bar, off, value);
        }
    } else {
        switch (width) {
        case 1:
            qpci_io_readb(r->dev, b->bar, off);
            break;
        case 2:
            qpci_io_readw(r->dev, b->bar, off);
            break;
        default:
            qpci_io_readl(r->dev, b->bar, off);
        }
    }
}

/* The partner sends now and then, so that frames keep arriving */
static void partner_op(Rig *r)
{
    CanMsg m = { .id = rnd(r, 0x800), .dlc = rnd(r, 9) };
    unsigned i;

    for (i = 0; i < m.dlc; i++) {
        m.data[i] = rnd(r, 256);
    }
    if (sja_rd(&r->partner, A_SR) & R_SR_TBS_MASK) {
        sja_load_tx(&r->partner, &m);
        sja_wr(&r->partner, A_CMR, R_CMR_TR_MASK);
    }
    sja_wr(&r->partner, A_CMR, R_CMR_RRB_MASK);
}

/* RMC counts what the RAM holds, and SR.RBS says whether it holds any */
static void check_invariants(Rig *r, uint64_t op)
{
    unsigned i;

    for (i = 0; i < r->type->channels; i++) {
        const SJAChan *c = &r->chan[i];
        uint8_t rmc, sr;

        if (!(sja_rd(c, A_CDR) & R_CDR_PELICAN_MASK)) {
            continue;
        }
        rmc = sja_rd(c, A_RMC);
        sr = sja_rd(c, A_SR);
        if (rmc > RMC_MAX || !!rmc != !!(sr & R_SR_RBS_MASK)) {
            g_test_message("seed %u, operation %" PRIu64 ": channel %u "
                           "RMC %u, SR 0x%02x", seed, op, i, rmc, sr);
        }
        g_assert_cmpuint(rmc, <=, RMC_MAX);
        g_assert_cmpuint(!!rmc, ==, !!(sr & R_SR_RBS_MASK));
    }
}

/* After a system reset every channel exchanges a frame with the partner */
static void check_channels_after_reset(Rig *r)
{
    QDict *rsp;
    unsigned i;

    rsp = qtest_qmp(r->qts, "{'execute': 'system_reset'}");
    g_assert(qdict_haskey(rsp, "return"));
    qobject_unref(rsp);
    qtest_qmp_eventwait(r->qts, "RESET");
    /* the reset cleared the BARs */
    rig_unmap(r);
    rig_map(r);
    sja_pelican_setup(&r->partner, 0, 0);
    for (i = 0; i < r->type->channels; i++) {
        const SJAChan *c = &r->chan[i];
        CanMsg to = { .id = 0x100 + i, .dlc = 1, .data = { i } };
        CanMsg back = { .id = 0x200 + i, .dlc = 2, .data = { i, 0xa5 } };
        unsigned j;

        for (j = 0; j < r->type->channels; j++) {
            sja_wr(&r->chan[j], A_MOD, R_MOD_RM_MASK);
        }
        sja_pelican_setup(c, 0, 0);
        sja_load_tx(&r->partner, &to);
        sja_wr(&r->partner, A_CMR, R_CMR_TR_MASK);
        qtest_clock_step(r->qts, 1000000);
        g_assert_cmpuint(sja_rd(c, A_RMC), ==, 1);
        sja_assert_next_rx(c, &to);
        sja_load_tx(c, &back);
        sja_wr(c, A_CMR, R_CMR_TR_MASK);
        qtest_clock_step(r->qts, 1000000);
        g_assert_cmpuint(sja_rd(&r->partner, A_RMC), ==, 1);
        sja_assert_next_rx(&r->partner, &back);
    }
}

static void run(const BoardType *t, bool timing)
{
    Rig r;
    uint64_t op;

    rig_start(&r, t, timing);
    sja_pelican_setup(&r.partner, 0, 0);
    for (op = 0; op < ops_per_run; op++) {
        uint32_t pick = rnd(&r, 100);

        if (pick < 60) {
            chan_op(&r);
        } else if (pick < 85) {
            bar_op(&r);
        } else if (pick < 93) {
            partner_op(&r);
        } else {
            qtest_clock_step(r.qts, 1000 * (1 + rnd(&r, 2000)));
        }
        if (op % 64 == 63) {
            check_invariants(&r, op);
        }
    }
    check_invariants(&r, op);
    check_channels_after_reset(&r);
    rig_stop(&r);
}

static void test_random_timing_off(const void *data)
{
    run(data, false);
}

static void test_random_timing_on(const void *data)
{
    run(data, true);
}

int main(int argc, char **argv)
{
    size_t i;

    g_test_init(&argc, &argv, NULL);
    can_random_params(&seed, &ops_per_run);

    for (i = 0; i < ARRAY_SIZE(board_types); i++) {
        const BoardType *t = &board_types[i];
        g_autofree char *off = NULL, *on = NULL;

        if (t->chip != CHIP_SJA1000) {
            continue;
        }
        off = g_strdup_printf("/can-random-traffic/%s/timing-off", t->name);
        on = g_strdup_printf("/can-random-traffic/%s/timing-on", t->name);
        qtest_add_data_func(off, t, test_random_timing_off);
        qtest_add_data_func(on, t, test_random_timing_on);
    }
    return g_test_run();
}
