/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the bus observer objects (can-capture, can-display) share, private
 * to net/can/.
 */

#ifndef NET_CAN_OBSERVER_H
#define NET_CAN_OBSERVER_H

#include "chardev/char-fe.h"

/*
 * Connect @be to the chardev with id @chardev_id for the user-created
 * observer @obj; errors start with its type and id.
 */
bool can_observer_chardev_init(Object *obj, CharBackend *be,
                               const char *chardev_id, Error **errp);

#endif
