/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QTest for QMP query-can and HMP info can: the buses, their clients and
 * what the controllers say of themselves, on Kvaser PCIcan boards whose
 * SJA1000 channels are driven at register level into the states a driver
 * would see (a lone node error passive, a channel bus-off).
 */

#include "qemu/osdep.h"
#include "qobject/qdict.h"
#include "qobject/qlist.h"
#include "can-pci-board-qtest.h"

#define KVASER_SJA_BAR      1
#define KVASER_CHANNEL_SIZE 0x20
#define CHIP0               "/machine/peripheral-anon/device[0]/chip[0]"
#define CHIP1               "/machine/peripheral-anon/device[0]/chip[1]"

static SJAChan kvaser_chan(Board *b, unsigned i)
{
    return (SJAChan) {
        .dev = b->dev, .bar = b->bar[KVASER_SJA_BAR],
        .base = i * KVASER_CHANNEL_SIZE,
    };
}

/* query-can's answer; the caller unrefs it */
static QList *query_can(Board *b)
{
    QDict *resp = qtest_qmp(b->qts, "{'execute': 'query-can'}");
    QList *buses = qdict_get_qlist(resp, "return");

    g_assert(buses);
    qobject_ref(buses);
    qobject_unref(resp);
    return buses;
}

/* The entry of @list whose @key is @value */
static QDict *find_entry(QList *list, const char *key, const char *value)
{
    QListEntry *e;

    QLIST_FOREACH_ENTRY(list, e) {
        QDict *d = qobject_to(QDict, qlist_entry_obj(e));

        if (!strcmp(qdict_get_str(d, key), value)) {
            return d;
        }
    }
    g_assert_not_reached();
}

static QDict *find_client(QList *buses, const char *bus, const char *name)
{
    QDict *b = find_entry(buses, "id", bus);

    return find_entry(qdict_get_qlist(b, "clients"), "name", name);
}

static char *info_can(Board *b)
{
    return qtest_hmp(b->qts, "info can");
}

/*
 * A channel alone on canbus0 gets ACK errors until it is error passive
 * with TEC 128 (as Linux reports a lone node); a channel on canbus1 that
 * the host forced bus-off (TXERR 255 in reset mode, datasheet 6.4.12) is
 * bus-off and back in reset mode with TXERR 127.
 */
static void test_error_passive_and_bus_off(void)
{
    static const CanMsg m = { .id = 0x55, .dlc = 1, .data = { 0x55 } };
    g_autofree char *hmp = NULL;
    QDict *c, *st;
    QList *buses;
    SJAChan c0, c1;
    Board b;

    board_start(&b, "-object can-bus,id=canbus0 -object can-bus,id=canbus1 "
                "-device kvaser_pci,addr=0x4,channels=2,canbus0=canbus0,"
                "canbus1=canbus1", 3);
    c0 = kvaser_chan(&b, 0);
    c1 = kvaser_chan(&b, 1);
    sja_pelican_setup(&c0, 0, 0);
    sja_pelican_setup(&c1, 0, 0);
    sja_load_tx(&c0, &m);
    sja_wr(&c0, A_CMR, R_CMR_TR_MASK);
    /* 16 ACK errors take TEC to 128; then it stays, retrying */
    qtest_clock_step(b.qts, 100 * 1000 * 1000);
    g_assert_cmpuint(sja_rd(&c0, A_TXERR), ==, 128);
    sja_wr(&c1, A_MOD, R_MOD_RM_MASK);
    sja_wr(&c1, A_TXERR, 255);
    sja_wr(&c1, A_MOD, 0);
    g_assert_cmphex(sja_rd(&c1, A_SR) & R_SR_BS_MASK, ==, R_SR_BS_MASK);

    buses = query_can(&b);
    g_assert_cmpuint(qlist_size(buses), ==, 2);
    c = find_client(buses, "canbus0", CHIP0);
    g_assert_cmpstr(qdict_get_str(c, "type"), ==, "can-sja1000");
    g_assert_cmpstr(qdict_get_str(c, "role"), ==, "controller");
    g_assert_cmpuint(qdict_get_int(c, "bitrate"), ==, 500000);
    g_assert_cmpuint(qdict_get_int(c, "frames-out"), ==, 0);
    st = qdict_get_qdict(c, "status");
    g_assert_true(qdict_get_bool(st, "operating"));
    g_assert_false(qdict_get_bool(st, "listen-only"));
    g_assert_false(qdict_get_bool(st, "self-test"));
    g_assert_cmpstr(qdict_get_str(st, "state"), ==, "error-passive");
    g_assert_cmpuint(qdict_get_int(st, "tec"), ==, 128);
    g_assert_cmpuint(qdict_get_int(st, "rec"), ==, 0);
    g_assert_cmpuint(qdict_get_int(find_entry(buses, "id", "canbus0"),
                                   "error-frames"), >=, 16);

    st = qdict_get_qdict(find_client(buses, "canbus1", CHIP1), "status");
    g_assert_false(qdict_get_bool(st, "operating"));
    g_assert_cmpstr(qdict_get_str(st, "state"), ==, "bus-off");
    g_assert_cmpuint(qdict_get_int(st, "tec"), ==, 127);
    qobject_unref(buses);

    hmp = info_can(&b);
    g_test_message("%s", hmp);
    g_assert_nonnull(strstr(hmp, "  controller " CHIP0 " (can-sja1000), "
                            "500000 bit/s, operating, error-passive, "
                            "TEC 128 REC 0, frames out 0 in 0, drops 0\r\n"));
    g_assert_nonnull(strstr(hmp, "  controller " CHIP1 " (can-sja1000), "
                            "500000 bit/s, reset mode, bus-off, "
                            "TEC 127 REC 0,"));
    board_stop(&b);
}

