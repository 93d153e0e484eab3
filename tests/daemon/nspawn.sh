#!/bin/bash
# tests/daemon/nspawn.sh -- flarewatch.service under a real systemd: boots
# systemd as PID 1 in `systemd-nspawn -b` on a throw-away root (the host's
# /usr read-only, a copy of /etc, the built flarewatchd, the unit make
# generated, the sysusers.d, tmpfiles.d and configuration files), then from
# the host, through nsenter into the container:
#   - the service reaches active (running) with its STATUS= text, as the
#     user flarewatch;
#   - a flare dropped into /var/lib/flarewatch/incoming gets its report,
#     and the journal holds its verdict entry (FLAREWATCH_VERDICT=memory_leak);
#   - the sandbox holds: in the daemon's mount namespace /etc is read-only;
#   - a daemon that stops feeding the watchdog (SIGSTOP) is restarted (a
#     drop-in lowers WatchdogSec= to 3 s and RestartSec= to 1 s).
# Needs root and systemd-nspawn (Debian: systemd-container); skipped when
# nspawn cannot boot a container here. FW_KEEP_TMP=1 keeps the root.
. "$(dirname "$0")/common.sh"

[ "$(id -u)" = 0 ] || skip_all "needs root (systemd-nspawn)"
[ -z "${FW_SKIP_NSPAWN:-}" ] || skip_all "FW_SKIP_NSPAWN is set (e.g. inside a package build)"
command -v systemd-nspawn >/dev/null || skip_all "systemd-nspawn not found (apt-get install systemd-container)"
command -v nsenter >/dev/null || skip_all "nsenter not found"
[ -x /lib/systemd/systemd ] || skip_all "no /lib/systemd/systemd on the host"
require_daemon
# A sanitizer build does not run under the unit's sandbox (ASan maps its
# shadow memory in ways MemoryDenyWriteExecute= and the seccomp filter
# refuse); the plain build runs this test.
grep -qa __asan_init "$FLAREWATCHD" && skip_all "sanitizer build of flarewatchd"
UNIT=$abs_top_builddir/systemd/flarewatch.service
S=$abs_top_srcdir/systemd
[ -f "$UNIT" ] || skip_all "$UNIT not generated (make)"
FLARE=$abs_top_srcdir/tests/fixtures/flares/leak-datadog-agent-2024-10-02T14-21-52Z-info.zip
[ -f "$FLARE" ] || skip_all "$FLARE not found"

