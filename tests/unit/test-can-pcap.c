/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * CAN capture records (net/can/can_pcap.c) against the documents that
 * define them, and read back by Wireshark's tshark.
 *
 * LINKTYPE_CAN_SOCKETCAN (tcpdump.org/linktypes): CAN ID and flags in
 * network byte order (0x80000000 extended, 0x40000000 remote, 0x20000000
 * error), payload length, FD flags (0x01 BRS, 0x02 ESI, 0x04 FDF), two
 * reserved bytes, payload; 16 bytes a CAN frame, 72 a CAN FD frame.
 * pcap (draft-ietf-opsawg-pcap): magic 0xa1b23c4d for nanosecond
 * timestamps, version 2.4, snaplen, link type; then per packet seconds,
 * nanoseconds, captured and original length.  pcapng
 * (draft-ietf-opsawg-pcapng): blocks of type, total length, body, total
 * length, all multiples of 4; section header 0x0a0d0d0a with byte-order
 * magic 0x1a2b3c4d, version 1.0; interface description 1 (link type,
 * snaplen; if_name 2, if_tsresol 9); enhanced packet 6 (interface,
 * timestamp high and low, captured and original length, data padded to
 * 32 bits; opt_comment 1).
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "qemu/timer.h"
#include "net/can_pcap.h"

static const qemu_can_frame std_frame = {
    .can_id = 0x123, .can_dlc = 4, .data = { 0xde, 0xad, 0xbe, 0xef },
};

static const qemu_can_frame ext_rtr_frame = {
    .can_id = 0x12345678 | QEMU_CAN_EFF_FLAG | QEMU_CAN_RTR_FLAG,
    .can_dlc = 2,
};

static const qemu_can_frame fd_frame = {
    .can_id = 0x7ff, .can_dlc = 12,
    .flags = QEMU_CAN_FRMF_TYPE_FD | QEMU_CAN_FRMF_BRS,
    .data = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 },
};

/*
 * An ACK error on transmission, as a Linux controller driver reports it
 * (linux/can/error.h): classes ACK 0x20, protocol violation 0x08, counters
 * 0x200; data[2] 0x80 on transmission, data[3] location 0x19 ACK slot,
 * data[6] TX error counter.
 */
static const qemu_can_frame ack_error_frame = {
    .can_id = QEMU_CAN_ERR_FLAG | 0x20 | 0x08 | 0x200,
    .can_dlc = 8,
    .data = { 0, 0, 0x80, 0x19, 0, 0, 128, 0 },
};

static void test_record_standard(void)
{
    static const uint8_t expect[16] = {
        0x00, 0x00, 0x01, 0x23, 4, 0, 0, 0,
        0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 0,
    };
    uint8_t rec[CAN_PCAP_CANFD_RECORD_LEN];

    g_assert_cmpuint(can_pcap_record(rec, &std_frame), ==, 16);
    g_assert_cmpmem(rec, 16, expect, 16);
}

static void test_record_extended_remote(void)
{
    static const uint8_t expect[16] = {
        0xd2, 0x34, 0x56, 0x78, 2, 0, 0, 0,
    };
    uint8_t rec[CAN_PCAP_CANFD_RECORD_LEN];

    g_assert_cmpuint(can_pcap_record(rec, &ext_rtr_frame), ==, 16);
    g_assert_cmpmem(rec, 16, expect, 16);
}

static void test_record_fd(void)
{
    qemu_can_frame f = fd_frame;
    uint8_t rec[CAN_PCAP_CANFD_RECORD_LEN];
    int i;

    f.flags |= QEMU_CAN_FRMF_ESI;
    g_assert_cmpuint(can_pcap_record(rec, &f), ==, 72);
    g_assert_cmphex((uint32_t)ldl_be_p(rec), ==, 0x7ff);
    g_assert_cmpuint(rec[4], ==, 12);
    g_assert_cmphex(rec[5], ==, 0x07);           /* FDF | ESI | BRS */
    for (i = 0; i < 12; i++) {
        g_assert_cmpuint(rec[8 + i], ==, i + 1);
    }
    for (i = 20; i < 72; i++) {
        g_assert_cmpuint(rec[i], ==, 0);
    }
}

