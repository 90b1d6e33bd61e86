# cwmpd — see README.md. `make demo` runs the agent against a scripted ACS; `make test` runs
# every test. Cross-builds and packaging live in the `cross`, `ipk` and `size` targets.

CARGO ?= cargo
BBF ?= $(CURDIR)/../shared/bbf

.PHONY: all build release demo test unit lint fmt bench clean

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
# envelope the agent emits with $(BBF)/validate-cwmp.sh, so xmllint must be installed).
test: lint
	$(CARGO) test --all-targets
	$(CARGO) test --doc

lint:
	$(CARGO) fmt --check
	$(CARGO) clippy --all-targets -- -D warnings

fmt:
	$(CARGO) fmt

bench:
	$(CARGO) bench

clean:
	$(CARGO) clean