# Where the build installs things: ExecStart= of the generated unit, and
# the configuration path compiled into flarewatchd.
EXEC=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$UNIT")
CONF=$("$FLAREWATCHD" --help 2>&1 | sed -n 's/.*(default \([^;]*\);.*/\1/p')
[ -n "$EXEC" ] && [ -n "$CONF" ] || skip_all "cannot find ExecStart= ($EXEC) or the config path ($CONF)"
# The container sees the host's /usr plus our overlay on it: a build for
# another prefix (make distcheck's) cannot be started in there.
case $EXEC in
/usr/*) ;;
*) skip_all "the daemon is built for $EXEC, outside /usr" ;;
esac

# ---- the container's root ------------------------------------------------------------
# /usr is the host's, read-only; what the build installs below /usr goes
# into an overlay layer ($T/usr-layer) on top of it, everything else
# straight into the root.
R=$T/root
L=$T/usr-layer
mkdir -p "$R"/usr "$R"/var/lib "$R"/var/log/journal "$R"/tmp "$R"/root "$L"
for d in bin lib lib64 sbin; do [ -L /$d ] && ln -s "$(readlink /$d)" "$R/$d"; done
cp -a /etc "$R/etc"
rm -f "$R/etc/machine-id"
mid=$(cat /proc/sys/kernel/random/uuid | tr -d -) # a fresh machine id
echo "$mid" >"$R/etc/machine-id"
: >"$R/etc/fstab"
# nspawn looks for os-release before it mounts /usr (a symlink into it)
rm -f "$R/etc/os-release" && cp -L /etc/os-release "$R/etc/os-release"
# nothing the host enabled, only what the test needs
rm -rf "$R"/etc/systemd/system/*.wants "$R"/etc/systemd/system/default.target
ln -s /usr/lib/systemd/system/multi-user.target "$R/etc/systemd/system/default.target"
rm -f "$R/etc/sysusers.d/flarewatch.conf" "$R/etc/tmpfiles.d/flarewatch.conf"
# put FILE PATH [MODE]: install FILE at PATH in the container
put() {
	local dst
	case $2 in /usr/*) dst=$L${2#/usr} ;; *) dst=$R$2 ;; esac
	install -D -m "${3:-0644}" "$1" "$dst"
}
put "$FLAREWATCHD" "$EXEC" 0755
put "$UNIT" /etc/systemd/system/flarewatch.service
put "$S/flarewatch.sysusers" /etc/sysusers.d/flarewatch.conf
put "$S/flarewatch.tmpfiles" /etc/tmpfiles.d/flarewatch.conf
put "$S/flarewatch.catalog" /etc/systemd/catalog/flarewatch.catalog 2>/dev/null || true
write_config "$T/cfg" incoming_dir=/var/lib/flarewatch/incoming \
	state_dir=/var/lib/flarewatch investigations_dir=/var/lib/flarewatch/investigations
put "$T/cfg/flarewatch.yaml" "$CONF"
mkdir -p "$R/etc/systemd/system/multi-user.target.wants" "$R/etc/systemd/system/flarewatch.service.d"
ln -s /etc/systemd/system/flarewatch.service "$R/etc/systemd/system/multi-user.target.wants/flarewatch.service"
printf '[Service]\nWatchdogSec=3\nRestartSec=1\n' >"$R/etc/systemd/system/flarewatch.service.d/watchdog.conf"

# ---- boot ----------------------------------------------------------------------------
M=fwtest-$$-$RANDOM
NSPAWN_LOG=$T/nspawn.log
NSPAWN=
stop_container() {
	[ -n "$NSPAWN" ] || return 0
	if alive "$NSPAWN"; then
		# nspawn turns SIGTERM into an orderly shutdown of the container
		kill -TERM "$NSPAWN" 2>/dev/null
		wait_for 20 eval "! alive $NSPAWN" || kill -KILL "$NSPAWN" 2>/dev/null
	fi
	wait "$NSPAWN" 2>/dev/null
	NSPAWN=
}
_cleanup_nspawn() { stop_container; _cleanup; }
trap _cleanup_nspawn EXIT

t0=$(_now_ms)
SYSTEMD_NSPAWN_TMPFS_TMP=1 systemd-nspawn -q -b --register=no --keep-unit \
	--machine="$M" -D "$R" --console=pipe --private-network \
	--overlay-ro=/usr:"$L":/usr \
	</dev/null >"$NSPAWN_LOG" 2>&1 &
NSPAWN=$!

# The container's PID 1: nspawn's child that is PID 1 in its own namespace.
leader() {
	local p
	for p in $(children "$NSPAWN"); do
		if [ "$(awk '/^NSpid:/ { print $NF }' "/proc/$p/status" 2>/dev/null)" = 1 ]; then
			LEADER=$p
			return 0
		fi
	done
	return 1
}
# cx COMMAND...: runs COMMAND inside the container
cx() { nsenter -t "$LEADER" -a "$@"; }
booted() {
	local s
	s=$(cx systemctl is-system-running 2>/dev/null)
	case $s in running | degraded) return 0 ;; esac
	return 1
}
LEADER=
if ! wait_for 30 eval 'leader || ! alive $NSPAWN' || [ -z "$LEADER" ] ||
	! wait_for 60 eval 'booted || ! alive $NSPAWN' || ! booted; then
	state=$( [ -n "$LEADER" ] && cx systemctl is-system-running 2>&1)
	diag "nspawn log:" "$(tail -n 20 "$NSPAWN_LOG")" "system state: $state"
	alive "$NSPAWN" || skip_all "systemd-nspawn -b cannot boot a container here (see the log above)"
	skip_all "the container did not finish booting within 60 s (state ${state:-unknown})"
fi
diag "container booted in $(($(_now_ms) - t0)) ms (system $(cx systemctl is-system-running 2>&1))"
if [ "$(cx systemctl is-system-running 2>&1)" = degraded ]; then
	diag "failed units:" "$(cx systemctl --failed --no-legend 2>&1)"
fi

# ---- (1) active (running), as user flarewatch --------------------------------------
show() { cx systemctl show -P "$1" flarewatch.service 2>/dev/null; }
running() { [ "$(show ActiveState)/$(show SubState)" = active/running ] && [ -n "$(show StatusText)" ]; }
if wait_for 30 running; then ok "flarewatch.service is active (running)"; else
	nok "flarewatch.service is active (running)"
	diag "$(cx systemctl status --no-pager -n 30 flarewatch.service 2>&1)"
fi
status=$(show StatusText)
check "it reports STATUS= text ($status)" test -n "$status"
mainpid=$(show MainPID)
fw_uid=$(cx id -u flarewatch 2>/dev/null)
pid_uid=$(cx awk '/^Uid:/ { print $2 }' "/proc/$mainpid/status" 2>/dev/null)
check "its main process $mainpid runs as user flarewatch (uid ${fw_uid:-none}, process uid ${pid_uid:-none})" \
	eval '[ -n "$fw_uid" ] && [ "$fw_uid" = "$pid_uid" ] && [ "$(cx ps -o user= -p "$mainpid" 2>/dev/null)" = flarewatch ]'

# ---- (2) a flare gets its report ------------------------------------------------------
cp "$FLARE" "$R/var/lib/flarewatch/incoming/.tmp-flare.zip" &&
	mv "$R/var/lib/flarewatch/incoming/.tmp-flare.zip" "$R/var/lib/flarewatch/incoming/$(basename "$FLARE")"
t1=$(_now_ms)
if wait_for 60 eval '[ "$(reports "$R/var/lib/flarewatch/investigations")" -ge 1 ]'; then
	ok "the flare's report is under /var/lib/flarewatch/investigations after $(($(_now_ms) - t1)) ms"
else
	nok "the flare's report is under /var/lib/flarewatch/investigations within 60 s"
	diag "$(find "$R/var/lib/flarewatch" 2>&1)" "$(cx journalctl -u flarewatch --no-pager -n 30 2>&1)"
fi

# ---- (3) the verdict in the journal --------------------------------------------------
verdict() { cx journalctl -u flarewatch -o json --no-pager 2>/dev/null | grep -q '"FLAREWATCH_VERDICT":"memory_leak"'; }
if wait_for 10 verdict; then
	ok "journalctl -u flarewatch -o json holds FLAREWATCH_VERDICT=memory_leak"
else
	nok "journalctl -u flarewatch -o json holds FLAREWATCH_VERDICT=memory_leak"
	diag "$(cx journalctl -u flarewatch --no-pager -n 30 2>&1)"
fi

# ---- (4) ProtectSystem=strict: /etc is read-only for the daemon --------------------------
cx nsenter -t "$mainpid" -m touch /etc/flarewatch-test >"$T/touch.out" 2>&1
rc=$?
check "in the daemon's mount namespace, touch /etc/flarewatch-test fails (${rc}: $(head -c 200 "$T/touch.out"))" \
	eval '[ "$rc" != 0 ] && grep -q "Read-only file system" "$T/touch.out" && [ ! -e "$R/etc/flarewatch-test" ]'
cx touch /var/lib/flarewatch/.probe 2>/dev/null
check "... while /var/lib/flarewatch stays writable there" \
	cx nsenter -t "$mainpid" -m sh -c 'touch /var/lib/flarewatch/.probe && rm /var/lib/flarewatch/.probe'

# ---- (5) the watchdog restarts a daemon that stopped feeding it ---------------------------
restarts=$(show NRestarts)
cx kill -STOP "$mainpid"
t2=$(_now_ms)
restarted() {
	local p
	p=$(show MainPID)
	[ "$(show NRestarts)" -gt "$restarts" ] && [ "$p" != 0 ] && [ "$p" != "$mainpid" ] && running
}
if wait_for 30 restarted; then
	ok "after SIGSTOP (WatchdogSec=3) it is restarted and running again after $(($(_now_ms) - t2)) ms (NRestarts $restarts -> $(show NRestarts), MainPID $mainpid -> $(show MainPID))"
	check "... and the journal says the watchdog fired" \
		eval 'cx journalctl -u flarewatch --no-pager 2>/dev/null | grep -q "Watchdog timeout"'
else
	nok "after SIGSTOP (WatchdogSec=3) it is restarted within 30 s"
	diag "$(cx systemctl status --no-pager -n 20 flarewatch.service 2>&1)"
fi

stop_container
diag "whole test: $(($(_now_ms) - t0)) ms from boot to shutdown"
done_testing
