# tether — the one build entry.
#
#   make               libtether.a and the CLI build/tether (BearSSL, TLS 1.2);
#                      make TLS=mbedtls: the same in build/mbedtls (TLS 1.3 too)
#   make test          every test (unit, sanitizers, integration); last line
#                      "N passed, N failed"
#   make check         the unit suites only, in seconds
#   make deps          install every target's Debian packages (make and make
#                      static only name what is missing)
#   make demo          the tour against loopback servers
#   make static        x86-64 static binary with musl-gcc and Mbed TLS (TLS 1.2
#                      and 1.3): build/tether-static
#   make bench         benchmarks against curl and picohttpparser
#   make soak          30 minutes of an agent under random faults (SOAK_SECONDS)
#   make coverage      line and branch coverage of core/ and port/ (lcov)
#   make size-report   footprint: Cortex-M4 core, TLS, RAM per profile, static CLI
#   make fuzz          build the libFuzzer targets (every parser and decoder)
#   make fuzz-run SECONDS=N   run each for N seconds (RUNS=N: executions);
#                      crashing inputs land in tests/fuzz/regress/<target>/
#   make clean
#
# Knobs: CC, OPT, TETHER_CONFIG_FILE=myopts.h (overrides of
# config/tether_config.h), SAN=1 (ASan+UBSan), BUILD=dir, TLS=bearssl|mbedtls.

# CROSS=aarch64-linux-gnu- (or arm-linux-gnueabihf-): static binaries for
# ARM Linux BMCs into build/cross-TRIPLE, linked with musl (a static glibc
# cannot resolve names): Debian's cross gcc with musl built for the triple
# (tools/build-musl.sh) as the compiler, TRIPLE-musl-gcc; the third-party
# libraries are built with it too (lib-TRIPLE-musl-gcc)
# TLS=mbedtls builds go to their own folder (build/mbedtls,
# build/cross-TRIPLE-mbedtls) unless BUILD is given: objects compiled for
# one backend must never be linked with the other's
TLS ?= bearssl
TLS_DIR_SUFFIX := $(if $(filter mbedtls,$(TLS)),-mbedtls)
ifdef CROSS
MUSL_CC := $(CURDIR)/build/third_party/musl-$(CROSS:-=)/bin/$(CROSS)musl-gcc
CC := $(MUSL_CC)
AR := $(CROSS)ar
BUILD ?= build/cross-$(patsubst %-,%,$(CROSS))$(TLS_DIR_SUFFIX)
LDFLAGS += -static
endif
BUILD ?= build$(subst -,/,$(TLS_DIR_SUFFIX))
# SMALL=1: built for size, as the static binaries are (make static, bmc,
# cross-build): -Os, a section per function and object so that the link
# drops what nothing calls, the third-party libraries too (in their own
# folder: objects built with other flags are never mixed in)
ifeq ($(SMALL),1)
OPT ?= -Os -ffunction-sections -fdata-sections
TETHER_DEP_CFLAGS ?= $(OPT)
TETHER_LIBDIR ?= build/third_party/lib-$(notdir $(CC))-small
SMALL_LDFLAGS := -Wl,--gc-sections
endif
OPT ?= -O2
SAN ?= 0
AR ?= ar

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CFLAGS_ALL := -std=c99 $(WARN) -g $(OPT) $(CFLAGS)

# Sources, flags and third-party libraries come from tether.mk, as for any
# firmware tree that embeds tether; its switches are make variables
# (TT_FEATURE_TLS=0 ...). BearSSL, zlib and the libsodium subset are
# compiled from Debian's sources with this toolchain, shared by every build
# variant of it (sanitizers are not needed inside them). TLS=bearssl (TLS
# 1.2, the smallest; the default) or TLS=mbedtls (Mbed TLS 3.6 from
# trixie's source package: TLS 1.2 and 1.3).
ifeq ($(TLS),mbedtls)
TT_TLS_MBEDTLS := 1
else ifneq ($(TLS),bearssl)
$(error TLS must be bearssl or mbedtls)
endif
TETHER_DIR := .
include tether.mk
DEP_LIBS := $(TETHER_LIBS)
ifdef CROSS
TETHER_PREREQS += $(MUSL_CC)
$(DEP_LIBS): | $(MUSL_CC)
$(MUSL_CC):
	@tools/build-musl.sh $(CROSS:-=)
