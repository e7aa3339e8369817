/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QTest for how CAN boards name their bus: by the id of a user-created
 * can-bus, whatever it is, with any number of boards.  Upstream QEMU
 * resolves the name as a partial QOM path, so a bus named canbus0 (as its
 * documentation names it) became ambiguous with the boards' own canbus0
 * properties once there was one board.  Here two, three and four boards of
 * every type sit on buses named canbus0, canbus1 and canbus3, and a frame
 * sent by the first channel and one sent by the last arrive at every other
 * channel; then one board of every type on one bus; then bad names.
 *
 * Every board type is a row of board_types[] (can-board-types.h).
 */

#include "qemu/osdep.h"
#include "libqtest.h"
#include "libqos/pci-pc.h"
#include "qobject/qdict.h"
#include "can-ctucan-qtest.h"
#include "can-sja1000-qtest.h"
#include "can-board-types.h"

#define FIRST_SLOT              4
#define MAX_BOARDS              16
#define MAX_CHANNELS            4

typedef struct Chan {
    SJAChan regs;               /* for a CTU core: its 32-bit registers */
    Chip chip;
} Chan;

typedef struct Rig {
    QTestState *qts;
    QPCIBus *bus;
    QPCIDevice *dev[MAX_BOARDS];
    Chan chan[MAX_BOARDS * MAX_CHANNELS];
    unsigned n_chan;
} Rig;

/* A test: @count times the boards @types on a bus with id @bus */
typedef struct Case {
    const BoardType *types[MAX_BOARDS];
    unsigned n_types;
    unsigned count;
    const char *bus;
} Case;

static uint32_t ctu_rd(const Chan *c, uint32_t reg)
{
    return qpci_io_readl(c->regs.dev, c->regs.bar, c->regs.base + reg);
}

static void ctu_wr(const Chan *c, uint32_t reg, uint32_t value)
{
    qpci_io_writel(c->regs.dev, c->regs.bar, c->regs.base + reg, value);
}

/*
 * "canbus0=ID,canbus1=ID,..." for every channel; a one-channel Kvaser
 * takes upstream's canbus=ID, as its documentation writes it.
 */
static void append_bus_props(GString *cmd, const BoardType *t,
                             const char *bus)
{
    unsigned i;

    if (t->channels == 1) {
        g_string_append_printf(cmd, ",canbus=%s", bus);
        return;
    }
    for (i = 0; i < t->channels; i++) {
        g_string_append_printf(cmd, ",canbus%u=%s", i, bus);
    }
}

static void chan_setup(const Chan *c)
{
    if (c->chip == CHIP_SJA1000) {
        sja_pelican_setup(&c->regs, 0, 0);
        return;
    }
    g_assert_cmphex(ctu_rd(c, CTU_DEVICE_ID) & 0xffff, ==, CTU_ID);
    ctu_wr(c, CTU_MODE, SETTINGS_ENA);
    /* the model never sends a buffer of priority 0 */
    ctu_wr(c, CTU_TX_PRIORITY, 0x1);
}

static void rig_start(Rig *r, const Case *tc)
{
    g_autoptr(GString) cmd = g_string_new(NULL);
    unsigned k, i, n = 0;

    g_assert_cmpuint(tc->n_types * tc->count, <=, MAX_BOARDS);
    memset(r, 0, sizeof(*r));
    g_string_append_printf(cmd, "-machine pc -nodefaults -object can-bus,id=%s",
                           tc->bus);
    for (k = 0; k < tc->n_types * tc->count; k++) {
        const BoardType *t = tc->types[k % tc->n_types];

        g_string_append_printf(cmd, " -device %s,id=board%u,addr=0x%x",
                               t->device, k, FIRST_SLOT + k);
        append_bus_props(cmd, t, tc->bus);
    }
    r->qts = qtest_init(cmd->str);
    r->bus = qpci_new_pc(r->qts, NULL);
    for (k = 0; k < tc->n_types * tc->count; k++) {
        const BoardType *t = tc->types[k % tc->n_types];

        QPCIBar bars[6];            /* BAR0..BAR5 */

        r->dev[k] = qpci_device_find(r->bus, QPCI_DEVFN(FIRST_SLOT + k, 0));
        g_assert(r->dev[k]);
        qpci_device_enable(r->dev[k]);
        /* each BAR once: mapping it again would move it */
        for (i = 0; i < t->channels; i++) {
            if (!i || t->bar_step) {
                bars[t->first_bar + i * t->bar_step] =
                    qpci_iomap(r->dev[k], t->first_bar + i * t->bar_step,
                               NULL);
            }
        }
        for (i = 0; i < t->channels; i++, n++) {
            Chan *c = &r->chan[n];

            c->chip = t->chip;
            c->regs.dev = r->dev[k];
            c->regs.bar = bars[t->first_bar + i * t->bar_step];
            c->regs.base = t->offset + i * t->span;
            c->regs.shift = t->shift;
            chan_setup(c);
        }
    }
    r->n_chan = n;
}

