/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * CAN frames in can-utils' log and display formats (see can_candump.h).
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/timer.h"
#include "net/can_candump.h"

/* the digits of an 11-bit and of a 29-bit (or error frame) identifier */
#define SFF_ID_DIGITS 3
#define EFF_ID_DIGITS 8

/* The flags nibble of an FD frame (ID##F...), as Linux's canfd_frame has */
#define LOG_FD_BRS 0x1
#define LOG_FD_ESI 0x2

static bool frame_is_fd(const qemu_can_frame *frame)
{
    return frame->flags & QEMU_CAN_FRMF_TYPE_FD;
}

static unsigned frame_len(const qemu_can_frame *frame)
{
    return MIN(frame->can_dlc, frame_is_fd(frame) ? QEMU_CANFD_MAX_DLEN
                                                  : QEMU_CAN_MAX_DLEN);
}

static void format_id(GString *out, const qemu_can_frame *frame)
{
    if (frame->can_id & QEMU_CAN_ERR_FLAG) {
        g_string_append_printf(out, "%08X", frame->can_id &
                               (QEMU_CAN_EFF_MASK | QEMU_CAN_ERR_FLAG));
    } else if (frame->can_id & QEMU_CAN_EFF_FLAG) {
        g_string_append_printf(out, "%08X", frame->can_id & QEMU_CAN_EFF_MASK);
    } else {
        g_string_append_printf(out, "%03X", frame->can_id & QEMU_CAN_SFF_MASK);
    }
}

void can_candump_format_frame(GString *out, const qemu_can_frame *frame)
{
    unsigned len = frame_len(frame);
    unsigned i;

    format_id(out, frame);
    g_string_append_c(out, '#');
    if (frame_is_fd(frame)) {
        g_string_append_printf(out, "#%X",
                               (frame->flags & QEMU_CAN_FRMF_BRS ? LOG_FD_BRS
                                                                 : 0) |
                               (frame->flags & QEMU_CAN_FRMF_ESI ? LOG_FD_ESI
                                                                 : 0));
    } else if (frame->can_id & QEMU_CAN_RTR_FLAG) {
        g_string_append_c(out, 'R');
        if (len) {
            g_string_append_printf(out, "%u", len);
        }
    }
    for (i = 0; i < len && !(frame->can_id & QEMU_CAN_RTR_FLAG); i++) {
        g_string_append_printf(out, "%02X", frame->data[i]);
    }
    if (!frame_is_fd(frame) && frame->len8_dlc > QEMU_CAN_MAX_DLEN &&
        len == QEMU_CAN_MAX_DLEN) {
        g_string_append_printf(out, "_%X", frame->len8_dlc & 0xf);
    }
}

void can_candump_format_time(GString *out, uint64_t ts_ns)
{
    g_string_append_printf(out, "(%010" PRIu64 ".%06" PRIu64 ")",
                           (uint64_t)(ts_ns / NANOSECONDS_PER_SECOND),
                           (uint64_t)(ts_ns % NANOSECONDS_PER_SECOND /
                                      SCALE_US));
}

void can_candump_format_line(GString *out, uint64_t ts_ns, const char *bus,
                             const qemu_can_frame *frame)
{
    can_candump_format_time(out, ts_ns);
    g_string_append_printf(out, " %s ", bus);
    can_candump_format_frame(out, frame);
    g_string_append_c(out, '\n');
}

void can_candump_format_display(GString *out, const char *bus,
                                const qemu_can_frame *frame)
{
    unsigned len = frame_len(frame);
    unsigned i;

    g_string_append_printf(out, "  %s  ", bus);
    format_id(out, frame);
    g_string_append_printf(out, frame_is_fd(frame) ? "  [%02u]" : "   [%u]",
                           len);
    if (!frame_is_fd(frame) && (frame->can_id & QEMU_CAN_RTR_FLAG)) {
        g_string_append(out, "  remote request");
        return;
    }
    g_string_append_c(out, ' ');
    for (i = 0; i < len; i++) {
        g_string_append_printf(out, " %02X", frame->data[i]);
    }
}

