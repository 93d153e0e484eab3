#!/usr/bin/env bash
# tests/integration/pprofhelp.sh -- `flarewatch pprof CMD --help` lists
# exactly the flags CMD takes: every flag its help names is accepted, and
# every flag of another command's help that CMD's help does not name is
# refused as go tool pprof refuses an unknown flag ("flag provided but not
# defined", exit 2). TAP.
set -u
. "$abs_top_srcdir/tests/tap.sh"
FLAREWATCH=${FLAREWATCH:-$abs_top_builddir/flarewatch}
[ -x "$FLAREWATCH" ] || tap_bail "flarewatch binary not found: $FLAREWATCH"
prof=$abs_top_srcdir/tests/fixtures/profiles/heap1.pb.gz
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

cmds="top peek list traces tags meta flamegraph collapsed merge"
# flags NAME: the flags a command's --help names, one per line ("-cum")
flags() {
	"$FLAREWATCH" pprof "$1" --help | grep -E '^  -' | grep -oE '(^|[ ,])-[a-z_]+' | sed 's/^[ ,]*//' | sort -u
}
for c in $cmds; do
	if ! "$FLAREWATCH" pprof "$c" --help >"$T/$c.help" 2>&1; then
		tap_not_ok "pprof $c --help exits 0" "$(cat "$T/$c.help")"
		continue
	fi
	flags "$c" >"$T/$c.flags"
done
sort -u "$T"/*.flags >"$T/all.flags"
tap_ok "the commands' help name $(wc -l <"$T/all.flags") flags in all"

# the flags that take a value in some help ("  -f=..." or "  -f VALUE"), and
# each command's own flags: read once, looked up in the loops below
declare -A takes_value=() lists=()
while read -r f; do
	grep -qE -- "^  $f=" "$T"/*.help || grep -qE -- "^  $f [A-Z]" "$T"/*.help && takes_value[$f]=1
done <"$T/all.flags"
for c in $cmds; do
	while read -r f; do lists[$c $f]=1; done <"$T/$c.flags"
done
for c in $cmds; do
	args=()
	{ [ "$c" = peek ] || [ "$c" = list ]; } && args=(main)
	while read -r f; do
		case $f in -h|-help) continue ;; esac
		a=("$f")
		if [ -n "${takes_value[$f]:-}" ]; then
			case $f in
			-o|-output) a=("$f" "$T/out") ;;
			-diff_base|-base) a=("$f=$prof") ;;
			-nodecount) a=("$f=5") ;;
			-nodefraction|-edgefraction) a=("$f=0.1") ;;
			-sample_index) a=("$f=0") ;;
			-divide_by) a=("$f=2") ;;
			-unit) a=("$f=kB") ;;
			-symbolize) a=("$f=none") ;;
			*) a=("$f=x") ;;
			esac
		fi
		extra=()
		case $c in flamegraph|merge) [ "$f" = -o ] || [ "$f" = -output ] || extra=(-o "$T/out") ;; esac
		"$FLAREWATCH" pprof "$c" "${args[@]}" "${a[@]}" "${extra[@]}" "$prof" >/dev/null 2>"$T/err"
		rc=$?
		err=
		IFS= read -r -d '' err <"$T/err"
		if [ -n "${lists[$c $f]:-}" ]; then
			if [[ $err == *'not defined'* ]]; then
				tap_not_ok "pprof $c takes $f, which its help lists" "$err"
			else
				tap_ok "pprof $c takes $f, which its help lists"
			fi
		elif [ "$rc" -eq 2 ] && [[ $err == *'flag provided but not defined'* ]]; then
			tap_ok "pprof $c refuses $f, which its help does not list"
		else
			tap_not_ok "pprof $c refuses $f, which its help does not list" "exit $rc: $err"
		fi
	done <"$T/all.flags"
done
# Flags end at the first FILE, as in go tool pprof (whose goldens are in
# tests/fixtures/golden-flags/); a flag after a FILE is our usage error,
# where pprof would read it as a profile name, warn and ignore it.
"$FLAREWATCH" pprof top "$prof" -cum >"$T/out" 2>"$T/err"
rc=$?
if [ "$rc" -eq 2 ] && [ ! -s "$T/out" ] && grep -q 'flags end at the first FILE' "$T/err"; then
	tap_ok "pprof top FILE -cum: a usage error naming the rule"
else
	tap_not_ok "pprof top FILE -cum: a usage error naming the rule" "exit $rc: $(cat "$T/err")"
fi
"$FLAREWATCH" pprof peek main "$prof" --nodecount=3 >"$T/out" 2>"$T/err"
rc=$?
if [ "$rc" -eq 2 ] && grep -q 'flags end at the first FILE' "$T/err"; then
	tap_ok "pprof peek REGEX FILE --nodecount=3: a usage error"
else
	tap_not_ok "pprof peek REGEX FILE --nodecount=3: a usage error" "exit $rc: $(cat "$T/err")"
fi
# "--" ends the flags: what follows is REGEX (peek) and the files.
"$FLAREWATCH" pprof top "$prof" >"$T/plain" 2>&1
if "$FLAREWATCH" pprof top -- "$prof" >"$T/out" 2>&1 && cmp -s "$T/plain" "$T/out"; then
	tap_ok "pprof top -- FILE reads FILE"
else
	tap_not_ok "pprof top -- FILE reads FILE" "$(head -3 "$T/out")"
fi
"$FLAREWATCH" pprof peek main "$prof" >"$T/plain" 2>&1
if "$FLAREWATCH" pprof peek -cum=false -- main "$prof" >"$T/out" 2>&1 && cmp -s "$T/plain" "$T/out"; then
	tap_ok "pprof peek -- REGEX FILE reads REGEX and FILE"
else
	tap_not_ok "pprof peek -- REGEX FILE reads REGEX and FILE" "$(head -3 "$T/out")"
fi
if grep -q "Go's RE2 syntax" "$T/top.help" && ! grep -q 'POSIX' "$T/top.help"; then
	tap_ok "top's help gives the regex dialect as Go's RE2 syntax"
else
	tap_not_ok "top's help gives the regex dialect as Go's RE2 syntax"
fi
tap_finish
