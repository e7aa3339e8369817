/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio-can: the VIRTIO 1.4 CAN device as a client of a can-bus.
 *
 * The guest's Txq is the transmit queue: the device takes one request at a
 * time from it, when the wire is free for it, so that frames leave in the
 * guest's order and nothing is queued twice.  With LATE_TX_ACK the request
 * is answered when the bus reports the frame acknowledged; without, when
 * it is handed to the bus.  Frames from the bus go to the guest's Rxq
 * buffers; with none available the frame is lost to this node, as to a
 * controller whose receive FIFO is full, and counted.  Errors count as a
 * real controller's TEC and REC do (ISO 11898-1 12.1.4); at bus-off the
 * device stops, sets BUSOFF in its status and fails what was pending, as
 * the specification says.  A START request brings it back.
 */

#include "qemu/osdep.h"
#include "qemu/iov.h"
#include "qemu/log.h"
#include "qemu/module.h"
#include "qemu/timer.h"
#include "qapi/error.h"
#include "hw/qdev-properties.h"
#include "hw/virtio/virtio.h"
#include "hw/virtio/virtio-can.h"
#include "standard-headers/linux/virtio_ids.h"
#include "migration/qemu-file-types.h"
#include "migration/vmstate.h"
#include "can_bus_prop.h"
#include "trace.h"

#define VIRTIO_CAN_QUEUE_SIZE       128

/*
 * The least time between two Txq batches started by kicks.  Under TCG a
 * kick wakes QEMU's main loop (the transport's ioeventfd), which takes the
 * Txq; without a pause the guest kicks for nearly every frame, and the
 * wake-ups cost more than the frames.  A kick that comes sooner after the
 * last batch is taken when the pause is over, with what the guest queued
 * meanwhile without kicking (the avail event stays where the last batch
 * left it).  A kick after a quiet spell is taken at once.
 */
#define VIRTIO_CAN_TX_BATCH_NS      (200 * SCALE_US)

/* ISO 11898-1 fault confinement limits */
#define CAN_WARNING_LIMIT           96
#define CAN_PASSIVE_LIMIT           128
#define CAN_BUS_OFF_LIMIT           255

struct VirtIOCANTxReq {
    VirtQueueElement elem;
};

static const char *virtio_can_path(VirtIOCAN *s)
{
    return DEVICE(s)->canonical_path;
}

static bool virtio_can_has(VirtIOCAN *s, unsigned feature)
{
    return virtio_vdev_has_feature(VIRTIO_DEVICE(s), feature);
}

static bool virtio_can_passive(VirtIOCAN *s)
{
    return s->tec >= CAN_PASSIVE_LIMIT || s->rec >= CAN_PASSIVE_LIMIT;
}

static CanBusErrorState virtio_can_error_state(VirtIOCAN *s)
{
    if (s->status & VIRTIO_CAN_S_CTRL_BUSOFF) {
        return CAN_BUS_STATE_BUS_OFF;
    }
    if (virtio_can_passive(s)) {
        return CAN_BUS_STATE_ERROR_PASSIVE;
    }
    if (s->tec >= CAN_WARNING_LIMIT || s->rec >= CAN_WARNING_LIMIT) {
        return CAN_BUS_STATE_ERROR_WARNING;
    }
    return CAN_BUS_STATE_ERROR_ACTIVE;
}

/* Move the counters by the deltas, telling the bus if the state changed */
static void virtio_can_count(VirtIOCAN *s, int tec_delta, int rec_delta)
{
    CanBusErrorState was = virtio_can_error_state(s);
    CanBusErrorState now;

    s->tec = MAX((int)s->tec + tec_delta, 0);
    s->rec = MIN(MAX((int)s->rec + rec_delta, 0), UINT8_MAX);
    now = virtio_can_error_state(s);
    if (now != was) {
        can_bus_client_report_state(&s->bus_client, now, s->tec, s->rec);
    }
}

static void virtio_can_complete(VirtQueue *vq, VirtQueueElement *elem,
                                uint8_t result)
{
    size_t len = iov_from_buf(elem->in_sg, elem->in_num, 0, &result, 1);

    virtqueue_push(vq, elem, len);
    g_free(elem);
}

