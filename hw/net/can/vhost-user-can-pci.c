/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vhost-user-can-pci: vhost-user-can behind a virtio PCI transport, only
 * its proxy.
 */

#include "qemu/osdep.h"
#include "hw/virtio/virtio-pci.h"
#include "hw/virtio/vhost-user-can.h"
#include "hw/virtio/virtio-can-msg.h"
#include "qemu/module.h"

typedef struct VHostUserCANPCI VHostUserCANPCI;

#define TYPE_VHOST_USER_CAN_PCI "vhost-user-can-pci-base"
DECLARE_INSTANCE_CHECKER(VHostUserCANPCI, VHOST_USER_CAN_PCI,
                         TYPE_VHOST_USER_CAN_PCI)

struct VHostUserCANPCI {
    VirtIOPCIProxy parent_obj;
    VHostUserCAN vdev;
};

static void vhost_user_can_pci_realize(VirtIOPCIProxy *vpci_dev,
                                       Error **errp)
{
    VHostUserCANPCI *dev = VHOST_USER_CAN_PCI(vpci_dev);

    /* one per queue and one for configuration changes (BUSOFF) */
    vpci_dev->nvectors = VIRTIO_CAN_QUEUE_COUNT + 1;
    /* VIRTIO 1.4 defines the device; it has no legacy interface */
    virtio_pci_force_virtio_1(vpci_dev);
    qdev_realize(DEVICE(&dev->vdev), BUS(&vpci_dev->bus), errp);
}

static void vhost_user_can_pci_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    VirtioPCIClass *k = VIRTIO_PCI_CLASS(klass);
    PCIDeviceClass *pcidev_k = PCI_DEVICE_CLASS(klass);

    k->realize = vhost_user_can_pci_realize;
    set_bit(DEVICE_CATEGORY_NETWORK, dc->categories);
    /* modern only: the device ID becomes 0x1040 + 36 */
    pcidev_k->vendor_id = PCI_VENDOR_ID_REDHAT_QUMRANET;
    pcidev_k->revision = VIRTIO_PCI_ABI_VERSION;
    pcidev_k->class_id = PCI_CLASS_NETWORK_OTHER;
}

static void vhost_user_can_pci_instance_init(Object *obj)
{
    VHostUserCANPCI *dev = VHOST_USER_CAN_PCI(obj);

    virtio_instance_init_common(obj, &dev->vdev, sizeof(dev->vdev),
                                TYPE_VHOST_USER_CAN);
}

static const VirtioPCIDeviceTypeInfo vhost_user_can_pci_info = {
    .base_name = TYPE_VHOST_USER_CAN_PCI,
    .generic_name = "vhost-user-can-pci",
    .instance_size = sizeof(VHostUserCANPCI),
    .instance_init = vhost_user_can_pci_instance_init,
    .class_init = vhost_user_can_pci_class_init,
};

static void vhost_user_can_pci_register(void)
{
    virtio_pci_types_register(&vhost_user_can_pci_info);
}

type_init(vhost_user_can_pci_register)
