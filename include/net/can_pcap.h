/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * CAN frames as capture file records: libpcap's LINKTYPE_CAN_SOCKETCAN
 * in the classic pcap format and in pcapng.
 *
 * The functions append bytes to a GByteArray and know nothing of buses or
 * files, so that the can-capture object and tools outside QEMU's device
 * model write the same records.  Multi-byte fields of the file formats are
 * written little-endian (the byte-order magic says so); the record's CAN
 * identifier is big-endian, as the link type defines it.
 */

#ifndef NET_CAN_PCAP_H
#define NET_CAN_PCAP_H

#include "net/can_emu.h"

/* https://www.tcpdump.org/linktypes.html */
#define CAN_PCAP_LINKTYPE_SOCKETCAN 227

/* A record is a Linux struct can_frame or struct canfd_frame */
#define CAN_PCAP_CAN_RECORD_LEN   16
#define CAN_PCAP_CANFD_RECORD_LEN 72

/* LINKTYPE_CAN_SOCKETCAN's FD flags byte */
#define CAN_PCAP_FD_BRS 0x01
#define CAN_PCAP_FD_ESI 0x02
#define CAN_PCAP_FD_FDF 0x04

/*
 * Lay @frame out as one LINKTYPE_CAN_SOCKETCAN record in @buf; returns its
 * length, CAN_PCAP_CAN_RECORD_LEN or (for FD frames) _CANFD_RECORD_LEN.
 */
size_t can_pcap_record(uint8_t buf[CAN_PCAP_CANFD_RECORD_LEN],
                       const qemu_can_frame *frame);

/* pcap: the file header (nanosecond timestamps), then one packet a frame */
void can_pcap_file_header(GByteArray *out);
void can_pcap_packet(GByteArray *out, uint64_t ts_ns,
                     const qemu_can_frame *frame);

/*
 * pcapng: a section header block naming @application, then one interface
 * description block per bus (interface ids count from 0 in the order they
 * are written, timestamps in nanoseconds), then enhanced packet blocks on
 * those interfaces.  @comment, if not NULL, becomes the packet's
 * opt_comment (the sending client).
 */
void can_pcapng_section_header(GByteArray *out, const char *application);
void can_pcapng_interface(GByteArray *out, const char *name);
void can_pcapng_packet(GByteArray *out, uint32_t interface, uint64_t ts_ns,
                       const qemu_can_frame *frame, const char *comment);

#endif
