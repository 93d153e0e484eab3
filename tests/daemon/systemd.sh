#!/bin/bash
# tests/daemon/systemd.sh -- the files in systemd/: the unit passes
# `systemd-analyze verify` with nothing on stderr and rates at most 1.0
# ("SAFE") in `systemd-analyze security`; the sysusers.d and tmpfiles.d
# files create the flarewatch user and its folders in a scratch root; the
# catalog compiles and explains every MESSAGE_ID of src/daemon/journal.h.
. "$(dirname "$0")/common.sh"
S=$abs_top_srcdir/systemd
[ -f "$S/flarewatch.service.in" ] || skip_all "systemd/flarewatch.service.in not found"
command -v systemd-analyze >/dev/null || skip_all "systemd-analyze not found"

# The unit as make generates it, with ExecStart= pointing at the built
# daemon (verify wants an executable there; make's is @sbindir@).
BIN=$(cd "$(dirname "$FLAREWATCHD")" 2>/dev/null && pwd)
[ -x "$BIN/flarewatchd" ] || BIN=/usr/sbin
U=$T/unit/flarewatch.service
mkdir -p "$T/unit"
sed "s|@sbindir@|$BIN|g" "$S/flarewatch.service.in" >"$U"
check "the unit has no unsubstituted @variables@" eval '! grep -q "@[a-z]*@" "$U"'

# verify and security load units the way the manager does, which leaves
# /run/systemd/systemd-units-load behind: give them a private /run where
# we can
private_run() {
	if [ "$(id -u)" = 0 ] && unshare -m --propagation private true 2>/dev/null; then
		unshare -m --propagation private bash -c 'mount -t tmpfs tmpfs /run && exec "$@"' _ "$@"
	else
		"$@"
	fi
}
if [ -x "$BIN/flarewatchd" ]; then
	private_run systemd-analyze verify --man=no "$U" >"$T/verify.out" 2>"$T/verify.err"
	rc=$?
	check "systemd-analyze verify --man=no: exit 0" test "$rc" = 0
	check "systemd-analyze verify --man=no: nothing on stderr" test ! -s "$T/verify.err"
	[ -s "$T/verify.err" ] && diag "$(cat "$T/verify.err")"
else
	skip "systemd-analyze verify" "flarewatchd is not built, so ExecStart= has no executable"
fi

# Documentation= names man pages this tree ships (man/NAME.SECTION[.in])
docs=$(sed -n 's/^Documentation=//p' "$U")
check "the unit has a Documentation= line" test -n "$docs"
for d in $docs; do
	case $d in
	man:*)
		page=${d#man:}
		f=$abs_top_srcdir/man/${page%(*}.${page##*(}
		f=${f%)}
		check "Documentation= $d is a man page of this tree" eval '[ -f "$f" ] || [ -f "$f.in" ]'
		;;
	*) nok "Documentation= $d is a man: page" ;;
	esac
done

private_run systemd-analyze security --offline=yes --threshold=10 "$U" >"$T/security.out" 2>&1
rc=$?
check "systemd-analyze security --offline=yes --threshold=10: exit 0" test "$rc" = 0
score=$(sed -n 's/.*Overall exposure level for flarewatch.service: \([0-9.]*\) .*/\1/p' "$T/security.out")
check "exposure level $score is at most 1.0 (SAFE)" \
	eval '[ -n "$score" ] && awk -v s="$score" "BEGIN { exit !(s <= 1.0) }"'
diag "what still counts:"
grep -E '^(- |✗ )' "$T/security.out" | sed 's/  */ /g; s/^/#   /'

check "Type=notify, with the watchdog" \
	eval 'grep -qx "Type=notify" "$U" && grep -q "^WatchdogSec=" "$U"'
check "runs as user and group flarewatch" \
	eval 'grep -qx "User=flarewatch" "$U" && grep -qx "Group=flarewatch" "$U"'

# ---- sysusers.d and tmpfiles.d in a scratch root ----------------------------------
R=$T/root
mkdir -p "$R/etc" "$R/usr/lib/sysusers.d" "$R/usr/lib/tmpfiles.d"
cp "$S/flarewatch.sysusers" "$R/usr/lib/sysusers.d/flarewatch.conf"
cp "$S/flarewatch.tmpfiles" "$R/usr/lib/tmpfiles.d/flarewatch.conf"
if ! command -v systemd-sysusers >/dev/null; then
	skip "sysusers.d creates the flarewatch user" "systemd-sysusers not found"
elif systemd-sysusers --root="$R" >"$T/sysusers.out" 2>&1; then
	check "sysusers.d creates the system user flarewatch (no login shell)" \
		eval 'grep -Eq "^flarewatch:x:[0-9]+:[0-9]+:.*:/var/lib/flarewatch:/usr/sbin/nologin$" "$R/etc/passwd"'
	check "... and the group flarewatch" grep -Eq '^flarewatch:x:[0-9]+:' "$R/etc/group"
	uid=$(awk -F: '$1 == "flarewatch" { print $3 }' "$R/etc/passwd")
	check "... with a system uid ($uid < 1000)" test "${uid:-1000}" -lt 1000
else
	nok "systemd-sysusers --root applies flarewatch.sysusers"
	diag "$(cat "$T/sysusers.out")"
fi
if [ "$(id -u)" != 0 ]; then
	skip "tmpfiles.d creates the folders" "needs root (chown)"
elif systemd-tmpfiles --root="$R" --create >"$T/tmpfiles.out" 2>&1; then
	bad=
	for d in "" /incoming /processing /done /failed /seen /investigations; do
		p=$R/var/lib/flarewatch$d
		[ "$(stat -c '%a %u %g' "$p" 2>/dev/null)" = "2770 $uid $(awk -F: '$1 == "flarewatch" { print $3 }' "$R/etc/group")" ] ||
			bad="$bad $d"
	done
	check "tmpfiles.d creates /var/lib/flarewatch and its folders, 2770 flarewatch:flarewatch${bad:+ (wrong:$bad)}" \
		test -z "$bad"
else
	nok "systemd-tmpfiles --root --create applies flarewatch.tmpfiles"
	diag "$(cat "$T/tmpfiles.out")"
fi

# ---- the catalog ------------------------------------------------------------------------
JOURNAL_H=$abs_top_srcdir/src/daemon/journal.h
ids=$(sed -n 's/^#define FW_MESSAGE_ID_[A-Z_]*[[:space:]]*"\([0-9a-f]*\)".*/\1/p' "$JOURNAL_H" | sort)
cat_ids=$(sed -n 's/^-- \([0-9a-f]*\)$/\1/p' "$S/flarewatch.catalog" | sort)
check "the catalog has one entry per MESSAGE_ID of journal.h ($(echo "$ids" | wc -l) ids)" \
	test "$ids" = "$cat_ids"
check "the MESSAGE_IDs are distinct 128-bit ids" \
	eval '[ "$(echo "$ids" | sort -u | grep -cE "^[0-9a-f]{32}$")" = "$(echo "$ids" | wc -l)" ]'
mkdir -p "$R/usr/lib/systemd/catalog"
cp "$S/flarewatch.catalog" "$R/usr/lib/systemd/catalog/"
if journalctl --root="$R" --update-catalog >"$T/catalog.out" 2>&1; then
	listed=$(journalctl --root="$R" --list-catalog 2>/dev/null | cut -d' ' -f1 | sort)
	check "journalctl --update-catalog compiles it, and lists every id" test "$listed" = "$ids"
else
	nok "journalctl --update-catalog compiles the catalog"
	diag "$(cat "$T/catalog.out")"
fi
done_testing
