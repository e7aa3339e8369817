/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * CANopen names (net/can/can_canopen.c) of a scripted exchange, against
 * CiA 301's predefined connection set: COB-ID 000h NMT (command
 * specifier, node id, 0 all), 080h SYNC, 080h + node EMCY (error code,
 * error register), 100h TIME, 180h/200h/280h/300h/380h/400h/480h/500h +
 * node TPDO1/RPDO1 ... TPDO4/RPDO4, 580h + node SDO server to client,
 * 600h + node SDO client to server, 700h + node NMT error control (boot-up
 * 00h, stopped 04h, operational 05h, pre-operational 7Fh).  SDO command
 * byte: bits 7..5 command specifier, n (bytes without data) in bits 3..2
 * of an expedited initiate, e bit 1, s bit 0; index little-endian in bytes
 * 1..2, subindex in byte 3, an abort code in bytes 4..7.
 */

#include "qemu/osdep.h"
#include "net/can_canopen.h"

typedef struct Case {
    uint32_t id;
    uint8_t len;
    uint8_t data[8];
    const char *name; /* NULL: not CANopen */
} Case;

/* A master boots node 5, configures it by SDO and runs it */
static const Case script[] = {
    { 0x705, 1, { 0x00 }, "boot-up node 5" },
    { 0x705, 1, { 0x7f }, "heartbeat node 5: pre-operational" },
    /* write 1017h:00 (producer heartbeat time) = 1000 ms, expedited */
    { 0x605, 8, { 0x2b, 0x17, 0x10, 0x00, 0xe8, 0x03 },
      "SDO request node 5: initiate download 1017:00 expedited 2 bytes" },
    { 0x585, 8, { 0x60, 0x17, 0x10, 0x00 },
      "SDO response node 5: initiate download 1017:00" },
    /* read 1008h:00 (device name), 4 bytes expedited */
    { 0x605, 8, { 0x40, 0x08, 0x10, 0x00 },
      "SDO request node 5: initiate upload 1008:00" },
    { 0x585, 8, { 0x43, 0x08, 0x10, 0x00, 'Q', 'E', 'M', 'U' },
      "SDO response node 5: initiate upload 1008:00 expedited 4 bytes" },
    /* read 1009h:00, segmented: 10 bytes */
    { 0x605, 8, { 0x40, 0x09, 0x10, 0x00 },
      "SDO request node 5: initiate upload 1009:00" },
    { 0x585, 8, { 0x41, 0x09, 0x10, 0x00, 10 },
      "SDO response node 5: initiate upload 1009:00" },
    { 0x605, 8, { 0x60 }, "SDO request node 5: upload segment toggle 0" },
    { 0x585, 8, { 0x00, '1', '.', '0', '.', '0', '-', 'q' },
      "SDO response node 5: upload segment toggle 0 7 bytes" },
    { 0x605, 8, { 0x70 }, "SDO request node 5: upload segment toggle 1" },
    { 0x585, 8, { 0x19, 'e', 'm', 'u' },
      "SDO response node 5: upload segment toggle 1 3 bytes last" },
    /* an object that does not exist: abort 06020000h */
    { 0x605, 8, { 0x40, 0x00, 0x20, 0x01 },
      "SDO request node 5: initiate upload 2000:01" },
    { 0x585, 8, { 0x80, 0x00, 0x20, 0x01, 0x00, 0x00, 0x02, 0x06 },
      "SDO response node 5: abort 2000:01 code 06020000" },
    { 0x000, 2, { 0x01, 0x05 }, "NMT start node 5" },
    { 0x705, 1, { 0x05 }, "heartbeat node 5: operational" },
    { 0x080, 0, { 0 }, "SYNC" },
    { 0x080, 1, { 7 }, "SYNC counter 7" },
    { 0x185, 2, { 0x34, 0x12 }, "TPDO1 node 5" },
    { 0x205, 1, { 0x01 }, "RPDO1 node 5" },
    { 0x285, 8, { 0 }, "TPDO2 node 5" },
    { 0x305, 8, { 0 }, "RPDO2 node 5" },
    { 0x385, 8, { 0 }, "TPDO3 node 5" },
    { 0x405, 8, { 0 }, "RPDO3 node 5" },
    { 0x4ff, 8, { 0 }, "TPDO4 node 127" },
    { 0x501, 8, { 0 }, "RPDO4 node 1" },
    /* 8130h: CAN communication, life guard or heartbeat error */
    { 0x085, 8, { 0x30, 0x81, 0x11 }, "EMCY node 5 error 8130 register 11" },
    /* 12:00 on 2025-01-01: 43200000 ms, 14976 days after 1984-01-01 */
    { 0x100, 6, { 0x00, 0x2e, 0x93, 0x02, 0x80, 0x3a },
      "TIME 43200000 ms, day 14976 since 1984-01-01" },
    { 0x000, 2, { 0x80, 0x00 }, "NMT enter pre-operational all nodes" },
    { 0x000, 2, { 0x02, 0x05 }, "NMT stop node 5" },
    { 0x705, 1, { 0x84 }, "heartbeat node 5: stopped" },
    { 0x000, 2, { 0x81, 0x05 }, "NMT reset node node 5" },
    { 0x000, 2, { 0x82, 0x00 }, "NMT reset communication all nodes" },
    { 0x000, 2, { 0x03, 0x05 }, "NMT (malformed)" },
    /* no CANopen object: unassigned COB-IDs of the predefined set */
    { 0x123, 1, { 0 }, NULL },
    { 0x180, 1, { 0 }, NULL },
    { 0x6a5, 1, { 0 }, NULL },
    { 0x7e5, 8, { 0 }, NULL },
};

