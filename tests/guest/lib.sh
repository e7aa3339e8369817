# SPDX-License-Identifier: GPL-2.0-or-later
#
# Helpers for guest scenarios (sourced by /qcan/scenarios/*.sh inside the
# test guest; busybox sh).  Everything asserts on what the Linux driver
# reports through netlink and sysfs, never on QEMU internals.

# Full iproute2: busybox's own "ip" cannot set CAN parameters.
IP=/usr/sbin/ip-full
BITRATE=${QCAN_BITRATE:-500000}
QCAN_FAILS=0

log()  { echo "[qcan] $*"; }
fail() { echo "[qcan] FAIL: $*"; QCAN_FAILS=$((QCAN_FAILS + 1)); }
ok()   { echo "[qcan] ok: $*"; }
die()  { echo "[qcan] FAIL: $*"; exit 1; }
# Call at the end of a scenario: exit status is the number of failures.
done_scenario() {
    if [ "$QCAN_FAILS" = 0 ]; then log "scenario passed"; exit 0; fi
    log "scenario failed ($QCAN_FAILS failed checks)"; exit 1
}

# check DESCRIPTION COMMAND...: record ok/FAIL depending on COMMAND.
check() {
    d=$1; shift
    if "$@"; then ok "$d"; else fail "$d"; fi
}

# Monotonic nanoseconds since boot.  /proc/timer_list's "now at" line is
# ktime_get() (CLOCK_MONOTONIC); /proc/uptime (10 ms) is the fallback.
now_ns() {
    t=$(awk '/^now at / { print $3; exit }' /proc/timer_list 2>/dev/null)
    if [ -n "$t" ]; then echo "$t"; return; fi
    awk '{ printf "%.0f\n", $1 * 1000000000 }' /proc/uptime
}

# can_ifaces: names of all CAN interfaces the drivers created, sorted.
can_ifaces() {
    for d in /sys/class/net/*; do
        [ "$(cat "$d/type" 2>/dev/null)" = 280 ] && basename "$d"
    done | sort
}

# can_up IFACE [extra "type can" args...]: (re)configure and bring up.
can_up() {
    i=$1; shift
    $IP link set "$i" down
    $IP link set "$i" type can bitrate "$BITRATE" "$@" || die "cannot configure $i ($*)"
    $IP link set "$i" up || die "cannot bring $i up"
}

can_down() { $IP link set "$1" down; }

# counter IFACE NAME: a /sys/class/net statistics counter (rx_packets, ...).
counter() { cat "/sys/class/net/$1/statistics/$2"; }

# can_state IFACE: ERROR-ACTIVE, ERROR-WARNING, ERROR-PASSIVE, BUS-OFF, STOPPED
can_state() {
    $IP -details link show dev "$1" | awk '$1 == "can" {
        for (i = 2; i < NF; i++) if ($i == "state") { print $(i + 1); exit } }'
}

# berr_tx / berr_rx IFACE: error counters as read by the driver from the
# controller (sja1000: TXERR/RXERR registers).
berr_tx() { $IP -details link show dev "$1" | sed -n 's/.*berr-counter tx \([0-9]*\) rx \([0-9]*\).*/\1/p'; }
berr_rx() { $IP -details link show dev "$1" | sed -n 's/.*berr-counter tx \([0-9]*\) rx \([0-9]*\).*/\2/p'; }

show() { $IP -details -statistics link show dev "$1"; }

# wait_until SECONDS COMMAND...: poll COMMAND every 0.1 s.
wait_until() {
    limit=$(( $1 * 10 )); shift
    n=0
    while [ "$n" -lt "$limit" ]; do
        "$@" && return 0
        sleep 0.1
        n=$((n + 1))
    done
    return 1
}

# send_frames IFACE FILE: cansend every frame of FILE (one cansend spec a
# line) in order.  The sja1000 has one TX buffer and the queue is short, so
# retry when the stack pushes back (ENOBUFS) instead of failing the test.
send_frames() {
    i=$1; f=$2
    while read -r fr; do
        tries=0
        until cansend "$i" "$fr" 2>/tmp/cansend.err; do
            tries=$((tries + 1))
            if [ "$tries" -gt 200 ]; then
                echo "[qcan] cansend $i $fr keeps failing: $(cat /tmp/cansend.err)"
                return 1
            fi
            usleep 10000
        done
    done < "$f"
}

# frames_of LOGFILE: the frame part of candump -L lines ("123#11AA").
frames_of() { awk '{ print $3 }' "$1"; }

# Start candump in the background writing candump -L lines to FILE; it
# exits after COUNT frames or IDLE_MS without traffic.  Sets CANDUMP_PID.
start_candump() {
    file=$1; count=$2; idle=$3; shift 3
    rx_before=$(rx_snapshot "$@")
    candump -L -n "$count" -T "$idle" "$@" > "$file" 2>/tmp/candump.err &
    CANDUMP_PID=$!
    wait_bound "$rx_before" "$@"
}

# rx_sockets IF: receivers registered on IF (all of can.ko's receive lists).
rx_sockets() {
    cat /proc/net/can/rcvlist_* 2>/dev/null | awk -v i="${1%%,*}" '$1 == i { n++ } END { print n + 0 }'
}

# rx_snapshot IF...: "IF=count ..." for wait_bound.
rx_snapshot() {
    for i in "$@"; do printf '%s=%s ' "${i%%,*}" "$(rx_sockets "$i")"; done
}

# wait_bound SNAPSHOT IF...: wait until each IF has more receivers than in
# SNAPSHOT (taken with rx_snapshot before starting a listener).  candump
# and canfdtest give no readiness signal, and a fixed sleep is too short
# when the host is busy compiling; frames sent before the bind are lost.
wait_bound() {
    snap=$1; shift
    for i in "$@"; do
        i=${i%%,*}
        before=$(echo "$snap" | tr ' ' '\n' | sed -n "s/^$i=//p")
        wait_until 10 [ "$(rx_sockets "$i")" -gt "${before:-0}" ] && continue
        log "note: no new receiver on $i after 10 s (before: ${before:-0}, now: $(rx_sockets "$i")); continuing"
        # Evidence for a flaky run: who is running, what is registered.
        ps | grep -v ' \[' | tail -n 15
        grep -h -A3 "$i" /proc/net/can/rcvlist_* 2>/dev/null | head -n 20
    done
}

# metric KEY=VALUE...: machine-readable line picked up by bench/run.
metric() { echo "QCAN-METRIC $*"; }

# can_xstat IFACE NAME: a CAN device statistic from "ip -details -statistics"
# (re-started, bus-errors, arbit-lost, error-warn, error-pass, bus-off).
can_xstat() {
    $IP -details -statistics link show dev "$1" | awk -v want="$2" '
        hdr { for (i = 1; i <= NF; i++) if (name[i] == want) print $i; exit }
        /re-started/ { for (i = 1; i <= NF; i++) name[i] = $i; hdr = 1 }'
}
