/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * CAN frames in can-utils' text formats: the log format that candump -l
 * writes and canplayer, log2asc and log2long read,
 *
 *     (1700000000.000100) canbus0 123#DEADBEEF
 *
 * with FRAME one of ID#DATA (classic; ID#DATA_L for a DLC L of 9..F with 8
 * bytes), ID#R or ID#RL (remote, L the requested length), ID##FDATA (CAN
 * FD, F a hex digit of flags: 1 BRS, 2 ESI); ID is 3 hex digits for an
 * 11-bit identifier, 8 for a 29-bit one or an error frame (with its
 * 0x20000000 flag), DATA two hex digits a byte; and candump's display
 * format for people.
 *
 * Pure functions, free of QOM, for the can-capture, can-replay and
 * can-display objects and for tools outside QEMU.
 */

#ifndef NET_CAN_CANDUMP_H
#define NET_CAN_CANDUMP_H

#include "net/can_emu.h"

/* The longest interface name a log line may carry (Linux's IFNAMSIZ - 1) */
#define CAN_CANDUMP_IFNAME_MAX 15

/* FRAME as the log format writes it, appended to @out */
void can_candump_format_frame(GString *out, const qemu_can_frame *frame);

/* A timestamp as candump writes it, "(SEC.USEC)", appended to @out */
void can_candump_format_time(GString *out, uint64_t ts_ns);

/* One log line, "(SEC.USEC) BUS FRAME\n", appended to @out */
void can_candump_format_line(GString *out, uint64_t ts_ns, const char *bus,
                             const qemu_can_frame *frame);

/*
 * One line as candump prints it on a terminal, without the newline:
 * "  canbus0  123   [4]  DE AD BE EF", an FD frame's length as [NN].
 */
void can_candump_format_display(GString *out, const char *bus,
                                const qemu_can_frame *frame);

/*
 * The line can-display shows, with its newline: the time, the line above,
 * what @describe (can_canopen_describe(), or NULL) says of the frame if it
 * says anything, and "<@sender>" unless @sender is NULL.
 */
void can_candump_format_shown(GString *out, uint64_t ts_ns, const char *bus,
                              const qemu_can_frame *frame,
                              bool (*describe)(GString *out,
                                               const qemu_can_frame *frame),
                              const char *sender);

typedef struct CanCandumpRecord {
    uint64_t ts_ns;
    char ifname[CAN_CANDUMP_IFNAME_MAX + 1];
    qemu_can_frame frame;
} CanCandumpRecord;

/*
 * Parse FRAME (the text after the interface name).  Fails with an error
 * that says what is wrong, leaving @frame undefined.
 */
bool can_candump_parse_frame(const char *text, qemu_can_frame *frame,
                             Error **errp);

/*
 * Parse one log line (a trailing newline is allowed).  Returns 1 with @rec
 * filled, 0 for a line that holds no frame (empty), or -1 with @errp set.
 */
int can_candump_parse_line(const char *line, CanCandumpRecord *rec,
                           Error **errp);

#endif
