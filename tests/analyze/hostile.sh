#!/bin/bash
# tests/analyze/hostile.sh -- `flarewatch analyze` refuses hostile input:
# the analyze-*.zip archives of tests/fixtures/hostile/ (see its README.md), a non-zip
# file, a missing path and a FIFO. For each: exit status 1 with nothing on
# stdout, stderr naming the input and the reason, nothing written outside
# the case's folder, no report, and no extraction folder left in $TMPDIR.
# TAP on stdout; see tests/analyze/common.sh for the environment.

# shellcheck source=tests/analyze/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
fa_require_binary

hz=$abs_top_srcdir/tests/fixtures/hostile
[ -f "$hz/analyze-good.zip" ] || fa_bail "no hostile zips in $hz (run make-hostile.py)"
mkdir -p "$fa_tmp/logs"

# A lowered total-size limit (etc/flarewatch.yaml: archive.max_total_size)
printf 'archive:\n  max_total_size: 1 MiB\n' >"$fa_tmp/small-total.yaml"

# Sentinels outside the case folders. An absolute entry aims at the first.
abs_sentinel=/tmp/flarewatch-hostile-zips-escaped
outside=("$abs_sentinel" "$fa_tmp/escaped" "$(dirname "$fa_tmp")/escaped" "$fa_tmp/../escaped-$$")
declare -A preexisting
for s in "${outside[@]}"; do
	[ -e "$s" ] && preexisting[$s]=1
done

# case_dir: a fresh folder with work/ (the cwd) and tmpdir/ (TMPDIR)
case_dir() {
	c=$(mktemp -d "$fa_tmp/case.XXXXXX") || fa_bail "mktemp failed"
	mkdir "$c/work" "$c/tmpdir"
	out=$c/out
}

# contained: nothing but the empty work/ and tmpdir/ in the case folder (no
# report, no escaped file, no extraction folder), no sentinel outside.
contained() {
	local extra bad=0 s
	extra=$(cd "$c" && find . -mindepth 1 ! -path ./work ! -path ./tmpdir ! -path ./out)
	if [ -n "$extra" ]; then
		echo "written in the case folder $c:"
		printf '%s\n' "$extra" | head -n 20
		bad=1
	fi
	if [ -e "$out" ] && [ -n "$(find "$out" -mindepth 1 | head -n 5)" ]; then
		echo "the output folder is not empty:"
		find "$out" -mindepth 1 | head -n 20
		bad=1
	fi
	for s in "${outside[@]}"; do
		if [ -e "$s" ] && [ -z "${preexisting[$s]:-}" ]; then
			echo "escaped: $s exists"
			ls -ld "$s"
			rm -rf "$s"
			bad=1
		fi
	done
	return $bad
}

# refused NAME KEYWORD_ERE PATH [ARGS...]: analyze PATH (with ARGS) must be refused.
refused() {
	local name=$1 kw=$2 path=$3 logp
	shift 3
	case_dir
	logp=$fa_tmp/logs/$name
	fa_env=(TMPDIR="$c/tmpdir")
	fa_cwd=$c/work
	fa_run "$logp" analyze -c "$fa_cfg" "$path" -o "$out" "$@"
	fa_env=()
	fa_cwd=
	if fa_sanitizer_report "$logp.err"; then
		fa_not_ok "$name: exit status 1, nothing on stdout" "sanitizer report on stderr"
		fa_describe_run
	elif [ "$fa_rc" -eq 1 ] && [ ! -s "$logp.out" ]; then
		fa_ok "$name: exit status 1, nothing on stdout"
	else
		fa_not_ok "$name: exit status 1, nothing on stdout"
		fa_describe_run
	fi
	# the keyword is looked for in the message without the path in it
	local msg
	msg=$(cat "$logp.err")
	msg=${msg//"$path"/}
	if grep -qF -- "$path" "$logp.err" && printf '%s\n' "$msg" | grep -Eiq -- "$kw"; then
		fa_ok "$name: stderr names $(basename "$path") and the reason (/$kw/)"
	else
		fa_not_ok "$name: stderr names $(basename "$path") and the reason (/$kw/)"
		echo "# stderr:"
		fa_diag_file "$logp.err" 10
	fi
	fa_check "$name: nothing written, no report, TMPDIR empty" contained
}

# accepted NAME PATH [ARGS...]: a control, analyzed normally
accepted() {
	local name=$1 path=$2 logp
	shift 2
	case_dir
	logp=$fa_tmp/logs/$name
	fa_env=(TMPDIR="$c/tmpdir")
	fa_cwd=$c/work
	fa_run "$logp" analyze -c "$fa_cfg" "$path" -o "$out" "$@"
	fa_env=()
	fa_cwd=
	fa_check_rc "$name: analyzed (control)" 0
	tmpdir_empty() {
		local left
		left=$(find "$c/tmpdir" "$c/work" -mindepth 1 | head -n 20)
		[ -z "$left" ] || { echo "left behind:"; printf '%s\n' "$left"; return 1; }
	}
	fa_check "$name: TMPDIR and cwd empty afterwards" tmpdir_empty
}

# ---- controls: the generator's zips are readable ------------------------------------
accepted "good.zip" "$hz/analyze-good.zip"
accepted "total-size.zip with the default limits" "$hz/analyze-total-size.zip"

# ---- refusals ----------------------------------------------------------------------------
refused "abs-path.zip" 'absolute' "$hz/analyze-abs-path.zip"
refused "dotdot.zip" '"\.\."' "$hz/analyze-dotdot.zip"
refused "symlink.zip" 'symbolic link' "$hz/analyze-symlink.zip"
refused "device.zip" 'device' "$hz/analyze-device.zip"
refused "too-many-entries.zip" 'entries' "$hz/analyze-too-many-entries.zip"
refused "zip-bomb.zip" '200:1|ratio' "$hz/analyze-zip-bomb.zip"
refused "encrypted.zip" 'encrypt' "$hz/analyze-encrypted.zip"
refused "truncated.zip" 'truncat|corrupt' "$hz/analyze-truncated.zip"
refused "random.zip" 'not a (readable )?zip|corrupt|unrecognized' "$hz/analyze-random.zip"
refused "duplicate.zip" 'duplicate' "$hz/analyze-duplicate.zip"
refused "backslash.zip" 'backslash' "$hz/analyze-backslash.zip"
refused "backslash-dos.zip" 'backslash' "$hz/analyze-backslash-dos.zip"
refused "backslash-plain.zip" 'backslash' "$hz/analyze-backslash-plain.zip"
refused "total-size.zip with max_total_size: 1 MiB" 'total|limit' "$hz/analyze-total-size.zip" \
	-c "$fa_tmp/small-total.yaml"

# ---- not zips ------------------------------------------------------------------------------
printf 'This is not a zip archive.\nJust text.\n' >"$fa_tmp/notes.txt"
refused "a text file" 'not a (readable )?zip|unrecognized|format' "$fa_tmp/notes.txt"
refused "a missing path" 'no such file|not found|does not exist' "$fa_tmp/no-such-flare.zip"
if mkfifo "$fa_tmp/fifo.zip" 2>/dev/null; then
	# a flarewatch that opened the FIFO would block: a short timeout
	saved=("${fa_timeout[@]}")
	if [ ${#fa_timeout[@]} -gt 0 ]; then fa_timeout=(timeout -k 2 10); fi
	refused "a FIFO" 'not a zip file or a folder|fifo|not a regular' "$fa_tmp/fifo.zip"
	fa_timeout=("${saved[@]}")
else
	fa_skip "a FIFO" "mkfifo failed"
fi

fa_finish
