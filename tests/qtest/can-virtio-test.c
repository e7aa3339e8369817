/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QTest for virtio-can-pci, driven as a virtio driver drives it through
 * libqos, with a Kvaser PCIcan board on the same can-bus as the other
 * node: feature negotiation, frames both ways, what the VIRTIO 1.4 CAN
 * device section says must be answered NOT_OK, the control queue, and
 * bus-off.
 */

#include "qemu/osdep.h"
#include "qobject/qdict.h"
#include "libqos/malloc-pc.h"
#include "can-pci-board-qtest.h"
#include "can-virtio-pci-qtest.h"

#define KVASER_SJA_BAR      1
#define VCAN_SLOT           5
#define VCAN2_SLOT          6
#define VCAN_PATH           "/machine/peripheral/vcan0/virtio-backend"

/* A machine: the Kvaser board in slot 4, virtio-can devices after it */
typedef struct Rig {
    Board b;
    SJAChan sja;
    QGuestAllocator alloc;
    VCan vc[2];
    QVirtioPCIDevice *pci[2];
} Rig;

/*
 * The example of docs/system/devices/can.rst, "virtio-can", with slots
 * and ids: -object can-bus,id=canbus0 -device kvaser_pci,canbus0=canbus0
 * -device virtio-can-pci,canbus=canbus0
 */
static char *rig_devices(const char *bus_opts, const char *vcan_opts,
                         const char *vcan2_opts)
{
    g_autofree char *vc2 = vcan2_opts ?
        g_strdup_printf("-device virtio-can-pci,addr=0x%x,id=vcan1,%s",
                        VCAN2_SLOT, vcan2_opts) : g_strdup("");

    return g_strdup_printf("-object can-bus,id=canbus0%s "
                           "-device kvaser_pci,addr=0x%x,canbus0=canbus0 "
                           "-device virtio-can-pci,addr=0x%x,id=vcan0,%s %s",
                           bus_opts, BOARD_SLOT, VCAN_SLOT, vcan_opts, vc2);
}

static void rig_start(Rig *r, const char *bus_opts, const char *vcan_opts,
                      const char *vcan2_opts)
{
    g_autofree char *devices = rig_devices(bus_opts, vcan_opts, vcan2_opts);

    board_start(&r->b, devices, 2);
    r->sja = (SJAChan) { .dev = r->b.dev, .bar = r->b.bar[KVASER_SJA_BAR] };
    pc_alloc_init(&r->alloc, r->b.qts, ALLOC_NO_FLAGS);
}

/* vc[@i], the virtio-can device in @slot, found and enabled */
static VCan *vcan_find(Rig *r, int i, int slot)
{
    r->pci[i] = vcan_pci_find(&r->vc[i], r->b.bus, &r->alloc, slot);
    return &r->vc[i];
}

static void vcan_setup(Rig *r, VCan *v, int slot, uint64_t features)
{
    vcan_negotiate(vcan_find(r, v - r->vc, slot), features);
}

static void rig_stop(Rig *r)
{
    int i;

    for (i = 0; i < 2; i++) {
        if (!r->pci[i]) {
            continue;
        }
        if (r->vc[i].vq[0]) {
            vcan_cleanup(&r->vc[i]);
        }
        vcan_pci_release(&r->pci[i]);
    }
    alloc_destroy(&r->alloc);
    board_stop(&r->b);
}

/*
 * The usual set-up: vcan0 on canbus0 with the Kvaser channel (PeliCAN,
 * operating), negotiating @features, started
 */
static VCan *rig_started(Rig *r, const char *bus_opts, uint64_t features)
{
    rig_start(r, bus_opts, "canbus=canbus0", NULL);
    sja_pelican_setup(&r->sja, 0, 0);
    vcan_setup(r, &r->vc[0], VCAN_SLOT, features);
    g_assert_cmpuint(vcan_control(&r->vc[0], VIRTIO_CAN_SET_CTRL_MODE_START),
                     ==, VIRTIO_CAN_RESULT_OK);
    return &r->vc[0];
}

static uint64_t vcan_counter(Rig *r, const char *path, const char *name)
{
    QDict *rsp = qtest_qmp(r->b.qts, "{ 'execute': 'qom-get', 'arguments': "
                           "{ 'path': %s, 'property': %s } }", path, name);
    uint64_t value;

    g_assert(qdict_haskey(rsp, "return"));
    value = qdict_get_int(rsp, "return");
    qobject_unref(rsp);
    return value;
}

/*
 * Identity and negotiation
 */

static void test_pci_identity_and_features(void)
{
    Rig r = { 0 };

    rig_start(&r, "", "canbus=canbus0", NULL);
    vcan_setup(&r, &r.vc[0], VCAN_SLOT, F_ALL);
    g_assert_cmphex(qpci_config_readw(r.pci[0]->pdev, PCI_VENDOR_ID), ==,
                    0x1af4);
    g_assert_cmphex(qpci_config_readw(r.pci[0]->pdev, PCI_DEVICE_ID), ==,
                    0x1040 + VIRTIO_ID_CAN);
    g_assert_cmphex(qvirtio_get_features(r.vc[0].vdev) & F_ALL, ==, F_ALL);
    g_assert(qvirtio_get_features(r.vc[0].vdev) & F_V1);
    g_assert_cmphex(vcan_status(&r.vc[0]), ==, 0);
    rig_stop(&r);
}