/*
 * Two channels, a replayed log and a capture on one timed bus: the frames
 * each client sent and got, the capture as an observer, the backend, and
 * the bus's counters and bitrate.
 */
static void test_clients_and_counters(void)
{
    g_autofree char *dir = g_dir_make_tmp("can-query-test-XXXXXX", NULL);
    g_autofree char *cap = g_build_filename(dir, "cap.pcapng", NULL);
    g_autofree char *log = g_build_filename(dir, "replay.log", NULL);
    g_autofree char *devices = NULL;
    g_autofree char *hmp = NULL;
    QDict *bus, *c;
    QList *buses;
    SJAChan c0, c1;
    Board b;
    int i;

    g_assert_true(g_file_set_contents(log, "(1.000000) can0 321#01\n", -1,
                                      NULL));
    devices = g_strdup_printf("-object can-bus,id=canbus0,timing=on "
                              "-device kvaser_pci,addr=0x4,channels=2,"
                              "canbus0=canbus0,canbus1=canbus0 "
                              "-object can-capture,id=cap0,canbus=canbus0,"
                              "file=%s "
                              "-object can-replay,id=replay0,canbus=canbus0,"
                              "file=%s", cap, log);
    board_start(&b, devices, 3);
    c0 = kvaser_chan(&b, 0);
    c1 = kvaser_chan(&b, 1);
    sja_pelican_setup(&c0, 0, 0);
    sja_pelican_setup(&c1, 0, 0);
    for (i = 0; i < 3; i++) {
        board_send_std(&b, &c0, 0x123, i, R_CMR_TR_MASK);
        sja_wr(&c1, A_CMR, R_CMR_RRB_MASK);
    }

    buses = query_can(&b);
    bus = find_entry(buses, "id", "canbus0");
    g_assert_true(qdict_get_bool(bus, "timing"));
    /* the bus was given no bitrate; its controllers show their own */
    g_assert_false(qdict_haskey(bus, "bitrate"));
    g_assert_cmpuint(qdict_get_int(bus, "frames"), ==, 4);
    g_assert_cmpuint(qdict_get_int(bus, "busy-ns"), >, 0);
    g_assert_cmpfloat(qdict_get_double(bus, "load"), >, 0);
    g_assert_cmpfloat(qdict_get_double(bus, "load"), <=, 100);
    c = find_client(buses, "canbus0", CHIP0);
    g_assert_cmpuint(qdict_get_int(c, "frames-out"), ==, 3);
    g_assert_cmpuint(qdict_get_int(c, "frames-in"), ==, 1);
    c = find_client(buses, "canbus0", CHIP1);
    g_assert_cmpuint(qdict_get_int(c, "frames-out"), ==, 0);
    g_assert_cmpuint(qdict_get_int(c, "frames-in"), ==, 4);
    c = find_client(buses, "canbus0", "/objects/replay0");
    g_assert_cmpstr(qdict_get_str(c, "role"), ==, "backend");
    g_assert_cmpstr(qdict_get_str(c, "type"), ==, "can-replay");
    g_assert_false(qdict_haskey(c, "status"));
    g_assert_cmpuint(qdict_get_int(c, "frames-out"), ==, 1);
    /* a replay takes the bus's frames, and ignores them */
    g_assert_cmpuint(qdict_get_int(c, "frames-in"), ==, 3);
    c = find_client(buses, "canbus0", "/objects/cap0");
    g_assert_cmpstr(qdict_get_str(c, "role"), ==, "observer");
    g_assert_cmpstr(qdict_get_str(c, "type"), ==, "can-capture");
    /* it was shown the four frames, and nothing else happened */
    g_assert_cmpuint(qdict_get_int(c, "frames-in"), ==, 4);
    qobject_unref(buses);

    hmp = info_can(&b);
    g_test_message("%s", hmp);
    g_assert_true(g_str_has_prefix(hmp, "canbus0: timing on, frames 4 "
                                   "(FD 0), error frames 0, drops 0, "
                                   "arbitration losses 0, load "));
    g_assert_nonnull(strstr(hmp, "  backend /objects/replay0 (can-replay), "
                            "frames out 1 in 3, drops 0\r\n"));
    g_assert_nonnull(strstr(hmp, "  observer /objects/cap0 (can-capture), "
                            "frames out 0 in 4, drops 0\r\n"));
    board_stop(&b);
    unlink(cap);
    unlink(log);
    rmdir(dir);
}

