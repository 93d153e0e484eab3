#!/bin/bash
# tests/analyze/configpath.sh -- both programs' default configuration file is
# $(sysconfdir)/flarewatch/flarewatch.yaml as configured (--sysconfdir,
# --prefix), not a path written into the source: `flarewatch analyze --help`
# and `flarewatchd --help` name the path Makefile.am passes to the tests as
# $fw_config_path. TAP on stdout; see tests/analyze/common.sh.

# shellcheck source=tests/analyze/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
fa_require_binary

[ -n "${fw_config_path:-}" ] || fa_bail "fw_config_path is not set (run from make check)"
daemon=$abs_top_builddir/flarewatchd

# check NAME HELP-TEXT
check() {
	if grep -qF "(default $fw_config_path" <<<"$2"; then
		fa_ok "$1 names $fw_config_path"
	else
		fa_not_ok "$1 names $fw_config_path" "its help says: $(grep -F default <<<"$2" | head -3)"
	fi
}

check "flarewatch analyze --help" "$("$FLAREWATCH" analyze --help 2>&1)"
if [ -x "$daemon" ]; then
	check "flarewatchd --help" "$("$daemon" --help 2>&1)"
else
	fa_skip "flarewatchd --help names $fw_config_path" "no $daemon"
fi
fa_finish
