/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * python-can's udp_multicast packet format: one CAN frame per UDP
 * datagram, as a msgpack map whose keys are the arguments of python-can's
 * can.Message ("arbitration_id", "is_extended_id", "dlc", "data", ...).
 */

#ifndef NET_CAN_UDP_MSGPACK_H
#define NET_CAN_UDP_MSGPACK_H

#include "net/can_emu.h"

/* The largest packet can_udp_encode() writes (an FD frame of 64 bytes) */
#define CAN_UDP_PACKET_MAX 256

/*
 * Write @frame, sent at @timestamp (seconds since the epoch), as one
 * packet into @buf: its length, at most CAN_UDP_PACKET_MAX.  A classic
 * frame's DLC of 9..15 (len8_dlc) has no place in the format: it goes as 8.
 */
size_t can_udp_encode(const qemu_can_frame *frame, double timestamp,
                      uint8_t *buf);

/*
 * Read the packet @buf of @len bytes into @frame.  False, with *@why
 * saying what is wrong, for a packet python-can itself would refuse
 * (not msgpack, a key can.Message does not take, an identifier out of
 * range, a length that does not match the data) or that no CAN bus could
 * carry (an FD length that no DLC codes).  An error frame
 * ("is_error_frame") reads as a frame with QEMU_CAN_ERR_FLAG.
 */
bool can_udp_decode(const uint8_t *buf, size_t len, qemu_can_frame *frame,
                    const char **why);

#endif