static void test_feature_properties(void)
{
    Rig r = { 0 };

    rig_start(&r, "", "canbus=canbus0,can-fd=off,rtr-frames=off,"
              "late-tx-ack=off", NULL);
    vcan_setup(&r, &r.vc[0], VCAN_SLOT, BIT_ULL(VIRTIO_CAN_F_CAN_CLASSIC));
    g_assert_cmphex(qvirtio_get_features(r.vc[0].vdev) & F_ALL, ==,
                    BIT_ULL(VIRTIO_CAN_F_CAN_CLASSIC));
    rig_stop(&r);
}

/* The device refuses FEATURES_OK for sets the spec forbids */
static void check_features_refused(uint64_t features)
{
    Rig r = { 0 };
    QVirtioDevice *d;

    rig_start(&r, "", "canbus=canbus0", NULL);
    d = vcan_find(&r, 0, VCAN_SLOT)->vdev;
    qvirtio_reset(d);
    qvirtio_set_acknowledge(d);
    qvirtio_set_driver(d);
    d->bus->set_features(d, features | F_V1);
    d->bus->set_status(d, d->bus->get_status(d) | VIRTIO_CONFIG_S_FEATURES_OK);
    g_assert_cmphex(d->bus->get_status(d) & VIRTIO_CONFIG_S_FEATURES_OK, ==,
                    0);
    rig_stop(&r);
}

static void test_features_need_a_frame_type(void)
{
    check_features_refused(BIT_ULL(VIRTIO_CAN_F_LATE_TX_ACK));
}

static void test_rtr_needs_classic(void)
{
    check_features_refused(BIT_ULL(VIRTIO_CAN_F_CAN_FD) |
                           BIT_ULL(VIRTIO_CAN_F_RTR_FRAMES));
}

static void test_device_without_frame_type_refused(void)
{
    QTestState *qts = qtest_init("-machine pc -nodefaults "
                                 "-object can-bus,id=canbus0");
    QDict *rsp = qtest_qmp(qts, "{ 'execute': 'device_add', 'arguments': "
                           "{ 'driver': 'virtio-can-pci', 'canbus': "
                           "'canbus0', 'can-classic': false, "
                           "'can-fd': false } }");
    const char *desc;

    g_assert(qdict_haskey(rsp, "error"));
    desc = qdict_get_str(qdict_get_qdict(rsp, "error"), "desc");
    g_assert(strstr(desc, "can-classic or can-fd"));
    qobject_unref(rsp);
    qtest_quit(qts);
}

/*
 * Frames both ways with an SJA1000
 */

static void test_tx_to_sja1000(void)
{
    static const struct {
        uint32_t flags, id;
        uint16_t len;
        CanMsg expect;
    } cases[] = {
        { 0, 0x123, 2, { .id = 0x123, .dlc = 2, .data = { 0x10, 0x11 } } },
        { VIRTIO_CAN_FLAGS_EXTENDED, 0x1abcdef0, 8,
          { .id = 0x1abcdef0, .ext = true, .dlc = 8,
            .data = { 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17 } } },
        { VIRTIO_CAN_FLAGS_RTR, 0x7ff, 4,
          { .id = 0x7ff, .rtr = true, .dlc = 4 } },
        { VIRTIO_CAN_FLAGS_RTR | VIRTIO_CAN_FLAGS_EXTENDED, 0x5, 0,
          { .id = 0x5, .ext = true, .rtr = true, .dlc = 0 } },
        { 0, 0, 0, { .id = 0, .dlc = 0 } },
    };
    Rig r = { 0 };
    VCan *v;
    unsigned i;

    v = rig_started(&r, "", F_ALL);
    for (i = 0; i < ARRAY_SIZE(cases); i++) {
        VMsg m = tx_msg(cases[i].flags, cases[i].id, cases[i].len);

        g_assert_cmpuint(vcan_tx(v, &m), ==, VIRTIO_CAN_RESULT_OK);
    }
    for (i = 0; i < ARRAY_SIZE(cases); i++) {
        sja_assert_next_rx(&r.sja, &cases[i].expect);
    }
    g_assert_cmphex(sja_rd(&r.sja, A_SR) & R_SR_RBS_MASK, ==, 0);
    g_assert_cmpuint(vcan_counter(&r, VCAN_PATH, "tec"), ==, 0);
    rig_stop(&r);
}

