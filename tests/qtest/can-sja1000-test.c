/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QTest for the NXP SJA1000 CAN controller, as a driver sees it through
 * the SJA1000 window (BAR1) of Kvaser PCIcan boards.
 *
 * Every test checks one behaviour that the SJA1000 product specification
 * (Philips, 2000 Jan 04; "datasheet" below, with its section numbers) or
 * the Linux sja1000/kvaser_pci/plx_pci drivers describe.  The boards sit
 * in slots 4, 5 and 6 of a pc machine; board i's channel 0 is "chip i".
 * Unless a test says otherwise, every chip is on can-bus b0 and runs at
 * 500 kbit/s (16 MHz oscillator, BTR0 0x00, BTR1 0x1c: 2 us per bit).
 */

#include "qemu/osdep.h"
#include "libqtest.h"
#include "libqos/pci-pc.h"
#include "qobject/qdict.h"
#include "can-sja1000-frame.h"

/* The Kvaser board (Linux kvaser_pci.c) */
#define KVASER_SLOT         4
#define KVASER_SJA_BAR      1

#define BITRATE             500000
#define BIT_NS              (1000000000 / BITRATE)
#define MAX_BOARDS          4

typedef SJAChan Chip;

typedef struct Rig {
    QTestState *qts;
    QPCIBus *bus;
    int boards;
    Chip chip[MAX_BOARDS];
} Rig;

static void rig_map(Rig *r)
{
    int i;

    r->bus = qpci_new_pc(r->qts, NULL);
    for (i = 0; i < r->boards; i++) {
        Chip *c = &r->chip[i];

        c->dev = qpci_device_find(r->bus, QPCI_DEVFN(KVASER_SLOT + i, 0));
        g_assert(c->dev);
        qpci_device_enable(c->dev);
        c->bar = qpci_iomap(c->dev, KVASER_SJA_BAR, NULL);
    }
}

/* Options of the bus b0 for the next rig_start_with() */
static const char *rig_bus_opts = "";

static char *rig_cmdline(int boards, const char *extra)
{
    GString *cmd = g_string_new("-machine pc -nodefaults ");
    int i;

    g_string_append_printf(cmd, "-object can-bus,id=b0%s", rig_bus_opts);

    for (i = 0; i < boards; i++) {
        g_string_append_printf(cmd, " -device kvaser_pci,id=k%d,canbus0=b0,"
                               "addr=0x%x", i, KVASER_SLOT + i);
    }
    if (extra) {
        g_string_append_printf(cmd, " %s", extra);
    }
    return g_string_free(cmd, false);
}

/* Start QEMU with @boards boards; map them unless it awaits a migration */
static void rig_start_with(Rig *r, int boards, const char *extra, bool map)
{
    g_autofree char *cmd = rig_cmdline(boards, extra);

    memset(r, 0, sizeof(*r));
    r->boards = boards;
    r->qts = qtest_init(cmd);
    if (map) {
        rig_map(r);
    }
}

static void rig_start(Rig *r, int boards)
{
    rig_start_with(r, boards, NULL, true);
}

static void rig_stop(Rig *r)
{
    int i;

    for (i = 0; i < r->boards; i++) {
        g_free(r->chip[i].dev);
    }
    qpci_free_pc(r->bus);
    qtest_quit(r->qts);
}

/* Let @us microseconds of virtual time pass */
static void wait_us(Rig *r, int64_t us)
{
    qtest_clock_step(r->qts, us * 1000);
}

static int64_t qom_get_uint(QTestState *qts, const char *path,
                            const char *prop)
{
    QDict *rsp;
    int64_t value;

    rsp = qtest_qmp(qts, "{'execute': 'qom-get', 'arguments': "
                    "{'path': %s, 'property': %s}}", path, prop);
    g_assert(qdict_haskey(rsp, "return"));
    value = qdict_get_int(rsp, "return");
    qobject_unref(rsp);
    return value;
}

static int64_t bus_counter(Rig *r, const char *prop)
{
    return qom_get_uint(r->qts, "/objects/b0", prop);
}

/* A system reset, the chips' RST pin; the guest maps the boards again */
static void rig_system_reset(Rig *r)
{
    QDict *rsp;
    int i;

    rsp = qtest_qmp(r->qts, "{'execute': 'system_reset'}");
    g_assert(qdict_haskey(rsp, "return"));
    qobject_unref(rsp);
    qtest_qmp_eventwait(r->qts, "RESET");
    for (i = 0; i < r->boards; i++) {
        g_free(r->chip[i].dev);
    }
    qpci_free_pc(r->bus);
    rig_map(r);
}

/*
 * Two boards on one bus, their chips @a and @b in PeliCAN operating mode,
 * accepting every frame, with interrupt enables @a_ier and @b_ier
 */
static void rig_start_pelican_pair(Rig *r, Chip **a, uint8_t a_ier,
                                   Chip **b, uint8_t b_ier)
{
    rig_start(r, 2);
    *a = &r->chip[0];
    *b = &r->chip[1];
    sja_pelican_setup(*a, 0, a_ier);
    sja_pelican_setup(*b, 0, b_ier);
}

/* BasicCAN set-up: CDR stays 0 */
static void basic_setup(Chip *c, uint8_t cr, uint8_t acr, uint8_t amr)
{
    sja_wr(c, A_CR, R_CR_RR_MASK);
    sja_wr(c, A_CDR, 0x00);
    sja_wr(c, A_BASIC_ACR, acr);
    sja_wr(c, A_BASIC_AMR, amr);
    sja_wr(c, A_BTR0, 0x00);
    sja_wr(c, A_BTR1, 0x1c);
    sja_wr(c, A_OCR, 0x1a);
    sja_wr(c, A_CR, cr & ~R_CR_RR_MASK);
    g_assert_cmphex(sja_rd(c, A_CR) & R_CR_RR_MASK, ==, 0);
}

/* Transmit @m from @c with command @cmd, and let the bus settle */
static void pelican_send(Rig *r, Chip *c, const CanMsg *m, uint8_t cmd)
{
    sja_load_tx(c, m);
    sja_wr(c, A_CMR, cmd);
    wait_us(r, 1000);
}

/*
 * A check that no frame reached @to that should not have, which fails
 * even if that frame were merely late: @from sends can_sentinel, and it
 * must be the first frame @to holds.  @to accepts every frame and
 * acknowledges; @to's interrupts are its own business.
 */
static void assert_sentinel_first(Rig *r, Chip *from, Chip *to)
{
    pelican_send(r, from, &can_sentinel, R_CMR_TR_MASK);
    g_assert_cmpuint(sja_rd(to, A_RMC), ==, 1);
    sja_assert_next_rx(to, &can_sentinel);
}

/*
 * Reset values
 */

/* Datasheet 6.4.2, Table 7: hardware reset, then CDR.7 = 1 (PeliCAN) */
static void test_pelican_reset_values(void)
{
    Rig r;
    Chip *c;

    rig_start(&r, 1);
    c = &r.chip[0];
    sja_wr(c, A_CDR, R_CDR_PELICAN_MASK);
    g_assert_cmphex(sja_rd(c, A_MOD), ==, R_MOD_RM_MASK);
    g_assert_cmphex(sja_rd(c, A_SR), ==, R_SR_TS_MASK | R_SR_RS_MASK |
                    R_SR_TCS_MASK | R_SR_TBS_MASK);
    g_assert_cmphex(sja_rd(c, A_IR), ==, 0x00);
    g_assert_cmphex(sja_rd(c, A_IER), ==, 0x00);
    g_assert_cmpuint(sja_rd(c, A_EWLR), ==, 96);
    g_assert_cmpuint(sja_rd(c, A_RXERR), ==, 0);
    g_assert_cmpuint(sja_rd(c, A_TXERR), ==, 0);
    g_assert_cmphex(sja_rd(c, A_ECC), ==, 0x00);
    g_assert_cmphex(sja_rd(c, A_ALC), ==, 0x00);
    g_assert_cmpuint(sja_rd(c, A_RMC), ==, 0);
    g_assert_cmpuint(sja_rd(c, A_RBSA), ==, 0);
    g_assert_cmphex(sja_rd(c, A_CDR), ==, R_CDR_PELICAN_MASK);
    rig_stop(&r);
}

/*
 * Datasheet 6.4.4: the PeliCAN command register is write only, "all bits
 * will return a logic 0 when being read" (BasicCAN's reads 0xff, 6.3.4).
 */
static void test_pelican_command_register_reads_0(void)
{
    Rig r;
    Chip *c;

    rig_start(&r, 1);
    c = &r.chip[0];
    sja_wr(c, A_CDR, R_CDR_PELICAN_MASK);
    g_assert_cmphex(sja_rd(c, A_CMR), ==, 0x00);
    sja_pelican_setup(c, 0, 0);
    g_assert_cmphex(sja_rd(c, A_CMR), ==, 0x00);
    rig_stop(&r);
}

/*
 * Datasheet 6.3.2, Table 2, and the values Linux's plx_pci.c checks to
 * detect a chip: CR & 0xa1 == 0x21, IR == 0xe0, CDR 0 (Intel mode, as on
 * Kvaser boards).  The chip comes out of hardware reset in BasicCAN mode.
 */
static void test_basiccan_reset_values(void)
{
    Rig r;
    Chip *c;

    rig_start(&r, 1);
    c = &r.chip[0];
    g_assert_cmphex(sja_rd(c, A_CDR), ==, 0x00);
    g_assert_cmphex(sja_rd(c, A_CR) & 0xa1, ==, 0x21);
    g_assert_cmphex(sja_rd(c, A_IR), ==, R_IR_BASIC_RESERVED_MASK);
    g_assert_cmphex(sja_rd(c, A_CMR), ==, 0xff);
    rig_stop(&r);
}

/*
 * Datasheet 6.3.3, Table 3: CR bit 5 is reserved and reads 1 whatever is
 * written (note 3), so a guest that writes 0x01 reads 0x21; bit 6, the
 * PCA82C200's sync bit, reads what was written and survives hardware and
 * software reset (note 2); bit 7 must be written 0 (note 1) and reads 0.
 */
static void test_basiccan_control_register_read_back(void)
{
    Rig r;
    Chip *c;

    rig_start(&r, 1);
    c = &r.chip[0];
    sja_wr(c, A_CR, 0x01);
    g_assert_cmphex(sja_rd(c, A_CR), ==, 0x21);
    sja_wr(c, A_CR, 0x1f);
    g_assert_cmphex(sja_rd(c, A_CR), ==, 0x3f);
    sja_wr(c, A_CR, 0x41);
    g_assert_cmphex(sja_rd(c, A_CR), ==, 0x61);
    /* leaving reset mode and entering it again keeps bit 6 */
    sja_wr(c, A_CR, 0x40);
    g_assert_cmphex(sja_rd(c, A_CR), ==, 0x60);
    sja_wr(c, A_CR, 0x41);
    g_assert_cmphex(sja_rd(c, A_CR), ==, 0x61);
    /* so does a hardware reset */
    rig_system_reset(&r);
    c = &r.chip[0];
    g_assert_cmphex(sja_rd(c, A_CR), ==, 0x61);
    /* a write with bit 7 set: the chip keeps it 0 */
    sja_wr(c, A_CR, 0x81);
    g_assert_cmphex(sja_rd(c, A_CR), ==, 0x21);
    sja_wr(c, A_CR, 0x00);
    g_assert_cmphex(sja_rd(c, A_CR), ==, 0x20);
    rig_stop(&r);
}

/*
 * Datasheet 6.3.2, Table 2: after a hardware reset the BasicCAN status
 * register reads TCS and TBS only; Linux's plx_pci.c relies on SR == 0x0c
 * (REG_SR_BASICCAN_INITIAL) to recognise a chip on real boards.  The
 * PeliCAN view of the same state reads 0x3c (Table 7).
 */
static void test_basiccan_status_after_reset_is_0x0c(void)
{
    Rig r;
    Chip *c;

    rig_start(&r, 1);
    c = &r.chip[0];
    g_assert_cmphex(sja_rd(c, A_SR), ==, R_SR_TCS_MASK | R_SR_TBS_MASK);
    rig_stop(&r);
}

/*
 * Datasheet 6.4.3 (MOD), 6.5 (BTR0/1, OCR, CDR), 6.4.10..6.4.12,
 * 6.4.15, 6.4.17: these registers change in reset mode only.
 */
static void test_reset_mode_registers_ignore_writes_in_operating_mode(void)
{
    static const uint8_t acr[4] = { 0x11, 0x22, 0x33, 0x44 };
    static const uint8_t amr[4] = { 0x55, 0x66, 0x77, 0x88 };
    Rig r;
    Chip *c;
    int i;

    rig_start(&r, 1);
    c = &r.chip[0];
    sja_pelican_setup_filter(c, R_MOD_AFM_MASK, 0, acr, amr);

    sja_wr(c, A_MOD, R_MOD_LOM_MASK | R_MOD_STM_MASK);
    g_assert_cmphex(sja_rd(c, A_MOD), ==, R_MOD_AFM_MASK);
    sja_wr(c, A_BTR0, 0x3f);
    g_assert_cmphex(sja_rd(c, A_BTR0), ==, 0x00);
    sja_wr(c, A_BTR1, 0xff);
    g_assert_cmphex(sja_rd(c, A_BTR1), ==, 0x1c);
    sja_wr(c, A_OCR, 0x00);
    g_assert_cmphex(sja_rd(c, A_OCR), ==, 0x1a);
    sja_wr(c, A_EWLR, 10);
    g_assert_cmpuint(sja_rd(c, A_EWLR), ==, 96);
    sja_wr(c, A_RXERR, 50);
    g_assert_cmpuint(sja_rd(c, A_RXERR), ==, 0);
    sja_wr(c, A_TXERR, 50);
    g_assert_cmpuint(sja_rd(c, A_TXERR), ==, 0);
    sja_wr(c, A_RBSA, 20);
    g_assert_cmpuint(sja_rd(c, A_RBSA), ==, 0);
    sja_wr(c, A_CDR, 0x00);
    g_assert_cmphex(sja_rd(c, A_CDR) & 0xe0, ==, R_CDR_PELICAN_MASK);
    /* in operating mode 16..23 are the TX buffer, not ACR/AMR */
    for (i = 0; i < 8; i++) {
        sja_wr(c, A_FRAME + i, 0xee);
    }

    sja_wr(c, A_MOD, R_MOD_RM_MASK | R_MOD_AFM_MASK);
    for (i = 0; i < 4; i++) {
        g_assert_cmphex(sja_rd(c, A_ACR0 + i), ==, acr[i]);
        g_assert_cmphex(sja_rd(c, A_AMR0 + i), ==, amr[i]);
    }
    g_assert_cmphex(sja_rd(c, A_BTR0), ==, 0x00);
    g_assert_cmphex(sja_rd(c, A_BTR1), ==, 0x1c);
    g_assert_cmpuint(sja_rd(c, A_EWLR), ==, 96);
    rig_stop(&r);
}

/*
 * Datasheet 6.3.1, Table 1: in operating mode the BasicCAN acceptance
 * code and mask read 0xff; they, BTR0/1 and OCR change in reset mode only.
 */