static void test_record_dlc_above_8(void)
{
    qemu_can_frame f = {
        .can_id = 0x100, .can_dlc = 8, .len8_dlc = 0xc,
    };
    uint8_t rec[CAN_PCAP_CANFD_RECORD_LEN];

    g_assert_cmpuint(can_pcap_record(rec, &f), ==, 16);
    g_assert_cmpuint(rec[4], ==, 8);
    g_assert_cmpuint(rec[7], ==, 0xc);
}

static void test_pcap_layout(void)
{
    g_autoptr(GByteArray) b = g_byte_array_new();

    can_pcap_file_header(b);
    g_assert_cmpuint(b->len, ==, 24);
    g_assert_cmphex((uint32_t)ldl_le_p(b->data), ==, 0xa1b23c4d);
    g_assert_cmpuint(lduw_le_p(b->data + 4), ==, 2);
    g_assert_cmpuint(lduw_le_p(b->data + 6), ==, 4);
    g_assert_cmpuint((uint32_t)ldl_le_p(b->data + 16), ==, 72);
    g_assert_cmpuint((uint32_t)ldl_le_p(b->data + 20), ==, 227);

    can_pcap_packet(b, 3 * NANOSECONDS_PER_SECOND + 42, &std_frame);
    g_assert_cmpuint(b->len, ==, 24 + 16 + 16);
    g_assert_cmpuint((uint32_t)ldl_le_p(b->data + 24), ==, 3);
    g_assert_cmpuint((uint32_t)ldl_le_p(b->data + 28), ==, 42);
    g_assert_cmpuint((uint32_t)ldl_le_p(b->data + 32), ==, 16);
    g_assert_cmpuint((uint32_t)ldl_le_p(b->data + 36), ==, 16);
    g_assert_cmphex((uint32_t)ldl_be_p(b->data + 40), ==, 0x123);
}

/*
 * Check the pcapng block at @off: its two lengths agree and are a multiple
 * of 4.  Returns the offset of its body (after type and length).
 */
static size_t pcapng_block(GByteArray *b, size_t off, uint32_t type,
                           uint32_t *len)
{
    g_assert_cmpuint(off + 12, <=, b->len);
    g_assert_cmphex((uint32_t)ldl_le_p(b->data + off), ==, type);
    *len = (uint32_t)ldl_le_p(b->data + off + 4);
    g_assert_cmpuint(*len % 4, ==, 0);
    g_assert_cmpuint(off + *len, <=, b->len);
    g_assert_cmpuint((uint32_t)ldl_le_p(b->data + off + *len - 4), ==, *len);
    return off + 8;
}

/* The option at @off: code, length, value; returns the next option's */
static size_t pcapng_option(GByteArray *b, size_t off, uint16_t code,
                            const void *value, uint16_t len)
{
    g_assert_cmpuint(lduw_le_p(b->data + off), ==, code);
    g_assert_cmpuint(lduw_le_p(b->data + off + 2), ==, len);
    g_assert_cmpmem(b->data + off + 4, len, value, len);
    return off + 4 + ROUND_UP(len, 4);
}

