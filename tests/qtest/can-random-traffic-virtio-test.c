/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Seeded random traffic for virtio-can-pci, as a buggy or hostile driver
 * could make it: requests of random type, flags, identifier and length in
 * buffers of random size on the Tx and control queues, Rx buffers of
 * random size, reads of the config space, features that change at each
 * reset, mixed with steps of the virtual clock, on a bus with timing off
 * and on, with a Kvaser partner channel sending and acknowledging, so
 * that frames, rejections, ACK errors, STOP/START and bus-offs happen.
 * What must hold throughout: QEMU answers, every request the device uses
 * is answered with a one-byte result of OK or NOT_OK, Rx buffers come
 * back with at most a header and 64 bytes in them, the status field
 * holds no undefined bit and the error counters stay in range.  At the
 * end a reset must leave the device working: frames both ways with the
 * partner.
 *
 * The driver here keeps a queue's descriptors in use until the device
 * returns them, and resets the device when it runs short (every few
 * hundred operations), as a driver that recovers would.
 *
 * QCAN_RANDOM_SEED=N repeats a run (the seed is printed first);
 * QCAN_RANDOM_OPS=N sets the operations, half with timing off and half
 * on (default 14,000); make fuzz-long runs 10 million.
 */

#include "qemu/osdep.h"
#include "qobject/qdict.h"
#include "libqos/malloc-pc.h"
#include "can-pci-board-qtest.h"
#include "can-virtio-pci-qtest.h"
#include "can-random-qtest.h"

#define KVASER_SJA_BAR      1
#define VCAN_SLOT           5
#define VCAN_PATH           "/machine/peripheral/vcan0/virtio-backend"
#define DEFAULT_OPS         7000
/* Requests a session posts to a queue before the driver resets */
#define SESSION_REQS        40
/* A buffer big enough for any request the test makes */
#define BUF_MAX             (HDR_SIZE + 80)

typedef struct Rig {
    Board b;
    SJAChan partner;
    QGuestAllocator alloc;
    QVirtioPCIDevice *pci;
    VCan vc;
    GRand *rand;
    /*
     * Guest buffers of each queue's requests, allocated once and used
     * again in every session (Rx buffers are the Rx queue's "in")
     */
    uint64_t out[VIRTIO_CAN_QUEUE_COUNT][SESSION_REQS];
    uint64_t in[VIRTIO_CAN_QUEUE_COUNT][SESSION_REQS];
    /* this session: requests posted per queue, and their heads */
    unsigned posted[VIRTIO_CAN_QUEUE_COUNT];
    uint32_t head[VIRTIO_CAN_QUEUE_COUNT][SESSION_REQS];
} Rig;

static uint32_t seed;
static uint64_t ops_per_run = DEFAULT_OPS;

static uint32_t rnd(Rig *r, uint32_t n)
{
    return g_rand_int_range(r->rand, 0, n);
}

static void rig_start(Rig *r, bool timing)
{
    g_autofree char *devices = g_strdup_printf(
        "-object can-bus,id=canbus0%s "
        "-device kvaser_pci,addr=0x%x,canbus=canbus0 "
        "-device virtio-can-pci,addr=0x%x,id=vcan0,canbus=canbus0",
        timing ? ",timing=on" : "", BOARD_SLOT, VCAN_SLOT);
    int q, i;

    board_start(&r->b, devices, 2);
    r->partner = (SJAChan) { .dev = r->b.dev,
                             .bar = r->b.bar[KVASER_SJA_BAR] };
    sja_pelican_setup(&r->partner, 0, 0);
    pc_alloc_init(&r->alloc, r->b.qts, ALLOC_NO_FLAGS);
    r->pci = vcan_pci_find(&r->vc, r->b.bus, &r->alloc, VCAN_SLOT);
    for (q = 0; q < VIRTIO_CAN_QUEUE_COUNT; q++) {
        for (i = 0; i < SESSION_REQS; i++) {
            r->out[q][i] = guest_alloc(&r->alloc, BUF_MAX);
            r->in[q][i] = guest_alloc(&r->alloc, BUF_MAX);
        }
    }
}

static void rig_stop(Rig *r)
{
    vcan_cleanup(&r->vc);
    vcan_pci_release(&r->pci);
    alloc_destroy(&r->alloc);
    board_stop(&r->b);
}

