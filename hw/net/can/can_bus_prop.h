/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A device property that names a can-bus by its id (or an absolute QOM
 * path), as can_bus_find() looks it up, never by a partial path: so that
 * any id works whatever links and children the machine's devices have.
 * It reads back as the bus's id, or "" when unset; it holds a reference
 * to the bus and can be set only before the device is realized.
 */

#ifndef HW_NET_CAN_BUS_PROP_H
#define HW_NET_CAN_BUS_PROP_H

#include "hw/qdev-properties.h"
#include "net/can_emu.h"

extern const PropertyInfo qdev_prop_can_bus;

#define DEFINE_PROP_CAN_BUS(_name, _state, _field) \
    DEFINE_PROP(_name, _state, _field, qdev_prop_can_bus, CanBusState *)

#endif
