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
#   - a user only in group flarewatch sees that verdict with flarewatch status;
#   - the sandbox holds: in the daemon's mount namespace /etc is read-only;
#   - a daemon that stops feeding the watchdog (SIGSTOP) is restarted (a
#     drop-in lowers WatchdogSec= to 3 s and RestartSec= to 1 s);
#   - systemctl reload of an invalid flarewatch.yaml fails (ExecReload=
#     runs --check-config first), systemctl status shows it, and the
#     running configuration keeps working; a good reload shows in STATUS=;
#   - an unreadable flare (root's 0600, moved in) stays in incoming/, is
#     logged once with its fix, and is analyzed after the fix as printed;
#   - a start after processing/ was removed re-creates it (setgid inherited
#     under RestrictSUIDSGID=yes);
#   - a state_dir outside /var/lib/flarewatch that does not exist yet, below
#     a top folder made as the README says: --check-config says what will be
#     created; without the ReadWritePaths= drop-in the start fails naming
#     ProtectSystem= and ReadWritePaths=, with it the folders are created
#     and a flare dropped there is analyzed;
#   - metrics_file in /var/lib/prometheus/node-exporter: without the
#     ReadWritePaths= drop-in logged once with the fix; with it, the file
#     counts the flares dropped and passes promtool check metrics.
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
FW_SAMPLE_FLARE=$FLARE require_flare # distinct copies of it (make_flare)

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
put "$abs_top_builddir/flarewatch" "${EXEC%/sbin/*}/bin/flarewatch" 0755 # flarewatch status (block 3s)
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

# ---- (3s) status: a support engineer in group flarewatch only (helper "status") ----------
# No journal for them (journalctl needs systemd-journal or adm); flarewatch
# status reads the daemon's state file and the reports instead.
cx useradd -M -N -g users -G flarewatch -s /bin/sh fwsupport >/dev/null 2>&1
as_support() { cx setpriv --reuid=fwsupport --regid=users --init-groups "$@"; }
check "(3s) user fwsupport is in group flarewatch, not in systemd-journal or adm" \
	eval '[[ " $(cx id -nG fwsupport 2>/dev/null) " == *" flarewatch "* ]] && [[ " $(cx id -nG fwsupport) " != *" systemd-journal "* ]] && [[ " $(cx id -nG fwsupport) " != *" adm "* ]]'
as_support journalctl -u flarewatch --no-pager -o cat >"$T/support-journal.out" 2>&1
check "(3s) journalctl -u flarewatch shows fwsupport no verdict" eval '! grep -q "MEMORY LEAK" "$T/support-journal.out"'
as_support "${EXEC%/sbin/*}/bin/flarewatch" status >"$T/support-status.out" 2>&1
rc=$?
check "(3s) fwsupport runs flarewatch status: exit 0, running" \
	eval '[ "$rc" = 0 ] && grep -q "^flarewatchd: running, " "$T/support-status.out"'
check "(3s) ... and sees the dropped flare's verdict: MEMORY LEAK on fixture-leak-01" \
	grep -q "^  2024-10-02T14:21:52Z  MEMORY LEAK  fixture-leak-01" "$T/support-status.out"
check "(3s) ... with the report's path" grep -q "^    report: /var/lib/flarewatch/investigations/fixture-leak-01/.*\.md$" "$T/support-status.out"
check "(3s) ... and the main pid systemd knows" grep -q "^  process: *$(show MainPID), flarewatchd " "$T/support-status.out"
[ "$_tap_failed" = 0 ] || diag "$(cat "$T/support-status.out")"
# ---- (3s) end ------------------------------------------------------------------------------

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

