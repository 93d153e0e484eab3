# shellcheck shell=bash
# tests/golden/common.sh -- shared by the golden runners (fixtures.sh,
# conformance.sh); sourced, never run.  Bash only.
#
# Each runner turns a recorded `go tool pprof ARGS` command into a
# `flarewatch pprof ...` command, runs it and compares its stdout with the
# golden, printing TAP (one "ok"/"not ok" line per golden, diagnostics as
# "# " lines, the plan "1..N" last).
#
# Environment (all optional; `make check` sets the first three, and TZ=UTC,
# through AM_TESTS_ENVIRONMENT):
#   abs_top_srcdir     source tree root        (default: two levels above this file)
#   abs_top_builddir   build tree root         (default: abs_top_srcdir)
#   FLAREWATCH         the binary under test   (default: $abs_top_builddir/flarewatch)
#   FW_TIMEOUT         seconds per command     (default: 120)
#   FW_DIFF_LINES      max diff/stderr lines shown per failure (default: 200)

gw_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd) || exit 99
: "${abs_top_srcdir:=$gw_here/../..}"
: "${abs_top_builddir:=$abs_top_srcdir}"
# automake's abs_top_srcdir is "<builddir>/.." in a VPATH build: tidy it up
if ! abs_top_srcdir=$(cd "$abs_top_srcdir" && pwd) ||
	! abs_top_builddir=$(cd "$abs_top_builddir" && pwd); then
	echo "Bail out! abs_top_srcdir or abs_top_builddir is not a directory"
	exit 99
fi
FLAREWATCH=${FLAREWATCH:-$abs_top_builddir/flarewatch}
FW_TIMEOUT=${FW_TIMEOUT:-120}
FW_DIFF_LINES=${FW_DIFF_LINES:-200}

# The runners cd into the data directory, so make FLAREWATCH absolute.
case $FLAREWATCH in
	/*) ;;
	*/*) FLAREWATCH=$PWD/$FLAREWATCH ;;
	*) FLAREWATCH=$(command -v -- "$FLAREWATCH" || printf '%s' "$FLAREWATCH") ;;
esac

gw_n=0      # results printed so far
gw_failed=0 # "not ok" results

gw_tmp=$(mktemp -d "${TMPDIR:-/tmp}/fw-golden.XXXXXX") || {
	echo "Bail out! cannot create a temporary directory"
	exit 99
}
trap 'rm -rf "$gw_tmp"' EXIT
gw_out=$gw_tmp/stdout
gw_err=$gw_tmp/stderr

gw_timeout=()
if command -v timeout >/dev/null 2>&1; then
	gw_timeout=(timeout -k 5 "$FW_TIMEOUT")
fi

# gw_bail MESSAGE: abort the whole run (the TAP driver reports an ERROR).
gw_bail() {
	echo "Bail out! $*"
	exit 99
}

# gw_require_binary: bail out clearly when there is nothing to test.
gw_require_binary() {
	if [ -d "$FLAREWATCH" ] || [ ! -x "$FLAREWATCH" ]; then
		gw_bail "flarewatch binary not found or not executable: $FLAREWATCH" \
			"(run 'make' first, or set FLAREWATCH=/path/to/flarewatch)"
	fi
}

# gw_diag_file FILE [MAX]: FILE's lines as "# " diagnostics, at most MAX.
gw_diag_file() {
	local max=${2:-$FW_DIFF_LINES} total
	total=$(wc -l <"$1")
	# a last line without a newline still counts
	if [ -s "$1" ] && [ -n "$(tail -c 1 "$1")" ]; then total=$((total + 1)); fi
	sed -n "1,${max}p" "$1" | sed 's/^/# /'
	if [ "$total" -gt "$max" ]; then
		echo "# ... ($((total - max)) more lines)"
	fi
}

gw_ok() {   # gw_ok NAME [DIRECTIVE]
	gw_n=$((gw_n + 1))
	echo "ok $gw_n - $1${2:+ # $2}"
}

gw_not_ok() {   # gw_not_ok NAME MESSAGE...
	local name=$1
	shift
	gw_n=$((gw_n + 1))
	gw_failed=$((gw_failed + 1))
	echo "not ok $gw_n - $name"
	echo "# $*"
}

# gw_finish: print the plan; the exit status is 0 iff nothing failed.
gw_finish() {
	echo "1..$gw_n"
	if [ "$gw_failed" -gt 0 ]; then
		echo "# failed $gw_failed of $gw_n"
		exit 1
	fi
	exit 0
}

