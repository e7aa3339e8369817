/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Infineon PSB4610 PITA-2 PCI bridge as boards with SJA1000 channels
 * use it, registers as the Linux peak_pci and ems_pci drivers program
 * them:
 *
 * ICR (0x00)      bits 15..0: interrupt inputs, latched while an input is
 *                 active, cleared by writing 1 (and latched again at once
 *                 if the input is still active); bits 31..16: their
 *                 enables.  INTA# is asserted while any latched input is
 *                 enabled.
 * GPIOICR (0x18)  general purpose I/O: read/write, drives nothing here.
 * MISC (0x1c)     bit 24 drives the local bus reset: setting it resets
 *                 every channel.  The other bits (parallel interface
 *                 mode) are read/write without effect.
 *
 * Any aligned access of 1, 2 or 4 bytes reaches the bytes it covers.
 */

#include "qemu/osdep.h"
#include "qemu/bitops.h"
#include "qemu/log.h"
#include "hw/registerfields.h"
#include "migration/vmstate.h"
#include "can_pita2_pci.h"

REG32(PITA2_ICR, 0x00)
    FIELD(PITA2_ICR, STATUS, 0, 16)
    FIELD(PITA2_ICR, ENABLE, 16, 16)
REG32(PITA2_GPIOICR, 0x18)
REG32(PITA2_MISC, 0x1c)
    FIELD(PITA2_MISC, LOCAL_RESET, 24, 1)

static uint16_t pita2_active_inputs(CanPita2PCIState *s)
{
    CanPita2PCIClass *k = CAN_PITA2_PCI_GET_CLASS(s);
    CanSJA1000PCIState *board = CAN_SJA1000_PCI(s);
    uint16_t inputs = 0;
    unsigned i;

    for (i = 0; i < board->channels; i++) {
        if (board->irq_pending & BIT(i)) {
            inputs |= k->channel_int[i];
        }
    }
    return inputs;
}

static bool pita2_intx_level(CanSJA1000PCIState *board)
{
    CanPita2PCIState *s = CAN_PITA2_PCI(board);
    uint16_t status = FIELD_EX32(s->icr, PITA2_ICR, STATUS) |
                      pita2_active_inputs(s);

    s->icr = FIELD_DP32(s->icr, PITA2_ICR, STATUS, status);
    return status & FIELD_EX32(s->icr, PITA2_ICR, ENABLE);
}

static uint64_t pita2_read(void *opaque, hwaddr addr, unsigned size)
{
    CanPita2PCIState *s = opaque;
    uint32_t value;

    switch (addr & ~3) {
    case A_PITA2_ICR:
        value = s->icr;
        break;
    case A_PITA2_GPIOICR:
        value = s->gpioicr;
        break;
    case A_PITA2_MISC:
        value = s->misc;
        break;
    default:
        qemu_log_mask(LOG_UNIMP, "%s: PITA-2 register 0x%" HWADDR_PRIx
                      " not modelled, reads 0\n",
                      object_get_typename(OBJECT(s)), addr);
        return 0;
    }
    return extract32(value, (addr & 3) * 8, size * 8);
}

static void pita2_write(void *opaque, hwaddr addr, uint64_t value,
                        unsigned size)
{
    CanPita2PCIState *s = opaque;
    unsigned shift = (addr & 3) * 8;
    uint32_t mask = MAKE_64BIT_MASK(shift, size * 8);
    uint32_t bits = (value << shift) & mask;
    bool was_reset;

    switch (addr & ~3) {
    case A_PITA2_ICR:
        mask &= R_PITA2_ICR_ENABLE_MASK;
        s->icr = (s->icr & ~mask & ~(bits & R_PITA2_ICR_STATUS_MASK)) |
                 (bits & mask);
        can_sja1000_pci_update_irq(CAN_SJA1000_PCI(s));
        break;
    case A_PITA2_GPIOICR:
        s->gpioicr = (s->gpioicr & ~mask) | bits;
        break;
    case A_PITA2_MISC:
        was_reset = FIELD_EX32(s->misc, PITA2_MISC, LOCAL_RESET);
        s->misc = (s->misc & ~mask) | bits;
        if (!was_reset && FIELD_EX32(s->misc, PITA2_MISC, LOCAL_RESET)) {
            can_sja1000_pci_reset_channels(CAN_SJA1000_PCI(s));
        }
        break;
    default:
        qemu_log_mask(LOG_UNIMP, "%s: PITA-2 register 0x%" HWADDR_PRIx
                      " not modelled, write 0x%" PRIx64 " ignored\n",
                      object_get_typename(OBJECT(s)), addr, value);
        break;
    }
}

static const MemoryRegionOps pita2_ops = {
    .read = pita2_read,
    .write = pita2_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 1,
        .max_access_size = 4,
    },
};

static void pita2_reset_hold(Object *obj, ResetType type)
{
    CanPita2PCIState *s = CAN_PITA2_PCI(obj);

    s->icr = 0;
    s->gpioicr = 0;
    s->misc = 0;
}

static const VMStateDescription vmstate_can_pita2_pci = {
    .name = "can-pita2-pci",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_STRUCT(parent_obj, CanPita2PCIState, 0,
                       vmstate_can_sja1000_pci, CanSJA1000PCIState),
        VMSTATE_UINT32(icr, CanPita2PCIState),
        VMSTATE_UINT32(gpioicr, CanPita2PCIState),
        VMSTATE_UINT32(misc, CanPita2PCIState),
        VMSTATE_END_OF_LIST()
    }
};

static void pita2_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    ResettableClass *rc = RESETTABLE_CLASS(klass);
    CanSJA1000PCIClass *k = CAN_SJA1000_PCI_CLASS(klass);

    k->bars[0] = (SJA1000PCIBar) {
        .size = PITA2_BAR_SIZE, .space = PCI_BASE_ADDRESS_SPACE_MEMORY,
        .ops = &pita2_ops,
    };
    k->intx_level = pita2_intx_level;
    rc->phases.hold = pita2_reset_hold;
    dc->vmsd = &vmstate_can_pita2_pci;
}

static const TypeInfo pita2_types[] = {
    {
        .name = TYPE_CAN_PITA2_PCI,
        .parent = TYPE_CAN_SJA1000_PCI,
        .abstract = true,
        .instance_size = sizeof(CanPita2PCIState),
        .class_size = sizeof(CanPita2PCIClass),
        .class_init = pita2_class_init,
    },
};

DEFINE_TYPES(pita2_types)
