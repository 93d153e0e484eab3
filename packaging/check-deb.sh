#!/usr/bin/env bash
# packaging/check-deb.sh -- CI check of the packaging (Debian 12, as root):
#   1. build the .deb (packaging/build-deb.sh);
#   2. lintian: no errors (warnings and the rest are printed, not fatal);
#   3. dpkg -i it; check the conffile, the flarewatch user and the enabled
#      unit; run the installed `flarewatch --version` and
#      `flarewatchd --check-config`; then dpkg -r (and --purge);
#   4. if rpmbuild exists (Debian's rpm package), build the RPM from the
#      tarball of `make dist` with packaging/rpm/flarewatch.spec, and
#      rpmlint it (no errors beyond packaging/rpm/flarewatch.rpmlintrc).
# Exit status non-zero on any failure. The last line is "check-deb: OK" or
# "check-deb: FAILED (...)".
#
#   bash packaging/check-deb.sh [OUTDIR]      # default: a temporary directory
set -uo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd) || exit 2
out=${1:-$(mktemp -d /tmp/flarewatch-check-deb.XXXXXX)}
mkdir -p "$out"
version=$(sed -n 's/^AC_INIT(\[flarewatch\], *\[\([^]]*\)\].*/\1/p' "$top/configure.ac")
failures=()

say() { printf '\n=== %s\n' "$*"; }
fail() { echo "FAILED: $*"; failures+=("$1"); }

[ "$(id -u)" -eq 0 ] || { echo "check-deb: must run as root (dpkg -i)" >&2; exit 2; }

say "building the .deb"
if ! bash "$top/packaging/build-deb.sh" "$out" >"$out/build-deb.log" 2>&1; then
	# dh_auto_test's failing tests, then the end of the log
	grep -E '^(FAIL|ERROR|XPASS): ' "$out/dpkg-buildpackage.log" 2>/dev/null | head -n 40
	tail -n 70 "$out/build-deb.log"
	echo "check-deb: FAILED (build)"
	exit 1
fi
deb=$(ls "$out"/flarewatch_*.deb 2>/dev/null | grep -v dbgsym | head -n 1)
[ -n "$deb" ] || { echo "check-deb: FAILED (no .deb in $out)"; exit 1; }
echo "built $deb"

say "lintian"
# --fail-on error: only errors fail; every tag (E, W, I, P) is printed
lintian --fail-on error --display-info --pedantic --tag-display-limit 0 "$deb" \
	"${out}"/flarewatch_*.changes 2>&1 | tee "$out/lintian.log"
lintian_rc=${PIPESTATUS[0]}
[ "$lintian_rc" -eq 0 ] || fail lintian "lintian exit $lintian_rc"
grep -q "^E: " "$out/lintian.log" && fail lintian-errors "lintian reported errors"
echo "lintian: $(grep -c '^E: ' "$out/lintian.log") errors, $(grep -c '^W: ' "$out/lintian.log") warnings"

say "dpkg -i"
if dpkg-query -W -f='${db:Status-Abbrev}' flarewatch 2>/dev/null | grep -q '^ii'; then
	echo "note: flarewatch was already installed; it is replaced, then removed"