/*
 * Why the Txq request @elem must be answered NOT_OK (spec, "CAN Message
 * Transmission"), or NULL with its frame in @frame.
 */
static const char *virtio_can_parse_tx(VirtIOCAN *s, VirtQueueElement *elem,
                                       qemu_can_frame *frame)
{
    VirtIOCANHeader hdr = { 0 };
    size_t size = iov_size(elem->out_sg, elem->out_num);
    const char *why;

    iov_to_buf(elem->out_sg, elem->out_num, 0, &hdr, sizeof(hdr));
    why = virtio_can_tx_refusal(&hdr, size, VIRTIO_DEVICE(s)->guest_features);
    if (why) {
        return why;
    }
    virtio_can_tx_frame(&hdr, frame);
    if (!(frame->can_id & QEMU_CAN_RTR_FLAG)) {
        iov_to_buf(elem->out_sg, elem->out_num, sizeof(hdr), frame->data,
                   frame->can_dlc);
    }
    return NULL;
}

/*
 * Take requests from the Txq while the wire is free for the next one: the
 * instant bus may complete a frame inside can_bus_client_tx_start(), whose
 * tx_done() then leaves the next request, and the used-buffer
 * notification, to this loop: one for all it completed.
 */
static void virtio_can_pump_tx(VirtIOCAN *s)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(s);
    VirtQueueElement *elem;
    qemu_can_frame frame;
    const char *why;
    bool taken = false;

    if (s->tx_pumping) {
        return;
    }
    s->tx_pumping = true;
    while (!s->tx_busy &&
           (elem = virtqueue_pop(s->txq, sizeof(VirtIOCANTxReq)))) {
        taken = true;
        /* STOPPED: answered NOT_OK, never sent (spec, "Controller Mode") */
        if (!s->started) {
            s->tx_cancelled++;
            trace_virtio_can_tx_stopped(virtio_can_path(s));
            virtio_can_complete(s->txq, elem, VIRTIO_CAN_RESULT_NOT_OK);
            continue;
        }
        why = virtio_can_parse_tx(s, elem, &frame);
        if (why) {
            s->tx_rejected++;
            qemu_log_mask(LOG_GUEST_ERROR, "%s: Tx request refused: %s\n",
                          virtio_can_path(s), why);
            virtio_can_complete(s->txq, elem, VIRTIO_CAN_RESULT_NOT_OK);
            continue;
        }
        trace_virtio_can_tx(virtio_can_path(s), frame.can_id, frame.can_dlc,
                            frame.flags);
        s->tx_busy = true;
        if (virtio_can_has(s, VIRTIO_CAN_F_LATE_TX_ACK)) {
            s->tx_req = container_of(elem, VirtIOCANTxReq, elem);
        } else {
            /* scheduled for transmission is enough without LATE_TX_ACK */
            virtio_can_complete(s->txq, elem, VIRTIO_CAN_RESULT_OK);
        }
        can_bus_client_tx_start(&s->bus_client, &frame, false);
    }
    s->tx_pumping = false;
    if (taken) {
        virtio_notify(vdev, s->txq);
    }
}

/* Answer the request waiting for the wire's outcome, if one does */
static void virtio_can_answer_tx(VirtIOCAN *s, uint8_t result)
{
    if (s->tx_req) {
        virtio_can_complete(s->txq, &s->tx_req->elem, result);
        s->tx_req = NULL;
        if (!s->tx_pumping) {
            virtio_notify(VIRTIO_DEVICE(s), s->txq);
        }
    }
}

/*
 * Withdraw the frame from the bus.  One on the wire already completes
 * there; tx_done() then only counts it.
 */
static void virtio_can_withdraw_tx(VirtIOCAN *s)
{
    if (s->tx_busy && can_bus_client_tx_abort(&s->bus_client)) {
        s->tx_busy = false;
    }
}

/* STOPPED: nothing pending stays pending (spec, "Controller Mode") */
static void virtio_can_stop(VirtIOCAN *s)
{
    s->started = false;
    virtio_can_withdraw_tx(s);
    if (s->tx_req) {
        s->tx_cancelled++;
        virtio_can_answer_tx(s, VIRTIO_CAN_RESULT_NOT_OK);
    }
    virtio_can_pump_tx(s);
    /* it takes nothing now: nobody need wait for its buffers */
    can_bus_client_rx_freed(&s->bus_client);
}

