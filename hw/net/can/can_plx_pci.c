/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The PLX PCI 9030/9050/9052 bridge as boards with SJA1000 channels use
 * it, registers as the Linux plx_pci and ems_pci drivers program them:
 *
 * INTCSR (0x4c)  bit 0 LINTi1 enable, 1 LINTi1 polarity (0: active low,
 *                as the SJA1000's INT# is), 2 LINTi1 status (read-only),
 *                3..5 the same for LINTi2 (not wired here), 6 PCI
 *                interrupt enable, 7 software interrupt, 8/9 edge mode
 *                for LINTi1/2, 10/11 clear an edge-latched LINTi1/2
 *                (write-only).  INTA# is asserted while the PCI interrupt
 *                is enabled and LINTi1 is active and enabled, or the
 *                software interrupt is set.
 * CNTRL (0x50)   bit 30 resets the local bus: setting it resets every
 *                channel.  The other bits (user I/O, EEPROM) are
 *                read/write without effect.
 *
 * Edge-triggered local interrupts are not emulated: LINTi1 is always
 * level-sensitive.  The local address space and chip select registers
 * (0x00..0x4b), which the EEPROM loads on real boards, read 0.
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "hw/registerfields.h"
#include "migration/vmstate.h"
#include "can_plx_pci.h"

#define PLX_REGS_SIZE 0x80

REG32(PLX_INTCSR, 0x4c)
    FIELD(PLX_INTCSR, LINT1_EN, 0, 1)
    FIELD(PLX_INTCSR, LINT1_POL, 1, 1)
    FIELD(PLX_INTCSR, LINT1_STATUS, 2, 1)
    FIELD(PLX_INTCSR, LINT2_EN, 3, 1)
    FIELD(PLX_INTCSR, LINT2_POL, 4, 1)
    FIELD(PLX_INTCSR, PCI_INT_EN, 6, 1)
    FIELD(PLX_INTCSR, SW_INT, 7, 1)
    FIELD(PLX_INTCSR, LINT1_EDGE, 8, 1)
    FIELD(PLX_INTCSR, LINT2_EDGE, 9, 1)
REG32(PLX_CNTRL, 0x50)
    FIELD(PLX_CNTRL, LOCAL_RESET, 30, 1)

#define PLX_INTCSR_RW (R_PLX_INTCSR_LINT1_EN_MASK | \
                       R_PLX_INTCSR_LINT1_POL_MASK | \
                       R_PLX_INTCSR_LINT2_EN_MASK | \
                       R_PLX_INTCSR_LINT2_POL_MASK | \
                       R_PLX_INTCSR_PCI_INT_EN_MASK | \
                       R_PLX_INTCSR_SW_INT_MASK | \
                       R_PLX_INTCSR_LINT1_EDGE_MASK | \
                       R_PLX_INTCSR_LINT2_EDGE_MASK)

/* LINTi1 is active while its pin is at the level the polarity bit says */
static bool plx_lint1_active(CanPlxPCIState *s)
{
    bool int_low = CAN_SJA1000_PCI(s)->irq_pending;

    return FIELD_EX32(s->intcsr, PLX_INTCSR, LINT1_POL) ? !int_low : int_low;
}

static bool plx_intx_level(CanSJA1000PCIState *board)
{
    CanPlxPCIState *s = CAN_PLX_PCI(board);

    if (!FIELD_EX32(s->intcsr, PLX_INTCSR, PCI_INT_EN)) {
        return false;
    }
    return (FIELD_EX32(s->intcsr, PLX_INTCSR, LINT1_EN) &&
            plx_lint1_active(s)) ||
           FIELD_EX32(s->intcsr, PLX_INTCSR, SW_INT);
}

