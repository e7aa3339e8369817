/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * can-utils' log format (net/can/can_candump.c): lines as candump -l
 * writes them, parsed back, malformed lines refused with a reason, and our
 * log read by can-utils' own log2asc.
 *
 * The format (can-utils' README and lib.h): "(SEC.USEC) IFACE FRAME";
 * FRAME is ID#DATA, ID#R{LEN}, ID##{FLAGS}{DATA}, with a DLC of 9..F for 8
 * bytes of a classic frame after '_'; 3 hex digits for an 11-bit
 * identifier, 8 for a 29-bit one, an error frame's 8 digits with the
 * 0x20000000 flag.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/timer.h"
#include "net/can_candump.h"

typedef struct LogCase {
    qemu_can_frame frame;
    const char *text;
} LogCase;

static const LogCase cases[] = {
    { { .can_id = 0x123, .can_dlc = 4, .data = { 0xde, 0xad, 0xbe, 0xef } },
      "123#DEADBEEF" },
    { { .can_id = 0x7ff }, "7FF#" },
    { { .can_id = 0x1abcdef0 | QEMU_CAN_EFF_FLAG, .can_dlc = 1,
        .data = { 0x5a } }, "1ABCDEF0#5A" },
    { { .can_id = 0x321 | QEMU_CAN_RTR_FLAG }, "321#R" },
    { { .can_id = 0x321 | QEMU_CAN_RTR_FLAG, .can_dlc = 6 }, "321#R6" },
    { { .can_id = 0x42, .can_dlc = 8, .len8_dlc = 0xf,
        .data = { 1, 2, 3, 4, 5, 6, 7, 8 } }, "042#0102030405060708_F" },
    { { .can_id = 0x100, .flags = QEMU_CAN_FRMF_TYPE_FD, .can_dlc = 2,
        .data = { 0xaa, 0xbb } }, "100##0AABB" },
    { { .can_id = 0x12345 | QEMU_CAN_EFF_FLAG, .can_dlc = 12,
        .flags = QEMU_CAN_FRMF_TYPE_FD | QEMU_CAN_FRMF_BRS |
                 QEMU_CAN_FRMF_ESI,
        .data = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 } },
      "00012345##3000102030405060708090A0B" },
    { { .can_id = QEMU_CAN_ERR_FLAG | 0x20, .can_dlc = 8 },
      "20000020#0000000000000000" },
};

static void test_format(void)
{
    size_t i;

    for (i = 0; i < ARRAY_SIZE(cases); i++) {
        g_autoptr(GString) s = g_string_new(NULL);

        can_candump_format_frame(s, &cases[i].frame);
        g_assert_cmpstr(s->str, ==, cases[i].text);
    }
}

static void assert_same_frame(const qemu_can_frame *a, const qemu_can_frame *b)
{
    g_assert_cmphex(a->can_id, ==, b->can_id);
    g_assert_cmpuint(a->can_dlc, ==, b->can_dlc);
    g_assert_cmphex(a->flags, ==, b->flags);
    g_assert_cmpuint(a->len8_dlc, ==, b->len8_dlc);
    if (!(a->can_id & QEMU_CAN_RTR_FLAG)) {
        g_assert_cmpmem(a->data, a->can_dlc, b->data, b->can_dlc);
    }
}

static void test_parse(void)
{
    size_t i;

    for (i = 0; i < ARRAY_SIZE(cases); i++) {
        qemu_can_frame f;

        g_assert_true(can_candump_parse_frame(cases[i].text, &f,
                                              &error_abort));
        assert_same_frame(&f, &cases[i].frame);
    }
}

/*
 * Spaces, a tab, the newline: a char array, as checkpatch refuses blanks
 * before a newline in a string literal
 */
static const char blank_line[] = { ' ', ' ', '\t', '\n', '\0' };

static void test_line(void)
{
    g_autoptr(GString) s = g_string_new(NULL);
    CanCandumpRecord rec;

    can_candump_format_line(s, 1700000000ull * NANOSECONDS_PER_SECOND +
                            123456789, "canbus0", &cases[0].frame);
    g_assert_cmpstr(s->str, ==, "(1700000000.123456) canbus0 123#DEADBEEF\n");
    g_assert_cmpint(can_candump_parse_line(s->str, &rec, &error_abort), ==, 1);
    g_assert_cmpuint(rec.ts_ns, ==,
                     1700000000ull * NANOSECONDS_PER_SECOND + 123456000);
    g_assert_cmpstr(rec.ifname, ==, "canbus0");
    assert_same_frame(&rec.frame, &cases[0].frame);

    /* virtual time starts at 0: candump pads the seconds to 10 digits */
    g_string_truncate(s, 0);
    can_candump_format_line(s, 1500, "canbus1", &cases[1].frame);
    g_assert_cmpstr(s->str, ==, "(0000000000.000001) canbus1 7FF#\n");

    /* a finer fraction than candump's is kept, CR LF and blanks allowed */
    g_assert_cmpint(can_candump_parse_line("(12.5)  vcan0  7FF#\r\n", &rec,
                                           &error_abort), ==, 1);
    g_assert_cmpuint(rec.ts_ns, ==, 12500000000ull);
    /* a line of blanks is no record */
    g_assert_cmpint(can_candump_parse_line(blank_line, &rec, &error_abort),
                    ==, 0);
}

