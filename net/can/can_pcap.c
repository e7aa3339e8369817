/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * CAN frames as pcap and pcapng records (LINKTYPE_CAN_SOCKETCAN).
 *
 * Layouts: https://www.tcpdump.org/linktypes/LINKTYPE_CAN_SOCKETCAN.html,
 * the classic pcap file format (draft-ietf-opsawg-pcap) and pcapng
 * (draft-ietf-opsawg-pcapng).
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "qemu/timer.h"
#include "net/can_pcap.h"

#define PCAP_MAGIC_NS     0xa1b23c4d /* nanosecond timestamps */
#define PCAP_VERSION_MAJOR 2
#define PCAP_VERSION_MINOR 4

#define PCAPNG_BLOCK_SHB  0x0a0d0d0a
#define PCAPNG_BLOCK_IDB  0x00000001
#define PCAPNG_BLOCK_EPB  0x00000006
#define PCAPNG_BYTE_ORDER 0x1a2b3c4d
#define PCAPNG_VERSION_MAJOR 1
#define PCAPNG_VERSION_MINOR 0

#define PCAPNG_OPT_END          0
#define PCAPNG_OPT_COMMENT      1
#define PCAPNG_OPT_SHB_USERAPPL 4
#define PCAPNG_OPT_IF_NAME      2
#define PCAPNG_OPT_IF_TSRESOL   9

#define PCAPNG_TSRESOL_NS 9     /* 10^-9 s */

size_t can_pcap_record(uint8_t buf[CAN_PCAP_CANFD_RECORD_LEN],
                       const qemu_can_frame *frame)
{
    bool fd = frame->flags & QEMU_CAN_FRMF_TYPE_FD;
    size_t max = fd ? QEMU_CANFD_MAX_DLEN : QEMU_CAN_MAX_DLEN;
    size_t len = MIN(frame->can_dlc, max);

    memset(buf, 0, CAN_PCAP_CANFD_RECORD_LEN);
    /* qemu_canid_t has the flags where Linux's canid_t has them */
    stl_be_p(buf, frame->can_id);
    buf[4] = len;
    if (fd) {
        buf[5] = CAN_PCAP_FD_FDF |
                 (frame->flags & QEMU_CAN_FRMF_BRS ? CAN_PCAP_FD_BRS : 0) |
                 (frame->flags & QEMU_CAN_FRMF_ESI ? CAN_PCAP_FD_ESI : 0);
    } else {
        /* struct can_frame keeps a DLC of 9..15 after the two reserved */
        buf[7] = frame->len8_dlc;
    }
    if (!(frame->can_id & QEMU_CAN_RTR_FLAG)) {
        memcpy(buf + 8, frame->data, len);
    }
    return fd ? CAN_PCAP_CANFD_RECORD_LEN : CAN_PCAP_CAN_RECORD_LEN;
}

static void put_le16(GByteArray *out, uint16_t v)
{
    uint8_t b[2];

    stw_le_p(b, v);
    g_byte_array_append(out, b, sizeof(b));
}

static void put_le32(GByteArray *out, uint32_t v)
{
    uint8_t b[4];

    stl_le_p(b, v);
    g_byte_array_append(out, b, sizeof(b));
}

static void put_le64(GByteArray *out, uint64_t v)
{
    uint8_t b[8];

    stq_le_p(b, v);
    g_byte_array_append(out, b, sizeof(b));
}

/* pcapng pads every variable-length field to 32 bits */
static void put_padding(GByteArray *out)
{
    static const uint8_t zero[3];

    g_byte_array_append(out, zero, -out->len & 3);
}

void can_pcap_file_header(GByteArray *out)
{
    put_le32(out, PCAP_MAGIC_NS);
    put_le16(out, PCAP_VERSION_MAJOR);
    put_le16(out, PCAP_VERSION_MINOR);
    put_le32(out, 0);                           /* reserved (thiszone) */
    put_le32(out, 0);                           /* reserved (sigfigs) */
    put_le32(out, CAN_PCAP_CANFD_RECORD_LEN);   /* snaplen */
    put_le32(out, CAN_PCAP_LINKTYPE_SOCKETCAN);
}

