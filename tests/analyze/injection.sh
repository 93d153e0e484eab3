#!/bin/bash
# tests/analyze/injection.sh -- hostile names through `flarewatch analyze`
# (issue 9, defects 2 and 5): a fixture flare whose profiles get a function
# name holding a newline and a code fence, a Markdown heading, link, HTML,
# entity, table cell and bare URLs, ESC/OSC/CSI sequences, C1 controls (as
# UTF-8 and as a lone byte), DEL and bidi overrides; whose status.log gets
# such a hostname and check name; and a trace file so named. Then the same
# flare with a 4 MiB function name. Checked on the real outputs:
#  - no raw control byte (C0 but tab/newline, DEL, C1) and no bidi control
#    in report.md, report.json, the SVGs, the CLI's stdout and stderr;
#  - the CLI prints exactly its two lines;
#  - the escalation fence is closed only by its own closing line, the last
#    line of report.md, and no forged heading starts a line;
#  - outside code spans, the name's Markdown makes no link, HTML, entity,
#    table cell or autolink (each is backslash-escaped);
#  - report.json parses (jq) and gives back the name's characters; every
#    SVG is well-formed XML (xmllint);
#  - with the 4 MiB name every output stays small (< 256 KiB each) and the
#    report says how many bytes were cut, computed here from the name.
# The profiles are written by tests/analyze/mkprofile (a check program).
# TAP on stdout; see tests/analyze/common.sh for the environment.

# shellcheck source=tests/analyze/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
fa_require_binary

mkprofile=$abs_top_builddir/tests/analyze/mkprofile
[ -x "$mkprofile" ] || fa_bail "$mkprofile not built (make check builds it)"
fa_extractor || fa_bail "$fa_extract_why"
zip=$(fa_fixture_zips | grep '/cpu-datadog-agent-' | head -n 1)
[ -n "$zip" ] || fa_bail "no cpu-*.zip fixture in $fa_flares"

# The name of the hostile function, byte for byte.
PREFIX='github.com/DataDog/datadog-agent/pkg/aggregator.(*Evil).Run'
RLO=$'\xe2\x80\xae' LRI=$'\xe2\x81\xa6' RLM=$'\xe2\x80\x8f' C1CSI=$'\xc2\x9b'
HOSTILE="$PREFIX"$'\n```\n# FORGED HEADING\n[click](http://evil.example/x) <b>html</b> &#x202e; | cell | www.evil.example '
HOSTILE+=$'\e]0;OWNED\a\e[31mRED '"$C1CSI"$'\x9b '"$RLO"'gnp.exe '"$LRI$RLM"$'\x7f ~~s~~ `tick` ```` end'

# build_flare DIR NAMEFILE: the cpu fixture flare, extracted into DIR, with
# every core-* profile's busiest function named by NAMEFILE, a hostile
# hostname and check name in status.log and a hostile trace file name.
# Prints the flare's root folder.
build_flare() {
	local dir=$1 namefile=$2 root t=1727878880000000000
	fa_extract "$zip" "$dir" || return 1
	root=$(find "$dir" -mindepth 1 -maxdepth 1 -type d | head -n 1)
	"$mkprofile" cpu "$root/profiles/core-cpu.pprof" "$namefile" $((t + 30000000000)) 300 &&
		"$mkprofile" heap "$root/profiles/core-1st-heap.pprof" "$namefile" $t 10 &&
		"$mkprofile" heap "$root/profiles/core-2nd-heap.pprof" "$namefile" $((t + 30000000000)) 50000 &&
		"$mkprofile" delay "$root/profiles/core-block.pprof" "$namefile" $((t + 30000000000)) 100 &&
		"$mkprofile" delay "$root/profiles/core-mutex.pprof" "$namefile" $((t + 30000000000)) 100 ||
		return 1
	# hostname and a check name (its dashes as long as its bytes)
	local check="cpu${RLO}z\`|*x*[l](http://c.example)<i>y" dashes
	dashes=$(printf '%*s' "$(printf '%s' "$check" | wc -c)" '' | tr ' ' -)
	HN="evil${RLO}-host\`x\`[l](http://h.example)" CK="$check" DS="$dashes" perl -0pi -e '
		s/^  hostname: fixture-cpu-01$/  hostname: $ENV{HN}/m;
		s/^    cpu\n    ---\n/    $ENV{CK}\n    $ENV{DS}\n/m;
	' "$root/status.log" || return 1
	printf 'go 1.22 trace\0\0\0' >"$root/profiles/x"$'\e]0;T\a\n```'".trace"
	echo "$root"
}

