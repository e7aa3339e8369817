/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the bus observer objects share (see can_observer.h).
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qom/object.h"
#include "can_observer.h"

bool can_observer_chardev_init(Object *obj, CharBackend *be,
                               const char *chardev_id, Error **errp)
{
    Chardev *chr = qemu_chr_find(chardev_id);

    if (!chr) {
        error_setg(errp, "%s %s: there is no chardev '%s'",
                   object_get_typename(obj),
                   object_get_canonical_path_component(obj), chardev_id);
        return false;
    }
    if (!qemu_chr_fe_init(be, chr, errp)) {
        error_prepend(errp, "%s %s: ", object_get_typename(obj),
                      object_get_canonical_path_component(obj));
        return false;
    }
    return true;
}
