/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * PEAK-System PCAN-PCI: one, two or four SJA1000 channels behind a PITA-2
 * bridge, as the Linux peak_pci driver sees them.
 *
 * BAR0: the PITA-2 (see can_pita2_pci.c).  Channel n's INT# is ICR status
 *       bit 1, 0, 6, 7 for n = 0..3; the driver enables those and clears
 *       each after serving its channel.
 * BAR1: the channels, 0x400 bytes each, registers 4 bytes apart.
 *
 * The driver does not probe for chips: it takes the channel count from
 * the PCI subsystem id (4 and up: two channels, 12 and up: four), so the
 * board reports the id that matches channels=.  The chips run on a 16 MHz
 * oscillator.
 */

#include "qemu/osdep.h"
#include "qemu/module.h"
#include "hw/qdev-properties.h"
#include "can_pita2_pci.h"

#define TYPE_PEAK_PCAN_PCI "peak_pcan_pci"

#define PEAK_VENDOR_ID      0x001c
#define PEAK_PCAN_PCI_ID    0x0001
#define PEAK_CLOCK_HZ       16000000
#define PEAK_MAX_CHANNELS   4
#define PEAK_CHANNEL_STRIDE 0x400

static const Property peak_properties[] = {
    DEFINE_PROP_UINT32("channels", CanSJA1000PCIState, channels, 1),
};

static void peak_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(klass);
    CanSJA1000PCIClass *k = CAN_SJA1000_PCI_CLASS(klass);
    CanPita2PCIClass *pk = CAN_PITA2_PCI_CLASS(klass);
    static const uint16_t channel_int[PEAK_MAX_CHANNELS] = {
        0x02, 0x01, 0x40, 0x80
    };

    pc->vendor_id = PEAK_VENDOR_ID;
    pc->device_id = PEAK_PCAN_PCI_ID;
    pc->subsystem_vendor_id = PEAK_VENDOR_ID;
    k->subsystem_id[1] = 0x0001;
    k->subsystem_id[2] = 0x0004;
    k->subsystem_id[4] = 0x000c;
    k->channel_counts = BIT(1) | BIT(2) | BIT(4);
    k->clock_hz = PEAK_CLOCK_HZ;
    k->bars[1] = (SJA1000PCIBar) {
        .size = PEAK_MAX_CHANNELS * PEAK_CHANNEL_STRIDE,
        .space = PCI_BASE_ADDRESS_SPACE_MEMORY,
        .slots = PEAK_MAX_CHANNELS, .stride = PEAK_CHANNEL_STRIDE,
    };
    k->reg_shift = 2;
    memcpy(pk->channel_int, channel_int, sizeof(channel_int));
    dc->desc = "PEAK PCAN-PCI (channels=1/2/4), SJA1000, PITA-2 bridge";
    device_class_set_props(dc, peak_properties);
}

static const TypeInfo peak_types[] = {
    {
        .name = TYPE_PEAK_PCAN_PCI,
        .parent = TYPE_CAN_PITA2_PCI,
        .class_init = peak_class_init,
    },
};

DEFINE_TYPES(peak_types)
