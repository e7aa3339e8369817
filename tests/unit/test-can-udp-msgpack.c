/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * python-can's udp_multicast packets (net/can/can_udp_msgpack.c): what we
 * write is byte for byte what python-can 4.1 writes for the same message,
 * what python-can writes reads back as the frame it describes, and
 * packets python-can would refuse, or truncated, are refused with a reason.
 *
 * The reference packets are msgpack.packb(d, use_bin_type=True) of the
 * dict python-can's pack_message() builds (python3-msgpack 1.0.3).
 */

#include "qemu/osdep.h"
#include "net/can_udp_msgpack.h"

/*
 * can.Message(timestamp=1.5, arbitration_id=0x123, is_extended_id=False,
 * data=b"\x01\x02\x03")
 */
static const char classic_hex[] =
    "8ba974696d657374616d70cb3ff8000000000000ae6172626974726174696f6e5f6964"
    "cd0123ae69735f657874656e6465645f6964c2af69735f72656d6f74655f6672616d65"
    "c2ae69735f6572726f725f6672616d65c2a76368616e6e656cc0a3646c6303a4646174"
    "61c403010203a569735f6664c2ae626974726174655f737769746368c2b56572726f72"
    "5f73746174655f696e64696361746f72c2";

/*
 * ... arbitration_id=0x1abcdef0, is_extended_id=True, is_fd=True,
 * bitrate_switch=True, data=bytes(range(12))
 */
static const char fd_hex[] =
    "8ba974696d657374616d70cb3ff8000000000000ae6172626974726174696f6e5f6964"
    "ce1abcdef0ae69735f657874656e6465645f6964c3af69735f72656d6f74655f667261"
    "6d65c2ae69735f6572726f725f6672616d65c2a76368616e6e656cc0a3646c630ca464"
    "617461c40c000102030405060708090a0ba569735f6664c3ae626974726174655f7377"
    "69746368c3b56572726f725f73746174655f696e64696361746f72c2";

static GByteArray *unhex(const char *hex)
{
    GByteArray *b = g_byte_array_new();
    size_t i;

    for (i = 0; hex[i] && hex[i + 1]; i += 2) {
        uint8_t byte = g_ascii_xdigit_value(hex[i]) << 4 |
                       g_ascii_xdigit_value(hex[i + 1]);

        g_byte_array_append(b, &byte, 1);
    }
    return b;
}

static qemu_can_frame classic_frame(void)
{
    return (qemu_can_frame) {
        .can_id = 0x123, .can_dlc = 3, .data = { 1, 2, 3 },
    };
}

static qemu_can_frame fd_frame(void)
{
    qemu_can_frame f = {
        .can_id = 0x1abcdef0 | QEMU_CAN_EFF_FLAG, .can_dlc = 12,
        .flags = QEMU_CAN_FRMF_TYPE_FD | QEMU_CAN_FRMF_BRS,
    };
    int i;

    for (i = 0; i < 12; i++) {
        f.data[i] = i;
    }
    return f;
}

static void assert_frame_eq(const qemu_can_frame *a, const qemu_can_frame *b)
{
    g_assert_cmphex(a->can_id, ==, b->can_id);
    g_assert_cmpuint(a->can_dlc, ==, b->can_dlc);
    g_assert_cmphex(a->flags, ==, b->flags);
    g_assert_cmpuint(a->len8_dlc, ==, b->len8_dlc);
    g_assert_cmpmem(a->data, a->can_dlc, b->data, b->can_dlc);
}

static void check_encode(const qemu_can_frame *f, const char *hex)
{
    g_autoptr(GByteArray) want = unhex(hex);
    uint8_t buf[CAN_UDP_PACKET_MAX];
    size_t len = can_udp_encode(f, 1.5, buf);

    g_assert_cmpmem(buf, len, want->data, want->len);
}

