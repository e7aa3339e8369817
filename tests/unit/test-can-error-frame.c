/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Bus events as SocketCAN error frames (net/can/can_error_frame.c),
 * against linux/can/error.h: the error flag 0x20000000 with classes in
 * the identifier (0x002 lost arbitration, 0x004 controller, 0x008
 * protocol violation, 0x020 no ACK, 0x040 bus-off, 0x080 bus error,
 * 0x200 error counters), DLC 8, data[0] the arbitration bit, data[1]
 * controller state (0x04/0x08 RX/TX warning, 0x10/0x20 RX/TX passive,
 * 0x40 active again), data[2] violation type (0x01 bit, 0x04 stuff, 0x80
 * on transmission), data[3] location (0x02 ID bits 28..21, 0x19 ACK
 * slot), data[6] TEC, data[7] REC.
 */

#include "qemu/osdep.h"
#include "net/can_error_frame.h"

static const qemu_can_frame data_frame = { .can_id = 0x123, .can_dlc = 1 };

static void assert_error_frame(const CanBusEvent *ev, uint32_t classes,
                               const uint8_t data[8])
{
    qemu_can_frame f;

    g_assert_true(can_error_frame_of_event(ev, &f));
    g_assert_cmphex(f.can_id, ==, 0x20000000 | classes);
    g_assert_cmpuint(f.can_dlc, ==, 8);
    g_assert_cmpmem(f.data, 8, data, 8);
}

static void test_frame_is_no_error(void)
{
    CanBusEvent ev = { .type = CAN_BUS_EVENT_FRAME, .frame = &data_frame };
    qemu_can_frame f = { .can_id = 0x7ff };

    g_assert_false(can_error_frame_of_event(&ev, &f));
    g_assert_cmphex(f.can_id, ==, 0x7ff);
}

static void test_ack_error(void)
{
    CanBusEvent ev = { .type = CAN_BUS_EVENT_ACK_ERROR, .frame = &data_frame };
    static const uint8_t data[8] = { 0, 0, 0x80, 0x19 };

    assert_error_frame(&ev, 0x020 | 0x008 | 0x080, data);
}

static void test_error_flags(void)
{
    CanBusEvent bit = {
        .type = CAN_BUS_EVENT_ERROR_FLAG, .frame = &data_frame,
        .error = { .kind = CAN_BUS_ERROR_BIT,
                   .field = CAN_BUS_FIELD_IDENTIFIER },
    };
    CanBusEvent stuff = {
        .type = CAN_BUS_EVENT_ERROR_FLAG, .frame = &data_frame,
        .error = { .kind = CAN_BUS_ERROR_STUFF,
                   .field = CAN_BUS_FIELD_UNKNOWN },
    };
    static const uint8_t bit_data[8] = { 0, 0, 0x81, 0x02 };
    static const uint8_t stuff_data[8] = { 0, 0, 0x04, 0x00 };

    assert_error_frame(&bit, 0x008 | 0x080, bit_data);
    assert_error_frame(&stuff, 0x008 | 0x080, stuff_data);
}

static void test_arbitration_lost(void)
{
    CanBusEvent ev = {
        .type = CAN_BUS_EVENT_ARBITRATION_LOST, .frame = &data_frame,
        .arbitration = { .bit = 7 },
    };
    static const uint8_t data[8] = { 7 };

    assert_error_frame(&ev, 0x002, data);
}

static void test_states(void)
{
    static const struct {
        CanBusErrorState state;
        unsigned tec, rec;
        uint32_t classes;
        uint8_t ctrl;
    } cases[] = {
        { CAN_BUS_STATE_ERROR_WARNING, 96, 0, 0x004, 0x08 },
        { CAN_BUS_STATE_ERROR_WARNING, 0, 100, 0x004, 0x04 },
        { CAN_BUS_STATE_ERROR_PASSIVE, 128, 0, 0x004, 0x20 },
        { CAN_BUS_STATE_ERROR_PASSIVE, 8, 130, 0x004, 0x10 },
        { CAN_BUS_STATE_ERROR_ACTIVE, 0, 0, 0x004, 0x40 },
        { CAN_BUS_STATE_BUS_OFF, 256, 0, 0x040, 0 },
    };
    size_t i;

    for (i = 0; i < ARRAY_SIZE(cases); i++) {
        CanBusEvent ev = {
            .type = CAN_BUS_EVENT_STATE,
            .state = { cases[i].state, cases[i].tec, cases[i].rec },
        };
        uint8_t data[8] = { 0, cases[i].ctrl, 0, 0, 0, 0,
                            MIN(cases[i].tec, 255), cases[i].rec };

        assert_error_frame(&ev, cases[i].classes | 0x200, data);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/can/error-frame/frame-is-no-error",
                    test_frame_is_no_error);
    g_test_add_func("/can/error-frame/ack-error", test_ack_error);
    g_test_add_func("/can/error-frame/error-flags", test_error_flags);
    g_test_add_func("/can/error-frame/arbitration-lost",
                    test_arbitration_lost);
    g_test_add_func("/can/error-frame/states", test_states);
    return g_test_run();
}