static void test_rx_from_sja1000(void)
{
    static const CanMsg sent[] = {
        { .id = 0x321, .dlc = 3, .data = { 0xa1, 0xa2, 0xa3 } },
        { .id = 0x12345678, .ext = true, .dlc = 8,
          .data = { 1, 2, 3, 4, 5, 6, 7, 8 } },
        { .id = 0x42, .rtr = true, .dlc = 6 },
        { .id = 0x1fffffff, .ext = true, .rtr = true, .dlc = 1 },
    };
    Rig r = { 0 };
    VCan *v = &r.vc[0];
    uint64_t addr[ARRAY_SIZE(sent)];
    uint32_t head;
    unsigned i;

    rig_start(&r, "", "canbus=canbus0", NULL);
    sja_pelican_setup(&r.sja, 0, 0);
    vcan_setup(&r, v, VCAN_SLOT, F_ALL);
    head = vcan_rx_post(v, ARRAY_SIZE(sent), addr);
    g_assert_cmpuint(vcan_control(v, VIRTIO_CAN_SET_CTRL_MODE_START), ==,
                     VIRTIO_CAN_RESULT_OK);
    for (i = 0; i < ARRAY_SIZE(sent); i++) {
        board_send(&r.b, &r.sja, &sent[i], R_CMR_TR_MASK);
        /* acknowledged by the virtio-can node */
        g_assert_cmphex(sja_rd(&r.sja, A_SR) & R_SR_TCS_MASK, ==,
                        R_SR_TCS_MASK);
    }
    for (i = 0; i < ARRAY_SIZE(sent); i++) {
        VMsg m;
        uint32_t flags = (sent[i].ext ? VIRTIO_CAN_FLAGS_EXTENDED : 0) |
                         (sent[i].rtr ? VIRTIO_CAN_FLAGS_RTR : 0);

        vcan_rx(v, head + i, addr[i], &m);
        g_assert_cmphex(m.can_id, ==, sent[i].id);
        g_assert_cmphex(m.flags, ==, flags);
        g_assert_cmpuint(m.length, ==, sent[i].dlc);
        if (!sent[i].rtr) {
            g_assert(!memcmp(m.data, sent[i].data, sent[i].dlc));
        }
    }
    rig_stop(&r);
}

/* No Rx buffer: the frame is lost to this node and counted */
static void test_rx_without_buffer_counted(void)
{
    Rig r = { 0 };
    VCan *v;
    uint64_t addr;
    uint32_t head;
    VMsg m;

    v = rig_started(&r, "", F_ALL);
    board_send_std(&r.b, &r.sja, 0x100, 0x01, R_CMR_TR_MASK);
    g_assert_cmpuint(vcan_counter(&r, VCAN_PATH, "rx-dropped"), ==, 1);
    head = vcan_rx_post(v, 1, &addr);
    board_send(&r.b, &r.sja, &can_sentinel, R_CMR_TR_MASK);
    vcan_rx(v, head, addr, &m);
    g_assert_cmphex(m.can_id, ==, can_sentinel.id);
    rig_stop(&r);
}

/*
 * Frames from beyond the bus (a replay here, a network or host interface
 * alike) wait while the device has no Rx buffer, and come, in order and
 * none lost, as the driver gives buffers
 */
static void test_rx_from_beyond_waits_for_buffers(void)
{
    g_autofree char *dir = g_dir_make_tmp("can-virtio-test-XXXXXX", NULL);
    g_autofree char *log = g_build_filename(dir, "burst.log", NULL);
    g_autofree char *bus_opts = NULL;
    g_autoptr(GString) lines = g_string_new(NULL);
    Rig r = { 0 };
    VCan *v = &r.vc[0];
    uint64_t addr[8];
    uint32_t head;
    unsigned i;
    VMsg m;

    /*
     * The replay plays its first frame at once, before the device starts
     * (it is lost to it); the burst 50 ms later
     */
    g_string_append(lines, "(1.000000) can0 7FF#\n");
    for (i = 0; i < ARRAY_SIZE(addr); i++) {
        g_string_append_printf(lines, "(1.050000) can0 %03X#%02X\n",
                               0x100 + i, i);
    }
    g_assert_true(g_file_set_contents(log, lines->str, -1, NULL));
    bus_opts = g_strdup_printf(" -object can-replay,id=replay0,"
                               "canbus=canbus0,file=%s", log);
    /* the Kvaser channel stays in reset mode, taking nothing */
    rig_start(&r, bus_opts, "canbus=canbus0", NULL);
    vcan_setup(&r, v, VCAN_SLOT, F_ALL);
    g_assert_cmpuint(vcan_control(v, VIRTIO_CAN_SET_CTRL_MODE_START), ==,
                     VIRTIO_CAN_RESULT_OK);
    /* short of the 100 ms after which a full receiver is overrun */
    qtest_clock_step(r.b.qts, 60 * 1000 * 1000);
    g_assert_cmpuint(vcan_counter(&r, "/objects/replay0", "frames"), ==,
                     ARRAY_SIZE(addr) + 1);
    g_assert_cmpuint(vcan_counter(&r, VCAN_PATH, "rx-dropped"), ==, 0);
    head = vcan_rx_post(v, ARRAY_SIZE(addr), addr);
    for (i = 0; i < ARRAY_SIZE(addr); i++) {
        vcan_rx(v, head + i, addr[i], &m);
        g_assert_cmphex(m.can_id, ==, 0x100 + i);
        g_assert_cmpuint(m.length, ==, 1);
        g_assert_cmpuint(m.data[0], ==, i);
    }
    g_assert_cmpuint(vcan_counter(&r, VCAN_PATH, "rx-dropped"), ==, 0);
    rig_stop(&r);
    unlink(log);
    rmdir(dir);
}

