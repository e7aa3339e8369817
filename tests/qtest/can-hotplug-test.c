/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * CAN boards and buses that come and go while the bus carries traffic:
 * device_del of a Kvaser board whose channel is transmitting (retrying
 * after ACK errors, or in the middle of a frame on a timed bus), object-del
 * of a bus in use (refused) and of one no longer in use, and device_add of
 * a board onto a running bus.  Whatever goes, the boards that stay keep
 * working and see nothing of a frame cut short.
 *
 * The boards sit in PIIX4 ACPI hot-plug slots; libqos ejects them as a
 * guest's ACPI code would.
 */

#include "qemu/osdep.h"
#include "libqtest.h"
#include "libqos/pci-pc.h"
#include "qobject/qdict.h"
#include "can-sja1000-frame.h"

#define KVASER_SJA_BAR      1
#define KVASER_CHAN_STRIDE  0x20
#define SLOT_STAY           4
#define SLOT_GO             5

typedef struct Board {
    QPCIDevice *dev;
    SJAChan chan[2];
} Board;

typedef struct Rig {
    QTestState *qts;
    QPCIBus *bus;
    Board stay;     /* channels 0 and 1 on canbus0 */
    Board go;       /* channel 0 on canbus0, channel 1 on canbus1 */
} Rig;

static void board_map(Rig *r, Board *b, int slot)
{
    QPCIBar bar;
    int i;

    b->dev = qpci_device_find(r->bus, QPCI_DEVFN(slot, 0));
    g_assert(b->dev);
    qpci_device_enable(b->dev);
    bar = qpci_iomap(b->dev, KVASER_SJA_BAR, NULL);
    for (i = 0; i < 2; i++) {
        b->chan[i] = (SJAChan) {
            .dev = b->dev, .bar = bar, .base = i * KVASER_CHAN_STRIDE,
        };
        sja_pelican_setup(&b->chan[i], 0, 0);
    }
}

static void rig_start(Rig *r, const char *bus_opts)
{
    memset(r, 0, sizeof(*r));
    r->qts = qtest_initf("-machine pc -nodefaults "
                         "-object can-bus,id=canbus0%s "
                         "-object can-bus,id=canbus1%s "
                         "-device kvaser_pci,id=stay,channels=2,"
                         "canbus0=canbus0,canbus1=canbus0,addr=0x%x "
                         "-device kvaser_pci,id=go,channels=2,"
                         "canbus0=canbus0,canbus1=canbus1,addr=0x%x",
                         bus_opts, bus_opts, SLOT_STAY, SLOT_GO);
    r->bus = qpci_new_pc(r->qts, NULL);
    board_map(r, &r->stay, SLOT_STAY);
    board_map(r, &r->go, SLOT_GO);
}

static void rig_unplug_go(Rig *r)
{
    qpci_unplug_acpi_device_test(r->qts, "go", SLOT_GO);
    g_free(r->go.dev);
    r->go.dev = NULL;
}

static void rig_stop(Rig *r)
{
    g_free(r->stay.dev);
    g_free(r->go.dev);
    qpci_free_pc(r->bus);
    qtest_quit(r->qts);
}

static void wait_us(Rig *r, int64_t us)
{
    qtest_clock_step(r->qts, us * 1000);
}

/* The board that stayed still sends and receives on canbus0 */
static void assert_stay_works(Rig *r)
{
    static const CanMsg m = { .id = 0x7a, .dlc = 2, .data = { 0xa5, 0x5a } };

    sja_load_tx(&r->stay.chan[0], &m);
    sja_wr(&r->stay.chan[0], A_CMR, R_CMR_TR_MASK);
    wait_us(r, 1000);
    g_assert_cmphex(sja_rd(&r->stay.chan[0], A_SR) & R_SR_TCS_MASK, ==,
                    R_SR_TCS_MASK);
    g_assert_cmpuint(sja_rd(&r->stay.chan[1], A_RMC), ==, 1);
    sja_assert_next_rx(&r->stay.chan[1], &m);
}

static int64_t qom_get_int(Rig *r, const char *path, const char *prop)
{
    QDict *rsp = qtest_qmp(r->qts, "{'execute': 'qom-get', 'arguments': "
                           "{'path': %s, 'property': %s}}", path, prop);
    int64_t v;

    g_assert(qdict_haskey(rsp, "return"));
    v = qdict_get_int(rsp, "return");
    qobject_unref(rsp);
    return v;
}

/*
 * A lone channel (canbus1) retries its frame after every ACK error; the
 * board goes in the middle of that, with its channel on canbus0 idle.
 */
static void test_unplug_board_retrying_after_ack_errors(void)
{
    static const CanMsg m = { .id = 0x31, .dlc = 1, .data = { 0x31 } };
    Rig r;

    rig_start(&r, "");
    sja_load_tx(&r.go.chan[1], &m);
    sja_wr(&r.go.chan[1], A_CMR, R_CMR_TR_MASK);
    wait_us(&r, 500);
    g_assert_cmpuint(sja_rd(&r.go.chan[1], A_TXERR), >, 0);

    rig_unplug_go(&r);
    wait_us(&r, 10000);
    assert_stay_works(&r);
    rig_stop(&r);
}