# analyze NAME ROOT: runs `flarewatch analyze` on ROOT into $fa_tmp/NAME;
# sets out, md, js and svgs. Returns 1 (after a not ok) if it failed.
analyze() {
	out=$fa_tmp/$1
	fa_run "$out" analyze -c "$fa_cfg" -o "$out.d" "$2"
	if [ "$fa_rc" -ne 0 ] || fa_sanitizer_report "$out.err"; then
		fa_not_ok "$1: flarewatch analyze succeeded"
		fa_describe_run
		return 1
	fi
	md=$(find "$out.d" -name 'flare-profiling-*.md' | head -n 1)
	js=$(dirname "$md")/report.json
	mapfile -t svgs < <(find "$out.d" -name '*.svg' | sort)
	if [ -z "$md" ] || [ ! -f "$js" ] || [ ${#svgs[@]} -eq 0 ]; then
		fa_not_ok "$1: flarewatch analyze wrote report.md, report.json and SVGs"
		find "$out.d" | sed 's/^/# /'
		return 1
	fi
	fa_ok "$1: flarewatch analyze succeeded"
}

# unsafe_bytes FILE...: prints where a raw control byte, C1 control, bidi
# control or invalid UTF-8 is found. Returns 1 if any.
unsafe_bytes() {
	local f bad=0
	for f in "$@"; do
		if LC_ALL=C grep -naP '[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\x8e\x8f\xaa-\xae]|\xe2\x81[\xa6-\xa9]' \
			"$f" >/dev/null; then
			echo "$f: raw control or bidi character on line(s)" \
				"$(LC_ALL=C grep -naP '[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\x8e\x8f\xaa-\xae]|\xe2\x81[\xa6-\xa9]' "$f" |
					cut -d: -f1 | head -n 5 | tr '\n' ' ')"
			bad=1
		fi
		if ! iconv -f UTF-8 -t UTF-8 "$f" >/dev/null 2>&1; then
			echo "$f: not valid UTF-8"
			bad=1
		fi
	done
	return $bad
}

# fence_intact FILE: the escalation summary's opening fence (N >= 3
# backticks) is closed only by the last line of FILE.
fence_intact() {
	perl -e '
		open(my $f, "<", $ARGV[0]) or die "$ARGV[0]: $!\n";
		my @l = <$f>; chomp @l;
		my ($i) = grep { $l[$_] eq "## Escalation summary" } 0 .. $#l;
		defined $i or die "no escalation summary\n";
		my $open = $l[$i + 2] // "";
		$open =~ /^(`{3,})$/ or die "no opening fence after the heading: $open\n";
		my $n = length $1;
		for my $k ($i + 3 .. $#l) {
			if ($l[$k] =~ /^ {0,3}(`{$n,})\s*$/) {
				$k == $#l or die "the fence closes at line " . ($k + 1) . " of " . scalar(@l) . "\n";
				exit 0;
			}
		}
		die "the fence is never closed\n";
	' "$1"
}