static void virtio_can_bus_off(VirtIOCAN *s)
{
    trace_virtio_can_bus_off(virtio_can_path(s), s->tec);
    s->bus_off_count++;
    s->status |= VIRTIO_CAN_S_CTRL_BUSOFF;
    s->rec = 0;
    can_bus_client_report_state(&s->bus_client, CAN_BUS_STATE_BUS_OFF,
                                s->tec, s->rec);
    virtio_can_stop(s);
    virtio_notify_config(VIRTIO_DEVICE(s));
}

static void virtio_can_tx_done(CanBusClientState *client, CanTxResult result)
{
    VirtIOCAN *s = container_of(client, VirtIOCAN, bus_client);

    trace_virtio_can_tx_done(virtio_can_path(s), result, s->tec);
    if (result == CAN_TX_OK) {
        s->tx_busy = false;
        virtio_can_count(s, s->tec ? -1 : 0, 0);
        virtio_can_answer_tx(s, VIRTIO_CAN_RESULT_OK);
        virtio_can_pump_tx(s);
        return;
    }
    /*
     * An error-passive transmitter that sees only an ACK error keeps its
     * count (ISO 11898-1 12.1.4.2 exception 1): a lone node stays error
     * passive and never goes bus-off.
     */
    if (result != CAN_TX_NO_ACK || !virtio_can_passive(s)) {
        if (s->tec + 8 > CAN_BUS_OFF_LIMIT) {
            s->tec += 8;
            virtio_can_bus_off(s);
            return;
        }
        virtio_can_count(s, 8, 0);
    }
    /* the bus retries the frame, unless it was stopped meanwhile */
    if (!s->started) {
        virtio_can_withdraw_tx(s);
        virtio_can_pump_tx(s);
    }
}

static bool virtio_can_rx_error(CanBusClientState *client,
                                const qemu_can_frame *frame, bool own)
{
    VirtIOCAN *s = container_of(client, VirtIOCAN, bus_client);
    bool active_flag;

    if (!s->started) {
        return false;
    }
    active_flag = !virtio_can_passive(s);
    /* +1 for a receiver's error, +8 more for the node that flagged first */
    virtio_can_count(s, 0, own ? 9 : 1);
    return active_flag;
}

static bool virtio_can_error_passive(CanBusClientState *client)
{
    return virtio_can_passive(container_of(client, VirtIOCAN, bus_client));
}

static bool virtio_can_acks(CanBusClientState *client)
{
    return container_of(client, VirtIOCAN, bus_client)->started;
}

static bool virtio_can_can_receive(CanBusClientState *client)
{
    /* a stopped controller hears the wire too; receive() decides */
    return true;
}

/*
 * Started, with no Rxq buffer left: frames from beyond the bus wait for
 * the driver to give more, instead of being lost
 */
static bool virtio_can_rx_full(CanBusClientState *client)
{
    VirtIOCAN *s = container_of(client, VirtIOCAN, bus_client);

    return s->started && virtio_queue_empty(s->rxq);
}

/* Put @frame in the next Rxq buffer; whether a buffer was used */
static bool virtio_can_deliver(VirtIOCAN *s, const qemu_can_frame *frame)
{
    VirtIOCANHeader hdr;
    VirtQueueElement *elem;
    size_t len;

    elem = virtqueue_pop(s->rxq, sizeof(VirtQueueElement));
    if (!elem) {
        s->rx_dropped++;
        trace_virtio_can_rx_dropped(virtio_can_path(s), frame->can_id);
        return false;
    }
    virtio_can_rx_header(frame, &hdr);
    len = sizeof(hdr) + virtio_can_rx_payload(frame);
    if (iov_size(elem->in_sg, elem->in_num) < len) {
        qemu_log_mask(LOG_GUEST_ERROR, "%s: Rx buffer of %zu bytes is too "
                      "small for a frame of %u\n", virtio_can_path(s),
                      iov_size(elem->in_sg, elem->in_num), frame->can_dlc);
        s->rx_dropped++;
        virtqueue_push(s->rxq, elem, 0);
        g_free(elem);
        return true;
    }
    iov_from_buf(elem->in_sg, elem->in_num, 0, &hdr, sizeof(hdr));
    iov_from_buf(elem->in_sg, elem->in_num, sizeof(hdr), frame->data,
                 len - sizeof(hdr));
    trace_virtio_can_rx(virtio_can_path(s), frame->can_id, frame->can_dlc,
                        frame->flags);
    virtqueue_push(s->rxq, elem, len);
    g_free(elem);
    return true;
}

