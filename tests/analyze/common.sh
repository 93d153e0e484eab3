# shellcheck shell=bash
# tests/analyze/common.sh -- shared by the `flarewatch analyze` tests
# (verdicts.sh, secrets.sh, hostile.sh, markdown.sh); sourced, never run.
# Bash only.
#
# Prints TAP with ../tap.sh: one "ok"/"not ok" line per check, diagnostics
# as "# " lines, the plan "1..N" last (fa_finish).
#
# Environment (all optional; `make check` sets the first three, and TZ=UTC,
# through AM_TESTS_ENVIRONMENT):
#   abs_top_srcdir     source tree root        (default: two levels above this file)
#   abs_top_builddir   build tree root         (default: abs_top_srcdir)
#   FLAREWATCH         the binary under test   (default: $abs_top_builddir/flarewatch)
#   FW_TIMEOUT         seconds per command     (default: 120)
#   FW_SHARED_DIR      the shared data beside the source tree
#                      (default: $abs_top_srcdir/../shared; optional)
#
# Nothing is ever written to the source tree: every file goes below one
# private `mktemp -d` folder ($fa_tmp), removed on exit.

# shellcheck source=tests/tap.sh
. "$(dirname "${BASH_SOURCE[0]}")/../tap.sh" || exit 99
# shellcheck source=tests/schema/sweep.sh
. "$(dirname "${BASH_SOURCE[0]}")/../schema/sweep.sh" || exit 99
tap_flarewatch_env
FW_SHARED_DIR=${FW_SHARED_DIR:-$abs_top_srcdir/../shared}
export TZ=UTC LC_ALL=C
# The default configuration file must not change what we test.
fa_flares=$abs_top_srcdir/tests/fixtures/flares

# The outer TMPDIR is kept for our own folder; tests that point flarewatch at
# a private TMPDIR do so per command.
fa_tmp=$(mktemp -d "${TMPDIR:-/tmp}/fw-analyze.XXXXXX") || tap_bail "cannot create a temporary directory"
fa_cleanup() {
	chmod -R u+rwx "$fa_tmp" 2>/dev/null
	rm -rf "$fa_tmp"
}
trap fa_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# An explicit, empty configuration: all defaults, whatever is installed in
# /etc/flarewatch (analyze reads /etc/flarewatch/flarewatch.yaml otherwise).
fa_cfg=$fa_tmp/defaults.yaml
printf '# flarewatch defaults (tests/analyze)\n' >"$fa_cfg"

# fa_run's timeout prefix; a test may change it for some runs.
fa_timeout=("${tap_timeout[@]}")

# ../tap.sh's helpers under the names the tests use.
fa_bail() { tap_bail "$@"; }
fa_require_binary() { tap_require_binary; }
fa_diag_file() { tap_diag_file "$@"; } # FILE [MAX], at most 60 lines by default
fa_ok() { tap_ok "$1"; }                # NAME
fa_not_ok() { tap_not_ok "$@"; }        # NAME [MESSAGE...]
fa_skip() { tap_skip "$@"; }            # NAME REASON
fa_finish() { fa_schema_sweep; tap_finish; }
fa_sanitizer_report() { tap_sanitizer_report "$@"; } # FILE

fa_have_jq() { command -v jq >/dev/null 2>&1; }

# fa_schema_sweep: every report.json below $fa_tmp validates against
# schema/report.schema.json (../schema/sweep.sh); one check, when the test
# wrote any. fa_finish runs it, so no test can skip it.
fa_schema_sweep() {
	fw_schema_sweep "$fa_tmp"
	case $fw_schema_result in
	none) ;;
	ok) fa_ok "$fw_schema_name" ;;
	skip) fa_skip "$fw_schema_name" "$fw_schema_diag" ;;
	*)
		fa_not_ok "$fw_schema_name"
		printf '%s\n' "$fw_schema_diag" | sed -n '1,60p' | sed 's/^/# /'
		;;
	esac
}