/* Two virtio-can nodes exchange CAN FD frames of every length */
static void test_fd_between_two_devices(void)
{
    static const uint16_t lens[] = { 0, 8, 12, 20, 32, 48, 64 };
    Rig r = { 0 };
    uint64_t addr[ARRAY_SIZE(lens)];
    uint32_t head;
    unsigned i;

    rig_start(&r, "", "canbus=canbus0", "canbus=canbus0");
    vcan_setup(&r, &r.vc[0], VCAN_SLOT, F_ALL);
    vcan_setup(&r, &r.vc[1], VCAN2_SLOT, F_ALL);
    head = vcan_rx_post(&r.vc[1], ARRAY_SIZE(lens), addr);
    vcan_control(&r.vc[0], VIRTIO_CAN_SET_CTRL_MODE_START);
    vcan_control(&r.vc[1], VIRTIO_CAN_SET_CTRL_MODE_START);
    for (i = 0; i < ARRAY_SIZE(lens); i++) {
        VMsg m = tx_msg(VIRTIO_CAN_FLAGS_FD | VIRTIO_CAN_FLAGS_EXTENDED,
                        0x100 + i, lens[i]);

        g_assert_cmpuint(vcan_tx(&r.vc[0], &m), ==, VIRTIO_CAN_RESULT_OK);
    }
    for (i = 0; i < ARRAY_SIZE(lens); i++) {
        VMsg want = tx_msg(VIRTIO_CAN_FLAGS_FD | VIRTIO_CAN_FLAGS_EXTENDED,
                           0x100 + i, lens[i]);
        VMsg m;

        vcan_rx(&r.vc[1], head + i, addr[i], &m);
        g_assert_cmphex(m.flags, ==, want.flags);
        g_assert_cmphex(m.can_id, ==, want.can_id);
        g_assert_cmpuint(m.length, ==, lens[i]);
        g_assert(!memcmp(m.data, want.data, lens[i]));
    }
    rig_stop(&r);
}

/*
 * What must be answered NOT_OK
 */

static void test_tx_while_stopped(void)
{
    Rig r = { 0 };
    VCan *v = &r.vc[0];
    VMsg m = tx_msg(0, 0x123, 1);

    rig_start(&r, "", "canbus=canbus0", NULL);
    sja_pelican_setup(&r.sja, 0, 0);
    vcan_setup(&r, v, VCAN_SLOT, F_ALL);
    /* initially STOPPED */
    g_assert_cmpuint(vcan_tx(v, &m), ==, VIRTIO_CAN_RESULT_NOT_OK);
    vcan_control(v, VIRTIO_CAN_SET_CTRL_MODE_START);
    vcan_control(v, VIRTIO_CAN_SET_CTRL_MODE_STOP);
    g_assert_cmpuint(vcan_tx(v, &m), ==, VIRTIO_CAN_RESULT_NOT_OK);
    g_assert_cmpuint(vcan_counter(&r, VCAN_PATH, "tx-cancelled"), ==, 2);
    g_assert_cmphex(sja_rd(&r.sja, A_SR) & R_SR_RBS_MASK, ==, 0);
    rig_stop(&r);
}