# journal: the daemon's messages in the container (text only)
journal() { cx journalctl -u flarewatch.service --no-pager -o cat 2>/dev/null; }
# cdrop NAME N DIR: make_flare's flare N moved whole into DIR of the container
cdrop() { make_flare "$T/$1" "$2" && cp "$T/$1" "$R$3/.tmp-$1" && mv "$R$3/.tmp-$1" "$R$3/$1"; }
# The configuration file as the host sees it: a path below /usr is in the
# overlay's layer (put()); it is rewritten in place (same inode), which the
# read-only overlay shows at the next open.
case $CONF in /usr/*) HCONF=$L${CONF#/usr} ;; *) HCONF=$R$CONF ;; esac
INV=/var/lib/flarewatch/investigations
IN=/var/lib/flarewatch/incoming
wait_for 30 running

# ---- (6) reload: an invalid file fails it, the running configuration stays ----------
cp "$HCONF" "$T/good.yaml"
pid=$(show MainPID)
printf 'workers: [oops\n' >>"$HCONF"
cx systemctl reload flarewatch.service >"$T/reload.out" 2>&1
rc=$?
check "systemctl reload with an invalid $CONF fails (exit $rc: $(head -c 200 "$T/reload.out"))" test "$rc" != 0
cx systemctl status --no-pager -n 0 flarewatch.service >"$T/status.out" 2>&1
check "... systemctl status shows the failed ExecReload= ($(grep -o 'ExecReload=[^)]*)' "$T/status.out" | head -n 1))" \
	grep -q 'ExecReload=.*--check-config.*status=1/FAILURE' "$T/status.out"
check "... the journal says why, naming the file" eval 'journal | grep -q "^$CONF:"'
check "... and the service stays active (running) with the same main process $pid" \
	eval '[ "$(show ActiveState)/$(show SubState)" = active/running ] && [ "$(show MainPID)" = "$pid" ]'
n=$(reports "$R$INV")
cdrop after-bad-reload.zip 101 "$IN"
check "... the running configuration keeps working: a flare dropped after it is analyzed" \
	wait_for 60 eval '[ "$(reports "$R$INV")" -gt "$n" ]'
cat "$T/good.yaml" >"$HCONF"
cx systemctl reload flarewatch.service >"$T/reload.out" 2>&1
rc=$?
check "a reload of the good file again succeeds (exit $rc)" test "$rc" = 0
check "... and STATUS= names the file and its load time ($(show StatusText | sed 's/.*; configuration/configuration/'))" \
	wait_for 10 eval 'show StatusText | grep -Eq "; configuration $CONF loaded [0-9-]+ [0-9:]+ UTC$"'

# ---- (7) an unreadable flare stays in incoming/, and is analyzed after the fix -------
make_flare "$T/secret.zip" 102
chmod 0600 "$T/secret.zip"
cp -p "$T/secret.zip" "$R/root/secret.zip" # root:root 0600, as an engineer's mv keeps it
mv "$R/root/secret.zip" "$R$IN/secret.zip"
fix="chgrp flarewatch '$IN/secret.zip' && chmod g+r '$IN/secret.zip'"
check "an unreadable flare is logged at warning with its fix: $fix" \
	wait_for 20 eval 'cx journalctl -u flarewatch.service -p warning --no-pager -o cat 2>/dev/null | grep -qF "secret.zip: cannot read it" &&
		journal | grep -qF "it stays in $IN and is taken as soon as it is readable: $fix"'
sleep 3 # three settle times
check "... it stays in incoming/ (not in failed/)" \
	eval '[ -f "$R$IN/secret.zip" ] && [ ! -e "$R/var/lib/flarewatch/failed/secret.zip" ]'
check "... logged once ($(journal | grep -c 'secret.zip: cannot read it') lines)" \
	test "$(journal | grep -c 'secret.zip: cannot read it')" = 1
n=$(reports "$R$INV")
cx sh -c "$fix"
check "after the fix, run as printed, it is analyzed" \
	wait_for 60 eval '[ "$(reports "$R$INV")" -gt "$n" ] && [ -f "$R/var/lib/flarewatch/done/secret.zip" ]'

# ---- (8) a start after processing/ was removed ------------------------------------------
cx systemctl stop flarewatch.service
rm -rf "$R/var/lib/flarewatch/processing"
cx systemctl start flarewatch.service >"$T/start.out" 2>&1
rc=$?
check "with processing/ removed, systemctl start succeeds (exit $rc: $(head -c 200 "$T/start.out"))" \
	eval '[ $rc = 0 ] && wait_for 30 running'
mode=$(cx stat -c '%a %U %G' /var/lib/flarewatch/processing 2>&1)
check "... processing/ is back, 2770 flarewatch flarewatch (setgid from its parent): $mode" \
	test "$mode" = "2770 flarewatch flarewatch"

# ---- (9) a state_dir outside /var/lib/flarewatch that does not exist yet ----------------
cx systemctl stop flarewatch.service
# the administrator's part, as README says: the top folder and the drop-in
cx install -d -m 2770 -o flarewatch -g flarewatch /srv/flares
write_config "$T/srv" incoming_dir=/srv/flares/incoming state_dir=/srv/flares/state \
	investigations_dir=/srv/flares/investigations
cat "$T/srv/flarewatch.yaml" >"$HCONF"
out=$(cx "$EXEC" --check-config 2>&1)
rc=$?
check "--check-config as root: exit 0 ($rc), for user flarewatch" \
	eval '[ $rc = 0 ] && [[ "$out" == *"folders, for user flarewatch:"* ]]'
check "... it says state_dir will be created, setgid, in /srv/flares" \
	eval '[[ "$out" == *"state_dir /srv/flares/state: does not exist yet; flarewatchd creates it in /srv/flares (setgid, like it)"* ]]'
check "... and that the unit needs ReadWritePaths= for it" eval '[[ "$out" == *"ReadWritePaths="* ]]'
# without the drop-in, the sandbox refuses; the error says which setting
timeout 60 nsenter -t "$LEADER" -a systemctl start flarewatch.service >/dev/null 2>&1
rc=$?
check "without the ReadWritePaths= drop-in, systemctl start fails (exit $rc)" test "$rc" != 0
# by SYSLOG_IDENTIFIER: a process that exits at once may lose its
# _SYSTEMD_UNIT= (journald reads its cgroup too late), so -u can miss it
ident() { cx journalctl -t flarewatchd --no-pager -o cat 2>/dev/null; }
check "... and the journal names ProtectSystem=strict and ReadWritePaths=" \
	wait_for 10 eval 'ident | grep -q "cannot create /srv/flares/state: Read-only file system (.*ProtectSystem=strict.*ReadWritePaths="'
diag "$(ident | grep -m 1 'cannot create /srv/flares/state')"
cx systemctl stop flarewatch.service >/dev/null 2>&1
cx systemctl reset-failed flarewatch.service >/dev/null 2>&1
printf '[Service]\nReadWritePaths=/srv/flares\n' >"$R/etc/systemd/system/flarewatch.service.d/srv.conf"
cx systemctl daemon-reload
cx systemctl start flarewatch.service >"$T/start.out" 2>&1
rc=$?
check "with it, systemctl start succeeds (exit $rc: $(head -c 200 "$T/start.out"))" \
	eval '[ $rc = 0 ] && wait_for 30 running'
bad=
for d in state state/processing state/done state/failed state/seen incoming; do
	m=$(cx stat -c '%a %U %G' "/srv/flares/$d" 2>&1)
	[ "$m" = "2770 flarewatch flarewatch" ] || bad="$bad $d($m)"
done
check "... the daemon created /srv/flares/state, its folders and incoming/, 2770 flarewatch flarewatch${bad:+ (wrong:$bad)}" \
	test -z "$bad"
cdrop srv.zip 103 /srv/flares/incoming
check "... and a flare dropped into /srv/flares/incoming is analyzed there" \
	wait_for 60 eval '[ "$(reports "$R/srv/flares/investigations")" -ge 1 ] && [ -f "$R/srv/flares/state/done/srv.zip" ]'
[ "$_tap_failed" = 0 ] || diag "$(journal | tail -n 40)"

# ==== (10) metrics_file (helper "metrics") ===============================================
# In node_exporter's textfile folder, set up as README says: the folder
# given to group flarewatch, then the ReadWritePaths= drop-in. Without the
# drop-in the daemon runs and says once what to add; with it, after the
# flares dropped, the file passes promtool check metrics and counts them.
PROMDIR=/var/lib/prometheus/node-exporter
PROM=$PROMDIR/flarewatch.prom
mvalue() { awk -v k="$1" '$1 == k { print $2; exit }' "$R$PROM" 2>/dev/null; }
cx systemctl stop flarewatch.service
cx install -d -m 0775 -g flarewatch "$PROMDIR"
write_config "$T/met" incoming_dir=/srv/flares/incoming state_dir=/srv/flares/state \
	investigations_dir=/srv/flares/investigations metrics_file="$PROM"
cat "$T/met/flarewatch.yaml" >"$HCONF"
out=$(cx "$EXEC" --check-config 2>&1)
check "metrics: --check-config says user flarewatch may write $PROM's folder, and names ReadWritePaths=$PROMDIR" \
	eval '[[ "$out" == *"metrics_file $PROM: in a folder user flarewatch may write to"* && "$out" == *"ReadWritePaths=$PROMDIR)"* ]]'
cx systemctl start flarewatch.service
check "metrics: without the drop-in the daemon runs, and says once what to add" \
	wait_for 20 eval 'running && [ "$(journal | grep -c "metrics_file: $PROM: .*Read-only file system; .*ReadWritePaths=$PROMDIR")" = 1 ]'
printf '[Service]\nReadWritePaths=%s\n' "$PROMDIR" >"$R/etc/systemd/system/flarewatch.service.d/metrics.conf"
cx systemctl daemon-reload
cx systemctl restart flarewatch.service
wait_for 30 running
check "metrics: with it, $PROM is written, 0644 flarewatch ($(cx stat -c '%a %U' "$PROM" 2>&1))" \
	wait_for 10 eval '[ "$(cx stat -c "%a %U" "$PROM" 2>&1)" = "644 flarewatch" ]'
cdrop m1.zip 201 /srv/flares/incoming
cdrop m2.zip 202 /srv/flares/incoming
head -c 1000 "$FLARE" >"$T/mbad.zip" && cp "$T/mbad.zip" "$R/srv/flares/incoming/.tmp-mbad" &&
	mv "$R/srv/flares/incoming/.tmp-mbad" "$R/srv/flares/incoming/mbad.zip"
wait_for 60 eval '[ -f "$R/srv/flares/state/done/m1.zip" ]'
cdrop m1-again.zip 201 /srv/flares/incoming # m1's content: a duplicate
check "metrics: the file counts the flares dropped: 2 memory_leak, 1 duplicate, 1 failed invalid_flare, queue empty" \
	wait_for 60 eval '[ "$(mvalue "flarewatch_flares_total{verdict=\"memory_leak\"}")" = 2 ] &&
		[ "$(mvalue flarewatch_duplicates_total)" = 1 ] &&
		[ "$(mvalue "flarewatch_flares_failed_total{reason=\"invalid_flare\"}")" = 1 ] &&
		[ "$(mvalue flarewatch_analysis_seconds_count)" = 2 ] &&
		[ "$(mvalue "flarewatch_queue{state=\"incoming\"}")" = 0 ] &&
		[ "$(mvalue "flarewatch_queue{state=\"processing\"}")" = 0 ]'
[ "$_tap_failed" = 0 ] || diag "$(cat "$R$PROM" 2>&1 | grep -v '^#')"
if command -v promtool >/dev/null; then
	out=$(promtool check metrics <"$R$PROM" 2>&1)
	check "metrics: promtool check metrics passes${out:+ ($out)}" \
		eval 'promtool check metrics <"$R$PROM" >/dev/null 2>&1'
else
	skip "metrics: promtool check metrics" "promtool not found (Debian package prometheus)"
fi
# ==== end of (10) metrics_file =============================================================

stop_container
diag "whole test: $(($(_now_ms) - t0)) ms from boot to shutdown"
done_testing