static void check_decode(const char *hex, const qemu_can_frame *want)
{
    g_autoptr(GByteArray) pkt = unhex(hex);
    qemu_can_frame got;
    const char *why = NULL;

    g_assert_true(can_udp_decode(pkt->data, pkt->len, &got, &why));
    assert_frame_eq(&got, want);
}

static void test_encode_as_python_can(void)
{
    qemu_can_frame c = classic_frame(), fd = fd_frame();

    check_encode(&c, classic_hex);
    check_encode(&fd, fd_hex);
}

static void test_decode_python_can(void)
{
    qemu_can_frame c = classic_frame(), fd = fd_frame();

    check_decode(classic_hex, &c);
    check_decode(fd_hex, &fd);
}

/* Every kind of frame we send reads back as itself */
static void test_round_trip(void)
{
    static const qemu_can_frame frames[] = {
        { .can_id = 0 },
        { .can_id = 0x7ff, .can_dlc = 8, .data = { 0xff, 0, 0x80, 1 } },
        { .can_id = 0x321 | QEMU_CAN_RTR_FLAG, .can_dlc = 5 },
        { .can_id = 0x1fffffff | QEMU_CAN_EFF_FLAG | QEMU_CAN_RTR_FLAG },
        { .can_id = 0x80 | QEMU_CAN_EFF_FLAG, .can_dlc = 64,
          .flags = QEMU_CAN_FRMF_TYPE_FD | QEMU_CAN_FRMF_ESI,
          .data = { [63] = 0xaa } },
        { .can_id = 0x10, .can_dlc = 0, .flags = QEMU_CAN_FRMF_TYPE_FD },
    };
    uint8_t buf[CAN_UDP_PACKET_MAX];
    qemu_can_frame got;
    const char *why;
    size_t i, len;

    for (i = 0; i < ARRAY_SIZE(frames); i++) {
        len = can_udp_encode(&frames[i], 0, buf);
        g_assert_true(can_udp_decode(buf, len, &got, &why));
        assert_frame_eq(&got, &frames[i]);
    }
}

/* python-can has no DLC above 8 for 8 bytes: such a frame goes as DLC 8 */
static void test_len8_dlc_goes_as_8(void)
{
    qemu_can_frame f = { .can_id = 0x55, .can_dlc = 8, .len8_dlc = 12 };
    uint8_t buf[CAN_UDP_PACKET_MAX];
    qemu_can_frame got;
    const char *why;
    size_t len = can_udp_encode(&f, 0, buf);

    g_assert_true(can_udp_decode(buf, len, &got, &why));
    g_assert_cmpuint(got.can_dlc, ==, 8);
    g_assert_cmpuint(got.len8_dlc, ==, 0);
}

/* Any prefix of a valid packet is refused: lengths are checked */
static void test_truncated(void)
{
    g_autoptr(GByteArray) pkt = unhex(fd_hex);
    qemu_can_frame got;
    const char *why;
    size_t len;

    for (len = 0; len < pkt->len; len++) {
        why = NULL;
        g_assert_false(can_udp_decode(pkt->data, len, &got, &why));
        g_assert_nonnull(why);
    }
}

typedef struct BadCase {
    const char *hex;
    const char *why;
} BadCase;

/*
 * Small maps written by hand (python-can's own keys, in any order, with
 * defaults for the keys left out): a4.. is a 4-byte string, c4 NN bin8.
 */
#define K_ID  "ae6172626974726174696f6e5f6964"          /* arbitration_id */
#define K_EXT "ae69735f657874656e6465645f6964"          /* is_extended_id */
#define K_RTR "af69735f72656d6f74655f6672616d65"        /* is_remote_frame */
#define K_DLC "a3646c63"                                 /* dlc */
#define K_DATA "a464617461"                              /* data */
#define K_FD  "a569735f6664"                             /* is_fd */
#define K_BRS "ae626974726174655f737769746368"          /* bitrate_switch */

