# tether.mk: tether's source list, compiler flags and third-party libraries,
# for any Makefile (tether's own included).
#
#   TETHER_DIR := path/to/tether
#   TT_FEATURE_TLS := 0                 # switches, as below (optional)
#   include $(TETHER_DIR)/tether.mk
#   OBJS := $(TETHER_SRCS:$(TETHER_DIR)/%.c=obj/%.o)
#   obj/%.o: $(TETHER_DIR)/%.c | $(TETHER_PREREQS)
#           $(CC) $(CFLAGS) $(TETHER_CFLAGS) -c $< -o $@
#   app: app.o $(OBJS) $(TETHER_LIBS)
#           $(CC) -o $@ $^
#
# Defines:
#   TETHER_SRCS       tether's C files for the switches below, and the port
#   TETHER_CFLAGS     what tether's files are compiled with: -I and -D flags
#   TETHER_APP_CFLAGS what a file that includes <tether/...> needs: the public
#                     headers' directory and the -D switches (the same values
#                     must reach every file, tether's and the application's)
#   TETHER_LIBS       the third-party static libraries to link, each built by
#                     a rule here from its source tree with $(CC) and $(AR)
#   TETHER_PREREQS    order-only prerequisites of compiling: Debian's sources
#                     fetched when no *_DIR is given
#
# Switches: make variables named like the C macros of
# include/tether/config.h; 0 leaves the feature's files (and library) out.
# Left unset, config.h decides (a protocol client is in when what it needs
# is), and its files are listed: they compile to nothing when off.
#   TT_FEATURE_TLS  TT_FEATURE_GZIP  TT_FEATURE_GZIP_REQUEST (0: inflate only)
#   TT_FEATURE_ED25519  TT_FEATURE_SSE
#   TT_FEATURE_JSON_WRITE  TT_FEATURE_JSON_BIND  TT_FEATURE_JSON_STREAM
#   TT_FEATURE_VMM  TT_FEATURE_PLEXD  TT_FEATURE_MAAS  TT_FEATURE_SKYPILOT
#   TT_FEATURE_POOLMGR
#   TT_TLS_MBEDTLS=1     Mbed TLS 3.6 (TLS 1.2 and 1.3) instead of BearSSL
#   TETHER_CONFIG_FILE   a header of overrides of config.h (sizes, limits)
#   TETHER_PORT          posix (default), lwip (add lwIP's include
#                        directories yourself) or none (your own port)
#
# Dependencies: the source trees to use, e.g. the ones a firmware SDK has.
# Unset, tether fetches Debian's source packages into
# $(TETHER_DIR)/build/third_party (tools/fetch-src.sh).
#   BEARSSL_DIR  MBEDTLS_DIR  ZLIB_DIR  JSMN_DIR (the folder of jsmn.h)
#   SODIUM_DIR (a libsodium tree: only Ed25519 verification is compiled)
#   TETHER_LIBDIR        where the libraries are built
#   TETHER_DEP_CFLAGS    their compiler flags (default -O2)

TETHER_DIR ?= .
# the rules below must not become the includer's default goal
tt_goal := $(.DEFAULT_GOAL)
TETHER_PORT ?= posix
TETHER_DEP_CFLAGS ?= -O2
TETHER_LIBDIR ?= $(TETHER_DIR)/build/third_party/lib-$(notdir $(CC))

tt_on = $(filter-out 0,$(if $(TT_FEATURE_$(1)),$(TT_FEATURE_$(1)),1))
tt_third = $(TETHER_DIR)/build/third_party

TETHER_FEATURES := TLS GZIP GZIP_REQUEST ED25519 SSE JSON_WRITE JSON_BIND JSON_STREAM VMM \
	PLEXD MAAS SKYPILOT POOLMGR

# ---- sources -----------------------------------------------------------------
tt_src = $(addprefix $(TETHER_DIR)/core/,$(1))
TETHER_SRCS := $(call tt_src,errors.c url.c http.c client.c base64.c backoff.c \
	timefmt.c json.c json_scan.c gzip.c)
ifneq ($(TT_TLS_MBEDTLS),1)
TETHER_SRCS += $(if $(call tt_on,TLS),$(call tt_src,tls_common.c tls.c tls_load.c tls_x509.c))
else
TETHER_SRCS += $(if $(call tt_on,TLS),$(call tt_src,tls_common.c tls_mbedtls.c))
endif
TETHER_SRCS += $(if $(call tt_on,ED25519),$(call tt_src,ed25519.c))
TETHER_SRCS += $(if $(call tt_on,SSE),$(call tt_src,sse.c sse_stream.c))
TETHER_SRCS += $(if $(call tt_on,JSON_WRITE),$(call tt_src,json_write.c))
TETHER_SRCS += $(if $(call tt_on,JSON_BIND),$(call tt_src,json_bind.c))
TETHER_SRCS += $(if $(call tt_on,JSON_STREAM),$(call tt_src,json_stream.c))
tt_api := $(if $(call tt_on,VMM),api/vmm.c) \
	$(if $(call tt_on,PLEXD),api/plexd.c api/plexd_events.c api/plexd_verify.c) \
	$(if $(call tt_on,MAAS),api/maas.c) $(if $(call tt_on,SKYPILOT),api/skypilot.c) \
	$(if $(call tt_on,POOLMGR),api/poolmgr.c)