# gw_map PPROF_ARGS...: sets gw_cmd to the flarewatch argv for a
# `go tool pprof` command line:
#   -top REST      -> pprof top REST
#   -peek RE REST  -> pprof peek RE REST
#   -traces REST   -> pprof traces REST
# The report flag may appear anywhere; the other arguments keep their order.
# Returns 1 if there is no report flag.
gw_map() {
	local mode="" re="" rest=()
	while [ $# -gt 0 ]; do
		if [ -z "$mode" ]; then
			case $1 in
			-top) mode=top ;;
			-traces) mode=traces ;;
			-peek)
				[ $# -ge 2 ] || return 1
				mode=peek
				re=$2
				shift
				;;
			*) rest+=("$1") ;;
			esac
		else
			rest+=("$1")
		fi
		shift
	done
	[ -n "$mode" ] || return 1
	gw_cmd=(pprof "$mode")
	if [ "$mode" = peek ]; then gw_cmd+=("$re"); fi
	gw_cmd+=("${rest[@]}")
}

# gw_run DIR: run "$FLAREWATCH" "${gw_cmd[@]}" from DIR with TZ=UTC and no
# stdin; stdout and stderr go to $gw_out / $gw_err, the status to gw_rc.
gw_run() {
	# The outer 2>/dev/null only silences bash's own "Aborted"/"Segmentation
	# fault" notice; gw_describe_run reports the signal.
	{
		(cd "$1" && export TZ=UTC && exec "${gw_timeout[@]}" "$FLAREWATCH" "${gw_cmd[@]}") \
			>"$gw_out" 2>"$gw_err" </dev/null
		gw_rc=$?
	} 2>/dev/null
}

# gw_describe_run: diagnostics common to every failure.
gw_describe_run() {
	local how="exit status $gw_rc"
	if [ "$gw_rc" -eq 124 ] && [ ${#gw_timeout[@]} -gt 0 ]; then
		how="timed out after ${FW_TIMEOUT}s"
	elif [ "$gw_rc" -gt 128 ]; then
		how="killed by signal $((gw_rc - 128)) ($(kill -l $((gw_rc - 128)) 2>/dev/null || echo '?'))"
	fi
	echo "# command: (cd $1 && TZ=UTC $FLAREWATCH ${gw_cmd[*]})"
	echo "# result:  $how, $(wc -c <"$gw_out") bytes on stdout, $(wc -c <"$gw_err") bytes on stderr"
	if [ -s "$gw_err" ]; then
		echo "# stderr:"
		gw_diag_file "$gw_err" 40
	fi
}

# gw_sanitizer_report: true if stderr holds an ASan/UBSan/LSan report.
gw_sanitizer_report() {
	grep -Eq 'ERROR: [A-Za-z]+Sanitizer|runtime error:|SUMMARY: [A-Za-z]+Sanitizer' "$gw_err"
}

# gw_judge NAME WANT_RC GOLDEN DIR: report the run just made by gw_run.
#   WANT_RC == 0: pass iff we exited 0 and stdout equals GOLDEN byte for byte.
#   WANT_RC != 0: pass iff we exited 1 with empty stdout and something on
#                 stderr (GOLDEN is not read; the reference's stdout was empty).
# A sanitizer report on stderr always fails.
gw_judge() {
	local name=$1 want_rc=$2 golden=$3 dir=$4
	if gw_sanitizer_report; then
		gw_not_ok "$name" "sanitizer report on stderr"
		gw_describe_run "$dir"
		return
	fi
	if [ "$want_rc" -ne 0 ]; then
		if [ "$gw_rc" -eq 1 ] && [ ! -s "$gw_out" ] && [ -s "$gw_err" ]; then
			gw_ok "$name"
		else
			gw_not_ok "$name" "expected exit status 1, empty stdout and an error on stderr" \
				"(the reference exited $want_rc)"
			gw_describe_run "$dir"
			if [ -s "$gw_out" ]; then
				echo "# stdout:"
				gw_diag_file "$gw_out" 20
			fi
		fi
		return
	fi
	if [ "$gw_rc" -ne 0 ]; then
		gw_not_ok "$name" "flarewatch failed"
		gw_describe_run "$dir"
		return
	fi
	if [ ! -f "$golden" ]; then
		gw_not_ok "$name" "golden file missing: $golden"
		return
	fi
	if cmp -s "$golden" "$gw_out"; then
		gw_ok "$name"
		return
	fi
	gw_not_ok "$name" "stdout differs from the golden"
	echo "# command: (cd $dir && TZ=UTC $FLAREWATCH ${gw_cmd[*]})"
	diff -u --label "expected/$name" --label "actual/$name" "$golden" "$gw_out" \
		>"$gw_tmp/diff"
	gw_diag_file "$gw_tmp/diff"
}
