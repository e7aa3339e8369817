/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * CANopen objects of the CiA 301 predefined connection set, by COB-ID:
 * function code (identifier bits 10..7) and node id (bits 6..0).
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "net/can_canopen.h"

#define COB_NMT   0x000
#define COB_SYNC  0x080
#define COB_TIME  0x100

/* function codes, identifier bits 10..7 */
#define FC_EMCY   0x1   /* 0x080 + node (0x080 itself is SYNC) */
#define FC_TPDO1  0x3
#define FC_RPDO4  0xa
#define FC_SDO_TX 0xb   /* server to client: responses */
#define FC_SDO_RX 0xc   /* client to server: requests */
#define FC_NMT_EC 0xe   /* error control: heartbeat, boot-up, guarding */

/* NMT command specifiers */
static const char *nmt_command(uint8_t cs)
{
    switch (cs) {
    case 0x01:
        return "start";
    case 0x02:
        return "stop";
    case 0x80:
        return "enter pre-operational";
    case 0x81:
        return "reset node";
    case 0x82:
        return "reset communication";
    default:
        return NULL;
    }
}

/* NMT states a heartbeat reports (bits 6..0) */
static const char *nmt_state(uint8_t state)
{
    switch (state) {
    case 0x04:
        return "stopped";
    case 0x05:
        return "operational";
    case 0x7f:
        return "pre-operational";
    default:
        return NULL;
    }
}

static void describe_nmt(GString *out, const qemu_can_frame *f)
{
    const char *cmd = f->can_dlc >= 2 ? nmt_command(f->data[0]) : NULL;

    if (!cmd) {
        g_string_append(out, "NMT (malformed)");
    } else if (f->data[1] == 0) {
        g_string_append_printf(out, "NMT %s all nodes", cmd);
    } else {
        g_string_append_printf(out, "NMT %s node %u", cmd, f->data[1]);
    }
}

/* TIME_OF_DAY: 28 bits of ms after midnight, 16 bits of days since 1984 */
static void describe_time(GString *out, const qemu_can_frame *f)
{
    if (f->can_dlc < 6) {
        g_string_append(out, "TIME (malformed)");
        return;
    }
    g_string_append_printf(out, "TIME %u ms, day %u since 1984-01-01",
                           ldl_le_p(f->data) & 0x0fffffff,
                           lduw_le_p(f->data + 4));
}

static void describe_emcy(GString *out, const qemu_can_frame *f,
                          unsigned node)
{
    g_string_append_printf(out, "EMCY node %u", node);
    if (f->can_dlc >= 3) {
        g_string_append_printf(out, " error %04X register %02X",
                               lduw_le_p(f->data), f->data[2]);
    }
}

static void describe_pdo(GString *out, unsigned fc, unsigned node)
{
    /* TPDOn and RPDOn alternate from function code 3 (TPDO1) on */
    unsigned n = (fc - FC_TPDO1) / 2 + 1;

    g_string_append_printf(out, "%cPDO%u node %u",
                           (fc - FC_TPDO1) % 2 ? 'R' : 'T', n, node);
}

/* The multiplexer (index:subindex) of an SDO initiate or abort message */
static void sdo_mux(GString *out, const qemu_can_frame *f)
{
    g_string_append_printf(out, " %04X:%02X", lduw_le_p(f->data + 1),
                           f->data[3]);
}

/* Expedited transfer (e) with size indicated (s): 4 - n data bytes */
static void sdo_expedited(GString *out, const qemu_can_frame *f)
{
    uint8_t cmd = f->data[0];

    if (!(cmd & 0x02)) {
        return;
    }
    g_string_append(out, " expedited");
    if (cmd & 0x01) {
        g_string_append_printf(out, " %u bytes", 4 - ((cmd >> 2) & 3));
    }
}

static void sdo_segment(GString *out, const qemu_can_frame *f, bool data)
{
    uint8_t cmd = f->data[0];

    g_string_append_printf(out, " toggle %u", (cmd >> 4) & 1);
    if (data) {
        g_string_append_printf(out, " %u bytes%s", 7 - ((cmd >> 1) & 7),
                               cmd & 1 ? " last" : "");
    }
}

