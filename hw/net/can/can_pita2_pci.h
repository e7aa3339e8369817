/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Boards with SJA1000 channels behind an Infineon PSB4610 PITA-2 PCI
 * bridge (PEAK PCAN-PCI, EMS CPC-PCI v1).  The PITA-2's registers are in
 * memory BAR0; each channel's INT# drives one interrupt input of the
 * bridge, which latches it in ICR and passes it to INTA# where enabled.
 */

#ifndef HW_NET_CAN_PITA2_PCI_H
#define HW_NET_CAN_PITA2_PCI_H

#include "can_sja1000_pci.h"

#define TYPE_CAN_PITA2_PCI "can-pita2-pci"
OBJECT_DECLARE_TYPE(CanPita2PCIState, CanPita2PCIClass, CAN_PITA2_PCI)

#define PITA2_BAR_SIZE 0x1000

struct CanPita2PCIState {
    CanSJA1000PCIState parent_obj;

    uint32_t icr;       /* interrupt status (15..0), enables (31..16) */
    uint32_t gpioicr;
    uint32_t misc;
};

struct CanPita2PCIClass {
    CanSJA1000PCIClass parent_class;

    /* the ICR status bit each channel's INT# sets */
    uint16_t channel_int[SJA1000_PCI_MAX_CHANNELS];
};

#endif
