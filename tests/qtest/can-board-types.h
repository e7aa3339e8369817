/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Every CAN board type the qtests drive, with where its channels sit: a
 * new board joins every test that walks board_types[] by getting a row.
 */

#ifndef CAN_BOARD_TYPES_H
#define CAN_BOARD_TYPES_H

#include "libqos/pci.h"
#include "hw/pci/pci_regs.h"

typedef enum Chip {
    CHIP_SJA1000,
    CHIP_CTUCANFD,
} Chip;

typedef struct BoardType {
    const char *name;           /* in test paths */
    const char *device;         /* -device DRIVER[,PROPS] */
    unsigned channels;
    Chip chip;
    /*
     * channel i: BAR first_bar + i * bar_step, at offset + i * span,
     * register n at n << shift
     */
    int first_bar;
    int bar_step;
    uint64_t span;
    unsigned shift;
    uint64_t offset;
} BoardType;

static const BoardType board_types[] = {
    { "kvaser_pci-1", "kvaser_pci,channels=1", 1, CHIP_SJA1000, 1, 0, 0x20 },
    { "kvaser_pci-2", "kvaser_pci,channels=2", 2, CHIP_SJA1000, 1, 0, 0x20 },
    { "kvaser_pci-4", "kvaser_pci,channels=4", 4, CHIP_SJA1000, 1, 0, 0x20 },
    { "pcm3680_pci", "pcm3680_pci", 2, CHIP_SJA1000, 0, 1, 0 },
    { "mioe3680_pci", "mioe3680_pci", 2, CHIP_SJA1000, 0, 1, 0, 2 },
    { "ctucan_pci", "ctucan_pci", 2, CHIP_CTUCANFD, 1, 0, 0x4000 },
    { "peak_pcan_pci-1", "peak_pcan_pci,channels=1", 1, CHIP_SJA1000,
      1, 0, 0x400, 2 },
    { "peak_pcan_pci-2", "peak_pcan_pci,channels=2", 2, CHIP_SJA1000,
      1, 0, 0x400, 2 },
    { "peak_pcan_pci-4", "peak_pcan_pci,channels=4", 4, CHIP_SJA1000,
      1, 0, 0x400, 2 },
    { "ems_cpc_pci_v1-1", "ems_cpc_pci_v1,channels=1", 1, CHIP_SJA1000,
      1, 0, 0x200, 2, 0x400 },
    { "ems_cpc_pci_v1-2", "ems_cpc_pci_v1,channels=2", 2, CHIP_SJA1000,
      1, 0, 0x200, 2, 0x400 },
    { "ems_cpc_pci_v2-1", "ems_cpc_pci_v2,channels=1", 1, CHIP_SJA1000,
      2, 0, 0x200, 0, 0x400 },
    { "ems_cpc_pci_v2-2", "ems_cpc_pci_v2,channels=2", 2, CHIP_SJA1000,
      2, 0, 0x200, 0, 0x400 },
    { "ems_cpc_pci_v2-4", "ems_cpc_pci_v2,channels=4", 4, CHIP_SJA1000,
      2, 0, 0x200, 0, 0x400 },
    { "adlink_pci7841-1", "adlink_pci7841,channels=1", 1, CHIP_SJA1000,
      2, 0, 0x80 },
    { "adlink_pci7841-2", "adlink_pci7841,channels=2", 2, CHIP_SJA1000,
      2, 0, 0x80 },
};

/* Does BAR @i exist?  Sizing it writes all ones; 0 back means no BAR. */
static inline bool board_bar_present(QPCIDevice *dev, int i)
{
    uint8_t reg = PCI_BASE_ADDRESS_0 + 4 * i;
    uint32_t old = qpci_config_readl(dev, reg), probe;

    qpci_config_writel(dev, reg, 0xffffffff);
    probe = qpci_config_readl(dev, reg);
    qpci_config_writel(dev, reg, old);
    return probe & ~0xfu;
}

#endif