static void test_malformed_tx_not_ok(void)
{
    static const struct {
        uint16_t msg_type, length;
        uint8_t classic_dlc;
        uint32_t flags, id;
        size_t size;            /* bytes of request; 0: header + length */
    } bad[] = {
        /* short header */
        { VIRTIO_CAN_TX, 0, 0, 0, 0x1, HDR_SIZE - 1 },
        /* wrong msg_type: an Rx message, a control message */
        { VIRTIO_CAN_RX, 1, 0, 0, 0x1, 0 },
        { VIRTIO_CAN_SET_CTRL_MODE_START, 1, 0, 0, 0x1, 0 },
        /* undefined flags */
        { VIRTIO_CAN_TX, 1, 0, 0x1, 0x1, 0 },
        { VIRTIO_CAN_TX, 1, 0, 0x80000000, 0x1, 0 },
        /* length > 64, > 8 classic, not an FD length */
        { VIRTIO_CAN_TX, 65, 0, VIRTIO_CAN_FLAGS_FD, 0x1, HDR_SIZE + 64 },
        { VIRTIO_CAN_TX, 9, 0, 0, 0x1, 0 },
        { VIRTIO_CAN_TX, 13, 0, VIRTIO_CAN_FLAGS_FD, 0x1, 0 },
        /* identifiers out of range */
        { VIRTIO_CAN_TX, 1, 0, 0, 0x800, 0 },
        { VIRTIO_CAN_TX, 1, 0, VIRTIO_CAN_FLAGS_EXTENDED, 0x20000000, 0 },
        /* RTR with FD */
        { VIRTIO_CAN_TX, 1, 0, VIRTIO_CAN_FLAGS_RTR | VIRTIO_CAN_FLAGS_FD,
          0x1, 0 },
        /* payload shorter than its length */
        { VIRTIO_CAN_TX, 8, 0, 0, 0x1, HDR_SIZE + 7 },
        /* a DLC of 9..15 only with 8 bytes */
        { VIRTIO_CAN_TX, 4, 9, 0, 0x1, 0 },
        { VIRTIO_CAN_TX, 8, 16, 0, 0x1, 0 },
    };
    Rig r = { 0 };
    VCan *v;
    unsigned i;

    v = rig_started(&r, "", F_ALL);
    for (i = 0; i < ARRAY_SIZE(bad); i++) {
        VMsg m = tx_msg(bad[i].flags, bad[i].id, bad[i].length);

        m.msg_type = bad[i].msg_type;
        m.classic_dlc = bad[i].classic_dlc;
        g_test_message("case %u", i);
        g_assert_cmpuint(vcan_tx_len(v, &m, bad[i].size ? bad[i].size :
                                     HDR_SIZE + bad[i].length), ==,
                         VIRTIO_CAN_RESULT_NOT_OK);
    }
    g_assert_cmpuint(vcan_counter(&r, VCAN_PATH, "tx-rejected"), ==,
                     ARRAY_SIZE(bad));
    /* none reached the wire: the sentinel is the first frame there */
    {
        VMsg m = tx_msg(0, can_sentinel.id, can_sentinel.dlc);

        memcpy(m.data, can_sentinel.data, can_sentinel.dlc);
        g_assert_cmpuint(vcan_tx(v, &m), ==, VIRTIO_CAN_RESULT_OK);
    }
    sja_assert_next_rx(&r.sja, &can_sentinel);
    g_assert_cmphex(sja_rd(&r.sja, A_SR) & R_SR_RBS_MASK, ==, 0);
    rig_stop(&r);
}

/* A classic 8-byte frame with a DLC of 9..15 keeps it on the wire */
static void test_tx_classic_dlc(void)
{
    Rig r = { 0 };
    VCan *v;
    VMsg m = tx_msg(0, 0x55, 8);
    CanMsg want = { .id = 0x55, .dlc = 12,
                    .data = { 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16,
                              0x17 } };

    v = rig_started(&r, "", F_ALL);
    m.classic_dlc = 12;
    g_assert_cmpuint(vcan_tx(v, &m), ==, VIRTIO_CAN_RESULT_OK);
    sja_assert_next_rx(&r.sja, &want);
    rig_stop(&r);
}

/* Frame types the driver did not negotiate, both ways */
static void test_not_negotiated_not_ok(void)
{
    Rig r = { 0 };
    VCan *v = &r.vc[0];
    VMsg fd = tx_msg(VIRTIO_CAN_FLAGS_FD, 0x10, 12);
    VMsg rtr = tx_msg(VIRTIO_CAN_FLAGS_RTR, 0x11, 1);
    uint64_t addr;
    uint32_t head;
    VMsg m;

    rig_start(&r, "", "canbus=canbus0", "canbus=canbus0");
    sja_pelican_setup(&r.sja, 0, 0);
    vcan_setup(&r, v, VCAN_SLOT, BIT_ULL(VIRTIO_CAN_F_CAN_CLASSIC));
    vcan_setup(&r, &r.vc[1], VCAN2_SLOT, F_ALL);
    head = vcan_rx_post(v, 1, &addr);
    vcan_control(v, VIRTIO_CAN_SET_CTRL_MODE_START);
    vcan_control(&r.vc[1], VIRTIO_CAN_SET_CTRL_MODE_START);
    g_assert_cmpuint(vcan_tx(v, &fd), ==, VIRTIO_CAN_RESULT_NOT_OK);
    g_assert_cmpuint(vcan_tx(v, &rtr), ==, VIRTIO_CAN_RESULT_NOT_OK);
    g_assert_cmpuint(vcan_counter(&r, VCAN_PATH, "tx-rejected"), ==, 2);
    /* an FD frame and a remote frame from the other node never arrive */
    g_assert_cmpuint(vcan_tx(&r.vc[1], &fd), ==, VIRTIO_CAN_RESULT_OK);
    g_assert_cmpuint(vcan_tx(&r.vc[1], &rtr), ==, VIRTIO_CAN_RESULT_OK);
    board_send(&r.b, &r.sja, &can_sentinel, R_CMR_TR_MASK);
    vcan_rx(v, head, addr, &m);
    g_assert_cmphex(m.can_id, ==, can_sentinel.id);
    g_assert_cmpuint(vcan_counter(&r, VCAN_PATH, "rx-refused"), ==, 2);
    rig_stop(&r);
}