# no_forged_markdown FILE: outside code spans and the escalation fence, the
# hostile name makes no heading, link, HTML, entity, table cell or autolink.
no_forged_markdown() {
	perl -e '
		open(my $f, "<", $ARGV[0]) or die "$ARGV[0]: $!\n";
		my $bad = 0;
		while (<$f>) {
			last if /^## Escalation summary$/;
			s/(?<![\\`])(`+)(?!`).*?(?<!`)\1(?!`)//g;	# code spans (equal runs)
			my @why;
			push @why, "forged heading" if /^#+ FORGED/;
			push @why, "link" if /(?<!\\)\[(click|l)(?<!\\)\]/;
			push @why, "HTML" if /(?<!\\)<(b|i)>/;
			push @why, "entity" if /(?<!\\)&#x202e;/;
			push @why, "table cell" if /(?<!\\)\| cell/;
			push @why, "bare URL" if m{http://|www\.evil};
			if (@why) { print "line $.: @why: $_"; $bad = 1; }
		}
		exit $bad;
	' "$1"
}

# ---- a hostile name -------------------------------------------------------------

printf '%s' "$HOSTILE" >"$fa_tmp/hostile.name"
root=$(build_flare "$fa_tmp/hostile" "$fa_tmp/hostile.name") || fa_bail "cannot build the hostile flare"
grep -qF "$RLO-host" "$root/status.log" || fa_bail "status.log was not rewritten"

if analyze hostile "$root"; then
	fa_check "hostile: no raw control, C1 or bidi character, valid UTF-8 (report.md, report.json, SVGs, stdout, stderr)" \
		unsafe_bytes "$md" "$js" "${svgs[@]}" "$out.out" "$out.err"
	stdout_lines() {
		local n
		n=$(wc -l <"$out.out")
		[ "$n" -eq 2 ] || { echo "stdout has $n lines:"; cat -v "$out.out"; return 1; }
		head -n 1 "$out.out" | grep -q ': CPU SPIKE: \|: MULTIPLE ISSUES: ' ||
			{ echo "no verdict on the first line:"; cat -v "$out.out"; return 1; }
		sed -n 2p "$out.out" | grep -q '^report: ' || { echo "no report line:"; cat -v "$out.out"; return 1; }
		grep -qF '\x1b]0;OWNED\x07\x1b[31mRED' "$out.out" ||
			{ echo "the escapes are not shown:"; cat -v "$out.out"; return 1; }
	}
	fa_check "hostile: the CLI prints its two lines, the name's controls as visible escapes" stdout_lines
	fa_check "hostile: the escalation fence is closed only by its own last line" fence_intact "$md"
	fa_check "hostile: no heading, link, HTML, entity, table cell or bare URL forged from names" \
		no_forged_markdown "$md"
	shown() {
		local s bad=0
		for s in '\x1b]0;OWNED\x07\x1b[31mRED \u009b\x9b \u202egnp.exe \u2066\u200f\x7f' \
			'x\x1b]0;T\x07\x0a```.trace' "evil\\u202e-host"; do
			grep -qF -- "$s" "$md" || { echo "not in report.md: $s"; bad=1; }
		done
		return $bad
	}
	fa_check "hostile: report.md shows every control and bidi character as an escape" shown
	if fa_have_jq; then
		json_names() {
			local got want
			got=$(jq -r '.processes[] | select(.name == "core") | .cpu.rows[0].function' "$js") || return 1
			# jq gives back the characters: the lone \x9b byte as U+FFFD
			want=${HOSTILE//$'\x9b '/$'\xef\xbf\xbd '}
			[ "$got" = "$want" ] || { echo "function: $(printf '%s' "$got" | cat -v)"; return 1; }
			jq -e '.flare.profile_files | map(.name) | any(test("^x\u001b\\]0;T\u0007\n```\\.trace$"))' "$js" >/dev/null ||
				{ echo "trace file name not given back"; return 1; }
		}
		fa_check "hostile: report.json parses and gives the names back, character for character" json_names
	else
		fa_skip "hostile: report.json parses and gives the names back, character for character" "no jq"
	fi
	if command -v xmllint >/dev/null 2>&1; then
		fa_check "hostile: every SVG is well-formed XML (xmllint)" xmllint --noout "${svgs[@]}"
	else
		fa_skip "hostile: every SVG is well-formed XML (xmllint)" "no xmllint"
	fi
fi

# ---- a 4 MiB name -----------------------------------------------------------------

BIGPREFIX='github.com/DataDog/datadog-agent/pkg/aggregator.Big'
BIGLEN=$((4 * 1024 * 1024))
# filled with 'x', not a hex digit: a long hex run is taken for a key and redacted whole
{
	printf '%s' "$BIGPREFIX"
	head -c $((BIGLEN - ${#BIGPREFIX})) /dev/zero | tr '\0' x
} >"$fa_tmp/big.name"
root=$(build_flare "$fa_tmp/big" "$fa_tmp/big.name") || fa_bail "cannot build the big flare"

if analyze big "$root"; then
	bounded() {
		local f sz bad=0
		for f in "$md" "$js" "${svgs[@]}" "$out.out" "$out.err"; do
			sz=$(wc -c <"$f")
			if [ "$sz" -ge 262144 ]; then
				echo "$f: $sz bytes"
				bad=1
			fi
		done
		return $bad
	}
	fa_check "big: every output stays under 256 KiB with a 4 MiB function name" bounded
	# kept: FW_OUT_NAME_MAX (util.h), 1024 bytes of an ASCII name
	cut=$((BIGLEN - 1024))
	fa_check "big: report.md says the name lost $cut bytes" grep -qF "…($cut bytes cut)" "$md"
	fa_check "big: the escalation fence is closed only by its own last line" fence_intact "$md"
	# pprof's own top rows in the escalation block: each line is kept up to
	# FW_OUT_TEXT_MAX (4096) bytes, then says how many bytes it lost: the
	# row's columns before the name, plus the name, less 4096
	top_row_cut() {
		local line pre want
		line=$(sed -n '/^core cpu:$/,/^core block:$/p' "$md" | grep -F "$BIGPREFIX" | head -n 1)
		[ -n "$line" ] || { echo "no core cpu row in the escalation block"; return 1; }
		pre=${line%%"$BIGPREFIX"*}
		want=$((${#pre} + BIGLEN - 4096))
		[[ $line == *"…($want bytes cut)" ]] ||
			{ echo "row ends with: ${line: -40} (expected …($want bytes cut))"; return 1; }
		[ "$(printf '%s' "${line%…*}" | wc -c)" -eq 4096 ] || { echo "row not kept to 4096 bytes"; return 1; }
	}
	fa_check "big: pprof's top row in the escalation block is kept to 4096 bytes, then the cut is counted" top_row_cut
	if fa_have_jq; then
		big_json() {
			local got
			got=$(jq -r '.processes[] | select(.name == "core") | .cpu.rows[0].function' "$js") || return 1
			[ "$got" = "$(head -c 1024 "$fa_tmp/big.name")…($cut bytes cut)" ] ||
				{ echo "function: ${got:0:80}... (${#got} characters)"; return 1; }
		}
		fa_check "big: report.json holds the first 1024 bytes and the cut marker" big_json
	fi
fi

fa_finish
