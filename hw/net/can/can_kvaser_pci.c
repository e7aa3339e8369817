/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kvaser PCIcan-S/D/Q: one, two or four SJA1000 channels behind an AMCC
 * S5920 PCI bridge, as the Linux kvaser_pci driver sees them.
 *
 * BAR0: S5920 operation registers; INTCSR bit 13 passes the add-on
 *       interrupt (the channels' shared INT#) on to INTA#, and bit 23
 *       (read-only) reads 1 while INTA# is asserted, which is what some
 *       drivers test before they service the channels.  Bits 4..0 and
 *       12..8 select and enable the mailbox interrupts (S5920 data book
 *       rev. 1.01, "Mailbox Interrupts"); the board wires no mailbox, so
 *       they only store what is written.
 * BAR1: the channels, 0x20 bytes each; an empty slot reads 0, so the
 *       driver's probe (write MOD.RM, read it back) finds as many channels
 *       as the board has.
 * BAR2: Xilinx glue logic; byte 7 holds the version in its high nibble.
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/module.h"
#include "hw/qdev-properties.h"
#include "hw/registerfields.h"
#include "migration/vmstate.h"
#include "can_sja1000_pci.h"
#include "trace.h"

#define TYPE_KVASER_PCI "kvaser_pci"
OBJECT_DECLARE_SIMPLE_TYPE(KvaserPCIState, KVASER_PCI)

#define KVASER_VENDOR_ID      0x10e8     /* AMCC, maker of the S5920 */
#define KVASER_DEVICE_ID      0x8406
#define KVASER_CLOCK_HZ       16000000
#define KVASER_MAX_CHANNELS   4
#define KVASER_S5920_SIZE     0x80
#define KVASER_CHANNEL_STRIDE 0x20
#define KVASER_SJA_SIZE       (KVASER_MAX_CHANNELS * KVASER_CHANNEL_STRIDE)
#define KVASER_XILINX_SIZE    8
#define KVASER_XILINX_VERSION 1

REG32(S5920_INTCSR, 0x38)
    FIELD(S5920_INTCSR, OMB_INT_SEL, 0, 5)     /* outgoing mailbox */
    FIELD(S5920_INTCSR, IMB_INT_SEL, 8, 5)     /* incoming mailbox */
    FIELD(S5920_INTCSR, ADDON_INT_EN, 13, 1)
    FIELD(S5920_INTCSR, INT_ASSERTED, 23, 1)   /* read-only: INTA# driven */
REG32(S5920_PTCR, 0x60)

#define S5920_INTCSR_RW (R_S5920_INTCSR_OMB_INT_SEL_MASK | \
                         R_S5920_INTCSR_IMB_INT_SEL_MASK | \
                         R_S5920_INTCSR_ADDON_INT_EN_MASK)
REG8(XILINX_VERINT, 7)

struct KvaserPCIState {
    CanSJA1000PCIState parent_obj;

    uint32_t intcsr;            /* its read/write bits */
    uint32_t ptcr;
};

static bool kvaser_addon_int_enabled(KvaserPCIState *s)
{
    return FIELD_EX32(s->intcsr, S5920_INTCSR, ADDON_INT_EN);
}

/* INTA# follows the add-on interrupt (the channels' INT#) while enabled */
static bool kvaser_intx_level(CanSJA1000PCIState *board)
{
    return kvaser_addon_int_enabled(KVASER_PCI(board)) && board->irq_pending;
}

static uint64_t kvaser_s5920_read(void *opaque, hwaddr addr, unsigned size)
{
    KvaserPCIState *s = opaque;

    switch (addr) {
    case A_S5920_INTCSR:
        return s->intcsr |
               FIELD_DP32(0, S5920_INTCSR, INT_ASSERTED,
                          kvaser_intx_level(CAN_SJA1000_PCI(s)));
    case A_S5920_PTCR:
        return s->ptcr;
    default:
        qemu_log_mask(LOG_UNIMP, "kvaser_pci: S5920 register 0x%" HWADDR_PRIx
                      " not modelled, reads 0\n", addr);
        return 0;
    }
}