static const char *const malformed[] = {
    "123#DEADBEEF",                        /* no timestamp */
    "(1.0 can0 123#00",                    /* timestamp not closed */
    "(1) can0 123#00",                     /* no fraction */
    "(-1.0) can0 123#00",
    "(99999999999999999999.0) can0 123#00",
    "(1.0000000001) can0 123#00",          /* finer than ns */
    "(1.0)",                               /* no interface */
    "(1.0) can0",                          /* no frame */
    "(1.0) averyveryverylongname 123#00",
    "(1.0) can0 12#00",                    /* 2-digit identifier */
    "(1.0) can0 1234#00",
    "(1.0) can0 800#00",                   /* above 7FF */
    "(1.0) can0 40000000#00",              /* extended above 1FFFFFFF */
    "(1.0) can0 20000004#00",              /* error frames have 8 bytes */
    "(1.0) can0 123#0",                    /* half a byte */
    "(1.0) can0 123#0G",
    "(1.0) can0 123#001122334455667788",   /* 9 classic bytes */
    "(1.0) can0 123#R9",
    "(1.0) can0 123##4AA",                 /* unknown FD flag */
    "(1.0) can0 123##",                    /* no flags digit */
    "(1.0) can0 123##0112233445566778899", /* 9 bytes: no FD length */
    "(1.0) can0 123#0011_9",               /* _DLC without 8 bytes */
    "(1.0) can0 123#0011223344556677_8",   /* _DLC below 9 */
    "(1.0) can0 123#00 junk",
    "(1.0) can0 60000000#0000000000000000",
};

static void test_malformed(void)
{
    size_t i;

    for (i = 0; i < ARRAY_SIZE(malformed); i++) {
        Error *err = NULL;
        CanCandumpRecord rec;

        g_assert_cmpint(can_candump_parse_line(malformed[i], &rec, &err),
                        ==, -1);
        g_assert_nonnull(err);
        g_test_message("%s: %s", malformed[i], error_get_pretty(err));
        error_free(err);
    }
}

static void test_display(void)
{
    g_autoptr(GString) s = g_string_new(NULL);

    can_candump_format_display(s, "canbus0", &cases[0].frame);
    g_assert_cmpstr(s->str, ==, "  canbus0  123   [4]  DE AD BE EF");
    g_string_truncate(s, 0);
    can_candump_format_display(s, "canbus0", &cases[2].frame);
    g_assert_cmpstr(s->str, ==, "  canbus0  1ABCDEF0   [1]  5A");
    g_string_truncate(s, 0);
    can_candump_format_display(s, "canbus0", &cases[4].frame);
    g_assert_cmpstr(s->str, ==, "  canbus0  321   [6]  remote request");
    g_string_truncate(s, 0);
    can_candump_format_display(s, "canbus0", &cases[6].frame);
    g_assert_cmpstr(s->str, ==, "  canbus0  100  [02]  AA BB");
}

/*
 * can-utils' log2asc reads our log: Vector ASC lines with the channel,
 * identifier (x for extended), direction, d DLC and data, or r for remote.
 */
static void test_log2asc_reads_log(void)
{
    g_autofree char *log2asc = g_find_program_in_path("log2asc");
    g_autoptr(GString) log = g_string_new(NULL);
    g_autoptr(GError) gerr = NULL;
    g_autofree char *dir = NULL;
    g_autofree char *file = NULL;
    g_autofree char *out = NULL;
    g_auto(GStrv) lines = NULL;
    int status;
    int i;

    if (!log2asc) {
        g_test_skip("can-utils' log2asc is not installed");
        return;
    }
    for (i = 0; i < 4; i++) {
        can_candump_format_line(log, (1700000000ull + i) *
                                NANOSECONDS_PER_SECOND + 1000,
                                "canbus0", &cases[i].frame);
    }
    dir = g_dir_make_tmp("test-can-candump-XXXXXX", &gerr);
    g_assert_no_error(gerr);
    file = g_build_filename(dir, "can.log", NULL);
    g_file_set_contents(file, log->str, log->len, &gerr);
    g_assert_no_error(gerr);
    {
        const char *argv[] = { log2asc, "-I", file, "canbus0", NULL };

        g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, &out, NULL, &status, &gerr);
    }
    g_assert_no_error(gerr);
    g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    unlink(file);
    rmdir(dir);
    g_test_message("%s", out);

    lines = g_strsplit(out, "\n", -1);
    g_assert_cmpuint(g_strv_length(lines), >=, 7);
    /* after the three header lines, one line a frame, 1 s apart */
    g_assert_cmpstr(lines[3], ==,
                    "   0.000000 1  123             Rx   d 4 DE AD BE EF");
    g_assert_cmpstr(lines[4], ==,
                    "   1.000000 1  7FF             Rx   d 0");
    g_assert_cmpstr(lines[5], ==,
                    "   2.000000 1  1ABCDEF0x       Rx   d 1 5A");
    g_assert_cmpstr(lines[6], ==,
                    "   3.000000 1  321             Rx   r 0");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/can/candump/format", test_format);
    g_test_add_func("/can/candump/parse", test_parse);
    g_test_add_func("/can/candump/line", test_line);
    g_test_add_func("/can/candump/malformed", test_malformed);
    g_test_add_func("/can/candump/display", test_display);
    g_test_add_func("/can/candump/log2asc-reads-log", test_log2asc_reads_log);
    return g_test_run();
}
