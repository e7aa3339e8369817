/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The can-bus observer interface: fake controllers and an observer on a
 * real can-bus object, with the virtual clock in the test's hands.  The
 * observer must see each frame, each ACK error, error flag, arbitration
 * loss and state report, with its sender and the bus time, and must never
 * change an outcome by being there.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/main-loop.h"
#include "qemu/module.h"
#include "qemu/timer.h"
#include "qom/object_interfaces.h"
#include "system/cpu-timers.h"
#include "net/can_emu.h"

/* 500 kbit/s: 2 us a bit */
#define BITRATE     500000
#define BIT_NS      2000
/*
 * A standard frame, id 0x123, 8 bytes 1..8: 119 bits on the wire with its
 * stuff bits and interframe space, from its bit pattern
 */
#define FRAME_BITS  119
/* An active error flag and its delimiter */
#define ERROR_BITS  14

static int64_t virtual_ns;

int64_t cpus_get_virtual_clock(void)
{
    return virtual_ns;
}

void cpus_set_virtual_clock(int64_t new_time)
{
    virtual_ns = new_time;
}

/* Let virtual time run to @target, each timer firing at its own time */
static void run_until(int64_t target)
{
    int64_t deadline;

    for (;;) {
        deadline = qemu_clock_deadline_ns_all(QEMU_CLOCK_VIRTUAL,
                                              QEMU_TIMER_ATTR_ALL);
        if (deadline < 0 || virtual_ns + deadline > target) {
            break;
        }
        virtual_ns += deadline;
        qemu_clock_run_timers(QEMU_CLOCK_VIRTUAL);
    }
    virtual_ns = target;
}

typedef struct FakeNode {
    CanBusClientState client;
    const char *name;
    bool acks;
    bool one_shot;              /* withdraws a frame that failed once */
    bool flags_errors;          /* rx_error(): signals an active flag */
    bool full;                  /* rx_full(): its FIFO has no room */
    unsigned received;
    qemu_can_frame last;
    unsigned tx_results[3];
    unsigned rx_errors;
} FakeNode;

static bool fake_can_receive(CanBusClientState *client)
{
    return true;
}

static ssize_t fake_receive(CanBusClientState *client,
                            const qemu_can_frame *frames, size_t n)
{
    FakeNode *f = container_of(client, FakeNode, client);

    f->received += n;
    f->last = frames[n - 1];
    return n;
}

static bool fake_rx_full(CanBusClientState *client)
{
    return container_of(client, FakeNode, client)->full;
}

static bool fake_acks(CanBusClientState *client)
{
    return container_of(client, FakeNode, client)->acks;
}

static void fake_tx_done(CanBusClientState *client, CanTxResult result)
{
    FakeNode *f = container_of(client, FakeNode, client);

    f->tx_results[result]++;
    if (result != CAN_TX_OK && f->one_shot) {
        can_bus_client_tx_abort(client);
    }
}

static bool fake_rx_error(CanBusClientState *client,
                          const qemu_can_frame *frame, bool own)
{
    FakeNode *f = container_of(client, FakeNode, client);

    f->rx_errors++;
    return f->flags_errors;
}

static const CanBusClientInfo fake_info = {
    .can_receive = fake_can_receive,
    .receive = fake_receive,
    .rx_full = fake_rx_full,
    .acks = fake_acks,
    .tx_done = fake_tx_done,
    .rx_error = fake_rx_error,
};

/* A host backend's stand-in for nodes elsewhere */
static const CanBusClientInfo fake_remote_info = {
    .remote = true,
    .can_receive = fake_can_receive,
    .receive = fake_receive,
    .rx_error = fake_rx_error,
};

/* What the observer saw */
typedef struct SeenEvent {
    CanBusEventType type;
    int64_t time_ns;
    char *client;
    bool has_frame;
    qemu_can_frame frame;
    char *other;                /* error.node or arbitration.winner */
    unsigned bit;
    CanBusErrorKind kind;
    CanBusErrorField field;
    CanBusErrorState state;
    unsigned tec, rec;
} SeenEvent;

typedef struct Observer {
    CanBusClientState client;
    GArray *seen;
} Observer;