static void rig_stop(Rig *r)
{
    unsigned k;

    for (k = 0; k < MAX_BOARDS; k++) {
        g_free(r->dev[k]);
    }
    qpci_free_pc(r->bus);
    qtest_quit(r->qts);
}

/* Send a standard data frame @id with the one byte @data from @c */
static void chan_send(Rig *r, const Chan *c, uint16_t id, uint8_t data)
{
    if (c->chip == CHIP_SJA1000) {
        sja_wr(&c->regs, A_FRAME, 0x01);
        sja_wr(&c->regs, A_FRAME + 1, id >> 3);
        sja_wr(&c->regs, A_FRAME + 2, id << 5);
        sja_wr(&c->regs, A_FRAME + 3, data);
        sja_wr(&c->regs, A_CMR, R_CMR_TR_MASK);
    } else {
        /* DLC 1; RWCNT counts the words after the first: 3 + 1 data */
        ctu_wr(c, CTU_TXTB(0), 1 | FRAME_HEADER_WORDS << FFW_RWCNT_SHIFT);
        ctu_wr(c, CTU_TXTB(0) + 4, (uint32_t)id << IDW_BASE_SHIFT);
        ctu_wr(c, CTU_TXTB(0) + 8, 0);
        ctu_wr(c, CTU_TXTB(0) + 12, 0);
        ctu_wr(c, CTU_TXTB(0) + 16, data);
        ctu_wr(c, CTU_TX_COMMAND, TX_COMMAND_TXCR | TX_COMMAND_TXB(0));
    }
    qtest_clock_step(r->qts, 1000000);
}

/* @c holds exactly the one frame @id/@data, which it then releases */
static void chan_assert_received(const Chan *c, uint16_t id, uint8_t data)
{
    if (c->chip == CHIP_SJA1000) {
        g_assert_cmpuint(sja_rd(&c->regs, A_RMC), ==, 1);
        g_assert_cmphex(sja_rd(&c->regs, A_FRAME), ==, 0x01);
        g_assert_cmphex(sja_rd(&c->regs, A_FRAME + 1), ==, id >> 3);
        g_assert_cmphex(sja_rd(&c->regs, A_FRAME + 2) & 0xe0, ==,
                        (id << 5) & 0xe0);
        g_assert_cmphex(sja_rd(&c->regs, A_FRAME + 3), ==, data);
        sja_wr(&c->regs, A_CMR, R_CMR_RRB_MASK);
        g_assert_cmpuint(sja_rd(&c->regs, A_RMC), ==, 0);
        return;
    }
    g_assert_cmpuint(RX_STATUS_RXFRC(ctu_rd(c, CTU_RX_STATUS)), ==, 1);
    g_assert_cmpuint(FFW_DLC(ctu_rd(c, CTU_RX_DATA)), ==, 1);
    g_assert_cmphex(ctu_rd(c, CTU_RX_DATA), ==,
                    (uint32_t)id << IDW_BASE_SHIFT);
    ctu_rd(c, CTU_RX_DATA);     /* timestamp */
    ctu_rd(c, CTU_RX_DATA);
    g_assert_cmphex(ctu_rd(c, CTU_RX_DATA) & 0xff, ==, data);
    g_assert_cmpuint(RX_STATUS_RXFRC(ctu_rd(c, CTU_RX_STATUS)), ==, 0);
}