static ssize_t virtio_can_receive(CanBusClientState *client,
                                  const qemu_can_frame *frames,
                                  size_t frames_cnt)
{
    VirtIOCAN *s = container_of(client, VirtIOCAN, bus_client);
    bool delivered = false;
    size_t i;

    if (!s->started) {
        return frames_cnt;
    }
    for (i = 0; i < frames_cnt; i++) {
        if (frames[i].can_id & QEMU_CAN_ERR_FLAG) {
            continue;
        }
        if (!virtio_can_rx_negotiated(&frames[i],
                                      VIRTIO_DEVICE(s)->guest_features)) {
            s->rx_refused++;
            continue;
        }
        /* ISO 11898-1: from above the passive limit back to 119..127 */
        if (s->rec > CAN_PASSIVE_LIMIT - 1) {
            virtio_can_count(s, 0, CAN_PASSIVE_LIMIT - 1 - s->rec);
        } else if (s->rec) {
            virtio_can_count(s, 0, -1);
        }
        if (virtio_can_deliver(s, &frames[i])) {
            delivered = true;
        }
    }
    if (delivered) {
        virtio_notify(VIRTIO_DEVICE(s), s->rxq);
    }
    return frames_cnt;
}

static const CanBusClientInfo virtio_can_bus_client_info = {
    .can_receive = virtio_can_can_receive,
    .receive = virtio_can_receive,
    .rx_full = virtio_can_rx_full,
    .acks = virtio_can_acks,
    .tx_done = virtio_can_tx_done,
    .rx_error = virtio_can_rx_error,
    .error_passive = virtio_can_error_passive,
};

static uint8_t virtio_can_control(VirtIOCAN *s, uint16_t msg_type)
{
    switch (msg_type) {
    case VIRTIO_CAN_SET_CTRL_MODE_START:
        if (s->status & VIRTIO_CAN_S_CTRL_BUSOFF) {
            /* restart after bus-off: counters from 0, error active */
            s->status &= ~VIRTIO_CAN_S_CTRL_BUSOFF;
            s->tec = 0;
            s->rec = 0;
            can_bus_client_report_state(&s->bus_client,
                                        CAN_BUS_STATE_ERROR_ACTIVE, 0, 0);
        }
        s->started = true;
        virtio_can_pump_tx(s);
        return VIRTIO_CAN_RESULT_OK;
    case VIRTIO_CAN_SET_CTRL_MODE_STOP:
        virtio_can_stop(s);
        return VIRTIO_CAN_RESULT_OK;
    default:
        qemu_log_mask(LOG_GUEST_ERROR, "%s: unknown control msg_type 0x%04x\n",
                      virtio_can_path(s), msg_type);
        s->ctrl_rejected++;
        return VIRTIO_CAN_RESULT_NOT_OK;
    }
}

static void virtio_can_handle_ctrl(VirtIODevice *vdev, VirtQueue *vq)
{
    VirtIOCAN *s = VIRTIO_CAN(vdev);
    VirtQueueElement *elem;
    uint16_t msg_type = 0;
    uint8_t result;
    bool taken = false;

    while ((elem = virtqueue_pop(vq, sizeof(VirtQueueElement)))) {
        taken = true;
        if (iov_to_buf(elem->out_sg, elem->out_num, 0, &msg_type,
                       sizeof(msg_type)) < sizeof(msg_type)) {
            qemu_log_mask(LOG_GUEST_ERROR, "%s: short control request\n",
                          virtio_can_path(s));
            s->ctrl_rejected++;
            result = VIRTIO_CAN_RESULT_NOT_OK;
        } else {
            result = virtio_can_control(s, le16_to_cpu(msg_type));
        }
        trace_virtio_can_control(virtio_can_path(s), le16_to_cpu(msg_type),
                                 result);
        virtio_can_complete(vq, elem, result);
    }
    if (taken) {
        virtio_notify(vdev, vq);
    }
}

