/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The VIRTIO 1.4 CAN device's message rules, for the in-QEMU device and
 * the vhost-user daemon alike (see virtio-can-msg.h).
 */

#include "qemu/osdep.h"
#include "qemu/bitops.h"
#include "qemu/bswap.h"
#include "hw/virtio/virtio-can-msg.h"

#define VIRTIO_CAN_FLAGS_KNOWN \
    (VIRTIO_CAN_FLAGS_EXTENDED | VIRTIO_CAN_FLAGS_FD | VIRTIO_CAN_FLAGS_RTR)

static bool has(uint64_t features, unsigned feature)
{
    return features & BIT_ULL(feature);
}

bool virtio_can_features_valid(uint64_t features)
{
    if (!has(features, VIRTIO_CAN_F_CAN_CLASSIC) &&
        !has(features, VIRTIO_CAN_F_CAN_FD)) {
        return false;
    }
    return !has(features, VIRTIO_CAN_F_RTR_FRAMES) ||
           has(features, VIRTIO_CAN_F_CAN_CLASSIC);
}

const char *virtio_can_tx_refusal(const VirtIOCANHeader *hdr, size_t size,
                                  uint64_t features)
{
    uint32_t flags, id;
    uint16_t len;
    bool fd;

    if (size < sizeof(*hdr)) {
        return "short header";
    }
    if (le16_to_cpu(hdr->msg_type) != VIRTIO_CAN_TX) {
        return "msg_type is not VIRTIO_CAN_TX";
    }
    flags = le32_to_cpu(hdr->flags);
    id = le32_to_cpu(hdr->can_id);
    len = le16_to_cpu(hdr->length);
    fd = flags & VIRTIO_CAN_FLAGS_FD;
    /* an undefined flag is a frame type not negotiated (spec 5.x.6.3) */
    if (flags & ~VIRTIO_CAN_FLAGS_KNOWN) {
        return "undefined flags";
    }
    if (fd ? !has(features, VIRTIO_CAN_F_CAN_FD)
           : !has(features, VIRTIO_CAN_F_CAN_CLASSIC)) {
        return fd ? "CAN FD not negotiated" : "classic CAN not negotiated";
    }
    if (flags & VIRTIO_CAN_FLAGS_RTR) {
        if (fd) {
            return "RTR with CAN FD";
        }
        if (!has(features, VIRTIO_CAN_F_RTR_FRAMES)) {
            return "RTR frames not negotiated";
        }
    }
    if (id > ((flags & VIRTIO_CAN_FLAGS_EXTENDED) ? QEMU_CAN_EFF_MASK
                                                  : QEMU_CAN_SFF_MASK)) {
        return "identifier out of range";
    }
    if (fd ? len > QEMU_CANFD_MAX_DLEN || can_dlc2len(can_len2dlc(len)) != len
           : len > QEMU_CAN_MAX_DLEN) {
        return "length out of range";
    }
    if (hdr->classic_dlc &&
        (fd || len != QEMU_CAN_MAX_DLEN || hdr->classic_dlc <= len ||
         hdr->classic_dlc > 15)) {
        return "reserved_classic_dlc out of range";
    }
    /* a remote frame carries no data; Linux still sends @len bytes */
    if (!(flags & VIRTIO_CAN_FLAGS_RTR) && size < sizeof(*hdr) + len) {
        return "payload shorter than length";
    }
    return NULL;
}

void virtio_can_tx_frame(const VirtIOCANHeader *hdr, qemu_can_frame *frame)
{
    uint32_t flags = le32_to_cpu(hdr->flags);

    memset(frame, 0, sizeof(*frame));
    frame->can_id = le32_to_cpu(hdr->can_id);
    if (flags & VIRTIO_CAN_FLAGS_EXTENDED) {
        frame->can_id |= QEMU_CAN_EFF_FLAG;
    }
    if (flags & VIRTIO_CAN_FLAGS_RTR) {
        frame->can_id |= QEMU_CAN_RTR_FLAG;
    }
    frame->can_dlc = le16_to_cpu(hdr->length);
    frame->flags = (flags & VIRTIO_CAN_FLAGS_FD) ? QEMU_CAN_FRMF_TYPE_FD : 0;
    frame->len8_dlc = hdr->classic_dlc;
}

bool virtio_can_rx_negotiated(const qemu_can_frame *frame, uint64_t features)
{
    if (frame->flags & QEMU_CAN_FRMF_TYPE_FD) {
        return has(features, VIRTIO_CAN_F_CAN_FD);
    }
    if (frame->can_id & QEMU_CAN_RTR_FLAG) {
        return has(features, VIRTIO_CAN_F_RTR_FRAMES);
    }
    return has(features, VIRTIO_CAN_F_CAN_CLASSIC);
}

void virtio_can_rx_header(const qemu_can_frame *frame, VirtIOCANHeader *hdr)
{
    uint32_t flags = 0;

    if (frame->can_id & QEMU_CAN_EFF_FLAG) {
        flags |= VIRTIO_CAN_FLAGS_EXTENDED;
    }
    if (frame->can_id & QEMU_CAN_RTR_FLAG) {
        flags |= VIRTIO_CAN_FLAGS_RTR;
    }
    if (frame->flags & QEMU_CAN_FRMF_TYPE_FD) {
        flags |= VIRTIO_CAN_FLAGS_FD;
    }
    memset(hdr, 0, sizeof(*hdr));
    hdr->msg_type = cpu_to_le16(VIRTIO_CAN_RX);
    hdr->length = cpu_to_le16(frame->can_dlc);
    hdr->classic_dlc = frame->len8_dlc;
    hdr->flags = cpu_to_le32(flags);
    hdr->can_id = cpu_to_le32(frame->can_id & QEMU_CAN_EFF_MASK);
}

size_t virtio_can_rx_payload(const qemu_can_frame *frame)
{
    /*
     * A remote frame's payload is zeros, but its length's worth is there:
     * Linux requires the buffer to hold @length bytes after the header.
     */
    return MIN(frame->can_dlc, QEMU_CANFD_MAX_DLEN);
}
