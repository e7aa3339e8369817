/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The socketcand protocol's elements, parsed and written.  Every field
 * from the network is checked: its digits, its range, the data's length
 * against the length field.
 */

#include "qemu/osdep.h"
#include "net/can_socketcand.h"

void scd_reader_feed(ScdReader *r, const char *buf, size_t len,
                     const ScdReaderOps *ops, void *opaque)
{
    size_t i;

    for (i = 0; i < len && ops->more(opaque); i++) {
        char ch = buf[i];

        if (r->discard) {
            r->discard = ch != '>';
        } else if (!r->in_element) {
            if (ch == '<') {
                r->in_element = true;
                r->garbage = false;
                r->len = 0;
            } else if (!g_ascii_isspace(ch) && !r->garbage) {
                r->garbage = true;
                ops->error(opaque, "text outside an element");
            }
        } else if (ch == '>') {
            r->in_element = false;
            ops->element(opaque, r->text, r->len);
        } else if (ch == '<' || r->len == sizeof(r->text)) {
            r->in_element = false;
            r->discard = true;
            ops->error(opaque, ch == '<' ? "'<' inside an element" :
                       "element too long");
        } else {
            r->text[r->len++] = ch;
        }
    }
}

bool scd_split(const char *text, size_t len, ScdElement *el,
               const char **why)
{
    char *p, *save;

    if (len > SCD_ELEMENT_MAX) {
        *why = "element too long";
        return false;
    }
    memcpy(el->text, text, len);
    el->text[len] = '\0';
    el->words = 0;
    for (p = strtok_r(el->text, " \t\r\n", &save); p;
         p = strtok_r(NULL, " \t\r\n", &save)) {
        if (el->words == SCD_MAX_TOKENS) {
            *why = "too many words";
            return false;
        }
        el->word[el->words++] = p;
    }
    if (!el->words) {
        *why = "empty element";
        return false;
    }
    return true;
}

/* A hexadecimal number of 1..@digits digits */
static bool parse_hex(const char *s, int digits, uint32_t *out)
{
    uint32_t v = 0;
    int n;

    for (n = 0; s[n]; n++) {
        if (n == digits || !g_ascii_isxdigit(s[n])) {
            return false;
        }
        v = v << 4 | g_ascii_xdigit_value(s[n]);
    }
    *out = v;
    return n > 0;
}

bool scd_parse_uint(const char *s, uint32_t max, uint32_t *out)
{
    uint64_t v = 0;
    int n;

    for (n = 0; s[n]; n++) {
        if (n == 10 || !g_ascii_isdigit(s[n])) {
            return false;
        }
        v = v * 10 + (s[n] - '0');
    }
    if (!n || v > max) {
        return false;
    }
    *out = v;
    return true;
}

bool scd_parse_id(const char *s, qemu_canid_t *id, const char **why)
{
    uint32_t v;

    if (!parse_hex(s, 8, &v)) {
        *why = "bad identifier";
        return false;
    }
    if (strlen(s) == 8) {
        if (v > QEMU_CAN_EFF_MASK) {
            *why = "identifier out of range";
            return false;
        }
        *id = v | QEMU_CAN_EFF_FLAG;
    } else {
        if (v > QEMU_CAN_SFF_MASK) {
            *why = "identifier out of range";
            return false;
        }
        *id = v;
    }
    return true;
}

/* @el's words from @first on: exactly @len data bytes */
static bool parse_data(const ScdElement *el, int first, uint8_t len,
                       uint8_t *data, const char **why)
{
    uint32_t v;
    int i;

    if (el->words - first != len) {
        *why = "the data does not match the length";
        return false;
    }
    for (i = 0; i < len; i++) {
        if (!parse_hex(el->word[first + i], 2, &v)) {
            *why = "bad data byte";
            return false;
        }
        data[i] = v;
    }
    return true;
}

