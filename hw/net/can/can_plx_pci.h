/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Boards with SJA1000 channels behind a PLX PCI 9030/9050/9052 bridge
 * (Adlink PCI-7841, EMS CPC-PCI v2).  The bridge's local configuration
 * registers are in memory BAR0 and again in I/O BAR1; the channels' INT#
 * lines, wired together, drive its local interrupt input LINTi1.
 */

#ifndef HW_NET_CAN_PLX_PCI_H
#define HW_NET_CAN_PLX_PCI_H

#include "can_sja1000_pci.h"

#define TYPE_CAN_PLX_PCI "can-plx-pci"
OBJECT_DECLARE_SIMPLE_TYPE(CanPlxPCIState, CAN_PLX_PCI)

typedef struct CanPlxPCIState {
    CanSJA1000PCIState parent_obj;

    uint32_t intcsr;    /* its read/write bits */
    uint32_t cntrl;
} CanPlxPCIState;

#endif
