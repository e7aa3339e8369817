/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The socketcand protocol's elements, "< word ... >", parsed and written:
 * pure functions, no sockets.  Facts from socketcand's doc/protocol.md and
 * what socketcand itself sends (frames as "< frame ID SEC.USEC DATA >",
 * the data as one run of hex digits; an identifier of 8 digits is an
 * extended one).
 */

#ifndef NET_CAN_SOCKETCAND_H
#define NET_CAN_SOCKETCAND_H

#include "net/can_emu.h"

/* The longest element taken: an "fdsend" of 64 bytes fits with room */
#define SCD_ELEMENT_MAX 512
/* The longest element written: an "fdframe" of 64 bytes */
#define SCD_OUTPUT_MAX 256
/* A bus name, as socketcand limits it */
#define SCD_BUS_NAME_MAX 16
#define SCD_MAX_TOKENS 80

/* One element, split into its words (the brackets left out) */
typedef struct ScdElement {
    char text[SCD_ELEMENT_MAX + 1];
    char *word[SCD_MAX_TOKENS];
    int words;
} ScdElement;

/*
 * The elements in a byte stream: a reader takes what arrives, in pieces
 * of any size, and calls @element for each "< ... >" (its text without
 * the brackets) and @error for what is not one: text outside the
 * brackets (once for a run of it), an element over SCD_ELEMENT_MAX bytes
 * (skipped to its '>'), a '<' inside an element.
 */
typedef struct ScdReader {
    char text[SCD_ELEMENT_MAX];
    size_t len;
    bool in_element;
    bool discard;               /* skipping an overlong element to its '>' */
    bool garbage;               /* in a run of text outside elements */
} ScdReader;

typedef struct ScdReaderOps {
    void (*element)(void *opaque, const char *text, size_t len);
    void (*error)(void *opaque, const char *why);
    /* whether to go on after a call; the rest of the piece is dropped */
    bool (*more)(void *opaque);
} ScdReaderOps;

void scd_reader_feed(ScdReader *r, const char *buf, size_t len,
                     const ScdReaderOps *ops, void *opaque);

/*
 * Split @len bytes of @text, without the brackets, into @el's words.
 * False, *@why set, if there is no word or too many.
 */
bool scd_split(const char *text, size_t len, ScdElement *el,
               const char **why);

/*
 * A classic frame from @el's words @first on, "ID LEN DATA...", as the
 * BCM commands "add", "update" and "filter" carry it.  False, *@why set,
 * if malformed.
 */
bool scd_parse_can(const ScdElement *el, int first, qemu_can_frame *frame,
                   const char **why);

/* An identifier: 8 hex digits make it an extended one */
bool scd_parse_id(const char *s, qemu_canid_t *id, const char **why);

/*
 * A frame from a "send ID LEN DATA...", "sendrtr ID DLC" or "fdsend ID
 * FLAGS LEN DATA..." element.  False, *@why set, if malformed.
 */
bool scd_parse_send(const ScdElement *el, qemu_can_frame *frame,
                    const char **why);

/*
 * A frame from a "frame ID SEC.USEC DATA", "fdframe ID FLAGS SEC.USEC
 * DATA" or "rtr ID SEC.USEC DLC" element (DATA: hex digits, in one run or
 * in bytes).  False, *@why set, if malformed.
 */
bool scd_parse_frame(const ScdElement *el, qemu_can_frame *frame,
                     const char **why);

/* "< send ... >", "< fdsend ... >" or "< sendrtr ... >" for @frame */
size_t scd_format_send(const qemu_can_frame *frame, char *buf);

/* "< frame ... >", "< fdframe ... >" or "< rtr ... >" for @frame at @us */
size_t scd_format_frame(const qemu_can_frame *frame, int64_t us, char *buf);
/*
 * The same as BCM mode writes it: the data bytes apart, "< frame ID
 * SEC.USEC 11 22 >", as socketcand's BCM mode does
 */
size_t scd_format_bcm_frame(const qemu_can_frame *frame, int64_t us,
                            char *buf);
/* "< error CLASS SEC.USEC >": an error frame of class @err_class at @us */
size_t scd_format_error_frame(uint32_t err_class, int64_t us, char *buf);

/* A decimal number of at most @max; false if not */
bool scd_parse_uint(const char *s, uint32_t max, uint32_t *out);

#endif