static void test_basiccan_reset_mode_registers_ignore_writes(void)
{
    Rig r;
    Chip *c;

    rig_start(&r, 1);
    c = &r.chip[0];
    basic_setup(c, 0, 0x12, 0x34);

    g_assert_cmphex(sja_rd(c, A_BASIC_ACR), ==, 0xff);
    g_assert_cmphex(sja_rd(c, A_BASIC_AMR), ==, 0xff);
    sja_wr(c, A_BASIC_ACR, 0x99);
    sja_wr(c, A_BASIC_AMR, 0x99);
    sja_wr(c, A_BTR0, 0x3f);
    sja_wr(c, A_BTR1, 0xff);
    sja_wr(c, A_OCR, 0x00);

    sja_wr(c, A_CR, R_CR_RR_MASK);
    g_assert_cmphex(sja_rd(c, A_BASIC_ACR), ==, 0x12);
    g_assert_cmphex(sja_rd(c, A_BASIC_AMR), ==, 0x34);
    g_assert_cmphex(sja_rd(c, A_BTR0), ==, 0x00);
    g_assert_cmphex(sja_rd(c, A_BTR1), ==, 0x1c);
    g_assert_cmphex(sja_rd(c, A_OCR), ==, 0x1a);
    rig_stop(&r);
}

/*
 * Datasheet 6.3.1 (Table 1) and 6.5.1..6.5.3: in BasicCAN operating mode
 * ACR, AMR, BTR0, BTR1 and OCR read 0xff ("In BasicCAN mode a 'FFH' is
 * reflected"); in PeliCAN operating mode BTR0/1 and OCR read back.
 */
static void test_basiccan_operating_mode_hides_setup_registers(void)
{
    static const uint8_t hidden[] = {
        A_BASIC_ACR, A_BASIC_AMR, A_BTR0, A_BTR1, A_OCR,
    };
    Rig r;
    Chip *c;
    size_t i;

    rig_start(&r, 1);
    c = &r.chip[0];
    basic_setup(c, 0, 0x12, 0x34);
    for (i = 0; i < ARRAY_SIZE(hidden); i++) {
        g_assert_cmphex(sja_rd(c, hidden[i]), ==, 0xff);
    }
    rig_stop(&r);
}

/*
 * Transmission and reception
 */

/*
 * Datasheet 6.4.13/6.4.14: a standard frame sent by chip 0 with TR lands
 * in chip 1's receive window with the same layout; the sender never
 * stores its own frame.
 */
static void test_standard_frame_arrives_byte_exact_not_in_sender(void)
{
    static const CanMsg m = {
        .id = 0x123, .dlc = 8,
        .data = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88 },
    };
    static const uint8_t expect[] = {
        0x08, 0x24, 0x60, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
    };
    Rig r;
    Chip *a, *b;

    rig_start_pelican_pair(&r, &a, R_IR_RI_MASK | R_IR_TI_MASK, &b,
                           R_IR_RI_MASK | R_IR_TI_MASK);

    pelican_send(&r, a, &m, R_CMR_TR_MASK);

    g_assert_cmphex(sja_rd(a, A_SR), ==, R_SR_TCS_MASK | R_SR_TBS_MASK);
    g_assert_cmphex(sja_rd(a, A_IR), ==, R_IR_TI_MASK);

    g_assert_cmphex(sja_rd(b, A_SR), ==, R_SR_TCS_MASK | R_SR_TBS_MASK |
                    R_SR_RBS_MASK);
    g_assert_cmpuint(sja_rd(b, A_RMC), ==, 1);
    g_assert_cmphex(sja_rd(b, A_IR), ==, R_IR_RI_MASK);
    sja_assert_bytes(b, A_FRAME, expect, sizeof(expect));
    sja_wr(b, A_CMR, R_CMR_RRB_MASK);
    g_assert_cmpuint(sja_rd(b, A_RMC), ==, 0);
    g_assert_cmphex(sja_rd(b, A_SR) & R_SR_RBS_MASK, ==, 0);
    g_assert_cmphex(sja_rd(b, A_IR), ==, 0);
    g_assert_cmpuint(sja_rd(b, A_RBSA), ==, sizeof(expect));
    assert_sentinel_first(&r, b, a);
    rig_stop(&r);
}

/* Datasheet 6.4.14, Table 40: the 29-bit layout of the receive window */
static void test_extended_frame_arrives_with_29_bit_layout(void)
{
    static const CanMsg m = {
        .id = 0x12345678, .ext = true, .dlc = 3,
        .data = { 0xde, 0xad, 0xbe },
    };
    static const uint8_t expect[] = {
        0x83, 0x91, 0xa2, 0xb3, 0xc0, 0xde, 0xad, 0xbe,
    };
    Rig r;
    Chip *a, *b;

    rig_start_pelican_pair(&r, &a, 0, &b, R_IR_RI_MASK);

    pelican_send(&r, a, &m, R_CMR_TR_MASK);

    g_assert_cmpuint(sja_rd(b, A_RMC), ==, 1);
    sja_assert_bytes(b, A_FRAME, expect, sizeof(expect));
    sja_wr(b, A_CMR, R_CMR_RRB_MASK);
    g_assert_cmpuint(sja_rd(b, A_RBSA), ==, sizeof(expect));
    rig_stop(&r);
}

/*
 * Datasheet 6.4.4, Table 9 note 4: SRR transmits the frame and receives
 * it into the sender's own FIFO as well; the other node receives it too.
 */
static void test_self_reception_request_stores_own_frame(void)
{
    static const CanMsg m = {
        .id = 0x5a5, .dlc = 2, .data = { 0xca, 0xfe },
    };
    static const uint8_t expect[] = { 0x02, 0xb4, 0xa0, 0xca, 0xfe };
    Rig r;
    Chip *a, *b;

    rig_start_pelican_pair(&r, &a, R_IR_RI_MASK | R_IR_TI_MASK, &b,
                           R_IR_RI_MASK);

    pelican_send(&r, a, &m, R_CMR_SRR_MASK);

    g_assert_cmphex(sja_rd(a, A_SR), ==, R_SR_TCS_MASK | R_SR_TBS_MASK |
                    R_SR_RBS_MASK);
    g_assert_cmpuint(sja_rd(a, A_RMC), ==, 1);
    g_assert_cmphex(sja_rd(a, A_IR), ==, R_IR_RI_MASK | R_IR_TI_MASK);
    sja_assert_bytes(a, A_FRAME, expect, sizeof(expect));
    g_assert_cmpuint(sja_rd(b, A_RMC), ==, 1);
    sja_assert_bytes(b, A_FRAME, expect, sizeof(expect));
    rig_stop(&r);
}

/*
 * Datasheet 6.4.14: a remote frame carries no data bytes, whatever its
 * DLC says; it takes 3 (standard) or 5 (extended) bytes of the FIFO.
 */
static void test_rtr_frame_with_dlc_8_stores_no_data(void)
{
    static const CanMsg rtr_std = { .id = 0x7ff, .rtr = true, .dlc = 8 };
    static const CanMsg rtr_ext = {
        .id = 0x1fffffff, .ext = true, .rtr = true, .dlc = 8,
    };
    static const CanMsg data = { .id = 0x001, .dlc = 1, .data = { 0x42 } };
    static const uint8_t expect_std[] = { 0x48, 0xff, 0xf0 };
    static const uint8_t expect_ext[] = { 0xc8, 0xff, 0xff, 0xff, 0xfc };
    static const uint8_t expect_data[] = { 0x01, 0x00, 0x20, 0x42 };
    Rig r;
    Chip *a, *b;

    rig_start_pelican_pair(&r, &a, 0, &b, 0);

    pelican_send(&r, a, &rtr_std, R_CMR_TR_MASK);
    pelican_send(&r, a, &rtr_ext, R_CMR_TR_MASK);
    pelican_send(&r, a, &data, R_CMR_TR_MASK);
    g_assert_cmpuint(sja_rd(b, A_RMC), ==, 3);

    sja_assert_bytes(b, A_FRAME, expect_std, sizeof(expect_std));
    sja_wr(b, A_CMR, R_CMR_RRB_MASK);
    g_assert_cmpuint(sja_rd(b, A_RBSA), ==, 3);
    sja_assert_bytes(b, A_FRAME, expect_ext, sizeof(expect_ext));
    sja_wr(b, A_CMR, R_CMR_RRB_MASK);
    g_assert_cmpuint(sja_rd(b, A_RBSA), ==, 8);
    sja_assert_bytes(b, A_FRAME, expect_data, sizeof(expect_data));
    sja_wr(b, A_CMR, R_CMR_RRB_MASK);
    g_assert_cmpuint(sja_rd(b, A_RBSA), ==, 12);
    g_assert_cmpuint(sja_rd(b, A_RMC), ==, 0);
    rig_stop(&r);
}

/*
 * Acceptance filter (datasheet 6.4.15, Figs 9..12; 6.3.9 for BasicCAN)
 */

/* Send @m from chip 0; true when chip 1 stored it (then released) */
static bool accepted(Rig *r, const CanMsg *m)
{
    Chip *a = &r->chip[0], *b = &r->chip[1];
    uint8_t before = sja_rd(b, A_RMC), after;

    pelican_send(r, a, m, R_CMR_TR_MASK);
    g_assert_cmphex(sja_rd(a, A_SR) & R_SR_TCS_MASK, ==, R_SR_TCS_MASK);
    after = sja_rd(b, A_RMC);
    g_assert_cmpuint(after - before, <=, 1);
    if (after > before) {
        CanMsg got;

        sja_read_rx(b, &got);
        g_assert_cmphex(got.id, ==, m->id);
        g_assert(got.ext == m->ext);
        sja_wr(b, A_CMR, R_CMR_RRB_MASK);
        return true;
    }
    return false;
}

static void filter_rig(Rig *r, uint8_t mod, const uint8_t acr[4],
                       const uint8_t amr[4])
{
    rig_start(r, 2);
    sja_pelican_setup(&r->chip[0], 0, 0);
    sja_pelican_setup_filter(&r->chip[1], mod, 0, acr, amr);
}

/*
 * Single filter, standard frames (Fig. 9): ACR0 and ACR1.7..5 hold the
 * identifier, ACR1.4 the RTR bit, ACR2 and ACR3 data bytes 1 and 2;
 * data bytes a frame does not carry are not compared.
 */
static void test_single_filter_standard_frames(void)
{
    /* id 0x123, RTR 0, data byte 1 0xaa, data byte 2 don't care */
    static const uint8_t acr[4] = { 0x24, 0x60, 0xaa, 0x00 };
    static const uint8_t amr[4] = { 0x00, 0x0f, 0x00, 0xff };
    CanMsg m = { .id = 0x123, .dlc = 2, .data = { 0xaa, 0x55 } };
    Rig r;

    filter_rig(&r, R_MOD_AFM_MASK, acr, amr);
    g_assert_true(accepted(&r, &m));
    m.data[1] = 0x00;
    g_assert_true(accepted(&r, &m));
    m.data[0] = 0xab;
    g_assert_false(accepted(&r, &m));
    m.data[0] = 0xaa;
    m.id = 0x122;
    g_assert_false(accepted(&r, &m));
    m.id = 0x523;
    g_assert_false(accepted(&r, &m));
    m.id = 0x123;
    m.dlc = 0;
    g_assert_true(accepted(&r, &m));
    m.rtr = true;
    g_assert_false(accepted(&r, &m));
    rig_stop(&r);
}

/*
 * Single filter, extended frames (Fig. 10): ACR0..ACR3.3 hold identifier
 * bits 28..0, ACR3.2 the RTR bit; bits 1..0 are not used.
 */
static void test_single_filter_extended_frames(void)
{
    /* id 0x12345678, RTR 0; identifier bit 0 don't care */
    static const uint8_t acr[4] = { 0x91, 0xa2, 0xb3, 0xc0 };
    static const uint8_t amr[4] = { 0x00, 0x00, 0x00, 0x0b };
    CanMsg m = { .id = 0x12345678, .ext = true, .dlc = 1, .data = { 0xff } };
    Rig r;

    filter_rig(&r, R_MOD_AFM_MASK, acr, amr);
    g_assert_true(accepted(&r, &m));
    m.id = 0x12345679;
    g_assert_true(accepted(&r, &m));
    m.id = 0x1234567a;
    g_assert_false(accepted(&r, &m));
    m.id = 0x02345678;
    g_assert_false(accepted(&r, &m));
    m.id = 0x12345678;
    m.rtr = true;
    g_assert_false(accepted(&r, &m));
    rig_stop(&r);
}

/*
 * Dual filter, standard frames (Fig. 11): filter 1 is ACR0, ACR1 (id,
 * RTR, high nibble of data byte 1) and ACR3.3..0 (low nibble of data
 * byte 1); filter 2 is ACR2 and ACR3.7..4 (id, RTR).
 */
static void test_dual_filter_standard_frames(void)
{
    /* filter 1: id 0x123, RTR 0, data 0x5a; filter 2: id 0x456, any RTR */
    static const uint8_t acr[4] = { 0x24, 0x65, 0x8a, 0xca };
    static const uint8_t amr[4] = { 0x00, 0x00, 0x00, 0x10 };
    CanMsg m = { .id = 0x123, .dlc = 1, .data = { 0x5a } };
    Rig r;

    filter_rig(&r, 0, acr, amr);
    g_assert_true(accepted(&r, &m));
    m.data[0] = 0x5b;
    g_assert_false(accepted(&r, &m));
    m.data[0] = 0x4a;
    g_assert_false(accepted(&r, &m));
    m.dlc = 0;
    g_assert_true(accepted(&r, &m));
    m.rtr = true;
    g_assert_false(accepted(&r, &m));

    m.id = 0x456;
    g_assert_true(accepted(&r, &m));
    m.rtr = false;
    m.dlc = 1;
    m.data[0] = 0x00;
    g_assert_true(accepted(&r, &m));
    m.id = 0x457;
    g_assert_false(accepted(&r, &m));
    m.id = 0x056;
    g_assert_false(accepted(&r, &m));
    rig_stop(&r);
}

/*
 * Dual filter, extended frames (Fig. 12): filter 1 compares identifier
 * bits 28..13 with ACR0, ACR1; filter 2 with ACR2, ACR3.
 */
static void test_dual_filter_extended_frames(void)
{
    /* filter 1: 0x12345678 >> 13; filter 2: 0x0abcdef0 >> 13 */
    static const uint8_t acr[4] = { 0x91, 0xa2, 0x55, 0xe6 };
    static const uint8_t amr[4] = { 0x00, 0x00, 0x00, 0x00 };
    CanMsg m = { .id = 0x12345678, .ext = true, .dlc = 0 };
    Rig r;

    filter_rig(&r, 0, acr, amr);
    g_assert_true(accepted(&r, &m));
    m.id = 0x12344001;
    g_assert_true(accepted(&r, &m));
    m.rtr = true;
    g_assert_true(accepted(&r, &m));
    m.rtr = false;
    m.id = 0x0abcdef0;
    g_assert_true(accepted(&r, &m));
    m.id = 0x0abcc000;
    g_assert_true(accepted(&r, &m));
    m.id = 0x12346000;
    g_assert_false(accepted(&r, &m));
    m.id = 0x1fffffff;
    g_assert_false(accepted(&r, &m));
    rig_stop(&r);
}

/* BasicCAN (6.3.9): ACR/AMR compare identifier bits 10..3 */
static bool basic_accepted(Rig *r, uint32_t id)
{
    Chip *a = &r->chip[0], *b = &r->chip[1];
    CanMsg m = { .id = id, .dlc = 1, .data = { 0x77 } };
    uint8_t expect[10];
    unsigned n = sja_basic_frame_encode(&m, expect);

    pelican_send(r, a, &m, R_CMR_TR_MASK);
    if (sja_rd(b, A_SR) & R_SR_RBS_MASK) {
        sja_assert_bytes(b, A_BASIC_RXB, expect, n);
        sja_wr(b, A_CMR, R_CMR_RRB_MASK);
        g_assert_cmphex(sja_rd(b, A_SR) & R_SR_RBS_MASK, ==, 0);
        return true;
    }
    return false;
}

