# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# Shared helpers for configure and the scripts in build-aux/.
# Sourced, never run: callers set -euo pipefail themselves.

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# ccache keeps its cache under $HOME; a CI environment may not set it.
if [[ -z ${HOME:-} ]]; then
    HOME=$(getent passwd "$(id -u)" | cut -d: -f6)
    export HOME
fi
build=$top/build
stamp=$build/config.stamp
# QEMU's build folder that tests/run-checks tests: build/obj, or the one
# QCAN_OBJ names (make check-asan: build/asan)
obj=${QCAN_OBJ:-$build/obj}

# Recorded in $stamp by configure, read back by load_stamp.
# shellcheck disable=SC2034 # used by configure
cfg_qemu_source=
cfg_target_list=
pristine=
qemu_version=

# The firmware of the Debian packages configure installs, in the order
# Debian's own QEMU searches them (FIRMWAREPATH in its debian/rules):
# qemu-system-data, SeaBIOS, and iPXE's option ROMs for the default NICs.
debian_firmware_dirs=(/usr/share/qemu /usr/share/seabios /usr/lib/ipxe/qemu)

# Repository folders laid over the QEMU tree at the same path.
overlay_dirs=(hw net include tests/qtest tests/unit docs contrib)

die() {
    printf 'error: %s\n' "$*" >&2
    exit 1
}

note() {
    printf '%s\n' "$*"
}

# Whether $1 is one of the remaining arguments.
in_list() {
    local x=$1 y
    shift
    for y in "$@"; do
        [[ $x == "$y" ]] && return 0
    done
    return 1
}

# Print the non-empty, non-comment lines of a data file, trimmed.
data_lines() {
    local line
    while IFS= read -r line || [[ -n $line ]]; do
        line=${line%%#*}
        line=${line#"${line%%[![:space:]]*}"}
        line=${line%"${line##*[![:space:]]}"}
        if [[ -n $line ]]; then
            printf '%s\n' "$line"
        fi
    done < "$1"
}

# Every file the repository lays over the QEMU tree, relative to $top,
# sorted.  Editor leftovers and patch rejects are ignored.
overlay_files() {
    local d
    for d in "${overlay_dirs[@]}"; do
        [[ -d $top/$d ]] || continue
        (cd "$top" && find "$d" -type f \
            ! -name '*~' ! -name '.*.sw?' ! -name '*.orig' ! -name '*.rej' \
            ! -name '.#*' -print)
    done | LC_ALL=C sort
}

# Patch file names from patches/series, in order.
series_patches() {
    local p
    [[ -f $top/patches/series ]] || return 0
    while IFS= read -r p; do
        [[ -f $top/patches/$p ]] ||
            die "patches/series names $p, but patches/$p does not exist"
        printf '%s\n' "$p"
    done < <(data_lines "$top/patches/series")
}

# Upstream files that our files replace (patches/removed-files).
removed_files() {
    [[ -f $top/patches/removed-files ]] || return 0
    data_lines "$top/patches/removed-files"
}

# Paths a unified diff reads, changes, creates or deletes, from its
# '--- a/PATH' and '+++ b/PATH' lines.
patch_paths() {
    sed -n 's/^\(---\|+++\) [^/[:space:]]*\/\([^[:space:]]*\).*/\2/p' "$1" |
        grep -vx 'dev/null' | LC_ALL=C sort -u
}

# Load build/config.stamp, written by configure: cfg_qemu_source,
# cfg_target_list, pristine, qemu_version.
load_stamp() {
    [[ -f $stamp ]] || die "not configured: run ./configure (or make) first"
    # shellcheck source=/dev/null
    . "$stamp"
    [[ -d $pristine ]] ||
        die "QEMU source $pristine has gone; run ./configure again"
}

# qemu-system-* binary names for the softmmu targets in $cfg_target_list.
system_binaries() {
    local t
    local -a targets
    IFS=, read -ra targets <<< "$cfg_target_list"
    for t in "${targets[@]}"; do
        [[ $t == *-softmmu ]] && printf 'qemu-system-%s\n' "${t%-softmmu}"
    done
    return 0
}

# build/qemu-system-ARCH -> obj/qemu-system-ARCH for each system target
# of $cfg_target_list, and no other.
link_binaries() {
    local link bin
    for link in "$build"/qemu-system-*; do
        if [[ -L $link ]]; then
            rm -f "$link"
        fi
    done
    while IFS= read -r bin; do
        ln -sfn "obj/$bin" "$build/$bin"
    done < <(system_binaries)
}

# QEMU run from its build folder $1 finds every file under $1/qemu-bundle
# (get_relocated_path()), its firmware path too: share/qemu-firmware under
# the prefix, searched after -L DIR and before the data folder.  Fill that
# folder with links to the files of $debian_firmware_dirs, the first of a
# name winning, so that upstream's command lines work as typed.  (A
# configured --firmwarepath would resolve under qemu-bundle all the same.)
link_firmware() {
    local dest=$1/qemu-bundle/usr/local/share/qemu-firmware d f
    rm -rf "$dest"
    mkdir -p "$dest"
    for d in "${debian_firmware_dirs[@]}"; do
        for f in "$d"/*; do
            [[ -e $f && ! -e $dest/${f##*/} ]] && ln -s "$f" "$dest/"
        done
    done
    return 0
}

