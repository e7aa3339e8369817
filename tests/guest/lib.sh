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
# Call at the end of a scenario: exit 0 if no check failed, else 1.
done_scenario() {
    if [ "$QCAN_FAILS" = 0 ]; then log "scenario passed"; exit 0; fi
    log "scenario failed ($QCAN_FAILS failed checks)"; exit 1
}

# check DESCRIPTION COMMAND...: record ok/FAIL depending on COMMAND.
check() {
    local d=$1; shift
    if "$@"; then ok "$d"; else fail "$d"; fi
}

# Monotonic nanoseconds since boot.  /proc/timer_list's "now at" line is
# ktime_get() (CLOCK_MONOTONIC); /proc/uptime (10 ms) is the fallback.
now_ns() {
    local t
    t=$(awk '/^now at / { print $3; exit }' /proc/timer_list 2>/dev/null)
    if [ -n "$t" ]; then echo "$t"; return; fi
    awk '{ printf "%.0f\n", $1 * 1000000000 }' /proc/uptime
}

# can_ifaces: names of all CAN interfaces the drivers created, sorted.
can_ifaces() {
    local d
    for d in /sys/class/net/*; do
        [ "$(cat "$d/type" 2>/dev/null)" = 280 ] && basename "$d"
    done | sort
}

# can_up IFACE [extra "type can" args...]: (re)configure and bring up.
can_up() {
    local i=$1; shift
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

# wait_until SECONDS COMMAND...: poll COMMAND every 0.1 s.  COMMAND runs
# each time; a condition on a value must read the value each time too:
# "wait_until 10 is ERROR-PASSIVE can_state can0", never
# "wait_until 10 [ "$(can_state can0)" = ... ]", which reads it once.
wait_until() {
    local limit=$(( $1 * 10 )) n=0; shift
    while [ "$n" -lt "$limit" ]; do
        "$@" && return 0
        sleep 0.1
        n=$((n + 1))
    done
    return 1
}

# is WANT COMMAND...: COMMAND prints WANT.  isnt: something else.
# at_least N COMMAND...: COMMAND prints a number >= N.
is() { _want=$1; shift; [ "$("$@")" = "$_want" ]; }
isnt() { ! is "$@"; }
at_least() { _min=$1; shift; [ "$("$@")" -ge "$_min" ]; }

# send_frames IFACE FILE: cansend every frame of FILE (one cansend spec a
# line) in order.  The sja1000 has one TX buffer and the queue is short, so
# retry when the stack pushes back (ENOBUFS) instead of failing the test.
send_frames() {
    local i=$1 f=$2 fr tries
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

# gen_frames DIR N: N distinct frames in cansend syntax (standard and
# extended ids, RTR, every DLC 0..8).  DIR (0 or 1) keeps the two
# directions' ids apart so a frame echoed back to the wrong side shows.
gen_frames() {
    awk -v n="$2" -v dir="$1" 'BEGIN {
        for (i = 0; i < n; i++) {
            k = i % 10
            if (k == 3 || k == 7 || k == 8)       # extended id
                id = sprintf("%08X", (dir * 0x8000000 + 0x10000 + i * 0x1357) % 0x20000000)
            else
                id = sprintf("%03X", (dir * 0x400 + 0x10 + i * 3) % 0x800)
            if (k == 9 || k == 8) { print id "#R"; continue }   # RTR
            len = i % 9; d = ""
            for (j = 0; j < len; j++) d = d sprintf("%02X", (i * 7 + j * 13 + dir * 0x55) % 256)
            print id "#" d
        }
    }'
}

# exchange SRC DST DIR N: send N frames of gen_frames DIR from SRC; DST
# must receive them exactly and in order, and count exactly N.
exchange() {
    local src=$1 dst=$2 dir=$3 n=$4 got rx0 rx1
    gen_frames "$dir" "$n" > "/tmp/sent-$src"
    start_candump "/tmp/recv-$dst" "$n" 15000 "$dst"
    rx0=$(counter "$dst" rx_packets)
    send_frames "$src" "/tmp/sent-$src" || fail "$src: sending failed"
    wait "$CANDUMP_PID"
    frames_of "/tmp/recv-$dst" > "/tmp/got-$dst"
    got=$(wc -l < "/tmp/got-$dst")
    rx1=$(counter "$dst" rx_packets)
    log "$src -> $dst: sent $n, candump got $got, $dst rx_packets +$((rx1 - rx0))"
    if cmp -s "/tmp/sent-$src" "/tmp/got-$dst"; then
        ok "$src -> $dst: $n frames, content and order exact"
    else
        fail "$src -> $dst: received frames differ from sent (diff sent received):"
        diff "/tmp/sent-$src" "/tmp/got-$dst" | head -n 20
    fi
    check "$dst rx_packets counted exactly $n" [ $((rx1 - rx0)) -eq "$n" ]
}

# board_ifaces DRIVER: "PCI-FUNCTION IFACE" for every CAN interface bound
# to DRIVER, in PCI address order, then channel order.
board_ifaces() {
    local i d
    for i in $(can_ifaces); do
        d=$(readlink -f "/sys/class/net/$i/device")
        [ "$(basename "$(readlink -f "$d/driver")")" = "$1" ] || continue
        echo "$(basename "$d") $(cat "/sys/class/net/$i/dev_id") $i"
    done | sort | awk '{ print $1, $3 }'
}

# board_scenario DRIVER COUNTS N: what every board's scenario checks, on
# the command line its header gives: boards of DRIVER with COUNTS
# channels ("1 2 4": per board, in slot order), each board's first channel
# on one bus with a Kvaser channel, the very last channel alone on a bus
# of its own.  N frames go each way between every board's first channel
# and the Kvaser one; the lone channel's frame is never acknowledged, so
# it must end ERROR-PASSIVE with TX error counter 128.
board_scenario() {
    local drv=$1 counts=$2 n=$3 per first lone peer
    log "CAN interfaces: $(can_ifaces | tr '\n' ' ')"
    board_ifaces "$drv" > /tmp/board.ifs
    per=$(awk '{ print $1 }' /tmp/board.ifs | uniq -c | awk '{ print $1 }' | tr '\n' ' ')
    log "$drv: channels per board, in slot order: $per"
    check "$drv found exactly $counts channels" [ "$per" = "$counts " ]
    lone=$(awk 'END { print $2 }' /tmp/board.ifs)
    peer=$(board_ifaces kvaser_pci | awk 'NR == 1 { print $2 }')
    [ -n "$lone" ] && [ -n "$peer" ] || die "no $drv or kvaser_pci interface"

    can_up "$peer"
    for first in $(awk '!seen[$1]++ { print $2 }' /tmp/board.ifs); do
        can_up "$first"
        exchange "$first" "$peer" 0 "$n"
        exchange "$peer" "$first" 1 "$n"
        check "$first still ERROR-ACTIVE" [ "$(can_state "$first")" = ERROR-ACTIVE ]
        can_down "$first"
    done

    can_up "$lone"
    cansend "$lone" 123#11223344 || fail "cansend $lone failed"
    wait_until 10 is ERROR-PASSIVE can_state "$lone"
    sleep 1   # a correct model stays put here; a wrong one drifts on
    show "$lone"
    check "lone $lone ERROR-PASSIVE" [ "$(can_state "$lone")" = ERROR-PASSIVE ]
    check "lone $lone berr-counter tx 128" [ "$(berr_tx "$lone")" = 128 ]
    check "lone $lone tx_packets 0" [ "$(counter "$lone" tx_packets)" = 0 ]
}

# listen OUT ERR "IF..." CMD [ARGS...]: start CMD in the background
# (stdout to OUT, stderr to ERR) and return once it has a CAN socket bound
# on every IF (candump and canfdtest give no readiness signal; a fixed
# sleep is too short when the host is busy).  A listener that dies before
# binding is reported with its exit status and restarted, up to 3 times:
# rarely (about 1 run in 30 on a loaded host) candump was seen to exit
# silently right at start.  Sets LISTENER_PID.
listen() {
    local l_out=$1 l_err=$2 l_ifs=$3 l_try=1 l_snap l_st; shift 3
    while :; do
        # shellcheck disable=SC2086
        l_snap=$(rx_snapshot $l_ifs)
        "$@" > "$l_out" 2> "$l_err" &
        LISTENER_PID=$!
        # shellcheck disable=SC2086
        wait_bound "$LISTENER_PID" "$l_snap" $l_ifs && return 0
        if alive "$LISTENER_PID"; then
            log "note: '$*' still has no socket after 10 s; continuing anyway"
            return 0
        fi
        wait "$LISTENER_PID"
        l_st=$?
        log "note: '$*' exited with status $l_st before binding (attempt $l_try); stderr: $(head -c 300 "$l_err")"
        [ "$l_try" -ge 3 ] && { fail "listener '$*' keeps dying at start"; return 1; }
        l_try=$((l_try + 1))
    done
}

# alive PID: process exists and is not a zombie.
alive() {
    local st
    st=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
    [ -n "$st" ] && [ "$st" != Z ]
}

# Start candump -L in the background writing to FILE; it exits after COUNT
# frames or IDLE_MS without traffic.  Sets CANDUMP_PID.
start_candump() {
    local file=$1 count=$2 idle=$3; shift 3
    listen "$file" /tmp/candump.err "$*" candump -L -n "$count" -T "$idle" "$@"
    CANDUMP_PID=$LISTENER_PID
}

# rx_sockets IF: receivers registered on IF (all of can.ko's receive lists).
rx_sockets() {
    cat /proc/net/can/rcvlist_* 2>/dev/null | awk -v i="${1%%,*}" '$1 == i { n++ } END { print n + 0 }'
}

# rx_snapshot IF...: "IF=count ..." for wait_bound.
rx_snapshot() {
    local i
    for i in "$@"; do printf '%s=%s ' "${i%%,*}" "$(rx_sockets "$i")"; done
}

# bound_all SNAPSHOT IF...: true when every IF has more receivers than in
# SNAPSHOT.
bound_all() {
    local b_snap=$1 b_if b_before; shift
    for b_if in "$@"; do
        b_if=${b_if%%,*}
        b_before=$(echo "$b_snap" | tr ' ' '\n' | sed -n "s/^$b_if=//p")
        [ "$(rx_sockets "$b_if")" -gt "${b_before:-0}" ] || return 1
    done
}

# wait_bound PID SNAPSHOT IF...: wait up to 10 s for PID's sockets to show
# up on every IF; false early if PID dies first.
wait_bound() {
    local w_pid=$1 w_snap=$2 w_n=0; shift 2
    while [ "$w_n" -lt 100 ]; do
        bound_all "$w_snap" "$@" && return 0
        alive "$w_pid" || { bound_all "$w_snap" "$@"; return; }
        sleep 0.1
        w_n=$((w_n + 1))
    done
    return 1
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

# wait_rx_packets IF WANT [STALL]: poll IF's rx_packets every 500 us until
# it reaches WANT (at most 20000 polls, or STALL polls in a row that see
# no new frame), then print it.  For the tail of a burst only: a poll loop
# over a whole run would cost guest time.
wait_rx_packets() {
    _n=0 _same=0 _last=-1
    while :; do
        read -r _rx < "/sys/class/net/$1/statistics/rx_packets"
        [ "$_rx" -ge "$2" ] && break
        _n=$((_n + 1))
        [ "$_n" -gt 20000 ] && break
        if [ "$_rx" = "$_last" ]; then _same=$((_same + 1)); else _same=0; fi
        [ -n "${3:-}" ] && [ "$_same" -ge "$3" ] && break
        _last=$_rx
        usleep 500
    done
    echo "$_rx"
}

# burst_listen COUNT IDLE_MS: the receiving end of a burst can0 -> can1
# (scenarios burst.sh, migrate-burst.sh): both up, and a candump of COUNT
# frames on can1 into /tmp/burst.log that gives up after IDLE_MS without
# one.  A slow candump must not be mistaken for controller loss: its
# socket gets a big buffer and it reports socket-level drops (-d).  Sets
# LISTENER_PID.
burst_listen() {
    local b_ifs
    b_ifs=$(can_ifaces | tr '\n' ' ')
    [ "$b_ifs" = "can0 can1 " ] || die "expected can0 and can1, got '$b_ifs'"
    can_up can0
    can_up can1
    echo 16777216 > /proc/sys/net/core/rmem_max
    listen /tmp/burst.log /tmp/candump.err can1 candump -L -d -r 16000000 -n "$1" -T "$2" can1
}

# burst_send COUNT: COUNT frames on can0 back to back, polling on ENOBUFS
# so that the sender never drops.  -I i / -D i: an incrementing id and a
# 64-bit little-endian counter as data, so that loss and reordering show
# per frame.  -x: no local echo to other sockets on can0 (nobody listens
# there).
burst_send() {
    cangen can0 -g 0 -p 10 -n "$1" -I i -L 8 -D i -x || fail "cangen exited with $?"
}

# burst_frames: the frames of /tmp/burst.log, as ID#DATA, into
# /tmp/burst.frames; prints how many.
burst_frames() {
    grep '^(' /tmp/burst.log | awk '{ print $3 }' > /tmp/burst.frames
    wc -l < /tmp/burst.frames
}

# burst_seq_breaks [id]: how many frames of /tmp/burst.frames do not follow
# the one before: the counter in data bytes 0..3 (little endian) must
# advance by exactly 1 a frame, and with "id" the 11-bit id by 1 modulo
# 0x800.  The first 5 breaks go to stderr.
burst_seq_breaks() {
    awk -F'#' -v ids="${1:-}" '
    function hex(s,  i, v) { v = 0; s = toupper(s)
        for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789ABCDEF", substr(s, i, 1)) - 1
        return v }
    { id = hex($1); d = $2
      c = hex(substr(d, 1, 2)) + 256 * hex(substr(d, 3, 2)) + 65536 * hex(substr(d, 5, 2)) + 16777216 * hex(substr(d, 7, 2))
      if (NR > 1 && (c != pc + 1 || (ids && id != (pid + 1) % 2048))) {
          bad++
          if (bad <= 5 && ids) printf "seq break at frame %d: %s after id %03X counter %d\n", NR, $0, pid, pc > "/dev/stderr"
          else if (bad <= 5) printf "seq break at frame %d: %s after counter %d\n", NR, $0, pc > "/dev/stderr"
      }
      pc = c; pid = id }
    END { print bad + 0 }' /tmp/burst.frames
}