/* Reset and negotiate a random set of the features, at least one type */
static void new_session(Rig *r, bool first)
{
    uint64_t features;

    if (!first) {
        vcan_cleanup(&r->vc);
    }
    do {
        features = F_ALL & g_rand_int(r->rand);
    } while (!(features & (BIT_ULL(VIRTIO_CAN_F_CAN_CLASSIC) |
                           BIT_ULL(VIRTIO_CAN_F_CAN_FD))));
    if (!(features & BIT_ULL(VIRTIO_CAN_F_CAN_CLASSIC))) {
        features &= ~BIT_ULL(VIRTIO_CAN_F_RTR_FRAMES);
    }
    vcan_negotiate(&r->vc, features);
    memset(r->posted, 0, sizeof(r->posted));
}

/*
 * A request of random content: usually a well-formed message with one
 * field off, sometimes bytes of noise, in a buffer of random length
 */
static void random_request(Rig *r, int q, uint16_t msg_type)
{
    uint8_t buf[BUF_MAX];
    unsigned i = r->posted[q], len;
    uint32_t head;
    bool with_in;
    VMsg m = {
        .msg_type = msg_type,
        .length = rnd(r, 4) ? rnd(r, 9) : rnd(r, 80),
        .flags = rnd(r, 4) ? (rnd(r, 8) << 13) : g_rand_int(r->rand),
        .can_id = rnd(r, 4) ? rnd(r, 0x800) : g_rand_int(r->rand),
    };

    for (len = 0; len < sizeof(m.data); len++) {
        m.data[len] = g_rand_int(r->rand);
    }
    if (!rnd(r, 8)) {
        m.msg_type = g_rand_int(r->rand);
    }
    vmsg_encode(&m, buf);
    if (!rnd(r, 16)) {
        for (len = 0; len < sizeof(buf); len++) {
            buf[len] = g_rand_int(r->rand);
        }
    }
    len = rnd(r, 4) ? HDR_SIZE + MIN(m.length, 64) : 1 + rnd(r, BUF_MAX);
    qtest_memwrite(r->b.qts, r->out[q][i], buf, len);
    /* the result byte: sometimes a bigger in-buffer, or none */
    with_in = rnd(r, 16);
    head = qvirtqueue_add(r->b.qts, r->vc.vq[q], r->out[q][i], len, false,
                          with_in);
    if (with_in) {
        qtest_writeb(r->b.qts, r->in[q][i], 0xee);
        qvirtqueue_add(r->b.qts, r->vc.vq[q], r->in[q][i],
                       rnd(r, 8) ? 1 : 1 + rnd(r, BUF_MAX), true, false);
    }
    qvirtqueue_kick(r->b.qts, r->vc.vdev, r->vc.vq[q], head);
    r->head[q][i] = head;
    r->posted[q]++;
}

static void random_rx_buffer(Rig *r)
{
    unsigned i = r->posted[VIRTIO_CAN_QUEUE_RX];
    QVirtQueue *vq = r->vc.vq[VIRTIO_CAN_QUEUE_RX];
    uint32_t head;

    head = qvirtqueue_add(r->b.qts, vq, r->in[VIRTIO_CAN_QUEUE_RX][i],
                          rnd(r, 4) ? RX_BUF_SIZE : 1 + rnd(r, BUF_MAX),
                          true, false);
    qvirtqueue_kick(r->b.qts, r->vc.vdev, vq, head);
    r->head[VIRTIO_CAN_QUEUE_RX][i] = head;
    r->posted[VIRTIO_CAN_QUEUE_RX]++;
}

/*
 * What the device gave back: an Rx message of at most a header and 64
 * bytes; on Tx and control, a one-byte result OK or NOT_OK, or nothing
 * where there was no in-buffer for it
 */
static void reap(Rig *r)
{
    uint32_t head, len;
    unsigned i;
    int q;

    for (q = 0; q < VIRTIO_CAN_QUEUE_COUNT; q++) {
        while (qvirtqueue_get_buf(r->b.qts, r->vc.vq[q], &head, &len)) {
            for (i = 0; i < r->posted[q] && r->head[q][i] != head; i++) {
                /* the request it answers */
            }
            g_assert_cmpuint(i, <, r->posted[q]);
            if (q == VIRTIO_CAN_QUEUE_RX) {
                g_assert_cmpuint(len, <=, HDR_SIZE + 64);
            } else if (len) {
                g_assert_cmpuint(len, ==, 1);
                g_assert_cmpuint(qtest_readb(r->b.qts, r->in[q][i]), <=,
                                 VIRTIO_CAN_RESULT_NOT_OK);
            }
        }
    }
}

static uint64_t counter(Rig *r, const char *name)
{
    QDict *rsp = qtest_qmp(r->b.qts, "{ 'execute': 'qom-get', 'arguments': "
                           "{ 'path': %s, 'property': %s } }", VCAN_PATH,
                           name);
    uint64_t v;

    g_assert(qdict_haskey(rsp, "return"));
    v = qdict_get_int(rsp, "return");
    qobject_unref(rsp);
    return v;
}

