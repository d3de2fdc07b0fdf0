#!/usr/bin/env bash
# Creates a complete development federation PKI with the truc CLI: a root CA, an intermediate CA,
# a timestamping certificate, the registry's configuration-signing and TLS certificates, an
# administrator's client certificate and, for each
# sample member, a member-signing and a gateway TLS certificate (valid for localhost/127.0.0.1).
#
#   certs/make-dev-pki.sh OUT_DIR [TRUC_BINARY]
#
# TRUC_BINARY defaults to build/cli/truc in this repository, then to `truc` on the PATH.
# Idempotent: whatever already exists in OUT_DIR is kept, so a second run only fills in what is
# missing. For development and tests only: the keys are unencrypted files. See certs/README.md.
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: $0 OUT_DIR [TRUC_BINARY]" >&2
  exit 2
fi
out=$1
repo=$(cd "$(dirname "$0")/.." && pwd)
if [ $# -eq 2 ]; then
  truc=$2
elif [ -x "$repo/build/cli/truc" ]; then
  truc=$repo/build/cli/truc
else
  truc=truc
fi
if ! command -v "$truc" >/dev/null; then
  echo "$0: cannot run truc at '$truc'; build it first or pass its path" >&2
  exit 1
fi

ca=$out/ca
operator_id=VN/GOV/000001
operator_name="Trục federation operator (development)"

# The CAs: made together, or not at all.
if [ -e "$ca/root-ca.pem" ]; then
  echo "keeping the existing CAs in $ca"
else
  "$truc" pki init-ca --out "$ca" --name "Trục Dev Federation" --intermediate
fi

# leaf DIR NAME PROFILE SUBJECT_ID ORGANISATION [keygen options...]
# Makes DIR/NAME.key and DIR/NAME.csr as the holder would, then DIR/NAME.pem as the CA would;
# keeps whatever of these already exists.
leaf() {
  local dir=$1 name=$2 profile=$3 subject_id=$4 organisation=$5
  shift 5
  if [ -e "$dir/$name.pem" ]; then
    echo "keeping $dir/$name.pem"
    return
  fi
  mkdir -p "$dir"
  if [ ! -e "$dir/$name.csr" ]; then
    "$truc" pki keygen --key-out "$dir/$name.key" --csr-out "$dir/$name.csr" \
      --profile "$profile" --subject-id "$subject_id" --name "$organisation" "$@"
  fi
  "$truc" pki issue --ca-cert "$ca/intermediate-ca.pem" --ca-key "$ca/intermediate-ca.key" \
    --csr "$dir/$name.csr" --profile "$profile" --out "$dir/$name.pem"
}

leaf "$out/tsa" tsa tsa "$operator_id" "$operator_name"
leaf "$out/registry" config-signing config-signing "$operator_id" "$operator_name"
# The registry's TLS certificate for its admin API, and an administrator's client certificate
# (both TLS certificates of the operator: the admin's is listed in the registry's configuration).
leaf "$out/registry" registry-tls gateway-tls "$operator_id/registry" "$operator_name" \
  --dns localhost --ip 127.0.0.1
leaf "$out/registry" admin gateway-tls "$operator_id/admin" "$operator_name" --dns localhost

members=(
  "000100|Population database"
  "000200|Land registry"
  "000300|Enterprise registry"
  "000900|Provincial portal"
)
for member in "${members[@]}"; do
  code=${member%%|*}
  name=${member#*|}
  dir=$out/members/$code
  leaf "$dir" signing member-signing "VN/GOV/$code" "$name"
  leaf "$dir" gateway-tls gateway-tls "VN/GOV/$code/gw1" "$name" --dns localhost --ip 127.0.0.1
done

echo "development PKI ready in $out (trust anchor: $ca/root-ca.pem)"
