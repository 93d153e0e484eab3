#!/usr/bin/env bash
# packaging/build-deb.sh -- build flarewatch's native Debian package.
#
#   bash packaging/build-deb.sh [OUTDIR]      # default OUTDIR: ./build-deb
#
# Copies the source tree (git's tracked and untracked-but-not-ignored files,
# so no build output of an in-place build comes along) to a temporary
# directory, moves packaging/debian to ./debian there, installs the build
# dependencies (as root; debian/control's Build-Depends through apt-get
# build-dep, plus dpkg-dev, debhelper and lintian), runs
# `dpkg-buildpackage -us -uc -b` (its output in OUTDIR/dpkg-buildpackage.log;
# on failure the last 60 lines are printed) and copies the .deb (and .buildinfo,
# .changes) into OUTDIR. Prints the path of the .deb as its last line.
# DEB_BUILD_OPTIONS is passed through (nocheck skips make check).
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${1:-$top/build-deb}
mkdir -p "$out"
out=$(cd "$out" && pwd)

say() { printf '==> %s\n' "$*" >&2; }

work=$(mktemp -d /tmp/flarewatch-deb.XXXXXX)
trap 'rm -rf "$work"' EXIT
src=$work/flarewatch

say "copying the source tree to $src"
mkdir -p "$src"
if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	# tracked files that still exist, and new files .gitignore does not exclude
	(cd "$top" && git ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
		tar --null -T - -cf -) | tar -C "$src" -xf -
else
	tar -C "$top" --exclude=./build-deb --exclude='./build*' -cf - . | tar -C "$src" -xf -
	[ -f "$src/Makefile" ] && make -C "$src" -s distclean >/dev/null 2>&1 || true
fi
rm -rf "$src/debian"
mv "$src/packaging/debian" "$src/debian"

if [ "$(id -u)" -eq 0 ]; then
	need=()
	for p in dpkg-dev debhelper lintian; do
		dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^ii' || need+=("$p")
	done
	if [ ${#need[@]} -gt 0 ] || ! (cd "$src" && dpkg-checkbuilddeps) >/dev/null 2>&1; then
		say "installing build dependencies"
		apt-get update -qq
		[ ${#need[@]} -gt 0 ] &&
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
		DEBIAN_FRONTEND=noninteractive apt-get build-dep -y -qq --no-install-recommends "$src" >/dev/null
	fi
else
	say "not root: not installing build dependencies (dpkg-buildpackage checks them)"
fi

say "dpkg-buildpackage -us -uc -b (log: $out/dpkg-buildpackage.log)"
if ! (cd "$src" && dpkg-buildpackage -us -uc -b) >"$out/dpkg-buildpackage.log" 2>&1; then
	say "dpkg-buildpackage failed; the last 60 lines of $out/dpkg-buildpackage.log:"
	tail -n 60 "$out/dpkg-buildpackage.log" >&2
	exit 1
fi

shopt -s nullglob
debs=("$work"/*.deb)
[ ${#debs[@]} -gt 0 ] || { say "no .deb was built"; exit 1; }
cp "$work"/*.deb "$work"/*.buildinfo "$work"/*.changes "$out"/
for d in "${debs[@]}"; do
	echo "$out/$(basename "$d")"
done
