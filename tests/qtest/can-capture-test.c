/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QTest for can-capture and can-display objects added and deleted at run
 * time through QMP, on a Kvaser PCIcan-D whose two SJA1000 channels share
 * canbus0: what a capture writes is read back by Debian's tshark, a
 * capture that cannot write never costs the bus a frame, and a display
 * prints the frames it saw, CANopen named.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qobject/qdict.h"
#include "qobject/qjson.h"
#include "can-pci-board-qtest.h"

#define KVASER_SJA_BAR      1
#define KVASER_CHANNEL_SIZE 0x20

typedef struct Rig {
    Board b;
    SJAChan c0, c1;
    char *dir;
} Rig;

static void rig_start(Rig *r)
{
    g_autoptr(GError) gerr = NULL;

    board_start(&r->b, "-object can-bus,id=canbus0 "
                "-device kvaser_pci,addr=0x4,channels=2,canbus0=canbus0,"
                "canbus1=canbus0", 3);
    r->c0 = (SJAChan) { .dev = r->b.dev, .bar = r->b.bar[KVASER_SJA_BAR] };
    r->c1 = r->c0;
    r->c1.base = KVASER_CHANNEL_SIZE;
    sja_pelican_setup(&r->c0, 0, 0);
    sja_pelican_setup(&r->c1, 0, 0);
    r->dir = g_dir_make_tmp("can-capture-test-XXXXXX", &gerr);
    g_assert_no_error(gerr);
}

static void rig_stop(Rig *r)
{
    g_autoptr(GDir) d = g_dir_open(r->dir, 0, NULL);
    const char *name;

    board_stop(&r->b);
    while (d && (name = g_dir_read_name(d))) {
        g_autofree char *path = g_build_filename(r->dir, name, NULL);

        unlink(path);
    }
    rmdir(r->dir);
    g_free(r->dir);
}

/* c0 sends @id with one data byte @data; c1 receives it and frees it */
static void rig_send(Rig *r, uint16_t id, uint8_t data)
{
    board_send_std(&r->b, &r->c0, id, data, R_CMR_TR_MASK);
    g_assert_cmpuint(sja_rd(&r->c1, A_RMC), ==, 1);
    sja_wr(&r->c1, A_CMR, R_CMR_RRB_MASK);
}

static char *rig_path(Rig *r, const char *name)
{
    return g_build_filename(r->dir, name, NULL);
}

/* The description of the error QMP answered with, or NULL; frees @resp */
static char *qmp_error_desc(QDict *resp)
{
    char *desc = NULL;

    if (qdict_haskey(resp, "error")) {
        desc = g_strdup(qdict_get_str(qdict_get_qdict(resp, "error"),
                                      "desc"));
    }
    qobject_unref(resp);
    return desc;
}

/* QMP object-add of a can-capture; the error's description, or NULL */
static char *capture_add(Rig *r, const char *id, const char *file,
                         const char *format)
{
    return qmp_error_desc(qtest_qmp(r->b.qts,
                                    "{'execute': 'object-add', "
                                    "'arguments': {"
                                    "'qom-type': 'can-capture', 'id': %s, "
                                    "'canbus': 'canbus0', 'file': %s, "
                                    "'format': %s}}", id, file, format));
}

/* qom-set of @name of /objects/cap1 to @json fails with @want */
static void assert_qom_set_refused(Rig *r, const char *name,
                                   const char *json, const char *want)
{
    QObject *value = qobject_from_json(json, &error_abort);
    g_autofree char *desc = qmp_error_desc(qtest_qmp(r->b.qts,
        "{'execute': 'qom-set', 'arguments': {'path': '/objects/cap1', "
        "'property': %s, 'value': %p}}", name, value));

    g_assert_cmpstr(desc, ==, want);
}

static void capture_del(Rig *r, const char *id)
{
    qtest_qmp_assert_success(r->b.qts, "{'execute': 'object-del', "
                             "'arguments': {'id': %s}}", id);
}

static uint64_t capture_counter(Rig *r, const char *id, const char *name)
{
    g_autofree char *path = g_strdup_printf("/objects/%s", id);
    QDict *resp = qtest_qmp(r->b.qts, "{'execute': 'qom-get', 'arguments': "
                            "{'path': %s, 'property': %s}}", path, name);
    uint64_t v = qdict_get_int(resp, "return");

    qobject_unref(resp);
    return v;
}