static void kvaser_s5920_write(void *opaque, hwaddr addr, uint64_t value,
                               unsigned size)
{
    KvaserPCIState *s = opaque;
    CanSJA1000PCIState *board = CAN_SJA1000_PCI(s);

    switch (addr) {
    case A_S5920_INTCSR:
        /* the status bits are read-only or not set by anything we model */
        s->intcsr = value & S5920_INTCSR_RW;
        trace_kvaser_pci_irq(DEVICE(s)->canonical_path, board->irq_pending,
                             kvaser_addon_int_enabled(s));
        can_sja1000_pci_update_irq(board);
        break;
    case A_S5920_PTCR:
        /* pass-thru timing of the add-on bus: nothing to emulate */
        s->ptcr = value;
        break;
    default:
        qemu_log_mask(LOG_UNIMP, "kvaser_pci: S5920 register 0x%" HWADDR_PRIx
                      " not modelled, write 0x%" PRIx64 " ignored\n",
                      addr, value);
        break;
    }
}

static const MemoryRegionOps kvaser_s5920_ops = {
    .read = kvaser_s5920_read,
    .write = kvaser_s5920_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 1,
        .max_access_size = 4,
    },
    .impl = {
        .min_access_size = 4,
        .max_access_size = 4,
    },
};

static uint64_t kvaser_xilinx_read(void *opaque, hwaddr addr, unsigned size)
{
    return addr == A_XILINX_VERINT ? KVASER_XILINX_VERSION << 4 : 0;
}

static void kvaser_xilinx_write(void *opaque, hwaddr addr, uint64_t value,
                                unsigned size)
{
    qemu_log_mask(LOG_UNIMP, "kvaser_pci: Xilinx register 0x%" HWADDR_PRIx
                  " not modelled, write 0x%" PRIx64 " ignored\n", addr, value);
}

static const MemoryRegionOps kvaser_xilinx_ops = {
    .read = kvaser_xilinx_read,
    .write = kvaser_xilinx_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 1,
        .max_access_size = 1,
    },
};

static void kvaser_reset_hold(Object *obj, ResetType type)
{
    KvaserPCIState *s = KVASER_PCI(obj);

    s->intcsr = 0;
    s->ptcr = 0;
}

static const VMStateDescription vmstate_kvaser_pci = {
    .name = "kvaser_pci",
    .version_id = 2,
    .minimum_version_id = 2,
    .fields = (const VMStateField[]) {
        VMSTATE_STRUCT(parent_obj, KvaserPCIState, 0, vmstate_can_sja1000_pci,
                       CanSJA1000PCIState),
        VMSTATE_UINT32(intcsr, KvaserPCIState),
        VMSTATE_UINT32(ptcr, KvaserPCIState),
        VMSTATE_END_OF_LIST()
    }
};

static const Property kvaser_properties[] = {
    DEFINE_PROP_UINT32("channels", CanSJA1000PCIState, channels, 1),
};

static void kvaser_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(klass);
    ResettableClass *rc = RESETTABLE_CLASS(klass);
    CanSJA1000PCIClass *k = CAN_SJA1000_PCI_CLASS(klass);

    pc->vendor_id = KVASER_VENDOR_ID;
    pc->device_id = KVASER_DEVICE_ID;
    k->channel_counts = BIT(1) | BIT(2) | BIT(4);   /* PCIcan-S, -D, -Q */
    k->clock_hz = KVASER_CLOCK_HZ;
    k->intx_level = kvaser_intx_level;
    k->bars[0] = (SJA1000PCIBar) {
        .size = KVASER_S5920_SIZE, .space = PCI_BASE_ADDRESS_SPACE_IO,
        .ops = &kvaser_s5920_ops,
    };
    k->bars[1] = (SJA1000PCIBar) {
        .size = KVASER_SJA_SIZE, .space = PCI_BASE_ADDRESS_SPACE_IO,
        .slots = KVASER_MAX_CHANNELS, .stride = KVASER_CHANNEL_STRIDE,
    };
    k->bars[2] = (SJA1000PCIBar) {
        .size = KVASER_XILINX_SIZE, .space = PCI_BASE_ADDRESS_SPACE_IO,
        .ops = &kvaser_xilinx_ops,
    };
    rc->phases.hold = kvaser_reset_hold;
    dc->desc = "Kvaser PCIcan-S/D/Q (channels=1/2/4), SJA1000";
    dc->vmsd = &vmstate_kvaser_pci;
    device_class_set_props(dc, kvaser_properties);
}

static const TypeInfo kvaser_types[] = {
    {
        .name = TYPE_KVASER_PCI,
        .parent = TYPE_CAN_SJA1000_PCI,
        .instance_size = sizeof(KvaserPCIState),
        .class_init = kvaser_class_init,
    },
};

DEFINE_TYPES(kvaser_types)
