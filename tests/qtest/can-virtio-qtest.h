/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the virtio-can qtests share, whatever the transport: the device's
 * message layout as the VIRTIO 1.4 CAN device section gives it (written
 * from the specification, not from the model's header), feature
 * negotiation, and requests on the three queues through libqos.
 */

#ifndef CAN_VIRTIO_QTEST_H
#define CAN_VIRTIO_QTEST_H

#include "qemu/bitops.h"
#include "qemu/bswap.h"
#include "libqtest.h"
#include "libqos/virtio.h"
#include "libqos/libqos-malloc.h"
#include "standard-headers/linux/virtio_config.h"
#include "standard-headers/linux/virtio_ids.h"

/* The VIRTIO 1.4 CAN device, as the specification spells it */
#define VIRTIO_CAN_F_CAN_CLASSIC        0
#define VIRTIO_CAN_F_CAN_FD             1
#define VIRTIO_CAN_F_RTR_FRAMES         2
#define VIRTIO_CAN_F_LATE_TX_ACK        3
#define VIRTIO_CAN_QUEUE_TX             0
#define VIRTIO_CAN_QUEUE_RX             1
#define VIRTIO_CAN_QUEUE_CONTROL        2
#define VIRTIO_CAN_QUEUE_COUNT          3
#define VIRTIO_CAN_S_CTRL_BUSOFF        1
#define VIRTIO_CAN_RESULT_OK            0
#define VIRTIO_CAN_RESULT_NOT_OK        1
#define VIRTIO_CAN_TX                   0x0001
#define VIRTIO_CAN_RX                   0x0101
#define VIRTIO_CAN_SET_CTRL_MODE_START  0x0201
#define VIRTIO_CAN_SET_CTRL_MODE_STOP   0x0202
#define VIRTIO_CAN_FLAGS_EXTENDED       0x8000
#define VIRTIO_CAN_FLAGS_FD             0x4000
#define VIRTIO_CAN_FLAGS_RTR            0x2000

#define TIMEOUT_NS          (5 * 1000 * 1000 * 1000LL)

#define F_ALL (BIT_ULL(VIRTIO_CAN_F_CAN_CLASSIC) | \
               BIT_ULL(VIRTIO_CAN_F_CAN_FD) | \
               BIT_ULL(VIRTIO_CAN_F_RTR_FRAMES) | \
               BIT_ULL(VIRTIO_CAN_F_LATE_TX_ACK))
#define F_V1  BIT_ULL(VIRTIO_F_VERSION_1)

#define HDR_SIZE            16
#define RX_BUF_SIZE         (HDR_SIZE + 64)

/* One virtio-can device as a driver sees it */
typedef struct VCan {
    QTestState *qts;
    QVirtioDevice *vdev;
    QGuestAllocator *alloc;
    QVirtQueue *vq[VIRTIO_CAN_QUEUE_COUNT];
} VCan;

/* A frame in the device's message layout */
typedef struct VMsg {
    uint16_t msg_type;
    uint16_t length;
    uint8_t classic_dlc;
    uint32_t flags;
    uint32_t can_id;
    uint8_t data[64];
} VMsg;

static inline void vmsg_encode(const VMsg *m, uint8_t *buf)
{
    memset(buf, 0, HDR_SIZE);
    stw_le_p(buf, m->msg_type);
    stw_le_p(buf + 2, m->length);
    buf[4] = m->classic_dlc;
    stl_le_p(buf + 8, m->flags);
    stl_le_p(buf + 12, m->can_id);
    memcpy(buf + HDR_SIZE, m->data, MIN(m->length, 64));
}

static inline void vmsg_decode(const uint8_t *buf, VMsg *m)
{
    memset(m, 0, sizeof(*m));
    m->msg_type = lduw_le_p(buf);
    m->length = lduw_le_p(buf + 2);
    m->classic_dlc = buf[4];
    m->flags = ldl_le_p(buf + 8);
    m->can_id = ldl_le_p(buf + 12);
    memcpy(m->data, buf + HDR_SIZE, MIN(m->length, 64));
}

/*
 * Reset, negotiate @features (and VERSION_1 unless the transport is a
 * legacy one, which does not offer it), set up the three queues, DRIVER_OK
 */
static inline void vcan_negotiate(VCan *v, uint64_t features)
{
    int i;

    g_assert_cmpint(v->vdev->device_type, ==, VIRTIO_ID_CAN);
    qvirtio_reset(v->vdev);
    qvirtio_set_acknowledge(v->vdev);
    qvirtio_set_driver(v->vdev);
    features |= qvirtio_get_features(v->vdev) & F_V1;
    qvirtio_set_features(v->vdev, features);
    for (i = 0; i < VIRTIO_CAN_QUEUE_COUNT; i++) {
        v->vq[i] = qvirtqueue_setup(v->vdev, v->alloc, i);
    }
    qvirtio_set_driver_ok(v->vdev);
}

static inline void vcan_cleanup(VCan *v)
{
    int q;

    for (q = 0; q < VIRTIO_CAN_QUEUE_COUNT; q++) {
        qvirtqueue_cleanup(v->vdev->bus, v->vq[q], v->alloc);
    }
}

