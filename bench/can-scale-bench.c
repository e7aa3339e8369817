/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The benchmark behind bench/scale: how the host CPU a frame costs grows
 * with the number of SJA1000 channels on one can-bus.
 *
 * CHANNELS channels (Kvaser PCIcan-Q boards of 4 channels, or one board
 * of 2) all on can-bus canbus0; channel 0 sends FRAMES standard data
 * frames of 8 bytes, 4 at a time (what the RX FIFO holds), and every other
 * channel receives each of them: a driver reads RMC and releases the 4
 * frames, and checks the last 4 frames byte for byte.  The CPU time is
 * QEMU's, user and system, of all its threads (/proc/PID/task/TID/
 * schedstat, in ns), over the frames only: start-up and set-up are left
 * out.  It includes QEMU's side of the qtest protocol, one round trip per
 * register access: about 14 accesses per frame sent and 1.25 per frame
 * received.
 *
 * Usage: can-scale-bench CHANNELS on|off FRAMES   (QTEST_QEMU_BINARY=QEMU)
 * Prints: SCALE channels=N timing=on|off frames=F delivered=D cpu_ns=T
 */

#include "qemu/osdep.h"
#include "libqtest.h"
#include "libqos/pci-pc.h"
#include "can-sja1000-frame.h"

#define FIRST_SLOT          4
#define KVASER_SJA_BAR      1
#define KVASER_CHANNEL_SIZE 0x20
#define CHANNELS_PER_BOARD  4
#define MAX_CHANNELS        64
#define BATCH               4       /* 8-byte frames the RX FIFO holds */

typedef struct Rig {
    QTestState *qts;
    QPCIBus *bus;
    int boards;
    QPCIDevice *dev[MAX_CHANNELS / CHANNELS_PER_BOARD];
    SJAChan chan[MAX_CHANNELS];
    int channels;
} Rig;

static void rig_start(Rig *r, int channels, bool timing)
{
    int per_board = MIN(channels, CHANNELS_PER_BOARD);
    GString *cmd = g_string_new("-machine pc -nodefaults");
    int b, i;

    memset(r, 0, sizeof(*r));
    r->channels = channels;
    r->boards = channels / per_board;
    g_string_append_printf(cmd, " -object can-bus,id=canbus0%s",
                           timing ? ",timing=on" : "");
    for (b = 0; b < r->boards; b++) {
        g_string_append_printf(cmd, " -device kvaser_pci,addr=0x%x,"
                               "channels=%d", FIRST_SLOT + b, per_board);
        for (i = 0; i < per_board; i++) {
            g_string_append_printf(cmd, ",canbus%d=/objects/canbus0", i);
        }
    }
    r->qts = qtest_init(cmd->str);
    g_string_free(cmd, true);
    r->bus = qpci_new_pc(r->qts, NULL);
    for (b = 0; b < r->boards; b++) {
        QPCIBar bar;

        r->dev[b] = qpci_device_find(r->bus, QPCI_DEVFN(FIRST_SLOT + b, 0));
        g_assert(r->dev[b]);
        qpci_device_enable(r->dev[b]);
        bar = qpci_iomap(r->dev[b], KVASER_SJA_BAR, NULL);
        for (i = 0; i < per_board; i++) {
            r->chan[b * per_board + i] = (SJAChan) {
                .dev = r->dev[b], .bar = bar,
                .base = i * KVASER_CHANNEL_SIZE,
            };
        }
    }
    for (i = 0; i < channels; i++) {
        sja_pelican_setup(&r->chan[i], 0, 0);
    }
}

static void rig_stop(Rig *r)
{
    int b;

    for (b = 0; b < r->boards; b++) {
        g_free(r->dev[b]);
    }
    qpci_free_pc(r->bus);
    qtest_quit(r->qts);
}

/* CPU time of every thread of process @pid so far, in ns */
static uint64_t cpu_ns(pid_t pid)
{
    g_autofree char *dir = g_strdup_printf("/proc/%d/task", (int)pid);
    GDir *tasks = g_dir_open(dir, 0, NULL);
    const char *tid;
    uint64_t sum = 0;

    g_assert(tasks);
    while ((tid = g_dir_read_name(tasks))) {
        g_autofree char *path = g_strdup_printf("%s/%s/schedstat", dir, tid);
        g_autofree char *text = NULL;

        /* a thread that has just exited has no schedstat any more */
        if (g_file_get_contents(path, &text, NULL, NULL)) {
            sum += g_ascii_strtoull(text, NULL, 10);
        }
    }
    g_dir_close(tasks);
    return sum;
}

static CanMsg frame(unsigned i)
{
    CanMsg m = { .id = 0x100 + (i & 0xff), .dlc = 8 };
    unsigned j;

    for (j = 0; j < 8; j++) {
        m.data[j] = i + j;
    }
    return m;
}

/* Channel 0 sends @frames frames; returns how many the others stored */
static uint64_t run(Rig *r, unsigned frames)
{
    SJAChan *tx = &r->chan[0];
    uint64_t delivered = 0;
    unsigned i, k;
    int c;

    for (i = 0; i < frames; i += BATCH) {
        bool last = i + BATCH >= frames;

        for (k = 0; k < BATCH; k++) {
            CanMsg m = frame(i + k);

            sja_load_tx(tx, &m);
            sja_wr(tx, A_CMR, R_CMR_TR_MASK);
            /* the wire time of a frame at 500 kbit/s, with timing=on */
            qtest_clock_step(r->qts, 1000000);
            g_assert(sja_rd(tx, A_SR) & R_SR_TCS_MASK);
        }
        for (c = 1; c < r->channels; c++) {
            g_assert(sja_rd(&r->chan[c], A_RMC) == BATCH);
            for (k = 0; k < BATCH; k++) {
                if (last) {
                    CanMsg m = frame(i + k);

                    sja_assert_next_rx(&r->chan[c], &m);
                } else {
                    sja_wr(&r->chan[c], A_CMR, R_CMR_RRB_MASK);
                }
            }
            delivered += BATCH;
        }
    }
    return delivered;
}

int main(int argc, char **argv)
{
    unsigned frames;
    int channels;
    bool timing;
    uint64_t t0, t1, delivered;
    Rig r;

    g_test_init(&argc, &argv, NULL);
    if (argc != 4 || (strcmp(argv[2], "on") && strcmp(argv[2], "off"))) {
        fprintf(stderr, "usage: %s CHANNELS on|off FRAMES\n", argv[0]);
        return 2;
    }
    channels = atoi(argv[1]);
    timing = !strcmp(argv[2], "on");
    frames = ROUND_UP(MAX(atoi(argv[3]), 1), BATCH);
    if (channels < 2 || channels > MAX_CHANNELS ||
        (channels > CHANNELS_PER_BOARD && channels % CHANNELS_PER_BOARD) ||
        channels == 3) {
        fprintf(stderr, "%s: CHANNELS is 2, 4 or a multiple of 4 up to %d\n",
                argv[0], MAX_CHANNELS);
        return 2;
    }

    rig_start(&r, channels, timing);
    t0 = cpu_ns(qtest_pid(r.qts));
    delivered = run(&r, frames);
    t1 = cpu_ns(qtest_pid(r.qts));
    rig_stop(&r);
    printf("SCALE channels=%d timing=%s frames=%u delivered=%" PRIu64
           " cpu_ns=%" PRIu64 "\n", channels, timing ? "on" : "off", frames,
           delivered, t1 - t0);
    return 0;
}
