SUMMARY = "tether: control-plane client for appliances, BMCs and boot hooks"
DESCRIPTION = "The BMC agent build of tether (plexd registration, heartbeat, \
signed events, artifact download over HTTP and TLS) as one static binary."
LICENSE = "MIT"
LIC_FILES_CHKSUM = "file://LICENSE;md5=27913519c426bb96e255616cc538d79c"

# tether and the third-party sources it compiles itself (no shared
# libraries at run time): BearSSL, zlib and libsodium as Debian ships them,
# jsmn at its 1.1.0 tag
SRC_URI = "git://git.example.com/tether.git;protocol=https;branch=main;name=tether \
           git://github.com/zserge/jsmn.git;protocol=https;nobranch=1;name=jsmn;destsuffix=deps/jsmn \
           ${DEBIAN_MIRROR}/main/b/bearssl/bearssl_0.6+dfsg.1.orig.tar.xz;name=bearssl;subdir=deps \
           ${DEBIAN_MIRROR}/main/z/zlib/zlib_1.2.13.dfsg.orig.tar.bz2;name=zlib;subdir=deps \
           ${DEBIAN_MIRROR}/main/libs/libsodium/libsodium_1.0.18.orig.tar.gz;name=sodium;subdir=deps \
           file://tether-plexd-events.service"
# the tether commit to build: set it to the release's
SRCREV_tether = "${AUTOREV}"
SRCREV_jsmn = "fdcef3ebf886fa210d14956d3c068a653e76a24e"
SRCREV_FORMAT = "tether_jsmn"
SRC_URI[bearssl.sha256sum] = "102a625bd8f6155260867a50c508df8d8c3f796985dd744df1a68e5cd1a79004"
SRC_URI[zlib.sha256sum] = "71feb7947e3c00ef125f83b79a4e529bde31171e5babe48b391f06758d1ab0a1"
SRC_URI[sodium.sha256sum] = "d59323c6b712a1519a5daf710b68f5e7fde57040845ffec53850911f10a5d4f4"

S = "${WORKDIR}/git"
D_DEPS = "${WORKDIR}/deps"

inherit systemd
SYSTEMD_SERVICE:${PN} = "tether-plexd-events.service"

# NODEPS: never apt; the *_DIR variables: the trees fetched above; the
# switches and profile of `make bmc`
EXTRA_OEMAKE = "NODEPS=1 SMALL=1 BUILD=build/yocto \
    BEARSSL_DIR=${D_DEPS}/bearssl-0.6 ZLIB_DIR=${D_DEPS}/zlib-1.2.13.dfsg \
    SODIUM_DIR=${D_DEPS}/libsodium-1.0.18 JSMN_DIR=${D_DEPS}/jsmn \
    TETHER_CONFIG_FILE=config/profiles/bmc.h TT_FEATURE_VMM=0 TT_FEATURE_MAAS=0 \
    TT_FEATURE_SKYPILOT=0 TT_FEATURE_POOLMGR=0"

do_compile() {
    oe_runmake cli
}

do_install() {
    install -D -m 0755 ${S}/build/yocto/tether ${D}${bindir}/tether
    install -D -m 0644 ${WORKDIR}/tether-plexd-events.service \
        ${D}${systemd_system_unitdir}/tether-plexd-events.service
}
