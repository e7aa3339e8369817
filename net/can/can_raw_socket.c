/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Raw SocketCAN sockets bound to a host CAN interface by name, for
 * can-host-socketcan and the contrib daemons (see net/can_raw_socket.h).
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/cutils.h"
#include "net/can_raw_socket.h"

#include <net/if.h>
#include <net/if_arp.h>
#include <sys/ioctl.h>
#include <linux/can.h>
#include <linux/can/raw.h>

int can_raw_socket_ifindex(int fd, const char *ifname, Error **errp)
{
    struct ifreq ifr = { 0 };
    int ifindex;

    /* a longer name would be cut, and could name another interface */
    if (strlen(ifname) >= sizeof(ifr.ifr_name)) {
        error_setg(errp, "interface name '%s' is too long (at most %zu "
                   "characters)", ifname, sizeof(ifr.ifr_name) - 1);
        return -1;
    }
    pstrcpy(ifr.ifr_name, sizeof(ifr.ifr_name), ifname);
    if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0) {
        error_setg(errp, "no interface '%s' on the host", ifname);
        return -1;
    }
    ifindex = ifr.ifr_ifindex;
    if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0 ||
        ifr.ifr_hwaddr.sa_family != ARPHRD_CAN) {
        error_setg(errp, "'%s' is not a CAN interface", ifname);
        return -1;
    }
    return ifindex;
}

int can_raw_socket_open(const char *ifname, unsigned flags,
                        CanRawSocketInfo *info, Error **errp)
{
    struct sockaddr_can addr = { .can_family = AF_CAN };
    struct ifreq ifr = { 0 };
    int fd, on = 1, off = 0;
    can_err_mask_t err_mask = CAN_ERR_MASK;

    fd = socket(PF_CAN, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, CAN_RAW);
    if (fd < 0) {
        error_setg_errno(errp, errno, "cannot open a CAN socket%s",
                         errno == EAFNOSUPPORT ?
                         " (is the can-raw kernel module loaded?)" : "");
        return -1;
    }
    addr.can_ifindex = can_raw_socket_ifindex(fd, ifname, errp);
    if (addr.can_ifindex < 0) {
        goto fail;
    }
    pstrcpy(ifr.ifr_name, sizeof(ifr.ifr_name), ifname);
    if ((flags & CAN_RAW_SOCKET_MUST_BE_UP) &&
        (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0 || !(ifr.ifr_flags & IFF_UP))) {
        error_setg(errp, "'%s' is down", ifname);
        goto fail;
    }
    if (ioctl(fd, SIOCGIFMTU, &ifr) < 0) {
        error_setg_errno(errp, errno, "cannot read the MTU of '%s'", ifname);
        goto fail;
    }
    /*
     * On even while the MTU is classic: it may change while the interface
     * is down, and the socket then takes FD frames without a new open.
     * Only a kernel without CAN FD refuses it.
     */
    info->fd_frames = setsockopt(fd, SOL_CAN_RAW, CAN_RAW_FD_FRAMES, &on,
                                 sizeof(on)) == 0;
    /* the MTU, never the name, says whether the interface carries FD */
    info->fd_mtu = info->fd_frames && ifr.ifr_mtu >= CANFD_MTU;
    /*
     * Off is the kernel's default; said anyway, as a bridge that read its
     * own frames back would send them round for ever.
     */
    if (setsockopt(fd, SOL_CAN_RAW, CAN_RAW_RECV_OWN_MSGS, &off,
                   sizeof(off)) < 0 ||
        setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &on, sizeof(on)) < 0 ||
        ((flags & CAN_RAW_SOCKET_ERROR_FRAMES) &&
         setsockopt(fd, SOL_CAN_RAW, CAN_RAW_ERR_FILTER, &err_mask,
                    sizeof(err_mask)) < 0) ||
        /* no filter at all: nothing passes */
        ((flags & CAN_RAW_SOCKET_WRITE_ONLY) &&
         setsockopt(fd, SOL_CAN_RAW, CAN_RAW_FILTER, NULL, 0) < 0)) {
        error_setg_errno(errp, errno, "cannot set up a CAN socket on '%s'",
                         ifname);
        goto fail;
    }
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        error_setg_errno(errp, errno, "cannot bind to '%s'", ifname);
        goto fail;
    }
    info->ifindex = addr.can_ifindex;
    return fd;

fail:
    close(fd);
    return -1;
}