# fa_check NAME COMMAND...: ok if COMMAND succeeds. The command's own output
# (diagnostics) is shown only on failure. COMMAND runs in a subshell and
# sees the caller's variables (so this function's locals are prefixed).
fa_check() {
	local _fa_name=$1 _fa_out
	shift
	if _fa_out=$("$@" 2>&1); then
		fa_ok "$_fa_name"
	else
		fa_not_ok "$_fa_name"
		[ -n "$_fa_out" ] && printf '%s\n' "$_fa_out" | sed -n '1,60p' | sed 's/^/# /'
	fi
	return 0
}

# fa_run PREFIX ARGS...: runs "$FLAREWATCH" ARGS with no stdin; stdout and
# stderr go to PREFIX.out / PREFIX.err, the exit status to fa_rc. Extra
# environment can be given in the array fa_env (e.g. fa_env=(TMPDIR=/x)),
# a working directory in fa_cwd (default: unchanged).
fa_env=()
fa_cwd=
fa_run() {
	local prefix=$1
	shift
	{
		(
			if [ -n "$fa_cwd" ]; then cd "$fa_cwd" || exit 125; fi
			exec env ${fa_env[@]+"${fa_env[@]}"} "${fa_timeout[@]}" "$FLAREWATCH" "$@"
		) >"$prefix.out" 2>"$prefix.err" </dev/null
		fa_rc=$?
	} 2>/dev/null
	fa_last_cmd="${fa_cwd:+(cd $fa_cwd) }$FLAREWATCH $*"
	fa_last_prefix=$prefix
}

# fa_describe_run: diagnostics for the last fa_run.
fa_describe_run() {
	local how="exit status $fa_rc"
	if [ "$fa_rc" -eq 124 ] && [ ${#fa_timeout[@]} -gt 0 ]; then
		how="timed out after ${FW_TIMEOUT}s"
	elif [ "$fa_rc" -gt 128 ]; then
		how="killed by signal $((fa_rc - 128))"
	fi
	echo "# command: ${fa_env[*]+${fa_env[*]} }$fa_last_cmd"
	echo "# result:  $how"
	if [ -s "$fa_last_prefix.out" ]; then
		echo "# stdout:"
		fa_diag_file "$fa_last_prefix.out" 10
	fi
	if [ -s "$fa_last_prefix.err" ]; then
		echo "# stderr:"
		fa_diag_file "$fa_last_prefix.err" 20
	fi
}

# fa_check_rc NAME WANT: the last fa_run exited WANT, without a sanitizer report.
fa_check_rc() {
	if fa_sanitizer_report "$fa_last_prefix.err"; then
		fa_not_ok "$1" "sanitizer report on stderr"
		fa_describe_run
	elif [ "$fa_rc" -eq "$2" ]; then
		fa_ok "$1"
	else
		fa_not_ok "$1" "expected exit status $2"
		fa_describe_run
	fi
}

# ---- fixtures ------------------------------------------------------------------

# fa_scenario ZIP: the fixture's scenario (leak, cpu, ...) from its file name.
fa_scenario() {
	local b
	b=$(basename "$1")
	printf '%s\n' "${b%%-datadog-agent-*}"
}

# fa_verdict_of SCENARIO: the intended verdict (tests/fixtures/flares/README.md)
fa_verdict_of() {
	case $1 in
	leak) echo "MEMORY LEAK" ;;
	cpu | python) echo "CPU SPIKE" ;;
	contention) echo "CONTENTION" ;;
	multiple) echo "MULTIPLE ISSUES" ;;
	partialtrace) echo "MEMORY LEAK" ;; # core leaks; trace not analyzed
	normal) echo "NORMAL" ;;
	noprofiles | badprofiles) echo "INCONCLUSIVE" ;;
	*) return 1 ;;
	esac
}

# fa_kind_of VERDICT: report.json's .verdict.kind for a verdict name
fa_kind_of() {
	case $1 in
	"MEMORY LEAK") echo memory_leak ;;
	"CPU SPIKE") echo cpu_spike ;;
	"CONTENTION") echo contention ;;
	"MULTIPLE ISSUES") echo multiple_issues ;;
	"NORMAL") echo normal ;;
	"INCONCLUSIVE") echo inconclusive ;;
	*) return 1 ;;
	esac
}