/*
 * The bus's send queue is bounded: on a timed bus, frames a host backend
 * or a replay hands over all at once wait for the wire, 1024 of them
 * behind the one being sent; the rest are dropped, and the bus counts them
 * in query-can and info can.  A replay of 1100 frames logged at one
 * instant gives a receiver that keeps up the first 1025, in order, each
 * once.
 */
#define SEND_QUEUE_LEN      1024
#define BURST               1100

static void test_send_queue_limit_and_drops(void)
{
    g_autofree char *dir = g_dir_make_tmp("can-query-test-XXXXXX", NULL);
    g_autofree char *log = g_build_filename(dir, "burst.log", NULL);
    g_autoptr(GString) lines = g_string_new(NULL);
    g_autofree char *devices = NULL;
    g_autofree char *hmp = NULL;
    g_autofree char *want = NULL;
    QList *buses;
    QDict *bus, *rsp;
    SJAChan c0;
    Board b;
    unsigned i, got = 0;

    for (i = 0; i < BURST; i++) {
        g_string_append_printf(lines, "(1.000000) can0 %03X#%02X\n",
                               0x100 + i, i & 0xff);
    }
    g_assert_true(g_file_set_contents(log, lines->str, -1, NULL));
    devices = g_strdup_printf("-object can-bus,id=canbus0,timing=on,"
                              "bitrate=500000 "
                              "-device kvaser_pci,addr=0x4,canbus=canbus0 "
                              "-object can-replay,id=replay0,canbus=canbus0,"
                              "file=%s", log);
    board_start(&b, devices, 3);
    c0 = kvaser_chan(&b, 0);
    sja_pelican_setup(&c0, 0, 0);

    /* a 1-byte frame takes under 120 us at 500 kbit/s: read each one */
    for (i = 0; i < 3 * BURST; i++) {
        qtest_clock_step(b.qts, 50000);
        while (sja_rd(&c0, A_SR) & R_SR_RBS_MASK) {
            CanMsg want_msg = {
                .id = 0x100 + got, .dlc = 1, .data = { got & 0xff },
            };

            sja_assert_next_rx(&c0, &want_msg);
            got++;
        }
    }
    g_assert_cmphex(sja_rd(&c0, A_SR) & R_SR_DOS_MASK, ==, 0);
    g_assert_cmpuint(got, ==, SEND_QUEUE_LEN + 1);

    buses = query_can(&b);
    bus = find_entry(buses, "id", "canbus0");
    g_assert_cmpuint(qdict_get_int(bus, "frames"), ==, SEND_QUEUE_LEN + 1);
    g_assert_cmpuint(qdict_get_int(bus, "drops"), ==,
                     BURST - 1 - SEND_QUEUE_LEN);
    qobject_unref(buses);
    hmp = info_can(&b);
    g_test_message("%s", hmp);
    want = g_strdup_printf("canbus0: timing on, bitrate 500000, frames %u "
                           "(FD 0), error "
                           "frames 0, drops %u,", SEND_QUEUE_LEN + 1,
                           BURST - 1 - SEND_QUEUE_LEN);
    g_assert_true(g_str_has_prefix(hmp, want));
    /* the replay played them all: the bus, not the replay, dropped some */
    rsp = qtest_qmp(b.qts, "{'execute': 'qom-get', 'arguments': "
                    "{'path': '/objects/replay0', 'property': 'frames'}}");
    g_assert_cmpuint(qdict_get_int(rsp, "return"), ==, BURST);
    qobject_unref(rsp);
    board_stop(&b);
    unlink(log);
    rmdir(dir);
}

/* A machine without CAN buses has none to show */
static void test_no_buses(void)
{
    QTestState *qts = qtest_init("-machine none");
    QDict *resp = qtest_qmp(qts, "{'execute': 'query-can'}");
    g_autofree char *hmp = qtest_hmp(qts, "info can");

    g_assert_cmpuint(qlist_size(qdict_get_qlist(resp, "return")), ==, 0);
    g_assert_cmpstr(hmp, ==, "No CAN buses\r\n");
    qobject_unref(resp);
    qtest_quit(qts);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/can/query/error-passive-and-bus-off",
                   test_error_passive_and_bus_off);
    qtest_add_func("/can/query/clients-and-counters",
                   test_clients_and_counters);
    qtest_add_func("/can/query/send-queue-limit-and-drops",
                   test_send_queue_limit_and_drops);
    qtest_add_func("/can/query/no-buses", test_no_buses);
    return g_test_run();
}