static void check(const qemu_can_frame *f, const char *name)
{
    g_autoptr(GString) s = g_string_new(NULL);

    if (!name) {
        g_assert_false(can_canopen_describe(s, f));
        g_assert_cmpuint(s->len, ==, 0);
        return;
    }
    g_assert_true(can_canopen_describe(s, f));
    g_assert_cmpstr(s->str, ==, name);
}

static void test_script(void)
{
    size_t i;

    for (i = 0; i < ARRAY_SIZE(script); i++) {
        qemu_can_frame f = { .can_id = script[i].id,
                             .can_dlc = script[i].len };

        memcpy(f.data, script[i].data, sizeof(script[i].data));
        check(&f, script[i].name);
    }
}

static void test_remote(void)
{
    qemu_can_frame guard = { .can_id = 0x705 | QEMU_CAN_RTR_FLAG,
                             .can_dlc = 1 };
    qemu_can_frame pdo = { .can_id = 0x285 | QEMU_CAN_RTR_FLAG };
    qemu_can_frame sdo = { .can_id = 0x605 | QEMU_CAN_RTR_FLAG };

    check(&guard, "node guarding request node 5");
    check(&pdo, "TPDO2 node 5 remote request");
    check(&sdo, NULL);
}

/* CANopen (CiA 301) uses 11-bit identifiers and classic frames only */
static void test_not_canopen(void)
{
    qemu_can_frame ext = { .can_id = 0x080 | QEMU_CAN_EFF_FLAG };
    qemu_can_frame fd = { .can_id = 0x185, .can_dlc = 12,
                          .flags = QEMU_CAN_FRMF_TYPE_FD };
    qemu_can_frame err = { .can_id = 0x020 | QEMU_CAN_ERR_FLAG,
                           .can_dlc = 8 };

    check(&ext, NULL);
    check(&fd, NULL);
    check(&err, NULL);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/can/canopen/script", test_script);
    g_test_add_func("/can/canopen/remote", test_remote);
    g_test_add_func("/can/canopen/not-canopen", test_not_canopen);
    return g_test_run();
}
