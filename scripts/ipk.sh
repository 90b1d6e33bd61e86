#!/usr/bin/env bash
# Build cwmpd_VERSION_ARCH.ipk for one target from a cross-built binary (`make ipk TARGET=…`),
# laid out exactly as the feed package (openwrt/Makefile) would be:
#
# - the file tree: openwrt/Makefile's own Build/Prepare and Package/cwmpd/install sections,
#   run against the stand-in buildroot tests/packaging uses (same install modes as OpenWrt's);
# - the control file: Package, Version (PKG_VERSION-PKG_RELEASE), Depends (the package's
#   +DEPENDS after OpenWrt's implicit libc), SourceName, License, Section, Architecture,
#   Installed-Size and Description as include/package-pack.mk writes them; conffiles from
#   Package/cwmpd/conffiles; postinst/prerm are package-pack.mk's defaults (default_postinst
#   runs the uci-defaults script and enables and starts the service, default_prerm stops and
#   disables it);
# - the archive: what OpenWrt's scripts/ipkg-build makes and opkg reads — a gzip'd tar (GNU
#   format, numeric owner root:root, sorted names) of ./debian-binary ("2.0"), ./data.tar.gz
#   and ./control.tar.gz. OpenWrt's opkg reads only this form: its deb_extract walks the outer
#   archive as a gzip'd tar, so a Debian-style `ar` archive would not install.
#
# Usage: scripts/ipk.sh TRIPLE
# Environment:
#   BINARY   the cwmpd to package (default: scripts/cross.sh's stripped build for TRIPLE)
#   IPK_DIR  where the .ipk goes (default: target/ipk)
#   PKGARCH  opkg architecture (default per TRIPLE: mips_24kc, mipsel_24kc,
#            arm_cortex-a7_neon-vfpv4, aarch64_cortex-a53; must be one `opkg print-architecture`
#            lists on the router — e.g. arm_cortex-a9_vfpv3-d16 for mvebu, aarch64_generic)
#   SOURCE_DATE_EPOCH  timestamps inside the archives (default: the last commit's time)
# Prints the path of the .ipk.
set -euo pipefail
umask 022

REPO="$(cd "$(dirname "$0")/.." && pwd)"
triple="${1:?usage: $0 TRIPLE}"
binary="${BINARY:-$("$REPO/scripts/cross.sh" dist "$triple")}"
ipk_dir="${IPK_DIR:-$REPO/target/ipk}"

if [ -z "${PKGARCH:-}" ]; then
    case "$triple" in
        mips-*) PKGARCH=mips_24kc ;;
        mipsel-*) PKGARCH=mipsel_24kc ;;
        armv7-*) PKGARCH=arm_cortex-a7_neon-vfpv4 ;;
        aarch64-*) PKGARCH=aarch64_cortex-a53 ;;
        *)
            echo "ipk: no OpenWrt architecture known for $triple; set PKGARCH" >&2
            exit 1
            ;;
    esac
fi
[ -f "$binary" ] || {
    echo "ipk: $binary missing: run scripts/cross.sh build $triple (make cross) first" >&2
    exit 1
}
epoch="${SOURCE_DATE_EPOCH:-$(git -C "$REPO" log -1 --format=%ct 2>/dev/null || echo 0)}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# openwrt/Makefile against the stand-in buildroot.
feed_make() {
    make -s --no-print-directory -C "$REPO/openwrt" \
        TOPDIR="$REPO/tests/packaging/buildroot" BUILD_DIR="$work/build_dir" \
        DESTROOT="$work/root" ARCH_PACKAGES="$PKGARCH" "$@"
}
feed_make prepare
control_fields="$(feed_make control-cwmpd)"
field() { printf '%s\n' "$control_fields" | sed -n "s/^$1: //p"; }
pkg="$(field Package)"
version="$(field Version)"
# What `cargo install` leaves for Package/cwmpd/install: PKG_INSTALL_DIR/bin/cwmpd.
pkg_install_dir="$work/build_dir/$pkg-${version%-r*}/ipkg-install"
mkdir -p "$pkg_install_dir/bin"
cp "$binary" "$pkg_install_dir/bin/cwmpd"
feed_make "install-$pkg"

data="$work/root/$pkg"
control="$work/CONTROL"
mkdir -p "$control" "$work/ipk"
chmod 0755 "$data"

tar_gz() { # tar_gz DIR OUT FILE... — GNU tar as ipkg-build runs it, root-owned
    local dir="$1" out="$2"
    shift 2
    tar -C "$dir" --format=gnu --numeric-owner --owner=0 --group=0 --sort=name \
        --mtime="@$epoch" -cf - "$@" | gzip -9n >"$out"
}

tar_gz "$data" "$work/ipk/data.tar.gz" .
installed_size="$(gzip -dc "$work/ipk/data.tar.gz" | wc -c)"

{
    echo "Package: $pkg"
    echo "Version: $version"
    echo "Depends: $(field Depends)"
    echo "SourceName: $pkg"
    echo "License: $(field License)"
    echo "Section: $(field Section)"
    echo "SourceDateEpoch: $epoch"
    echo "Architecture: $(field Architecture)"
    echo "Installed-Size: $installed_size"
    # package-pack.mk: each line of Package/NAME/description indented by one space.
    printf 'Description: '
    feed_make "description-$pkg" | sed -e '/^[[:space:]]*$/d' -e 's,^[[:space:]]*, ,'
} >"$control/control"
field Conffile | sed '/^$/d' | LC_ALL=C sort >"$control/conffiles"
[ -s "$control/conffiles" ] || rm "$control/conffiles"
# include/package-pack.mk's default maintainer scripts, as the feed's package gets them.
cat >"$control/postinst" <<'EOF'
#!/bin/sh
[ "${IPKG_NO_SCRIPT}" = "1" ] && exit 0
[ -s ${IPKG_INSTROOT}/lib/functions.sh ] || exit 0
. ${IPKG_INSTROOT}/lib/functions.sh
default_postinst $0 $@
EOF
cat >"$control/prerm" <<'EOF'
#!/bin/sh
[ -s ${IPKG_INSTROOT}/lib/functions.sh ] || exit 0
. ${IPKG_INSTROOT}/lib/functions.sh
default_prerm $0 $@
EOF
chmod 0644 "$control"/control "$control"/conffiles 2>/dev/null || chmod 0644 "$control/control"
chmod 0755 "$control/postinst" "$control/prerm" "$control"

tar_gz "$control" "$work/ipk/control.tar.gz" .
echo "2.0" >"$work/ipk/debian-binary"

mkdir -p "$ipk_dir"
out="$ipk_dir/${pkg}_${version}_$(field Architecture).ipk"
tar -C "$work/ipk" --format=gnu --numeric-owner --owner=0 --group=0 --mtime="@$epoch" \
    -cf - ./debian-binary ./data.tar.gz ./control.tar.gz | gzip -9n >"$out.tmp"
mv "$out.tmp" "$out"
echo "$out"