/* A frame from channel @from reaches every other channel, once */
static void assert_frame_reaches_all(Rig *r, unsigned from, uint16_t id,
                                     uint8_t data)
{
    unsigned i;

    chan_send(r, &r->chan[from], id, data);
    for (i = 0; i < r->n_chan; i++) {
        if (i != from) {
            chan_assert_received(&r->chan[i], id, data);
        }
    }
}

static char *qom_get_str(QTestState *qts, const char *path,
                         const char *property)
{
    QDict *rsp = qtest_qmp(qts, "{'execute': 'qom-get', 'arguments': "
                           "{'path': %s, 'property': %s}}", path, property);
    char *value;

    g_assert(qdict_haskey(rsp, "return"));
    value = g_strdup(qdict_get_str(rsp, "return"));
    qobject_unref(rsp);
    return value;
}

static void test_boards_on_bus(const void *data)
{
    const Case *tc = data;
    g_autofree char *last_bus = NULL;
    g_autofree char *last_path = NULL;
    Rig r;

    rig_start(&r, tc);
    assert_frame_reaches_all(&r, 0, 0x123, 0x5a);
    assert_frame_reaches_all(&r, r.n_chan - 1, 0x456, 0xa5);
    /* the property reads back as the id it was given */
    last_path = g_strdup_printf("/machine/peripheral/board%u",
                                tc->n_types * tc->count - 1);
    last_bus = qom_get_str(r.qts, last_path, "canbus0");
    g_assert_cmpstr(last_bus, ==, tc->bus);
    rig_stop(&r);
}

/* An absolute path names the bus too, and reads back as its id */
static void test_absolute_path_names_bus(void)
{
    QTestState *qts = qtest_init("-machine pc -nodefaults "
                                 "-object can-bus,id=canbus0 "
                                 "-device kvaser_pci,id=k0,"
                                 "canbus=/objects/canbus0 "
                                 "-device kvaser_pci,id=k1,"
                                 "canbus=canbus0");
    g_autofree char *bus = qom_get_str(qts, "/machine/peripheral/k0",
                                       "canbus0");

    g_assert_cmpstr(bus, ==, "canbus0");
    qtest_quit(qts);
}

typedef struct BadName {
    const char *name;
    const char *command;        /* a QMP command, %s the bad bus name */
    const char *bus;
    const char *error;          /* what the error says, %s the name */
} BadName;

static const BadName bad_names[] = {
    {
        "kvaser_pci-missing-bus",
        "{'execute': 'device_add', 'arguments': {'driver': 'kvaser_pci', "
        "'addr': '0x6', 'canbus': %s}}",
        "canbus1",
        "there is no can-bus with id '%s'; create it with -object "
        "can-bus,id=%s",
    }, {
        "ctucan_pci-missing-bus",
        "{'execute': 'device_add', 'arguments': {'driver': 'ctucan_pci', "
        "'addr': '0x6', 'canbus1': %s}}",
        "nosuchbus",
        "there is no can-bus with id '%s'; create it with -object "
        "can-bus,id=%s",
    }, {
        "pcm3680_pci-not-a-bus",
        "{'execute': 'device_add', 'arguments': {'driver': 'pcm3680_pci', "
        "'addr': '0x6', 'canbus0': %s}}",
        "io0",
        "'%s' is not a can-bus but a iothread",
    }, {
        "kvaser_pci-missing-path",
        "{'execute': 'device_add', 'arguments': {'driver': 'kvaser_pci', "
        "'addr': '0x6', 'canbus': %s}}",
        "/objects/canbus1",
        "there is no can-bus at '%s'",
    }, {
        /* a partial path is not an id: the board's own canbus0 is no bus */
        "kvaser_pci-partial-path",
        "{'execute': 'device_add', 'arguments': {'driver': 'kvaser_pci', "
        "'addr': '0x6', 'canbus': %s}}",
        "k0/canbus0",
        "there is no can-bus with id '%s'; create it with -object "
        "can-bus,id=%s",
    }, {
        "can-host-socketcan-missing-bus",
        "{'execute': 'object-add', 'arguments': {'qom-type': "
        "'can-host-socketcan', 'id': 'h0', 'if': 'vcan0', 'canbus': %s}}",
        "canbus3",
        "there is no can-bus with id '%s'; create it with -object "
        "can-bus,id=%s",
    },
};

