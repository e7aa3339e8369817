/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QTest: what is in flight on a CAN bus migrates with it.  Two Kvaser
 * PCIcan boards (slots 4 and 5) talk over can-bus canbus0, or one board
 * has no bus at all; each SJA1000 runs PeliCAN at 500 kbit/s (2 us a bit).
 * The source is migrated while a frame is on the wire or being retried,
 * and the destination must finish it as the source would have: once, at
 * the time it was due.
 */

#include "qemu/osdep.h"
#include "libqtest.h"
#include "libqos/pci-pc.h"
#include "qobject/qdict.h"
#include "can-sja1000-frame.h"

#define KVASER_SLOT         4
#define KVASER_SJA_BAR      1
#define BIT_NS              2000

/*
 * A standard frame, id 0x123, 8 bytes 1..8: 119 bits on the wire with its
 * stuff bits and interframe space (worked out from its bit pattern; the
 * same frame as can-sja1000-test's timing table).
 */
#define FRAME_BITS          119
static const CanMsg test_frame = {
    .id = 0x123, .dlc = 8, .data = { 1, 2, 3, 4, 5, 6, 7, 8 },
};

typedef struct Node {
    QTestState *qts;
    QPCIBus *pci;
    int boards;
    SJAChan chip[2];
} Node;

static void node_start(Node *n, const char *bus_opts, int boards,
                       const char *incoming)
{
    g_autoptr(GString) cmd = g_string_new("-machine pc -nodefaults");
    int i;

    if (bus_opts) {
        g_string_append_printf(cmd, " -object can-bus,id=canbus0%s",
                               bus_opts);
    }
    for (i = 0; i < boards; i++) {
        g_string_append_printf(cmd, " -device kvaser_pci,addr=0x%x%s",
                               KVASER_SLOT + i,
                               bus_opts ? ",canbus=/objects/canbus0" : "");
    }
    if (incoming) {
        g_string_append_printf(cmd, " -incoming %s", incoming);
    }
    memset(n, 0, sizeof(*n));
    n->boards = boards;
    n->qts = qtest_init(cmd->str);
}

static void node_map(Node *n)
{
    int i;

    n->pci = qpci_new_pc(n->qts, NULL);
    for (i = 0; i < n->boards; i++) {
        SJAChan *c = &n->chip[i];

        c->dev = qpci_device_find(n->pci, QPCI_DEVFN(KVASER_SLOT + i, 0));
        g_assert(c->dev);
        qpci_device_enable(c->dev);
        c->bar = qpci_iomap(c->dev, KVASER_SJA_BAR, NULL);
    }
}

static void node_stop(Node *n)
{
    int i;

    for (i = 0; i < n->boards; i++) {
        g_free(n->chip[i].dev);
    }
    qpci_free_pc(n->pci);
    qtest_quit(n->qts);
}

/* Send the test frame from @c with TR */
static void send_frame(SJAChan *c)
{
    sja_load_tx(c, &test_frame);
    sja_wr(c, A_CMR, R_CMR_TR_MASK);
}

static void assert_received_frame(SJAChan *c)
{
    g_assert_cmpuint(sja_rd(c, A_RMC), ==, 1);
    sja_assert_frame_at(c, A_FRAME, &test_frame);
}

static int64_t bus_frames(Node *n)
{
    QDict *rsp;
    int64_t value;

    rsp = qtest_qmp(n->qts, "{'execute': 'qom-get', 'arguments': "
                    "{'path': '/objects/canbus0', 'property': 'frames'}}");
    g_assert(qdict_haskey(rsp, "return"));
    value = qdict_get_int(rsp, "return");
    qobject_unref(rsp);
    return value;
}

/* Migrate @src into a new destination @dst started like it */
static void migrate(Node *src, Node *dst, const char *bus_opts)
{
    g_autofree char *sock = g_strdup_printf("%s/can-bus-mig-%d.sock",
                                            g_get_tmp_dir(), getpid());
    g_autofree char *uri = g_strdup_printf("unix:%s", sock);
    QDict *rsp;

    node_start(dst, bus_opts, src->boards, uri);
    rsp = qtest_qmp(src->qts, "{'execute': 'migrate', 'arguments': "
                    "{'uri': %s}}", uri);
    g_assert(qdict_haskey(rsp, "return"));
    qobject_unref(rsp);
    qtest_qmp_eventwait(src->qts, "STOP");
    qtest_qmp_eventwait(dst->qts, "RESUME");
    node_stop(src);
    unlink(sock);
    node_map(dst);
}

/*
 * On a timed bus, a frame half-way along the wire when the source stops
 * completes on the destination when its last bit would have: the
 * receiver has it then and not before, the sender sees it complete, and
 * it is delivered once.
 */
