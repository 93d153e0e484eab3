# shellcheck shell=bash
# tests/schema/sweep.sh -- sourced by tests/analyze/common.sh and
# tests/daemon/common.sh (never run): the check that no test writes a
# report.json that schema/report.schema.json rejects. Each of those tests
# calls fw_schema_sweep on its whole temporary tree just before its plan,
# so every report it wrote (published or not) is validated, whatever the
# test itself looked at. Bash only; safe under `set -u`.
#
# python3-jsonschema is a test dependency (packaging/test-deps.txt). When
# it (or python3) is missing, the check fails in CI (CI set, as .ci/run
# runs, and not "false" or "0") or when FW_REQUIRE_SCHEMA=1, and is
# skipped with a message otherwise (a developer's machine without it).

fw_schema_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
fw_schema_validator=$fw_schema_dir/validate.py

# fw_schema_python: prints the python3 to run validate.py with: the first of
# python3 (PATH) and Debian's /usr/bin/python3 that imports jsonschema (a
# python3 of its own earlier in PATH, e.g. pyenv's, may lack the Debian
# package); else python3, whose validate.py then says what is missing.
fw_schema_python() {
	local p
	for p in python3 /usr/bin/python3; do
		if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import jsonschema' >/dev/null 2>&1; then
			printf '%s\n' "$p"
			return 0
		fi
	done
	printf 'python3\n'
}

# fw_schema_required: true when a missing validator must fail the test.
fw_schema_required() {
	[ "${FW_REQUIRE_SCHEMA:-0}" = 1 ] && return 0
	case ${CI:-} in
	"" | false | 0) return 1 ;;
	*) return 0 ;;
	esac
}

# fw_schema_sweep DIR: validates every report.json file below DIR. Sets
# fw_schema_result to "none" (DIR holds no report.json: nothing to report),
# "ok", "not ok" or "skip", fw_schema_name to the check's TAP name and
# fw_schema_diag to its diagnostics (lines), or the skip's reason.
# shellcheck disable=SC2034 # the results are for the callers
fw_schema_sweep() {
	local out rc py
	local -a files
	fw_schema_diag=
	mapfile -t files < <(find "$1" -type f -name report.json 2>/dev/null | sort)
	if [ ${#files[@]} -eq 0 ]; then
		fw_schema_result=none
		return 0
	fi
	fw_schema_name="every report.json this test wrote (${#files[@]}) validates against schema/report.schema.json"
	py=$(fw_schema_python)
	if ! command -v "$py" >/dev/null 2>&1; then
		out="python3 not found"
		rc=3
	else
		out=$("$py" "$fw_schema_validator" --quiet --ignore-vanished "${files[@]}" 2>&1)
		rc=$?
	fi
	case $rc in
	0) fw_schema_result=ok ;;
	3)
		if fw_schema_required; then
			fw_schema_result="not ok"
			fw_schema_diag="$out"$'\n'"python3-jsonschema is a test dependency (packaging/test-deps.txt): apt-get install python3-jsonschema"
		else
			fw_schema_result=skip
			fw_schema_diag="python3-jsonschema not installed (apt-get install python3-jsonschema; required when CI is set)"
		fi
		;;
	*)
		fw_schema_result="not ok"
		fw_schema_diag=$out
		;;
	esac
	return 0
}
