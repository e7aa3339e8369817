/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QMP query-can for a QEMU built without CAN buses: there are none.
 */

#include "qemu/osdep.h"
#include "qapi/qapi-commands-net.h"

CanBusInfoList *qmp_query_can(Error **errp)
{
    return NULL;
}
