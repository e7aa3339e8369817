/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * HMP info can: what QMP query-can returns, a line per bus and client.
 */

#include "qemu/osdep.h"
#include "monitor/hmp.h"
#include "monitor/monitor.h"
#include "qapi/error.h"
#include "qapi/qapi-commands-net.h"

static void hmp_info_can_client(Monitor *mon, const CanClientInfo *c)
{
    const CanControllerStatus *st = c->status;

    monitor_printf(mon, "  %s %s", CanClientRole_str(c->role), c->name);
    if (c->type) {
        monitor_printf(mon, " (%s)", c->type);
    }
    if (c->has_bitrate) {
        monitor_printf(mon, ", %" PRIu32 " bit/s", c->bitrate);
    }
    if (st) {
        monitor_printf(mon, ", %s%s%s, %s, TEC %" PRIu32 " REC %" PRIu32,
                       st->operating ? "operating" : "reset mode",
                       st->listen_only ? " listen-only" : "",
                       st->self_test ? " self-test" : "",
                       CanErrorState_str(st->state), st->tec, st->rec);
    }
    monitor_printf(mon, ", frames out %" PRIu64 " in %" PRIu64
                   ", drops %" PRIu64 "\n",
                   c->frames_out, c->frames_in, c->drops);
}

void hmp_info_can(Monitor *mon, const QDict *qdict)
{
    g_autoptr(CanBusInfoList) buses = qmp_query_can(&error_abort);
    CanBusInfoList *b;
    CanClientInfoList *c;

    if (!buses) {
        monitor_printf(mon, "No CAN buses\n");
        return;
    }
    for (b = buses; b; b = b->next) {
        const CanBusInfo *bus = b->value;

        monitor_printf(mon, "%s: timing %s", bus->id,
                       bus->timing ? "on" : "off");
        if (bus->has_bitrate) {
            monitor_printf(mon, ", bitrate %" PRIu32, bus->bitrate);
        }
        if (bus->has_data_bitrate) {
            monitor_printf(mon, ", data bitrate %" PRIu32,
                           bus->data_bitrate);
        }
        monitor_printf(mon, ", frames %" PRIu64 " (FD %" PRIu64
                       "), error frames %" PRIu64 ", drops %" PRIu64
                       ", arbitration losses %" PRIu64 ", load %.1f%%\n",
                       bus->frames, bus->fd_frames, bus->error_frames,
                       bus->drops, bus->arbitration_losses, bus->load);
        for (c = bus->clients; c; c = c->next) {
            hmp_info_can_client(mon, c->value);
        }
    }
}
