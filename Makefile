# cwmpd — see README.md. `make demo` runs the agent against a scripted ACS; `make test` runs
# every test. The OpenWrt package is openwrt/Makefile (a packages-feed Makefile, built by the
# OpenWrt SDK or buildroot); `make test-packaging` runs just its tests.

CARGO ?= cargo
BBF ?= $(CURDIR)/../shared/bbf

.PHONY: all build release demo test test-packaging test-luci unit lint fmt bench clean

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

fmt:
	$(CARGO) fmt

bench:
	$(CARGO) bench

clean:
	$(CARGO) clean
