#!/usr/bin/env bash
# packaging/demo.sh -- the README's first quick-start command: on a Debian 12
# machine (as root), install the build dependencies, build flarewatch out of
# tree in build-demo/, then run the real job once: start flarewatchd in the
# foreground on a fresh demo folder, drop the bundled sample flare into its
# incoming folder, wait for the report, print the verdict and the report's
# path, and stop the daemon.
#
#   bash packaging/demo.sh            # FLARE=path/to/flare.zip to use another
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
flare=${FLARE:-$top/tests/fixtures/flares/leak-datadog-agent-2024-10-02T14-21-52Z-info.zip}
build=$top/build-demo

say() { printf '==> %s\n' "$*"; }

say "installing build dependencies"
mapfile -t packages < <(grep -v '^#' "$top/packaging/build-deps.txt")
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^ii' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	aptlog=$(mktemp /tmp/flarewatch-demo-apt.XXXXXX)
	if ! { apt-get update -qq &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$aptlog" 2>&1; then
		tail -n 30 "$aptlog" >&2
		echo "demo: apt-get could not install: ${missing[*]} (log: $aptlog)" >&2
		exit 1
	fi
	rm -f "$aptlog"
fi

if [ -f "$top/config.status" ]; then
	build=$top # already configured in place: build there
	say "building in $build"
	make -C "$build" -s -j"$(nproc)" >/dev/null
else
	say "building in $build"
	(cd "$top" && autoreconf -fi >/dev/null 2>&1)
	mkdir -p "$build"
	(cd "$build" && "$top/configure" -q && make -s -j"$(nproc)" >/dev/null)
fi

demo=$(mktemp -d /tmp/flarewatch-demo.XXXXXX)
mkdir -p "$demo/incoming" "$demo/state" "$demo/investigations" "$demo/tmp"
cat >"$demo/flarewatch.yaml" <<EOC
incoming_dir: $demo/incoming
state_dir: $demo/state
investigations_dir: $demo/investigations
workers: 2
settle_seconds: 1
rescan_seconds: 60
EOC

say "starting flarewatchd on $demo/incoming"
TMPDIR=$demo/tmp "$build/flarewatchd" -c "$demo/flarewatch.yaml" --foreground 2>"$demo/flarewatchd.log" &
daemon=$!
trap 'kill "$daemon" 2>/dev/null || true' EXIT

# ready once the state folders exist
for _ in $(seq 100); do
	[ -d "$demo/state/processing" ] && break
	kill -0 "$daemon" 2>/dev/null || { cat "$demo/flarewatchd.log" >&2; exit 1; }
	sleep 0.1
done

say "dropping $(basename "$flare") into the incoming folder"
cp "$flare" "$demo/incoming/.$(basename "$flare").part"
mv "$demo/incoming/.$(basename "$flare").part" "$demo/incoming/$(basename "$flare")"

report=
for _ in $(seq 600); do
	report=$(find "$demo/investigations" -name 'flare-profiling-*.md' -print -quit)
	[ -n "$report" ] && [ -n "$(ls -A "$demo/state/done" 2>/dev/null)" ] && break
	[ -n "$(ls -A "$demo/state/failed" 2>/dev/null)" ] && { cat "$demo/state/failed/"*.error.txt >&2; exit 1; }
	sleep 0.1
done
[ -n "$report" ] || { echo "no report after 60 s; daemon log:" >&2; cat "$demo/flarewatchd.log" >&2; exit 1; }

kill -TERM "$daemon"
wait "$daemon" || true
trap - EXIT

say "verdict: $(jq -r '.verdict.name + ": " + .verdict.summary' "$(dirname "$report")/report.json")"
say "report: $report"
say "daemon log: $demo/flarewatchd.log"
