/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * EMS Dr. Thomas Wuensche CPC-PCI, as the Linux ems_pci driver tells its
 * two versions apart (by the PCI vendor id):
 *
 * v1 (ems_cpc_pci_v1): PCI 110a:2104, a PITA-2 bridge (can_pita2_pci.c)
 *    in BAR0, one or two channels; both channels' INT# drive the PITA's
 *    INT0 input (ICR bit 1), which the driver enables and clears.
 * v2 (ems_cpc_pci_v2): PCI 10b5:9030, subsystem 10b5:4000, a PLX 9030
 *    (can_plx_pci.c) in BAR0/BAR1, one, two or four channels on LINTi1.
 *
 * The card's logic and its channels share one memory BAR (v1: BAR1,
 * registers 4 bytes apart; v2: BAR2, one register per byte): channel n
 * at 0x400 + n * 0x200; below them the card's registers, where v1 shows
 * the signature 55 AA 01 CB 11 the driver checks (in registers 0..4) and
 * a write to register 0 resets the board, channels included.  The driver
 * takes a slot as a channel if CDR reads back PeliCAN mode; an absent
 * channel's slot reads 0.  The chips run on a 16 MHz oscillator.
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/module.h"
#include "hw/qdev-properties.h"
#include "can_pita2_pci.h"
#include "can_plx_pci.h"

#define EMS_CLOCK_HZ        16000000
#define EMS_MAX_CHANNELS    4
#define EMS_CARD_SIZE       0x1000
#define EMS_CHANNELS_OFFSET 0x400
#define EMS_CHANNEL_STRIDE  0x200

static const uint8_t ems_v1_signature[] = { 0x55, 0xaa, 0x01, 0xcb, 0x11 };

/* v1's card registers, 4 bytes apart like its channels' */
static uint64_t ems_v1_card_read(void *opaque, hwaddr addr, unsigned size)
{
    hwaddr reg = addr >> 2;

    return reg < sizeof(ems_v1_signature) ? ems_v1_signature[reg] : 0;
}

/* v2's card registers hold nothing the driver reads */
static uint64_t ems_v2_card_read(void *opaque, hwaddr addr, unsigned size)
{
    return 0;
}

static void ems_card_write(void *opaque, hwaddr addr, uint64_t value,
                           unsigned size)
{
    CanSJA1000PCIState *s = opaque;

    if (addr) {
        qemu_log_mask(LOG_GUEST_ERROR, "%s: write 0x%" PRIx64 " to card "
                      "register 0x%" HWADDR_PRIx " ignored\n",
                      object_get_typename(OBJECT(s)), value, addr);
        return;
    }
    can_sja1000_pci_reset_channels(s);
}

static const MemoryRegionOps ems_v1_card_ops = {
    .read = ems_v1_card_read,
    .write = ems_card_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 1,
        .max_access_size = 1,
    },
};

static const MemoryRegionOps ems_v2_card_ops = {
    .read = ems_v2_card_read,
    .write = ems_card_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 1,
        .max_access_size = 1,
    },
};

typedef struct EmsBoard {
    const char *desc;
    uint16_t vendor_id;
    uint16_t device_id;
    uint16_t subsystem_vendor_id;
    uint16_t subsystem_id;
    uint32_t channel_counts;
    unsigned max_channels;
    unsigned card_bar;
    unsigned reg_shift;
    const MemoryRegionOps *card_ops;
} EmsBoard;

static const Property ems_properties[] = {
    DEFINE_PROP_UINT32("channels", CanSJA1000PCIState, channels, 2),
};

static void ems_class_init(ObjectClass *klass, void *data)
{
    const EmsBoard *board = data;
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(klass);
    CanSJA1000PCIClass *k = CAN_SJA1000_PCI_CLASS(klass);

    pc->vendor_id = board->vendor_id;
    pc->device_id = board->device_id;
    pc->subsystem_vendor_id = board->subsystem_vendor_id;
    pc->subsystem_id = board->subsystem_id;
    k->channel_counts = board->channel_counts;
    k->clock_hz = EMS_CLOCK_HZ;
    k->bars[board->card_bar] = (SJA1000PCIBar) {
        .size = EMS_CARD_SIZE, .space = PCI_BASE_ADDRESS_SPACE_MEMORY,
        .ops = board->card_ops,
        .slots = board->max_channels,
        .offset = EMS_CHANNELS_OFFSET, .stride = EMS_CHANNEL_STRIDE,
    };
    k->reg_shift = board->reg_shift;
    dc->desc = board->desc;
    device_class_set_props(dc, ems_properties);
}

/* v1: both channels' INT# on the PITA-2's INT0 */
static void ems_v1_class_init(ObjectClass *klass, void *data)
{
    CanPita2PCIClass *pk = CAN_PITA2_PCI_CLASS(klass);
    unsigned i;

    ems_class_init(klass, data);
    for (i = 0; i < SJA1000_PCI_MAX_CHANNELS; i++) {
        pk->channel_int[i] = 0x02;
    }
}

static const TypeInfo ems_types[] = {
    {
        .name = "ems_cpc_pci_v1",
        .parent = TYPE_CAN_PITA2_PCI,
        .class_init = ems_v1_class_init,
        .class_data = (void *)&(const EmsBoard) {
            .desc = "EMS CPC-PCI v1 (channels=1/2), SJA1000, PITA-2 bridge",
            .vendor_id = 0x110a,        /* Siemens, maker of the PITA-2 */
            .device_id = 0x2104,
            .channel_counts = BIT(1) | BIT(2),
            .max_channels = 2,
            .card_bar = 1,
            .reg_shift = 2,
            .card_ops = &ems_v1_card_ops,
        },
    }, {
        .name = "ems_cpc_pci_v2",
        .parent = TYPE_CAN_PLX_PCI,
        .class_init = ems_class_init,
        .class_data = (void *)&(const EmsBoard) {
            .desc = "EMS CPC-PCI v2 (channels=1/2/4), SJA1000, PLX 9030 "
                    "bridge",
            .vendor_id = 0x10b5,        /* PLX */
            .device_id = 0x9030,
            .subsystem_vendor_id = 0x10b5,
            .subsystem_id = 0x4000,
            .channel_counts = BIT(1) | BIT(2) | BIT(4),
            .max_channels = EMS_MAX_CHANNELS,
            .card_bar = 2,
            .reg_shift = 0,
            .card_ops = &ems_v2_card_ops,
        },
    },
};

DEFINE_TYPES(ems_types)
