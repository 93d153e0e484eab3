# tests/daemon/common.sh -- sourced by the flarewatchd integration tests
# (tests/daemon/*.sh). They start the real flarewatchd on temporary
# folders with a configuration they write, and print TAP.
#
# Environment: abs_top_srcdir, abs_top_builddir (default: this tree);
# FLAREWATCHD (default $abs_top_builddir/flarewatchd); FW_SAMPLE_FLARE, a
# good flare zip (default: tests/fixtures/flares/*.zip, then the sample
# flare in ../shared/flares/ beside the source tree); FW_KEEP_TMP=1 keeps
# the temporary folder for a post-mortem.
#
# Every wait is a bounded poll (wait_for), never a bare sleep.

set -u
: "${abs_top_srcdir:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${abs_top_builddir:=$abs_top_srcdir}"
FLAREWATCHD=${FLAREWATCHD:-$abs_top_builddir/flarewatchd}
export LC_ALL=C TZ=UTC
# shellcheck source=tests/schema/sweep.sh
. "$abs_top_srcdir/tests/schema/sweep.sh" || exit 99
unset NOTIFY_SOCKET WATCHDOG_USEC WATCHDOG_PID JOURNAL_STREAM INVOCATION_ID

# ---- TAP ---------------------------------------------------------------------
_tap_n=0
_tap_failed=0
ok()   { _tap_n=$((_tap_n + 1)); printf 'ok %d - %s\n' "$_tap_n" "$1"; }
nok()  { _tap_n=$((_tap_n + 1)); _tap_failed=$((_tap_failed + 1)); printf 'not ok %d - %s\n' "$_tap_n" "$1"; }
skip() { _tap_n=$((_tap_n + 1)); printf 'ok %d - %s # SKIP %s\n' "$_tap_n" "$1" "$2"; }
diag() { printf '%s\n' "$@" | sed 's/^/# /'; }
# check NAME COMMAND...: ok if COMMAND succeeds
check() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else nok "$name"; fi
}
# skip_all REASON: the whole script is skipped (before any test ran)
skip_all() { printf '1..0 # SKIP %s\n' "$1"; exit 0; }
# FW_SKIP_DAEMON_TESTS=1 (.ci/run's make distcheck): the daemon tests ran in
# both builds already; distcheck's copy of the suite checks the tarball.
[ "${FW_SKIP_DAEMON_TESTS:-0}" = 1 ] &&
	skip_all "FW_SKIP_DAEMON_TESTS=1: the daemon tests ran in both CI builds"
# done_testing: the plan, after checking that every report.json the test
# wrote below $T validates against schema/report.schema.json
# (../schema/sweep.sh).
done_testing() {
	fw_schema_sweep "$T"
	case $fw_schema_result in
	none) ;;
	ok) ok "$fw_schema_name" ;;
	skip) skip "$fw_schema_name" "$fw_schema_diag" ;;
	*) nok "$fw_schema_name"; diag "$fw_schema_diag" ;;
	esac
	printf '1..%d\n' "$_tap_n"
	[ "$_tap_failed" -eq 0 ]
	exit
}
# show_log FILE: the last lines of a daemon log, as TAP comments
show_log() { [ -f "$1" ] && tail -n "${2:-30}" "$1" | sed 's/^/#   /'; return 0; }

# ---- time --------------------------------------------------------------------
_now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }
# wait_for SECONDS COMMAND...: polls COMMAND every 50 ms; 1 on timeout
wait_for() {
	local end=$(($(_now_ms) + $1 * 1000))
	shift
	while ! "$@"; do
		[ "$(_now_ms)" -ge "$end" ] && return 1
		sleep 0.05
	done
	return 0
}

# ---- the temporary tree and cleanup --------------------------------------------
T=$(mktemp -d "${TMPDIR:-/tmp}/flarewatchd-test.XXXXXX") || exit 99
# the daemons' workers extract into TMPDIR: keep what a killed one leaves
# inside the test's folder
mkdir -p "$T/tmp" && export TMPDIR=$T/tmp
_pids=()
_cleanup() {
	local p
	for p in "${_pids[@]}"; do
		kill -KILL "$p" 2>/dev/null
	done
	wait 2>/dev/null
	if [ "${FW_KEEP_TMP:-0}" = 1 ]; then
		echo "# kept $T" >&2
	else
		rm -rf "$T"
	fi
}
trap _cleanup EXIT

# ---- prerequisites ---------------------------------------------------------------
require_daemon() {
	[ -x "$FLAREWATCHD" ] || skip_all "flarewatchd not built ($FLAREWATCHD)"
}