static void observer_observe(CanBusClientState *client,
                             const CanBusEvent *ev)
{
    Observer *o = container_of(client, Observer, client);
    SeenEvent s = {
        .type = ev->type,
        .time_ns = ev->time_ns,
        .client = g_strdup(ev->client),
        .has_frame = ev->frame,
    };

    if (ev->frame) {
        s.frame = *ev->frame;
    }
    switch (ev->type) {
    case CAN_BUS_EVENT_ERROR_FLAG:
        s.other = g_strdup(ev->error.node);
        s.kind = ev->error.kind;
        s.field = ev->error.field;
        break;
    case CAN_BUS_EVENT_ARBITRATION_LOST:
        s.other = g_strdup(ev->arbitration.winner);
        s.bit = ev->arbitration.bit;
        break;
    case CAN_BUS_EVENT_STATE:
        s.state = ev->state.state;
        s.tec = ev->state.tec;
        s.rec = ev->state.rec;
        break;
    default:
        break;
    }
    g_array_append_val(o->seen, s);
}

static const CanBusClientInfo observer_info = {
    .observe = observer_observe,
};

static void seen_clear(gpointer p)
{
    SeenEvent *s = p;

    g_free(s->client);
    g_free(s->other);
}

typedef struct Rig {
    Object *bus;
    FakeNode node[3];
    Observer obs;
} Rig;

static const char *const node_names[] = { "ctrl-a", "ctrl-b", "ctrl-c" };

/* A bus canbus0 (@timing) with @nodes fake controllers and an observer */
static void rig_start(Rig *r, bool timing, int nodes)
{
    int i;

    memset(r, 0, sizeof(*r));
    r->bus = object_new_with_props(TYPE_CAN_BUS, object_get_objects_root(),
                                   "canbus0", &error_abort,
                                   "timing", timing ? "on" : "off", NULL);
    for (i = 0; i < nodes; i++) {
        r->node[i].name = node_names[i];
        r->node[i].acks = true;
        can_bus_attach(CAN_BUS(r->bus), &r->node[i].client, &fake_info,
                       node_names[i], &error_abort);
        can_bus_client_set_bitrate(&r->node[i].client, BITRATE);
    }
    r->obs.seen = g_array_new(false, true, sizeof(SeenEvent));
    g_array_set_clear_func(r->obs.seen, seen_clear);
    can_bus_attach(CAN_BUS(r->bus), &r->obs.client, &observer_info,
                   "capture", &error_abort);
}

static void rig_stop(Rig *r)
{
    int i;

    can_bus_detach(&r->obs.client);
    g_array_free(r->obs.seen, true);
    for (i = 0; i < ARRAY_SIZE(r->node); i++) {
        can_bus_detach(&r->node[i].client);
    }
    object_unparent(r->bus);
}

static SeenEvent *seen(Rig *r, unsigned i)
{
    g_assert_cmpuint(i, <, r->obs.seen->len);
    return &g_array_index(r->obs.seen, SeenEvent, i);
}

static qemu_can_frame test_frame(uint32_t id)
{
    qemu_can_frame f = { .can_id = id, .can_dlc = 8 };
    int i;

    for (i = 0; i < 8; i++) {
        f.data[i] = i + 1;
    }
    return f;
}

static void assert_frame_is(const SeenEvent *s, uint32_t id)
{
    qemu_can_frame want = test_frame(id);

    g_assert(s->has_frame);
    g_assert_cmphex(s->frame.can_id, ==, id);
    g_assert_cmpuint(s->frame.can_dlc, ==, 8);
    g_assert_cmpmem(s->frame.data, 8, want.data, 8);
}

/* Instant bus: the frame, its sender, the time it was sent */
static void test_instant_frame(void)
{
    qemu_can_frame f = test_frame(0x123);
    Rig r;

    rig_start(&r, false, 2);
    run_until(virtual_ns + 1000000);
    can_bus_client_tx_start(&r.node[0].client, &f, false);
    g_assert_cmpuint(r.node[0].tx_results[CAN_TX_OK], ==, 1);
    g_assert_cmpuint(r.node[1].received, ==, 1);
    g_assert_cmpuint(r.obs.seen->len, ==, 1);
    g_assert_cmpint(seen(&r, 0)->type, ==, CAN_BUS_EVENT_FRAME);
    g_assert_cmpstr(seen(&r, 0)->client, ==, "ctrl-a");
    g_assert_cmpint(seen(&r, 0)->time_ns, ==, virtual_ns);
    assert_frame_is(seen(&r, 0), 0x123);
    rig_stop(&r);
}