static void test_basiccan_filter_compares_identifier_bits_10_to_3(void)
{
    Rig r;

    rig_start(&r, 2);
    sja_pelican_setup(&r.chip[0], 0, 0);
    basic_setup(&r.chip[1], 0, 0x24, 0x00);
    g_assert_true(basic_accepted(&r, 0x120));
    g_assert_true(basic_accepted(&r, 0x123));
    g_assert_true(basic_accepted(&r, 0x127));
    g_assert_false(basic_accepted(&r, 0x128));
    g_assert_false(basic_accepted(&r, 0x523));
    rig_stop(&r);

    rig_start(&r, 2);
    sja_pelican_setup(&r.chip[0], 0, 0);
    basic_setup(&r.chip[1], 0, 0x24, 0x81);
    g_assert_true(basic_accepted(&r, 0x523));
    g_assert_true(basic_accepted(&r, 0x12b));
    g_assert_false(basic_accepted(&r, 0x133));
    rig_stop(&r);
}

/*
 * RX FIFO
 */

/*
 * Datasheet 6.4.5 note 6, 6.4.4 note 3: a frame that does not fit in the
 * 64-byte FIFO is dropped whole and sets DOS; DOI comes with the first
 * overrun only while DOS stays set; frames that fit are still stored;
 * CDO clears DOS.
 */
static void test_rx_fifo_overrun_loses_exactly_the_overflowing_frames(void)
{
    /* sizes in bytes: 5 x 11 fit (55), 11 no, 11 no, 3 fits, 6 fits */
    static const uint8_t dlc[] = { 8, 8, 8, 8, 8, 8, 8, 0, 3, 0 };
    static const bool stored[] = { 1, 1, 1, 1, 1, 0, 0, 1, 1, 0 };
    Rig r;
    Chip *a, *b;
    CanMsg m = { .dlc = 8 };
    unsigned i, lost = 0;

    rig_start_pelican_pair(&r, &a, 0, &b, R_IR_RI_MASK | R_IR_DOI_MASK);

    for (i = 0; i < ARRAY_SIZE(dlc); i++) {
        m.id = 0x100 + i;
        m.dlc = dlc[i];
        memset(m.data, i, sizeof(m.data));
        pelican_send(&r, a, &m, R_CMR_TR_MASK);
        if (i == 5) {
            /* the first overrun: DOS and one DOI */
            g_assert_cmphex(sja_rd(b, A_SR) & R_SR_DOS_MASK, ==, R_SR_DOS_MASK);
            g_assert_cmphex(sja_rd(b, A_IR), ==, R_IR_RI_MASK | R_IR_DOI_MASK);
        }
        if (i == 6) {
            /* DOS already set: no new DOI */
            g_assert_cmphex(sja_rd(b, A_IR), ==, R_IR_RI_MASK);
        }
        lost += !stored[i];
    }
    g_assert_cmpuint(sja_rd(b, A_RMC), ==, ARRAY_SIZE(dlc) - lost);
    g_assert_cmpint(qom_get_uint(r.qts, "/machine/peripheral/k1/chip[0]",
                                 "rx-overruns"), ==, lost);

    for (i = 0; i < ARRAY_SIZE(dlc); i++) {
        CanMsg got;

        if (!stored[i]) {
            continue;
        }
        sja_read_rx(b, &got);
        g_assert_cmphex(got.id, ==, 0x100 + i);
        g_assert_cmpuint(got.dlc, ==, dlc[i]);
        if (dlc[i]) {
            g_assert_cmpuint(got.data[0], ==, i);
            g_assert_cmpuint(got.data[dlc[i] - 1], ==, i);
        }
        sja_wr(b, A_CMR, R_CMR_RRB_MASK);
    }
    g_assert_cmpuint(sja_rd(b, A_RMC), ==, 0);
    g_assert_cmphex(sja_rd(b, A_SR) & (R_SR_RBS_MASK | R_SR_DOS_MASK), ==,
                    R_SR_DOS_MASK);
    sja_wr(b, A_CMR, R_CMR_CDO_MASK);
    g_assert_cmphex(sja_rd(b, A_SR) & (R_SR_RBS_MASK | R_SR_DOS_MASK), ==, 0);
    g_assert_cmphex(sja_rd(b, A_IR), ==, 0);
    rig_stop(&r);
}

/*
 * Datasheet 6.4.17: RBSA points at the frame in the receive window and
 * moves by the released frame's length; the FIFO is a ring of 64 bytes,
 * so a frame may wrap round and the window still shows it whole.
 */
static void test_release_advances_rbsa_and_window_wraps_at_64(void)
{
    Rig r;
    Chip *a, *b;
    CanMsg m = { .id = 0x321, .dlc = 8 };
    uint8_t expect[11] = { 0x08, 0x64, 0x20 };
    int i;

    rig_start_pelican_pair(&r, &a, 0, &b, 0);

    for (i = 0; i < 5; i++) {
        pelican_send(&r, a, &m, R_CMR_TR_MASK);
        g_assert_cmpuint(sja_rd(b, A_RBSA), ==, 11 * i);
        sja_wr(b, A_CMR, R_CMR_RRB_MASK);
        g_assert_cmpuint(sja_rd(b, A_RBSA), ==, 11 * (i + 1));
    }
    /* the next frame occupies RAM 55..63 and 0..1 */
    for (i = 0; i < 8; i++) {
        m.data[i] = 0xa0 + i;
        expect[3 + i] = 0xa0 + i;
    }
    pelican_send(&r, a, &m, R_CMR_TR_MASK);
    g_assert_cmpuint(sja_rd(b, A_RMC), ==, 1);
    sja_assert_bytes(b, A_FRAME, expect, sizeof(expect));
    sja_wr(b, A_CMR, R_CMR_RRB_MASK);
    g_assert_cmpuint(sja_rd(b, A_RBSA), ==, 2);
    rig_stop(&r);
}

/*
 * Datasheet 6.4.16, Table 7: entering reset mode empties the FIFO (RMC
 * 0, RBS 0, RI gone); RBSA keeps its value (X in Table 7).
 */
static void test_reset_mode_empties_the_rx_fifo(void)
{
    static const CanMsg m = { .id = 0x10, .dlc = 1, .data = { 1 } };
    Rig r;
    Chip *a, *b;

    rig_start_pelican_pair(&r, &a, 0, &b, R_IR_RI_MASK);
    pelican_send(&r, a, &m, R_CMR_TR_MASK);
    pelican_send(&r, a, &m, R_CMR_TR_MASK);
    sja_wr(b, A_CMR, R_CMR_RRB_MASK);
    g_assert_cmpuint(sja_rd(b, A_RMC), ==, 1);
    g_assert_cmpuint(sja_rd(b, A_RBSA), ==, 4);

    sja_wr(b, A_MOD, R_MOD_RM_MASK);
    g_assert_cmpuint(sja_rd(b, A_RMC), ==, 0);
    g_assert_cmphex(sja_rd(b, A_SR) & R_SR_RBS_MASK, ==, 0);
    g_assert_cmphex(sja_rd(b, A_IR), ==, 0);
    g_assert_cmpuint(sja_rd(b, A_RBSA), ==, 4);
    sja_wr(b, A_MOD, 0);
    g_assert_cmpuint(sja_rd(b, A_RMC), ==, 0);
    rig_stop(&r);
}

/*
 * Interrupts
 */

/*
 * Datasheet 6.4.6, Table 15: reading IR clears every flag but RI, which
 * follows the FIFO (set while a frame is there and RIE is on) and goes
 * when the last frame is released.
 */
static void test_ir_read_clears_all_flags_but_ri(void)
{
    static const CanMsg m = { .id = 0x42, .dlc = 0 };
    Rig r;
    Chip *a, *b;

    rig_start_pelican_pair(&r, &a, 0, &b, R_IR_RI_MASK | R_IR_TI_MASK);

    pelican_send(&r, a, &m, R_CMR_TR_MASK);
    pelican_send(&r, b, &m, R_CMR_TR_MASK);
    g_assert_cmphex(sja_rd(b, A_IR), ==, R_IR_RI_MASK | R_IR_TI_MASK);
    g_assert_cmphex(sja_rd(b, A_IR), ==, R_IR_RI_MASK);
    g_assert_cmphex(sja_rd(b, A_IR), ==, R_IR_RI_MASK);
    sja_wr(b, A_CMR, R_CMR_RRB_MASK);
    g_assert_cmphex(sja_rd(b, A_IR), ==, 0);
    rig_stop(&r);
}

/* Datasheet 6.4.7 note 1: RI shows only while IER.RIE is set */
static void test_receive_interrupt_follows_rie(void)
{
    static const CanMsg m = { .id = 0x42, .dlc = 0 };
    Rig r;
    Chip *a, *b;

    rig_start_pelican_pair(&r, &a, 0, &b, 0);

    pelican_send(&r, a, &m, R_CMR_TR_MASK);
    g_assert_cmphex(sja_rd(b, A_SR) & R_SR_RBS_MASK, ==, R_SR_RBS_MASK);
    g_assert_cmphex(sja_rd(b, A_IR), ==, 0);
    sja_wr(b, A_IER, R_IR_RI_MASK);
    g_assert_cmphex(sja_rd(b, A_IR), ==, R_IR_RI_MASK);
    sja_wr(b, A_IER, 0);
    g_assert_cmphex(sja_rd(b, A_IR), ==, 0);
    rig_stop(&r);
}

/*
 * Datasheet 6.3.6, Table 6, and 6.3.4 note 4: in BasicCAN mode reading IR
 * clears RI too; releasing a frame while another waits raises RI again.
 */
static void test_basiccan_ir_read_clears_ri(void)
{
    static const CanMsg m = { .id = 0x42, .dlc = 0 };
    Rig r;
    Chip *a, *b;

    rig_start(&r, 2);
    a = &r.chip[0];
    b = &r.chip[1];
    sja_pelican_setup(a, 0, 0);
    basic_setup(b, R_CR_RIE_MASK, 0x00, 0xff);

    pelican_send(&r, a, &m, R_CMR_TR_MASK);
    pelican_send(&r, a, &m, R_CMR_TR_MASK);
    g_assert_cmphex(sja_rd(b, A_IR), ==, R_IR_BASIC_RESERVED_MASK |
                    R_IR_RI_MASK);
    g_assert_cmphex(sja_rd(b, A_IR), ==, R_IR_BASIC_RESERVED_MASK);
    g_assert_cmphex(sja_rd(b, A_SR) & R_SR_RBS_MASK, ==, R_SR_RBS_MASK);
    sja_wr(b, A_CMR, R_CMR_RRB_MASK);
    g_assert_cmphex(sja_rd(b, A_IR), ==, R_IR_BASIC_RESERVED_MASK |
                    R_IR_RI_MASK);
    sja_wr(b, A_CMR, R_CMR_RRB_MASK);
    g_assert_cmphex(sja_rd(b, A_IR), ==, R_IR_BASIC_RESERVED_MASK);
    g_assert_cmphex(sja_rd(b, A_SR) & R_SR_RBS_MASK, ==, 0);
    rig_stop(&r);
}

/*
 * BasicCAN
 */

/*
 * Datasheet 6.3.7, 6.3.8: BasicCAN transmit buffer at 10..19 and receive
 * buffer at 20..29: identifier bits 10..3, then id 2..0, RTR and DLC.
 */
static void test_basiccan_transmit_and_receive(void)
{
    static const uint8_t data_frame[] = {
        0x24, 0x64, 0x01, 0x02, 0x03, 0x04,
    };
    static const uint8_t remote_frame[] = { 0xff, 0xf8 };
    Rig r;
    Chip *a, *b;
    size_t i;

    rig_start(&r, 2);
    a = &r.chip[0];
    b = &r.chip[1];
    basic_setup(a, R_CR_TIE_MASK, 0x00, 0xff);
    basic_setup(b, R_CR_RIE_MASK, 0x00, 0xff);

    for (i = 0; i < sizeof(data_frame); i++) {
        sja_wr(a, A_BASIC_TXB + i, data_frame[i]);
    }
    sja_wr(a, A_CMR, R_CMR_TR_MASK);
    wait_us(&r, 1000);
    g_assert_cmphex(sja_rd(a, A_SR), ==, R_SR_TCS_MASK | R_SR_TBS_MASK);
    g_assert_cmphex(sja_rd(a, A_IR), ==, R_IR_BASIC_RESERVED_MASK |
                    R_IR_TI_MASK);

    sja_wr(a, A_BASIC_TXB, remote_frame[0]);
    sja_wr(a, A_BASIC_TXB + 1, remote_frame[1]);
    sja_wr(a, A_CMR, R_CMR_TR_MASK);
    wait_us(&r, 1000);

    g_assert_cmphex(sja_rd(b, A_SR), ==, R_SR_TCS_MASK | R_SR_TBS_MASK |
                    R_SR_RBS_MASK);
    g_assert_cmphex(sja_rd(b, A_IR), ==, R_IR_BASIC_RESERVED_MASK |
                    R_IR_RI_MASK);
    sja_assert_bytes(b, A_BASIC_RXB, data_frame, sizeof(data_frame));
    sja_wr(b, A_CMR, R_CMR_RRB_MASK);
    sja_assert_bytes(b, A_BASIC_RXB, remote_frame, sizeof(remote_frame));
    sja_wr(b, A_CMR, R_CMR_RRB_MASK);
    g_assert_cmphex(sja_rd(b, A_SR) & R_SR_RBS_MASK, ==, 0);
    rig_stop(&r);
}

/* Datasheet 6.2.2: a BasicCAN chip does not store 29-bit frames */
static void test_basiccan_does_not_store_extended_frames(void)
{
    static const CanMsg ext = { .id = 0x1234, .ext = true, .dlc = 0 };
    static const CanMsg std = { .id = 0x123, .dlc = 0 };
    Rig r;
    Chip *a, *b;

    rig_start(&r, 2);
    a = &r.chip[0];
    b = &r.chip[1];
    sja_pelican_setup(a, 0, 0);
    basic_setup(b, R_CR_RIE_MASK, 0x00, 0xff);

    pelican_send(&r, a, &ext, R_CMR_TR_MASK);
    g_assert_cmphex(sja_rd(a, A_SR) & R_SR_TCS_MASK, ==, R_SR_TCS_MASK);
    g_assert_cmphex(sja_rd(b, A_SR) & R_SR_RBS_MASK, ==, 0);
    pelican_send(&r, a, &std, R_CMR_TR_MASK);
    g_assert_cmphex(sja_rd(b, A_SR) & R_SR_RBS_MASK, ==, R_SR_RBS_MASK);
    g_assert_cmphex(sja_rd(b, A_BASIC_RXB), ==, 0x24);
    g_assert_cmphex(sja_rd(b, A_BASIC_RXB + 1), ==, 0x60);
    rig_stop(&r);
}

/*
 * Modes
 */

/*
 * Datasheet 6.4.3, Table 8 (STM): in self-test mode a transmission
 * succeeds without an acknowledge, so a lone node can send to itself.
 */