/* A batch of the guest's requests, started by a kick */
/* New Rx buffers: frames that waited for them may come */
static void virtio_can_handle_rx(VirtIODevice *vdev, VirtQueue *vq)
{
    can_bus_client_rx_freed(&VIRTIO_CAN(vdev)->bus_client);
}

static void virtio_can_tx_batch(void *opaque)
{
    VirtIOCAN *s = opaque;

    s->tx_batch_at = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) +
                     VIRTIO_CAN_TX_BATCH_NS;
    virtio_can_pump_tx(s);
}

static void virtio_can_handle_tx(VirtIODevice *vdev, VirtQueue *vq)
{
    VirtIOCAN *s = VIRTIO_CAN(vdev);

    if (timer_pending(s->tx_batch_timer)) {
        return;
    }
    if (qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) < s->tx_batch_at) {
        timer_mod(s->tx_batch_timer, s->tx_batch_at);
    } else {
        virtio_can_tx_batch(s);
    }
}

static uint64_t virtio_can_get_features(VirtIODevice *vdev, uint64_t features,
                                        Error **errp)
{
    return features | VIRTIO_CAN(vdev)->host_features;
}

static int virtio_can_validate_features(VirtIODevice *vdev)
{
    if (!virtio_can_features_valid(vdev->guest_features)) {
        qemu_log_mask(LOG_GUEST_ERROR, "%s: features 0x%" PRIx64 " break "
                      "the CAN feature bit requirements\n",
                      virtio_can_path(VIRTIO_CAN(vdev)), vdev->guest_features);
        return -EINVAL;
    }
    return 0;
}

static void virtio_can_get_config(VirtIODevice *vdev, uint8_t *config)
{
    stw_le_p(config, VIRTIO_CAN(vdev)->status);
}

static void virtio_can_reset(VirtIODevice *vdev)
{
    VirtIOCAN *s = VIRTIO_CAN(vdev);
    CanBusErrorState was = virtio_can_error_state(s);

    /* the queues are gone: what was pending dies with them, unanswered */
    timer_del(s->tx_batch_timer);
    s->tx_batch_at = 0;
    virtio_can_withdraw_tx(s);
    g_free(s->tx_req);
    s->tx_req = NULL;
    s->started = false;
    s->status = 0;
    s->tec = 0;
    s->rec = 0;
    if (was != CAN_BUS_STATE_ERROR_ACTIVE) {
        can_bus_client_report_state(&s->bus_client,
                                    CAN_BUS_STATE_ERROR_ACTIVE, 0, 0);
    }
}

static void virtio_can_realize(DeviceState *dev, Error **errp)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(dev);
    VirtIOCAN *s = VIRTIO_CAN(dev);
    g_autofree char *path = object_get_canonical_path(OBJECT(dev));

    if (!virtio_can_features_valid(s->host_features)) {
        error_setg(errp, "virtio-can needs can-classic or can-fd on, and "
                   "rtr-frames needs can-classic");
        return;
    }
    /* with no bus, alone: nobody acknowledges, as on hardware */
    if (!can_bus_attach(s->bus, &s->bus_client, &virtio_can_bus_client_info,
                        path, errp)) {
        return;
    }
    virtio_init(vdev, VIRTIO_ID_CAN, VIRTIO_CAN_CONFIG_SIZE);
    s->txq = virtio_add_queue(vdev, VIRTIO_CAN_QUEUE_SIZE,
                              virtio_can_handle_tx);
    s->rxq = virtio_add_queue(vdev, VIRTIO_CAN_QUEUE_SIZE,
                              virtio_can_handle_rx);
    s->ctrlq = virtio_add_queue(vdev, VIRTIO_CAN_QUEUE_SIZE,
                                virtio_can_handle_ctrl);
    s->tx_batch_timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, virtio_can_tx_batch,
                                     s);
}

