/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio-can-pci: the virtio-can device behind a virtio PCI transport.
 * The device knows nothing of PCI; this is only its proxy.
 */

#include "qemu/osdep.h"
#include "hw/virtio/virtio-pci.h"
#include "hw/virtio/virtio-can.h"
#include "hw/qdev-properties.h"
#include "qapi/error.h"
#include "qemu/module.h"
#include "qom/object.h"

typedef struct VirtIOCANPCI VirtIOCANPCI;

#define TYPE_VIRTIO_CAN_PCI "virtio-can-pci-base"
DECLARE_INSTANCE_CHECKER(VirtIOCANPCI, VIRTIO_CAN_PCI, TYPE_VIRTIO_CAN_PCI)

struct VirtIOCANPCI {
    VirtIOPCIProxy parent_obj;
    VirtIOCAN vdev;
};

static const Property virtio_can_pci_properties[] = {
    DEFINE_PROP_BIT("ioeventfd", VirtIOPCIProxy, flags,
                    VIRTIO_PCI_FLAG_USE_IOEVENTFD_BIT, true),
    DEFINE_PROP_UINT32("vectors", VirtIOPCIProxy, nvectors,
                       DEV_NVECTORS_UNSPECIFIED),
};

static void virtio_can_pci_realize(VirtIOPCIProxy *vpci_dev, Error **errp)
{
    VirtIOCANPCI *dev = VIRTIO_CAN_PCI(vpci_dev);

    if (vpci_dev->nvectors == DEV_NVECTORS_UNSPECIFIED) {
        /* one per queue and one for configuration changes (BUSOFF) */
        vpci_dev->nvectors = VIRTIO_CAN_QUEUE_COUNT + 1;
    }
    /* VIRTIO 1.4 defines the device; it has no legacy interface */
    virtio_pci_force_virtio_1(vpci_dev);
    qdev_realize(DEVICE(&dev->vdev), BUS(&vpci_dev->bus), errp);
}

static void virtio_can_pci_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    VirtioPCIClass *k = VIRTIO_PCI_CLASS(klass);
    PCIDeviceClass *pcidev_k = PCI_DEVICE_CLASS(klass);

    k->realize = virtio_can_pci_realize;
    set_bit(DEVICE_CATEGORY_NETWORK, dc->categories);
    /* modern only: the device ID becomes 0x1040 + 36 */
    pcidev_k->vendor_id = PCI_VENDOR_ID_REDHAT_QUMRANET;
    pcidev_k->revision = VIRTIO_PCI_ABI_VERSION;
    pcidev_k->class_id = PCI_CLASS_NETWORK_OTHER;
    device_class_set_props(dc, virtio_can_pci_properties);
}

static void virtio_can_pci_instance_init(Object *obj)
{
    VirtIOCANPCI *dev = VIRTIO_CAN_PCI(obj);

    virtio_instance_init_common(obj, &dev->vdev, sizeof(dev->vdev),
                                TYPE_VIRTIO_CAN);
}

static const VirtioPCIDeviceTypeInfo virtio_can_pci_info = {
    .base_name = TYPE_VIRTIO_CAN_PCI,
    .generic_name = "virtio-can-pci",
    .instance_size = sizeof(VirtIOCANPCI),
    .instance_init = virtio_can_pci_instance_init,
    .class_init = virtio_can_pci_class_init,
};

static void virtio_can_pci_register(void)
{
    virtio_pci_types_register(&virtio_can_pci_info);
}

type_init(virtio_can_pci_register)