/* The identifier in word @id and the length in word @len, a classic one */
static bool parse_id_len(const ScdElement *el, int id, int len,
                         qemu_can_frame *frame, const char **why)
{
    uint32_t v;

    /* python-can writes the length in hex: one digit either way */
    if (!scd_parse_uint(el->word[len], QEMU_CAN_MAX_DLEN, &v)) {
        *why = "bad length";
        return false;
    }
    frame->can_dlc = v;
    return scd_parse_id(el->word[id], &frame->can_id, why);
}

bool scd_parse_can(const ScdElement *el, int first, qemu_can_frame *frame,
                   const char **why)
{
    memset(frame, 0, sizeof(*frame));
    if (el->words < first + 2) {
        *why = "an identifier and a length are needed";
        return false;
    }
    return parse_id_len(el, first, first + 1, frame, why) &&
           parse_data(el, first + 2, frame->can_dlc, frame->data, why);
}

bool scd_parse_send(const ScdElement *el, qemu_can_frame *frame,
                    const char **why)
{
    const char *cmd = el->word[0];
    uint32_t len, flags = 0;

    memset(frame, 0, sizeof(*frame));
    if (!strcmp(cmd, "fdsend")) {
        if (el->words < 4) {
            *why = "fdsend needs an identifier, flags and a length";
            return false;
        }
        if (!parse_hex(el->word[2], 2, &flags)) {
            *why = "bad flags";
            return false;
        }
        if (!scd_parse_uint(el->word[3], QEMU_CANFD_MAX_DLEN, &len) ||
            can_dlc2len(can_len2dlc(len)) != len) {
            *why = "bad CAN FD length";
            return false;
        }
        if (!scd_parse_id(el->word[1], &frame->can_id, why)) {
            return false;
        }
        frame->flags = QEMU_CAN_FRMF_TYPE_FD |
                       (flags & QEMU_CAN_FRMF_BRS) |
                       (flags & QEMU_CAN_FRMF_ESI);
        frame->can_dlc = len;
        return parse_data(el, 4, len, frame->data, why);
    }
    if (el->words < 3) {
        *why = "send needs an identifier and a length";
        return false;
    }
    if (strcmp(cmd, "sendrtr")) {
        return scd_parse_can(el, 1, frame, why);
    }
    if (!parse_id_len(el, 1, 2, frame, why)) {
        return false;
    }
    frame->can_id |= QEMU_CAN_RTR_FLAG;
    if (el->words != 3) {
        *why = "a remote frame carries no data";
        return false;
    }
    return true;
}

static size_t format_id(const qemu_can_frame *frame, char *buf)
{
    if (frame->can_id & QEMU_CAN_EFF_FLAG) {
        return sprintf(buf, "%08X", frame->can_id & QEMU_CAN_EFF_MASK);
    }
    return sprintf(buf, "%03X", frame->can_id & QEMU_CAN_SFF_MASK);
}

/* The data of a received frame, words @first on: hex digits, @max bytes */
static bool parse_frame_data(const ScdElement *el, int first, size_t max,
                             qemu_can_frame *frame, const char **why)
{
    size_t n = 0;
    int i, j;

    for (i = first; i < el->words; i++) {
        const char *w = el->word[i];

        for (j = 0; w[j]; j += 2) {
            if (!g_ascii_isxdigit(w[j]) || !g_ascii_isxdigit(w[j + 1]) ||
                n == max) {
                *why = n == max ? "too much data" : "bad data";
                return false;
            }
            frame->data[n++] = g_ascii_xdigit_value(w[j]) << 4 |
                               g_ascii_xdigit_value(w[j + 1]);
        }
    }
    frame->can_dlc = n;
    return true;
}