static void test_self_test_mode_transmits_without_acknowledge(void)
{
    static const CanMsg m = { .id = 0x1, .dlc = 1, .data = { 0x99 } };
    static const uint8_t expect[] = { 0x01, 0x00, 0x20, 0x99 };
    Rig r;
    Chip *c;

    rig_start(&r, 1);
    c = &r.chip[0];
    sja_pelican_setup(c, R_MOD_STM_MASK, R_IR_RI_MASK | R_IR_TI_MASK |
                      R_IR_BEI_MASK);

    pelican_send(&r, c, &m, R_CMR_SRR_MASK);
    g_assert_cmphex(sja_rd(c, A_SR), ==, R_SR_TCS_MASK | R_SR_TBS_MASK |
                    R_SR_RBS_MASK);
    g_assert_cmphex(sja_rd(c, A_IR), ==, R_IR_RI_MASK | R_IR_TI_MASK);
    g_assert_cmpuint(sja_rd(c, A_RMC), ==, 1);
    sja_assert_bytes(c, A_FRAME, expect, sizeof(expect));
    sja_wr(c, A_CMR, R_CMR_RRB_MASK);

    pelican_send(&r, c, &m, R_CMR_TR_MASK);
    g_assert_cmphex(sja_rd(c, A_SR), ==, R_SR_TCS_MASK | R_SR_TBS_MASK);
    g_assert_cmphex(sja_rd(c, A_IR), ==, R_IR_TI_MASK);
    g_assert_cmpuint(sja_rd(c, A_TXERR), ==, 0);
    g_assert_cmpint(bus_counter(&r, "error-frames"), ==, 0);
    rig_stop(&r);
}

/*
 * Datasheet 6.4.3, Table 8 (LOM): a listen-only chip receives but sends
 * no acknowledge and cannot transmit; its error counters stay frozen.
 */
static void test_listen_only_receives_but_never_acks_or_sends(void)
{
    static const CanMsg m = { .id = 0x2, .dlc = 1, .data = { 0x33 } };
    Rig r;
    Chip *a, *lom, *c;

    rig_start(&r, 3);
    a = &r.chip[0];
    lom = &r.chip[1];
    c = &r.chip[2];
    sja_pelican_setup(a, 0, 0);
    sja_pelican_setup(lom, R_MOD_LOM_MASK, R_IR_RI_MASK | R_IR_TI_MASK);
    sja_pelican_setup(c, 0, 0);

    /* acknowledged by c, heard by the listener */
    pelican_send(&r, a, &m, R_CMR_TR_MASK);
    g_assert_cmpuint(sja_rd(lom, A_RMC), ==, 1);
    g_assert_cmpuint(sja_rd(c, A_RMC), ==, 1);
    sja_wr(lom, A_CMR, R_CMR_RRB_MASK);
    sja_wr(c, A_CMR, R_CMR_RRB_MASK);

    /* the listener's transmission request goes nowhere */
    pelican_send(&r, lom, &m, R_CMR_TR_MASK);
    g_assert_cmphex(sja_rd(lom, A_SR) & R_SR_TBS_MASK, ==, R_SR_TBS_MASK);
    g_assert_cmphex(sja_rd(lom, A_IR), ==, 0);
    assert_sentinel_first(&r, c, a);
    assert_sentinel_first(&r, a, c);
    sja_assert_next_rx(lom, &can_sentinel);
    sja_assert_next_rx(lom, &can_sentinel);

    /* with c gone, nobody acknowledges: one ACK error for a */
    sja_wr(c, A_MOD, R_MOD_RM_MASK);
    pelican_send(&r, a, &m, R_CMR_TR_MASK | R_CMR_AT_MASK);
    g_assert_cmpuint(sja_rd(a, A_TXERR), ==, 8);
    g_assert_cmphex(sja_rd(a, A_SR) & R_SR_TCS_MASK, ==, 0);
    g_assert_cmpuint(sja_rd(lom, A_RXERR), ==, 0);
    g_assert_cmpuint(sja_rd(lom, A_TXERR), ==, 0);
    /* c back: the listener holds nothing before the next frame */
    sja_wr(c, A_MOD, 0);
    assert_sentinel_first(&r, a, lom);
    rig_stop(&r);
}

/*
 * ISO 11898-1: an error-passive transmitter flags its ACK error with
 * recessive bits, which overlap the end of frame unseen, so a listen-only
 * receiver takes the frame, once per attempt.  An error-active sender's
 * flag destroys it.
 */
static void test_listen_only_hears_an_error_passive_sender(void)
{
    static const CanMsg m = { .id = 0x2, .dlc = 1, .data = { 0x33 } };
    CanMsg got;
    Rig r;
    Chip *a, *lom;

    rig_start(&r, 2);
    a = &r.chip[0];
    lom = &r.chip[1];
    sja_pelican_setup(a, 0, 0);
    sja_pelican_setup(lom, R_MOD_LOM_MASK, 0);

    pelican_send(&r, a, &m, R_CMR_TR_MASK | R_CMR_AT_MASK);
    g_assert_cmpuint(sja_rd(lom, A_RMC), ==, 0);

    sja_wr(a, A_MOD, R_MOD_RM_MASK);
    sja_wr(a, A_TXERR, 128);
    sja_wr(a, A_MOD, 0);
    pelican_send(&r, a, &m, R_CMR_TR_MASK | R_CMR_AT_MASK);
    g_assert_cmpuint(sja_rd(a, A_TXERR), ==, 128);
    g_assert_cmpuint(sja_rd(lom, A_RMC), ==, 1);
    sja_read_rx(lom, &got);
    g_assert_cmphex(got.id, ==, m.id);
    rig_stop(&r);
}

/*
 * Error confinement
 */

/*
 * ISO 11898-1 12.1.4 and datasheet 6.4.6, 6.4.9: a node alone on the bus
 * gets an ACK error for every attempt (BEI, ECC 0xd9, TEC + 8) and
 * retries.  EI comes when TEC reaches EWLR (96), EPI at 128 (error
 * passive); from then on an ACK error leaves TEC alone, so it stays at
 * 128, retrying, and never goes bus-off.
 */
static void test_lone_node_ack_errors_stop_at_error_passive(void)
{
    static const CanMsg m = { .id = 0x55, .dlc = 1, .data = { 0x55 } };
    Rig r;
    Chip *c;
    int bei = 0, ei_at = -1, epi_at = -1, step;
    int64_t errors;

    rig_start(&r, 1);
    c = &r.chip[0];
    sja_pelican_setup(c, 0, R_IR_BEI_MASK | R_IR_EPI_MASK | R_IR_EI_MASK |
                      R_IR_TI_MASK);
    sja_load_tx(c, &m);
    sja_wr(c, A_CMR, R_CMR_TR_MASK);

    /* steps shorter than one attempt (> 100 bit times) */
    for (step = 0; step < 400; step++) {
        uint8_t ir = sja_rd(c, A_IR);
        uint8_t tec = sja_rd(c, A_TXERR);

        g_assert_cmphex(ir & (R_IR_TI_MASK | R_IR_RI_MASK | R_IR_DOI_MASK), ==,
                        0);
        if (ir & R_IR_BEI_MASK) {
            bei++;
            g_assert_cmphex(sja_rd(c, A_ECC), ==, ECC_ACK_ERROR);
        }
        if (ir & R_IR_EI_MASK) {
            g_assert_cmpint(ei_at, ==, -1);
            ei_at = tec;
            g_assert_cmphex(sja_rd(c, A_SR) & R_SR_ES_MASK, ==, R_SR_ES_MASK);
        }
        if (ir & R_IR_EPI_MASK) {
            g_assert_cmpint(epi_at, ==, -1);
            epi_at = tec;
        }
        g_assert_cmpuint(tec, ==, MIN(bei * 8, 128));
        wait_us(&r, 40);
    }
    g_assert_cmpint(ei_at, ==, 96);
    g_assert_cmpint(epi_at, ==, 128);
    g_assert_cmpint(bei, >, 16);

    wait_us(&r, 50000);
    g_assert_cmpuint(sja_rd(c, A_TXERR), ==, 128);
    g_assert_cmphex(sja_rd(c, A_IR), ==, R_IR_BEI_MASK);
    g_assert_cmphex(sja_rd(c, A_SR) & (R_SR_BS_MASK | R_SR_ES_MASK |
                                       R_SR_TBS_MASK | R_SR_TCS_MASK),
                    ==, R_SR_ES_MASK);
    g_assert_cmphex(sja_rd(c, A_MOD), ==, 0);
    errors = bus_counter(&r, "error-frames");
    wait_us(&r, 10000);
    g_assert_cmpint(bus_counter(&r, "error-frames"), >, errors);
    rig_stop(&r);
}

/*
 * Datasheet 6.4.4, Table 9 note 5: AT cancels a transmission waiting for
 * a retry; TBS returns to 1 with TCS 0, and TI is raised.
 */
static void test_abort_transmission_cancels_retries(void)
{
    static const CanMsg m = { .id = 0x56, .dlc = 0 };
    Rig r;
    Chip *c;
    int64_t errors;
    uint8_t tec;

    rig_start(&r, 1);
    c = &r.chip[0];
    sja_pelican_setup(c, 0, R_IR_TI_MASK | R_IR_BEI_MASK);
    pelican_send(&r, c, &m, R_CMR_TR_MASK);
    g_assert_cmphex(sja_rd(c, A_SR) & (R_SR_TBS_MASK | R_SR_TCS_MASK), ==, 0);

    sja_wr(c, A_CMR, R_CMR_AT_MASK);
    wait_us(&r, 1000);
    g_assert_cmphex(sja_rd(c, A_SR) & (R_SR_TBS_MASK | R_SR_TCS_MASK), ==,
                    R_SR_TBS_MASK);
    g_assert_cmphex(sja_rd(c, A_IR) & R_IR_TI_MASK, ==, R_IR_TI_MASK);
    tec = sja_rd(c, A_TXERR);
    errors = bus_counter(&r, "error-frames");
    wait_us(&r, 10000);
    g_assert_cmphex(sja_rd(c, A_IR), ==, 0);
    g_assert_cmpuint(sja_rd(c, A_TXERR), ==, tec);
    g_assert_cmpint(bus_counter(&r, "error-frames"), ==, errors);
    rig_stop(&r);
}

/*
 * Datasheet 6.4.4, Table 9 note 2: TR and AT together make a single-shot
 * transmission: one attempt, no retry after its error.
 */
static void test_single_shot_transmission_makes_one_attempt(void)
{
    static const CanMsg m = { .id = 0x57, .dlc = 0 };
    Rig r;
    Chip *c;

    rig_start(&r, 1);
    c = &r.chip[0];
    sja_pelican_setup(c, 0, R_IR_TI_MASK | R_IR_BEI_MASK);
    pelican_send(&r, c, &m, R_CMR_TR_MASK | R_CMR_AT_MASK);
    wait_us(&r, 10000);
    g_assert_cmphex(sja_rd(c, A_SR) & (R_SR_TBS_MASK | R_SR_TCS_MASK), ==,
                    R_SR_TBS_MASK);
    g_assert_cmphex(sja_rd(c, A_IR), ==, R_IR_TI_MASK | R_IR_BEI_MASK);
    g_assert_cmpuint(sja_rd(c, A_TXERR), ==, 8);
    g_assert_cmpint(bus_counter(&r, "error-frames"), ==, 1);
    rig_stop(&r);
}

/*
 * Datasheet 6.4.4, Table 13 note 2: "Setting CMR.0 and CMR.4
 * simultaneously will ignore the set CMR.4 bit": TR with SRR is a plain
 * transmission, and TR, AT and SRR together a plain single shot; neither
 * stores the frame in the sender's FIFO.
 */
static void test_tr_with_srr_ignores_srr(void)
{
    static const CanMsg m = { .id = 0x64, .dlc = 1, .data = { 0x64 } };
    Rig r;
    Chip *a, *b;

    rig_start_pelican_pair(&r, &a, 0, &b, 0);

    pelican_send(&r, a, &m, R_CMR_TR_MASK | R_CMR_SRR_MASK);
    g_assert_cmphex(sja_rd(a, A_SR) & R_SR_TCS_MASK, ==, R_SR_TCS_MASK);
    g_assert_cmpuint(sja_rd(b, A_RMC), ==, 1);
    assert_sentinel_first(&r, b, a);

    pelican_send(&r, a, &m, R_CMR_TR_MASK | R_CMR_AT_MASK | R_CMR_SRR_MASK);
    g_assert_cmphex(sja_rd(a, A_SR) & R_SR_TCS_MASK, ==, R_SR_TCS_MASK);
    g_assert_cmpuint(sja_rd(b, A_RMC), ==, 2);
    assert_sentinel_first(&r, b, a);
    rig_stop(&r);
}

/*
 * Datasheet 6.4.4, Table 13 note 2: SRR with AT sends once with self
 * reception; with nobody to acknowledge, the one attempt fails and is not
 * repeated.
 */
static void test_srr_with_at_is_a_single_shot(void)
{
    static const CanMsg m = { .id = 0x65, .dlc = 0 };
    Rig r;
    Chip *c;

    rig_start(&r, 1);
    c = &r.chip[0];
    sja_pelican_setup(c, 0, R_IR_TI_MASK | R_IR_RI_MASK);
    pelican_send(&r, c, &m, R_CMR_SRR_MASK | R_CMR_AT_MASK);
    wait_us(&r, 10000);
    g_assert_cmphex(sja_rd(c, A_SR) & (R_SR_TBS_MASK | R_SR_TCS_MASK |
                                       R_SR_RBS_MASK), ==, R_SR_TBS_MASK);
    g_assert_cmphex(sja_rd(c, A_IR), ==, R_IR_TI_MASK);
    g_assert_cmpuint(sja_rd(c, A_TXERR), ==, 8);
    g_assert_cmpint(bus_counter(&r, "error-frames"), ==, 1);
    rig_stop(&r);
}

/*
 * Datasheet 6.4.9: ECC holds the first bus error until it is read, and
 * "a new bus error interrupt is not possible until the capture register
 * is read out once".
 */
static void test_bus_error_interrupt_waits_for_ecc_read(void)
{
    static const CanMsg m = { .id = 0x66, .dlc = 0 };
    Rig r;
    Chip *c;

    rig_start(&r, 1);
    c = &r.chip[0];
    sja_pelican_setup(c, 0, R_IR_BEI_MASK);
    pelican_send(&r, c, &m, R_CMR_TR_MASK);
    g_assert_cmpuint(sja_rd(c, A_TXERR), >, 8);
    g_assert_cmphex(sja_rd(c, A_IR), ==, R_IR_BEI_MASK);

    /* more ACK errors, but ECC still holds the first: no BEI */
    wait_us(&r, 1000);
    g_assert_cmphex(sja_rd(c, A_IR), ==, 0);
    g_assert_cmphex(sja_rd(c, A_ECC), ==, ECC_ACK_ERROR);

    /* ECC read: the next error is captured and interrupts */
    wait_us(&r, 1000);
    g_assert_cmphex(sja_rd(c, A_IR), ==, R_IR_BEI_MASK);
    g_assert_cmphex(sja_rd(c, A_ECC), ==, ECC_ACK_ERROR);
    rig_stop(&r);
}

/* ISO 11898-1 12.1.4: a successful transmission lowers TEC by one */
static void test_successful_transmission_lowers_txerr_by_one(void)
{
    static const CanMsg m = { .id = 0x58, .dlc = 0 };
    Rig r;
    Chip *a, *b;

    rig_start_pelican_pair(&r, &a, 0, &b, 0);

    sja_wr(a, A_MOD, R_MOD_RM_MASK);
    sja_wr(a, A_TXERR, 20);
    sja_wr(a, A_MOD, 0);
    pelican_send(&r, a, &m, R_CMR_TR_MASK);
    g_assert_cmpuint(sja_rd(a, A_TXERR), ==, 19);
    pelican_send(&r, a, &m, R_CMR_TR_MASK);
    g_assert_cmpuint(sja_rd(a, A_TXERR), ==, 18);
    rig_stop(&r);
}