/* FD only: classic frames are a type not negotiated */
static void test_fd_only_refuses_classic(void)
{
    Rig r = { 0 };
    VCan *v;
    VMsg m = tx_msg(0, 0x10, 1);

    v = rig_started(&r, "", BIT_ULL(VIRTIO_CAN_F_CAN_FD));
    g_assert_cmpuint(vcan_tx(v, &m), ==, VIRTIO_CAN_RESULT_NOT_OK);
    rig_stop(&r);
}

/*
 * A request whose descriptor chain leads past the end of the ring (its
 * first descriptor's next is 200, the queue has 128): virtio's answer to
 * a bogus chain is to set NEEDS_RESET, and nothing is sent.  After the
 * driver's reset the device works again.
 */
static void test_chain_past_the_ring(void)
{
    Rig r = { 0 };
    VCan *v;
    QVirtQueue *tq;
    VMsg m = tx_msg(0, 0x123, 1);
    CanMsg want = { .id = 0x123, .dlc = 1, .data = { 0x10 } };
    uint8_t buf[HDR_SIZE + 1];
    uint64_t out;
    uint32_t head;

    v = rig_started(&r, "", F_ALL);
    tq = v->vq[VIRTIO_CAN_QUEUE_TX];
    vmsg_encode(&m, buf);
    out = guest_alloc(v->alloc, sizeof(buf));
    qtest_memwrite(v->qts, out, buf, sizeof(buf));
    head = qvirtqueue_add(v->qts, tq, out, sizeof(buf), false, true);
    /* struct vring_desc: le64 addr, le32 len, le16 flags, le16 next */
    qtest_writew(v->qts, tq->desc + head * 16 + 14, 200);
    qvirtqueue_kick(v->qts, v->vdev, tq, head);
    qtest_clock_step(v->qts, 1000000);
    g_assert_cmphex(v->vdev->bus->get_status(v->vdev) &
                    VIRTIO_CONFIG_S_NEEDS_RESET, ==,
                    VIRTIO_CONFIG_S_NEEDS_RESET);
    g_assert_cmphex(sja_rd(&r.sja, A_SR) & R_SR_RBS_MASK, ==, 0);

    vcan_cleanup(v);
    vcan_negotiate(v, F_ALL);
    vcan_control(v, VIRTIO_CAN_SET_CTRL_MODE_START);
    g_assert_cmpuint(vcan_tx(v, &m), ==, VIRTIO_CAN_RESULT_OK);
    sja_assert_next_rx(&r.sja, &want);
    rig_stop(&r);
}

/*
 * Control queue
 */

static void test_control_misuse(void)
{
    Rig r = { 0 };
    VCan *v = &r.vc[0];
    QVirtQueue *cq;
    uint8_t one = 0x01;
    uint64_t in;
    uint32_t head;

    rig_start(&r, "", "canbus=canbus0", NULL);
    vcan_setup(&r, v, VCAN_SLOT, F_ALL);
    cq = v->vq[VIRTIO_CAN_QUEUE_CONTROL];
    g_assert_cmpuint(vcan_control(v, 0x0203), ==, VIRTIO_CAN_RESULT_NOT_OK);
    g_assert_cmpuint(vcan_control(v, VIRTIO_CAN_TX), ==,
                     VIRTIO_CAN_RESULT_NOT_OK);
    /* one byte of msg_type */
    head = vq_post(v, cq, &one, 1, &in);
    g_assert_cmpuint(vq_result(v, cq, head, in), ==, VIRTIO_CAN_RESULT_NOT_OK);
    g_assert_cmpuint(vcan_counter(&r, VCAN_PATH, "ctrl-rejected"), ==, 3);
    /* a request for the mode the controller is in already succeeds */
    g_assert_cmpuint(vcan_control(v, VIRTIO_CAN_SET_CTRL_MODE_STOP), ==,
                     VIRTIO_CAN_RESULT_OK);
    g_assert_cmpuint(vcan_control(v, VIRTIO_CAN_SET_CTRL_MODE_START), ==,
                     VIRTIO_CAN_RESULT_OK);
    g_assert_cmpuint(vcan_control(v, VIRTIO_CAN_SET_CTRL_MODE_START), ==,
                     VIRTIO_CAN_RESULT_OK);
    rig_stop(&r);
}

/*
 * LATE_TX_ACK, error counting and bus-off
 */

/*
 * Alone on its bus (the Kvaser channel stays in reset mode), a frame is
 * never acknowledged: with LATE_TX_ACK its request stays pending while TEC
 * climbs to error passive and stops there; STOP answers it NOT_OK.
 */
static void test_late_tx_ack_waits_for_ack(void)
{
    Rig r = { 0 };
    VCan *v = &r.vc[0];
    VMsg m = tx_msg(0, 0x123, 1);
    uint32_t head, len;
    uint64_t in;

    rig_start(&r, "", "canbus=canbus0", NULL);
    vcan_setup(&r, v, VCAN_SLOT, F_ALL);
    vcan_control(v, VIRTIO_CAN_SET_CTRL_MODE_START);
    head = vcan_tx_post(v, &m, HDR_SIZE + 1, &in);
    g_assert(!vq_wait(v, v->vq[VIRTIO_CAN_QUEUE_TX], head, &len,
                      100 * 1000 * 1000));
    g_assert_cmpuint(vcan_counter(&r, VCAN_PATH, "tec"), ==, 128);
    g_assert_cmphex(vcan_status(v), ==, 0);
    vcan_control(v, VIRTIO_CAN_SET_CTRL_MODE_STOP);
    g_assert_cmpuint(vq_result(v, v->vq[VIRTIO_CAN_QUEUE_TX], head, in), ==,
                     VIRTIO_CAN_RESULT_NOT_OK);
    rig_stop(&r);
}

