/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Finding and letting go of a virtio-can PCI function, as the qtests of
 * virtio-can-pci and vhost-user-can-pci drive it through libqos.
 */

#ifndef CAN_VIRTIO_PCI_QTEST_H
#define CAN_VIRTIO_PCI_QTEST_H

#include "libqos/virtio-pci.h"
#include "can-virtio-qtest.h"

/*
 * The function in @slot of @bus, found and enabled; @v drives it, with
 * the queues it had (a migrated guest's rings are still where they were)
 */
static inline QVirtioPCIDevice *vcan_pci_find(VCan *v, QPCIBus *bus,
                                              QGuestAllocator *alloc,
                                              int slot)
{
    QVirtioPCIDevice *pci = virtio_pci_new(bus, &(QPCIAddress) {
                                               .devfn = QPCI_DEVFN(slot, 0) });

    g_assert(pci);
    qvirtio_pci_device_enable(pci);
    v->qts = bus->qts;
    v->alloc = alloc;
    v->vdev = &pci->vdev;
    return pci;
}

/* The function disabled and its libqos handle freed */
static inline void vcan_pci_release(QVirtioPCIDevice **pci)
{
    qvirtio_pci_device_disable(*pci);
    g_free((*pci)->pdev);
    g_free(*pci);
    *pci = NULL;
}

#endif