TETHER_SRCS += $(if $(strip $(tt_api)),$(call tt_src,api/api.c $(tt_api)))
TETHER_SRCS += $(if $(filter posix,$(TETHER_PORT)),$(TETHER_DIR)/port/posix/port_posix.c \
	$(TETHER_DIR)/port/posix/dns.c)
TETHER_SRCS += $(if $(filter lwip,$(TETHER_PORT)),$(TETHER_DIR)/port/lwip/port_lwip.c)

# ---- flags -------------------------------------------------------------------
TETHER_APP_CFLAGS := -I$(TETHER_DIR)/include \
	$(foreach f,$(TETHER_FEATURES),$(if $(TT_FEATURE_$(f)),-DTT_FEATURE_$(f)=$(TT_FEATURE_$(f))))
ifeq ($(TT_TLS_MBEDTLS),1)
TETHER_APP_CFLAGS += -DTT_TLS_MBEDTLS=1
endif
ifdef TETHER_CONFIG_FILE
TETHER_APP_CFLAGS += -DTETHER_CONFIG_FILE=\"$(notdir $(TETHER_CONFIG_FILE))\" \
	-I$(dir $(TETHER_CONFIG_FILE))
endif

# ---- third-party sources and libraries ---------------------------------------
# Each: the tree given, or Debian's source package (fetched on first use);
# its library is compiled by tools/build-NAME.sh with $(CC).
JSMN_DIR ?= $(tt_third)/jsmn
BEARSSL_DIR ?= $(tt_third)/bearssl
MBEDTLS_DIR ?= $(tt_third)/mbedtls
ZLIB_DIR ?= $(tt_third)/zlib
SODIUM_DIR ?= $(tt_third)/libsodium

TETHER_PREREQS := $(if $(filter $(tt_third)/%,$(JSMN_DIR)),$(JSMN_DIR)/.unpacked)
TETHER_CFLAGS = $(TETHER_APP_CFLAGS) -I$(TETHER_DIR)/core -I$(JSMN_DIR)
TETHER_LIBS :=

# name, Debian source package/release, include dirs, library
define tt_dep
ifneq ($(call tt_on,$(1)),)
TETHER_CFLAGS += $(4)
TETHER_LIBS += $(TETHER_LIBDIR)/$(2)/lib$(2).a
TETHER_PREREQS += $(if $(filter $(tt_third)/%,$($(3))),$($(3))/.unpacked)
$(TETHER_LIBDIR)/$(2)/lib$(2).a: | $(if $(filter $(tt_third)/%,$($(3))),$($(3))/.unpacked)
	@$(TETHER_DIR)/tools/build-$(5).sh "$$(CC)" "$$(AR)" $$@ "$$(TETHER_DEP_CFLAGS)" $($(3))
endif
endef
ifeq ($(TT_TLS_MBEDTLS),1)
$(eval $(call tt_dep,TLS,mbedtls,MBEDTLS_DIR,-I$(TETHER_DIR)/config/mbedtls \
	-I$(MBEDTLS_DIR)/include '-DMBEDTLS_CONFIG_FILE="tt_mbedtls_config.h"',mbedtls))
# rebuilt when its configuration changes
$(TETHER_LIBDIR)/mbedtls/libmbedtls.a: $(TETHER_DIR)/config/mbedtls/tt_mbedtls_config.h
else
$(eval $(call tt_dep,TLS,bearssl,BEARSSL_DIR,-I$(BEARSSL_DIR)/inc,bearssl))
endif
$(eval $(call tt_dep,GZIP,z,ZLIB_DIR,-I$(ZLIB_DIR),zlib))
$(eval $(call tt_dep,ED25519,sodium-ed25519,SODIUM_DIR,-I$(SODIUM_DIR)/src/libsodium/include/sodium,sodium))

# jsmn is one header: Debian's libjsmn-dev (its source package lacks a
# fetchable Debian part on the mirrors), copied so that musl and cross
# compilers, which do not search /usr/include, find it
$(tt_third)/jsmn/.unpacked: /usr/include/jsmn.h
	@mkdir -p $(dir $@) && cp $< $(dir $@)jsmn.h && touch $@

# Debian's sources, pinned to their release
$(tt_third)/%/.unpacked:
	@$(TETHER_DIR)/tools/fetch-src.sh $*/$(if $(filter mbedtls,$*),trixie,bookworm)

# For other build systems (CMake's execute_process, an IDF or Zephyr
# component script): the lists above, one per line.
#   make -s -f path/to/tether.mk TETHER_DIR=path/to [switches] tether-vars
.PHONY: tether-vars
tether-vars:
	@echo "TETHER_SRCS=$(strip $(TETHER_SRCS))"
	@echo "TETHER_CFLAGS=$(strip $(TETHER_CFLAGS))"
	@echo "TETHER_APP_CFLAGS=$(strip $(TETHER_APP_CFLAGS))"
	@echo "TETHER_LIBS=$(strip $(TETHER_LIBS))"

.DEFAULT_GOAL := $(tt_goal)
