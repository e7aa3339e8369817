/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Base of the PCI boards that carry SJA1000 channels: the chips, their
 * "canbusN" links, the BARs a board describes (its own registers and the
 * channel slots on them) and one INTx line driven by the channels'
 * interrupts through the board's bridge.
 */

#ifndef HW_NET_CAN_SJA1000_PCI_H
#define HW_NET_CAN_SJA1000_PCI_H

#include "hw/pci/pci_device.h"
#include "hw/resettable.h"
#include "can_sja1000.h"

#define SJA1000_PCI_MAX_CHANNELS 4

#define TYPE_CAN_SJA1000_PCI "can-sja1000-pci"
OBJECT_DECLARE_TYPE(CanSJA1000PCIState, CanSJA1000PCIClass, CAN_SJA1000_PCI)

/*
 * One BAR of a board.  It may hold a register file of the board's own
 * (bridge, glue logic), decoded by @ops with the board as opaque, and
 * @slots channel slots on top of it: channel @first_channel + n at
 * @offset + n * @stride, register r at r << reg_shift within its slot.  A
 * slot whose channel the board was not given reads 0 and ignores writes,
 * so drivers that probe for chips do not find one there; so does the rest
 * of a BAR without @ops.  A BAR of size 0 is absent.
 */
typedef struct SJA1000PCIBar {
    uint64_t size;
    uint8_t space;              /* PCI_BASE_ADDRESS_SPACE_IO or _MEMORY */
    const MemoryRegionOps *ops;
    uint8_t first_channel;
    uint8_t slots;
    hwaddr offset;
    hwaddr stride;
} SJA1000PCIBar;

/* A channel slot as the base decodes it */
typedef struct SJA1000PCISlot {
    MemoryRegion io;
    CanSJA1000State *chip;      /* NULL: no chip in this slot */
    unsigned reg_shift;
} SJA1000PCISlot;

struct CanSJA1000PCIState {
    PCIDevice parent_obj;

    CanSJA1000State chip[SJA1000_PCI_MAX_CHANNELS];
    CanBusState *canbus[SJA1000_PCI_MAX_CHANNELS];
    char *host_if;              /* "host": channel 0's bus joins it */
    uint32_t channels;
    uint32_t irq_pending;       /* one bit per channel */
    MemoryRegion bar[PCI_ROM_SLOT];
    SJA1000PCISlot slot[SJA1000_PCI_MAX_CHANNELS];
};

struct CanSJA1000PCIClass {
    PCIDeviceClass parent_class;

    uint32_t channel_counts;    /* BIT(n) if the board comes with n */
    uint32_t clock_hz;          /* the oscillator the chips run on */
    SJA1000PCIBar bars[PCI_ROM_SLOT];
    unsigned reg_shift;
    /* Optional: the PCI subsystem id of the board with n channels */
    uint16_t subsystem_id[SJA1000_PCI_MAX_CHANNELS + 1];
    ResettableChildForeach parent_child_foreach;
    /*
     * Optional: the level of INTA# while the channels' interrupts are
     * irq_pending; a bridge may latch them in a status register of its
     * own here.  Without it INTA# is asserted while any channel's is.
     */
    bool (*intx_level)(CanSJA1000PCIState *s);
};

/* The base's state, for a board that migrates state of its own too */
extern const VMStateDescription vmstate_can_sja1000_pci;

/* Re-evaluate INTx, e.g. after the board's interrupt enable changed */
void can_sja1000_pci_update_irq(CanSJA1000PCIState *s);

/* Hardware reset of every channel, as the board's local reset line does */
void can_sja1000_pci_reset_channels(CanSJA1000PCIState *s);

#endif