/*
 * A node alone with an observer: the observer does not acknowledge, so
 * the frame fails with an ACK error, which the observer sees at every
 * attempt, each one frame and one error flag after the last.
 */
static void test_observer_does_not_ack(void)
{
    qemu_can_frame f = test_frame(0x123);
    const int64_t retry = (FRAME_BITS + ERROR_BITS) * BIT_NS;
    int64_t t0;
    Rig r;

    rig_start(&r, false, 1);
    t0 = virtual_ns;
    can_bus_client_tx_start(&r.node[0].client, &f, false);
    run_until(t0 + 2 * retry);
    g_assert_cmpuint(r.node[0].tx_results[CAN_TX_OK], ==, 0);
    g_assert_cmpuint(r.node[0].tx_results[CAN_TX_NO_ACK], ==, 3);
    g_assert_cmpuint(r.obs.seen->len, ==, 3);
    for (int i = 0; i < 3; i++) {
        g_assert_cmpint(seen(&r, i)->type, ==, CAN_BUS_EVENT_ACK_ERROR);
        g_assert_cmpstr(seen(&r, i)->client, ==, "ctrl-a");
        g_assert_cmpint(seen(&r, i)->time_ns, ==, t0 + i * retry);
        assert_frame_is(seen(&r, i), 0x123);
    }
    can_bus_client_tx_abort(&r.node[0].client);
    rig_stop(&r);
}

/* Timed bus: the frame is seen when its last bit has passed */
static void test_timed_frame_at_its_end(void)
{
    qemu_can_frame f = test_frame(0x123);
    int64_t t0;
    Rig r;

    rig_start(&r, true, 2);
    t0 = virtual_ns;
    can_bus_client_tx_start(&r.node[0].client, &f, false);
    run_until(t0 + (FRAME_BITS - 1) * BIT_NS);
    g_assert_cmpuint(r.obs.seen->len, ==, 0);
    run_until(t0 + FRAME_BITS * BIT_NS);
    g_assert_cmpuint(r.obs.seen->len, ==, 1);
    g_assert_cmpint(seen(&r, 0)->type, ==, CAN_BUS_EVENT_FRAME);
    g_assert_cmpstr(seen(&r, 0)->client, ==, "ctrl-a");
    g_assert_cmpint(seen(&r, 0)->time_ns, ==, t0 + FRAME_BITS * BIT_NS);
    assert_frame_is(seen(&r, 0), 0x123);
    g_assert_cmpuint(r.node[1].received, ==, 1);
    rig_stop(&r);
}

/*
 * Two frames start together: the observer sees the higher identifier lose
 * (where, and to whom) at the start, then the two frames one after the
 * other.  0x123 and 0x124 first differ in identifier bit 2, the ninth
 * bit sent (bit 8 counting from 0).
 */
static void test_timed_arbitration(void)
{
    qemu_can_frame low = test_frame(0x123), high = test_frame(0x124);
    int64_t t0;
    Rig r;

    rig_start(&r, true, 3);
    t0 = virtual_ns;
    can_bus_client_tx_start(&r.node[1].client, &high, false);
    can_bus_client_tx_start(&r.node[0].client, &low, false);
    run_until(t0 + 4 * FRAME_BITS * BIT_NS);
    g_assert_cmpuint(r.obs.seen->len, ==, 3);
    g_assert_cmpint(seen(&r, 0)->type, ==, CAN_BUS_EVENT_ARBITRATION_LOST);
    g_assert_cmpstr(seen(&r, 0)->client, ==, "ctrl-b");
    g_assert_cmpstr(seen(&r, 0)->other, ==, "ctrl-a");
    g_assert_cmpuint(seen(&r, 0)->bit, ==, 8);
    g_assert_cmpint(seen(&r, 0)->time_ns, ==, t0);
    assert_frame_is(seen(&r, 0), 0x124);
    g_assert_cmpint(seen(&r, 1)->type, ==, CAN_BUS_EVENT_FRAME);
    g_assert_cmpstr(seen(&r, 1)->client, ==, "ctrl-a");
    assert_frame_is(seen(&r, 1), 0x123);
    g_assert_cmpint(seen(&r, 2)->type, ==, CAN_BUS_EVENT_FRAME);
    g_assert_cmpstr(seen(&r, 2)->client, ==, "ctrl-b");
    assert_frame_is(seen(&r, 2), 0x124);
    g_assert_cmpint(seen(&r, 2)->time_ns, >, seen(&r, 1)->time_ns);
    g_assert_cmpuint(r.node[2].received, ==, 2);
    rig_stop(&r);
}