/*
 * On a timed bus the board goes while its frame is on the wire: the frame
 * is cut short, so no other node stores it, the bus counts it among its
 * error frames, and the wire is free again for the next frame.
 */
static void test_unplug_board_with_a_frame_on_the_wire(void)
{
    static const CanMsg m = { .id = 0x32, .dlc = 8,
                              .data = { 1, 2, 3, 4, 5, 6, 7, 8 } };
    Rig r;

    rig_start(&r, ",timing=on");
    sja_load_tx(&r.go.chan[0], &m);
    sja_wr(&r.go.chan[0], A_CMR, R_CMR_TR_MASK);
    wait_us(&r, 100);   /* 8 data bytes take ~230 us at 500 kbit/s */
    g_assert_cmphex(sja_rd(&r.go.chan[0], A_SR) & R_SR_TS_MASK, ==,
                    R_SR_TS_MASK);

    g_assert_cmpint(qom_get_int(&r, "/objects/canbus0", "error-frames"), ==,
                    0);
    rig_unplug_go(&r);
    wait_us(&r, 1000);
    g_assert_cmpuint(sja_rd(&r.stay.chan[0], A_RMC), ==, 0);
    g_assert_cmpuint(sja_rd(&r.stay.chan[1], A_RMC), ==, 0);
    g_assert_cmpint(qom_get_int(&r, "/objects/canbus0", "error-frames"), ==,
                    1);
    g_assert_cmpint(qom_get_int(&r, "/objects/canbus0", "frames"), ==, 0);
    assert_stay_works(&r);
    rig_stop(&r);
}

/* A bus with clients cannot go; once they went, it can */
static void test_object_del_of_a_bus_in_use_is_refused(void)
{
    QDict *rsp;
    Rig r;

    rig_start(&r, "");
    rsp = qtest_qmp(r.qts, "{'execute': 'object-del', "
                    "'arguments': {'id': 'canbus1'}}");
    g_assert(qdict_haskey(rsp, "error"));
    g_assert_nonnull(strstr(qdict_get_str(qdict_get_qdict(rsp, "error"),
                                          "desc"), "canbus1"));
    qobject_unref(rsp);

    rig_unplug_go(&r);
    rsp = qtest_qmp(r.qts, "{'execute': 'object-del', "
                    "'arguments': {'id': 'canbus1'}}");
    g_assert(qdict_haskey(rsp, "return"));
    qobject_unref(rsp);

    /* a board may not join the bus that went */
    rsp = qtest_qmp(r.qts, "{'execute': 'device_add', 'arguments': "
                    "{'driver': 'kvaser_pci', 'id': 'late', "
                    "'canbus': 'canbus1', 'addr': '0x6'}}");
    g_assert(qdict_haskey(rsp, "error"));
    g_assert_nonnull(strstr(qdict_get_str(qdict_get_qdict(rsp, "error"),
                                          "desc"), "canbus1"));
    qobject_unref(rsp);
    assert_stay_works(&r);
    rig_stop(&r);
}

/* A board added at run time talks to the one already there */
static void test_device_add_joins_a_running_bus(void)
{
    static const CanMsg m = { .id = 0x33, .dlc = 1, .data = { 0x33 } };
    Board late;
    Rig r;

    rig_start(&r, "");
    rig_unplug_go(&r);
    qtest_qmp_device_add(r.qts, "kvaser_pci", "late",
                         "{'canbus': 'canbus0', 'addr': %s}",
                         stringify(SLOT_GO));
    board_map(&r, &late, SLOT_GO);

    sja_load_tx(&late.chan[0], &m);
    sja_wr(&late.chan[0], A_CMR, R_CMR_TR_MASK);
    wait_us(&r, 1000);
    g_assert_cmpuint(sja_rd(&r.stay.chan[0], A_RMC), ==, 1);
    sja_assert_next_rx(&r.stay.chan[0], &m);
    g_assert_cmpint(qom_get_int(&r, "/objects/canbus0", "frames"), ==, 1);
    g_free(late.dev);
    rig_stop(&r);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/can-hotplug/unplug-board-retrying-after-ack-errors",
                   test_unplug_board_retrying_after_ack_errors);
    qtest_add_func("/can-hotplug/unplug-board-with-a-frame-on-the-wire",
                   test_unplug_board_with_a_frame_on_the_wire);
    qtest_add_func("/can-hotplug/object-del-of-a-bus-in-use-is-refused",
                   test_object_del_of_a_bus_in_use_is_refused);
    qtest_add_func("/can-hotplug/device-add-joins-a-running-bus",
                   test_device_add_joins_a_running_bus);
    return g_test_run();
}