/* What tshark reads from @file: "ID LEN DATA" a data frame, in hex */
static char *tshark_frames(const char *file)
{
    g_autofree char *tshark = g_find_program_in_path("tshark");
    g_autoptr(GError) gerr = NULL;
    char *out = NULL;
    int status;
    const char *argv[] = {
        tshark, "-r", file, "-Y", "can.flags.err == 0",
        /* AUTOSAR's heuristics would take some CAN payloads for theirs */
        "--disable-protocol", "autosar-nm", "--disable-protocol", "ipdum",
        "--disable-protocol", "signal_pdu",
        "-T", "fields", "-E", "separator= ", "-e", "can.id", "-e", "can.len",
        "-e", "data.data", NULL
    };

    g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL,
                 NULL, NULL, &out, NULL, &status, &gerr);
    g_assert_no_error(gerr);
    g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    return out;
}

/*
 * A capture added while the guest runs holds exactly the frames between
 * its object-add and its object-del, and is complete when deleted.
 */
static void test_add_del_at_run_time(void)
{
    static const char *formats[] = { "pcapng", "pcap" };
    g_autofree char *tshark = g_find_program_in_path("tshark");
    size_t i;

    if (!tshark) {
        g_test_skip("tshark is not installed");
        return;
    }
    for (i = 0; i < ARRAY_SIZE(formats); i++) {
        g_autofree char *file = NULL;
        g_autofree char *err = NULL;
        g_autofree char *got = NULL;
        Rig r;

        rig_start(&r);
        file = rig_path(&r, "cap");
        rig_send(&r, 0x100, 0x01);
        err = capture_add(&r, "cap0", file, formats[i]);
        g_assert_null(err);
        rig_send(&r, 0x123, 0x5a);
        rig_send(&r, 0x7ff, 0xa5);
        g_assert_cmpuint(capture_counter(&r, "cap0", "records"), ==, 2);
        capture_del(&r, "cap0");
        rig_send(&r, 0x200, 0x02);
        got = tshark_frames(file);
        g_test_message("%s: %s", formats[i], got);
        g_assert_cmpstr(got, ==, "291 1 5a\n2047 1 a5\n");
        rig_stop(&r);
    }
}

/*
 * A capture on a full disk: its first write error is reported, it stops,
 * and every frame it could not write is counted while the bus carries
 * them all.
 */
static void test_full_disk(void)
{
    g_autofree char *err = NULL;
    Rig r;
    int i;

    rig_start(&r);
    err = capture_add(&r, "capfull", "/dev/full", "candump");
    g_assert_null(err);
    for (i = 0; i < 3; i++) {
        rig_send(&r, 0x123, i);
    }
    g_assert_cmpuint(capture_counter(&r, "capfull", "records"), ==, 0);
    g_assert_cmpuint(capture_counter(&r, "capfull", "dropped"), ==, 3);
    capture_del(&r, "capfull");
    rig_stop(&r);
}

