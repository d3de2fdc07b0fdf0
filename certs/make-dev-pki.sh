#!/usr/bin/env bash
# Creates a complete development federation PKI with the truc CLI: a root CA, an intermediate CA,
# a timestamping certificate, the registry's configuration-signing and TLS certificates, an
# administrator's client certificate and, for each member, a member-signing certificate and a TLS
# certificate for each of its gateways (valid for localhost/127.0.0.1).
#
#   certs/make-dev-pki.sh [--operator MEMBER_ID] [--member 'MEMBER_ID|NAME|SERVER ...']... \
#                         OUT_DIR [TRUC_BINARY]
#
# --operator  the federation operator, who holds the TSA, registry and administrator
#             certificates (default VN/GOV/000001)
# --member    a member, its organisation's name and the server codes of its gateways, e.g.
#             'VN/GOV/000100|Population database|gw1'. Without any --member, the four sample
#             members VN/GOV/000100, 000200, 000300 and 000900, each with gateway gw1.
# A member's files are under members/CODE/ (two members may not share a code): signing.* and,
# for each gateway, gateway-tls.* (server gw1) or gateway-tls-SERVER.* (any other server code).
# TRUC_BINARY defaults to build/cli/truc in this repository, then to `truc` on the PATH.
# Idempotent: whatever already exists in OUT_DIR is kept, so a second run only fills in what is
# missing. For development and tests only: the keys are unencrypted files. See certs/README.md.
set -euo pipefail

usage() {
  echo "usage: $0 [--operator MEMBER_ID] [--member 'MEMBER_ID|NAME|SERVERS']... OUT_DIR [TRUC]" >&2
  exit 2
}
operator_id=VN/GOV/000001
members=()
while [ $# -gt 0 ]; do
  case $1 in
    --operator) [ $# -ge 2 ] || usage; operator_id=$2; shift 2 ;;
    --member) [ $# -ge 2 ] || usage; members+=("$2"); shift 2 ;;
    -*) usage ;;
    *) break ;;
  esac
done
if [ $# -lt 1 ] || [ $# -gt 2 ]; then usage; fi
if [ ${#members[@]} -eq 0 ]; then
  members=(
    "VN/GOV/000100|Population database|gw1"
    "VN/GOV/000200|Land registry|gw1"
    "VN/GOV/000300|Enterprise registry|gw1"
    "VN/GOV/000900|Provincial portal|gw1"
  )
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

# A member's files are under members/CODE/, so no two members may share a code.
declare -A member_of_code=()
for member in "${members[@]}"; do
  member_id=${member%%|*}
  code=${member_id##*/}
  if [ -n "${member_of_code[$code]:-}" ]; then
    echo "$0: members ${member_of_code[$code]} and $member_id share the code $code" >&2
    exit 2
  fi
  member_of_code[$code]=$member_id
done
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
# An auditor's client certificate, for the gateways' audit API (docs/auditor-guide.md).
leaf "$out/auditor" auditor gateway-tls "$operator_id/auditor" "$operator_name" --dns localhost

for member in "${members[@]}"; do
  IFS='|' read -r member_id name servers <<<"$member"
  dir=$out/members/${member_id##*/}
  leaf "$dir" signing member-signing "$member_id" "$name"
  for server in $servers; do
    file=gateway-tls
    if [ "$server" != gw1 ]; then file=gateway-tls-$server; fi
    leaf "$dir" "$file" gateway-tls "$member_id/$server" "$name" --dns localhost --ip 127.0.0.1
  done
done

echo "development PKI ready in $out (trust anchor: $ca/root-ca.pem)"