static void test_frame_on_the_wire_ends_once(void)
{
    const char *bus_opts = ",timing=on";
    const int64_t sent_bits = 40;
    Node src, dst;
    int64_t t0;

    node_start(&src, bus_opts, 2, NULL);
    node_map(&src);
    sja_pelican_setup(&src.chip[0], 0, R_IR_TI_MASK);
    sja_pelican_setup(&src.chip[1], 0, R_IR_RI_MASK);
    t0 = qtest_clock_step(src.qts, BIT_NS);
    send_frame(&src.chip[0]);
    g_assert_cmpint(qtest_clock_step(src.qts, sent_bits * BIT_NS), ==,
                    t0 + sent_bits * BIT_NS);
    g_assert_cmpuint(sja_rd(&src.chip[1], A_RMC), ==, 0);
    g_assert_cmphex(sja_rd(&src.chip[0], A_SR) & R_SR_TBS_MASK, ==, 0);

    migrate(&src, &dst, bus_opts);

    /* two bit times before the end it is still on the wire */
    qtest_clock_step(dst.qts, (FRAME_BITS - sent_bits - 2) * BIT_NS);
    g_assert_cmpuint(sja_rd(&dst.chip[1], A_RMC), ==, 0);
    g_assert_cmphex(sja_rd(&dst.chip[0], A_SR) & R_SR_TCS_MASK, ==, 0);
    qtest_clock_step(dst.qts, 2 * BIT_NS);
    assert_received_frame(&dst.chip[1]);
    g_assert_cmphex(sja_rd(&dst.chip[0], A_SR) & (R_SR_TBS_MASK |
                                                  R_SR_TCS_MASK), ==,
                    R_SR_TBS_MASK | R_SR_TCS_MASK);
    g_assert_cmphex(sja_rd(&dst.chip[0], A_IR), ==, R_IR_TI_MASK);
    g_assert_cmpint(bus_frames(&dst), ==, 1);

    sja_wr(&dst.chip[1], A_CMR, R_CMR_RRB_MASK);
    qtest_clock_step(dst.qts, 100 * FRAME_BITS * BIT_NS);
    g_assert_cmpuint(sja_rd(&dst.chip[1], A_RMC), ==, 0);
    g_assert_cmpint(bus_frames(&dst), ==, 1);
    node_stop(&dst);
}

/*
 * A chip with no bus retries its frame for ever, an ACK error each time;
 * it goes on retrying on the destination: the next bus error interrupt
 * comes, and TXERR goes on climbing to error passive.
 */
static void test_lone_chip_keeps_retrying(void)
{
    Node src, dst;
    uint8_t tec;

    node_start(&src, NULL, 1, NULL);
    node_map(&src);
    sja_pelican_setup(&src.chip[0], 0, R_IR_BEI_MASK);
    send_frame(&src.chip[0]);
    g_assert_cmphex(sja_rd(&src.chip[0], A_IR), ==, R_IR_BEI_MASK);
    tec = sja_rd(&src.chip[0], A_TXERR);
    g_assert_cmpuint(tec, >=, 8);
    g_assert_cmpuint(tec, <, 128);

    migrate(&src, &dst, NULL);

    g_assert_cmphex(sja_rd(&dst.chip[0], A_SR) & R_SR_TBS_MASK, ==, 0);
    g_assert_cmphex(sja_rd(&dst.chip[0], A_TXERR), ==, tec);
    /* reading ECC arms the next bus error interrupt */
    g_assert_cmphex(sja_rd(&dst.chip[0], A_ECC), ==, ECC_ACK_ERROR);
    qtest_clock_step(dst.qts, 2 * (FRAME_BITS + 14) * BIT_NS);
    g_assert_cmphex(sja_rd(&dst.chip[0], A_IR), ==, R_IR_BEI_MASK);
    g_assert_cmpuint(sja_rd(&dst.chip[0], A_TXERR), >, tec);
    qtest_clock_step(dst.qts, 100 * (FRAME_BITS + 14) * BIT_NS);
    g_assert_cmpuint(sja_rd(&dst.chip[0], A_TXERR), ==, 128);
    g_assert_cmphex(sja_rd(&dst.chip[0], A_SR) & R_SR_TBS_MASK, ==, 0);
    node_stop(&dst);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/can-bus/migration/frame-on-the-wire-ends-once",
                   test_frame_on_the_wire_ends_once);
    qtest_add_func("/can-bus/migration/lone-chip-keeps-retrying",
                   test_lone_chip_keeps_retrying);
    return g_test_run();
}