static const BadCase bad_cases[] = {
    { "", "not a msgpack map" },
    { "91c0", "not a msgpack map" },
    { "c1", "not a msgpack map" },
    { "81" "c3" "c3", "a key is not a string" },
    { "81" "a3666f6f" "c0", "a key that can.Message does not take" },
    { "82" K_ID "01" K_ID "02", "a key given twice" },
    { "81" K_ID "a3313233", "a value of the wrong type" },
    { "81" K_ID "ff", "a value of the wrong type" },      /* -1 */
    { "81" K_DATA "9103", "a value of the wrong type" },  /* an array */
    { "81" K_EXT "a0", "a value of the wrong type" },
    { "80" "c0", "bytes after the map" },
    { "df" "ffffffff", "more keys than can.Message takes" },
    { "81" K_DATA "c6ffffffff", "truncated" },
    { "81" K_DATA "dbffffff00", "truncated" },
    { "82" K_EXT "c2" K_ID "cd0800", "identifier out of range" },
    { "81" K_ID "ce20000000", "identifier out of range" },
    { "82" K_DLC "09" K_DATA "c409000000000000000000",
      "length out of range" },
    { "81" K_DLC "02", "length does not match the data" },
    { "82" K_RTR "c3" K_DLC "09", "length out of range" },
    { "82" K_FD "c3" K_RTR "c3",
      "a remote frame that is also an error or FD frame" },
    { "81" K_BRS "c3",
      "bitrate switch or error state indicator on a classic frame" },
    { "82" K_FD "c3" K_DATA "c40a00000000000000000000",
      "an FD length that no DLC codes" },
};

static void test_refused(void)
{
    qemu_can_frame got;
    size_t i;

    for (i = 0; i < ARRAY_SIZE(bad_cases); i++) {
        g_autoptr(GByteArray) pkt = unhex(bad_cases[i].hex);
        const char *why = NULL;

        g_test_message("packet %s", bad_cases[i].hex);
        g_assert_false(can_udp_decode(pkt->data, pkt->len, &got, &why));
        g_assert_cmpstr(why, ==, bad_cases[i].why);
    }
}

/* can.Message's defaults: an extended identifier, the data's length */
static void test_defaults(void)
{
    g_autoptr(GByteArray) pkt = unhex("82" K_DATA "c40211ff" K_ID "d20000abcd");
    qemu_can_frame want = {
        .can_id = 0xabcd | QEMU_CAN_EFF_FLAG, .can_dlc = 2,
        .data = { 0x11, 0xff },
    };
    qemu_can_frame got;
    const char *why;

    g_assert_true(can_udp_decode(pkt->data, pkt->len, &got, &why));
    assert_frame_eq(&got, &want);
}

/*
 * can.Message takes a flag by its truth and drops a remote frame's data:
 * is_extended_id=0, is_remote_frame=1, data=b"\x01", dlc=3
 */
static void test_python_leniency(void)
{
    g_autoptr(GByteArray) pkt = unhex("84" K_EXT "00" K_RTR "01"
                                      K_DATA "c40101" K_DLC "03");
    qemu_can_frame want = { .can_id = QEMU_CAN_RTR_FLAG, .can_dlc = 3 };
    qemu_can_frame got;
    const char *why;

    g_assert_true(can_udp_decode(pkt->data, pkt->len, &got, &why));
    assert_frame_eq(&got, &want);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/can-udp/encode-as-python-can", test_encode_as_python_can);
    g_test_add_func("/can-udp/decode-python-can", test_decode_python_can);
    g_test_add_func("/can-udp/round-trip", test_round_trip);
    g_test_add_func("/can-udp/len8-dlc-goes-as-8", test_len8_dlc_goes_as_8);
    g_test_add_func("/can-udp/truncated", test_truncated);
    g_test_add_func("/can-udp/refused", test_refused);
    g_test_add_func("/can-udp/defaults", test_defaults);
    g_test_add_func("/can-udp/python-leniency", test_python_leniency);
    return g_test_run();
}