void can_pcap_packet(GByteArray *out, uint64_t ts_ns,
                     const qemu_can_frame *frame)
{
    uint8_t rec[CAN_PCAP_CANFD_RECORD_LEN];
    size_t len = can_pcap_record(rec, frame);

    put_le32(out, ts_ns / NANOSECONDS_PER_SECOND);
    put_le32(out, ts_ns % NANOSECONDS_PER_SECOND);
    put_le32(out, len);                         /* captured */
    put_le32(out, len);                         /* original */
    g_byte_array_append(out, rec, len);
}

/*
 * A pcapng block: type, total length, body, total length again.  The body
 * is appended between pcapng_block_begin() and pcapng_block_end().
 */
static guint pcapng_block_begin(GByteArray *out, uint32_t type)
{
    guint start = out->len;

    put_le32(out, type);
    put_le32(out, 0);                           /* filled in at the end */
    return start;
}

static void pcapng_block_end(GByteArray *out, guint start)
{
    uint32_t total = out->len - start + 4;

    put_le32(out, total);
    stl_le_p(out->data + start + 4, total);
}

static void pcapng_option(GByteArray *out, uint16_t code,
                          const void *value, uint16_t len)
{
    put_le16(out, code);
    put_le16(out, len);
    if (len) {
        g_byte_array_append(out, value, len);
        put_padding(out);
    }
}

static void pcapng_option_string(GByteArray *out, uint16_t code,
                                 const char *s)
{
    /* UTF-8, not NUL-terminated; an option holds at most 65535 bytes */
    pcapng_option(out, code, s, MIN(strlen(s), UINT16_MAX));
}

static void pcapng_options_end(GByteArray *out)
{
    pcapng_option(out, PCAPNG_OPT_END, NULL, 0);
}

void can_pcapng_section_header(GByteArray *out, const char *application)
{
    guint start = pcapng_block_begin(out, PCAPNG_BLOCK_SHB);

    put_le32(out, PCAPNG_BYTE_ORDER);
    put_le16(out, PCAPNG_VERSION_MAJOR);
    put_le16(out, PCAPNG_VERSION_MINOR);
    put_le64(out, UINT64_MAX);                  /* section length unknown */
    pcapng_option_string(out, PCAPNG_OPT_SHB_USERAPPL, application);
    pcapng_options_end(out);
    pcapng_block_end(out, start);
}

void can_pcapng_interface(GByteArray *out, const char *name)
{
    guint start = pcapng_block_begin(out, PCAPNG_BLOCK_IDB);
    uint8_t tsresol = PCAPNG_TSRESOL_NS;

    put_le16(out, CAN_PCAP_LINKTYPE_SOCKETCAN);
    put_le16(out, 0);                           /* reserved */
    put_le32(out, CAN_PCAP_CANFD_RECORD_LEN);   /* snaplen */
    pcapng_option_string(out, PCAPNG_OPT_IF_NAME, name);
    pcapng_option(out, PCAPNG_OPT_IF_TSRESOL, &tsresol, 1);
    pcapng_options_end(out);
    pcapng_block_end(out, start);
}

void can_pcapng_packet(GByteArray *out, uint32_t interface, uint64_t ts_ns,
                       const qemu_can_frame *frame, const char *comment)
{
    uint8_t rec[CAN_PCAP_CANFD_RECORD_LEN];
    size_t len = can_pcap_record(rec, frame);
    guint start = pcapng_block_begin(out, PCAPNG_BLOCK_EPB);

    put_le32(out, interface);
    put_le32(out, ts_ns >> 32);
    put_le32(out, (uint32_t)ts_ns);
    put_le32(out, len);                         /* captured */
    put_le32(out, len);                         /* original */
    g_byte_array_append(out, rec, len);
    put_padding(out);
    if (comment) {
        pcapng_option_string(out, PCAPNG_OPT_COMMENT, comment);
        pcapng_options_end(out);
    }
    pcapng_block_end(out, start);
}
