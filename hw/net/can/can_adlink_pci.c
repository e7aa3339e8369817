/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Adlink PCI-7841: two SJA1000 channels behind a PLX PCI 9052 bridge, as
 * the Linux plx_pci driver sees them.
 *
 * BAR0/BAR1: the PLX's registers (see can_plx_pci.c); the driver uses
 *            the I/O copy in BAR1, and it picks this board's layout by
 *            the class code, which is "other network controller".
 * BAR2:      the channels, 0x80 bytes each, one register per byte.
 *
 * The driver resets the local bus through the PLX, then takes a slot as
 * a channel only if it reads the SJA1000's hardware reset state there; an
 * absent channel's slot (channels=1) reads 0, so it finds exactly
 * channels= of them.  The chips run on a 16 MHz oscillator.
 */

#include "qemu/osdep.h"
#include "qemu/module.h"
#include "hw/qdev-properties.h"
#include "can_plx_pci.h"

#define ADLINK_VENDOR_ID      0x144a
#define ADLINK_PCI7841_ID     0x7841
#define ADLINK_CLOCK_HZ       16000000
#define ADLINK_MAX_CHANNELS   2
#define ADLINK_CHANNEL_STRIDE 0x80

static const Property adlink_properties[] = {
    DEFINE_PROP_UINT32("channels", CanSJA1000PCIState, channels,
                       ADLINK_MAX_CHANNELS),
};

static void adlink_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(klass);
    CanSJA1000PCIClass *k = CAN_SJA1000_PCI_CLASS(klass);

    pc->vendor_id = ADLINK_VENDOR_ID;
    pc->device_id = ADLINK_PCI7841_ID;
    pc->class_id = PCI_CLASS_NETWORK_OTHER;
    k->channel_counts = BIT(1) | BIT(2);
    k->clock_hz = ADLINK_CLOCK_HZ;
    k->bars[2] = (SJA1000PCIBar) {
        .size = ADLINK_MAX_CHANNELS * ADLINK_CHANNEL_STRIDE,
        .space = PCI_BASE_ADDRESS_SPACE_IO,
        .slots = ADLINK_MAX_CHANNELS, .stride = ADLINK_CHANNEL_STRIDE,
    };
    dc->desc = "Adlink PCI-7841 (channels=1/2), SJA1000, PLX 9052 bridge";
    device_class_set_props(dc, adlink_properties);
}

static const TypeInfo adlink_types[] = {
    {
        .name = "adlink_pci7841",
        .parent = TYPE_CAN_PLX_PCI,
        .class_init = adlink_class_init,
    },
};

DEFINE_TYPES(adlink_types)