bool scd_parse_frame(const ScdElement *el, qemu_can_frame *frame,
                     const char **why)
{
    const char *cmd = el->word[0];
    uint32_t flags, dlc;

    memset(frame, 0, sizeof(*frame));
    if (el->words < 3 || !scd_parse_id(el->word[1], &frame->can_id, why)) {
        *why = el->words < 3 ? "a frame needs an identifier and a time" :
               *why;
        return false;
    }
    if (!strcmp(cmd, "rtr")) {
        if (el->words != 4 ||
            !scd_parse_uint(el->word[3], QEMU_CAN_MAX_DLEN, &dlc)) {
            *why = "bad remote frame";
            return false;
        }
        frame->can_id |= QEMU_CAN_RTR_FLAG;
        frame->can_dlc = dlc;
        return true;
    }
    if (!strcmp(cmd, "fdframe")) {
        if (el->words < 4 || !parse_hex(el->word[2], 2, &flags)) {
            *why = "bad flags";
            return false;
        }
        frame->flags = QEMU_CAN_FRMF_TYPE_FD |
                       (flags & (QEMU_CAN_FRMF_BRS | QEMU_CAN_FRMF_ESI));
        if (!parse_frame_data(el, 4, QEMU_CANFD_MAX_DLEN, frame, why)) {
            return false;
        }
        if (can_dlc2len(can_len2dlc(frame->can_dlc)) != frame->can_dlc) {
            *why = "bad CAN FD length";
            return false;
        }
        return true;
    }
    return parse_frame_data(el, 3, QEMU_CAN_MAX_DLEN, frame, why);
}

size_t scd_format_send(const qemu_can_frame *frame, char *buf)
{
    bool fd = frame->flags & QEMU_CAN_FRMF_TYPE_FD;
    bool rtr = frame->can_id & QEMU_CAN_RTR_FLAG;
    size_t n;
    int i;

    n = sprintf(buf, fd ? "< fdsend " : rtr ? "< sendrtr " : "< send ");
    n += format_id(frame, buf + n);
    if (fd) {
        n += sprintf(buf + n, " %02X",
                     frame->flags & (QEMU_CAN_FRMF_BRS | QEMU_CAN_FRMF_ESI));
    }
    n += sprintf(buf + n, " %u", frame->can_dlc);
    for (i = 0; !rtr && i < frame->can_dlc; i++) {
        n += sprintf(buf + n, " %02X", frame->data[i]);
    }
    n += sprintf(buf + n, " >");
    assert(n <= SCD_OUTPUT_MAX);
    return n;
}

/* @frame at @us, its data bytes as one run of digits or with @sep between */
static size_t format_frame(const qemu_can_frame *frame, int64_t us,
                           const char *sep, char *buf)
{
    bool fd = frame->flags & QEMU_CAN_FRMF_TYPE_FD;
    size_t n;
    int i;

    if (frame->can_id & QEMU_CAN_RTR_FLAG) {
        n = sprintf(buf, "< rtr ");
        n += format_id(frame, buf + n);
        return n + sprintf(buf + n, " %" PRId64 ".%06" PRId64 " %u >",
                           us / G_USEC_PER_SEC, us % G_USEC_PER_SEC,
                           frame->can_dlc);
    }
    n = sprintf(buf, fd ? "< fdframe " : "< frame ");
    n += format_id(frame, buf + n);
    if (fd) {
        n += sprintf(buf + n, " %02X",
                     frame->flags & (QEMU_CAN_FRMF_BRS | QEMU_CAN_FRMF_ESI));
    }
    n += sprintf(buf + n, " %" PRId64 ".%06" PRId64 " ",
                 us / G_USEC_PER_SEC, us % G_USEC_PER_SEC);
    for (i = 0; i < frame->can_dlc; i++) {
        n += sprintf(buf + n, "%s%02X", i ? sep : "", frame->data[i]);
    }
    n += sprintf(buf + n, " >");
    assert(n <= SCD_OUTPUT_MAX);
    return n;
}

size_t scd_format_frame(const qemu_can_frame *frame, int64_t us, char *buf)
{
    return format_frame(frame, us, "", buf);
}

size_t scd_format_bcm_frame(const qemu_can_frame *frame, int64_t us,
                            char *buf)
{
    return format_frame(frame, us, " ", buf);
}

size_t scd_format_error_frame(uint32_t err_class, int64_t us, char *buf)
{
    return sprintf(buf, "< error %03X %" PRId64 ".%06" PRId64 " >",
                   err_class, us / G_USEC_PER_SEC, us % G_USEC_PER_SEC);
}