# Copy one tree over another, touching only files whose content differs,
# so that ninja rebuilds only what changed.  Files missing in the source
# are deleted in the destination.  Prints the paths it wrote or deleted.
sync_tree() {
    rsync -rlpc --delete --out-format='%n' "$1/" "$2/"
}

# Copy the QEMU source tree $1 to the new folder $2, less what is not QEMU
# source: a git checkout's metadata, an in-tree build folder, Debian's
# quilt state.  (tar, because rsync creating 38000 files is 10x slower.)
copy_source() {
    mkdir -p "$2"
    tar -C "$1" --exclude=./.git --exclude=./build --exclude=./.pc -cf - . |
        tar -C "$2" --no-same-owner -xf -
}

# Apply one patch from patches/ to the tree in $1, loudly on failure.
apply_patch() {
    local dir=$1 p=$2 out
    if ! out=$(cd "$dir" && patch -p1 --batch --forward \
                   --no-backup-if-mismatch --reject-file=- \
                   < "$top/patches/$p" 2>&1); then
        printf '%s\n' "$out" >&2
        die "patches/$p does not apply to QEMU $qemu_version ($pristine)"
    fi
    if grep -q 'with fuzz' <<< "$out"; then
        printf '%s\n' "$out" >&2
        note "warning: patches/$p applies only with fuzz; refresh it" \
             "(see patches/README)" >&2
    fi
}

# Every path of the QEMU tree where the patch set differs from pristine:
# removed files, files the patches read or write, our files.
touched_files() {
    local p
    {
        removed_files
        while IFS= read -r p; do
            patch_paths "$top/patches/$p"
        done < <(series_patches)
        overlay_files
    } | LC_ALL=C sort -u
}