static void virtio_can_unrealize(DeviceState *dev)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(dev);
    VirtIOCAN *s = VIRTIO_CAN(dev);

    timer_free(s->tx_batch_timer);
    can_bus_detach(&s->bus_client);
    g_free(s->tx_req);
    s->tx_req = NULL;
    virtio_delete_queue(s->txq);
    virtio_delete_queue(s->rxq);
    virtio_delete_queue(s->ctrlq);
    virtio_cleanup(vdev);
}

static void virtio_can_instance_init(Object *obj)
{
    VirtIOCAN *s = VIRTIO_CAN(obj);

    object_property_add_uint16_ptr(obj, "tec", &s->tec, OBJ_PROP_FLAG_READ);
    object_property_add_uint8_ptr(obj, "rec", &s->rec, OBJ_PROP_FLAG_READ);
    object_property_add_uint64_ptr(obj, "tx-rejected", &s->tx_rejected,
                                   OBJ_PROP_FLAG_READ);
    object_property_add_uint64_ptr(obj, "tx-cancelled", &s->tx_cancelled,
                                   OBJ_PROP_FLAG_READ);
    object_property_add_uint64_ptr(obj, "rx-dropped", &s->rx_dropped,
                                   OBJ_PROP_FLAG_READ);
    object_property_add_uint64_ptr(obj, "rx-refused", &s->rx_refused,
                                   OBJ_PROP_FLAG_READ);
    object_property_add_uint64_ptr(obj, "ctrl-rejected", &s->ctrl_rejected,
                                   OBJ_PROP_FLAG_READ);
    object_property_add_uint64_ptr(obj, "bus-off-count", &s->bus_off_count,
                                   OBJ_PROP_FLAG_READ);
}

/*
 * The request on the wire under LATE_TX_ACK travels as a virtqueue
 * element, after a byte that says whether there is one.
 */
static int virtio_can_put_tx_req(QEMUFile *f, void *pv, size_t size,
                                 const VMStateField *field, JSONWriter *vmdesc)
{
    VirtIOCANTxReq **req = pv;
    VirtIOCAN *s = container_of(req, VirtIOCAN, tx_req);

    qemu_put_byte(f, !!*req);
    if (*req) {
        qemu_put_virtqueue_element(VIRTIO_DEVICE(s), f, &(*req)->elem);
    }
    return 0;
}

static int virtio_can_get_tx_req(QEMUFile *f, void *pv, size_t size,
                                 const VMStateField *field)
{
    VirtIOCANTxReq **req = pv;
    VirtIOCAN *s = container_of(req, VirtIOCAN, tx_req);
    VirtQueueElement *elem;
    qemu_can_frame frame;

    switch (qemu_get_byte(f)) {
    case 0:
        return 0;
    case 1:
        break;
    default:
        return -EINVAL;
    }
    elem = qemu_get_virtqueue_element(VIRTIO_DEVICE(s), f,
                                      sizeof(VirtIOCANTxReq));
    if (!elem) {
        return -EINVAL;
    }
    *req = container_of(elem, VirtIOCANTxReq, elem);
    /* it was checked when taken; a stream that says otherwise is corrupt */
    if (elem->index >= VIRTIO_CAN_QUEUE_SIZE ||
        virtio_can_parse_tx(s, elem, &frame)) {
        return -EINVAL;
    }
    return 0;
}

static const VMStateInfo vmstate_info_virtio_can_tx_req = {
    .name = "virtio-can-tx-request",
    .get = virtio_can_get_tx_req,
    .put = virtio_can_put_tx_req,
};

static int virtio_can_post_load(void *opaque, int version_id)
{
    VirtIOCAN *s = opaque;

    if (s->tec > CAN_BUS_OFF_LIMIT + 8 || (s->tx_req && !s->tx_busy) ||
        (s->tx_req && !virtio_can_has(s, VIRTIO_CAN_F_LATE_TX_ACK)) ||
        (s->status & ~VIRTIO_CAN_S_CTRL_BUSOFF) ||
        (s->started && (s->status & VIRTIO_CAN_S_CTRL_BUSOFF))) {
        return -EINVAL;
    }
    /*
     * A kick may have been waiting for its batch, and the guest does not
     * kick again for requests it queued after it: look at the Txq once.
     */
    timer_mod(s->tx_batch_timer, qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL));
    return 0;
}

