#!/usr/bin/env bash
# packaging/check-quickstart.sh -- check the README's two quick-start commands
# the way a new user meets them, and the .deb build the way a build daemon
# meets it: as root on a fresh Debian 12 machine that has nothing but apt.
# Not part of `make check` (it downloads a Debian root and every build
# dependency, and takes 15-30 minutes per check).
#
#   1. debootstrap --variant=minbase bookworm: a pristine root (no compiler,
#      no git, no build dependencies; only apt);
#   2. a clean copy of the repository (`git archive HEAD`, so what is committed,
#      as in a fresh clone) into /root/flarewatch of a copy of that root, then
#      inside systemd-nspawn:  bash packaging/demo.sh
#      passes when it exits 0, prints a MEMORY LEAK verdict (the bundled
#      flare is the leak fixture) and the report's path, and that report
#      exists with its report.json (copied out of the container's /tmp, a
#      tmpfs, to /root/demo-report before the container exits);
#   3. the same on a second, separate copy of the pristine root:  bash .ci/run
#      passes when it exits 0 and its last line is "N passed, 0 failed, ...";
#   4. on a third copy:  bash packaging/build-deb.sh, which installs nothing
#      but dpkg-dev, debhelper, lintian and debian/control's Build-Depends
#      (apt-get build-dep), then builds the .deb with its test suite
#      (dh_auto_test), then dpkg -i of that .deb: passes when both exit 0 and
#      the installed flarewatch prints its version. A Build-Depends missing
#      from debian/control (for the build or for the test suite) fails here.
#
#   bash packaging/check-quickstart.sh [WORKDIR]
#
# WORKDIR (default: a new /var/tmp/flarewatch-quickstart.XXXXXX) keeps the
# roots and the logs; remove it afterwards (it is about 2 GB).  Environment:
#   FW_MIRROR=URL      Debian mirror for debootstrap (default deb.debian.org)
#   FW_ONLY=demo|ci|deb  run only one of the three checks
#   FW_DEB_BUILD_OPTIONS=...  DEB_BUILD_OPTIONS for check 4 (default empty: the
#                      package's test suite runs, as on a buildd)
# Needs root, git, debootstrap and systemd-nspawn (Debian: debootstrap,
# systemd-container; installed with apt-get when missing).  Exit status 0 iff
# every check passed; the last line is "check-quickstart: OK" or
# "check-quickstart: FAILED (...)".
set -uo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd) || exit 2
mirror=${FW_MIRROR:-http://deb.debian.org/debian}
only=${FW_ONLY:-}
failures=()

say() { printf '\n=== %s\n' "$*"; }
fail() { echo "FAILED: $*"; failures+=("$1"); }
die() { echo "check-quickstart: $*" >&2; exit 2; }

[ "$(id -u)" -eq 0 ] || die "must run as root (debootstrap, systemd-nspawn)"
case $only in '' | demo | ci | deb) ;; *) die "FW_ONLY must be demo, ci or deb, not '$only'" ;; esac
git -C "$top" rev-parse --verify -q HEAD >/dev/null || die "$top is not a git checkout with a commit"
if ! command -v debootstrap >/dev/null || ! command -v systemd-nspawn >/dev/null; then
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap systemd-container >/dev/null ||
		die "cannot install debootstrap and systemd-container"
fi

work=${1:-$(mktemp -d /var/tmp/flarewatch-quickstart.XXXXXX)} || exit 2
mkdir -p "$work" || exit 2
work=$(cd "$work" && pwd)
echo "work folder: $work (commit $(git -C "$top" rev-parse --short HEAD))"

# ---- the pristine root ------------------------------------------------------
# Only ever copied, never entered, so a complete one from an earlier run in
# the same WORKDIR is still pristine and is reused.
pristine=$work/pristine
if [ -f "$work/pristine.complete" ]; then
	say "reusing the pristine root $pristine (debootstrapped $(cat "$work/pristine.complete"))"
else
	say "debootstrap --variant=minbase bookworm ($mirror)"
	rm -rf "$pristine"
	start=$SECONDS
	if ! debootstrap --variant=minbase bookworm "$pristine" "$mirror" >"$work/debootstrap.log" 2>&1; then
		tail -n 30 "$work/debootstrap.log"
		echo "check-quickstart: FAILED (debootstrap)"
		exit 1
	fi
	date -u +%FT%TZ >"$work/pristine.complete"
	echo "pristine root in $((SECONDS - start)) s; $(du -sh "$pristine" | cut -f1)"
fi
# What "nothing but apt" means, checked rather than assumed.
for tool in gcc cc make git autoreconf pkg-config; do
	if chroot "$pristine" sh -c "command -v $tool" >/dev/null 2>&1; then
		fail "the pristine root already has $tool"
	fi
done

# in_root NAME LOG CMD: copy the pristine root to $work/NAME, put a clean copy
# of the repository into /root/flarewatch, run CMD there with bash under
# systemd-nspawn, output to LOG.  Returns CMD's exit status.
in_root() {
	local name=$1 log=$2 cmd=$3 root=$work/$1
	rm -rf "$root"
	cp -a "$pristine" "$root" || return 125
	mkdir -p "$root/root/flarewatch" || return 125
	git -C "$top" archive --format=tar HEAD | tar -x -C "$root/root/flarewatch" || return 125
	systemd-nspawn -q --register=no --keep-unit --resolv-conf=copy-host -D "$root" \
		--pipe --chdir=/root/flarewatch --setenv=DEBIAN_FRONTEND=noninteractive \
		bash -c "$cmd" >"$log" 2>&1 </dev/null
}

