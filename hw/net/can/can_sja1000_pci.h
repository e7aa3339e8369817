/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Base of the PCI boards that carry SJA1000 channels: the chips, their
 * "canbusN" links and one INTx line that is asserted while any channel's
 * interrupt is.  A board adds its own BARs and address decoding.
 */

#ifndef HW_NET_CAN_SJA1000_PCI_H
#define HW_NET_CAN_SJA1000_PCI_H

#include "hw/pci/pci_device.h"
#include "hw/resettable.h"
#include "can_sja1000.h"

#define SJA1000_PCI_MAX_CHANNELS 4

#define TYPE_CAN_SJA1000_PCI "can-sja1000-pci"
OBJECT_DECLARE_TYPE(CanSJA1000PCIState, CanSJA1000PCIClass, CAN_SJA1000_PCI)

/* A channel's registers in a BAR of their own */
typedef struct SJA1000PCIWindow {
    MemoryRegion io;
    CanSJA1000State *chip;
    unsigned reg_shift;         /* register n at offset n << reg_shift */
} SJA1000PCIWindow;

struct CanSJA1000PCIState {
    PCIDevice parent_obj;

    CanSJA1000State chip[SJA1000_PCI_MAX_CHANNELS];
    CanBusState *canbus[SJA1000_PCI_MAX_CHANNELS];
    char *host_if;              /* "host": channel 0's bus joins it */
    uint32_t channels;
    uint32_t irq_pending;       /* one bit per channel */
    SJA1000PCIWindow window[SJA1000_PCI_MAX_CHANNELS];
};

struct CanSJA1000PCIClass {
    PCIDeviceClass parent_class;

    uint32_t channel_counts;    /* BIT(n) if the board comes with n */
    uint32_t clock_hz;          /* the oscillator the chips run on */
    /*
     * The board's BARs, set up once the chips exist: either a hook of the
     * board's, or one I/O BAR of channel_bar_size bytes per channel (BAR n
     * for channel n) with register n at offset n << reg_shift.
     */
    void (*init_bars)(CanSJA1000PCIState *s);
    uint64_t channel_bar_size;
    unsigned reg_shift;
    ResettableChildForeach parent_child_foreach;
    /* Optional: whether the board passes channel interrupts to INTx */
    bool (*irq_enabled)(CanSJA1000PCIState *s);
};

/* The base's state, for a board that migrates state of its own too */
extern const VMStateDescription vmstate_can_sja1000_pci;

/* Re-evaluate INTx, e.g. after the board's interrupt enable changed */
void can_sja1000_pci_update_irq(CanSJA1000PCIState *s);

#endif
