/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The benchmark behind bench/socketcan: frames per second each way
 * between a raw socket on vcan0 and the guest's Kvaser channel, through
 * the register interface as a driver would move them, on the rig of the
 * can-host-socketcan qtest (tests/qtest/can-socketcan-qtest.h).  It runs
 * in the Linux VM of tests/hostvm (tests/hostvm/run --bench).
 *
 * It uses nothing upstream QEMU lacks, so it runs against both; as
 * Debian's QEMU is built without the qtest accelerator, both run on TCG
 * with the vCPUs stopped (-S), where qtest still reaches the devices.
 * Only data frames: upstream QEMU garbles extended remote frames.
 *
 * Usage: can-socketcan-bench [--tap] FRAMES   (QTEST_QEMU_BINARY=QEMU)
 * Each direction prints "# HOSTVM-METRIC dir=D frames=N us=T fps=F".
 */

#include "qemu/osdep.h"
#include "can-socketcan-qtest.h"

static unsigned bench_frames;

static void bench_report(const char *dir, unsigned n, int64_t us)
{
    printf("# HOSTVM-METRIC dir=%s frames=%u us=%" PRId64 " fps=%.0f\n",
           dir, n, us, n * (double)G_USEC_PER_SEC / MAX(us, 1));
}

/* @move's frames per second through vcan0 and the guest's channel */
static void bench_direction(const char *dir,
                            void (*move)(Rig *r, int fd, unsigned first,
                                         unsigned n))
{
    int64_t t0;
    Rig r;
    int fd;

    if (!rig_start_host(&r, "", &fd, NULL)) {
        return;
    }
    t0 = g_get_monotonic_time();
    move(&r, fd, 0, bench_frames);
    bench_report(dir, bench_frames, g_get_monotonic_time() - t0);
    rig_stop(&r);
    close(fd);
}

static void bench_host_to_guest(void)
{
    bench_direction("host-to-guest", host_to_guest);
}

static void bench_guest_to_host(void)
{
    bench_direction("guest-to-host", guest_to_host);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    if (argc != 2 || atoi(argv[1]) < 1) {
        fprintf(stderr, "usage: %s [--tap] FRAMES\n", argv[0]);
        return 2;
    }
    bench_frames = atoi(argv[1]);
    rig_qemu_args = "-S -accel tcg";
    seq_kinds = 2;
    qtest_add_func("/socketcan/bench/host-to-guest", bench_host_to_guest);
    qtest_add_func("/socketcan/bench/guest-to-host", bench_guest_to_host);
    return g_test_run();
}
