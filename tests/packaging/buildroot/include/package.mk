# A stand-in for include/package.mk: BuildPackage gives each package the targets
#   install-NAME  run Package/NAME/install into $(DESTROOT)/NAME
#   control-NAME  print the fields of its control file and its conffiles
#   postinst-NAME print Package/NAME/postinst
#   description-NAME print Package/NAME/description
# and `prepare` runs Build/Prepare. DEPENDS become the control file's Depends as OpenWrt
# writes them: +pkg is a dependency, @cond and other build-time conditions are dropped, and
# every package but a kmod depends on libc first (include/package-defaults.mk's
# PKG_FIXUP_DEPENDS). Architecture is the package's PKGARCH, else ARCH_PACKAGES if given
# (scripts/ipk.sh passes the target's), else "target".
PKG_BUILD_DIR:=$(BUILD_DIR)/$(PKG_NAME)-$(PKG_VERSION)
PKG_INSTALL_DIR:=$(PKG_BUILD_DIR)/ipkg-install

.PHONY: prepare
prepare:
	$(call Build/Prepare)

define BuildPackage
$(eval $(Package/$(1)))
$(eval DEPENDS_$(1):=$(patsubst +%,%,$(filter +%,$(call PKG_FIXUP_DEPENDS,$(1),$(DEPENDS)))))
$(eval ARCH_$(1):=$(if $(PKGARCH),$(PKGARCH),$(if $(ARCH_PACKAGES),$(ARCH_PACKAGES),target)))
$(eval TITLE_$(1):=$(TITLE))
$(eval SECTION_$(1):=$(SECTION))
$(eval DEPENDS:=)
$(eval PKGARCH:=)

.PHONY: install-$(1) control-$(1) postinst-$(1) description-$(1)
install-$(1):
	$$(call Package/$(1)/install,$$(DESTROOT)/$(1))
control-$(1):
	@echo 'Package: $(1)'
	@echo 'Version: $(PKG_VERSION)-r$(PKG_RELEASE)'
	@echo 'Depends: $$(subst $$(space),$$(comma)$$(space),$$(DEPENDS_$(1)))'
	@echo 'Section: $$(SECTION_$(1))'
	@echo 'Architecture: $$(ARCH_$(1))'
	@echo 'License: $(PKG_LICENSE)'
	@echo 'Description: $$(TITLE_$(1))'
	@printf 'Conffile: %s\n' $$(Package/$(1)/conffiles)
postinst-$(1):
	@printf '%s\n' "$$$$POSTINST"
postinst-$(1): export POSTINST=$$(Package/$(1)/postinst)
description-$(1):
	@printf '%s\n' "$$$$DESCRIPTION"
description-$(1): export DESCRIPTION=$$(Package/$(1)/description)
endef

PKG_DEFAULT_DEPENDS:=+libc
PKG_FIXUP_DEPENDS=$(if $(filter kmod-%,$(1)),$(2),$(PKG_DEFAULT_DEPENDS) $(filter-out $(PKG_DEFAULT_DEPENDS),$(2)))

empty:=
space:=$(empty) $(empty)
comma:=,