/*
 * A node at half the sender's bitrate cannot follow it and flags a stuff
 * error in the identifier: the observer sees that flag, who raised it and
 * which frame it destroyed, and no frame.
 */
static void test_timed_error_flag(void)
{
    qemu_can_frame f = test_frame(0x123);
    Rig r;

    rig_start(&r, true, 2);
    r.node[0].one_shot = true;
    r.node[1].flags_errors = true;
    can_bus_client_set_bitrate(&r.node[1].client, BITRATE / 2);
    can_bus_client_tx_start(&r.node[0].client, &f, false);
    run_until(virtual_ns + 2 * FRAME_BITS * BIT_NS);
    g_assert_cmpuint(r.node[0].tx_results[CAN_TX_ERROR], ==, 1);
    g_assert_cmpuint(r.node[1].rx_errors, ==, 1);
    g_assert_cmpuint(r.obs.seen->len, ==, 1);
    g_assert_cmpint(seen(&r, 0)->type, ==, CAN_BUS_EVENT_ERROR_FLAG);
    g_assert_cmpstr(seen(&r, 0)->client, ==, "ctrl-a");
    g_assert_cmpstr(seen(&r, 0)->other, ==, "ctrl-b");
    g_assert_cmpint(seen(&r, 0)->kind, ==, CAN_BUS_ERROR_STUFF);
    g_assert_cmpint(seen(&r, 0)->field, ==, CAN_BUS_FIELD_IDENTIFIER);
    assert_frame_is(seen(&r, 0), 0x123);
    g_assert_cmpuint(r.node[1].received, ==, 0);
    rig_stop(&r);
}

/*
 * A backend's remote nodes destroyed a frame at their bitrate: the node
 * here that cannot follow it sees its own error and flags, the one that
 * can sees that flag, the observer an error flag with no frame; on a bus
 * without timing nothing happens.
 */
static void test_remote_error(void)
{
    FakeNode remote = { .name = "backend" };
    int timing;
    Rig r;

    for (timing = 0; timing <= 1; timing++) {
        rig_start(&r, timing, 2);
        r.node[0].flags_errors = true;
        can_bus_attach(CAN_BUS(r.bus), &remote.client, &fake_remote_info,
                       remote.name, &error_abort);
        can_bus_client_set_bitrate(&remote.client, BITRATE / 2);
        can_bus_client_set_bitrate(&r.node[1].client, BITRATE / 2);
        can_bus_client_remote_error(&remote.client);
        g_assert_cmpuint(r.node[0].rx_errors, ==, timing);
        g_assert_cmpuint(r.node[1].rx_errors, ==, timing);
        g_assert_cmpuint(remote.rx_errors, ==, 0);
        g_assert_cmpuint(r.obs.seen->len, ==, timing);
        if (timing) {
            g_assert_cmpint(seen(&r, 0)->type, ==, CAN_BUS_EVENT_ERROR_FLAG);
            g_assert_cmpstr(seen(&r, 0)->client, ==, "backend");
            g_assert_cmpstr(seen(&r, 0)->other, ==, "ctrl-a");
            g_assert(!seen(&r, 0)->has_frame);
        }
        can_bus_detach(&remote.client);
        rig_stop(&r);
    }
}

/*
 * The bitrate a backend tells the nodes beyond it is the controllers',
 * never another backend's stand-in bitrate, whichever attached first
 */
static void test_remote_peer_bitrate(void)
{
    FakeNode a = { .name = "backend-a" }, b = { .name = "backend-b" };
    Rig r;

    rig_start(&r, true, 0);
    can_bus_attach(CAN_BUS(r.bus), &a.client, &fake_remote_info, a.name,
                   &error_abort);
    can_bus_attach(CAN_BUS(r.bus), &b.client, &fake_remote_info, b.name,
                   &error_abort);
    can_bus_client_set_bitrate(&a.client, BITRATE / 2);
    g_assert_cmpuint(can_bus_client_peer_bitrate(&b.client), ==, 0);
    can_bus_attach(CAN_BUS(r.bus), &r.node[0].client, &fake_info, "ctrl-a",
                   &error_abort);
    can_bus_client_set_bitrate(&r.node[0].client, BITRATE);
    g_assert_cmpuint(can_bus_client_peer_bitrate(&b.client), ==, BITRATE);
    g_assert_cmpuint(can_bus_client_peer_bitrate(&a.client), ==, BITRATE);
    can_bus_detach(&a.client);
    can_bus_detach(&b.client);
    rig_stop(&r);
}