endif

CPPFLAGS_ALL := $(TETHER_CFLAGS) -Iport/mock $(CPPFLAGS)
LDFLAGS_ALL := $(LDFLAGS) $(SMALL_LDFLAGS)
ifeq ($(SAN),1)
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
CFLAGS_ALL += $(SANFLAGS)
LDFLAGS_ALL += $(SANFLAGS)
endif

PORT_SRC := port/posix/port_posix.c port/posix/dns.c
CORE_SRC := $(patsubst ./%,%,$(filter-out $(addprefix %/,$(PORT_SRC)),$(TETHER_SRCS)))
FUZZ_TARGETS := json sse url http bind pem proto x509
MOCK_SRC := port/mock/port_mock.c
CLI_SRC  := $(wildcard tools/tether/*.c)
UNIT_SRC := $(wildcard tests/unit/*.c)
INTEG_SRC := $(wildcard tests/integ/*.c)

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))
CORE_OBJ := $(call obj,$(CORE_SRC))
PORT_OBJ := $(call obj,$(PORT_SRC))
MOCK_OBJ := $(call obj,$(MOCK_SRC))
CLI_OBJ  := $(call obj,$(CLI_SRC))
UNIT_OBJ := $(call obj,$(UNIT_SRC) tests/testlib.c)
INTEG_OBJ := $(call obj,$(INTEG_SRC) tests/testlib.c)

LIB := $(BUILD)/libtether.a
CLI := $(BUILD)/tether

.PHONY: all lib cli deps install check test tests-build static bmc demo bench fuzz fuzz-run soak coverage size-report test-cross boot-test clean check-alloc FORCE
.DEFAULT_GOAL := all

# make and make static only check for the compilers (tools/deps.sh
# --check); make deps installs what every target needs, and make test and
# make demo call it for theirs
all:
ifndef NODEPS
	@tools/deps.sh --check build
endif
	@$(MAKE) --no-print-directory lib cli NODEPS=1

deps:
	@tools/deps.sh build test static cross size demo boot

lib: $(LIB)
cli: $(CLI)

# V=1 shows the commands
Q := $(if $(filter 1,$(V)),,@)

$(BUILD)/obj/%.o: %.c | $(TETHER_PREREQS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<",true)
	$(Q)$(CC) $(CPPFLAGS_ALL) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

$(LIB): $(CORE_OBJ) $(PORT_OBJ)
	@rm -f $@
	$(Q)$(AR) rcs $@ $^

$(CLI): $(CLI_OBJ) $(LIB) $(DEP_LIBS)
	@$(if $(Q),echo "  LINK    $@",true)
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $(CLI_OBJ) $(LIB) $(DEP_LIBS)

$(BUILD)/tests/unit: $(UNIT_OBJ) $(MOCK_OBJ) $(LIB) $(DEP_LIBS)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $(UNIT_OBJ) $(MOCK_OBJ) $(LIB) $(DEP_LIBS) $(EXTRA_LIBS) -lpthread

$(BUILD)/tests/integ: $(INTEG_OBJ) $(LIB) $(DEP_LIBS)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $(INTEG_OBJ) $(LIB) $(DEP_LIBS) -lpthread

$(BUILD)/tests/fuzz_replay_%: $(call obj,tests/fuzz/replay.c) $(BUILD)/obj/tests/fuzz/fuzz_%.o \
		$(MOCK_OBJ) $(LIB) $(DEP_LIBS)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $^

# every object of the library linked whole (tests/features.sh)
$(BUILD)/link-check: $(call obj,tests/link_check.c) $(LIB) $(DEP_LIBS)
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $< -Wl,--whole-archive $(LIB) -Wl,--no-whole-archive $(DEP_LIBS)

tests-build: $(BUILD)/tests/unit $(BUILD)/tests/integ $(CLI) \
	$(patsubst %,$(BUILD)/tests/fuzz_replay_%,$(FUZZ_TARGETS))

# libFuzzer: one target per parser and decoder (tests/fuzz/fuzz_*.c). The
# sources of core/ and the mock port are compiled into each target with
# coverage instrumentation and sanitizers; BearSSL is compiled with clang
# and ASan for them (the PEM and key decoders are fuzzed through it).
FUZZ_BINS := $(patsubst %,build/fuzz/fuzz_%,$(FUZZ_TARGETS))
FUZZ_FLAGS := -std=c99 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_BEARSSL := build/third_party/bearssl-fuzz/libbearssl.a
FUZZ_ZLIB := build/third_party/zlib-fuzz/libz.a
FUZZ_SODIUM := build/third_party/sodium-fuzz/libsodium-ed25519.a
$(FUZZ_BEARSSL): | $(BEARSSL_DIR)/.unpacked
	@tools/build-bearssl.sh clang ar $@ "-O1 -g -fsanitize=address -fsanitize=fuzzer-no-link"
$(FUZZ_ZLIB): | $(ZLIB_DIR)/.unpacked
	@tools/build-zlib.sh clang ar $@ "-O1 -g"
$(FUZZ_SODIUM): | $(SODIUM_DIR)/.unpacked
	@tools/build-sodium.sh clang ar $@ "-O1 -g"
build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(CORE_SRC) $(MOCK_SRC) $(wildcard core/*.h include/tether/*.h) \
		$(FUZZ_BEARSSL) $(FUZZ_ZLIB) $(FUZZ_SODIUM) | $(TETHER_PREREQS)
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $@"
	$(Q)clang $(CPPFLAGS_ALL) $(FUZZ_FLAGS) -o $@ $< $(CORE_SRC) $(MOCK_SRC) $(FUZZ_BEARSSL) $(FUZZ_ZLIB) \
		$(FUZZ_SODIUM)

# make fuzz: build the targets; make fuzz-run SECONDS=N (or RUNS=N): run
# each for N seconds (executions); crashing inputs land in
# tests/fuzz/regress/<target>/ and are replayed by make test from then on
SECONDS ?= 60
fuzz:
	@tools/deps.sh test
	@$(MAKE) --no-print-directory NODEPS=1 $(FUZZ_BINS)

fuzz-run: fuzz
	@for t in $(FUZZ_TARGETS); do tests/fuzz/run.sh $$t build/fuzz/fuzz_$$t $(SECONDS) $(RUNS) || exit 1; done

# the smallest build: plain HTTP and the JSON parser (no TLS, gzip, SSE,
# JSON writer, binding or streaming, and so no protocol client)
HTTP_ONLY := TT_FEATURE_TLS=0 TT_FEATURE_GZIP=0 TT_FEATURE_ED25519=0 TT_FEATURE_SSE=0 \
	TT_FEATURE_JSON_WRITE=0 TT_FEATURE_JSON_BIND=0 TT_FEATURE_JSON_STREAM=0
test:
	@tools/deps.sh test static cross boot
	@$(MAKE) --no-print-directory NODEPS=1 tests-build
	@$(MAKE) --no-print-directory NODEPS=1 BUILD=build/asan SAN=1 tests-build
	@$(MAKE) --no-print-directory NODEPS=1 BUILD=build/clang CC=clang lib
	@$(MAKE) --no-print-directory NODEPS=1 $(FUZZ_BINS)
	@$(MAKE) --no-print-directory NODEPS=1 BUILD=build/no-ed25519 TT_FEATURE_ED25519=0 \
		build/no-ed25519/tests/unit
	@$(MAKE) --no-print-directory NODEPS=1 BUILD=build/inflate-only TT_FEATURE_GZIP_REQUEST=0 \
		build/inflate-only/tests/unit
	@$(MAKE) --no-print-directory NODEPS=1 BUILD=build/http-only $(HTTP_ONLY) \
		build/http-only/tests/unit build/http-only/tests/integ
	@$(MAKE) --no-print-directory NODEPS=1 BUILD=build/http-sse $(HTTP_ONLY) TT_FEATURE_SSE=1 \
		build/http-sse/tests/unit build/http-sse/tests/integ
	@$(MAKE) --no-print-directory NODEPS=1 static
	@$(MAKE) --no-print-directory NODEPS=1 BUILD=build/musl CC=musl-gcc LDFLAGS=-static \
		build/musl/tests/unit build/musl/tests/integ
	@$(MAKE) --no-print-directory NODEPS=1 cross-build
	@$(MAKE) --no-print-directory NODEPS=1 build/lwip/lwip_test
	@$(MAKE) --no-print-directory NODEPS=1 BUILD=build/tiny \
		TETHER_CONFIG_FILE=config/profiles/tiny.h build/tiny/tests/unit build/tiny/tests/integ
	@$(MAKE) --no-print-directory NODEPS=1 BUILD=build/small \
		TETHER_CONFIG_FILE=tests/config/small.h build/small/tests/unit build/small/tests/integ
	@$(MAKE) --no-print-directory NODEPS=1 BUILD=build/mbedtls TLS=mbedtls \
		build/mbedtls/tests/unit build/mbedtls/tests/integ build/mbedtls/tether
	@tests/run.sh

# make boot-test: Debian's amd64 and arm64 kernels boot an initramfs with
# the static musl tether (x86-64, and aarch64 from the cross build) and a
# boot hook under qemu-system; tests/boot/run.sh says what it checks
boot-test:
	@tools/deps.sh test static cross boot
	@$(MAKE) --no-print-directory NODEPS=1 static
	@$(MAKE) --no-print-directory NODEPS=1 cross-build
	@tests/boot/run.sh

# make check: the unit suites only (seconds), for the edit-compile loop
check:
ifndef NODEPS
	@tools/deps.sh --check build
endif
	@$(MAKE) --no-print-directory NODEPS=1 $(BUILD)/tests/unit
	@out=$$($(BUILD)/tests/unit 2>&1); rc=$$?; \
		echo "$$out" | grep -E '^(FAIL|[0-9]+ passed, [0-9]+ failed)'; exit $$rc

static:
	@tools/deps.sh --check static
	@$(MAKE) --no-print-directory NODEPS=1 BUILD=build/musl-mbedtls CC=musl-gcc TLS=mbedtls SMALL=1 \
		LDFLAGS="-static -Wl,-Map=build/musl-mbedtls/tether.map" cli
	@strip -o build/tether-static build/musl-mbedtls/tether
	@echo "build/tether-static: $$(wc -c < build/tether-static) bytes (stripped, static, musl)"

demo:
	@tools/deps.sh demo
	@$(MAKE) --no-print-directory NODEPS=1 cli
	@tools/demo.sh

bench:
	@tools/deps.sh test static
	@$(MAKE) --no-print-directory static
	@$(MAKE) --no-print-directory NODEPS=1 $(BUILD)/bench/bench_parse $(BUILD)/bench/bench_keepalive \
		$(BUILD)/bench/bench_sse
	@$(MAKE) --no-print-directory NODEPS=1 BUILD=build/mbedtls TLS=mbedtls \
		build/mbedtls/bench/bench_keepalive
	@$(MAKE) --no-print-directory NODEPS=1 BUILD=build/musl-small CC=musl-gcc SMALL=1 \
		LDFLAGS="-static -Wl,-Map=build/musl-small/tether.map" cli
	@strip -o build/bench/tether-static-bearssl build/musl-small/tether
	@$(MAKE) --no-print-directory NODEPS=1 BUILD=build/bench-json \
		TETHER_CONFIG_FILE=tests/bench/json_whole.h build/bench-json/bench/bench_json
	@mkdir -p $(BUILD)/bench
	$(Q)musl-gcc -O2 -static -o $(BUILD)/bench/spawn tests/bench/spawn.c
	$(Q)$(CC) -std=c99 $(CPPFLAGS_ALL) -o $(BUILD)/bench/sizes tools/sizes.c
	$(Q)printf 'int main(void){return 0;}\n' | musl-gcc -O2 -static -x c -o $(BUILD)/bench/noop -
	@tools/bench.sh

$(BUILD)/bench/bench_parse: $(call obj,tests/bench/bench_parse.c) $(LIB) $(DEP_LIBS)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $^ -l:libh2o-evloop.so.0.13

$(BUILD)/bench/bench_sse: $(call obj,tests/bench/bench_sse.c) $(LIB)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $^

$(BUILD)/bench/bench_json: $(call obj,tests/bench/bench_json.c) $(LIB)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $^

$(BUILD)/bench/bench_keepalive: $(call obj,tests/bench/bench_keepalive.c) $(LIB) $(DEP_LIBS)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $^

# lwIP: lwIP from Debian's source with port/lwip/lwipopts.h, tether's lwIP
# port, and the in-process test on a TAP device (tests/lwip/run.sh)
# (the test resolves names with lwIP's resolver: LWIP_DNS=1 for lwIP and
# the port alike; a device keeps lwipopts.h's default, 0)
LWIP_SRC := build/third_party/lwip
LWIP_LIB := build/third_party/lwip-$(notdir $(CC))/liblwip.a
LWIP_INC := -Iport/lwip -I$(LWIP_SRC)/src/include -I$(LWIP_SRC)/port/include
LWIP_DEFS := -DLWIP_DNS=1
# rewritten only when LWIP_DEFS change, so that lwIP is rebuilt with them
LWIP_DEFS_STAMP := $(dir $(LWIP_LIB))defs
$(LWIP_SRC)/.unpacked:
	@tools/fetch-src.sh lwip/bookworm
$(LWIP_DEFS_STAMP): FORCE
	@mkdir -p $(dir $@)
	@echo '$(LWIP_DEFS)' | cmp -s - $@ || echo '$(LWIP_DEFS)' > $@
FORCE:
$(LWIP_LIB): port/lwip/lwipopts.h tools/build-lwip.sh $(LWIP_DEFS_STAMP) | $(LWIP_SRC)/.unpacked
	@tools/build-lwip.sh "$(CC)" "$(AR)" $@ "$(LWIP_DEFS)"
$(BUILD)/lwip/lwip_test: tests/lwip/lwip_test.c port/lwip/port_lwip.c include/tether/port_lwip.h \
		port/lwip/lwipopts.h $(LIB) $(DEP_LIBS) $(LWIP_LIB) $(LWIP_DEFS_STAMP)
	@mkdir -p $(dir $@)
	$(Q)$(CC) -std=gnu99 -g -O2 -Wall -Wextra -Werror $(LWIP_DEFS) $(LWIP_INC) $(TETHER_CFLAGS) \
		-o $@ tests/lwip/lwip_test.c \
		port/lwip/port_lwip.c $(LIB) $(DEP_LIBS) $(LWIP_LIB) -lpthread

# ARM Linux: cross-built static CLI and unit tests, run under qemu-user
# against the loopback servers (tools/test-cross.sh)
CROSS_TRIPLES := arm-linux-gnueabihf aarch64-linux-gnu
# (the CLI twice: BearSSL, and Mbed TLS in build/cross-TRIPLE-mbedtls)
cross-build:
	@for t in $(CROSS_TRIPLES); do \
		$(MAKE) --no-print-directory NODEPS=1 CROSS=$$t- SMALL=1 cli build/cross-$$t/tests/unit || exit 1; \
		$(MAKE) --no-print-directory NODEPS=1 CROSS=$$t- TLS=mbedtls SMALL=1 cli || exit 1; \
	done
	@$(MAKE) --no-print-directory NODEPS=1 CROSS=arm-linux-gnueabihf- SMALL=1 \
		BUILD=build/cross-arm-linux-gnueabihf-bmc $(BMC_SWITCHES) cli

# The BMC agent: what a management controller runs (plexd registration,
# heartbeat, signed events, artifacts over HTTP+TLS) in the bmc profile's
# buffers, as a static ARMv7 musl binary: build/tether-bmc-armhf
BMC_SWITCHES := TETHER_CONFIG_FILE=config/profiles/bmc.h TT_FEATURE_VMM=0 TT_FEATURE_MAAS=0 \
	TT_FEATURE_SKYPILOT=0 TT_FEATURE_POOLMGR=0
bmc:
	@tools/deps.sh cross
	@$(MAKE) --no-print-directory NODEPS=1 CROSS=arm-linux-gnueabihf- SMALL=1 \
		BUILD=build/cross-arm-linux-gnueabihf-bmc $(BMC_SWITCHES) cli
	@arm-linux-gnueabihf-strip -o build/tether-bmc-armhf build/cross-arm-linux-gnueabihf-bmc/tether
	@echo "build/tether-bmc-armhf: $$(wc -c < build/tether-bmc-armhf) bytes (stripped, static, musl, ARMv7)"

test-cross:
	@tools/deps.sh test cross
	@$(MAKE) --no-print-directory NODEPS=1 cross-build
	@$(MAKE) --no-print-directory NODEPS=1 build/lwip/lwip_test
	@$(MAKE) --no-print-directory NODEPS=1 BUILD=build/tiny \
		TETHER_CONFIG_FILE=config/profiles/tiny.h build/tiny/tests/unit build/tiny/tests/integ
	@tools/test-cross.sh $(CROSS_TRIPLES)

# Footprint: Cortex-M4 core and TLS, struct RAM per profile, the static
# CLIs (x86-64, armhf, aarch64)
size-report:
	@tools/deps.sh static size cross
	@$(MAKE) --no-print-directory static
	@$(MAKE) --no-print-directory NODEPS=1 BUILD=build/musl-small CC=musl-gcc SMALL=1 \
		LDFLAGS="-static -Wl,-Map=build/musl-small/tether.map" cli
	@$(MAKE) --no-print-directory NODEPS=1 cross-build
	@tools/size-report.sh

# The soak: an agent against the reference control plane with random
# faults for SOAK_SECONDS (1800); events sent = delivered, RSS unchanged
SOAK_SECONDS ?= 1800
$(BUILD)/soak/soak: $(call obj,tests/soak/soak.c) $(LIB) $(DEP_LIBS)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $^ -lpthread
soak:
	@tools/deps.sh test
	@$(MAKE) --no-print-directory NODEPS=1 $(BUILD)/soak/soak
	@tests/soak/run.sh $(BUILD)/soak/soak $(SOAK_SECONDS)

# Line and branch coverage of core/ and port/ (gcc --coverage, lcov)
coverage:
	@tools/deps.sh coverage
	@$(MAKE) --no-print-directory NODEPS=1 BUILD=build/cov OPT=-O0 CFLAGS=--coverage \
		LDFLAGS=--coverage tests-build
	@tools/coverage.sh

# make install PREFIX=/usr/local DESTDIR=: libtether.a (with the third-party
# libraries' objects inside, so that -ltether is the whole link), the public
# headers, tether.pc, the CLI and its man page (generated from the option
# tables that also make --help). The installed config.h starts with this
# build's switches (and names its TETHER_CONFIG_FILE, installed beside it):
# a program is compiled with the values the library was, with no -D flags.
PREFIX ?= /usr/local
INSTALL_ROOT = $(DESTDIR)$(PREFIX)
$(BUILD)/libtether-full.a: $(LIB) $(DEP_LIBS)
	$(Q)rm -f $@
	$(Q)(echo "CREATE $@"; for l in $^; do echo "ADDLIB $$l"; done; echo SAVE; echo END) | $(AR) -M
$(BUILD)/tether.1: $(CLI)
	$(Q)$(CLI) --man > $@
$(BUILD)/config.h: include/tether/config.h $(LIB)
	$(Q)(echo "/* the switches libtether.a was built with (make install) */"; \
		for d in $(subst \",@,$(filter -D%,$(TETHER_APP_CFLAGS))); do \
			echo "$${d#-D}" | sed 's/@/"/g; s/^\([A-Z0-9_]*\)=\(.*\)/#define \1 \2/'; done; \
		cat include/tether/config.h) > $@
install: $(BUILD)/libtether-full.a $(BUILD)/tether.1 $(BUILD)/config.h $(CLI)
	install -d $(INSTALL_ROOT)/lib/pkgconfig $(INSTALL_ROOT)/include/tether \
		$(INSTALL_ROOT)/bin $(INSTALL_ROOT)/share/man/man1
	install -m 644 $(BUILD)/libtether-full.a $(INSTALL_ROOT)/lib/libtether.a
	install -m 644 include/tether/*.h $(INSTALL_ROOT)/include/tether/
	install -m 644 $(BUILD)/config.h $(INSTALL_ROOT)/include/tether/config.h
	$(if $(TETHER_CONFIG_FILE),install -m 644 $(TETHER_CONFIG_FILE) $(INSTALL_ROOT)/include/tether/)
	@printf '%s\n' 'prefix=$(PREFIX)' 'includedir=$${prefix}/include' 'libdir=$${prefix}/lib' '' \
		'Name: tether' 'Description: control-plane client for appliances, BMCs and boot hooks' \
		'Version: $(shell sed -n 's/^#define TT_VERSION "\(.*\)"/\1/p' include/tether/config.h)' \
		'Cflags: -I$${includedir}' \
		'Libs: -L$${libdir} -ltether$(if $(TT_TLS_MBEDTLS), -lpthread)' \
		> $(INSTALL_ROOT)/lib/pkgconfig/tether.pc
	install -m 755 $(CLI) $(INSTALL_ROOT)/bin/tether
	install -m 644 $(BUILD)/tether.1 $(INSTALL_ROOT)/share/man/man1/tether.1

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
