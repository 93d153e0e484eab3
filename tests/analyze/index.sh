#!/bin/bash
# tests/analyze/index.sh -- index.md is derived from the report.json files of
# the investigations tree (`flarewatch analyze -o DIR` and `flarewatch index`):
#  - the counts per verdict (all six, zeros too) and the rows are those that
#    jq computes from the report.json files, not from our own output;
#  - a report folder deleted, then `flarewatch index -o DIR` (and -c FILE,
#    whose investigations_dir is the tree): the report is gone from index.md;
#  - two flares of one host at one flare time are told apart by the flare
#    file name and the analysis time (report.json's analyzed_at);
#  - planted report.json files (truncated, not JSON, a symlink, a FIFO, a
#    verdict that is none, a link with Markdown in the folder name) are left
#    out with a warning naming each, and nothing crashes or hangs;
#  - host and report folders are 2770 under a setgid tree (0770 and the
#    inherited bit), whatever the umask.
# TAP on stdout; see tests/analyze/common.sh for the environment. Needs jq.

# shellcheck source=tests/analyze/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
fa_require_binary

if ! fa_have_jq; then
	echo "1..0 # SKIP jq is needed to read report.json independently"
	exit 0
fi

out=$fa_tmp/tree
mkdir -p "$out"
chmod 2770 "$out"
zips=()
while IFS= read -r z; do zips+=("$z"); done < <(fa_fixture_zips)
[ ${#zips[@]} -ge 6 ] || fa_bail "fixture flares missing in $fa_flares"

# ---- every fixture flare, under a umask that would take the group's bits -------
umask 077
n=0
for z in "${zips[@]}"; do
	n=$((n + 1))
	fa_run "$fa_tmp/a$n" analyze -c "$fa_cfg" -o "$out" "$z"
	[ "$fa_rc" -eq 0 ] || { fa_check_rc "analyze $(basename "$z")" 0; }
done
# the leak flare again under another name: same host, same flare time
leak=$(printf '%s\n' "${zips[@]}" | grep '/leak-' | head -n 1)
cp "$leak" "$fa_tmp/ZD-4242_leak-again.zip"
fa_run "$fa_tmp/again" analyze -c "$fa_cfg" -o "$out" "$fa_tmp/ZD-4242_leak-again.zip"
fa_check_rc "the leak flare again, under another name" 0
umask 022
fa_ok "analyzed ${#zips[@]} fixture flares and one twice"

# rows: the table rows of index.md as TAB-separated cells (outer pipes off,
# Markdown's backslash escapes undone)
rows() {
	sed -n '/^| Flare time |/,$p' "$1" | sed '1,2d' | grep '^| ' |
		sed -e 's/^| //' -e 's/ |$//' -e 's/ | /\t/g' -e 's/\\\(.\)/\1/g'
}
# want_counts DIR: "VERDICT<TAB>N" for the six verdicts, from report.json
want_counts() {
	local v
	for v in NORMAL INCONCLUSIVE CONTENTION "CPU SPIKE" "MEMORY LEAK" "MULTIPLE ISSUES"; do
		printf '%s\t%s\n' "$v" "$(find "$1" -mindepth 3 -maxdepth 3 -name report.json -exec jq -r .verdict.name {} + |
			grep -cxF "$v")"
	done
}
got_counts() {
	sed -n '/^| Verdict | Reports |/,/^$/p' "$1" | sed '1,2d' | grep '^| ' |
		sed -e 's/^| //' -e 's/ |$//' -e 's/ | /\t/g'
}
# want_rows DIR: the rows jq makes from every report.json: time (to the
# second), host, ticket, agent, **verdict**, flare file, analyzed_at, link;
# newest flare first, then latest analysis (the summary is left out: it is
# escaped for Markdown)
want_rows() {
	local j rel
	while IFS= read -r j; do
		rel=${j#"$1"/}
		jq -r --arg dir "$(dirname "$rel")" '[(.flare.time // "" | .[0:19] + "Z"), .flare.hostname,
			(.ticket // "-"), (.flare.agent_version // "unknown"), "**" + .verdict.name + "**",
			.flare.file, .analyzed_at, "[report](" + $dir + "/" + .report.markdown + ")"] | @tsv' "$j"
	done < <(find "$1" -mindepth 3 -maxdepth 3 -name report.json) | sort -t "$(printf '\t')" -k1,1r -k7,7r
}
got_rows() {
	rows "$1" | awk -F '\t' 'BEGIN { OFS = "\t" } { print $1, $2, $3, $4, $5, $7, $8, $9 }'
}
same() { # NAME WANT-FUNC GOT-FUNC DIR
	if diff <("$2" "$4") <("$3" "$4/index.md") >"$fa_tmp/diff" 2>&1; then
		fa_ok "$1"
	else
		fa_not_ok "$1"
		fa_diag_file "$fa_tmp/diff" 40
	fi
}

same "index.md's counts per verdict are jq's count of report.json verdict.name (six, zeros too)" \
	want_counts got_counts "$out"
same "index.md's rows are report.json's fields (jq), newest flare first, then latest analysis" \
	want_rows got_rows "$out"
fa_check "the summary is that of report.json" eval \
	'[ "$(rows "$out/index.md" | grep -F "(fixture-normal-01/" | cut -f6)" = "$(jq -r .verdict.summary "$out"/fixture-normal-01/*/report.json)" ]'
fa_check "index.md says $((${#zips[@]} + 1)) reports" grep -q "^$((${#zips[@]} + 1)) reports, newest flare first" "$out/index.md"

# two flares of one host at one time: two rows, told apart
two() {
	local r
	r=$(rows "$out/index.md" | awk -F '\t' '$2 == "fixture-leak-01"')
	[ "$(printf '%s\n' "$r" | wc -l)" -eq 2 ] || { echo "$r"; return 1; }
	[ "$(printf '%s\n' "$r" | cut -f7 | sort -u | wc -l)" -eq 2 ] || { echo "same flare file: $r"; return 1; }
	[ "$(printf '%s\n' "$r" | cut -f8 | sort -u | wc -l)" -eq 2 ] || { echo "same analysis time: $r"; return 1; }
	printf '%s\n' "$r" | head -n 1 | grep -q 'ZD-4242_leak-again.zip' || { echo "the later analysis is not first: $r"; return 1; }
	printf '%s\n' "$r" | head -n 1 | cut -f3 | grep -qx 'ZD-4242'
}
fa_check "one host twice: two rows, different flare file and analysis time, the later first, with its ticket" two

# ---- folder modes -------------------------------------------------------------
modes() {
	local bad
	bad=$(find "$out" -mindepth 1 -maxdepth 2 -type d ! -name '.*' ! -perm 2770 -printf '%m %p\n')
	[ -z "$bad" ] || { echo "$bad"; return 1; }
}
fa_check "host and report folders are 2770 in a setgid tree" modes

# ---- delete a report folder, regenerate ---------------------------------------------
victim=$(dirname "$(grep -l '"name":"CPU SPIKE"' "$out"/fixture-cpu-01/*/report.json | head -n 1)")
rm -r "$victim"
fa_run "$fa_tmp/ix1" index -o "$out"
fa_check_rc "flarewatch index -o DIR: exit 0" 0
fa_check "... nothing on stderr" test ! -s "$fa_tmp/ix1.err"
fa_check "... the deleted report is gone from index.md" eval '! grep -qF "(fixture-cpu-01/" "$out/index.md"'
same "... counts per verdict are jq's again" want_counts got_counts "$out"
same "... rows are jq's again" want_rows got_rows "$out"
fa_check "... stdout says how many per verdict (jq's)" eval \
	'[ "$(sed -n "3,8p" "$fa_tmp/ix1.out" | sed "s/: /\t/")" = "$(want_counts "$out")" ]'

# -c FILE: the configuration's investigations_dir
cfg2=$fa_tmp/tree.yaml
printf 'investigations_dir: %s\n' "$out" >"$cfg2"
rm -r "$out"/fixture-python-01
fa_run "$fa_tmp/ix2" index -c "$cfg2"
fa_check_rc "flarewatch index -c FILE: exit 0" 0
fa_check "... regenerates FILE's investigations_dir" eval '! grep -qF "(fixture-python-01/" "$out/index.md"'
same "... counts per verdict are jq's" want_counts got_counts "$out"

# ---- planted report.json files -----------------------------------------------------
plant() { mkdir -p "$out/$1"; }
plant planted/20240101T000001Z
head -c 300 "$(find "$out" -mindepth 3 -name report.json | head -n 1)" >"$out/planted/20240101T000001Z/report.json"
plant planted/20240101T000002Z
printf '"just a string"\n' >"$out/planted/20240101T000002Z/report.json"
plant planted/20240101T000003Z
ln -s /etc/passwd "$out/planted/20240101T000003Z/report.json"
plant planted/20240101T000004Z
mkfifo "$out/planted/20240101T000004Z/report.json"
plant planted/20240101T000005Z
jq -c '.verdict.name = "ALL FINE"' "$(find "$out" -mindepth 3 -name report.json | head -n 1)" \
	>"$out/planted/20240101T000005Z/report.json"
plant 'planted/x)[y](javascript:alert(1)'
cp "$(find "$out" -mindepth 3 -name report.json | head -n 1)" "$out/planted/x)[y](javascript:alert(1)/report.json"
plant planted/20240101T000006Z
printf '{"a":%s}' "$(printf '[%.0s' $(seq 1 5000))" >"$out/planted/20240101T000006Z/report.json"
plant planted/20240101T000007Z
mkdir "$out/planted/20240101T000007Z/report.json"
fa_run "$fa_tmp/ix3" index -o "$out"
fa_check_rc "planted report.json files: flarewatch index exits 0, in bounded time" 0
for w in '20240101T000001Z/report.json: not JSON' '20240101T000002Z/report.json: not a JSON object' \
	'20240101T000003Z/report.json: a symbolic link' '20240101T000004Z/report.json: not a regular file' \
	'20240101T000005Z/report.json: verdict.name is not a verdict' \
	"x)[y](javascript:alert(1)/report.json: not a report folder's name" \
	'20240101T000006Z/report.json: nested deeper' '20240101T000007Z/report.json: not a regular file'; do
	fa_check "... a warning on stderr: $w" grep -qF -- "warning: left out: $out/planted/$w" "$fa_tmp/ix3.err"
done
fa_check "... stdout says 8 report folders left out" grep -q ', 8 report folders left out$' "$fa_tmp/ix3.out"
fa_check "... index.md says 8 could not be read" grep -q '^8 report folders could not be read' "$out/index.md"
fa_check "... no row links a planted folder" eval '! grep -q "(planted/" "$out/index.md"'
real_counts() { # the counts of the reports outside planted/
	local v
	for v in NORMAL INCONCLUSIVE CONTENTION "CPU SPIKE" "MEMORY LEAK" "MULTIPLE ISSUES"; do
		printf '%s\t%s\n' "$v" "$(find "$1" -mindepth 3 -maxdepth 3 -name report.json ! -path '*/planted/*' \
			-exec jq -r .verdict.name {} + | grep -cxF "$v")"
	done
}
same "... the counts are those of the reports outside planted/ (jq)" real_counts got_counts "$out"
# an analysis into that tree: published, with a warning about the index
fa_run "$fa_tmp/a-planted" analyze -c "$fa_cfg" -o "$out" "$leak"
fa_check_rc "an analysis into the planted tree succeeds" 0
fa_check "... with a warning about the folders left out" grep -q 'warning: .*8 report folders left out' \
	"$fa_tmp/a-planted.err"
rm -rf "$out/planted"

fa_finish