/*
 * Frames from beyond the bus (a backend's) wait while a receiver is full
 * and go, in order, once it frees room; on both engines
 */
static void test_hold_until_freed(void)
{
    FakeNode backend = { .name = "backend" };
    qemu_can_frame f[3] = { test_frame(0x101), test_frame(0x102),
                            test_frame(0x103) };
    int timing;
    Rig r;

    for (timing = 0; timing <= 1; timing++) {
        rig_start(&r, timing, 1);
        can_bus_attach(CAN_BUS(r.bus), &backend.client, &fake_remote_info,
                       backend.name, &error_abort);
        r.node[0].full = true;
        g_assert_cmpint(can_bus_client_send(&backend.client, f, 3), ==, 3);
        run_until(virtual_ns + 10 * SCALE_MS);
        g_assert_cmpuint(r.node[0].received, ==, 0);
        r.node[0].full = false;
        can_bus_client_rx_freed(&r.node[0].client);
        run_until(virtual_ns + 10 * SCALE_MS);
        g_assert_cmpuint(r.node[0].received, ==, 3);
        g_assert_cmphex(r.node[0].last.can_id, ==, 0x103);
        can_bus_detach(&backend.client);
        rig_stop(&r);
    }
}

/*
 * A receiver that stays full for 100 ms is stalled: it is overrun as on
 * a wire, and frames no longer wait for it until it frees room
 */
static void test_hold_stalled(void)
{
    FakeNode backend = { .name = "backend" };
    qemu_can_frame f = test_frame(0x101);
    Rig r;

    rig_start(&r, false, 1);
    can_bus_attach(CAN_BUS(r.bus), &backend.client, &fake_remote_info,
                   backend.name, &error_abort);
    r.node[0].full = true;
    can_bus_client_send(&backend.client, &f, 1);
    run_until(virtual_ns + 99 * SCALE_MS);
    g_assert_cmpuint(r.node[0].received, ==, 0);
    run_until(virtual_ns + 2 * SCALE_MS);
    g_assert_cmpuint(r.node[0].received, ==, 1);
    can_bus_client_send(&backend.client, &f, 1);
    g_assert_cmpuint(r.node[0].received, ==, 2);
    /* room again: the next frames wait for it as before */
    can_bus_client_rx_freed(&r.node[0].client);
    can_bus_client_send(&backend.client, &f, 1);
    g_assert_cmpuint(r.node[0].received, ==, 2);
    can_bus_detach(&backend.client);
    rig_stop(&r);
}

/*
 * Each receiver's wait is its own: another that frees room meanwhile does
 * not put off the stall of one that stays full
 */
static void test_hold_stalled_among_readers(void)
{
    FakeNode backend = { .name = "backend" };
    qemu_can_frame f = test_frame(0x101);
    Rig r;

    rig_start(&r, false, 2);
    can_bus_attach(CAN_BUS(r.bus), &backend.client, &fake_remote_info,
                   backend.name, &error_abort);
    r.node[0].full = true;
    r.node[1].full = true;
    can_bus_client_send(&backend.client, &f, 1);
    run_until(virtual_ns + 50 * SCALE_MS);
    r.node[1].full = false;
    can_bus_client_rx_freed(&r.node[1].client);
    run_until(virtual_ns + 49 * SCALE_MS);
    g_assert_cmpuint(r.node[1].received, ==, 0);
    run_until(virtual_ns + 2 * SCALE_MS);
    g_assert_cmpuint(r.node[0].received, ==, 1);
    g_assert_cmpuint(r.node[1].received, ==, 1);
    can_bus_detach(&backend.client);
    rig_stop(&r);
}