/* What must hold after every few operations */
static void check_invariants(Rig *r)
{
    uint16_t status = vcan_status(&r->vc);

    g_assert_cmphex(status & ~VIRTIO_CAN_S_CTRL_BUSOFF, ==, 0);
    g_assert_cmpuint(counter(r, "tec"), <=, 255);
    g_assert_cmpuint(counter(r, "rec"), <=, 255);
}

static void random_op(Rig *r)
{
    uint32_t pick = rnd(r, 100);
    CanMsg m;

    if (pick < 30) {
        random_request(r, VIRTIO_CAN_QUEUE_TX, VIRTIO_CAN_TX);
    } else if (pick < 40) {
        random_request(r, VIRTIO_CAN_QUEUE_CONTROL,
                       rnd(r, 2) ? VIRTIO_CAN_SET_CTRL_MODE_START :
                                   VIRTIO_CAN_SET_CTRL_MODE_STOP);
    } else if (pick < 55) {
        random_rx_buffer(r);
    } else if (pick < 70) {
        m = (CanMsg) { .id = rnd(r, 0x800), .dlc = rnd(r, 9),
                       .rtr = !rnd(r, 8) };
        sja_load_tx(&r->partner, &m);
        sja_wr(&r->partner, A_CMR, R_CMR_TR_MASK);
    } else if (pick < 75) {
        /* the partner empties its FIFO and stops or starts acknowledging */
        while (sja_rd(&r->partner, A_SR) & R_SR_RBS_MASK) {
            sja_wr(&r->partner, A_CMR, R_CMR_RRB_MASK);
        }
        sja_wr(&r->partner, A_MOD, rnd(r, 4) ? 0 : 2);
    } else if (pick < 80) {
        qvirtio_config_readb(r->vc.vdev, rnd(r, 4));
    } else {
        qtest_clock_step(r->b.qts, rnd(r, 2000000));
    }
}

static void check_still_works(Rig *r)
{
    CanMsg sent = { .id = 0x5a5, .dlc = 2, .data = { 0xa5, 0x5a } };
    uint64_t addr;
    uint32_t head;
    VMsg m;

    sja_pelican_setup(&r->partner, 0, 0);
    vcan_cleanup(&r->vc);
    vcan_negotiate(&r->vc, F_ALL);
    head = vcan_rx_post(&r->vc, 1, &addr);
    g_assert_cmpuint(vcan_control(&r->vc, VIRTIO_CAN_SET_CTRL_MODE_START),
                     ==, VIRTIO_CAN_RESULT_OK);
    board_send(&r->b, &r->partner, &sent, R_CMR_TR_MASK);
    vcan_rx(&r->vc, head, addr, &m);
    g_assert_cmphex(m.can_id, ==, sent.id);
    m = tx_msg(0, 0x321, 3);
    g_assert_cmpuint(vcan_tx(&r->vc, &m), ==, VIRTIO_CAN_RESULT_OK);
    g_assert_cmphex(sja_rd(&r->partner, A_SR) & R_SR_RBS_MASK, ==,
                    R_SR_RBS_MASK);
}

static void run(bool timing)
{
    Rig r;
    uint64_t op;
    int q;

    memset(&r, 0, sizeof(r));
    r.rand = g_rand_new_with_seed(seed ^ timing);
    rig_start(&r, timing);
    new_session(&r, true);
    for (op = 0; op < ops_per_run; op++) {
        random_op(&r);
        reap(&r);
        for (q = 0; q < VIRTIO_CAN_QUEUE_COUNT; q++) {
            if (r.posted[q] >= SESSION_REQS) {
                new_session(&r, false);
                break;
            }
        }
        if (!(op % 64)) {
            check_invariants(&r);
        }
    }
    check_invariants(&r);
    check_still_works(&r);
    g_test_message("%" PRIu64 " operations, tx-rejected %" PRIu64
                   ", ctrl-rejected %" PRIu64 ", rx-dropped %" PRIu64
                   ", bus-off-count %" PRIu64, ops_per_run,
                   counter(&r, "tx-rejected"), counter(&r, "ctrl-rejected"),
                   counter(&r, "rx-dropped"), counter(&r, "bus-off-count"));
    rig_stop(&r);
    g_rand_free(r.rand);
}

static void test_random_timing_off(void)
{
    run(false);
}

static void test_random_timing_on(void)
{
    run(true);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    can_random_params(&seed, &ops_per_run);
    qtest_add_func("/can-random-traffic/virtio-can-pci/timing-off",
                   test_random_timing_off);
    qtest_add_func("/can-random-traffic/virtio-can-pci/timing-on",
                   test_random_timing_on);
    return g_test_run();
}
