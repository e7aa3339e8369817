# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# A private apt configuration in build/apt/, sourced after lib.sh.
#
# The build needs two suites a Debian 12 system may not list: trixie's
# deb-src (QEMU 10.0's source package) and bookworm-backports (meson 1.5 and
# a few others).  They are never added to the system's apt sources.
# Instead build/apt/apt.conf gives apt its own sources, lists and cache, all
# under build/apt/:
#   sources.list, sources.list.d/   links to the system's own source files,
#                                   plus qemu-can.sources with the suites
#                                   the system lacks, on the system's mirror
#   lists/, cache/                  what apt-get update and downloads write
# It keeps the system's dpkg status, so 'apt-get -c build/apt/apt.conf
# install ...' as root installs exactly as the system's apt would, and
# 'apt-get -c build/apt/apt.conf source ...' works as any user.

# shellcheck disable=SC2154 # $build: set by lib.sh
apt_dir=$build/apt
apt_conf=$apt_dir/apt.conf
apt_updated=

# The suites the build needs, "TYPE SUITE", and the release whose mirror
# serves them.
apt_needed_suites=("deb-src trixie" "deb bookworm-backports")
apt_base_release=bookworm

# "TYPE SUITE" lines the system's apt knows.
system_targets() {
    # shellcheck disable=SC2016 # apt's format, not shell
    apt-get indextargets --no-release-info \
        --format '$(TARGET_OF) $(RELEASE)' 2>/dev/null | LC_ALL=C sort -u || true
}

# The Debian mirror of the system's own sources (the one serving
# $apt_base_release), so that the added suites come from the same place.
debian_mirror() {
    local uri
    # shellcheck disable=SC2016 # apt's format, not shell
    uri=$(apt-get indextargets --no-release-info \
              --format '$(TARGET_OF) $(RELEASE) $(REPO_URI)' 2>/dev/null |
          awk -v r="$apt_base_release" '$1 == "deb" && $2 == r { print $3; exit }')
    if [[ -z $uri ]]; then
        note "warning: the system's apt sources list no '$apt_base_release';" \
             "using http://deb.debian.org/debian/" >&2
        uri=http://deb.debian.org/debian/
    fi
    printf '%s\n' "$uri"
}

# (Re)write build/apt/: the configuration, links to the system's sources,
# the missing suites.  Cheap; run before every use.
apt_setup() {
    local sys_list=/etc/apt/sources.list sys_parts=/etc/apt/sources.list.d
    local sys_lists=/var/lib/apt/lists f have mirror want
    local -a missing=()
    eval "$(apt-config shell sys_list Dir::Etc::sourcelist/f \
                             sys_parts Dir::Etc::sourceparts/d \
                             sys_lists Dir::State::lists/d)"
    mkdir -p "$apt_dir/sources.list.d" "$apt_dir/lists/partial" \
             "$apt_dir/cache/archives/partial"
    cat > "$apt_conf" <<EOF
// Written by ./configure (build-aux/apt.sh): apt with its own sources,
// lists and cache under build/apt/.  Use: apt-get -c $apt_conf ...
Dir::Etc::SourceList "$apt_dir/sources.list";
Dir::Etc::SourceParts "$apt_dir/sources.list.d";
Dir::State::Lists "$apt_dir/lists";
Dir::Cache "$apt_dir/cache";
// As root, download into build/ without handing it to the _apt user.
APT::Sandbox::User "root";
EOF
    rm -f "$apt_dir/sources.list" "$apt_dir"/sources.list.d/*
    if [[ -f $sys_list ]]; then
        ln -s "$sys_list" "$apt_dir/sources.list"
    else
        : > "$apt_dir/sources.list"
    fi
    for f in "${sys_parts%/}"/*.list "${sys_parts%/}"/*.sources; do
        [[ -f $f ]] && ln -s "$f" "$apt_dir/sources.list.d/"
    done
    have=$(system_targets)
    for want in "${apt_needed_suites[@]}"; do
        grep -qx "$want" <<< "$have" || missing+=("$want")
    done
    if [[ ${#missing[@]} -gt 0 ]]; then
        mirror=$(debian_mirror)
        for want in "${missing[@]}"; do
            printf 'Types: %s\nURIs: %s\nSuites: %s\nComponents: main\n' \
                "${want% *}" "$mirror" "${want#* }"
            printf 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\n'
        done > "$apt_dir/sources.list.d/qemu-can.sources"
    fi
    # Start from the system's lists: apt-get update then fetches only what
    # changed, and the suites added.
    if [[ -z $(find "$apt_dir/lists" -maxdepth 1 -type f ! -name lock -print -quit) &&
          -d $sys_lists ]]; then
        find "$sys_lists" -maxdepth 1 -type f ! -name lock \
            -exec cp -p -t "$apt_dir/lists" {} + 2>/dev/null || true
    fi
}

# apt-get and apt-cache with the private configuration.
apt_private() {
    apt-get -c "$apt_conf" "$@"
}

apt_cache_private() {
    apt-cache -c "$apt_conf" "$@"
}

apt_private_update() {
    if [[ -z $apt_updated ]]; then
        note "apt-get update (private configuration: build/apt/apt.conf)"
        apt_private update -qq || return 1
        apt_updated=1
    fi
}