/* The wait is bounded: frames beyond 1024 are dropped and counted */
static void test_hold_bound(void)
{
    FakeNode backend = { .name = "backend" };
    qemu_can_frame f = test_frame(0x101);
    unsigned taken = 0;
    int i;
    Rig r;

    rig_start(&r, false, 1);
    can_bus_attach(CAN_BUS(r.bus), &backend.client, &fake_remote_info,
                   backend.name, &error_abort);
    r.node[0].full = true;
    for (i = 0; i < 1025; i++) {
        taken += can_bus_client_send(&backend.client, &f, 1);
    }
    g_assert_cmpuint(taken, ==, 1024);
    g_assert_cmpuint(object_property_get_uint(r.bus, "drops", &error_abort),
                     ==, 1);
    r.node[0].full = false;
    can_bus_client_rx_freed(&r.node[0].client);
    g_assert_cmpuint(r.node[0].received, ==, 1024);
    can_bus_detach(&backend.client);
    rig_stop(&r);
}

/* A controller's state report reaches the observer with its counters */
static void test_state_report(void)
{
    Rig r;

    rig_start(&r, false, 1);
    run_until(virtual_ns + 5000);
    can_bus_client_report_state(&r.node[0].client,
                                CAN_BUS_STATE_ERROR_PASSIVE, 128, 3);
    g_assert_cmpuint(r.obs.seen->len, ==, 1);
    g_assert_cmpint(seen(&r, 0)->type, ==, CAN_BUS_EVENT_STATE);
    g_assert_cmpstr(seen(&r, 0)->client, ==, "ctrl-a");
    g_assert(!seen(&r, 0)->has_frame);
    g_assert_cmpint(seen(&r, 0)->state, ==, CAN_BUS_STATE_ERROR_PASSIVE);
    g_assert_cmpuint(seen(&r, 0)->tec, ==, 128);
    g_assert_cmpuint(seen(&r, 0)->rec, ==, 3);
    g_assert_cmpint(seen(&r, 0)->time_ns, ==, virtual_ns);
    rig_stop(&r);
}

/* An observer cannot send, needs a bus, and takes a name of its own */
static void test_observer_attach_checks(void)
{
    qemu_can_frame f = test_frame(0x123);
    CanBusClientState lone = { 0 }, twin = { 0 };
    Error *err = NULL;
    Rig r;

    rig_start(&r, false, 1);
    g_assert_cmpint(can_bus_client_send(&r.obs.client, &f, 1), ==, -1);
    g_assert_cmpuint(r.obs.seen->len, ==, 0);
    g_assert(!can_bus_attach(NULL, &lone, &observer_info, "nowhere", &err));
    error_free_or_abort(&err);
    g_assert(!can_bus_attach(CAN_BUS(r.bus), &twin, &observer_info,
                             "ctrl-a", &err));
    error_free_or_abort(&err);
    g_assert(!can_bus_attach(CAN_BUS(r.bus), &r.obs.client, &observer_info,
                             "capture2", &err));
    error_free_or_abort(&err);
    rig_stop(&r);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    module_call_init(MODULE_INIT_QOM);
    qemu_init_main_loop(&error_abort);
    /* as a running VM has it */
    qemu_clock_enable(QEMU_CLOCK_VIRTUAL, true);

    g_test_add_func("/can-bus/observer/instant-frame", test_instant_frame);
    g_test_add_func("/can-bus/observer/does-not-ack",
                    test_observer_does_not_ack);
    g_test_add_func("/can-bus/observer/timed-frame-at-its-end",
                    test_timed_frame_at_its_end);
    g_test_add_func("/can-bus/observer/timed-arbitration",
                    test_timed_arbitration);
    g_test_add_func("/can-bus/observer/timed-error-flag",
                    test_timed_error_flag);
    g_test_add_func("/can-bus/observer/remote-error", test_remote_error);
    g_test_add_func("/can-bus/remote/peer-bitrate",
                    test_remote_peer_bitrate);
    g_test_add_func("/can-bus/observer/state-report", test_state_report);
    g_test_add_func("/can-bus/hold/until-freed", test_hold_until_freed);
    g_test_add_func("/can-bus/hold/stalled", test_hold_stalled);
    g_test_add_func("/can-bus/hold/stalled-among-readers",
                    test_hold_stalled_among_readers);
    g_test_add_func("/can-bus/hold/bound", test_hold_bound);
    g_test_add_func("/can-bus/observer/attach-checks",
                    test_observer_attach_checks);
    return g_test_run();
}
