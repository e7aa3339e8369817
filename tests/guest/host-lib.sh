# SPDX-License-Identifier: GPL-2.0-or-later
#
# Host-side helpers shared by tests/guest/run and tests/guest/demo (bash).

# find_qemu REPO: the QEMU binary to test.  $QEMU wins; otherwise our build:
# the build engineer's runner exports QEMU_CAN_BUILD=<build dir>; the
# binary is linked to build/qemu-system-x86_64 and built in build/obj/.
find_qemu() {
    local repo=$1 c
    if [ -n "${QEMU:-}" ]; then
        echo "$QEMU"
        return
    fi
    for c in "${QEMU_CAN_BUILD:-$repo/build}/qemu-system-x86_64" \
             "$repo/build/qemu-system-x86_64" "$repo/build/obj/qemu-system-x86_64"; do
        if [ -x "$c" ]; then
            echo "$c"
            return
        fi
    done
    echo "$repo/build/qemu-system-x86_64"
}

# has_multichannel QEMU: does its kvaser_pci know channels= (our patch set)?
has_multichannel() {
    "$1" -device kvaser_pci,help 2>/dev/null \
        | grep -q 'channels='
}
