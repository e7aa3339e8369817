/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QTest: every SJA1000 board type live-migrated between two QEMU
 * processes with QEMU's migration helpers, in the middle of what a CAN
 * channel can be doing: frames waiting in the RX FIFO (one wrapped round
 * the 64-byte RAM, one lost to an overrun), a TX request waiting for the
 * bus while another frame is on a timed bus's wire, a frame half-way
 * along the wire, a bus-off recovery counting its bus-free sequences, and
 * an error-passive node alone on its bus retrying.
 *
 * What "continues exactly" means here: a third QEMU, the reference, runs
 * the same steps and is never migrated.  After the migration the
 * destination and the reference are driven in lockstep, step by step of
 * the virtual clock, and must agree on the clock, on every register of
 * every channel (the partner's included) and on what query-can says of
 * each bus; each step also checks what a driver expects (the frame that
 * was pending arrives once, the recovery ends at the 128th sequence), on
 * both, so that two equally wrong runs cannot agree their way through.
 *
 * The board under test sits in slot 4 with every channel on can-bus
 * canbus0 (the lone node: channel 0 alone on canbus1); a Kvaser PCIcan-S
 * partner in slot 5 is on canbus0.  Every channel runs PeliCAN at
 * 500 kbit/s, 2 us a bit.
 */

#include "qemu/osdep.h"
#include "libqtest.h"
#include "libqos/pci-pc.h"
#include "hw/pci/pci_regs.h"
#include "qobject/qdict.h"
#include "qobject/qlist.h"
#include "qobject/qjson.h"
#include "migration/migration-qmp.h"
#include "migration/migration-util.h"
#include "can-sja1000-frame.h"
#include "can-board-types.h"

#define BOARD_SLOT          4
#define PARTNER_SLOT        5
#define MAX_CHANNELS        4
#define MAX_BARS            6
#define BIT_NS              2000
/* the registers a PeliCAN channel decodes: every board maps these 32 */
#define SJA_REGS            32
/* what a frame of test_frame's shape takes on the wire, stuff bits in */
#define FRAME_BITS          119
/* a bus-off recovery waits for 128 sequences of 11 recessive bits */
#define SEQUENCE_NS         (11 * BIT_NS)
/* one ACK-error attempt of a lone node, error frame included */
#define ATTEMPT_NS          ((FRAME_BITS + 14) * BIT_NS)

typedef struct Node {
    QTestState *qts;
    QTestMigrationState mig;
    QPCIBus *bus;
    QPCIDevice *dev;
    QPCIDevice *partner_dev;
    QPCIBar bars[MAX_BARS];
    const BoardType *type;
    SJAChan chan[MAX_CHANNELS];
    SJAChan partner;
} Node;

typedef struct Scenario {
    const char *name;
    bool timing;            /* canbus0 and canbus1 in virtual time */
    bool lone;              /* channel 0 alone on canbus1 */
    /* what the source and the reference do before the migration */
    void (*before)(Node *n);
    /* check(n, 0) as migrated, then check(n, i) after each of @steps */
    int steps;
    int64_t step_ns;
    void (*check)(Node *n, int step);
} Scenario;

typedef struct Case {
    const BoardType *type;
    const Scenario *sc;
} Case;

static const CanMsg test_frame = {
    .id = 0x123, .dlc = 8, .data = { 1, 2, 3, 4, 5, 6, 7, 8 },
};

/* the board's frame in the TX case: a lower priority than the partner's */
static const CanMsg board_frame = {
    .id = 0x456, .ext = true, .dlc = 3, .data = { 0xa1, 0xb2, 0xc3 },
};

/*
 * Find the boards and map their BARs.  libqos gives the destination the
 * addresses it gave the source, which are those its BARs migrated with.
 */
static void node_map(Node *n)
{
    const BoardType *t = n->type;
    unsigned i;
    int b;

    n->bus = qpci_new_pc(n->qts, NULL);
    n->dev = qpci_device_find(n->bus, QPCI_DEVFN(BOARD_SLOT, 0));
    n->partner_dev = qpci_device_find(n->bus, QPCI_DEVFN(PARTNER_SLOT, 0));
    g_assert(n->dev && n->partner_dev);
    qpci_device_enable(n->dev);
    qpci_device_enable(n->partner_dev);
    for (b = 0; b < MAX_BARS; b++) {
        if (board_bar_present(n->dev, b)) {
            n->bars[b] = qpci_iomap(n->dev, b, NULL);
        }
    }
    for (i = 0; i < t->channels; i++) {
        n->chan[i] = (SJAChan) {
            .dev = n->dev,
            .bar = n->bars[t->first_bar + i * t->bar_step],
            .base = t->offset + i * t->span,
            .shift = t->shift,
        };
    }
    n->partner = (SJAChan) {
        .dev = n->partner_dev,
        .bar = qpci_iomap(n->partner_dev, 1, NULL),
    };
}

static void node_start(Node *n, const Case *c, const char *incoming)
{
    const BoardType *t = c->type;
    const char *timing = c->sc->timing ? ",timing=on" : "";
    g_autoptr(GString) cmd = g_string_new(NULL);
    unsigned i;

    memset(n, 0, sizeof(*n));
    n->type = t;
    g_string_append_printf(cmd, "-machine pc -nodefaults -m 32 "
                           "-object can-bus,id=canbus0%s "
                           "-object can-bus,id=canbus1%s "
                           "-device %s,addr=0x%x", timing, timing,
                           t->device, BOARD_SLOT);
    for (i = 0; i < t->channels; i++) {
        const char *bus = c->sc->lone && i == 0 ? "canbus1" : "canbus0";

        if (t->channels == 1) {
            g_string_append_printf(cmd, ",canbus=%s", bus);
        } else {
            g_string_append_printf(cmd, ",canbus%u=%s", i, bus);
        }
    }
    g_string_append_printf(cmd, " -device kvaser_pci,canbus=canbus0,"
                           "addr=0x%x", PARTNER_SLOT);
    if (incoming) {
        g_string_append_printf(cmd, " -incoming %s", incoming);
    }
    n->qts = qtest_init(cmd->str);
    qtest_qmp_set_event_callback(n->qts, migrate_watch_for_events, &n->mig);
    if (!incoming) {
        node_map(n);
    }
}

static void node_stop(Node *n)
{
    g_free(n->dev);
    g_free(n->partner_dev);
    qpci_free_pc(n->bus);
    qtest_quit(n->qts);
}

/* Live-migrate @src into a new QEMU @dst started as it was */
static void migrate(Node *src, Node *dst, const Case *c)
{
    g_autofree char *path = g_strdup_printf("%s/can-live-mig-%d.sock",
                                            g_get_tmp_dir(), getpid());
    g_autofree char *uri = g_strdup_printf("unix:%s", path);

    node_start(dst, c, "defer");
    migrate_incoming_qmp(dst->qts, uri, NULL, "{}");
    migrate_qmp(src->qts, dst->qts, uri, NULL, "{}");
    wait_for_migration_complete(src->qts);
    wait_for_stop(src->qts, &src->mig);
    wait_for_resume(dst->qts, &dst->mig);
    unlink(path);
    node_stop(src);
    node_map(dst);
}

/*
 * query-can without the per-client counters, which count from when a
 * client joined its bus and so start again on the destination, and
 * without the bus's load: busy-ns (compared) over the time since the bus
 * was created on this side, where qtest's clock starts again at 0
 */
static GString *bus_state(Node *n)
{
    QDict *rsp = qtest_qmp(n->qts, "{'execute': 'query-can'}");
    QList *buses = qdict_get_qlist(rsp, "return");
    const QListEntry *b, *cl;
    GString *json;

    g_assert(buses);
    QLIST_FOREACH_ENTRY(buses, b) {
        QDict *bus = qobject_to(QDict, b->value);
        QList *clients = qdict_get_qlist(bus, "clients");

        qdict_del(bus, "load");
        QLIST_FOREACH_ENTRY(clients, cl) {
            QDict *client = qobject_to(QDict, cl->value);

            qdict_del(client, "frames-out");
            qdict_del(client, "frames-in");
            qdict_del(client, "drops");
        }
    }
    json = qobject_to_json(QOBJECT(buses));
    qobject_unref(rsp);
    return json;
}

/*
 * The destination and the reference agree on every register of every
 * channel, IR, ECC and ALC included: reading them clears or re-arms them
 * on both alike.
 */
static void assert_same_state(Node *ref, Node *dst, int step)
{
    g_autoptr(GString) ref_buses = bus_state(ref);
    g_autoptr(GString) dst_buses = bus_state(dst);
    unsigned i, r;

    for (i = 0; i <= ref->type->channels; i++) {
        const SJAChan *a = i < ref->type->channels ? &ref->chan[i]
                                                    : &ref->partner;
        const SJAChan *b = i < dst->type->channels ? &dst->chan[i]
                                                    : &dst->partner;

        for (r = 0; r < SJA_REGS; r++) {
            uint8_t want = sja_rd(a, r), got = sja_rd(b, r);

            if (want != got) {
                g_test_message("step %d, %s %u, register %u: "
                               "0x%02x, reference 0x%02x", step,
                               i < ref->type->channels ? "channel"
                                                       : "partner",
                               i, r, got, want);
            }
            g_assert_cmphex(got, ==, want);
        }
    }
    g_assert_cmpstr(dst_buses->str, ==, ref_buses->str);
}

static void setup_all(Node *n, uint8_t ier)
{
    unsigned i;

    for (i = 0; i < n->type->channels; i++) {
        sja_pelican_setup(&n->chan[i], 0, ier);
    }
    sja_pelican_setup(&n->partner, 0, ier);
}

/* @c sends @m as a driver does: TX buffer, then TR */
static void tx(const SJAChan *c, const CanMsg *m)
{
    sja_load_tx(c, m);
    sja_wr(c, A_CMR, R_CMR_TR_MASK);
}

/* The frame of @id with 8 data bytes made of @id */
static CanMsg long_frame(uint16_t id)
{
    CanMsg m = { .id = id, .dlc = 8 };

    memset(m.data, id & 0xff, sizeof(m.data));
    return m;
}

/*
 * Frames in the RX FIFO.  Two frames of 11 bytes are read and released
 * first, so RBSA is 22 and the next five (55 bytes) wrap round the end of
 * the 64-byte RAM; a sixth does not fit in the 9 bytes left: overrun.
 */
#define RX_KEPT             5

static void rx_fifo_before(Node *n)
{
    CanMsg m;
    unsigned i, k;

    setup_all(n, R_IR_RI_MASK | R_IR_DOI_MASK);
    for (k = 0; k < 2 + RX_KEPT + 1; k++) {
        m = long_frame(0x100 + k);
        tx(&n->partner, &m);
        qtest_clock_step(n->qts, 1000000);
        if (k < 2) {
            for (i = 0; i < n->type->channels; i++) {
                sja_assert_next_rx(&n->chan[i], &m);
            }
        }
    }
    for (i = 0; i < n->type->channels; i++) {
        g_assert_cmpuint(sja_rd(&n->chan[i], A_RBSA), ==, 22);
    }
}

/*
 * Right after the migration: five frames and the overrun; then steps of
 * 1 ms: 1..5 read and release one frame each, 6 finds the FIFO empty and
 * clears the overrun, 7 receives a frame where the wrapped ones ended.
 */
static void rx_fifo_check(Node *n, int step)
{
    CanMsg next = long_frame(0x200);
    unsigned i;

    for (i = 0; i < n->type->channels; i++) {
        const SJAChan *c = &n->chan[i];
        CanMsg m;

        if (step == 0) {
            g_assert_cmpuint(sja_rd(c, A_RMC), ==, RX_KEPT);
            g_assert_cmphex(sja_rd(c, A_SR) & (R_SR_RBS_MASK | R_SR_DOS_MASK),
                            ==, R_SR_RBS_MASK | R_SR_DOS_MASK);
            g_assert_cmphex(sja_rd(c, A_IR), ==, R_IR_RI_MASK | R_IR_DOI_MASK);
        } else if (step <= RX_KEPT) {
            m = long_frame(0x100 + 1 + step);
            sja_assert_next_rx(c, &m);
            g_assert_cmpuint(sja_rd(c, A_RMC), ==, RX_KEPT - step);
        } else if (step == RX_KEPT + 1) {
            g_assert_cmphex(sja_rd(c, A_SR) & R_SR_RBS_MASK, ==, 0);
            g_assert_cmpuint(sja_rd(c, A_RBSA), ==, (22 + RX_KEPT * 11) % 64);
            sja_wr(c, A_CMR, R_CMR_CDO_MASK);
            g_assert_cmphex(sja_rd(c, A_SR) & R_SR_DOS_MASK, ==, 0);
        } else {
            sja_assert_next_rx(c, &next);
            g_assert_cmpuint(sja_rd(c, A_RMC), ==, 0);
        }
    }
    if (step == RX_KEPT + 1) {
        tx(&n->partner, &next);
    }
}

/*
 * A TX request pending: the partner's frame is 40 bits along a timed
 * bus's wire when channel 0 asks to send; its frame waits for the bus to
 * be free, and goes after the partner's, once.
 */
static void tx_pending_before(Node *n)
{
    setup_all(n, R_IR_TI_MASK | R_IR_RI_MASK);
    qtest_clock_step(n->qts, BIT_NS);
    tx(&n->partner, &test_frame);
    qtest_clock_step(n->qts, 40 * BIT_NS);
    tx(&n->chan[0], &board_frame);
    g_assert_cmpuint(sja_rd(&n->partner, A_RMC), ==, 0);
}

/* steps of 10 bits: both frames are over by step 25 */
static void tx_pending_check(Node *n, int step)
{
    unsigned i;

    if (step == 0) {
        g_assert_cmphex(sja_rd(&n->chan[0], A_SR) & R_SR_TBS_MASK, ==, 0);
        g_assert_cmpuint(sja_rd(&n->partner, A_RMC), ==, 0);
        return;
    }
    if (step < 25) {
        return;
    }
    g_assert_cmphex(sja_rd(&n->chan[0], A_SR) & (R_SR_TBS_MASK |
                                                  R_SR_TCS_MASK), ==,
                    R_SR_TBS_MASK | R_SR_TCS_MASK);
    g_assert_cmpuint(sja_rd(&n->partner, A_RMC), ==, 1);
    sja_assert_frame_at(&n->partner, A_FRAME, &board_frame);
    g_assert_cmpuint(sja_rd(&n->chan[0], A_RMC), ==, 1);
    sja_assert_frame_at(&n->chan[0], A_FRAME, &test_frame);
    for (i = 1; i < n->type->channels; i++) {
        g_assert_cmpuint(sja_rd(&n->chan[i], A_RMC), ==, 2);
        sja_assert_frame_at(&n->chan[i], A_FRAME, &test_frame);
    }
}

/* A frame 40 bits along a timed bus's wire: it ends once, when it is due */
static void on_the_wire_before(Node *n)
{
    setup_all(n, R_IR_TI_MASK | R_IR_RI_MASK);
    qtest_clock_step(n->qts, BIT_NS);
    tx(&n->chan[0], &test_frame);
    qtest_clock_step(n->qts, 40 * BIT_NS);
    g_assert_cmpuint(sja_rd(&n->partner, A_RMC), ==, 0);
}

/* steps of 2 bits: the frame's last bit is in step 40 */
static void on_the_wire_check(Node *n, int step)
{
    int end = (FRAME_BITS - 40 + 1) / 2;
    unsigned i;

    g_assert_cmpuint(sja_rd(&n->partner, A_RMC), ==, step >= end);
    for (i = 1; i < n->type->channels; i++) {
        g_assert_cmpuint(sja_rd(&n->chan[i], A_RMC), ==, step >= end);
    }
    if (step == end) {
        sja_assert_frame_at(&n->partner, A_FRAME, &test_frame);
        g_assert_cmphex(sja_rd(&n->chan[0], A_IR), ==, R_IR_TI_MASK);
    }
}

/*
 * A channel recovering from bus-off, 10 of its 128 bus-free sequences
 * counted; it goes on counting, recovers, then sends.
 */
static void bus_off_before(Node *n)
{
    const SJAChan *c = &n->chan[0];

    setup_all(n, R_IR_EI_MASK | R_IR_TI_MASK);
    /* a bus-off forced as the datasheet says: TXERR 255 in reset mode */
    sja_wr(c, A_MOD, R_MOD_RM_MASK);
    sja_wr(c, A_TXERR, 255);
    sja_wr(c, A_MOD, 0);
    g_assert_cmphex(sja_rd(c, A_SR) & R_SR_BS_MASK, ==, R_SR_BS_MASK);
    g_assert_cmphex(sja_rd(c, A_IR), ==, R_IR_EI_MASK);
    /* the host ends the reset mode the bus-off left the chip in */
    sja_wr(c, A_MOD, 0);
    qtest_clock_step(n->qts, 10 * SEQUENCE_NS + SEQUENCE_NS / 2);
    g_assert_cmpuint(sja_rd(c, A_TXERR), ==, 117);
}

/* steps of 4 sequences: the 128th is in step 30 */
static void bus_off_check(Node *n, int step)
{
    const SJAChan *c = &n->chan[0];

    if (step < 30) {
        g_assert_cmpuint(sja_rd(c, A_TXERR), ==, 117 - 4 * step);
        g_assert_cmphex(sja_rd(c, A_SR) & R_SR_BS_MASK, ==, R_SR_BS_MASK);
        return;
    }
    g_assert_cmphex(sja_rd(c, A_SR), ==, R_SR_TCS_MASK | R_SR_TBS_MASK);
    g_assert_cmpuint(sja_rd(c, A_TXERR), ==, 0);
    g_assert_cmphex(sja_rd(c, A_IR), ==, R_IR_EI_MASK);
    tx(c, &board_frame);
    g_assert_cmphex(sja_rd(c, A_IR), ==, R_IR_TI_MASK);
    g_assert_cmpuint(sja_rd(&n->partner, A_RMC), ==, 1);
    sja_assert_frame_at(&n->partner, A_FRAME, &board_frame);
}

/*
 * An error-passive node alone on its bus: TXERR stopped at 128, it goes on
 * retrying its frame, a bus error interrupt for each attempt.
 */
static void error_passive_before(Node *n)
{
    const SJAChan *c = &n->chan[0];

    setup_all(n, R_IR_BEI_MASK | R_IR_EPI_MASK);
    tx(c, &test_frame);
    qtest_clock_step(n->qts, 20 * ATTEMPT_NS);
    g_assert_cmpuint(sja_rd(c, A_TXERR), ==, 128);
    g_assert_cmphex(sja_rd(c, A_IR), ==, R_IR_BEI_MASK | R_IR_EPI_MASK);
    g_assert_cmphex(sja_rd(c, A_ECC), ==, ECC_ACK_ERROR);
}

/* steps of one attempt: each brings its bus error, TXERR stays */
static void error_passive_check(Node *n, int step)
{
    const SJAChan *c = &n->chan[0];

    g_assert_cmpuint(sja_rd(c, A_TXERR), ==, 128);
    g_assert_cmphex(sja_rd(c, A_SR) & (R_SR_ES_MASK | R_SR_TBS_MASK |
                                       R_SR_BS_MASK), ==, R_SR_ES_MASK);
    if (step > 0) {
        g_assert_cmphex(sja_rd(c, A_IR), ==, R_IR_BEI_MASK);
        g_assert_cmphex(sja_rd(c, A_ECC), ==, ECC_ACK_ERROR);
    }
}

static const Scenario scenarios[] = {
    { "rx-fifo", false, false, rx_fifo_before,
      RX_KEPT + 2, 1000000, rx_fifo_check },
    { "tx-pending", true, false, tx_pending_before,
      30, 10 * BIT_NS, tx_pending_check },
    { "frame-on-the-wire", true, false, on_the_wire_before,
      50, 2 * BIT_NS, on_the_wire_check },
    { "bus-off-recovery", false, false, bus_off_before,
      30, 4 * SEQUENCE_NS, bus_off_check },
    { "error-passive-lone-node", false, true, error_passive_before,
      10, ATTEMPT_NS, error_passive_check },
};

/*
 * Step 0 checks the destination as the migration left it; each step after
 * it first moves both clocks on by the scenario's step.
 */
static void test_live_migration(const void *opaque)
{
    const Case *c = opaque;
    const Scenario *sc = c->sc;
    Node ref, src, dst;
    int64_t offset = 0;
    int i;

    node_start(&ref, c, NULL);
    node_start(&src, c, NULL);
    sc->before(&ref);
    sc->before(&src);
    migrate(&src, &dst, c);
    for (i = 0; i <= sc->steps; i++) {
        if (i > 0) {
            int64_t t = qtest_clock_step(ref.qts, sc->step_ns);
            int64_t d = qtest_clock_step(dst.qts, sc->step_ns);

            /* qtest's clock starts again at 0; the offset stays */
            if (i == 1) {
                offset = t - d;
            }
            g_assert_cmpint(d + offset, ==, t);
        }
        sc->check(&ref, i);
        sc->check(&dst, i);
        assert_same_state(&ref, &dst, i);
    }
    node_stop(&ref);
    node_stop(&dst);
}

int main(int argc, char **argv)
{
    size_t i, s;

    g_test_init(&argc, &argv, NULL);
    for (i = 0; i < ARRAY_SIZE(board_types); i++) {
        if (board_types[i].chip != CHIP_SJA1000) {
            continue;
        }
        for (s = 0; s < ARRAY_SIZE(scenarios); s++) {
            Case *c = g_new0(Case, 1);
            g_autofree char *path = NULL;

            c->type = &board_types[i];
            c->sc = &scenarios[s];
            path = g_strdup_printf("/can-live-migration/%s/%s",
                                   board_types[i].name, scenarios[s].name);
            qtest_add_data_func_full(path, c, test_live_migration, g_free);
        }
    }
    return g_test_run();
}