/* ISO 11898-1 12.1.4: a successful reception lowers REC by one */
static void test_successful_reception_lowers_rxerr_by_one(void)
{
    static const CanMsg m = { .id = 0x59, .dlc = 0 };
    Rig r;
    Chip *a, *b;

    rig_start_pelican_pair(&r, &a, 0, &b, 0);

    sja_wr(b, A_MOD, R_MOD_RM_MASK);
    sja_wr(b, A_RXERR, 10);
    sja_wr(b, A_MOD, 0);
    pelican_send(&r, a, &m, R_CMR_TR_MASK);
    g_assert_cmpuint(sja_rd(b, A_RXERR), ==, 9);
    pelican_send(&r, a, &m, R_CMR_TR_MASK);
    g_assert_cmpuint(sja_rd(b, A_RXERR), ==, 8);
    rig_stop(&r);
}

/* 128 bus-free sequences of 11 bits: 22 us each at 500 kbit/s */
#define SEQUENCE_US         (11 * BIT_NS / 1000)

/*
 * Datasheet 6.4.12: writing 255 to TXERR in reset mode initiates a
 * CPU-driven bus-off.  When the host leaves reset mode, the chip performs
 * the bus-off event "in the same way as if it was forced by a bus error":
 * it enters reset mode again, TXERR reads 127, RXERR 0, BS and ES are set
 * and EI is raised.  It then waits for the host to clear reset mode.
 */
static void force_bus_off(Chip *c)
{
    sja_wr(c, A_MOD, R_MOD_RM_MASK);
    sja_wr(c, A_TXERR, 255);
    g_assert_cmphex(sja_rd(c, A_SR) & (R_SR_BS_MASK | R_SR_ES_MASK), ==, 0);
    g_assert_cmphex(sja_rd(c, A_IR), ==, 0);
    sja_wr(c, A_MOD, 0);
}

static void test_cpu_forced_bus_off_reenters_reset_mode(void)
{
    Rig r;
    Chip *c;

    rig_start(&r, 1);
    c = &r.chip[0];
    sja_pelican_setup(c, 0, R_IR_EI_MASK);
    force_bus_off(c);

    g_assert_cmphex(sja_rd(c, A_MOD) & R_MOD_RM_MASK, ==, R_MOD_RM_MASK);
    g_assert_cmphex(sja_rd(c, A_SR) & (R_SR_BS_MASK | R_SR_ES_MASK), ==,
                    R_SR_BS_MASK | R_SR_ES_MASK);
    g_assert_cmphex(sja_rd(c, A_IR), ==, R_IR_EI_MASK);
    g_assert_cmpuint(sja_rd(c, A_TXERR), ==, 127);
    g_assert_cmpuint(sja_rd(c, A_RXERR), ==, 0);

    /* no recovery while the host keeps the chip in reset mode */
    wait_us(&r, 200 * SEQUENCE_US);
    g_assert_cmpuint(sja_rd(c, A_TXERR), ==, 127);
    g_assert_cmphex(sja_rd(c, A_SR) & R_SR_BS_MASK, ==, R_SR_BS_MASK);
    g_assert_cmphex(sja_rd(c, A_IR), ==, 0);

    sja_wr(c, A_MOD, 0);
    wait_us(&r, 130 * SEQUENCE_US);
    g_assert_cmphex(sja_rd(c, A_SR) & (R_SR_BS_MASK | R_SR_ES_MASK), ==, 0);
    g_assert_cmphex(sja_rd(c, A_IR), ==, R_IR_EI_MASK);
    rig_stop(&r);
}

/*
 * Datasheet 6.4.5 note 1, 6.4.12: once the host clears reset mode after
 * a bus-off, TXERR counts the 128 bus-free sequences down from 127; then
 * BS and ES clear, both counters read 0 and EI is raised again.
 */
static void test_bus_off_recovery_counts_128_bus_free_sequences(void)
{
    Rig r;
    Chip *c;

    rig_start(&r, 1);
    c = &r.chip[0];
    sja_pelican_setup(c, 0, R_IR_EI_MASK);
    force_bus_off(c);
    g_assert_cmphex(sja_rd(c, A_IR), ==, R_IR_EI_MASK);
    /* the host ends the reset mode the bus-off left the chip in */
    sja_wr(c, A_MOD, 0);

    /* 6.4.5 note 3: RS and TS both set while waiting for bus-free */
    g_assert_cmphex(sja_rd(c, A_SR) & (R_SR_BS_MASK | R_SR_ES_MASK |
                                       R_SR_TS_MASK | R_SR_RS_MASK), ==,
                    R_SR_BS_MASK | R_SR_ES_MASK | R_SR_TS_MASK | R_SR_RS_MASK);
    g_assert_cmpuint(sja_rd(c, A_TXERR), ==, 127);
    wait_us(&r, 10 * SEQUENCE_US + SEQUENCE_US / 2);
    g_assert_cmpuint(sja_rd(c, A_TXERR), ==, 117);
    g_assert_cmphex(sja_rd(c, A_SR) & R_SR_BS_MASK, ==, R_SR_BS_MASK);

    /* 128 sequences in all: 2.816 ms */
    wait_us(&r, 117 * SEQUENCE_US);
    g_assert_cmphex(sja_rd(c, A_SR) & R_SR_BS_MASK, ==, R_SR_BS_MASK);
    g_assert_cmphex(sja_rd(c, A_IR), ==, 0);
    wait_us(&r, 2 * SEQUENCE_US);
    g_assert_cmphex(sja_rd(c, A_SR), ==, R_SR_TCS_MASK | R_SR_TBS_MASK);
    g_assert_cmpuint(sja_rd(c, A_TXERR), ==, 0);
    g_assert_cmpuint(sja_rd(c, A_RXERR), ==, 0);
    g_assert_cmphex(sja_rd(c, A_IR), ==, R_IR_EI_MASK);
    rig_stop(&r);
}

/*
 * Datasheet (Rev. 3.0) 6.4.12: if reset mode is entered again before the
 * end of the bus-off recovery, bus-off stays active and TXERR is frozen.
 */
static void test_reset_mode_during_bus_off_recovery_freezes_txerr(void)
{
    Rig r;
    Chip *c;

    rig_start(&r, 1);
    c = &r.chip[0];
    sja_pelican_setup(c, 0, 0);
    force_bus_off(c);
    sja_wr(c, A_MOD, 0);
    wait_us(&r, 10 * SEQUENCE_US + SEQUENCE_US / 2);
    g_assert_cmpuint(sja_rd(c, A_TXERR), ==, 117);

    sja_wr(c, A_MOD, R_MOD_RM_MASK);
    wait_us(&r, 200 * SEQUENCE_US);
    g_assert_cmpuint(sja_rd(c, A_TXERR), ==, 117);
    g_assert_cmphex(sja_rd(c, A_SR) & R_SR_BS_MASK, ==, R_SR_BS_MASK);

    sja_wr(c, A_MOD, 0);
    wait_us(&r, 130 * SEQUENCE_US);
    g_assert_cmphex(sja_rd(c, A_SR) & (R_SR_BS_MASK | R_SR_ES_MASK), ==, 0);
    g_assert_cmpuint(sja_rd(c, A_TXERR), ==, 0);
    rig_stop(&r);
}

/*
 * Datasheet 6.4.12: during bus-off, writing TXERR a value from 0 to 254
 * in reset mode clears the bus-off flag (SR.BS, with EI for the change);
 * ES follows the new count once reset mode is left (6.4.11).
 */
static void test_writing_txerr_below_255_ends_bus_off(void)
{
    Rig r;
    Chip *c;

    rig_start(&r, 1);
    c = &r.chip[0];
    sja_pelican_setup(c, 0, R_IR_EI_MASK);
    force_bus_off(c);
    g_assert_cmphex(sja_rd(c, A_SR) & R_SR_BS_MASK, ==, R_SR_BS_MASK);
    g_assert_cmphex(sja_rd(c, A_IR), ==, R_IR_EI_MASK);
    wait_us(&r, 100);

    /* in reset mode again, whether the chip or the host set it */
    sja_wr(c, A_MOD, R_MOD_RM_MASK);
    sja_wr(c, A_TXERR, 0);
    g_assert_cmphex(sja_rd(c, A_SR) & (R_SR_BS_MASK | R_SR_ES_MASK), ==,
                    R_SR_ES_MASK);
    g_assert_cmphex(sja_rd(c, A_IR), ==, R_IR_EI_MASK);
    sja_wr(c, A_MOD, 0);
    wait_us(&r, 100);
    g_assert_cmphex(sja_rd(c, A_SR) & (R_SR_BS_MASK | R_SR_ES_MASK), ==, 0);
    g_assert_cmphex(sja_rd(c, A_IR), ==, R_IR_EI_MASK);
    g_assert_cmpuint(sja_rd(c, A_TXERR), ==, 0);
    rig_stop(&r);
}

/*
 * The bus object's counters, as a user reads them with qom-get: frames
 * counts frames on the wire, error-frames each unacknowledged attempt.
 */
static void test_bus_counters_count_frames_and_error_frames(void)
{
    static const CanMsg m = { .id = 0x60, .dlc = 2, .data = { 1, 2 } };
    Rig r;
    Chip *a, *b;

    rig_start_pelican_pair(&r, &a, 0, &b, 0);
    g_assert_cmpint(bus_counter(&r, "frames"), ==, 0);

    pelican_send(&r, a, &m, R_CMR_TR_MASK);
    pelican_send(&r, b, &m, R_CMR_TR_MASK);
    pelican_send(&r, a, &m, R_CMR_SRR_MASK);
    g_assert_cmpint(bus_counter(&r, "frames"), ==, 3);
    g_assert_cmpint(bus_counter(&r, "error-frames"), ==, 0);

    sja_wr(b, A_MOD, R_MOD_RM_MASK);
    pelican_send(&r, a, &m, R_CMR_TR_MASK | R_CMR_AT_MASK);
    g_assert_cmpint(bus_counter(&r, "frames"), ==, 3);
    g_assert_cmpint(bus_counter(&r, "error-frames"), ==, 1);
    rig_stop(&r);
}

/*
 * Datasheet 6.4.1, Table 6: PeliCAN addresses 5, 9 and 10 are reserved
 * and read 0 in both modes.
 */
static void test_reserved_registers_read_0(void)
{
    static const uint8_t reserved[] = { 5, 9, 10 };
    Rig r;
    Chip *c;
    size_t i;

    rig_start(&r, 1);
    c = &r.chip[0];
    sja_wr(c, A_CDR, R_CDR_PELICAN_MASK);
    for (i = 0; i < ARRAY_SIZE(reserved); i++) {
        g_assert_cmphex(sja_rd(c, reserved[i]), ==, 0);
    }
    sja_pelican_setup(c, 0, 0);
    for (i = 0; i < ARRAY_SIZE(reserved); i++) {
        g_assert_cmphex(sja_rd(c, reserved[i]), ==, 0);
    }
    rig_stop(&r);
}

/*
 * Datasheet 6.4.17, Table 43: RBSA has six bits (7..6 read 0) and is
 * writable in reset mode; the next frame is stored from there on.
 */
/*
 * Datasheet 6.4.14, 6.4.17: the RX FIFO is 64 bytes of RAM used round.
 * Eight 8-byte frames fill it exactly and a ninth is lost; releasing the
 * first frame frees its bytes at the start of the RAM, where the next
 * frame goes, after the seven still stored: RBSA wraps to 0 to show it.
 */
static void test_released_rx_ram_takes_the_next_frame(void)
{
    static const uint8_t expect[] = { 0x05, 0x23, 0x20, 9, 9, 9, 9, 9 };
    Rig r;
    Chip *a, *b;
    CanMsg m = { .dlc = 5 };
    CanMsg got;
    unsigned i;

    rig_start_pelican_pair(&r, &a, 0, &b, R_IR_DOI_MASK);
    for (i = 0; i < 9; i++) {
        m.id = 0x110 + i;
        m.dlc = i < 8 ? 5 : 0;
        memset(m.data, i, sizeof(m.data));
        pelican_send(&r, a, &m, R_CMR_TR_MASK);
    }
    g_assert_cmpuint(sja_rd(b, A_RMC), ==, 8);
    g_assert_cmphex(sja_rd(b, A_IR), ==, R_IR_DOI_MASK);

    sja_wr(b, A_CMR, R_CMR_RRB_MASK | R_CMR_CDO_MASK);
    g_assert_cmpuint(sja_rd(b, A_RBSA), ==, 8);
    m.id = 0x119;
    m.dlc = 5;
    memset(m.data, 9, sizeof(m.data));
    pelican_send(&r, a, &m, R_CMR_TR_MASK);
    g_assert_cmpuint(sja_rd(b, A_RMC), ==, 8);
    g_assert_cmphex(sja_rd(b, A_SR) & R_SR_DOS_MASK, ==, 0);

    for (i = 1; i < 8; i++) {
        sja_read_rx(b, &got);
        g_assert_cmphex(got.id, ==, 0x110 + i);
        sja_wr(b, A_CMR, R_CMR_RRB_MASK);
    }
    g_assert_cmpuint(sja_rd(b, A_RBSA), ==, 0);
    sja_assert_bytes(b, A_FRAME, expect, sizeof(expect));
    sja_wr(b, A_CMR, R_CMR_RRB_MASK);
    g_assert_cmpuint(sja_rd(b, A_RMC), ==, 0);
    g_assert_cmpuint(sja_rd(b, A_RBSA), ==, 8);
    rig_stop(&r);
}

static void test_rbsa_is_6_bits_and_frames_land_there(void)
{
    static const CanMsg m = {
        .id = 0x7f0, .dlc = 2, .data = { 0x12, 0x34 },
    };
    static const uint8_t expect[] = { 0x02, 0xfe, 0x00, 0x12, 0x34 };
    Rig r;
    Chip *a, *b;

    rig_start_pelican_pair(&r, &a, 0, &b, 0);

    sja_wr(b, A_MOD, R_MOD_RM_MASK);
    sja_wr(b, A_RBSA, 0xff);
    g_assert_cmphex(sja_rd(b, A_RBSA), ==, 0x3f);
    sja_wr(b, A_RBSA, 62);
    sja_wr(b, A_MOD, 0);
    g_assert_cmpuint(sja_rd(b, A_RBSA), ==, 62);

    pelican_send(&r, a, &m, R_CMR_TR_MASK);
    g_assert_cmpuint(sja_rd(b, A_RMC), ==, 1);
    sja_assert_bytes(b, A_FRAME, expect, sizeof(expect));
    sja_wr(b, A_CMR, R_CMR_RRB_MASK);
    g_assert_cmpuint(sja_rd(b, A_RBSA), ==, (62 + sizeof(expect)) % 64);
    rig_stop(&r);
}