void can_candump_format_shown(GString *out, uint64_t ts_ns, const char *bus,
                              const qemu_can_frame *frame,
                              bool (*describe)(GString *out,
                                               const qemu_can_frame *frame),
                              const char *sender)
{
    can_candump_format_time(out, ts_ns);
    can_candump_format_display(out, bus, frame);
    if (describe) {
        g_string_append(out, "  ");
        if (!describe(out, frame)) {
            g_string_truncate(out, out->len - 2);
        }
    }
    if (sender) {
        g_string_append_printf(out, "  <%s>", sender);
    }
    g_string_append_c(out, '\n');
}

/* @n hex digits at @s; false if any is not one */
static bool parse_hex(const char *s, unsigned n, uint32_t *value)
{
    uint32_t v = 0;
    unsigned i;

    for (i = 0; i < n; i++) {
        int d = g_ascii_xdigit_value(s[i]);

        if (d < 0) {
            return false;
        }
        v = v << 4 | d;
    }
    *value = v;
    return true;
}

static unsigned hex_run(const char *s)
{
    unsigned n = 0;

    while (g_ascii_isxdigit(s[n])) {
        n++;
    }
    return n;
}

/* Data bytes, two hex digits each, optionally separated by '.' */
static const char *parse_data(const char *s, qemu_can_frame *frame,
                              unsigned max, Error **errp)
{
    unsigned len = 0;
    uint32_t byte;

    while (*s && *s != '_') {
        if (*s == '.') {
            s++;
            continue;
        }
        if (!parse_hex(s, 2, &byte)) {
            error_setg(errp, "'%.2s' is not a data byte (two hex digits)", s);
            return NULL;
        }
        if (len == max) {
            error_setg(errp, "more than %u data bytes", max);
            return NULL;
        }
        frame->data[len++] = byte;
        s += 2;
    }
    frame->can_dlc = len;
    return s;
}

bool can_candump_parse_frame(const char *text, qemu_can_frame *frame,
                             Error **errp)
{
    const char *s = text;
    unsigned digits = hex_run(s);
    uint32_t id = 0;
    uint32_t v;

    memset(frame, 0, sizeof(*frame));
    if ((digits != SFF_ID_DIGITS && digits != EFF_ID_DIGITS) ||
        s[digits] != '#') {
        error_setg(errp, "'%s' is not ID#DATA with an ID of 3 or 8 hex "
                   "digits", text);
        return false;
    }
    parse_hex(s, digits, &id);
    s += digits + 1;
    if (digits == SFF_ID_DIGITS) {
        if (id > QEMU_CAN_SFF_MASK) {
            error_setg(errp, "standard identifier %03X above 7FF", id);
            return false;
        }
        frame->can_id = id;
    } else if (id & QEMU_CAN_ERR_FLAG) {
        if (id & ~(QEMU_CAN_EFF_MASK | QEMU_CAN_ERR_FLAG)) {
            error_setg(errp, "error frame identifier %08X has flags other "
                       "than 20000000", id);
            return false;
        }
        frame->can_id = id;
    } else {
        if (id > QEMU_CAN_EFF_MASK) {
            error_setg(errp, "extended identifier %08X above 1FFFFFFF", id);
            return false;
        }
        frame->can_id = id | QEMU_CAN_EFF_FLAG;
    }

    if (*s == '#') {
        s++;
        if (!parse_hex(s, 1, &v) || v & ~(LOG_FD_BRS | LOG_FD_ESI)) {
            error_setg(errp, "CAN FD frame without a flags digit of 0..3 "
                       "after ##");
            return false;
        }
        if (frame->can_id & QEMU_CAN_ERR_FLAG) {
            error_setg(errp, "an error frame cannot be a CAN FD frame");
            return false;
        }
        frame->flags = QEMU_CAN_FRMF_TYPE_FD |
                       (v & LOG_FD_BRS ? QEMU_CAN_FRMF_BRS : 0) |
                       (v & LOG_FD_ESI ? QEMU_CAN_FRMF_ESI : 0);
        s = parse_data(s + 1, frame, QEMU_CANFD_MAX_DLEN, errp);
        if (!s) {
            return false;
        }
        if (can_dlc2len(can_len2dlc(frame->can_dlc)) != frame->can_dlc) {
            error_setg(errp, "%u bytes is not a CAN FD payload length",
                       frame->can_dlc);
            return false;
        }
    } else if (*s == 'R' || *s == 'r') {
        if (frame->can_id & QEMU_CAN_ERR_FLAG) {
            error_setg(errp, "an error frame cannot be a remote frame");
            return false;
        }
        frame->can_id |= QEMU_CAN_RTR_FLAG;
        s++;
        if (*s >= '0' && *s <= '8') {
            frame->can_dlc = *s++ - '0';
        }
    } else {
        s = parse_data(s, frame, QEMU_CAN_MAX_DLEN, errp);
        if (!s) {
            return false;
        }
    }

    if ((frame->can_id & QEMU_CAN_ERR_FLAG) &&
        frame->can_dlc != QEMU_CAN_MAX_DLEN) {
        error_setg(errp, "an error frame carries 8 data bytes");
        return false;
    }
    if (*s == '_') {
        if (frame_is_fd(frame) || frame->can_dlc != QEMU_CAN_MAX_DLEN ||
            !parse_hex(s + 1, 1, &v) || v <= QEMU_CAN_MAX_DLEN) {
            error_setg(errp, "_DLC needs 8 bytes of a classic frame and a "
                       "DLC of 9..F");
            return false;
        }
        frame->len8_dlc = v;
        s += 2;
    }
    if (*s) {
        error_setg(errp, "unexpected '%s' after the frame", s);
        return false;
    }
    return true;
}

