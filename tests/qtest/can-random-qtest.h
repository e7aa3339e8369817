/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the seeded random-traffic qtests share: their seed and their
 * length, from the environment, printed first so that any run can be
 * repeated.  QCAN_RANDOM_SEED=N repeats a run; QCAN_RANDOM_OPS=N sets the
 * operations per device type, half with timing off and half on.
 */

#ifndef CAN_RANDOM_QTEST_H
#define CAN_RANDOM_QTEST_H

#include "qemu/cutils.h"

/* Set *@seed (random unless given) and *@ops_per_run (one timing's half) */
static inline void can_random_params(uint32_t *seed, uint64_t *ops_per_run)
{
    const char *env = getenv("QCAN_RANDOM_SEED");
    uint64_t ops;

    *seed = g_random_int();
    if (env && qemu_strtoui(env, NULL, 0, seed)) {
        g_error("QCAN_RANDOM_SEED=%s is not a number", env);
    }
    env = getenv("QCAN_RANDOM_OPS");
    if (env) {
        if (qemu_strtou64(env, NULL, 0, &ops) || ops < 2) {
            g_error("QCAN_RANDOM_OPS=%s is not a number of 2 or more", env);
        }
        *ops_per_run = ops / 2;
    }
    g_test_message("QCAN_RANDOM_SEED=%u QCAN_RANDOM_OPS=%" PRIu64
                   " (per device type)", *seed, *ops_per_run * 2);
}

#endif