/* Without LATE_TX_ACK the request completes when handed to the bus */
static void test_early_tx_ack(void)
{
    Rig r = { 0 };
    VCan *v;
    VMsg m = tx_msg(0, 0x123, 1);

    v = rig_started(&r, "", F_ALL & ~BIT_ULL(VIRTIO_CAN_F_LATE_TX_ACK));
    g_assert_cmpuint(vcan_tx(v, &m), ==, VIRTIO_CAN_RESULT_OK);
    rig_stop(&r);
}

/*
 * On a timed bus at 1 Mbit/s the SJA1000 at 500 kbit/s flags every frame
 * of the virtio-can node, until it goes error passive itself; set back
 * to error active by writing its RXERR in reset mode (as its datasheet
 * allows), it flags again.  The virtio-can node's TEC climbs by 8 per
 * attempt, error passive or not, to bus-off, where the device sets BUSOFF,
 * stops, and fails its pending request.  START brings it back, error
 * active.
 */
static void test_bus_off(void)
{
    Rig r = { 0 };
    VCan *v;
    VMsg m = tx_msg(0, 0x123, 1);
    unsigned round;
    uint64_t in;
    uint32_t head;

    v = rig_started(&r, ",timing=on,bitrate=1000000", F_ALL);
    head = vcan_tx_post(v, &m, HDR_SIZE + 1, &in);
    for (round = 0; round < 4; round++) {
        uint32_t len;

        if (vq_wait(v, v->vq[VIRTIO_CAN_QUEUE_TX], head, &len,
                    10 * 1000 * 1000)) {
            break;
        }
        /* error passive now; its counter written back keeps it flagging */
        g_assert_cmpuint(sja_rd(&r.sja, A_RXERR), >=, 128);
        sja_wr(&r.sja, A_MOD, R_MOD_RM_MASK);
        sja_wr(&r.sja, A_RXERR, 0);
        sja_wr(&r.sja, A_MOD, 0);
    }
    /* 15 flags a round, 8 each: the third round passes 255 */
    g_assert_cmpuint(round, ==, 2);
    g_assert_cmpuint(qtest_readb(r.b.qts, in), ==, VIRTIO_CAN_RESULT_NOT_OK);
    g_assert_cmphex(vcan_status(v), ==, VIRTIO_CAN_S_CTRL_BUSOFF);
    g_assert_cmpuint(vcan_counter(&r, VCAN_PATH, "bus-off-count"), ==, 1);
    /* STOPPED now */
    g_assert_cmpuint(vcan_tx(v, &m), ==, VIRTIO_CAN_RESULT_NOT_OK);
    g_assert_cmpuint(vcan_control(v, VIRTIO_CAN_SET_CTRL_MODE_START), ==,
                     VIRTIO_CAN_RESULT_OK);
    g_assert_cmphex(vcan_status(v), ==, 0);
    g_assert_cmpuint(vcan_counter(&r, VCAN_PATH, "tec"), ==, 0);
    rig_stop(&r);
}

/*
 * Migrated with a request on the wire (LATE_TX_ACK, nobody acknowledging:
 * the Kvaser channel is in reset mode) and one queued behind it, the
 * destination sends both, once each and in order, when the channel starts
 * acknowledging; the first request is answered there.
 */