/* Datasheet 6.4.4, Table 9: TR is not accepted in reset mode */
static void test_transmission_request_in_reset_mode_is_ignored(void)
{
    static const CanMsg m = { .id = 0x61, .dlc = 1, .data = { 0x61 } };
    Rig r;
    Chip *a, *b;

    rig_start_pelican_pair(&r, &a, R_IR_TI_MASK, &b, 0);
    sja_load_tx(a, &m);

    sja_wr(a, A_MOD, R_MOD_RM_MASK);
    sja_wr(a, A_CMR, R_CMR_TR_MASK);
    wait_us(&r, 1000);
    g_assert_cmphex(sja_rd(a, A_SR) & (R_SR_TBS_MASK | R_SR_TCS_MASK), ==,
                    R_SR_TBS_MASK | R_SR_TCS_MASK);
    sja_wr(a, A_MOD, 0);
    wait_us(&r, 1000);
    g_assert_cmphex(sja_rd(a, A_IR), ==, 0);
    g_assert_cmpint(bus_counter(&r, "frames"), ==, 0);
    assert_sentinel_first(&r, a, b);
    rig_stop(&r);
}

/*
 * Datasheet 6.4.10: EWLR sets the error warning limit; ES and EI follow
 * TEC crossing it.
 */
static void test_error_warning_limit_is_programmable(void)
{
    static const CanMsg m = { .id = 0x62, .dlc = 0 };
    Rig r;
    Chip *c;
    int i;

    rig_start(&r, 1);
    c = &r.chip[0];
    sja_pelican_setup(c, 0, R_IR_EI_MASK);
    sja_wr(c, A_MOD, R_MOD_RM_MASK);
    sja_wr(c, A_EWLR, 17);
    g_assert_cmpuint(sja_rd(c, A_EWLR), ==, 17);
    sja_wr(c, A_MOD, 0);

    for (i = 1; i <= 3; i++) {
        pelican_send(&r, c, &m, R_CMR_TR_MASK | R_CMR_AT_MASK);
        g_assert_cmpuint(sja_rd(c, A_TXERR), ==, 8 * i);
        if (i < 3) {
            g_assert_cmphex(sja_rd(c, A_SR) & R_SR_ES_MASK, ==, 0);
            g_assert_cmphex(sja_rd(c, A_IR), ==, 0);
        }
    }
    g_assert_cmphex(sja_rd(c, A_SR) & R_SR_ES_MASK, ==, R_SR_ES_MASK);
    g_assert_cmphex(sja_rd(c, A_IR), ==, R_IR_EI_MASK);
    rig_stop(&r);
}

/*
 * A system reset is the chip's hardware reset (RST pin): BasicCAN mode,
 * reset mode, empty FIFO, counters 0, EWLR 96 (datasheet Tables 2, 7).
 */
static void test_system_reset_is_a_hardware_reset(void)
{
    static const CanMsg m = { .id = 0x63, .dlc = 1, .data = { 0x63 } };
    Rig r;
    Chip *a, *b;
    int i;

    rig_start_pelican_pair(&r, &a, 0, &b, R_IR_RI_MASK);
    pelican_send(&r, a, &m, R_CMR_TR_MASK);
    pelican_send(&r, a, &m, R_CMR_TR_MASK);
    sja_wr(b, A_CMR, R_CMR_RRB_MASK);
    sja_wr(a, A_MOD, R_MOD_RM_MASK);
    sja_wr(a, A_EWLR, 20);
    sja_wr(a, A_TXERR, 40);
    sja_wr(a, A_MOD, 0);

    rig_system_reset(&r);

    for (i = 0; i < r.boards; i++) {
        Chip *c = &r.chip[i];

        g_assert_cmphex(sja_rd(c, A_CDR), ==, 0x00);
        g_assert_cmphex(sja_rd(c, A_CR) & 0xa1, ==, 0x21);
        g_assert_cmphex(sja_rd(c, A_IR), ==, R_IR_BASIC_RESERVED_MASK);
        sja_wr(c, A_CDR, R_CDR_PELICAN_MASK);
        g_assert_cmphex(sja_rd(c, A_MOD), ==, R_MOD_RM_MASK);
        g_assert_cmphex(sja_rd(c, A_IER), ==, 0);
        g_assert_cmpuint(sja_rd(c, A_EWLR), ==, 96);
        g_assert_cmpuint(sja_rd(c, A_TXERR), ==, 0);
        g_assert_cmpuint(sja_rd(c, A_RMC), ==, 0);
        g_assert_cmpuint(sja_rd(c, A_RBSA), ==, 0);
    }
    rig_stop(&r);
}

/*
 * Datasheet 6.4.11/6.4.12: counters written in reset mode change no
 * status bit and raise no interrupt until reset mode is left; then ES,
 * EI and EPI follow the new values.
 */
static void test_counter_writes_take_effect_when_reset_mode_is_left(void)
{
    Rig r;
    Chip *c;

    rig_start(&r, 1);
    c = &r.chip[0];
    sja_pelican_setup(c, 0, R_IR_EI_MASK | R_IR_EPI_MASK);
    sja_wr(c, A_MOD, R_MOD_RM_MASK);
    sja_wr(c, A_TXERR, 130);
    sja_wr(c, A_RXERR, 100);
    g_assert_cmpuint(sja_rd(c, A_TXERR), ==, 130);
    g_assert_cmpuint(sja_rd(c, A_RXERR), ==, 100);
    g_assert_cmphex(sja_rd(c, A_SR) & R_SR_ES_MASK, ==, 0);
    g_assert_cmphex(sja_rd(c, A_IR), ==, 0);

    sja_wr(c, A_MOD, 0);
    g_assert_cmphex(sja_rd(c, A_SR) & (R_SR_ES_MASK | R_SR_BS_MASK), ==,
                    R_SR_ES_MASK);
    g_assert_cmphex(sja_rd(c, A_IR), ==, R_IR_EI_MASK | R_IR_EPI_MASK);
    rig_stop(&r);
}

/*
 * The limits of fault confinement, each checked on both sides, so that
 * a model whose threshold is off by one fails (ISO 11898-1 12.1.4; SJA1000
 * datasheet 6.4.5 SR.ES, 6.4.3 IR.EPI):
 * - error passive from 128: a counter at 127 is error active, at 128
 *   passive, and leaving reset mode with either counter written there
 *   raises EPI only for 128;
 * - SR.ES from EWLR: at EWLR - 1 clear, at EWLR set.
 */

/* Write TXERR/RXERR in reset mode, leave it, return and clear IR */
static uint8_t set_counters(Chip *c, uint8_t tec, uint8_t rec)
{
    sja_wr(c, A_MOD, R_MOD_RM_MASK);
    sja_wr(c, A_TXERR, tec);
    sja_wr(c, A_RXERR, rec);
    sja_wr(c, A_MOD, 0);
    return sja_rd(c, A_IR);
}

/*
 * An error-active transmitter counts an ACK error (+8); an error-passive
 * one does not (12.1.4.2 exception 1).  So one single-shot attempt of a
 * lone node moves TXERR 127 to 135 and leaves 128 where it is.
 */
static void test_txerr_127_is_error_active_128_passive(void)
{
    static const CanMsg m = { .id = 0x64, .dlc = 0 };
    const uint8_t ier = R_IR_EI_MASK | R_IR_EPI_MASK | R_IR_TI_MASK;
    Rig r;
    Chip *c;

    rig_start(&r, 1);
    c = &r.chip[0];
    sja_pelican_setup(c, 0, ier);

    g_assert_cmphex(set_counters(c, 127, 0), ==, R_IR_EI_MASK);
    pelican_send(&r, c, &m, R_CMR_TR_MASK | R_CMR_AT_MASK);
    g_assert_cmpuint(sja_rd(c, A_TXERR), ==, 135);
    g_assert_cmphex(sja_rd(c, A_IR), ==, R_IR_EPI_MASK | R_IR_TI_MASK);

    g_assert_cmphex(set_counters(c, 0, 0), ==, R_IR_EI_MASK | R_IR_EPI_MASK);
    g_assert_cmphex(set_counters(c, 128, 0), ==,
                    R_IR_EI_MASK | R_IR_EPI_MASK);
    pelican_send(&r, c, &m, R_CMR_TR_MASK | R_CMR_AT_MASK);
    g_assert_cmpuint(sja_rd(c, A_TXERR), ==, 128);
    g_assert_cmphex(sja_rd(c, A_IR), ==, R_IR_TI_MASK);
    rig_stop(&r);
}

/*
 * A good reception lowers REC by one, and an error-passive receiver's
 * REC above 127 to a value from 119 to 127 (12.1.4.2 rule 8): 127 goes to
 * 126 and stays active, 128 goes back to error active (EPI).
 */
static void test_rxerr_127_is_error_active_128_passive(void)
{
    static const CanMsg m = { .id = 0x65, .dlc = 0 };
    const uint8_t ier = R_IR_EI_MASK | R_IR_EPI_MASK;
    Rig r;
    Chip *a, *b;
    uint8_t rec;

    rig_start_pelican_pair(&r, &a, 0, &b, ier);

    g_assert_cmphex(set_counters(b, 0, 127), ==, R_IR_EI_MASK);
    pelican_send(&r, a, &m, R_CMR_TR_MASK);
    g_assert_cmpuint(sja_rd(b, A_RXERR), ==, 126);
    g_assert_cmphex(sja_rd(b, A_IR), ==, 0);
    sja_wr(b, A_CMR, R_CMR_RRB_MASK);

    g_assert_cmphex(set_counters(b, 0, 128), ==, R_IR_EPI_MASK);
    pelican_send(&r, a, &m, R_CMR_TR_MASK);
    rec = sja_rd(b, A_RXERR);
    g_assert_cmpuint(rec, >=, 119);
    g_assert_cmpuint(rec, <=, 127);
    g_assert_cmphex(sja_rd(b, A_IR), ==, R_IR_EPI_MASK);
    rig_stop(&r);
}

/* SR.ES: "at least one of the error counters has reached or exceeded" EWLR */
static void test_error_status_set_at_ewlr_not_below(void)
{
    Rig r;
    Chip *c;

    rig_start(&r, 1);
    c = &r.chip[0];
    sja_pelican_setup(c, 0, R_IR_EI_MASK);
    sja_wr(c, A_MOD, R_MOD_RM_MASK);
    sja_wr(c, A_EWLR, 100);
    sja_wr(c, A_MOD, 0);

    g_assert_cmphex(set_counters(c, 99, 99), ==, 0);
    g_assert_cmphex(sja_rd(c, A_SR) & R_SR_ES_MASK, ==, 0);
    g_assert_cmphex(set_counters(c, 100, 0), ==, R_IR_EI_MASK);
    g_assert_cmphex(sja_rd(c, A_SR) & R_SR_ES_MASK, ==, R_SR_ES_MASK);
    g_assert_cmphex(set_counters(c, 99, 0), ==, R_IR_EI_MASK);
    g_assert_cmphex(sja_rd(c, A_SR) & R_SR_ES_MASK, ==, 0);
    g_assert_cmphex(set_counters(c, 0, 100), ==, R_IR_EI_MASK);
    g_assert_cmphex(sja_rd(c, A_SR) & R_SR_ES_MASK, ==, R_SR_ES_MASK);
    rig_stop(&r);
}

/*
 * Datasheet 6.4.4 note 4: a self-received frame passes the sender's own
 * acceptance filter like any other.
 */
static void test_self_reception_passes_the_own_filter(void)
{
    /* single filter: identifier 0x100 only */
    static const uint8_t acr[4] = { 0x20, 0x00, 0x00, 0x00 };
    static const uint8_t amr[4] = { 0x00, 0x1f, 0xff, 0xff };
    static const CanMsg pass = { .id = 0x100, .dlc = 0 };
    static const CanMsg reject = { .id = 0x101, .dlc = 0 };
    Rig r;
    Chip *a, *b;

    rig_start(&r, 2);
    a = &r.chip[0];
    b = &r.chip[1];
    sja_pelican_setup_filter(a, R_MOD_AFM_MASK, 0, acr, amr);
    sja_pelican_setup(b, 0, 0);

    pelican_send(&r, a, &reject, R_CMR_SRR_MASK);
    g_assert_cmphex(sja_rd(a, A_SR) & R_SR_TCS_MASK, ==, R_SR_TCS_MASK);
    g_assert_cmpuint(sja_rd(a, A_RMC), ==, 0);
    /* the frame that passes is the first a holds */
    pelican_send(&r, a, &pass, R_CMR_SRR_MASK);
    g_assert_cmpuint(sja_rd(a, A_RMC), ==, 1);
    sja_assert_frame_at(a, A_FRAME, &pass);
    g_assert_cmpuint(sja_rd(b, A_RMC), ==, 2);
    rig_stop(&r);
}

/*
 * Migration
 */

static void migrate(QTestState *from, QTestState *to, const char *uri)
{
    QDict *rsp;

    rsp = qtest_qmp(from, "{'execute': 'migrate', 'arguments': "
                    "{'uri': %s}}", uri);
    g_assert(qdict_haskey(rsp, "return"));
    qobject_unref(rsp);
    qtest_qmp_eventwait(from, "STOP");
    qtest_qmp_eventwait(to, "RESUME");
}

/*
 * The receive FIFO migrates byte-exact: RMC, RBSA and the frames in the
 * window read the same on the destination.
 */
static void test_migration_keeps_rx_fifo_byte_exact(void)
{
    static const CanMsg frames[] = {
        { .id = 0x100, .dlc = 8, .data = { 1, 2, 3, 4, 5, 6, 7, 8 } },
        { .id = 0x1abcdef, .ext = true, .dlc = 2, .data = { 0xa, 0xb } },
        { .id = 0x7ff, .rtr = true, .dlc = 4 },
        { .id = 0x200, .dlc = 1, .data = { 0xee } },
    };
    g_autofree char *sock = g_strdup_printf("%s/can-sja1000-mig-%d.sock",
                                            g_get_tmp_dir(), getpid());
    g_autofree char *uri = g_strdup_printf("unix:%s", sock);
    g_autofree char *incoming = g_strdup_printf("-incoming %s", uri);
    uint8_t window[13];
    Rig src, dst;
    Chip *b;
    size_t i, j;

    rig_start(&src, 2);
    sja_pelican_setup(&src.chip[0], 0, 0);
    sja_pelican_setup(&src.chip[1], 0, R_IR_RI_MASK);
    for (i = 0; i < ARRAY_SIZE(frames); i++) {
        pelican_send(&src, &src.chip[0], &frames[i], R_CMR_TR_MASK);
    }
    b = &src.chip[1];
    sja_wr(b, A_CMR, R_CMR_RRB_MASK);
    g_assert_cmpuint(sja_rd(b, A_RMC), ==, 3);
    g_assert_cmpuint(sja_rd(b, A_RBSA), ==, 11);

    for (j = 0; j < sizeof(window); j++) {
        window[j] = sja_rd(b, A_FRAME + j);
    }

    rig_start_with(&dst, 2, incoming, false);
    migrate(src.qts, dst.qts, uri);
    rig_stop(&src);
    unlink(sock);
    rig_map(&dst);

    b = &dst.chip[1];
    g_assert_cmpuint(sja_rd(b, A_RMC), ==, 3);
    g_assert_cmpuint(sja_rd(b, A_RBSA), ==, 11);
    g_assert_cmphex(sja_rd(b, A_SR) & R_SR_RBS_MASK, ==, R_SR_RBS_MASK);
    g_assert_cmphex(sja_rd(b, A_IR), ==, R_IR_RI_MASK);
    for (j = 0; j < sizeof(window); j++) {
        g_assert_cmphex(sja_rd(b, A_FRAME + j), ==, window[j]);
    }
    for (i = 1; i < ARRAY_SIZE(frames); i++) {
        sja_assert_next_rx(b, &frames[i]);
    }
    g_assert_cmpuint(sja_rd(b, A_RMC), ==, 0);
    g_assert_cmpuint(sja_rd(b, A_RBSA), ==, 11 + 7 + 3 + 4);
    rig_stop(&dst);
}

