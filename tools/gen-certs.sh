#!/bin/sh
# Generate throwaway certificates for the tests and the demo into DIR.
# Nothing here is ever committed: keys are made fresh on every run.
#
#   root-ca          EC P-256 root; inter-ca signed by it; server certs below
#   server           EC, localhost + cp.tether.test (the resolver tests
#                    of tools/test-cross.sh) + 127.0.0.1 + ::1, by inter-ca
#                    (server-chain.pem = server + inter-ca)
#   server-rsa       RSA-2048, localhost + 127.0.0.1, signed by root-ca
#   wrongname        EC, only other.example
#   noip             EC, only DNS localhost (no IP SAN)
#   expired          EC, valid 2020-01-01 .. 2021-01-01
#   notyet           EC, valid from 2099-01-01
#   client-ca        EC root for client certificates
#   client-ec        EC client cert, key as PKCS#8 (client-ec.key) and SEC1
#                    (client-ec-sec1.key)
#   client-rsa       RSA client cert, key as PKCS#1 (client-rsa.key)
#   other-ca         an unrelated root; other-client and other-server by it
#   sha1             EC, signed by root-ca with SHA-1 (refused: weak signature)
#   weak-rsa         RSA-1024, signed by root-ca (refused: weak key)
#
# usage: tools/gen-certs.sh DIR
set -eu
d=$1
mkdir -p "$d"
cd "$d"
[ -f .done ] && exit 0

ec_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
rsa_key() { openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null; }

root() { # name CN
    ec_key "$1.key"
    openssl req -x509 -new -key "$1.key" -sha256 -days 3650 -subj "/CN=$2" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" -out "$1.pem" 2>/dev/null
}

# sign NAME ISSUER EXT [startdate enddate]: NAME.csr -> NAME.pem via `openssl ca`
sign() {
    name=$1; issuer=$2; ext=$3
    mkdir -p "ca-$issuer"
    [ -f "ca-$issuer/index" ] || { : > "ca-$issuer/index"; echo 1000 > "ca-$issuer/serial"; }
    cat > "ca-$issuer/conf" <<CONF
[ ca ]
default_ca = this
[ this ]
database = ca-$issuer/index
serial = ca-$issuer/serial
new_certs_dir = ca-$issuer
certificate = $issuer.pem
private_key = $issuer.key
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
[ any ]
commonName = supplied
[ ext ]
$ext
CONF
    if [ $# -ge 5 ]; then dates="-startdate $4 -enddate $5"; else dates="-days 825"; fi
    openssl ca -batch -config "ca-$issuer/conf" -extensions ext $dates -md "${MD:-sha256}" \
        -in "$name.csr" -out "$name.pem" -notext >/dev/null 2>&1
}

csr() { # name key CN
    openssl req -new -key "$2" -subj "/CN=$3" -out "$1.csr" 2>/dev/null
}

SERVER_EXT="basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth"
CLIENT_EXT="basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth"

root root-ca "tether test root"
ec_key inter-ca.key
csr inter-ca inter-ca.key "tether test intermediate"
sign inter-ca root-ca "basicConstraints=critical,CA:TRUE,pathlen:0
keyUsage=critical,keyCertSign,cRLSign"

ec_key server.key
csr server server.key localhost
sign server inter-ca "$SERVER_EXT
subjectAltName=DNS:localhost,DNS:cp.tether.test,IP:127.0.0.1,IP:::1"
cat server.pem inter-ca.pem > server-chain.pem

rsa_key server-rsa.key
csr server-rsa server-rsa.key localhost
sign server-rsa root-ca "$SERVER_EXT
subjectAltName=DNS:localhost,IP:127.0.0.1"

for n in wrongname noip expired notyet; do ec_key "$n.key"; done
csr wrongname wrongname.key other.example
sign wrongname root-ca "$SERVER_EXT
subjectAltName=DNS:other.example"
csr noip noip.key localhost
sign noip root-ca "$SERVER_EXT
subjectAltName=DNS:localhost"
csr expired expired.key localhost
sign expired root-ca "$SERVER_EXT
subjectAltName=DNS:localhost,IP:127.0.0.1" 200101000000Z 210101000000Z
csr notyet notyet.key localhost
sign notyet root-ca "$SERVER_EXT
subjectAltName=DNS:localhost,IP:127.0.0.1" 20990101000000Z 20991231000000Z

root client-ca "tether client CA"
ec_key client-ec.key
openssl ec -in client-ec.key -out client-ec-sec1.key 2>/dev/null
csr client-ec client-ec.key "node-ec"
sign client-ec client-ca "$CLIENT_EXT"
rsa_key client-rsa.p8
openssl rsa -in client-rsa.p8 -traditional -out client-rsa.key 2>/dev/null
csr client-rsa client-rsa.key "node-rsa"
sign client-rsa client-ca "$CLIENT_EXT"

root other-ca "unrelated CA"
ec_key other-client.key
csr other-client other-client.key "intruder"
sign other-client other-ca "$CLIENT_EXT"
ec_key other-server.key
csr other-server other-server.key localhost
sign other-server other-ca "$SERVER_EXT
subjectAltName=DNS:localhost,IP:127.0.0.1"

ec_key sha1.key
csr sha1 sha1.key localhost
MD=sha1
sign sha1 root-ca "$SERVER_EXT
subjectAltName=DNS:localhost,IP:127.0.0.1"
MD=sha256
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out weak-rsa.key 2>/dev/null
csr weak-rsa weak-rsa.key localhost
sign weak-rsa root-ca "$SERVER_EXT
subjectAltName=DNS:localhost,IP:127.0.0.1"

# the pin of server.key, in curl's form
openssl pkey -in server.key -pubout -outform DER 2>/dev/null | openssl dgst -sha256 -binary |
    openssl base64 > server.pin
# a PEM file without its final newline
head -c -1 root-ca.pem > root-ca-nonl.pem
rm -f ./*.csr
touch .done