static void test_pcapng_layout(void)
{
    g_autoptr(GByteArray) b = g_byte_array_new();
    uint64_t ts = 0x123456789ull;
    uint8_t tsresol = 9;
    uint32_t len;
    size_t off, body;

    can_pcapng_section_header(b, "qemu-can test");
    can_pcapng_interface(b, "canbus0");
    can_pcapng_interface(b, "canbus1");
    can_pcapng_packet(b, 1, ts, &std_frame, "sender: kvaser0");
    can_pcapng_packet(b, 0, ts, &fd_frame, NULL);

    /* section header */
    body = pcapng_block(b, 0, 0x0a0d0d0a, &len);
    g_assert_cmphex((uint32_t)ldl_le_p(b->data + body), ==, 0x1a2b3c4d);
    g_assert_cmpuint(lduw_le_p(b->data + body + 4), ==, 1);
    g_assert_cmpuint(lduw_le_p(b->data + body + 6), ==, 0);
    g_assert_cmphex(ldq_le_p(b->data + body + 8), ==, UINT64_MAX);
    off = pcapng_option(b, body + 16, 4, "qemu-can test", 13);
    off = pcapng_option(b, off, 0, NULL, 0);
    g_assert_cmpuint(off + 4, ==, len);

    /* two interfaces, in order */
    off = len;
    body = pcapng_block(b, off, 1, &len);
    g_assert_cmpuint(lduw_le_p(b->data + body), ==, 227);
    g_assert_cmpuint((uint32_t)ldl_le_p(b->data + body + 4), ==, 72);
    body = pcapng_option(b, body + 8, 2, "canbus0", 7);
    body = pcapng_option(b, body, 9, &tsresol, 1);
    body = pcapng_option(b, body, 0, NULL, 0);
    g_assert_cmpuint(body + 4, ==, off + len);
    off += len;
    body = pcapng_block(b, off, 1, &len);
    pcapng_option(b, body + 8, 2, "canbus1", 7);
    off += len;

    /* a classic frame on interface 1 with its sender */
    body = pcapng_block(b, off, 6, &len);
    g_assert_cmpuint((uint32_t)ldl_le_p(b->data + body), ==, 1);
    g_assert_cmphex((uint32_t)ldl_le_p(b->data + body + 4), ==, 0x1);
    g_assert_cmphex((uint32_t)ldl_le_p(b->data + body + 8), ==, 0x23456789);
    g_assert_cmpuint((uint32_t)ldl_le_p(b->data + body + 12), ==, 16);
    g_assert_cmpuint((uint32_t)ldl_le_p(b->data + body + 16), ==, 16);
    g_assert_cmphex((uint32_t)ldl_be_p(b->data + body + 20), ==, 0x123);
    body = pcapng_option(b, body + 20 + 16, 1, "sender: kvaser0", 15);
    body = pcapng_option(b, body, 0, NULL, 0);
    g_assert_cmpuint(body + 4, ==, off + len);
    off += len;

    /* an FD frame without options: 72 bytes of data, no end of options */
    body = pcapng_block(b, off, 6, &len);
    g_assert_cmpuint((uint32_t)ldl_le_p(b->data + body + 12), ==, 72);
    g_assert_cmpuint(len, ==, 8 + 20 + 72 + 4);
    g_assert_cmpuint(off + len, ==, b->len);
}

/* The CAN dissector's fields (classic and FD share can.id and can.len) */
static const char *const frame_fields[] = {
    "frame.interface_name", "frame.time_epoch", "can.id", "can.flags.xtd",
    "can.flags.rtr", "can.flags.err", "can.len", "canfd.flags.brs",
    "canfd.flags.esi", "data.data", "frame.comment", NULL
};

/* What it makes of an error frame: its class and details */
static const char *const error_fields[] = {
    "can.flags.err", "can.err.ack", "can.err.prot", "can.err.prot.type.tx",
    "can.err.prot.location", "can.err.ctrl", "can.err.ctrl.tx_passive",
    "can.err.busoff", NULL
};

/*
 * tshark's reading of @b written to a file named @name: one line per
 * packet, @fields separated by '|'.  NULL if tshark is not installed.
 */
static char *tshark_fields(GByteArray *b, const char *name,
                           const char *const *fields)
{
    g_autofree char *tshark = g_find_program_in_path("tshark");
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_autoptr(GError) gerr = NULL;
    g_autofree char *dir = NULL;
    g_autofree char *file = NULL;
    g_autofree char *err = NULL;
    char *out = NULL;
    int status;

    if (!tshark) {
        return NULL;
    }
    dir = g_dir_make_tmp("test-can-pcap-XXXXXX", &gerr);
    g_assert_no_error(gerr);
    file = g_build_filename(dir, name, NULL);
    g_file_set_contents(file, (char *)b->data, b->len, &gerr);
    g_assert_no_error(gerr);

    g_ptr_array_add(argv, tshark);
    g_ptr_array_add(argv, (char *)"-r");
    g_ptr_array_add(argv, file);
    g_ptr_array_add(argv, (char *)"-T");
    g_ptr_array_add(argv, (char *)"fields");
    g_ptr_array_add(argv, (char *)"-E");
    g_ptr_array_add(argv, (char *)"separator=|");
    for (; *fields; fields++) {
        g_ptr_array_add(argv, (char *)"-e");
        g_ptr_array_add(argv, (char *)*fields);
    }
    g_ptr_array_add(argv, NULL);
    g_spawn_sync(NULL, (char **)argv->pdata, NULL, G_SPAWN_DEFAULT, NULL,
                 NULL, &out, &err, &status, &gerr);
    g_assert_no_error(gerr);
    if (!WIFEXITED(status) || WEXITSTATUS(status)) {
        g_test_message("tshark: %s", err);
        g_assert_not_reached();
    }
    unlink(file);
    rmdir(dir);
    return out;
}

