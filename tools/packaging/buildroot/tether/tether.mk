################################################################################
#
# tether
#
################################################################################

# the tether release to build: set both to it
TETHER_VERSION = main
TETHER_SITE = https://git.example.com/tether.git
TETHER_SITE_METHOD = git
TETHER_LICENSE = MIT
TETHER_LICENSE_FILES = LICENSE

# the third-party trees tether compiles itself, as Debian ships them
# (jsmn: its 1.1.0 tag)
TETHER_EXTRA_DOWNLOADS = \
	http://deb.debian.org/debian/pool/main/b/bearssl/bearssl_0.6+dfsg.1.orig.tar.xz \
	http://deb.debian.org/debian/pool/main/z/zlib/zlib_1.2.13.dfsg.orig.tar.bz2 \
	http://deb.debian.org/debian/pool/main/libs/libsodium/libsodium_1.0.18.orig.tar.gz \
	https://raw.githubusercontent.com/zserge/jsmn/fdcef3ebf886fa210d14956d3c068a653e76a24e/jsmn.h

TETHER_DEPS_DIR = $(@D)/deps

define TETHER_UNPACK_DEPS
	mkdir -p $(TETHER_DEPS_DIR)/jsmn
	$(foreach f,bearssl_0.6+dfsg.1.orig.tar.xz zlib_1.2.13.dfsg.orig.tar.bz2 \
		libsodium_1.0.18.orig.tar.gz,\
		tar -xf $(TETHER_DL_DIR)/$(f) -C $(TETHER_DEPS_DIR)$(sep))
	cp $(TETHER_DL_DIR)/jsmn.h $(TETHER_DEPS_DIR)/jsmn/
endef
TETHER_POST_EXTRACT_HOOKS += TETHER_UNPACK_DEPS

# NODEPS: never apt; the switches and profile of `make bmc`
TETHER_MAKE_OPTS = NODEPS=1 SMALL=1 BUILD=build/br CC="$(TARGET_CC)" AR="$(TARGET_AR)" \
	BEARSSL_DIR=$(TETHER_DEPS_DIR)/bearssl-0.6 \
	ZLIB_DIR=$(TETHER_DEPS_DIR)/zlib-1.2.13.dfsg \
	SODIUM_DIR=$(TETHER_DEPS_DIR)/libsodium-1.0.18 \
	JSMN_DIR=$(TETHER_DEPS_DIR)/jsmn \
	TETHER_CONFIG_FILE=config/profiles/bmc.h TT_FEATURE_VMM=0 TT_FEATURE_MAAS=0 \
	TT_FEATURE_SKYPILOT=0 TT_FEATURE_POOLMGR=0

define TETHER_BUILD_CMDS
	$(TARGET_MAKE_ENV) $(MAKE) -C $(@D) $(TETHER_MAKE_OPTS) cli
endef

define TETHER_INSTALL_TARGET_CMDS
	$(INSTALL) -D -m 0755 $(@D)/build/br/tether $(TARGET_DIR)/usr/bin/tether
endef

$(eval $(generic-package))