/* A bad bus name is an error that names it; the machine carries on */
static void test_bad_name(const void *data)
{
    const BadName *bad = data;
    QTestState *qts = qtest_init("-machine pc -nodefaults "
                                 "-object iothread,id=io0 "
                                 "-object can-bus,id=canbus0 "
                                 "-device kvaser_pci,id=k0,canbus=canbus0");
    g_autofree char *expected = g_strdup_printf(bad->error, bad->bus,
                                                bad->bus);
    QDict *rsp = qtest_qmp(qts, bad->command, bad->bus);
    QDict *err = qdict_get_qdict(rsp, "error");

    g_assert(err);
    g_assert_cmpstr(qdict_get_str(err, "desc"), ==, expected);
    qobject_unref(rsp);
    qtest_quit(qts);
}

/*
 * host= names the host interface that channel 0's bus is joined to, as
 * upstream's documentation writes it beside a can-host-socketcan; without
 * such a backend it is an error that says what is missing.
 */
static void test_host_needs_backend(void)
{
    QTestState *qts = qtest_init("-machine pc -nodefaults "
                                 "-object can-bus,id=canbus0");
    QDict *rsp = qtest_qmp(qts, "{'execute': 'device_add', 'arguments': "
                           "{'driver': 'kvaser_pci', 'canbus': 'canbus0', "
                           "'host': 'can0'}}");
    QDict *err = qdict_get_qdict(rsp, "error");

    g_assert(err);
    g_assert_cmpstr(qdict_get_str(err, "desc"), ==,
                    "host=can0: channel 0's bus is not joined to host "
                    "interface can0; join it with -object "
                    "can-host-socketcan,id=ID,if=can0,canbus=BUS");
    qobject_unref(rsp);
    qtest_quit(qts);
}

static const BoardType *board_type(const char *name)
{
    size_t t;

    for (t = 0; t < ARRAY_SIZE(board_types); t++) {
        if (!strcmp(board_types[t].name, name)) {
            return &board_types[t];
        }
    }
    g_assert_not_reached();
}

static void add_case(const Case *tc, const char *what)
{
    g_autofree char *path = g_strdup_printf("/can-bus-id/%s/%u-on-%s", what,
                                            tc->count, tc->bus);

    qtest_add_data_func(path, tc, test_boards_on_bus);
}

int main(int argc, char **argv)
{
    static const char *const buses[] = { "canbus0", "canbus1", "canbus3" };
    static Case cases[ARRAY_SIZE(board_types) * ARRAY_SIZE(buses) * 3];
    static Case all_types, docs_example;
    unsigned n = 0, count;
    size_t t, b;

    g_test_init(&argc, &argv, NULL);
    /* a failing check marks its test failed; the others still run */
    g_test_set_nonfatal_assertions();
    for (t = 0; t < ARRAY_SIZE(board_types); t++) {
        for (b = 0; b < ARRAY_SIZE(buses); b++) {
            for (count = 2; count <= 4; count++, n++) {
                cases[n] = (Case) {
                    .types = { &board_types[t] }, .n_types = 1,
                    .count = count, .bus = buses[b],
                };
                add_case(&cases[n], board_types[t].name);
            }
        }
    }
    all_types = (Case) {
        .n_types = ARRAY_SIZE(board_types), .count = 1, .bus = "canbus0",
    };
    for (t = 0; t < ARRAY_SIZE(board_types); t++) {
        all_types.types[t] = &board_types[t];
    }
    add_case(&all_types, "every-type");
    /* the example of docs/system/devices/can.rst, "Naming a bus" */
    docs_example = (Case) {
        .types = { board_type("kvaser_pci-1"), board_type("kvaser_pci-1"),
                   board_type("pcm3680_pci"), board_type("ctucan_pci") },
        .n_types = 4, .count = 1, .bus = "canbus0",
    };
    add_case(&docs_example, "docs-example");
    qtest_add_func("/can-bus-id/absolute-path-names-bus",
                   test_absolute_path_names_bus);
    qtest_add_func("/can-bus-id/host-needs-backend", test_host_needs_backend);
    for (t = 0; t < ARRAY_SIZE(bad_names); t++) {
        g_autofree char *path = g_strdup_printf("/can-bus-id/bad-name/%s",
                                                bad_names[t].name);

        qtest_add_data_func(path, &bad_names[t], test_bad_name);
    }
    return g_test_run();
}