/* Whether the request at @head is used within @ns of virtual time */
static inline bool vq_wait(VCan *v, QVirtQueue *vq, uint32_t head,
                           uint32_t *len, int64_t ns)
{
    uint32_t got;
    int64_t t;

    for (t = 0; t <= ns; t += 100000) {
        if (qvirtqueue_get_buf(v->qts, vq, &got, len)) {
            g_assert_cmpuint(got, ==, head);
            return true;
        }
        qtest_clock_step(v->qts, 100000);
    }
    return false;
}

/* Post a request of @out_len bytes from @out with a one-byte result */
static inline uint32_t vq_post(VCan *v, QVirtQueue *vq, const void *out,
                               size_t out_len, uint64_t *result_addr)
{
    uint64_t o = guest_alloc(v->alloc, MAX(out_len, 1));
    uint64_t in = guest_alloc(v->alloc, 1);
    uint32_t head;

    qtest_memwrite(v->qts, o, out, out_len);
    qtest_writeb(v->qts, in, 0xee);
    head = qvirtqueue_add(v->qts, vq, o, out_len, false, true);
    qvirtqueue_add(v->qts, vq, in, 1, true, false);
    qvirtqueue_kick(v->qts, v->vdev, vq, head);
    *result_addr = in;
    return head;
}

/* A request's result byte, which must come within the timeout */
static inline uint8_t vq_result(VCan *v, QVirtQueue *vq, uint32_t head,
                                uint64_t in)
{
    uint32_t len;

    g_assert(vq_wait(v, vq, head, &len, TIMEOUT_NS));
    g_assert_cmpuint(len, ==, 1);
    return qtest_readb(v->qts, in);
}

static inline uint8_t vcan_control(VCan *v, uint16_t msg_type)
{
    uint8_t out[2];
    uint64_t in;
    uint32_t head;

    stw_le_p(out, msg_type);
    head = vq_post(v, v->vq[VIRTIO_CAN_QUEUE_CONTROL], out, 2, &in);
    return vq_result(v, v->vq[VIRTIO_CAN_QUEUE_CONTROL], head, in);
}

static inline uint32_t vcan_tx_post(VCan *v, const VMsg *m, size_t len,
                                    uint64_t *in)
{
    uint8_t buf[HDR_SIZE + 64];

    vmsg_encode(m, buf);
    return vq_post(v, v->vq[VIRTIO_CAN_QUEUE_TX], buf, len, in);
}

/* Send @m (@len bytes of request) and return the result */
static inline uint8_t vcan_tx_len(VCan *v, const VMsg *m, size_t len)
{
    uint64_t in;
    uint32_t head = vcan_tx_post(v, m, len, &in);

    return vq_result(v, v->vq[VIRTIO_CAN_QUEUE_TX], head, in);
}

static inline uint8_t vcan_tx(VCan *v, const VMsg *m)
{
    bool rtr = m->flags & VIRTIO_CAN_FLAGS_RTR;

    return vcan_tx_len(v, m, HDR_SIZE + (rtr ? 0 : m->length));
}

/* Give the device @n receive buffers; returns the first one's head */
static inline uint32_t vcan_rx_post(VCan *v, unsigned n, uint64_t *addrs)
{
    QVirtQueue *vq = v->vq[VIRTIO_CAN_QUEUE_RX];
    uint32_t head = 0, h;
    unsigned i;

    for (i = 0; i < n; i++) {
        addrs[i] = guest_alloc(v->alloc, RX_BUF_SIZE);
        h = qvirtqueue_add(v->qts, vq, addrs[i], RX_BUF_SIZE, true, false);
        qvirtqueue_kick(v->qts, v->vdev, vq, h);
        if (!i) {
            head = h;
        }
    }
    return head;
}

/* The next received message, in buffer @addr posted as @head */
static inline void vcan_rx(VCan *v, uint32_t head, uint64_t addr, VMsg *m)
{
    uint8_t buf[RX_BUF_SIZE];
    uint32_t len;

    g_assert(vq_wait(v, v->vq[VIRTIO_CAN_QUEUE_RX], head, &len, TIMEOUT_NS));
    qtest_memread(v->qts, addr, buf, sizeof(buf));
    vmsg_decode(buf, m);
    g_assert_cmphex(m->msg_type, ==, VIRTIO_CAN_RX);
    g_assert_cmpuint(len, ==, HDR_SIZE + m->length);
}

static inline uint16_t vcan_status(VCan *v)
{
    return qvirtio_config_readw(v->vdev, 0);
}

/* A Tx request with a classic standard frame of @len bytes 0x10.. */
static inline VMsg tx_msg(uint32_t flags, uint32_t id, uint16_t len)
{
    VMsg m = {
        .msg_type = VIRTIO_CAN_TX, .length = len, .flags = flags,
        .can_id = id,
    };
    unsigned i;

    for (i = 0; i < 64; i++) {
        m.data[i] = 0x10 + i;
    }
    return m;
}

#endif
