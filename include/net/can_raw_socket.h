/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Raw SocketCAN sockets bound to a host CAN interface named by the user:
 * can-host-socketcan, qemu-can-server's if= buses and vhost-device-can
 * open theirs with the same checks and say the same of what is wrong.
 *
 * Linux only; the functions use no QEMU state beyond Error, so that the
 * contrib daemons link them too.
 */

#ifndef NET_CAN_RAW_SOCKET_H
#define NET_CAN_RAW_SOCKET_H

/* How a socket differs from the default: every frame, no error frames */
typedef enum CanRawSocketFlags {
    /* receive every error frame the interface reports */
    CAN_RAW_SOCKET_ERROR_FRAMES = 1 << 0,
    /* receive no frames: the socket only writes */
    CAN_RAW_SOCKET_WRITE_ONLY = 1 << 1,
    /* refuse an interface that is down */
    CAN_RAW_SOCKET_MUST_BE_UP = 1 << 2,
} CanRawSocketFlags;

/* What can_raw_socket_open() found */
typedef struct CanRawSocketInfo {
    int ifindex;
    bool fd_frames;     /* the socket takes CAN FD frames */
    bool fd_mtu;        /* ... and the interface's MTU carries them */
} CanRawSocketInfo;

/*
 * The index of the CAN interface @ifname, asked through the socket @fd;
 * -1, with why in @errp, when there is none of that name or it is not a
 * CAN interface.
 */
int can_raw_socket_ifindex(int fd, const char *ifname, Error **errp);

/*
 * A raw CAN socket bound to @ifname: non-blocking, close-on-exec, CAN FD
 * frames on when the kernel has them, the socket's own frames not read
 * back (other sockets still see them), the kernel's drop count in each
 * message's ancillary data (SO_RXQ_OVFL), and @flags' CanRawSocketFlags.
 * Returns the descriptor and fills @info, or -1 with why in @errp; the
 * messages name the interface, the caller prefixes its own name.
 */
int can_raw_socket_open(const char *ifname, unsigned flags,
                        CanRawSocketInfo *info, Error **errp);

#endif
