# A stand-in for the OpenWrt buildroot's rules.mk, just enough to run openwrt/Makefile's
# Build/Prepare and install sections on the host (tests/packaging.rs). Same install modes
# as the real one.
INCLUDE_DIR:=$(TOPDIR)/include
BUILD_DIR?=$(TOPDIR)/build_dir
INSTALL_DIR:=install -d -m0755
INSTALL_BIN:=install -m0755
INSTALL_DATA:=install -m0644
INSTALL_CONF:=install -m0600
CP:=cp -fpR