# Build in $1 the QEMU tree the patch set describes: the pristine source,
# less patches/removed-files, plus patches/series, plus our files as
# symbolic links to the repository's own (so that a compiler error, an
# editor or a debugger reached through build/qemu lands in the repository).
#   $2      stop before applying this patch, and lay none of our files
#   $3...   build only these paths (those of touched_files() and any
#           other): a partial tree, cheap to make
make_tree() {
    local dest=$1 stop=${2:-} f p
    local -a only=("${@:3}")
    rm -rf "$dest"
    if [[ ${#only[@]} -eq 0 ]]; then
        copy_source "$pristine" "$dest"
    else
        mkdir -p "$dest"
        for f in "${only[@]}"; do
            if [[ -n $f && -e $pristine/$f ]]; then
                mkdir -p "$dest/$(dirname "$f")"
                cp -p "$pristine/$f" "$dest/$f"
            fi
        done
    fi
    while IFS= read -r f; do
        [[ -e $pristine/$f ]] ||
            die "patches/removed-files: $f is not in the QEMU $qemu_version tree"
        rm -f "$dest/$f"
    done < <(removed_files)
    while IFS= read -r p; do
        [[ $p == "$stop" ]] && return 0
        apply_patch "$dest" "$p"
    done < <(series_patches)
    [[ -z $stop ]] || die "$stop is not in patches/series"
    while IFS= read -r f; do
        mkdir -p "$dest/$(dirname "$f")"
        ln -sf "$top/$f" "$dest/$f"
    done < <(overlay_files)
}

# The unit tests of tests/unit-tests.list, one pattern a line.
unit_patterns() {
    data_lines "$top/tests/unit-tests.list"
}

# Whether the entries $1 and $2 are the same: the same symbolic link
# target, or regular files of the same content.
same_entry() {
    if [[ -L $1 || -L $2 ]]; then
        [[ -L $1 && -L $2 && $(readlink "$1") == "$(readlink "$2")" ]]
    else
        [[ -e $1 && -e $2 ]] && cmp -s "$1" "$2"
    fi
}

# "ARCH PATTERN" lines of tests/qtests.list whose ARCH is being built.
qtest_patterns() {
    local arch pat
    local -a bins
    mapfile -t bins < <(system_binaries)
    while read -r arch pat; do
        [[ " ${bins[*]} " == *" qemu-system-$arch "* ]] &&
            printf '%s %s\n' "$arch" "$pat"
    done < <(data_lines "$top/tests/qtests.list")
    return 0
}

# Run QEMU's configure for the tree build/qemu in the build folder $1 (a
# sibling of build/qemu) for the targets $2, with the options every
# qemu-can build has and then "${@:3}"; its output goes to $1.log.  The
# compilers are gcc and g++ unless QCAN_CC and QCAN_CXX name others.
qemu_configure() {
    local dir=$1 targets=$2 cc=${QCAN_CC:-gcc} cxx=${QCAN_CXX:-g++}
    if command -v ccache > /dev/null; then
        cc="ccache $cc"
        cxx="ccache $cxx"
    fi
    mkdir -p "$dir"
    if ! (cd "$dir" &&
          CCACHE_BASEDIR=$top CCACHE_NOHASHDIR=1 ../qemu/configure \
              --target-list="$targets" --python=/usr/bin/python3 \
              --disable-download --disable-install-blobs --disable-docs \
              --disable-tools --disable-guest-agent --disable-gtk \
              --disable-sdl --disable-opengl --disable-vnc --disable-curses \
              --disable-spice --cc="$cc" --cxx="$cxx" --enable-fdt=system \
              "${@:3}") > "$dir.log" 2>&1; then
        tail -n 40 "$dir.log" >&2
        die "QEMU's configure failed (full log: ${dir#"$top"/}.log)"
    fi
}

# The ninja targets a build in folder $1 makes: the qemu-system-* binaries
# of $cfg_target_list, then the qtests of tests/qtests.list (for those
# targets) and the unit tests of tests/unit-tests.list that QEMU's meson
# defines there.  A pattern that matches none is noted on stderr.
build_targets() {
    local dir=$1 arch pat
    local -a defined
    system_binaries
    mapfile -t defined < <(ninja -C "$dir" -t targets all |
                           sed -n 's,^\(tests/\(qtest\|unit\)/[^/:]*\): .*,\1,p' |
                           grep -v '\.' | LC_ALL=C sort -u)
    while read -r arch pat; do
        match_targets qtest "qtest ($arch)" "$pat" "${defined[@]}"
    done < <(qtest_patterns)
    while read -r pat; do
        match_targets unit "unit test" "$pat" "${defined[@]}"
    done < <(unit_patterns)
}

# The daemons of contrib/ that a build in folder $1 defines and the tests
# run: qemu-can-server and vhost-device-can, as paths under $1.
contrib_targets() {
    local t
    local -A defined=()
    while IFS=: read -r t _; do
        defined[$t]=1
    done < <(ninja -C "$1" -t targets all)
    for t in contrib/can-server/qemu-can-server \
             contrib/vhost-device-can/vhost-device-can; do
        if [[ -n ${defined[$t]:-} ]]; then
            printf '%s\n' "$t"
        fi
    done
}

# Print the targets among "${@:4}" that are tests/$1/PATTERN ($3), or note
# that there are none ($2: what they are)
match_targets() {
    local dir=$1 what=$2 pat=$3 t found=
    for t in "${@:4}"; do
        # shellcheck disable=SC2053 # $pat is a glob on purpose
        if [[ $t == tests/$dir/* && ${t#tests/"$dir"/} == $pat ]]; then
            printf '%s\n' "$t"
            found=1
        fi
    done
    [[ -n $found ]] || note "note: no $what '$pat' in QEMU's meson; not built" >&2
}
