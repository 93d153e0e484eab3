#!/usr/bin/env bash
# tests/structure/layers.sh -- the library's layers, checked from the
# #include lines of src/: prints the include graph folder by folder and
# fails on an include that goes up (or sideways) a layer.
#
#   base         uses nothing of ours
#   pprof        base
#   flare        base
#   investigate  base, pprof, flare
#   cli, daemon  any library layer and their own folder, never each other
#
# Run by `make check` (TAP), or by hand: bash tests/structure/layers.sh [SRCDIR]
set -u
src=${1:-${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/src}
. "$(dirname "$0")/../tap.sh"

declare -A allowed=(
	[base]="base"
	[pprof]="base pprof"
	[flare]="base flare"
	[investigate]="base pprof flare investigate"
	[cli]="base pprof flare investigate cli"
	[daemon]="base pprof flare investigate daemon"
)

[ -d "$src" ] || tap_bail "$src: no source folder"
for layer in base pprof flare investigate cli daemon; do
	[ -d "$src/$layer" ] || { tap_not_ok "src/$layer exists"; continue; }
	bad=()
	declare -A seen=()
	while IFS= read -r line; do
		file=${line%%:*}
		inc=${line#*\"}
		inc=${inc%\"*}
		case $inc in
		*/*) target=${inc%%/*} ;;
		*)
			# a same-folder header, or one generated beside it
			target=$layer ;;
		esac
		[ -d "$src/$target" ] || [ "$target" = "$layer" ] || target="?$target"
		seen[$target]=1
		case " ${allowed[$layer]} " in
		*" $target "*) ;;
		*) bad+=("${file#"$src"/} includes \"$inc\"") ;;
		esac
	done < <(grep -H '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$src/$layer"/*.[ch] 2>/dev/null)
	deps=$(printf '%s\n' "${!seen[@]}" | grep -vx "$layer" | sort | tr '\n' ' ')
	echo "# src/$layer -> ${deps:-(nothing of ours)}"
	if [ ${#bad[@]} -eq 0 ]; then
		tap_ok "src/$layer includes only: ${allowed[$layer]}"
	else
		tap_not_ok "src/$layer includes only: ${allowed[$layer]}"
		printf '# upward or sideways include: %s\n' "${bad[@]}"
	fi
	unset seen
done

# src/lib is gone for good: nothing may come back to it
if [ -e "$src/lib" ]; then
	tap_not_ok "no src/lib folder" "the library lives in src/{base,pprof,flare,investigate}"
else
	tap_ok "no src/lib folder"
fi
tap_finish