static uint64_t plx_read(void *opaque, hwaddr addr, unsigned size)
{
    CanPlxPCIState *s = opaque;
    uint32_t value;

    switch (addr & ~3) {
    case A_PLX_INTCSR:
        value = FIELD_DP32(s->intcsr, PLX_INTCSR, LINT1_STATUS,
                           plx_lint1_active(s));
        break;
    case A_PLX_CNTRL:
        value = s->cntrl;
        break;
    default:
        qemu_log_mask(LOG_UNIMP, "%s: PLX register 0x%" HWADDR_PRIx
                      " not modelled, reads 0\n",
                      object_get_typename(OBJECT(s)), addr);
        return 0;
    }
    return extract32(value, (addr & 3) * 8, size * 8);
}

static void plx_write(void *opaque, hwaddr addr, uint64_t value,
                      unsigned size)
{
    CanPlxPCIState *s = opaque;
    unsigned shift = (addr & 3) * 8;
    uint32_t mask = MAKE_64BIT_MASK(shift, size * 8);
    uint32_t bits = (value << shift) & mask;
    bool was_reset;

    switch (addr & ~3) {
    case A_PLX_INTCSR:
        mask &= PLX_INTCSR_RW;
        s->intcsr = (s->intcsr & ~mask) | (bits & mask);
        if (s->intcsr & (R_PLX_INTCSR_LINT1_EDGE_MASK |
                         R_PLX_INTCSR_LINT2_EDGE_MASK)) {
            qemu_log_mask(LOG_UNIMP, "%s: PLX edge-triggered local "
                          "interrupts not modelled, LINTi1 stays level\n",
                          object_get_typename(OBJECT(s)));
        }
        can_sja1000_pci_update_irq(CAN_SJA1000_PCI(s));
        break;
    case A_PLX_CNTRL:
        was_reset = FIELD_EX32(s->cntrl, PLX_CNTRL, LOCAL_RESET);
        s->cntrl = (s->cntrl & ~mask) | bits;
        if (!was_reset && FIELD_EX32(s->cntrl, PLX_CNTRL, LOCAL_RESET)) {
            can_sja1000_pci_reset_channels(CAN_SJA1000_PCI(s));
        }
        break;
    default:
        qemu_log_mask(LOG_UNIMP, "%s: PLX register 0x%" HWADDR_PRIx
                      " not modelled, write 0x%" PRIx64 " ignored\n",
                      object_get_typename(OBJECT(s)), addr, value);
        break;
    }
}

static const MemoryRegionOps plx_ops = {
    .read = plx_read,
    .write = plx_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 1,
        .max_access_size = 4,
    },
};

static void plx_reset_hold(Object *obj, ResetType type)
{
    CanPlxPCIState *s = CAN_PLX_PCI(obj);

    s->intcsr = 0;
    s->cntrl = 0;
}

static const VMStateDescription vmstate_can_plx_pci = {
    .name = "can-plx-pci",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_STRUCT(parent_obj, CanPlxPCIState, 0,
                       vmstate_can_sja1000_pci, CanSJA1000PCIState),
        VMSTATE_UINT32(intcsr, CanPlxPCIState),
        VMSTATE_UINT32(cntrl, CanPlxPCIState),
        VMSTATE_END_OF_LIST()
    }
};

static void plx_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    ResettableClass *rc = RESETTABLE_CLASS(klass);
    CanSJA1000PCIClass *k = CAN_SJA1000_PCI_CLASS(klass);

    k->bars[0] = (SJA1000PCIBar) {
        .size = PLX_REGS_SIZE, .space = PCI_BASE_ADDRESS_SPACE_MEMORY,
        .ops = &plx_ops,
    };
    k->bars[1] = (SJA1000PCIBar) {
        .size = PLX_REGS_SIZE, .space = PCI_BASE_ADDRESS_SPACE_IO,
        .ops = &plx_ops,
    };
    k->intx_level = plx_intx_level;
    rc->phases.hold = plx_reset_hold;
    dc->vmsd = &vmstate_can_plx_pci;
}

static const TypeInfo plx_types[] = {
    {
        .name = TYPE_CAN_PLX_PCI,
        .parent = TYPE_CAN_SJA1000_PCI,
        .abstract = true,
        .instance_size = sizeof(CanPlxPCIState),
        .class_init = plx_class_init,
    },
};

DEFINE_TYPES(plx_types)