# fa_fixture_zips: the fixture flares, one per line, sorted.
fa_fixture_zips() {
	local z
	for z in "$fa_flares"/*-datadog-agent-*.zip; do
		[ -f "$z" ] && printf '%s\n' "$z"
	done
}

# shellcheck disable=SC2034 # fa_extractor_name and fa_extract_why are for the callers
# fa_extractor: sets fa_extract to a command that extracts ZIP into DIR
# ("fa_extract ZIP DIR"), preferring bsdtar, then python3's zipfile, then
# unzip; returns 1 (and sets fa_extract_why) if there is none.
fa_extractor() {
	if command -v bsdtar >/dev/null 2>&1; then
		fa_extract() { mkdir -p "$2" && bsdtar -xf "$1" -C "$2"; }
		fa_extractor_name=bsdtar
	elif command -v python3 >/dev/null 2>&1 && python3 -c 'import zipfile' 2>/dev/null; then
		fa_extract() {
			python3 - "$1" "$2" <<-'EOF'
				import sys, zipfile
				zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])
			EOF
		}
		fa_extractor_name="python3 zipfile"
	elif command -v unzip >/dev/null 2>&1; then
		fa_extract() { mkdir -p "$2" && unzip -q -d "$2" "$1"; }
		fa_extractor_name=unzip
	else
		fa_extract_why="no bsdtar, python3 or unzip to extract a zip"
		return 1
	fi
	return 0
}

# ---- protobuf, by hand ------------------------------------------------------------
# Enough of the protobuf wire format to write a small profile.proto without
# any tool: values are built as lowercase hex strings, written with printf.

# The *_r forms set fa_pb_r instead of printing (no subshell: a profile
# takes hundreds of them); the printing forms are for $(...).
fa_pb_varint_r() { # N -> fa_pb_r
	local n=$1 b
	fa_pb_r=""
	while :; do
		b=$((n & 0x7f))
		n=$((n >> 7))
		if [ "$n" -gt 0 ]; then
			printf -v fa_pb_r '%s%02x' "$fa_pb_r" $((b | 0x80))
		else
			printf -v fa_pb_r '%s%02x' "$fa_pb_r" "$b"
			break
		fi
	done
}
fa_pb_vfield_r() { # FIELD N -> fa_pb_r
	local k
	fa_pb_varint_r $(($1 << 3))
	k=$fa_pb_r
	fa_pb_varint_r "$2"
	fa_pb_r=$k$fa_pb_r
}
fa_pb_lfield_r() { # FIELD HEX -> fa_pb_r
	local k
	fa_pb_varint_r $((($1 << 3) | 2))
	k=$fa_pb_r
	fa_pb_varint_r $((${#2} / 2))
	fa_pb_r=$k$fa_pb_r$2
}
fa_pb_varint() { fa_pb_varint_r "$1" && printf '%s' "$fa_pb_r"; } # N -> hex
fa_pb_hexstr() { # STRING -> hex of its bytes
	printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n'
}
fa_pb_vfield() { fa_pb_vfield_r "$1" "$2" && printf '%s' "$fa_pb_r"; } # FIELD N -> hex
fa_pb_lfield() { fa_pb_lfield_r "$1" "$2" && printf '%s' "$fa_pb_r"; } # FIELD HEX -> hex
fa_pb_write() { # FILE HEX: writes the bytes
	local hex=$2 esc
	esc=$(printf '%s' "$hex" | sed 's/../\\x&/g')
	printf "$esc" >"$1"
}

# fa_pprof_write FILE KIND TIME_NANOS SCALE FUNCTION...: writes an
# uncompressed profile.proto. KIND is cpu (samples/count, cpu/nanoseconds,
# 10 ms per sample, 1 s duration) or heap (alloc_objects, alloc_space,
# inuse_objects, inuse_space). Every function gets one sample whose one-frame
# stack is that function, with value SCALE * (its position); the last
# function is main.main, the caller of all the others.
fa_pprof_write() {
	local file=$1 kind=$2 tnanos=$3 scale=$4
	shift 4
	local -a strs=("")
	local hex="" i id nf=$# name v sid fid
	fa_pb_str() { # sets sid to the index of $1 in strs
		local k
		for k in "${!strs[@]}"; do
			if [ "${strs[$k]}" = "$1" ] && { [ "$k" -gt 0 ] || [ -z "$1" ]; }; then
				sid=$k
				return
			fi
		done
		strs+=("$1")
		sid=$((${#strs[@]} - 1))
	}
	# vf FIELD N / lf FIELD HEX: fa_pb_[vl]field_r, appended to acc
	local acc
	vf() { fa_pb_vfield_r "$1" "$2"; acc+=$fa_pb_r; }
	lf() { fa_pb_lfield_r "$1" "$2"; acc+=$fa_pb_r; }
	if [ "$kind" = cpu ]; then
		fa_pb_str samples; local t1=$sid; fa_pb_str count; local u1=$sid
		fa_pb_str cpu; local t2=$sid; fa_pb_str nanoseconds; local u2=$sid
		acc=""; vf 1 "$t1"; vf 2 "$u1"; fa_pb_lfield_r 1 "$acc"; hex+=$fa_pb_r
		acc=""; vf 1 "$t2"; vf 2 "$u2"; fa_pb_lfield_r 1 "$acc"; hex+=$fa_pb_r
	else
		local -a tys=(alloc_objects alloc_space inuse_objects inuse_space) us=(count bytes count bytes)
		for i in 0 1 2 3; do
			fa_pb_str "${tys[$i]}"; local t=$sid; fa_pb_str "${us[$i]}"
			acc=""; vf 1 "$t"; vf 2 "$sid"; fa_pb_lfield_r 1 "$acc"; hex+=$fa_pb_r
		done
	fi
	# samples: stack [function i, main.main]
	id=0
	local mainid=$((nf + 1)) locs vals sample
	for name in "$@"; do
		id=$((id + 1))
		v=$((scale * id))
		fa_pb_varint_r $id; locs=$fa_pb_r
		fa_pb_varint_r $mainid; locs+=$fa_pb_r
		if [ "$kind" = cpu ]; then
			fa_pb_varint_r $v; vals=$fa_pb_r
			fa_pb_varint_r $((v * 10000000)); vals+=$fa_pb_r
		else
			fa_pb_varint_r $v; vals=$fa_pb_r
			fa_pb_varint_r $((v * 4096)); vals+=$fa_pb_r
			fa_pb_varint_r $v; vals+=$fa_pb_r
			fa_pb_varint_r $((v * 4096)); vals+=$fa_pb_r
		fi
		acc=""; lf 1 "$locs"; lf 2 "$vals"; fa_pb_lfield_r 2 "$acc"; hex+=$fa_pb_r
	done
	# locations and functions
	fa_pb_str evil/main.go
	fid=$sid
	id=0
	local line
	for name in "$@" main.main; do
		id=$((id + 1))
		acc=""; vf 1 "$id"; vf 2 $((10 + id)); line=$acc
		acc=""; vf 1 "$id"; lf 4 "$line"; fa_pb_lfield_r 4 "$acc"; hex+=$fa_pb_r
		fa_pb_str "$name"
		acc=""; vf 1 "$id"; vf 2 "$sid"; vf 3 "$sid"; vf 4 "$fid"; fa_pb_lfield_r 5 "$acc"; hex+=$fa_pb_r
	done
	# the period type's strings first: the table is written next
	local pt pu
	if [ "$kind" = cpu ]; then
		fa_pb_str cpu; pt=$sid; fa_pb_str nanoseconds; pu=$sid
	else
		fa_pb_str space; pt=$sid; fa_pb_str bytes; pu=$sid
	fi
	local s
	for s in "${strs[@]}"; do
		fa_pb_lfield_r 6 "$(fa_pb_hexstr "$s")"; hex+=$fa_pb_r
	done
	acc=""; vf 9 "$tnanos"; hex+=$acc
	if [ "$kind" = cpu ]; then
		acc=""; vf 10 1000000000; hex+=$acc
		acc=""; vf 1 "$pt"; vf 2 "$pu"; fa_pb_lfield_r 11 "$acc"; hex+=$fa_pb_r
		acc=""; vf 12 10000000; hex+=$acc
	else
		acc=""; vf 1 "$pt"; vf 2 "$pu"; fa_pb_lfield_r 11 "$acc"; hex+=$fa_pb_r
		acc=""; vf 12 524288; hex+=$acc
	fi
	fa_pb_write "$file" "$hex"
}
