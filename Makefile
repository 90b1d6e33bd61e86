# cwmpd — see README.md. `make demo` runs the agent against a scripted ACS; `make test` runs
# every test. The OpenWrt package is openwrt/Makefile (a packages-feed Makefile, built by the
# OpenWrt SDK or buildroot); `make test-packaging` runs just its tests.

CARGO ?= cargo
BBF ?= $(CURDIR)/../shared/bbf

# Optional cargo features (off by default) and the tests that cover them: the library's unit
# tests, the conformance test and each feature's own tests are run again with them on (not
# every integration test: the rest does not change with the features).
OPTIONAL_FEATURES := tr181-cellular
OPTIONAL_FEATURE_TESTS := --lib --test tr181_conformance --test cellular_dbus

.PHONY: all build release demo test test-packaging test-luci unit lint fmt bench bench-diagnostics clean \
	cross-setup cross cross-test ipk size size-levers

all: build

build:
	$(CARGO) build

release:
	$(CARGO) build --release

# `cargo run --example` does not build the bin target the example drives: build it first.
demo:
	@$(CARGO) build --quiet --bin cwmpd
	@$(CARGO) run --quiet --example demo

# Every test: formatting, clippy, unit and integration tests (integration tests validate every
# envelope the agent emits with $(BBF)/validate-cwmp.sh, so xmllint must be installed; the LuCI
# tests want node and chromium, and say they skip without them outside CI).
test: lint
	$(CARGO) test --all-targets
	$(CARGO) test --doc
	$(CARGO) test --features $(OPTIONAL_FEATURES) $(OPTIONAL_FEATURE_TESTS)

# The OpenWrt scripts (sh -n, shellcheck, BusyBox ash), the init script against recorded procd
# calls, uci-defaults, hotplug, openwrt/Makefile's install tree, the LuCI view (tests/packaging.rs).
test-packaging:
	$(CARGO) test --test packaging

# The LuCI view loaded in headless Chromium over a stand-in for LuCI's runtime, worked like a
# person would (tests/luci_view.rs, tests/luci/); screenshot in target/luci-cwmpd.png.
test-luci:
	$(CARGO) test --test luci_view

lint:
	$(CARGO) fmt --check
	$(CARGO) clippy --all-targets -- -D warnings
	$(CARGO) clippy --features $(OPTIONAL_FEATURES) $(OPTIONAL_FEATURE_TESTS) -- -D warnings

fmt:
	$(CARGO) fmt

bench:
	$(CARGO) bench

# Accuracy of the native diagnostics, side by side with the standard tools on a veth link in
# network namespaces: DownloadDiagnostics throughput vs curl, IPPing average RTT vs ping
# (benches/diagnostics.rs; needs root, curl and iputils-ping, skips without them).
bench-diagnostics:
	$(CARGO) bench --bench diagnostics

# Cross-builds for OpenWrt targets (scripts/cross.sh over ../shared/cross/build-cross.sh: Debian's
# rustc-web with -Zbuild-std, zig as linker and musl, qemu-user to run tests). The first run
# installs the toolchain (apt-get, PyPI) and takes 3-5 minutes per target; CROSS_TARGET_DIR
# (default target/cross) keeps the builds. Stripped binaries: target/cross/dist/TRIPLE/cwmpd.
CROSS_TARGETS ?= mips-unknown-linux-musl mipsel-unknown-linux-musl \
	armv7-unknown-linux-musleabihf aarch64-unknown-linux-musl
# Big-endian MIPS (ubus blobmsg is big-endian on the wire, netlink host order) and ARM.
CROSS_TEST_TARGETS ?= mips-unknown-linux-musl armv7-unknown-linux-musleabihf
TARGET ?= mipsel-unknown-linux-musl

cross-setup:
	scripts/cross.sh setup

cross:
	scripts/cross.sh build $(CROSS_TARGETS)

# Release build, `cwmpd --version` and the unit tests (cargo test --lib) under qemu-user.
cross-test:
	scripts/cross.sh test $(CROSS_TEST_TARGETS)

# target/ipk/cwmpd_VERSION_ARCH.ipk for $(TARGET), then tests/packaging.rs checks that file.
ipk:
	scripts/cross.sh build $(TARGET)
	@ipk=$$(scripts/ipk.sh $(TARGET)) && echo "$$ipk" && \
		CWMPD_IPK="$$ipk" $(CARGO) test --quiet --test packaging ipk_

# The size budget (mipsel: binary <= 2.0 MB, .ipk <= 1.0 MB) of the binary as the feed builds it
# (dynamic musl, overflow checks on; target/cross-feed) and the biggest contributors;
# size-levers also measures what each build choice costs (a rebuild per choice).
size:
	scripts/size.sh

size-levers:
	scripts/size.sh --levers

clean:
	$(CARGO) clean
