/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Names of CANopen objects for people reading a bus: which object of the
 * CiA 301 predefined connection set a frame is, from its COB-ID and data.
 * Free of QOM, for the can-display object and tools outside QEMU.
 */

#ifndef NET_CAN_CANOPEN_H
#define NET_CAN_CANOPEN_H

#include "net/can_emu.h"

/*
 * Append to @out what @frame is in CANopen, e.g. "NMT start node 5",
 * "SYNC", "EMCY node 3 error 8130 register 11", "TPDO1 node 5",
 * "SDO request node 5: initiate download 1017:00 expedited 2 bytes",
 * "heartbeat node 5: operational", "boot-up node 5".  Returns false, and
 * appends nothing, for a frame that is no CANopen object of the predefined
 * connection set (an extended identifier, an error or CAN FD frame, an
 * unassigned COB-ID).
 */
bool can_canopen_describe(GString *out, const qemu_can_frame *frame);

#endif
