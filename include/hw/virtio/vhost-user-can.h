/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vhost-user-can: the VIRTIO 1.4 CAN device served by a vhost-user backend
 * (contrib/vhost-device-can).
 */

#ifndef HW_VHOST_USER_CAN_H
#define HW_VHOST_USER_CAN_H

#include "hw/virtio/vhost-user-base.h"

#define TYPE_VHOST_USER_CAN "vhost-user-can-device"
OBJECT_DECLARE_SIMPLE_TYPE(VHostUserCAN, VHOST_USER_CAN)

struct VHostUserCAN {
    VHostUserBase parent_obj;

    /* the backend's features, kept for a guest that resets while it is away */
    uint64_t backend_features;
    /* backends that connected, the first included: a read-only property */
    uint64_t connections;
};

#endif