static void test_migration_with_requests_queued(void)
{
    g_autofree char *sock = g_strdup_printf("%s/can-virtio-mig-%d.sock",
                                            g_get_tmp_dir(), getpid());
    g_autofree char *uri = g_strdup_printf("unix:%s", sock);
    g_autofree char *devices = rig_devices("", "canbus=canbus0", NULL);
    g_autofree char *dst_cmd = g_strdup_printf(
        "-machine pc -nodefaults %s -incoming %s", devices, uri);
    static const CanMsg want[2] = {
        { .id = 0x101, .dlc = 1, .data = { 0x10 } },
        { .id = 0x102, .dlc = 2, .data = { 0x10, 0x11 } },
    };
    Rig r = { 0 };
    VCan *v = &r.vc[0];
    VMsg a = tx_msg(0, 0x101, 1), b = tx_msg(0, 0x102, 2);
    uint32_t head_a, head_b, len;
    uint64_t in_a, in_b;
    QTestState *dst;
    QDict *rsp;
    int i;

    rig_start(&r, "", "canbus=canbus0", NULL);
    vcan_setup(&r, v, VCAN_SLOT, F_ALL);
    vcan_control(v, VIRTIO_CAN_SET_CTRL_MODE_START);
    head_a = vcan_tx_post(v, &a, HDR_SIZE + 1, &in_a);
    head_b = vcan_tx_post(v, &b, HDR_SIZE + 2, &in_b);
    g_assert(!vq_wait(v, v->vq[VIRTIO_CAN_QUEUE_TX], head_a, &len,
                      10 * 1000 * 1000));

    dst = qtest_init(dst_cmd);
    rsp = qtest_qmp(r.b.qts, "{ 'execute': 'migrate', 'arguments': "
                    "{ 'uri': %s } }", uri);
    g_assert(qdict_haskey(rsp, "return"));
    qobject_unref(rsp);
    qtest_qmp_eventwait(r.b.qts, "STOP");
    qtest_qmp_eventwait(dst, "RESUME");
    unlink(sock);
    vcan_pci_release(&r.pci[0]);
    g_free(r.b.dev);
    qpci_free_pc(r.b.bus);
    qtest_quit(r.b.qts);

    /* the same mappings again, in the same order, on the destination */
    r.b.qts = dst;
    r.b.bus = qpci_new_pc(dst, NULL);
    r.b.dev = qpci_device_find(r.b.bus, QPCI_DEVFN(BOARD_SLOT, 0));
    qpci_device_enable(r.b.dev);
    r.b.bar[0] = qpci_iomap(r.b.dev, 0, NULL);
    r.b.bar[KVASER_SJA_BAR] = qpci_iomap(r.b.dev, KVASER_SJA_BAR, NULL);
    r.sja = (SJAChan) { .dev = r.b.dev, .bar = r.b.bar[KVASER_SJA_BAR] };
    vcan_find(&r, 0, VCAN_SLOT);
    /* the rings moved with the guest; their device is the new handle */
    for (i = 0; i < VIRTIO_CAN_QUEUE_COUNT; i++) {
        v->vq[i]->vdev = v->vdev;
    }

    g_assert(!vq_wait(v, v->vq[VIRTIO_CAN_QUEUE_TX], head_a, &len,
                      10 * 1000 * 1000));
    sja_pelican_setup(&r.sja, 0, 0);
    g_assert_cmpuint(vq_result(v, v->vq[VIRTIO_CAN_QUEUE_TX], head_a, in_a),
                     ==, VIRTIO_CAN_RESULT_OK);
    g_assert_cmpuint(vq_result(v, v->vq[VIRTIO_CAN_QUEUE_TX], head_b, in_b),
                     ==, VIRTIO_CAN_RESULT_OK);
    sja_assert_next_rx(&r.sja, &want[0]);
    sja_assert_next_rx(&r.sja, &want[1]);
    g_assert_cmphex(sja_rd(&r.sja, A_SR) & R_SR_RBS_MASK, ==, 0);
    rig_stop(&r);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/virtio-can/pci-identity-and-features",
                   test_pci_identity_and_features);
    qtest_add_func("/virtio-can/feature-properties", test_feature_properties);
    qtest_add_func("/virtio-can/features-need-a-frame-type",
                   test_features_need_a_frame_type);
    qtest_add_func("/virtio-can/rtr-needs-classic", test_rtr_needs_classic);
    qtest_add_func("/virtio-can/device-without-frame-type-refused",
                   test_device_without_frame_type_refused);
    qtest_add_func("/virtio-can/tx-to-sja1000", test_tx_to_sja1000);
    qtest_add_func("/virtio-can/rx-from-sja1000", test_rx_from_sja1000);
    qtest_add_func("/virtio-can/rx-without-buffer-counted",
                   test_rx_without_buffer_counted);
    qtest_add_func("/virtio-can/rx-from-beyond-waits-for-buffers",
                   test_rx_from_beyond_waits_for_buffers);
    qtest_add_func("/virtio-can/fd-between-two-devices",
                   test_fd_between_two_devices);
    qtest_add_func("/virtio-can/tx-while-stopped", test_tx_while_stopped);
    qtest_add_func("/virtio-can/malformed-tx-not-ok",
                   test_malformed_tx_not_ok);
    qtest_add_func("/virtio-can/tx-classic-dlc", test_tx_classic_dlc);
    qtest_add_func("/virtio-can/not-negotiated-not-ok",
                   test_not_negotiated_not_ok);
    qtest_add_func("/virtio-can/fd-only-refuses-classic",
                   test_fd_only_refuses_classic);
    qtest_add_func("/virtio-can/chain-past-the-ring",
                   test_chain_past_the_ring);
    qtest_add_func("/virtio-can/control-misuse", test_control_misuse);
    qtest_add_func("/virtio-can/late-tx-ack-waits-for-ack",
                   test_late_tx_ack_waits_for_ack);
    qtest_add_func("/virtio-can/early-tx-ack", test_early_tx_ack);
    qtest_add_func("/virtio-can/bus-off", test_bus_off);
    qtest_add_func("/virtio-can/migration-with-requests-queued",
                   test_migration_with_requests_queued);
    return g_test_run();
}