/*
 * A transmission waiting for an acknowledge migrates with the chip: on
 * the destination it goes on being retried and reaches the receiver as
 * soon as one is there.
 */
static void test_migration_keeps_a_pending_transmission(void)
{
    static const CanMsg m = {
        .id = 0x1f2, .dlc = 4, .data = { 0xf0, 0x0d, 0xbe, 0xef },
    };
    static const uint8_t expect[] = {
        0x04, 0x3e, 0x40, 0xf0, 0x0d, 0xbe, 0xef,
    };
    g_autofree char *sock = g_strdup_printf("%s/can-sja1000-mig-tx-%d.sock",
                                            g_get_tmp_dir(), getpid());
    g_autofree char *uri = g_strdup_printf("unix:%s", sock);
    g_autofree char *incoming = g_strdup_printf("-incoming %s", uri);
    Rig src, dst;
    Chip *a, *b;

    rig_start(&src, 2);
    sja_pelican_setup(&src.chip[0], 0, R_IR_TI_MASK);
    sja_pelican_setup(&src.chip[1], 0, 0);
    sja_wr(&src.chip[1], A_MOD, R_MOD_RM_MASK);
    pelican_send(&src, &src.chip[0], &m, R_CMR_TR_MASK);
    g_assert_cmphex(sja_rd(&src.chip[0], A_SR) & R_SR_TBS_MASK, ==, 0);

    rig_start_with(&dst, 2, incoming, false);
    migrate(src.qts, dst.qts, uri);
    rig_stop(&src);
    unlink(sock);
    rig_map(&dst);

    a = &dst.chip[0];
    b = &dst.chip[1];
    g_assert_cmphex(sja_rd(a, A_SR) & (R_SR_TBS_MASK | R_SR_TCS_MASK), ==, 0);
    sja_wr(b, A_MOD, 0);
    wait_us(&dst, 10000);
    g_assert_cmphex(sja_rd(a, A_SR) & (R_SR_TBS_MASK | R_SR_TCS_MASK), ==,
                    R_SR_TBS_MASK | R_SR_TCS_MASK);
    g_assert_cmphex(sja_rd(a, A_IR), ==, R_IR_TI_MASK);
    g_assert_cmpuint(sja_rd(b, A_RMC), ==, 1);
    sja_assert_bytes(b, A_FRAME, expect, sizeof(expect));
    rig_stop(&dst);
}

/*
 * Bus timing (can-bus timing=on).  Frame lengths in bits, stuff bits and
 * the 3-bit interframe space included, were worked out independently of
 * the model from the bit patterns (SOF, arbitration and control fields,
 * data, CRC-15 by polynomial division, stuffing after five equal bits,
 * then CRC delimiter, ACK slot and delimiter, EOF).
 */
typedef struct TimedFrame {
    CanMsg msg;
    unsigned bits;
} TimedFrame;

static const TimedFrame timed_frames[] = {
    { { .id = 0x123, .dlc = 8, .data = { 1, 2, 3, 4, 5, 6, 7, 8 } }, 119 },
    { { .id = 0x000, .dlc = 0 }, 53 },
    { { .id = 0x1abcdef0, .ext = true, .dlc = 2, .data = { 0xaa, 0x55 } },
      86 },
    { { .id = 0x7ff, .rtr = true, .dlc = 8 }, 50 },
};

static void rig_start_timed(Rig *r, int boards)
{
    rig_bus_opts = ",timing=on";
    rig_start(r, boards);
    rig_bus_opts = "";
}

static void set_bit_timing(Chip *c, uint8_t btr0, uint8_t btr1)
{
    uint8_t mod = sja_rd(c, A_MOD);

    sja_wr(c, A_MOD, mod | R_MOD_RM_MASK);
    sja_wr(c, A_BTR0, btr0);
    sja_wr(c, A_BTR1, btr1);
    sja_wr(c, A_MOD, mod);
}

/* @f leaves @tx and reaches @rx exactly @f->bits bit times after TR */
static void assert_frame_time(Rig *r, Chip *tx, Chip *rx,
                              const TimedFrame *f, int64_t bit_ns)
{
    CanMsg got;

    sja_load_tx(tx, &f->msg);
    sja_wr(tx, A_CMR, R_CMR_TR_MASK);
    qtest_clock_step(r->qts, f->bits * bit_ns - 1);
    g_assert_cmphex(sja_rd(tx, A_SR) & (R_SR_TCS_MASK | R_SR_TS_MASK), ==,
                    R_SR_TS_MASK);
    g_assert_cmpuint(sja_rd(rx, A_RMC), ==, 0);
    qtest_clock_step(r->qts, 1);
    g_assert_cmphex(sja_rd(tx, A_SR) & (R_SR_TCS_MASK | R_SR_TBS_MASK |
                                        R_SR_TS_MASK), ==,
                    R_SR_TCS_MASK | R_SR_TBS_MASK);
    g_assert_cmpuint(sja_rd(rx, A_RMC), ==, 1);
    sja_read_rx(rx, &got);
    g_assert_cmphex(got.id, ==, f->msg.id);
    sja_wr(rx, A_CMR, R_CMR_RRB_MASK);
}

static void test_timing_frame_takes_its_bit_time(void)
{
    static const struct {
        uint8_t btr0, btr1;
        int64_t bit_ns;
    } rates[] = {
        { 0x03, 0x1c, 8000 },   /* 125 kbit/s */
        { 0x00, 0x1c, 2000 },   /* 500 kbit/s */
        { 0x00, 0x14, 1000 },   /* 1 Mbit/s */
    };
    Rig r;
    int i, j;

    rig_start_timed(&r, 2);
    sja_pelican_setup(&r.chip[0], 0, 0);
    sja_pelican_setup(&r.chip[1], 0, 0);
    for (i = 0; i < ARRAY_SIZE(rates); i++) {
        set_bit_timing(&r.chip[0], rates[i].btr0, rates[i].btr1);
        set_bit_timing(&r.chip[1], rates[i].btr0, rates[i].btr1);
        for (j = 0; j < ARRAY_SIZE(timed_frames); j++) {
            assert_frame_time(&r, &r.chip[0], &r.chip[1], &timed_frames[j],
                              rates[i].bit_ns);
        }
    }
    rig_stop(&r);
}

/* Put a frame on the wire from @c, so that others queue behind it */
static void occupy_wire(Chip *c)
{
    static const CanMsg blocker = { .id = 0x7fe, .dlc = 8 };

    sja_load_tx(c, &blocker);
    sja_wr(c, A_CMR, R_CMR_TR_MASK);
}

/*
 * Three frames pending when the wire frees: the lowest identifier wins,
 * the others lose at the first bit where they send recessive, read in ALC,
 * and go next in identifier order.
 */
static void test_timing_arbitration_in_identifier_order(void)
{
    static const CanMsg m300 = { .id = 0x300, .dlc = 1, .data = { 3 } };
    static const CanMsg m100 = { .id = 0x100, .dlc = 1, .data = { 1 } };
    static const CanMsg m200 = { .id = 0x200, .dlc = 1, .data = { 2 } };
    CanMsg got;
    Rig r;
    int i;

    rig_start_timed(&r, 4);
    for (i = 0; i < 4; i++) {
        sja_pelican_setup(&r.chip[i], 0, R_IR_ALI_MASK);
    }
    occupy_wire(&r.chip[3]);
    sja_load_tx(&r.chip[0], &m300);
    sja_load_tx(&r.chip[1], &m100);
    sja_load_tx(&r.chip[2], &m200);
    sja_wr(&r.chip[0], A_CMR, R_CMR_TR_MASK);
    sja_wr(&r.chip[1], A_CMR, R_CMR_TR_MASK);
    sja_wr(&r.chip[2], A_CMR, R_CMR_TR_MASK);
    wait_us(&r, 2000);

    /* 0x300 = 011..., 0x200 = 010..., 0x100 = 001...: bit 1 decides */
    g_assert_cmphex(sja_rd(&r.chip[0], A_IR) & R_IR_ALI_MASK, ==,
                    R_IR_ALI_MASK);
    g_assert_cmpuint(sja_rd(&r.chip[0], A_ALC), ==, 1);
    g_assert_cmphex(sja_rd(&r.chip[2], A_IR) & R_IR_ALI_MASK, ==,
                    R_IR_ALI_MASK);
    g_assert_cmpuint(sja_rd(&r.chip[2], A_ALC), ==, 1);
    g_assert_cmphex(sja_rd(&r.chip[1], A_IR) & R_IR_ALI_MASK, ==, 0);

    /* after the blocker, chip 0 heard 0x100, 0x200; chip 1 0x200, 0x300 */
    g_assert_cmpuint(sja_rd(&r.chip[0], A_RMC), ==, 3);
    sja_wr(&r.chip[0], A_CMR, R_CMR_RRB_MASK);
    sja_read_rx(&r.chip[0], &got);
    g_assert_cmphex(got.id, ==, 0x100);
    sja_wr(&r.chip[0], A_CMR, R_CMR_RRB_MASK);
    sja_read_rx(&r.chip[0], &got);
    g_assert_cmphex(got.id, ==, 0x200);
    g_assert_cmpuint(sja_rd(&r.chip[1], A_RMC), ==, 3);
    sja_wr(&r.chip[1], A_CMR, R_CMR_RRB_MASK);
    sja_read_rx(&r.chip[1], &got);
    g_assert_cmphex(got.id, ==, 0x200);
    sja_wr(&r.chip[1], A_CMR, R_CMR_RRB_MASK);
    sja_read_rx(&r.chip[1], &got);
    g_assert_cmphex(got.id, ==, 0x300);
    g_assert_cmpint(bus_counter(&r, "arbitration-losses"), ==, 3);
    rig_stop(&r);
}

/* A standard frame beats an extended one with the same base identifier */
static void test_timing_standard_beats_extended(void)
{
    static const CanMsg ext = { .id = 0x123 << 18, .ext = true, .dlc = 0 };
    static const CanMsg std = { .id = 0x123, .rtr = true, .dlc = 0 };
    CanMsg got;
    Rig r;

    rig_start_timed(&r, 3);
    sja_pelican_setup(&r.chip[0], 0, R_IR_ALI_MASK);
    sja_pelican_setup(&r.chip[1], 0, R_IR_ALI_MASK);
    sja_pelican_setup(&r.chip[2], 0, 0);
    occupy_wire(&r.chip[2]);
    sja_load_tx(&r.chip[0], &ext);
    sja_load_tx(&r.chip[1], &std);
    sja_wr(&r.chip[0], A_CMR, R_CMR_TR_MASK);
    sja_wr(&r.chip[1], A_CMR, R_CMR_TR_MASK);
    wait_us(&r, 1000);
    /* a remote standard frame sends RTR recessive like SRR; IDE decides */
    g_assert_cmpuint(sja_rd(&r.chip[0], A_ALC), ==, 12);
    g_assert_cmpuint(sja_rd(&r.chip[2], A_RMC), ==, 2);
    sja_read_rx(&r.chip[2], &got);
    g_assert_false(got.ext);
    g_assert_cmphex(got.id, ==, 0x123);
    rig_stop(&r);
}

/* Timing keeps a lone node's ACK errors: TEC stops at 128, error passive */
static void test_timing_lone_node_stops_at_error_passive(void)
{
    static const CanMsg m = { .id = 0x55, .dlc = 1, .data = { 0x55 } };
    Rig r;

    rig_start_timed(&r, 1);
    sja_pelican_setup(&r.chip[0], 0, R_IR_EPI_MASK);
    sja_load_tx(&r.chip[0], &m);
    sja_wr(&r.chip[0], A_CMR, R_CMR_TR_MASK);
    wait_us(&r, 20000);
    g_assert_cmpuint(sja_rd(&r.chip[0], A_TXERR), ==, 128);
    g_assert_cmphex(sja_rd(&r.chip[0], A_IR) & R_IR_EPI_MASK, ==,
                    R_IR_EPI_MASK);
    g_assert_cmphex(sja_rd(&r.chip[0], A_SR) & R_SR_BS_MASK, ==, 0);
    rig_stop(&r);
}

/*
 * Bitrate mismatch (timing=on).  A node that cannot follow the sender's
 * bitrate sees a stuff error, and while error active its error flag
 * destroys the frame for everyone: the sender sees a bit error (TEC += 8),
 * receivers that could follow see the flag (REC += 1), the node that
 * flagged first sees their flags follow its own (REC += 1 + 8, ISO
 * 11898-1 12.1.4.2).  Once it is error passive its flag is recessive and
 * the frame gets through to the others.
 */
#define ECC_TX_BIT_ERROR    0x02    /* bit error, TX, in the identifier */
#define ECC_RX_STUFF_ERROR  0xa2    /* stuff error, RX, in the identifier */

static void test_timing_mismatched_node_destroys_frames_until_passive(void)
{
    static const CanMsg m = { .id = 0x321, .dlc = 2, .data = { 1, 2 } };
    CanMsg got;
    Rig r;

    rig_start_timed(&r, 3);
    sja_pelican_setup(&r.chip[0], 0, R_IR_BEI_MASK);
    sja_pelican_setup(&r.chip[1], 0, 0);
    sja_pelican_setup(&r.chip[2], 0, R_IR_BEI_MASK | R_IR_EPI_MASK);
    set_bit_timing(&r.chip[2], 0x01, 0x1c);     /* 250 kbit/s */

    sja_load_tx(&r.chip[0], &m);
    sja_wr(&r.chip[0], A_CMR, R_CMR_TR_MASK);
    wait_us(&r, 150);                            /* the first attempt */
    g_assert_cmpuint(sja_rd(&r.chip[0], A_TXERR), ==, 8);
    g_assert_cmphex(sja_rd(&r.chip[0], A_IR) & R_IR_BEI_MASK, ==,
                    R_IR_BEI_MASK);
    g_assert_cmphex(sja_rd(&r.chip[0], A_ECC), ==, ECC_TX_BIT_ERROR);
    g_assert_cmpuint(sja_rd(&r.chip[1], A_RXERR), ==, 1);
    g_assert_cmpuint(sja_rd(&r.chip[1], A_RMC), ==, 0);
    g_assert_cmpuint(sja_rd(&r.chip[2], A_RXERR), ==, 9);
    g_assert_cmphex(sja_rd(&r.chip[2], A_ECC), ==, ECC_RX_STUFF_ERROR);

    /* 15 destroyed attempts make chip 2 error passive (REC 135) */
    wait_us(&r, 20000);
    g_assert_cmphex(sja_rd(&r.chip[2], A_IR) & R_IR_EPI_MASK, ==,
                    R_IR_EPI_MASK);
    g_assert_cmpuint(sja_rd(&r.chip[2], A_RXERR), >=, 128);
    g_assert_cmpuint(sja_rd(&r.chip[2], A_RMC), ==, 0);
    /* then the 16th gets through: 15 x 8 up, 1 down; 15 up, 1 down */
    g_assert_cmphex(sja_rd(&r.chip[0], A_SR) & (R_SR_TCS_MASK | R_SR_TBS_MASK),
                    ==,
                    R_SR_TCS_MASK | R_SR_TBS_MASK);
    g_assert_cmpuint(sja_rd(&r.chip[0], A_TXERR), ==, 119);
    g_assert_cmpuint(sja_rd(&r.chip[1], A_RXERR), ==, 14);
    g_assert_cmpuint(sja_rd(&r.chip[1], A_RMC), ==, 1);
    sja_read_rx(&r.chip[1], &got);
    g_assert_cmphex(got.id, ==, m.id);
    rig_stop(&r);
}