# The good flare the tests copy: FW_SAMPLE_FLARE, a fixture, or the sample.
sample_flare() {
	local f
	for f in ${FW_SAMPLE_FLARE:-} "$abs_top_srcdir"/tests/fixtures/flares/*.zip \
		"$abs_top_srcdir"/../shared/flares/*.zip; do
		[ -f "$f" ] && { printf '%s\n' "$f"; return 0; }
	done
	return 1
}
require_flare() {
	SAMPLE=$(sample_flare) || skip_all "no good flare zip (set FW_SAMPLE_FLARE)"
	# distinct copies get a zip comment; that needs an end-of-central-
	# directory record without one at the very end of the file
	local eocd
	eocd=$(tail -c 22 "$SAMPLE" | od -An -tx1 | tr -d ' \n')
	case $eocd in
	504b0506*0000) ;;
	*) skip_all "$SAMPLE has a zip comment; cannot make distinct copies" ;;
	esac
}

# make_flare PATH N: a copy of the sample with its own content (the zip
# comment "flarewatch test N"), so that dedup does not merge copies.
make_flare() {
	local comment
	comment=$(printf 'flarewatch test %06d' "$2")
	{
		head -c -2 "$SAMPLE"
		printf "\\x$(printf %02x ${#comment})\\x00"
		printf '%s' "$comment"
	} >"$1"
}

# make_slow_flare PATH SIZE: a sparse file (no disk space) that takes its
# worker seconds to hash before the analysis finds it is no zip.
make_slow_flare() { truncate -s "$2" "$1"; }

# ---- configuration and daemons ---------------------------------------------------
# write_config DIR [key=value...]: DIR/flarewatch.yaml with folders in DIR;
# keys may be section.key (analysis.timeout_seconds).
write_config() {
	local dir=$1 a k sec first
	shift
	declare -A kv=(
		[incoming_dir]="$dir/incoming" [state_dir]="$dir/state"
		[investigations_dir]="$dir/investigations"
		[settle_seconds]=1 [rescan_seconds]=60 [workers]=2
	)
	for a in "$@"; do kv[${a%%=*}]=${a#*=}; done
	mkdir -p "$dir"
	{
		for k in "${!kv[@]}"; do
			[[ $k == *.* ]] || printf '%s: %s\n' "$k" "${kv[$k]}"
		done
		for sec in analysis archive thresholds tickets; do
			first=1
			for k in "${!kv[@]}"; do
				[[ $k == "$sec".* ]] || continue
				[ $first = 1 ] && printf '%s:\n' "$sec"
				first=0
				printf '  %s: %s\n' "${k#*.}" "${kv[$k]}"
			done
		done
	} >"$dir/flarewatch.yaml"
}

# start_daemon LOG CONFIG [args...]: starts flarewatchd --foreground in the
# background, sets DPID, and waits until it has started.
start_daemon() {
	local log=$1 cfg=$2
	shift 2
	"$FLAREWATCHD" -c "$cfg" --foreground "$@" 2>>"$log" &
	DPID=$!
	_pids+=("$DPID")
	wait_for 20 grep -q 'started: watching' "$log"
}

# daemon_up NAME [key=value...]: a daemon on its own folder D=$T/NAME
# (log LOG=$T/NAME.log, configuration from write_config with the
# arguments); when it does not start, the test ends here, with the log.
daemon_up() {
	local name=$1
	shift
	D=$T/$name
	LOG=$T/$name.log
	write_config "$D" "$@"
	start_daemon "$LOG" "$D/flarewatch.yaml" ||
		{ nok "daemon starts ($name)"; show_log "$LOG"; done_testing; }
}

# daemon_down: stops the daemon of daemon_up with SIGTERM and checks it
# exits 0; shows its log when any test so far failed.
daemon_down() {
	stop_daemon "$DPID"
	check "SIGTERM: exit status 0" test "$DSTATUS" = 0
	[ "$_tap_failed" = 0 ] || show_log "$LOG"
}

# drop_flare NAME N [DIR]: make_flare's flare N made aside, then moved
# whole into DIR (default $D/incoming) as NAME.
drop_flare() { make_flare "$T/$1" "$2" && mv "$T/$1" "${3:-$D/incoming}/$1"; }

# done_has NAME: the flare NAME is filed in $D/state/done/
done_has() { [ -f "$D/state/done/$1" ]; }

# alive PID: running and not a zombie
alive() {
	local st
	st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# stop_daemon PID [SIGNAL]: signals it, waits (bounded) and sets DSTATUS
stop_daemon() {
	kill -"${2:-TERM}" "$1" 2>/dev/null
	if ! wait_for 120 eval "! alive $1"; then
		kill -KILL "$1" 2>/dev/null
		DSTATUS=timeout
		wait "$1" 2>/dev/null
		return 1
	fi
	wait "$1"
	DSTATUS=$?
	return 0
}

# children PID: the process ids of its children
children() { cat "/proc/$1/task/"*/children 2>/dev/null | tr ' ' '\n' | grep .; }

# count DIR [PATTERN]: regular files in DIR (not below) matching PATTERN
count() {
	find "$1" -maxdepth 1 -type f -name "${2:-*}" 2>/dev/null | wc -l
}
# reports DIR: the Markdown reports written below an investigations tree
reports() { find "$1" -type f -name 'flare-profiling-*.md' 2>/dev/null | wc -l; }
