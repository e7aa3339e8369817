/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vhost-user-can: the VIRTIO 1.4 CAN device (ID 36) whose queues and
 * configuration space a vhost-user backend serves, such as
 * contrib/vhost-device-can.  QEMU's generic vhost-user-device does the
 * work but is not user-creatable; this fixes what it leaves to the user
 * (device ID, three queues, the 2-byte config through
 * VHOST_USER_PROTOCOL_F_CONFIG) and outlives its backend: when the daemon
 * goes away the device waits, and a daemon that comes back on the
 * chardev (reconnect-ms=) takes the guest's queues over where they were.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "hw/qdev-properties.h"
#include "chardev/char-socket.h"
#include "hw/virtio/virtio-bus.h"
#include "hw/virtio/vhost-user-can.h"
#include "hw/virtio/virtio-can-msg.h"
#include "standard-headers/linux/virtio_ids.h"

/* Room for a burst of frames either way while the backend catches up */
#define VHOST_USER_CAN_QUEUE_SIZE   128

static void vhost_user_can_event(void *opaque, QEMUChrEvent event);

static int vhost_user_can_config_notifier(struct vhost_dev *dev)
{
    /* the status field (BUSOFF) changed: the guest reads it anew */
    virtio_notify_config(dev->vdev);
    return 0;
}

static const VhostDevConfigOps vhost_user_can_config_ops = {
    .vhost_dev_config_notifier = vhost_user_can_config_notifier,
};

static void vhost_user_can_watch(DeviceState *dev)
{
    VHostUserBase *vub = VHOST_USER_BASE(dev);

    qemu_chr_fe_set_handlers(&vub->chardev, NULL, NULL, vhost_user_can_event,
                             NULL, dev, NULL, true);
}

/*
 * (Re)start the device on its backend.  vhost-user-base tears the vhost
 * device down when the backend leaves; a new backend needs it anew.
 */
static void vhost_user_can_connect(DeviceState *dev)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(dev);
    VHostUserBase *vub = VHOST_USER_BASE(dev);
    VHostUserCAN *s = VHOST_USER_CAN(dev);
    Error *err = NULL;

    if (vub->connected) {
        return;
    }
    vub->vhost_dev.nvqs = vub->num_vqs;
    vub->vhost_dev.vqs = g_new0(struct vhost_virtqueue, vub->num_vqs);
    if (vhost_dev_init(&vub->vhost_dev, &vub->vhost_user,
                       VHOST_BACKEND_TYPE_USER, 0, &err) < 0) {
        error_reportf_err(err, "%s: backend refused: ",
                          DEVICE(dev)->canonical_path);
        g_free(vub->vhost_dev.vqs);
        vub->vhost_dev.vqs = NULL;
        qemu_chr_fe_disconnect(&vub->chardev);
        return;
    }
    if (vdev->guest_features & ~vub->vhost_dev.features &
        ~(BIT_ULL(VHOST_USER_F_PROTOCOL_FEATURES))) {
        warn_report("%s: the new backend lacks features 0x%" PRIx64
                    " the guest uses", DEVICE(dev)->canonical_path,
                    vdev->guest_features & ~vub->vhost_dev.features);
    }
    vub->connected = true;
    s->connections++;
    s->backend_features = vub->vhost_dev.features;
    vhost_dev_set_config_notifier(&vub->vhost_dev, &vhost_user_can_config_ops);
    /* a driver that was running goes on, on the new backend */
    VIRTIO_DEVICE_GET_CLASS(vdev)->set_status(vdev, vdev->status);
}

static void vhost_user_can_disconnect(DeviceState *dev)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(dev);
    VHostUserBase *vub = VHOST_USER_BASE(dev);
    struct vhost_virtqueue *vqs = vub->vhost_dev.vqs;

    if (vub->connected) {
        vub->connected = false;
        warn_report("%s: vhost-user backend gone; waiting for it to return",
                    DEVICE(dev)->canonical_path);
        /* stop the vhost device; the driver's status stays for the next */
        VIRTIO_DEVICE_GET_CLASS(vdev)->set_status(vdev, 0);
        vhost_dev_cleanup(&vub->vhost_dev);
        g_free(vqs);
    }
    vhost_user_can_watch(dev);
}

static void vhost_user_can_event(void *opaque, QEMUChrEvent event)
{
    DeviceState *dev = opaque;
    VHostUserBase *vub = VHOST_USER_BASE(dev);

    switch (event) {
    case CHR_EVENT_OPENED:
        vhost_user_can_connect(dev);
        break;
    case CHR_EVENT_CLOSED:
        /* not from inside the chardev's own callback */
        vhost_user_async_close(dev, &vub->chardev, &vub->vhost_dev,
                               vhost_user_can_disconnect);
        break;
    default:
        break;
    }
}