/* Files that cannot be created, and wrong options, fail the object-add */
static void test_bad_options(void)
{
    g_autofree char *nodir = NULL;
    g_autofree char *full = NULL;
    g_autofree char *nochr = NULL;
    g_autofree char *nowhere = NULL;
    g_autofree char *cap1 = NULL;
    /* qom-set of a running capture: property, JSON value, error */
    static const struct {
        const char *name, *json, *want;
    } fixed[] = {
        { "format", "'candump'",
          "can-capture cap1: format is chosen when the capture is created" },
        { "file", "'/tmp/x'",
          "can-capture cap1: file is chosen when the capture is created" },
        { "max-size", "1000",
          "can-capture cap1: max-size is chosen when the capture is "
          "created" },
        { "canbus", "'canbus0'",
          "can-capture: canbus is chosen when the object is created" },
    };
    size_t i;
    Rig r;

    rig_start(&r);
    nodir = capture_add(&r, "cap0", "/nonexistent/cap.pcapng", "pcapng");
    g_assert_cmpstr(nodir, ==, "can-capture cap0: Could not create "
                    "'/nonexistent/cap.pcapng': No such file or directory");
    /* pcapng's header cannot be written: refused at once */
    full = capture_add(&r, "cap0", "/dev/full", "pcapng");
    g_assert_cmpstr(full, ==, "can-capture cap0: writing /dev/full failed: "
                    "No space left on device");
    nochr = qmp_error_desc(qtest_qmp(r.b.qts, "{'execute': 'object-add', "
                                     "'arguments': {"
                                     "'qom-type': 'can-capture', "
                                     "'id': 'cap0', 'canbus': 'canbus0', "
                                     "'chardev': 'nochardev'}}"));
    g_assert_cmpstr(nochr, ==,
                    "can-capture cap0: there is no chardev 'nochardev'");
    nowhere = qmp_error_desc(qtest_qmp(r.b.qts, "{'execute': 'object-add', "
                                       "'arguments': {"
                                       "'qom-type': 'can-capture', "
                                       "'id': 'cap0', "
                                       "'canbus': 'canbus0'}}"));
    g_assert_cmpstr(nowhere, ==,
                    "can-capture cap0: give one of file= and chardev=");
    /* what a running capture writes, and where, stays as created */
    cap1 = capture_add(&r, "cap1", "/dev/null", "pcap");
    g_assert_null(cap1);
    for (i = 0; i < ARRAY_SIZE(fixed); i++) {
        assert_qom_set_refused(&r, fixed[i].name, fixed[i].json,
                               fixed[i].want);
    }
    capture_del(&r, "cap1");
    /* none of it got in the way of the bus */
    rig_send(&r, 0x123, 0x5a);
    rig_stop(&r);
}

/*
 * A can-display added at run time on a chardev added at run time prints a
 * line for each frame from then on, CANopen named, until it is deleted.
 */
static void test_display_at_run_time(void)
{
    static const CanMsg nmt = { .id = 0x000, .dlc = 2, .data = { 1, 5 } };
    g_autofree char *file = NULL;
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    Rig r;

    rig_start(&r);
    file = rig_path(&r, "display.txt");
    qtest_qmp_assert_success(r.b.qts, "{'execute': 'chardev-add', "
                             "'arguments': {'id': 'disp0', 'backend': {"
                             "'type': 'file', 'data': {'out': %s}}}}", file);
    qtest_qmp_assert_success(r.b.qts, "{'execute': 'object-add', "
                             "'arguments': {'qom-type': 'can-display', "
                             "'id': 'display0', 'canbus': 'canbus0', "
                             "'decode': 'canopen', 'chardev': 'disp0'}}");
    board_send(&r.b, &r.c0, &nmt, R_CMR_TR_MASK);
    sja_wr(&r.c1, A_CMR, R_CMR_RRB_MASK);
    rig_send(&r, 0x123, 0x5a);
    g_assert_cmpuint(capture_counter(&r, "display0", "lines"), ==, 2);
    qtest_qmp_assert_success(r.b.qts, "{'execute': 'object-del', "
                             "'arguments': {'id': 'display0'}}");
    rig_send(&r, 0x124, 0x5b);
    g_assert_true(g_file_get_contents(file, &text, NULL, NULL));
    g_test_message("%s", text);
    lines = g_strsplit(text, "\n", -1);
    g_assert_cmpuint(g_strv_length(lines), ==, 3);
    g_assert_true(g_str_has_suffix(lines[0], ")  canbus0  000   [2]  01 05  "
                                   "NMT start node 5  </machine/"
                                   "peripheral-anon/device[0]/chip[0]>"));
    /* 0x123 is no object of the predefined connection set */
    g_assert_true(g_str_has_suffix(lines[1], ")  canbus0  123   [1]  5A  "
                                   "</machine/peripheral-anon/device[0]/"
                                   "chip[0]>"));
    rig_stop(&r);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/can/capture/add-del-at-run-time",
                   test_add_del_at_run_time);
    qtest_add_func("/can/capture/full-disk", test_full_disk);
    qtest_add_func("/can/capture/bad-options", test_bad_options);
    qtest_add_func("/can/display/at-run-time", test_display_at_run_time);
    return g_test_run();
}
