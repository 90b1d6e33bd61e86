#!/usr/bin/env bash
# Cross-builds for OpenWrt targets, behind `make cross`, `make cross-test`, `make ipk` and
# `make size`. The toolchain is ../shared/cross/build-cross.sh (Debian's rustc-web with
# -Zbuild-std, zig as linker and libc, qemu-user as test runner; see its README); this script
# adds what the project wants on top:
#
#   scripts/cross.sh setup                 install the toolchain (apt-get, PyPI; once)
#   scripts/cross.sh build TRIPLE...       release build (left unstripped in
#                                          $CARGO_TARGET_DIR/TRIPLE/release/cwmpd), then the
#                                          stripped binary the package ships:
#                                          $CARGO_TARGET_DIR/dist/TRIPLE/cwmpd
#   scripts/cross.sh test TRIPLE...        build, `cwmpd --version` and `cargo test --lib` under
#                                          qemu-user
#   scripts/cross.sh dist TRIPLE           print the path of that stripped binary
#   scripts/cross.sh strip IN OUT          strip a binary of any target (rust-objcopy / llvm-strip)
#
# Environment:
#   CROSS_TARGET_DIR    cargo target dir (default: target/cross, or target/cross-dynamic for
#                       CROSS_LINK=dynamic); CI points it at its cache
#   CROSS_LINK          "static" (default): static, non-PIE — runs under qemu-user as it is;
#                       "dynamic": as the OpenWrt feed links Rust packages (lang/rust/
#                       rust-values.mk: CARGO_RUSTFLAGS += -Ctarget-feature=-crt-static), a PIE
#                       that wants /lib/ld-musl-<arch>-sf.so.1 and libc.so; build only
#   CROSS_TOOLS_DIR     build-cross.sh's venv and qemu downloads (default ~/.cache/openwrt-cross)
#   QEMU_SUITE          default "trixie": bookworm's qemu 7.2 loses the netlink interface dump
#                       on big-endian MIPS (musl's getifaddrs never returns); set it empty to
#                       use bookworm's qemu-user-static
#   CROSS_STD_FEATURES  -Zbuild-std-features for release builds (default
#                       "panic-unwind,optimize_for_size": std without its backtrace symbolizer,
#                       tuned for size; `make size` prints what each choice costs)
#   CROSS_CARGO_ARGS    more cargo arguments for release builds, e.g. "--features xmpp"
#   BUILD_CROSS         the toolchain script (default ../shared/cross/build-cross.sh)
set -euo pipefail

REPO="$(cd "$(dirname "$0")/.." && pwd)"
BUILD_CROSS="${BUILD_CROSS:-$REPO/../shared/cross/build-cross.sh}"
export QEMU_SUITE="${QEMU_SUITE-trixie}"
case "${CROSS_LINK:-static}" in
    static) default_target_dir="$REPO/target/cross" ;;
    dynamic)
        default_target_dir="$REPO/target/cross-dynamic"
        # RUSTFLAGS wins over build-cross.sh's per-target static flags; zig links musl
        # dynamically only when asked (-dynamic).
        export RUSTFLAGS="-C target-feature=-crt-static -C link-self-contained=no -C link-arg=-dynamic"
        ;;
    *)
        printf '[cross] CROSS_LINK must be static or dynamic\n' >&2
        exit 2
        ;;
esac
export CARGO_TARGET_DIR="${CROSS_TARGET_DIR:-$default_target_dir}"
CROSS_STD_FEATURES="${CROSS_STD_FEATURES-panic-unwind,optimize_for_size}"
read -r -a CARGO_ARGS <<<"${CROSS_CARGO_ARGS:-}"

log() { printf '[cross] %s\n' "$*" >&2; }

[ -x "$BUILD_CROSS" ] || {
    log "$BUILD_CROSS not found (set BUILD_CROSS to build-cross.sh)"
    exit 1
}
cd "$REPO"

dist_path() { echo "$CARGO_TARGET_DIR/dist/$1/cwmpd"; }

# The runner build-cross.sh configures for a target (a qemu-user binary).
runner() {
    local var
    var="CARGO_TARGET_$(echo "$1" | tr 'a-z-' 'A-Z_')_RUNNER"
    (
        eval "$("$BUILD_CROSS" env "$1")"
        printf '%s\n' "${!var}"
    )
}

# --strip-all with an objcopy that knows every ELF target: rustup's own rust-objcopy (ships
# with rustc), else LLVM's. Unlike the linker's --strip-all (the release profile's
# strip = true), it also drops MIPS's .pdr section, about 0.27 MB that nothing reads at run
# time — as OpenWrt's own strip step does for the feed's packages.
strip_binary() {
    local sysroot host tool
    sysroot="$(rustc --print sysroot 2>/dev/null || true)"
    host="$(rustc -vV 2>/dev/null | sed -n 's/^host: //p')"
    tool="$sysroot/lib/rustlib/$host/bin/rust-objcopy"
    if [ -n "$sysroot" ] && [ -x "$tool" ]; then
        LD_LIBRARY_PATH="$sysroot/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$tool" --strip-all "$1" "$2"
    elif command -v llvm-strip >/dev/null; then
        llvm-strip --strip-all -o "$2" "$1"
    else
        log "no rust-objcopy (rustup) or llvm-strip to strip $1 with"
        exit 1
    fi
}

build() {
    local t start features=()
    [ -z "$CROSS_STD_FEATURES" ] || features=("-Zbuild-std-features=$CROSS_STD_FEATURES")
    for t in "$@"; do
        start=$SECONDS
        # Linked unstripped (scripts/size.sh reads its symbols); the shipped copy is stripped below.
        CARGO_PROFILE_RELEASE_STRIP=false TARGETS="$t" \
            "$BUILD_CROSS" build --locked "${features[@]}" "${CARGO_ARGS[@]}"
        mkdir -p "$(dirname "$(dist_path "$t")")"
        strip_binary "$CARGO_TARGET_DIR/$t/release/cwmpd" "$(dist_path "$t")"
        log "$t: $(dist_path "$t"): $(stat -c %s "$(dist_path "$t")") bytes ($((SECONDS - start)) s)"
    done
}

cross_test() {
    local t start qemu version expected
    if [ "${CROSS_LINK:-static}" != static ]; then
        log "qemu-user runs the static builds only (CROSS_LINK=static)"
        exit 2
    fi
    expected="cwmpd $(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)"
    for t in "$@"; do
        build "$t"
        start=$SECONDS
        qemu="$(runner "$t")"
        version="$("$qemu" "$(dist_path "$t")" --version)"
        [ "$version" = "$expected" ] || {
            log "$t: cwmpd --version printed '$version', expected '$expected'"
            exit 1
        }
        log "$t: $(basename "$qemu") cwmpd --version: $version"
        TARGETS="$t" "$BUILD_CROSS" test --locked --lib
        log "$t: unit tests under $(basename "$qemu") passed ($((SECONDS - start)) s)"
    done
}

cmd="${1:-}"
shift || true
case "$cmd" in
    setup) "$BUILD_CROSS" setup ;;
    build) build "$@" ;;
    test) cross_test "$@" ;;
    dist) dist_path "${1:?target triple}" ;;
    strip) strip_binary "${1:?input}" "${2:?output}" ;;
    *)
        log "usage: $0 setup|build TRIPLE...|test TRIPLE...|dist TRIPLE|strip IN OUT"
        exit 2
        ;;
esac
