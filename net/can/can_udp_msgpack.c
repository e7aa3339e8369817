/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * python-can's udp_multicast packets, read and written without a msgpack
 * library: the format uses a handful of msgpack types (a map of short
 * strings to booleans, integers, a float, nil and binary data), and a
 * reader for that subset is short enough to check every byte it takes.
 *
 * Facts from the msgpack specification and python-can 4.1
 * (can/interfaces/udp_multicast/utils.py packs can.Message's attributes
 * with use_bin_type=True; the receiver builds can.Message(check=True)
 * from the map, so only its constructor's arguments are valid keys).
 */

#include "qemu/osdep.h"
#include "qemu/bitops.h"
#include "qemu/bswap.h"
#include "net/can_udp_msgpack.h"

/* msgpack type bytes */
#define MP_NIL          0xc0
#define MP_FALSE        0xc2
#define MP_TRUE         0xc3
#define MP_BIN8         0xc4
#define MP_BIN16        0xc5
#define MP_BIN32        0xc6
#define MP_FLOAT32      0xca
#define MP_FLOAT64      0xcb
#define MP_UINT8        0xcc
#define MP_UINT16       0xcd
#define MP_UINT32       0xce
#define MP_UINT64       0xcf
#define MP_INT8         0xd0
#define MP_INT16        0xd1
#define MP_INT32        0xd2
#define MP_INT64        0xd3
#define MP_STR8         0xd9
#define MP_STR16        0xda
#define MP_STR32        0xdb
#define MP_MAP16        0xde
#define MP_MAP32        0xdf
#define MP_FIXMAP       0x80    /* 0x80..0x8f: up to 15 pairs */
#define MP_FIXSTR       0xa0    /* 0xa0..0xbf: up to 31 bytes */
#define MP_FIXSTR_MAX   31
#define MP_NEGFIXINT    0xe0    /* 0xe0..0xff: -32..-1 */

/* The keys, as can.Message's constructor names its arguments */
typedef enum CanUdpKey {
    KEY_TIMESTAMP,
    KEY_ARBITRATION_ID,
    KEY_IS_EXTENDED_ID,
    KEY_IS_REMOTE_FRAME,
    KEY_IS_ERROR_FRAME,
    KEY_CHANNEL,
    KEY_DLC,
    KEY_DATA,
    KEY_IS_FD,
    KEY_BITRATE_SWITCH,
    KEY_ERROR_STATE_INDICATOR,
    KEY_IS_RX,
    KEY_COUNT
} CanUdpKey;

static const char *const key_names[KEY_COUNT] = {
    [KEY_TIMESTAMP] = "timestamp",
    [KEY_ARBITRATION_ID] = "arbitration_id",
    [KEY_IS_EXTENDED_ID] = "is_extended_id",
    [KEY_IS_REMOTE_FRAME] = "is_remote_frame",
    [KEY_IS_ERROR_FRAME] = "is_error_frame",
    [KEY_CHANNEL] = "channel",
    [KEY_DLC] = "dlc",
    [KEY_DATA] = "data",
    [KEY_IS_FD] = "is_fd",
    [KEY_BITRATE_SWITCH] = "bitrate_switch",
    [KEY_ERROR_STATE_INDICATOR] = "error_state_indicator",
    [KEY_IS_RX] = "is_rx",
};

/* Writing: the sizes are bounded by the frame, so no checks on the way */

static uint8_t *put_str(uint8_t *p, const char *s)
{
    size_t n = strlen(s);

    assert(n <= MP_FIXSTR_MAX);
    *p++ = MP_FIXSTR | n;
    memcpy(p, s, n);
    return p + n;
}

static uint8_t *put_key_bool(uint8_t *p, CanUdpKey key, bool value)
{
    p = put_str(p, key_names[key]);
    *p++ = value ? MP_TRUE : MP_FALSE;
    return p;
}

static uint8_t *put_key_uint(uint8_t *p, CanUdpKey key, uint32_t value)
{
    p = put_str(p, key_names[key]);
    if (value < MP_FIXMAP) {
        *p++ = value;
    } else if (value <= UINT8_MAX) {
        *p++ = MP_UINT8;
        *p++ = value;
    } else if (value <= UINT16_MAX) {
        *p++ = MP_UINT16;
        stw_be_p(p, value);
        p += 2;
    } else {
        *p++ = MP_UINT32;
        stl_be_p(p, value);
        p += 4;
    }
    return p;
}

size_t can_udp_encode(const qemu_can_frame *frame, double timestamp,
                      uint8_t *buf)
{
    bool fd = frame->flags & QEMU_CAN_FRMF_TYPE_FD;
    bool rtr = frame->can_id & QEMU_CAN_RTR_FLAG;
    bool eff = frame->can_id & QEMU_CAN_EFF_FLAG;
    bool err = frame->can_id & QEMU_CAN_ERR_FLAG;
    uint8_t len = rtr ? 0 : frame->can_dlc;
    union {
        double d;
        uint64_t u;
    } ts = { .d = timestamp };
    uint8_t *p = buf;

    *p++ = MP_FIXMAP | (KEY_COUNT - 1);     /* all keys but is_rx */
    p = put_str(p, key_names[KEY_TIMESTAMP]);
    *p++ = MP_FLOAT64;
    stq_be_p(p, ts.u);
    p += 8;
    p = put_key_uint(p, KEY_ARBITRATION_ID, frame->can_id &
                     (eff || err ? QEMU_CAN_EFF_MASK : QEMU_CAN_SFF_MASK));
    /* an error frame's class bits may not fit 11 bits: python-can checks */
    p = put_key_bool(p, KEY_IS_EXTENDED_ID, eff || err);
    p = put_key_bool(p, KEY_IS_REMOTE_FRAME, rtr);
    p = put_key_bool(p, KEY_IS_ERROR_FRAME, err);
    p = put_str(p, key_names[KEY_CHANNEL]);
    *p++ = MP_NIL;
    p = put_key_uint(p, KEY_DLC, frame->can_dlc);
    p = put_str(p, key_names[KEY_DATA]);
    *p++ = MP_BIN8;
    *p++ = len;
    memcpy(p, frame->data, len);
    p += len;
    p = put_key_bool(p, KEY_IS_FD, fd);
    p = put_key_bool(p, KEY_BITRATE_SWITCH,
                     fd && (frame->flags & QEMU_CAN_FRMF_BRS));
    p = put_key_bool(p, KEY_ERROR_STATE_INDICATOR,
                     fd && (frame->flags & QEMU_CAN_FRMF_ESI));
    assert(p - buf <= CAN_UDP_PACKET_MAX);
    return p - buf;
}

/* Reading: every length comes from the network and is checked */

typedef struct MpReader {
    const uint8_t *p;
    size_t left;
} MpReader;

typedef enum MpType {
    MP_TYPE_NIL,
    MP_TYPE_BOOL,
    MP_TYPE_UINT,       /* an integer >= 0, in @u */
    MP_TYPE_NEGATIVE,   /* an integer < 0 */
    MP_TYPE_FLOAT,
    MP_TYPE_STR,        /* @ptr, @len */
    MP_TYPE_BIN,        /* @ptr, @len */
    MP_TYPE_MAP,        /* @u pairs follow */
    MP_TYPE_OTHER,      /* arrays, extensions: nothing the format uses */
} MpType;

typedef struct MpValue {
    MpType type;
    bool b;
    uint64_t u;
    const uint8_t *ptr;
    size_t len;
} MpValue;

/* The next @n bytes, or NULL if the packet ends before */
static const uint8_t *take(MpReader *r, size_t n)
{
    const uint8_t *p = r->p;

    if (n > r->left) {
        return NULL;
    }
    r->p += n;
    r->left -= n;
    return p;
}

/* A big-endian unsigned integer of @n (1, 2, 4 or 8) bytes */
static bool take_uint(MpReader *r, size_t n, uint64_t *out)
{
    const uint8_t *p = take(r, n);

    if (!p) {
        return false;
    }
    switch (n) {
    case 1:
        *out = *p;
        break;
    case 2:
        *out = lduw_be_p(p);
        break;
    case 4:
        *out = ldl_be_p(p);
        break;
    default:
        *out = ldq_be_p(p);
        break;
    }
    return true;
}

/* A signed integer of @n bytes: negative, or its value in @v->u */
static bool take_int(MpReader *r, size_t n, MpValue *v)
{
    uint64_t u;
    int shift = 64 - 8 * n;

    if (!take_uint(r, n, &u)) {
        return false;
    }
    /* sign-extend from n bytes */
    u = (uint64_t)((int64_t)(u << shift) >> shift);
    v->type = (int64_t)u < 0 ? MP_TYPE_NEGATIVE : MP_TYPE_UINT;
    v->u = u;
    return true;
}

/* A string's or binary's @n length bytes, then that many bytes */
static bool take_bytes(MpReader *r, size_t n, MpType type, MpValue *v)
{
    uint64_t len;

    if (!take_uint(r, n, &len) || len > r->left) {
        return false;
    }
    v->type = type;
    v->len = len;
    v->ptr = take(r, len);
    return true;
}

/* One value; false if the packet ends inside it */
static bool read_value(MpReader *r, MpValue *v)
{
    const uint8_t *p = take(r, 1);
    uint8_t t;

    if (!p) {
        return false;
    }
    t = *p;
    memset(v, 0, sizeof(*v));
    if (t < MP_FIXMAP) {
        v->type = MP_TYPE_UINT;
        v->u = t;
        return true;
    }
    if (t >= MP_NEGFIXINT) {
        v->type = MP_TYPE_NEGATIVE;
        return true;
    }
    if ((t & 0xf0) == MP_FIXMAP) {
        v->type = MP_TYPE_MAP;
        v->u = t & 0x0f;
        return true;
    }
    if ((t & 0xe0) == MP_FIXSTR) {
        uint8_t len = t & MP_FIXSTR_MAX;

        v->type = MP_TYPE_STR;
        v->len = len;
        v->ptr = take(r, len);
        return v->ptr != NULL;
    }
    switch (t) {
    case MP_NIL:
        v->type = MP_TYPE_NIL;
        return true;
    case MP_FALSE:
    case MP_TRUE:
        v->type = MP_TYPE_BOOL;
        v->b = t == MP_TRUE;
        return true;
    case MP_BIN8:
    case MP_BIN16:
    case MP_BIN32:
        return take_bytes(r, 1 << (t - MP_BIN8), MP_TYPE_BIN, v);
    case MP_STR8:
    case MP_STR16:
    case MP_STR32:
        return take_bytes(r, 1 << (t - MP_STR8), MP_TYPE_STR, v);
    case MP_FLOAT32:
    case MP_FLOAT64:
        v->type = MP_TYPE_FLOAT;
        return take(r, t == MP_FLOAT32 ? 4 : 8) != NULL;
    case MP_UINT8:
    case MP_UINT16:
    case MP_UINT32:
    case MP_UINT64:
        v->type = MP_TYPE_UINT;
        return take_uint(r, 1 << (t - MP_UINT8), &v->u);
    case MP_INT8:
    case MP_INT16:
    case MP_INT32:
    case MP_INT64:
        return take_int(r, 1 << (t - MP_INT8), v);
    case MP_MAP16:
    case MP_MAP32:
        /* the pair count, in @u: the caller bounds it */
        v->type = MP_TYPE_MAP;
        return take_uint(r, t == MP_MAP16 ? 2 : 4, &v->u);
    default:
        /*
         * Arrays and extensions have contents to skip; no key of the
         * format takes one, so the packet is refused without looking.
         */
        v->type = MP_TYPE_OTHER;
        return true;
    }
}

static int find_key(const MpValue *v)
{
    int i;

    for (i = 0; i < KEY_COUNT; i++) {
        if (strlen(key_names[i]) == v->len &&
            !memcmp(key_names[i], v->ptr, v->len)) {
            return i;
        }
    }
    return -1;
}

/*
 * Whether @v has a type that key @key takes, as can.Message does: it
 * takes any value for a flag by its truth, and the receiver replaces the
 * timestamp.
 */
static bool value_fits(CanUdpKey key, const MpValue *v)
{
    switch (key) {
    case KEY_TIMESTAMP:
    case KEY_CHANNEL:
        /* not used: any value but a container */
        return v->type != MP_TYPE_MAP && v->type != MP_TYPE_OTHER;
    case KEY_ARBITRATION_ID:
        return v->type == MP_TYPE_UINT;
    case KEY_DLC:
        return v->type == MP_TYPE_UINT || v->type == MP_TYPE_NIL;
    case KEY_DATA:
        return v->type == MP_TYPE_BIN || v->type == MP_TYPE_NIL;
    default:
        return v->type == MP_TYPE_BOOL || v->type == MP_TYPE_NIL ||
               v->type == MP_TYPE_UINT || v->type == MP_TYPE_NEGATIVE;
    }
}

/* A flag's value, by its truth as Python sees it */
static bool value_true(const MpValue *v)
{
    switch (v->type) {
    case MP_TYPE_BOOL:
        return v->b;
    case MP_TYPE_UINT:
        return v->u != 0;
    case MP_TYPE_NEGATIVE:
        return true;
    default:
        return false;
    }
}

#define REFUSE(reason) do { *why = (reason); return false; } while (0)

bool can_udp_decode(const uint8_t *buf, size_t len, qemu_can_frame *frame,
                    const char **why)
{
    MpReader r = { .p = buf, .left = len };
    MpValue map, key, vals[KEY_COUNT];
    uint32_t seen = 0;
    bool ext, rtr, err, fd, brs, esi;
    uint64_t id, dlc;
    size_t data_len, i;
    int k;

    if (!read_value(&r, &map) || map.type != MP_TYPE_MAP) {
        REFUSE("not a msgpack map");
    }
    if (map.u > KEY_COUNT) {
        REFUSE("more keys than can.Message takes");
    }
    for (i = 0; i < map.u; i++) {
        if (!read_value(&r, &key) || key.type != MP_TYPE_STR) {
            REFUSE("a key is not a string");
        }
        k = find_key(&key);
        if (k < 0) {
            REFUSE("a key that can.Message does not take");
        }
        if (seen & BIT(k)) {
            REFUSE("a key given twice");
        }
        if (!read_value(&r, &vals[k])) {
            REFUSE("truncated");
        }
        if (!value_fits(k, &vals[k])) {
            REFUSE("a value of the wrong type");
        }
        seen |= BIT(k);
    }
    if (r.left) {
        REFUSE("bytes after the map");
    }

#define FLAG(key, dflt) (seen & BIT(key) ? value_true(&vals[key]) : (dflt))
    /* can.Message's defaults: an extended identifier, no data */
    ext = FLAG(KEY_IS_EXTENDED_ID, true);
    rtr = FLAG(KEY_IS_REMOTE_FRAME, false);
    err = FLAG(KEY_IS_ERROR_FRAME, false);
    fd = FLAG(KEY_IS_FD, false);
    brs = FLAG(KEY_BITRATE_SWITCH, false);
    esi = FLAG(KEY_ERROR_STATE_INDICATOR, false);
#undef FLAG
    id = seen & BIT(KEY_ARBITRATION_ID) ? vals[KEY_ARBITRATION_ID].u : 0;
    /* can.Message drops a remote frame's data */
    data_len = seen & BIT(KEY_DATA) && !rtr ? vals[KEY_DATA].len : 0;
    dlc = seen & BIT(KEY_DLC) && vals[KEY_DLC].type == MP_TYPE_UINT ?
          vals[KEY_DLC].u : data_len;

    /* what can.Message(check=True) refuses */
    if (rtr && (err || fd)) {
        REFUSE("a remote frame that is also an error or FD frame");
    }
    if (id > (ext ? QEMU_CAN_EFF_MASK : QEMU_CAN_SFF_MASK)) {
        REFUSE("identifier out of range");
    }
    if (dlc > (fd ? QEMU_CANFD_MAX_DLEN : QEMU_CAN_MAX_DLEN)) {
        REFUSE("length out of range");
    }
    if (!rtr && dlc != data_len) {
        REFUSE("length does not match the data");
    }
    if (!fd && (brs || esi)) {
        REFUSE("bitrate switch or error state indicator on a classic frame");
    }
    /* what python-can lets through but no CAN FD controller can send */
    if (fd && can_dlc2len(can_len2dlc(dlc)) != dlc) {
        REFUSE("an FD length that no DLC codes");
    }

    memset(frame, 0, sizeof(*frame));
    frame->can_id = id | (ext ? QEMU_CAN_EFF_FLAG : 0) |
                    (rtr ? QEMU_CAN_RTR_FLAG : 0) |
                    (err ? QEMU_CAN_ERR_FLAG : 0);
    frame->can_dlc = dlc;
    if (fd) {
        frame->flags = QEMU_CAN_FRMF_TYPE_FD |
                       (brs ? QEMU_CAN_FRMF_BRS : 0) |
                       (esi ? QEMU_CAN_FRMF_ESI : 0);
    }
    if (data_len) {
        memcpy(frame->data, vals[KEY_DATA].ptr, data_len);
    }
    return true;
}