fi
if dpkg -i "$deb"; then
	v=$(/usr/bin/flarewatch --version 2>&1)
	echo "/usr/bin/flarewatch --version: $v"
	[ "$v" = "flarewatch $version" ] || fail version "expected 'flarewatch $version'"
	vd=$(/usr/sbin/flarewatchd --version 2>&1)
	echo "/usr/sbin/flarewatchd --version: $vd"
	[ "$vd" = "flarewatchd $version" ] || fail version-d "expected 'flarewatchd $version'"
	cc=$(/usr/sbin/flarewatchd --check-config 2>&1)
	rc=$?
	echo "/usr/sbin/flarewatchd --check-config: $cc (exit $rc)"
	# the first line says the file is valid; then one line per folder
	[ "$rc" -eq 0 ] && [ "$(printf '%s\n' "$cc" | head -n 1)" = "configuration OK (/etc/flarewatch/flarewatch.yaml)" ] ||
		fail check-config "flarewatchd --check-config"
	printf '%s\n' "$cc" | grep -q '^  incoming_dir /var/lib/flarewatch/incoming: a folder user flarewatch may write to' ||
		fail check-config-folders "flarewatchd --check-config does not find incoming/ writable by flarewatch"
	grep -qx /etc/flarewatch/flarewatch.yaml /var/lib/dpkg/info/flarewatch.conffiles ||
		fail conffile "/etc/flarewatch/flarewatch.yaml is not a conffile"
	getent passwd flarewatch >/dev/null || fail user "no flarewatch user after installation"
	[ -d /var/lib/flarewatch/incoming ] && [ "$(stat -c '%a %G' /var/lib/flarewatch/incoming)" = "2770 flarewatch" ] ||
		fail tmpfiles "/var/lib/flarewatch/incoming missing or not 2770 group flarewatch"
	[ -L /etc/systemd/system/multi-user.target.wants/flarewatch.service ] ||
		fail enabled "flarewatch.service not enabled"
	grep -q '^ExecStart=/usr/sbin/flarewatchd$' /lib/systemd/system/flarewatch.service ||
		fail unit "unit's ExecStart is not /usr/sbin/flarewatchd"
	for m in /usr/share/man/man1/flarewatch.1.gz /usr/share/man/man8/flarewatchd.8.gz \
		/usr/share/man/man5/flarewatch.yaml.5.gz; do
		[ -f "$m" ] || echo "warning: $m not installed (is man/man.mk included from Makefile.am?)"
	done
	for d in README.md flarewatch.catalog; do
		[ -f "/usr/share/doc/flarewatch/$d" ] || [ -f "/usr/share/doc/flarewatch/$d.gz" ] ||
			fail doc "/usr/share/doc/flarewatch/$d not installed"
	done
	say "dpkg -r"
	dpkg -r flarewatch || fail remove "dpkg -r"
	[ ! -e /usr/bin/flarewatch ] && [ ! -e /usr/sbin/flarewatchd ] || fail remove-files "binaries left after dpkg -r"
	[ -f /etc/flarewatch/flarewatch.yaml ] || fail remove-conffile "dpkg -r removed the conffile"
	dpkg --purge flarewatch || fail purge "dpkg --purge"
	[ ! -e /etc/flarewatch/flarewatch.yaml ] || fail purge-conffile "conffile left after purge"
else
	fail install "dpkg -i"
	dpkg --purge flarewatch >/dev/null 2>&1 || true
fi

if command -v rpmbuild >/dev/null 2>&1; then
	say "rpmbuild from make dist"
	rpmtop=$out/rpm
	rm -rf "$rpmtop" && mkdir -p "$rpmtop/dist" "$rpmtop/SOURCES"
	# a clean copy (tracked and new, non-ignored files) to run make dist in
	(cd "$top" && git ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
		tar --null -T - -cf -) | tar -C "$rpmtop/dist" -xf -
	if (cd "$rpmtop/dist" && autoreconf -fi && ./configure -q && make -s dist) >"$out/make-dist.log" 2>&1; then
		cp "$rpmtop/dist/flarewatch-$version.tar.gz" "$rpmtop/SOURCES/"
		# --nodeps: Debian's rpm database knows none of the BuildRequires
		# (the Debian packages provide them); the test suite already ran
		# in the .deb build
		if rpmbuild -bb --nodeps --without check \
			--define "_topdir $rpmtop" --define "debug_package %{nil}" \
			"$top/packaging/rpm/flarewatch.spec" >"$out/rpmbuild.log" 2>&1; then
			find "$rpmtop/RPMS" -name '*.rpm' -print
			for r in "$rpmtop"/RPMS/*/*.rpm; do rpm -qlp "$r"; done
			if command -v rpmlint >/dev/null 2>&1; then
				say "rpmlint (findings that do not apply: packaging/rpm/flarewatch.rpmlintrc)"
				rpmlint -r "$top/packaging/rpm/flarewatch.rpmlintrc" "$rpmtop"/RPMS/*/*.rpm \
					"$top/packaging/rpm/flarewatch.spec" || fail rpmlint "rpmlint"
			else
				say "rpmlint not installed: the RPM was not linted"
			fi
		else
			tail -n 40 "$out/rpmbuild.log"
			fail rpmbuild "rpmbuild"
		fi
	else
		tail -n 40 "$out/make-dist.log"
		fail make-dist "make dist"
	fi
else
	say "rpmbuild not installed (Debian package rpm, in packaging/test-deps.txt): RPM not built"
fi

echo
if [ ${#failures[@]} -eq 0 ]; then
	echo "check-deb: OK"
	exit 0
fi
echo "check-deb: FAILED (${failures[*]})"
exit 1
