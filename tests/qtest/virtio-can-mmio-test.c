/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QTest for virtio-can-device on the Arm virt machine's virtio-mmio
 * transports: the same device as virtio-can-pci.  On the modern transport
 * (force-legacy=false, which Linux's virtio_can needs for VERSION_1) it is
 * found and negotiated; libqos sets up queues only on the legacy one
 * (QUEUE_PFN), where two devices exchange classic and CAN FD frames.
 */

#include "qemu/osdep.h"
#include "libqos/virtio-mmio.h"
#include "can-virtio-qtest.h"

/* virt's virtio-mmio transports: a device plugs into the last one free */
#define MMIO_LAST           0x0a003e00
#define MMIO_STRIDE         0x200
#define MMIO_MAGIC          0x74726976  /* "virt" */
#define VIRT_RAM_ADDR       0x40000000
#define VIRT_RAM_SIZE       0x20000000
#define VIRT_PAGE_SIZE      4096

typedef struct MRig {
    QTestState *qts;
    QGuestAllocator alloc;
    QVirtioMMIODevice mmio[2];
    VCan vc[2];
} MRig;

/*
 * The command line of docs/system/devices/can.rst, "virtio-can", for
 * virt: -global virtio-mmio.force-legacy=false -object can-bus,id=canbus0
 * -device virtio-can-device,canbus=canbus0 (twice here)
 */
static void mrig_start(MRig *r, bool modern, uint64_t features)
{
    int i;

    memset(r, 0, sizeof(*r));
    r->qts = qtest_initf("-machine virt -m 512M -nodefaults "
                         "-global virtio-mmio.force-legacy=%s "
                         "-object can-bus,id=canbus0 "
                         "-device virtio-can-device,canbus=canbus0 "
                         "-device virtio-can-device,canbus=canbus0",
                         modern ? "false" : "true");
    alloc_init(&r->alloc, 0, VIRT_RAM_ADDR, VIRT_RAM_ADDR + VIRT_RAM_SIZE,
               VIRT_PAGE_SIZE);
    for (i = 0; i < 2; i++) {
        qvirtio_mmio_init_device(&r->mmio[i], r->qts,
                                 MMIO_LAST - i * MMIO_STRIDE, VIRT_PAGE_SIZE);
        r->vc[i].qts = r->qts;
        r->vc[i].alloc = &r->alloc;
        r->vc[i].vdev = &r->mmio[i].vdev;
        if (features) {
            vcan_negotiate(&r->vc[i], features);
        }
    }
}

static void mrig_stop(MRig *r)
{
    int i;

    for (i = 0; i < 2; i++) {
        if (r->vc[i].vq[0]) {
            vcan_cleanup(&r->vc[i]);
        }
    }
    alloc_destroy(&r->alloc);
    qtest_quit(r->qts);
}

static void test_mmio_identity_and_features(void)
{
    MRig r;

    mrig_start(&r, true, 0);
    g_assert_cmphex(qtest_readl(r.qts, MMIO_LAST), ==, MMIO_MAGIC);
    g_assert_cmpuint(r.mmio[0].version, ==, 2);
    g_assert_cmpint(r.vc[0].vdev->device_type, ==, VIRTIO_ID_CAN);
    vcan_negotiate(&r.vc[0], F_ALL);
    g_assert_cmphex(qvirtio_get_features(r.vc[0].vdev) & (F_ALL | F_V1), ==,
                    F_ALL | F_V1);
    g_assert_cmphex(vcan_status(&r.vc[0]), ==, 0);
    mrig_stop(&r);
}

/* A classic frame and CAN FD frames up to 64 bytes, in order, exact */
static void test_mmio_frames_between_two_devices(void)
{
    static const struct {
        uint32_t flags, id;
        uint16_t len;
    } sent[] = {
        { 0, 0x123, 8 },
        { VIRTIO_CAN_FLAGS_FD, 0x124, 12 },
        { VIRTIO_CAN_FLAGS_FD | VIRTIO_CAN_FLAGS_EXTENDED, 0x1234567, 64 },
    };
    uint64_t addr[ARRAY_SIZE(sent)];
    uint32_t head;
    MRig r;
    unsigned i;

    mrig_start(&r, false, F_ALL);
    head = vcan_rx_post(&r.vc[1], ARRAY_SIZE(sent), addr);
    for (i = 0; i < 2; i++) {
        g_assert_cmpuint(vcan_control(&r.vc[i],
                                      VIRTIO_CAN_SET_CTRL_MODE_START), ==,
                         VIRTIO_CAN_RESULT_OK);
    }
    for (i = 0; i < ARRAY_SIZE(sent); i++) {
        VMsg m = tx_msg(sent[i].flags, sent[i].id, sent[i].len);

        g_assert_cmpuint(vcan_tx(&r.vc[0], &m), ==, VIRTIO_CAN_RESULT_OK);
    }
    for (i = 0; i < ARRAY_SIZE(sent); i++) {
        VMsg want = tx_msg(sent[i].flags, sent[i].id, sent[i].len);
        VMsg m;

        vcan_rx(&r.vc[1], head + i, addr[i], &m);
        g_assert_cmphex(m.flags, ==, want.flags);
        g_assert_cmphex(m.can_id, ==, want.can_id);
        g_assert_cmpuint(m.length, ==, want.length);
        g_assert(!memcmp(m.data, want.data, want.length));
    }
    mrig_stop(&r);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/virtio-can/mmio/identity-and-features",
                   test_mmio_identity_and_features);
    qtest_add_func("/virtio-can/mmio/frames-between-two-devices",
                   test_mmio_frames_between_two_devices);
    return g_test_run();
}