/*
 * Bus-off when TEC exceeds 255 (12.1.4.2): at 255 the node is still
 * error passive and sending.  A node at another bitrate flags every
 * frame (bit error for the sender, +8 even when passive), so from 247
 * one attempt reaches 255, the next 263: bus-off, TXERR 127, RM set.
 */
static void test_timing_bus_off_above_255_not_at_it(void)
{
    static const CanMsg m = { .id = 0x322, .dlc = 1, .data = { 3 } };
    Rig r;
    Chip *a, *b;

    rig_start_timed(&r, 2);
    a = &r.chip[0];
    b = &r.chip[1];
    sja_pelican_setup(a, 0, R_IR_EI_MASK | R_IR_TI_MASK);
    sja_pelican_setup(b, 0, 0);
    set_bit_timing(b, 0x01, 0x1c);              /* 250 kbit/s */
    set_counters(a, 247, 0);

    sja_load_tx(a, &m);
    sja_wr(a, A_CMR, R_CMR_TR_MASK | R_CMR_AT_MASK);
    wait_us(&r, 1000);
    g_assert_cmpuint(sja_rd(a, A_TXERR), ==, 255);
    g_assert_cmphex(sja_rd(a, A_SR) & R_SR_BS_MASK, ==, 0);
    g_assert_cmphex(sja_rd(a, A_MOD) & R_MOD_RM_MASK, ==, 0);
    g_assert_cmphex(sja_rd(a, A_IR), ==, R_IR_TI_MASK);

    sja_wr(a, A_CMR, R_CMR_TR_MASK | R_CMR_AT_MASK);
    wait_us(&r, 1000);
    g_assert_cmphex(sja_rd(a, A_SR) & R_SR_BS_MASK, ==, R_SR_BS_MASK);
    g_assert_cmphex(sja_rd(a, A_MOD) & R_MOD_RM_MASK, ==, R_MOD_RM_MASK);
    g_assert_cmpuint(sja_rd(a, A_TXERR), ==, 127);
    g_assert_cmphex(sja_rd(a, A_IR) & R_IR_EI_MASK, ==, R_IR_EI_MASK);
    rig_stop(&r);
}

/*
 * Datasheet, MOD.0: a reset request aborts the current transmission, a
 * frame on the wire too; a system reset (the RST pin) as well.  The frame
 * breaks off: no node stores it, the bus counts an error frame, and the
 * wire serves the next frame.
 */
static void test_timing_reset_cuts_the_frame_on_the_wire(void)
{
    static const CanMsg m = { .id = 0x323, .dlc = 8,
                              .data = { 1, 2, 3, 4, 5, 6, 7, 8 } };
    static const CanMsg next = { .id = 0x324, .dlc = 1, .data = { 9 } };
    Rig r;
    Chip *a, *b;

    rig_start_timed(&r, 2);
    a = &r.chip[0];
    b = &r.chip[1];
    sja_pelican_setup(a, 0, 0);
    sja_pelican_setup(b, 0, 0);

    sja_load_tx(a, &m);
    sja_wr(a, A_CMR, R_CMR_TR_MASK);
    wait_us(&r, 100);                   /* 119 bits: 238 us */
    g_assert_cmphex(sja_rd(a, A_SR) & R_SR_TS_MASK, ==, R_SR_TS_MASK);
    sja_wr(a, A_MOD, R_MOD_RM_MASK);
    /* the buffer is free again, the transmission not complete */
    g_assert_cmphex(sja_rd(a, A_SR) & (R_SR_TBS_MASK | R_SR_TCS_MASK), ==,
                    R_SR_TBS_MASK);
    wait_us(&r, 1000);
    g_assert_cmpuint(sja_rd(b, A_RMC), ==, 0);
    g_assert_cmpint(bus_counter(&r, "frames"), ==, 0);
    g_assert_cmpint(bus_counter(&r, "error-frames"), ==, 1);
    sja_wr(a, A_MOD, 0);
    pelican_send(&r, b, &next, R_CMR_TR_MASK);
    sja_assert_next_rx(a, &next);

    sja_load_tx(b, &m);
    sja_wr(b, A_CMR, R_CMR_TR_MASK);
    wait_us(&r, 100);
    rig_system_reset(&r);
    sja_pelican_setup(a, 0, 0);
    sja_pelican_setup(b, 0, 0);
    wait_us(&r, 1000);
    g_assert_cmpuint(sja_rd(a, A_RMC), ==, 0);
    g_assert_cmpint(bus_counter(&r, "error-frames"), ==, 2);
    pelican_send(&r, b, &next, R_CMR_TR_MASK);
    sja_assert_next_rx(a, &next);
    rig_stop(&r);
}

/* Two nodes set to different bitrates: both end error passive */
static void test_timing_mismatched_pair_ends_error_passive(void)
{
    static const CanMsg m = { .id = 0x321, .dlc = 2, .data = { 1, 2 } };
    Rig r;

    rig_start_timed(&r, 2);
    sja_pelican_setup(&r.chip[0], 0, R_IR_EPI_MASK);
    sja_pelican_setup(&r.chip[1], 0, R_IR_EPI_MASK);
    set_bit_timing(&r.chip[1], 0x01, 0x1c);     /* 250 kbit/s */
    sja_load_tx(&r.chip[0], &m);
    sja_wr(&r.chip[0], A_CMR, R_CMR_TR_MASK);
    wait_us(&r, 50000);
    /*
     * 15 destroyed attempts (TEC 120) make the receiver passive; then
     * nobody acknowledges: one ACK error takes the sender to 128, where
     * the passive transmitter's ACK-error exception holds it.
     */
    g_assert_cmpuint(sja_rd(&r.chip[0], A_TXERR), ==, 128);
    g_assert_cmphex(sja_rd(&r.chip[0], A_IR) & R_IR_EPI_MASK, ==,
                    R_IR_EPI_MASK);
    g_assert_cmphex(sja_rd(&r.chip[0], A_SR) & (R_SR_BS_MASK | R_SR_TBS_MASK),
                    ==, 0);
    g_assert_cmpuint(sja_rd(&r.chip[1], A_RXERR), >=, 128);
    g_assert_cmphex(sja_rd(&r.chip[1], A_IR) & R_IR_EPI_MASK, ==,
                    R_IR_EPI_MASK);
    g_assert_cmpuint(sja_rd(&r.chip[1], A_RMC), ==, 0);
    rig_stop(&r);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    /* a failing check marks its test failed; the others still run */
    g_test_set_nonfatal_assertions();

    qtest_add_func("/can-sja1000/pelican-reset-values",
                   test_pelican_reset_values);
    qtest_add_func("/can-sja1000/pelican-command-register-reads-0",
                   test_pelican_command_register_reads_0);
    qtest_add_func("/can-sja1000/basiccan-reset-values",
                   test_basiccan_reset_values);
    qtest_add_func("/can-sja1000/basiccan-status-after-reset-is-0x0c",
                   test_basiccan_status_after_reset_is_0x0c);
    qtest_add_func("/can-sja1000/basiccan-control-register-read-back",
                   test_basiccan_control_register_read_back);
    qtest_add_func("/can-sja1000/reset-mode-registers-ignore-writes-in-"
                   "operating-mode",
                   test_reset_mode_registers_ignore_writes_in_operating_mode);
    qtest_add_func("/can-sja1000/basiccan-reset-mode-registers-ignore-"
                   "writes-in-operating-mode",
                   test_basiccan_reset_mode_registers_ignore_writes);
    qtest_add_func("/can-sja1000/basiccan-operating-mode-hides-setup-"
                   "registers",
                   test_basiccan_operating_mode_hides_setup_registers);
    qtest_add_func("/can-sja1000/standard-frame-arrives-byte-exact-and-"
                   "never-in-the-sender",
                   test_standard_frame_arrives_byte_exact_not_in_sender);
    qtest_add_func("/can-sja1000/extended-frame-arrives-with-29-bit-layout",
                   test_extended_frame_arrives_with_29_bit_layout);
    qtest_add_func("/can-sja1000/self-reception-request-stores-own-frame",
                   test_self_reception_request_stores_own_frame);
    qtest_add_func("/can-sja1000/rtr-frame-with-dlc-8-stores-no-data",
                   test_rtr_frame_with_dlc_8_stores_no_data);
    qtest_add_func("/can-sja1000/single-filter-standard-frames",
                   test_single_filter_standard_frames);
    qtest_add_func("/can-sja1000/single-filter-extended-frames",
                   test_single_filter_extended_frames);
    qtest_add_func("/can-sja1000/dual-filter-standard-frames",
                   test_dual_filter_standard_frames);
    qtest_add_func("/can-sja1000/dual-filter-extended-frames",
                   test_dual_filter_extended_frames);
    qtest_add_func("/can-sja1000/basiccan-filter-compares-identifier-bits-"
                   "10-to-3",
                   test_basiccan_filter_compares_identifier_bits_10_to_3);
    qtest_add_func("/can-sja1000/rx-fifo-overrun-loses-exactly-the-"
                   "overflowing-frames",
                   test_rx_fifo_overrun_loses_exactly_the_overflowing_frames);
    qtest_add_func("/can-sja1000/release-advances-rbsa-and-window-wraps-at-64",
                   test_release_advances_rbsa_and_window_wraps_at_64);
    qtest_add_func("/can-sja1000/reset-mode-empties-the-rx-fifo",
                   test_reset_mode_empties_the_rx_fifo);
    qtest_add_func("/can-sja1000/ir-read-clears-all-flags-but-ri",
                   test_ir_read_clears_all_flags_but_ri);
    qtest_add_func("/can-sja1000/receive-interrupt-follows-rie",
                   test_receive_interrupt_follows_rie);
    qtest_add_func("/can-sja1000/basiccan-ir-read-clears-ri",
                   test_basiccan_ir_read_clears_ri);
    qtest_add_func("/can-sja1000/basiccan-transmit-and-receive",
                   test_basiccan_transmit_and_receive);
    qtest_add_func("/can-sja1000/basiccan-does-not-store-extended-frames",
                   test_basiccan_does_not_store_extended_frames);
    qtest_add_func("/can-sja1000/self-test-mode-transmits-without-"
                   "acknowledge",
                   test_self_test_mode_transmits_without_acknowledge);
    qtest_add_func("/can-sja1000/listen-only-receives-but-never-acks-or-sends",
                   test_listen_only_receives_but_never_acks_or_sends);
    qtest_add_func("/can-sja1000/listen-only-hears-an-error-passive-sender",
                   test_listen_only_hears_an_error_passive_sender);
    qtest_add_func("/can-sja1000/lone-node-ack-errors-stop-at-error-passive",
                   test_lone_node_ack_errors_stop_at_error_passive);
    qtest_add_func("/can-sja1000/abort-transmission-cancels-retries",
                   test_abort_transmission_cancels_retries);
    qtest_add_func("/can-sja1000/single-shot-transmission-makes-one-attempt",
                   test_single_shot_transmission_makes_one_attempt);
    qtest_add_func("/can-sja1000/tr-with-srr-ignores-srr",
                   test_tr_with_srr_ignores_srr);
    qtest_add_func("/can-sja1000/srr-with-at-is-a-single-shot",
                   test_srr_with_at_is_a_single_shot);
    qtest_add_func("/can-sja1000/bus-error-interrupt-waits-for-ecc-read",
                   test_bus_error_interrupt_waits_for_ecc_read);
    qtest_add_func("/can-sja1000/successful-transmission-lowers-txerr-by-one",
                   test_successful_transmission_lowers_txerr_by_one);
    qtest_add_func("/can-sja1000/successful-reception-lowers-rxerr-by-one",
                   test_successful_reception_lowers_rxerr_by_one);
    qtest_add_func("/can-sja1000/cpu-forced-bus-off-reenters-reset-mode",
                   test_cpu_forced_bus_off_reenters_reset_mode);
    qtest_add_func("/can-sja1000/bus-off-recovery-counts-128-bus-free-"
                   "sequences",
                   test_bus_off_recovery_counts_128_bus_free_sequences);
    qtest_add_func("/can-sja1000/reset-mode-during-bus-off-recovery-freezes-"
                   "txerr",
                   test_reset_mode_during_bus_off_recovery_freezes_txerr);
    qtest_add_func("/can-sja1000/writing-txerr-below-255-ends-bus-off",
                   test_writing_txerr_below_255_ends_bus_off);
    qtest_add_func("/can-sja1000/bus-counters-count-frames-and-error-frames",
                   test_bus_counters_count_frames_and_error_frames);
    qtest_add_func("/can-sja1000/migration-keeps-rx-fifo-byte-exact",
                   test_migration_keeps_rx_fifo_byte_exact);

    qtest_add_func("/can-sja1000/migration-keeps-a-pending-transmission",
                   test_migration_keeps_a_pending_transmission);
    qtest_add_func("/can-sja1000/reserved-registers-read-0",
                   test_reserved_registers_read_0);
    qtest_add_func("/can-sja1000/released-rx-ram-takes-the-next-frame",
                   test_released_rx_ram_takes_the_next_frame);
    qtest_add_func("/can-sja1000/rbsa-is-6-bits-and-frames-land-there",
                   test_rbsa_is_6_bits_and_frames_land_there);
    qtest_add_func("/can-sja1000/transmission-request-in-reset-mode-is-"
                   "ignored",
                   test_transmission_request_in_reset_mode_is_ignored);
    qtest_add_func("/can-sja1000/error-warning-limit-is-programmable",
                   test_error_warning_limit_is_programmable);
    qtest_add_func("/can-sja1000/system-reset-is-a-hardware-reset",
                   test_system_reset_is_a_hardware_reset);
    qtest_add_func("/can-sja1000/counter-writes-take-effect-when-reset-mode-"
                   "is-left",
                   test_counter_writes_take_effect_when_reset_mode_is_left);
    qtest_add_func("/can-sja1000/timing/frame-takes-its-bit-time",
                   test_timing_frame_takes_its_bit_time);
    qtest_add_func("/can-sja1000/timing/arbitration-in-identifier-order",
                   test_timing_arbitration_in_identifier_order);
    qtest_add_func("/can-sja1000/timing/standard-beats-extended",
                   test_timing_standard_beats_extended);
    qtest_add_func("/can-sja1000/timing/lone-node-stops-at-error-passive",
                   test_timing_lone_node_stops_at_error_passive);
    qtest_add_func("/can-sja1000/timing/mismatched-node-destroys-frames-"
                   "until-passive",
                   test_timing_mismatched_node_destroys_frames_until_passive);
    qtest_add_func("/can-sja1000/timing/mismatched-pair-ends-error-passive",
                   test_timing_mismatched_pair_ends_error_passive);
    qtest_add_func("/can-sja1000/self-reception-passes-the-own-filter",
                   test_self_reception_passes_the_own_filter);
    qtest_add_func("/can-sja1000/txerr-127-is-error-active-128-passive",
                   test_txerr_127_is_error_active_128_passive);
    qtest_add_func("/can-sja1000/rxerr-127-is-error-active-128-passive",
                   test_rxerr_127_is_error_active_128_passive);
    qtest_add_func("/can-sja1000/error-status-set-at-ewlr-not-below",
                   test_error_status_set_at_ewlr_not_below);
    qtest_add_func("/can-sja1000/timing/bus-off-above-255-not-at-it",
                   test_timing_bus_off_above_255_not_at_it);
    qtest_add_func("/can-sja1000/timing/reset-cuts-the-frame-on-the-wire",
                   test_timing_reset_cuts_the_frame_on_the_wire);

    return g_test_run();
}