/*
 * Identifiers in decimal (0x123 is 291); a remote frame shows the length
 * it requests as that many zero bytes; FD frames have no RTR flag.
 */
static void test_tshark_reads_pcap(void)
{
    g_autoptr(GByteArray) b = g_byte_array_new();
    g_autofree char *out = NULL;

    can_pcap_file_header(b);
    can_pcap_packet(b, 1700000000ull * NANOSECONDS_PER_SECOND + 1000,
                    &std_frame);
    can_pcap_packet(b, 1700000000ull * NANOSECONDS_PER_SECOND + 230000,
                    &ext_rtr_frame);
    can_pcap_packet(b, 1700000001ull * NANOSECONDS_PER_SECOND, &fd_frame);
    can_pcap_packet(b, 1700000002ull * NANOSECONDS_PER_SECOND,
                    &ack_error_frame);
    out = tshark_fields(b, "capture.pcap", frame_fields);
    if (!out) {
        g_test_skip("tshark is not installed");
        return;
    }
    g_test_message("%s", out);
    g_assert_cmpstr(out, ==,
        "|1700000000.000001000|291|0|0|0|4|||deadbeef|\n"
        "|1700000000.000230000|305419896|1|1|0|2|||0000|\n"
        "|1700000001.000000000|2047|0|||12|1|0"
        "|0102030405060708090a0b0c|\n"
        "|1700000002.000000000||||1|8||||\n");
}

static void test_tshark_reads_error_frames(void)
{
    /*
     * Bus-off, with the controller's TX passive state.  tshark shows the
     * details of a class only when the class is set.
     */
    qemu_can_frame busoff = {
        .can_id = QEMU_CAN_ERR_FLAG | 0x40 | 0x04, .can_dlc = 8,
        .data = { 0, 0x20 },
    };
    g_autoptr(GByteArray) b = g_byte_array_new();
    g_autofree char *out = NULL;

    can_pcap_file_header(b);
    can_pcap_packet(b, 0, &ack_error_frame);
    can_pcap_packet(b, 1000, &busoff);
    out = tshark_fields(b, "errors.pcap", error_fields);
    if (!out) {
        g_test_skip("tshark is not installed");
        return;
    }
    g_test_message("%s", out);
    g_assert_cmpstr(out, ==,
                    "1|1|1|1|25|0||0\n"
                    "1|0|0|||1|1|1\n");
}

static void test_tshark_reads_pcapng(void)
{
    g_autoptr(GByteArray) b = g_byte_array_new();
    g_autofree char *out = NULL;

    can_pcapng_section_header(b, "qemu-can test");
    can_pcapng_interface(b, "canbus0");
    can_pcapng_interface(b, "canbus1");
    can_pcapng_packet(b, 0, 1700000000ull * NANOSECONDS_PER_SECOND + 1,
                      &std_frame, "sender: /machine/peripheral/kvaser0");
    can_pcapng_packet(b, 1, 1700000000ull * NANOSECONDS_PER_SECOND + 2,
                      &fd_frame, NULL);
    out = tshark_fields(b, "capture.pcapng", frame_fields);
    if (!out) {
        g_test_skip("tshark is not installed");
        return;
    }
    g_test_message("%s", out);
    g_assert_cmpstr(out, ==,
        "canbus0|1700000000.000000001|291|0|0|0|4|||deadbeef"
        "|sender: /machine/peripheral/kvaser0\n"
        "canbus1|1700000000.000000002|2047|0|||12|1|0"
        "|0102030405060708090a0b0c|\n");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/can/pcap/record/standard", test_record_standard);
    g_test_add_func("/can/pcap/record/extended-remote",
                    test_record_extended_remote);
    g_test_add_func("/can/pcap/record/fd", test_record_fd);
    g_test_add_func("/can/pcap/record/dlc-above-8", test_record_dlc_above_8);
    g_test_add_func("/can/pcap/pcap-layout", test_pcap_layout);
    g_test_add_func("/can/pcap/pcapng-layout", test_pcapng_layout);
    g_test_add_func("/can/pcap/tshark-reads-pcap", test_tshark_reads_pcap);
    g_test_add_func("/can/pcap/tshark-reads-error-frames",
                    test_tshark_reads_error_frames);
    g_test_add_func("/can/pcap/tshark-reads-pcapng",
                    test_tshark_reads_pcapng);
    return g_test_run();
}