static bool virtio_can_alone_pending(void *opaque)
{
    VirtIOCAN *s = opaque;

    return can_bus_client_alone_pending(&s->bus_client);
}

/* A device with no bus carries its frame in flight itself */
static const VMStateDescription vmstate_virtio_can_alone = {
    .name = "virtio-can/alone",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = virtio_can_alone_pending,
    .fields = (const VMStateField[]) {
        VMSTATE_STRUCT(bus_client, VirtIOCAN, 1, vmstate_can_bus_client,
                       CanBusClientState),
        VMSTATE_END_OF_LIST()
    }
};

static const VMStateDescription vmstate_virtio_can_device = {
    .name = "virtio-can-device",
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = virtio_can_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_BOOL(started, VirtIOCAN),
        VMSTATE_UINT16(status, VirtIOCAN),
        VMSTATE_UINT16(tec, VirtIOCAN),
        VMSTATE_UINT8(rec, VirtIOCAN),
        VMSTATE_BOOL(tx_busy, VirtIOCAN),
        VMSTATE_UINT64(tx_rejected, VirtIOCAN),
        VMSTATE_UINT64(tx_cancelled, VirtIOCAN),
        VMSTATE_UINT64(rx_dropped, VirtIOCAN),
        VMSTATE_UINT64(rx_refused, VirtIOCAN),
        VMSTATE_UINT64(ctrl_rejected, VirtIOCAN),
        VMSTATE_UINT64(bus_off_count, VirtIOCAN),
        VMSTATE_SINGLE(tx_req, VirtIOCAN, 1, vmstate_info_virtio_can_tx_req,
                       VirtIOCANTxReq *),
        VMSTATE_END_OF_LIST()
    },
    .subsections = (const VMStateDescription * const []) {
        &vmstate_virtio_can_alone,
        NULL
    }
};

static const VMStateDescription vmstate_virtio_can = {
    .name = "virtio-can",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_VIRTIO_DEVICE,
        VMSTATE_END_OF_LIST()
    },
};

static const Property virtio_can_properties[] = {
    DEFINE_PROP_CAN_BUS("canbus", VirtIOCAN, bus),
    DEFINE_PROP_BIT64("can-classic", VirtIOCAN, host_features,
                      VIRTIO_CAN_F_CAN_CLASSIC, true),
    DEFINE_PROP_BIT64("can-fd", VirtIOCAN, host_features,
                      VIRTIO_CAN_F_CAN_FD, true),
    DEFINE_PROP_BIT64("rtr-frames", VirtIOCAN, host_features,
                      VIRTIO_CAN_F_RTR_FRAMES, true),
    DEFINE_PROP_BIT64("late-tx-ack", VirtIOCAN, host_features,
                      VIRTIO_CAN_F_LATE_TX_ACK, true),
};

static void virtio_can_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    VirtioDeviceClass *vdc = VIRTIO_DEVICE_CLASS(klass);

    device_class_set_props(dc, virtio_can_properties);
    dc->vmsd = &vmstate_virtio_can;
    set_bit(DEVICE_CATEGORY_NETWORK, dc->categories);
    vdc->realize = virtio_can_realize;
    vdc->unrealize = virtio_can_unrealize;
    vdc->get_features = virtio_can_get_features;
    vdc->validate_features = virtio_can_validate_features;
    vdc->get_config = virtio_can_get_config;
    vdc->reset = virtio_can_reset;
    vdc->vmsd = &vmstate_virtio_can_device;
}

static const TypeInfo virtio_can_info = {
    .name = TYPE_VIRTIO_CAN,
    .parent = TYPE_VIRTIO_DEVICE,
    .instance_size = sizeof(VirtIOCAN),
    .instance_init = virtio_can_instance_init,
    .class_init = virtio_can_class_init,
};

static void virtio_can_register_types(void)
{
    type_register_static(&virtio_can_info);
}

type_init(virtio_can_register_types)
