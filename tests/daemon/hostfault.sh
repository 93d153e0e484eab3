#!/bin/bash
# tests/daemon/hostfault.sh -- a failure caused by the host is not the
# flare's: with the investigations folder read-only (a read-only bind
# mount in a private mount namespace, which stops root too), flares stay
# queued instead of going to failed/, the fault is logged once however
# often it is retried, and once the folder is writable again every flare
# is analyzed. Needs root (or unprivileged user namespaces) and unshare(1).
if [ -z "${FW_HOSTFAULT_NS:-}" ]; then
	# the whole test runs in its own mount namespace
	if command -v unshare >/dev/null && unshare -m true 2>/dev/null; then
		FW_HOSTFAULT_NS=1 exec unshare -m --propagation private bash "$0" "$@"
	elif command -v unshare >/dev/null && unshare -rm true 2>/dev/null; then
		FW_HOSTFAULT_NS=1 exec unshare -rm --propagation private bash "$0" "$@"
	fi
	printf '1..0 # SKIP cannot make a mount namespace (unshare -m)\n'
	exit 0
fi
. "$(dirname "$0")/common.sh"
require_daemon
require_flare

D=$T/fault
LOG=$T/fault.log
I=$D/investigations
write_config "$D" settle_seconds=0 workers=2
mkdir -p "$I"
trap 'umount "$I" 2>/dev/null; _cleanup' EXIT
mount --bind "$I" "$I" && mount -o remount,bind,ro "$I" ||
	skip_all "cannot make a read-only bind mount"
touch "$I/probe" 2>/dev/null && skip_all "the read-only bind mount is writable"

# the first retry after 1 s, then 2, 4...
FLAREWATCHD_RETRY_SECONDS=1 FLAREWATCHD_DEBUG=1 start_daemon "$LOG" "$D/flarewatch.yaml" ||
	{ nok "daemon starts"; show_log "$LOG"; done_testing; }
make_flare "$T/a.zip" 1
mv "$T/a.zip" "$D/incoming/a.zip"
check "the host fault is logged" wait_for 30 grep -q 'analyses fail because of this host' "$LOG"
make_flare "$T/b.zip" 2
mv "$T/b.zip" "$D/incoming/b.zip"
check "it was retried (and failed again)" wait_for 30 grep -q 'retry 2 failed' "$LOG"
check "the flare was not sent to failed/" test "$(count "$D/state/failed")" = 0
check "it stays queued in processing/" test -f "$D/state/processing/a.zip"
check "a flare that arrived meanwhile is queued too" \
	eval '[ -f "$D/incoming/b.zip" ] || [ -f "$D/state/processing/b.zip" ]'
check "the fault was logged once" test "$(grep -c 'analyses fail because of this host' "$LOG")" = 1
check "the daemon is still running" alive "$DPID"

# the fault clears
umount "$I"
check "once the folder is writable, the queued flare is analyzed" wait_for 60 done_has a.zip
check "... and the one that arrived meanwhile" wait_for 30 done_has b.zip
check "... each once" test "$(reports "$I")" = 2
check "nothing went to failed/" test "$(count "$D/state/failed")" = 0
check "the end of the fault is logged" grep -q 'analyses work again' "$LOG"

# a fault of the flare itself still goes to failed/
printf 'this is not a zip\n' >"$T/bad.zip"
mv "$T/bad.zip" "$D/incoming/bad.zip"
check "a flare that is no zip still goes to failed/" \
	wait_for 30 eval '[ -f "$D/state/failed/bad.zip.error.txt" ]'
stop_daemon "$DPID"
check "SIGTERM: exit status 0" test "$DSTATUS" = 0
[ "$_tap_failed" = 0 ] || show_log "$LOG" 40

# ---- the retries of one flare are bounded ---------------------------------------------
# A flare too big for a small temporary disk fails with ENOSPC, a host
# fault; once another flare was analyzed meanwhile, the cause is clearly
# this flare, and its next failure sends it to failed/.
D=$T/big
LOG=$T/big.log
write_config "$D" settle_seconds=0 workers=1
mkdir -p "$T/small"
mount -t tmpfs -o size=1m tmpfs "$T/small" || { skip "a flare too big for TMPDIR" "cannot mount a tmpfs"; done_testing; }
trap 'umount "$T/small" 2>/dev/null; _cleanup' EXIT
python3 - "$T/big.zip" <<'PY' || { skip "a flare too big for TMPDIR" "python3 cannot write a zip"; done_testing; }
import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_STORED) as z:
    z.writestr("big/status.log", os.urandom(3 << 20))
PY
TMPDIR=$T/small FLAREWATCHD_RETRY_SECONDS=1 start_daemon "$LOG" "$D/flarewatch.yaml" ||
	{ nok "daemon starts (big)"; show_log "$LOG"; done_testing; }
mv "$T/big.zip" "$D/incoming/big.zip"
check "a flare too big for the temporary disk: a host fault (ENOSPC)" \
	wait_for 30 grep -q 'analyses fail because of this host.*big.zip' "$LOG"
make_flare "$T/c.zip" 3
mv "$T/c.zip" "$D/incoming/c.zip"
check "another flare is analyzed meanwhile" wait_for 60 done_has c.zip
check "then the big one goes to failed/, as its own fault" \
	wait_for 60 grep -q 'the cause is this flare' "$D/state/failed/big.zip.error.txt"
stop_daemon "$DPID"
check "SIGTERM: exit status 0" test "$DSTATUS" = 0
[ "$_tap_failed" = 0 ] || show_log "$LOG" 40
done_testing