/* "(SEC.FRAC)": decimal seconds, at most nanoseconds */
static const char *parse_timestamp(const char *s, uint64_t *ts_ns,
                                   Error **errp)
{
    uint64_t sec = 0, frac = 0;
    unsigned n;

    if (*s++ != '(' || !g_ascii_isdigit(*s)) {
        error_setg(errp, "a line starts with (SECONDS.FRACTION)");
        return NULL;
    }
    for (; g_ascii_isdigit(*s); s++) {
        sec = sec * 10 + (*s - '0');
        if (sec > UINT64_MAX / NANOSECONDS_PER_SECOND - 1) {
            error_setg(errp, "timestamp out of range");
            return NULL;
        }
    }
    if (*s++ != '.') {
        error_setg(errp, "timestamp without its fraction");
        return NULL;
    }
    for (n = 0; g_ascii_isdigit(*s); s++, n++) {
        if (n == 9) {
            error_setg(errp, "timestamp finer than nanoseconds");
            return NULL;
        }
        frac = frac * 10 + (*s - '0');
    }
    if (n == 0 || *s++ != ')') {
        error_setg(errp, "timestamp not closed by ')'");
        return NULL;
    }
    for (; n < 9; n++) {
        frac *= 10;
    }
    *ts_ns = sec * NANOSECONDS_PER_SECOND + frac;
    return s;
}

int can_candump_parse_line(const char *line, CanCandumpRecord *rec,
                           Error **errp)
{
    g_autofree char *text = g_strchomp(g_strdup(line));
    const char *s = text;
    size_t n;

    while (g_ascii_isspace(*s)) {
        s++;
    }
    if (!*s) {
        return 0;
    }
    s = parse_timestamp(s, &rec->ts_ns, errp);
    if (!s) {
        return -1;
    }
    if (*s != ' ') {
        error_setg(errp, "no interface name after the timestamp");
        return -1;
    }
    s += strspn(s, " ");
    n = strcspn(s, " ");
    if (n == 0 || n > CAN_CANDUMP_IFNAME_MAX) {
        error_setg(errp, "interface name of 1 to %d characters expected",
                   CAN_CANDUMP_IFNAME_MAX);
        return -1;
    }
    memcpy(rec->ifname, s, n);
    rec->ifname[n] = '\0';
    s += n;
    s += strspn(s, " ");
    return can_candump_parse_frame(s, &rec->frame, errp) ? 1 : -1;
}
