# shellcheck shell=bash
# tests/tap.sh -- the shell twin of tests/tap.h: TAP helpers for the bash
# tests, sourced by tests/analyze/common.sh and tests/golden/common.sh (which
# offer them to their scripts as fa_* and gw_*); sourced, never run. Bash
# only. Sourcing it only defines the counters and functions below.
#
# One "ok"/"not ok" line per check, diagnostics as "# " lines, the plan
# "1..N" last (tap_finish); "Bail out!" and exit status 99 when nothing can
# be tested (the TAP driver reports an ERROR).

tap_n=0      # results printed so far
tap_failed=0 # "not ok" results

# tap_bail MESSAGE...: abort the whole run.
tap_bail() {
	echo "Bail out! $*"
	exit 99
}

tap_ok() { # tap_ok NAME [DIRECTIVE]
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $1${2:+ # $2}"
}

tap_not_ok() { # tap_not_ok NAME [MESSAGE...]
	local name=$1
	shift
	tap_n=$((tap_n + 1))
	tap_failed=$((tap_failed + 1))
	echo "not ok $tap_n - $name"
	[ $# -gt 0 ] && echo "# $*"
	return 0
}

tap_skip() { # tap_skip NAME REASON
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $1 # SKIP $2"
}

# tap_finish: print the plan and exit, 0 iff nothing failed.
tap_finish() {
	echo "1..$tap_n"
	if [ "$tap_failed" -gt 0 ]; then
		echo "# failed $tap_failed of $tap_n"
		exit 1
	fi
	exit 0
}

# tap_diag_file FILE [MAX]: FILE's lines as "# " diagnostics, at most MAX
# (default 60); nothing if there is no FILE.
tap_diag_file() {
	local max=${2:-60} total
	[ -f "$1" ] || return 0
	total=$(wc -l <"$1")
	# a last line without a newline still counts
	if [ -s "$1" ] && [ -n "$(tail -c 1 "$1")" ]; then total=$((total + 1)); fi
	sed -n "1,${max}p" "$1" | sed 's/^/# /'
	if [ "$total" -gt "$max" ]; then
		echo "# ... ($((total - max)) more lines)"
	fi
}

# ---- running flarewatch ---------------------------------------------------------

# tap_flarewatch_env: settles what a test of the flarewatch binary reads
# (all optional; `make check` sets the first three, and TZ=UTC, through
# AM_TESTS_ENVIRONMENT):
#   abs_top_srcdir     source tree root        (default: the folder above tests/)
#   abs_top_builddir   build tree root         (default: abs_top_srcdir)
#   FLAREWATCH         the binary under test   (default: $abs_top_builddir/flarewatch)
#   FW_TIMEOUT         seconds per command     (default: 120)
# Both roots are made absolute and tidy, and FLAREWATCH absolute (the tests
# may run it from another folder). Sets tap_timeout to the command prefix
# that enforces FW_TIMEOUT (empty without timeout(1)).
# shellcheck disable=SC2034 # tap_timeout is for the callers
tap_flarewatch_env() {
	: "${abs_top_srcdir:=$(dirname "${BASH_SOURCE[0]}")/..}"
	: "${abs_top_builddir:=$abs_top_srcdir}"
	# automake's abs_top_srcdir is "<builddir>/.." in a VPATH build: tidy it up
	if ! abs_top_srcdir=$(cd "$abs_top_srcdir" && pwd) ||
		! abs_top_builddir=$(cd "$abs_top_builddir" && pwd); then
		tap_bail "abs_top_srcdir or abs_top_builddir is not a directory"
	fi
	FLAREWATCH=${FLAREWATCH:-$abs_top_builddir/flarewatch}
	case $FLAREWATCH in
		/*) ;;
		*/*) FLAREWATCH=$PWD/$FLAREWATCH ;;
		*) FLAREWATCH=$(command -v -- "$FLAREWATCH" || printf '%s' "$FLAREWATCH") ;;
	esac
	FW_TIMEOUT=${FW_TIMEOUT:-120}
	tap_timeout=()
	if command -v timeout >/dev/null 2>&1; then
		tap_timeout=(timeout -k 5 "$FW_TIMEOUT")
	fi
}

# tap_require_binary: bail out clearly when there is nothing to test.
tap_require_binary() {
	if [ -d "$FLAREWATCH" ] || [ ! -x "$FLAREWATCH" ]; then
		tap_bail "flarewatch binary not found or not executable: $FLAREWATCH" \
			"(run 'make' first, or set FLAREWATCH=/path/to/flarewatch)"
	fi
}

# tap_sanitizer_report FILE: true if FILE holds an ASan/UBSan/LSan report.
tap_sanitizer_report() {
	grep -Eq 'ERROR: [A-Za-z]+Sanitizer|runtime error:|SUMMARY: [A-Za-z]+Sanitizer' "$1"
}
