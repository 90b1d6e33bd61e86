#!/usr/bin/env bash
# `make size`: the size budget of issue 7 — the stripped cwmpd for mipsel-unknown-linux-musl
# with default features ≤ 2.0 MB, its .ipk ≤ 1.0 MB (MB = 10^6 bytes) — and what the binary is
# made of, so that a regression shows where it came from.
#
# The binary measured is built the way the OpenWrt feed builds Rust packages
# (lang/rust/rust-values.mk and rust-package.mk): release profile with opt-level z, LTO, one
# codegen unit, panic=unwind, overflow checks ON, and musl linked dynamically
# (-Ctarget-feature=-crt-static, a PIE). What stays ours is std: -Zbuild-std with
# $CROSS_STD_FEATURES (scripts/cross.sh), where the feed links its toolchain's prebuilt std.
#
#   scripts/size.sh            build (scripts/cross.sh, CROSS_LINK=dynamic) and package
#                              (scripts/ipk.sh) for $SIZE_TARGET, print both sizes against the
#                              budgets, the sections, the bytes per crate and the biggest
#                              symbols (GNU nm on the unstripped build, demangled)
#   scripts/size.sh --levers   also rebuild with each build choice flipped and print what it
#                              costs or saves (3-6 minutes per variant, in $target_dir-levers)
#
# Environment: SIZE_TARGET (default mipsel-unknown-linux-musl), BIN_BUDGET / IPK_BUDGET (bytes),
# SIZE_ENFORCE=1 to exit 1 when over budget; CROSS_TARGET_DIR (default target/cross) + "-feed"
# is the build directory; CROSS_* otherwise as for scripts/cross.sh.
set -euo pipefail

REPO="$(cd "$(dirname "$0")/.." && pwd)"
target="${SIZE_TARGET:-mipsel-unknown-linux-musl}"
bin_budget="${BIN_BUDGET:-2000000}"
ipk_budget="${IPK_BUDGET:-1000000}"
target_dir="${CROSS_TARGET_DIR:-$REPO/target/cross}-feed"
levers=0
[ "${1:-}" != "--levers" ] || levers=1
# The feed's choices (see above); a lever flips one of them.
feed=(CROSS_LINK=dynamic CARGO_PROFILE_RELEASE_OVERFLOW_CHECKS=true)

env "${feed[@]}" CROSS_TARGET_DIR="$target_dir" "$REPO/scripts/cross.sh" build "$target" >&2
bin="$(env "${feed[@]}" CROSS_TARGET_DIR="$target_dir" "$REPO/scripts/cross.sh" dist "$target")"
unstripped="$target_dir/$target/release/cwmpd"
ipk="$(BINARY="$bin" IPK_DIR="$target_dir/ipk" "$REPO/scripts/ipk.sh" "$target")"

mb() { awk -v b="$1" 'BEGIN { printf "%.2f MB", b / 1e6 }'; }
verdict() { # verdict SIZE BUDGET
    if [ "$1" -le "$2" ]; then
        echo "ok, $(mb $(($2 - $1))) to spare"
    else
        echo "OVER by $(mb $(($1 - $2))) ($(awk -v s="$1" -v b="$2" 'BEGIN { printf "%d", 100 * (s - b) / b }')%)"
    fi
}

bin_size="$(stat -c %s "$bin")"
ipk_size="$(stat -c %s "$ipk")"
echo "== cwmpd for $target as the feed builds it (default features, dynamic musl, overflow checks, panic=unwind, stripped)"
printf '%-10s %9d bytes  %s  budget %s: %s\n' binary "$bin_size" "$(mb "$bin_size")" \
    "$(mb "$bin_budget")" "$(verdict "$bin_size" "$bin_budget")"
printf '%-10s %9d bytes  %s  budget %s: %s\n' .ipk "$ipk_size" "$(mb "$ipk_size")" \
    "$(mb "$ipk_budget")" "$(verdict "$ipk_size" "$ipk_budget")"
echo "           $bin"
echo "           $ipk"
needed="$(readelf -d "$bin" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')"
[ -z "$needed" ] || echo "           links against: $needed(the router's musl)"

echo
echo "== sections of the stripped binary (bytes)"
size -A "$bin" | awk 'NR > 2 && $2 > 0 && $1 != "Total" { printf "%9d  %s\n", $2, $1 }' | sort -rn | head -12

syms="$(mktemp)"
trap 'rm -f "$syms"' EXIT
nm -S --size-sort -t d -C "$unstripped" >"$syms"
echo
echo "== bytes per crate (symbol sizes in the unstripped build; code, constants, statics)"
awk -f "$REPO/scripts/size-breakdown.awk" "$syms" | sort -rn | awk -F '\t' '
    $2 == "[total]" { total = $1; next }
    { row[++n] = $0 }
    END {
        for (i = 1; i <= n && i <= 30; i++) {
            split(row[i], f, "\t")
            printf "%9d  %5.1f%%  %s\n", f[1], 100 * f[1] / total, f[2]
        }
        printf "%9d  100.0%%  (all symbols; the rest of the file is unwind tables and headers)\n", total
    }'
echo
echo "== biggest symbols"
sort -k2,2n "$syms" | tail -15 | sort -k2,2nr | awk '{ name = $0; sub(/^[^ ]+ +[^ ]+ +[^ ]+ +/, "", name); printf "%9d  %s\n", $2, substr(name, 1, 150) }'

if [ "$levers" = 1 ]; then
    echo
    echo "== levers: the stripped binary with one choice changed (vs $bin_size bytes)"
    lever() { # lever DESCRIPTION ENV...
        local what="$1" size
        shift
        env "${feed[@]}" "$@" CROSS_TARGET_DIR="$target_dir-levers" "$REPO/scripts/cross.sh" build "$target" >&2
        size="$(stat -c %s "$(CROSS_TARGET_DIR="$target_dir-levers" "$REPO/scripts/cross.sh" dist "$target")")"
        printf '%9d  %+8d  %s\n' "$size" "$((size - bin_size))" "$what"
    }
    lever "static musl, non-PIE (make cross; the feed links dynamically)" CROSS_LINK=static
    lever "overflow checks off (our own release profile; the feed turns them on)" \
        CARGO_PROFILE_RELEASE_OVERFLOW_CHECKS=false
    lever "std with its backtrace symbolizer (cargo's default build-std features)" CROSS_STD_FEATURES=
    lever "std without optimize_for_size" CROSS_STD_FEATURES=panic-unwind
    lever "opt-level s instead of z" CARGO_PROFILE_RELEASE_OPT_LEVEL=s
    lever "panic=abort (for comparison only: the feed builds with panic=unwind)" CARGO_PROFILE_RELEASE_PANIC=abort
fi

if [ "${SIZE_ENFORCE:-0}" = 1 ] && { [ "$bin_size" -gt "$bin_budget" ] || [ "$ipk_size" -gt "$ipk_budget" ]; }; then
    exit 1
fi