# wanted CHECK: true if FW_ONLY is empty or CHECK
wanted() { [ -z "$only" ] || [ "$only" = "$1" ]; }

# ---- 1. bash packaging/demo.sh ---------------------------------------------
if wanted demo; then
	say "1/3: bash packaging/demo.sh (in $work/demo)"
	start=$SECONDS
	in_root demo "$work/demo.log" 'bash packaging/demo.sh 2>&1 | tee /root/demo.out; rc=${PIPESTATUS[0]}
		r=$(sed -n "s/^==> report: //p" /root/demo.out)
		[ -z "$r" ] || cp -a "$(dirname "$r")" /root/demo-report
		exit $rc'
	rc=$?
	echo "exit $rc after $((SECONDS - start)) s; the end of its output:"
	grep -v '^\(Get\|Selecting\|Preparing\|Unpacking\|Setting up\|Processing\):\? ' "$work/demo.log" | tail -n 8 | sed 's/^/    /'
	[ "$rc" -eq 0 ] || fail "demo.sh exited $rc (log: $work/demo.log)"
	verdict=$(sed -n 's/^==> verdict: //p' "$work/demo.log")
	report=$(sed -n 's/^==> report: //p' "$work/demo.log")
	[ -n "$verdict" ] || fail "demo.sh printed no verdict"
	case $verdict in
	"MEMORY LEAK: "*) ;; # the bundled sample flare is the leak fixture
	*) fail "demo.sh's verdict is '$verdict', not MEMORY LEAK" ;;
	esac
	copy=$work/demo/root/demo-report
	if [ -z "$report" ]; then
		fail "demo.sh printed no report path"
	elif [ ! -s "$copy/$(basename "$report")" ] || [ ! -s "$copy/report.json" ]; then
		fail "the report $report (or its report.json) was not written"
	else
		echo "report: $report, $(wc -l <"$copy/$(basename "$report")") lines, copied to $copy"
	fi
fi

# ---- 2. bash .ci/run -------------------------------------------------------
if wanted ci; then
	say "2/3: bash .ci/run (in $work/ci)"
	start=$SECONDS
	# the output also goes to a file in the root, so that nspawn's own
	# messages on its stderr cannot pass for .ci/run's last line
	in_root ci "$work/ci.log" 'CI=true bash .ci/run 2>&1 | tee /root/ci.out; exit ${PIPESTATUS[0]}'
	rc=$?
	last=$(tail -n 1 "$work/ci/root/ci.out" 2>/dev/null)
	echo "exit $rc after $((SECONDS - start)) s; last line: $last"
	grep -E '^--- |^ *(FAIL|ERROR|XPASS): ' "$work/ci.log" | sed 's/^/    /'
	[ "$rc" -eq 0 ] || fail ".ci/run exited $rc (log: $work/ci.log)"
	[[ $last =~ ^[0-9]+\ passed,\ 0\ failed ]] || fail ".ci/run's last line is '$last'"
fi

# ---- 3. bash packaging/build-deb.sh; dpkg -i ------------------------------
if wanted deb; then
	say "3/3: bash packaging/build-deb.sh; dpkg -i (in $work/deb)"
	start=$SECONDS
	# only build-deb.sh installs packages: what it does not install from
	# debian/control is missing. The .deb is installed with dpkg, not apt, so
	# its Depends must already be there (they are all in Build-Depends).
	in_root deb "$work/deb.log" "export DEB_BUILD_OPTIONS='${FW_DEB_BUILD_OPTIONS:-}'
		bash packaging/build-deb.sh /root/deb-out 2>&1 | tee /root/deb.out; rc=\${PIPESTATUS[0]}
		[ \$rc -eq 0 ] || { echo \"build-deb.sh exit \$rc\"; exit \$rc; }
		deb=\$(tail -n 1 /root/deb.out)
		dpkg -i \"\$deb\" || { echo \"dpkg -i exit \$?\"; exit 3; }
		echo \"installed: \$(/usr/bin/flarewatch --version)\""
	rc=$?
	echo "exit $rc after $((SECONDS - start)) s; the end of its output:"
	grep -v '^\(Get\|Selecting\|Preparing\|Unpacking\|Setting up\|Processing\):\? ' "$work/deb.log" | tail -n 8 | sed 's/^/    /'
	[ "$rc" -eq 0 ] || fail "build-deb.sh or dpkg -i exited $rc (log: $work/deb.log; dpkg-buildpackage's: $work/deb/root/deb-out/dpkg-buildpackage.log)"
	version=$(sed -n 's/^AC_INIT(\[flarewatch\], *\[\([^]]*\)\].*/\1/p' "$top/configure.ac")
	grep -qx "installed: flarewatch $version" "$work/deb.log" ||
		fail "the installed /usr/bin/flarewatch did not print 'flarewatch $version'"
	if [ -f "$work/deb/root/deb-out/dpkg-buildpackage.log" ]; then
		# the summary, once (make check prints it again with test-suite.log)
		grep -E '^# (TOTAL|PASS|SKIP|FAIL|ERROR):' "$work/deb/root/deb-out/dpkg-buildpackage.log" | head -n 5 |
			sed 's/^/    test suite /'
		grep -E '^(FAIL|ERROR|XPASS): .* [0-9]+ - |^ERROR: .* - ' "$work/deb/root/deb-out/dpkg-buildpackage.log" |
			sort -u | sed 's/^/    /'
	fi
fi

echo
if [ ${#failures[@]} -eq 0 ]; then
	echo "check-quickstart: OK"
else
	echo "check-quickstart: FAILED (${failures[*]})"
	exit 1
fi