static uint64_t vhost_user_can_get_features(VirtIODevice *vdev,
                                            uint64_t requested, Error **errp)
{
    VHostUserBase *vub = VHOST_USER_BASE(vdev);
    VHostUserCAN *s = VHOST_USER_CAN(vdev);
    /* the backend's offer; while it is away, what it offered last */
    uint64_t features = vub->connected ? vub->vhost_dev.features
                                       : s->backend_features;

    return features & ~BIT_ULL(VHOST_USER_F_PROTOCOL_FEATURES);
}

/*
 * A chardev with reconnect-ms= connects in the background, so it is not
 * connected yet: wait for it, as vhost-user-blk does, unless the socket it
 * names does not exist, when nothing can ever answer.
 */
static bool vhost_user_can_wait_backend(VHostUserBase *vub, Error **errp)
{
    Chardev *chr = vub->chardev.chr;
    SocketChardev *sock = (SocketChardev *)
        object_dynamic_cast(OBJECT(chr), TYPE_CHARDEV_SOCKET);
    SocketAddress *addr = sock ? sock->addr : NULL;

    if (qemu_chr_fe_backend_open(&vub->chardev)) {
        return true;
    }
    if (addr && addr->type == SOCKET_ADDRESS_TYPE_UNIX && !sock->is_listen &&
        !addr->u.q_unix.abstract &&
        !g_file_test(addr->u.q_unix.path, G_FILE_TEST_EXISTS)) {
        error_setg(errp, "no vhost-user CAN backend listens on '%s' "
                   "(chardev '%s'): start vhost-device-can -s %s first",
                   addr->u.q_unix.path, chr->label, addr->u.q_unix.path);
        return false;
    }
    return qemu_chr_fe_wait_connected(&vub->chardev, errp) == 0;
}

static void vhost_user_can_realize(DeviceState *dev, Error **errp)
{
    VHostUserBase *vub = VHOST_USER_BASE(dev);
    VHostUserBaseClass *vubc = VHOST_USER_BASE_GET_CLASS(dev);
    VHostUserCAN *s = VHOST_USER_CAN(dev);
    Error *err = NULL;

    if (!vub->chardev.chr) {
        error_setg(errp, "vhost-user-can needs chardev=ID, a socket chardev "
                   "connected to a vhost-user CAN backend");
        return;
    }
    if (!vhost_user_can_wait_backend(vub, errp)) {
        return;
    }
    vub->virtio_id = VIRTIO_ID_CAN;
    vub->num_vqs = VIRTIO_CAN_QUEUE_COUNT;
    vub->vq_size = VHOST_USER_CAN_QUEUE_SIZE;
    vub->config_size = VIRTIO_CAN_CONFIG_SIZE;

    vubc->parent_realize(dev, &err);
    if (err) {
        error_propagate_prepend(errp, err, "vhost-user CAN backend on '%s': ",
                                vub->chardev.chr->label);
        return;
    }
    s->backend_features = vub->vhost_dev.features;
    s->connections = 1;
    vhost_user_can_watch(dev);
}

static const VMStateDescription vmstate_vhost_user_can = {
    .name = "vhost-user-can",
    /* the backend's state (its queues, STARTED) does not travel */
    .unmigratable = 1,
};

static const Property vhost_user_can_properties[] = {
    DEFINE_PROP_CHR("chardev", VHostUserBase, chardev),
};

static void vhost_user_can_instance_init(Object *obj)
{
    VHostUserCAN *s = VHOST_USER_CAN(obj);

    object_property_add_uint64_ptr(obj, "connections", &s->connections,
                                   OBJ_PROP_FLAG_READ);
}

static void vhost_user_can_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    VirtioDeviceClass *vdc = VIRTIO_DEVICE_CLASS(klass);
    VHostUserBaseClass *vubc = VHOST_USER_BASE_CLASS(klass);

    dc->vmsd = &vmstate_vhost_user_can;
    device_class_set_props(dc, vhost_user_can_properties);
    device_class_set_parent_realize(dc, vhost_user_can_realize,
                                    &vubc->parent_realize);
    vdc->get_features = vhost_user_can_get_features;
    set_bit(DEVICE_CATEGORY_NETWORK, dc->categories);
}

static const TypeInfo vhost_user_can_info = {
    .name = TYPE_VHOST_USER_CAN,
    .parent = TYPE_VHOST_USER_BASE,
    .instance_size = sizeof(VHostUserCAN),
    .instance_init = vhost_user_can_instance_init,
    .class_init = vhost_user_can_class_init,
};

static void vhost_user_can_register_types(void)
{
    type_register_static(&vhost_user_can_info);
}

type_init(vhost_user_can_register_types)