/*
 * Command specifier, bits 7..5 of byte 0.  Client requests: 0 download
 * segment, 1 initiate download, 2 initiate upload, 3 upload segment, 4
 * abort, 5 block upload, 6 block download.  Server responses: 0 upload
 * segment, 1 download segment, 2 initiate upload, 3 initiate download, 4
 * abort, 5 block download, 6 block upload.
 */
static void describe_sdo(GString *out, const qemu_can_frame *f,
                         unsigned node, bool request)
{
    unsigned cs = f->data[0] >> 5;

    g_string_append_printf(out, "SDO %s node %u: ",
                           request ? "request" : "response", node);
    if (f->can_dlc != 8) {
        g_string_append(out, "(malformed)");
        return;
    }
    switch (cs) {
    case 0:
        g_string_append_printf(out, "%s segment",
                               request ? "download" : "upload");
        sdo_segment(out, f, true);
        break;
    case 1:
        if (request) {
            g_string_append(out, "initiate download");
            sdo_mux(out, f);
            sdo_expedited(out, f);
        } else {
            g_string_append(out, "download segment");
            sdo_segment(out, f, false);
        }
        break;
    case 2:
        g_string_append(out, "initiate upload");
        sdo_mux(out, f);
        if (!request) {
            sdo_expedited(out, f);
        }
        break;
    case 3:
        if (request) {
            g_string_append(out, "upload segment");
            sdo_segment(out, f, false);
        } else {
            g_string_append(out, "initiate download");
            sdo_mux(out, f);
        }
        break;
    case 4:
        g_string_append(out, "abort");
        sdo_mux(out, f);
        g_string_append_printf(out, " code %08X", ldl_le_p(f->data + 4));
        break;
    case 5:
        g_string_append(out, request ? "block upload" : "block download");
        break;
    case 6:
        g_string_append(out, request ? "block download" : "block upload");
        break;
    default:
        g_string_append(out, "(unknown command)");
        break;
    }
}

static void describe_error_control(GString *out, const qemu_can_frame *f,
                                   unsigned node)
{
    const char *state;

    if (f->can_id & QEMU_CAN_RTR_FLAG) {
        g_string_append_printf(out, "node guarding request node %u", node);
        return;
    }
    if (f->can_dlc < 1) {
        g_string_append_printf(out, "heartbeat node %u: (malformed)", node);
        return;
    }
    if (f->data[0] == 0) {
        g_string_append_printf(out, "boot-up node %u", node);
        return;
    }
    /* bit 7 is node guarding's toggle bit */
    state = nmt_state(f->data[0] & 0x7f);
    g_string_append_printf(out, "heartbeat node %u: %s", node,
                           state ? state : "(unknown state)");
}

bool can_canopen_describe(GString *out, const qemu_can_frame *frame)
{
    uint32_t id = frame->can_id & QEMU_CAN_SFF_MASK;
    unsigned fc = id >> 7;
    unsigned node = id & 0x7f;
    bool rtr = frame->can_id & QEMU_CAN_RTR_FLAG;

    if (frame->can_id & (QEMU_CAN_EFF_FLAG | QEMU_CAN_ERR_FLAG) ||
        frame->flags & QEMU_CAN_FRMF_TYPE_FD) {
        return false;
    }
    if (rtr && fc != FC_NMT_EC && (fc < FC_TPDO1 || fc > FC_RPDO4)) {
        /* only PDOs and node guarding are ever requested remotely */
        return false;
    }
    if (id == COB_NMT) {
        describe_nmt(out, frame);
    } else if (id == COB_SYNC) {
        g_string_append(out, "SYNC");
        if (frame->can_dlc >= 1) {
            g_string_append_printf(out, " counter %u", frame->data[0]);
        }
    } else if (id == COB_TIME) {
        describe_time(out, frame);
    } else if (node == 0) {
        return false;
    } else if (fc == FC_EMCY) {
        describe_emcy(out, frame, node);
    } else if (fc >= FC_TPDO1 && fc <= FC_RPDO4) {
        describe_pdo(out, fc, node);
        if (rtr) {
            g_string_append(out, " remote request");
        }
    } else if (fc == FC_SDO_TX || fc == FC_SDO_RX) {
        describe_sdo(out, frame, node, fc == FC_SDO_RX);
    } else if (fc == FC_NMT_EC) {
        describe_error_control(out, frame, node);
    } else {
        return false;
    }
    return true;
}
