/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Advantech PCM-3680I and MIOe-3680: two SJA1000 channels each, channel n
 * alone in I/O BAR n.  They differ in PCI identity and in
 * how far apart the registers are.
 */

#include "qemu/osdep.h"
#include "qemu/module.h"
#include "can_sja1000_pci.h"

#define ADVANTECH_VENDOR_ID 0x13fe
#define ADVANTECH_CHANNELS  2
#define ADVANTECH_CLOCK_HZ  16000000

typedef struct AdvantechBoard {
    const char *desc;
    uint16_t device_id;
    uint64_t bar_size;
    unsigned reg_shift;
} AdvantechBoard;

static void advantech_init(Object *obj)
{
    CAN_SJA1000_PCI(obj)->channels = ADVANTECH_CHANNELS;
}

static void advantech_class_init(ObjectClass *klass, void *data)
{
    const AdvantechBoard *board = data;
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(klass);
    CanSJA1000PCIClass *k = CAN_SJA1000_PCI_CLASS(klass);
    unsigned i;

    pc->vendor_id = ADVANTECH_VENDOR_ID;
    pc->device_id = board->device_id;
    k->channel_counts = BIT(ADVANTECH_CHANNELS);
    k->clock_hz = ADVANTECH_CLOCK_HZ;
    for (i = 0; i < ADVANTECH_CHANNELS; i++) {
        k->bars[i] = (SJA1000PCIBar) {
            .size = board->bar_size, .space = PCI_BASE_ADDRESS_SPACE_IO,
            .first_channel = i, .slots = 1, .stride = board->bar_size,
        };
    }
    k->reg_shift = board->reg_shift;
    dc->desc = board->desc;
}

static const TypeInfo advantech_types[] = {
    {
        .name = "pcm3680_pci",
        .parent = TYPE_CAN_SJA1000_PCI,
        .instance_size = sizeof(CanSJA1000PCIState),
        .instance_init = advantech_init,
        .class_init = advantech_class_init,
        .class_data = (void *)&(const AdvantechBoard) {
            .desc = "Advantech PCM-3680I, two SJA1000 channels",
            .device_id = 0xc002,
            .bar_size = 0x100,
            .reg_shift = 0,     /* one register per byte */
        },
    }, {
        .name = "mioe3680_pci",
        .parent = TYPE_CAN_SJA1000_PCI,
        .instance_size = sizeof(CanSJA1000PCIState),
        .instance_init = advantech_init,
        .class_init = advantech_class_init,
        .class_data = (void *)&(const AdvantechBoard) {
            .desc = "Advantech MIOe-3680, two SJA1000 channels",
            .device_id = 0xc302,
            .bar_size = 0x400,
            .reg_shift = 2,     /* registers on 32-bit boundaries */
        },
    },
};

DEFINE_TYPES(advantech_types)
