#!/usr/bin/env bash
# Walks through what Trục can do today, in plain words. Usage: run-demo.sh BUILD_DIR
# Everything it makes lives under var/demo/ in the repository (kept between runs).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$repo/build}" && pwd)
truc="$build/cli/truc"
work="$repo/var/demo"
mkdir -p "$work"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT

say "Every actor of the federation has an identifier. The national population database:"
"$truc" id parse --kind subsystem "VN/GOV/000100/population"

say "A malformed identifier is refused with the reason:"
"$truc" id parse --kind service "VN/GOV/000100" || true

say "The federation's PKI: root and intermediate CAs, a TSA, the registry's signing key, and a
   signing key and a TLS key for each agency (made once, kept afterwards)."
"$repo/certs/make-dev-pki.sh" "$work/pki" "$truc" >/dev/null
"$truc" pki show --cert "$work/pki/members/000200/signing.pem" | sed -n '1,6p'

say "Starting the timestamp authority (RFC 3161 over HTTP, on loopback)."
mkdir -p "$work/tsa"
cat "$work/pki/tsa/tsa.pem" "$work/pki/ca/intermediate-ca.pem" > "$work/tsa/chain.pem"
cat > "$work/tsa/tsa.toml" <<TOML
[listen]
address = "127.0.0.1"
port = 0

[tsa]
key_file = "../pki/tsa/tsa.key"
certificate_file = "chain.pem"
serial_file = "tsa.serial"
policy_oid = "1.3.6.1.4.1.99999.1.1"
TOML
rm -f "$work/tsa/ready"
"$build/tsa/truc-tsa" --config "$work/tsa/tsa.toml" --ready-file "$work/tsa/ready" \
  2>>"$work/tsa/tsa.log" &
pids+=($!)
for _ in $(seq 100); do [ -s "$work/tsa/ready" ] && break; sleep 0.1; done
tsa=$(cat "$work/tsa/ready")
echo "timestamp authority at http://$tsa/"

say "A land parcel record is timestamped with stock tools: openssl makes the query, curl sends it."
cd "$work/tsa"
printf 'parcel 0123-45, owner 079123456789, Phường Hoàn Kiếm, Hà Nội\n' > record.txt
openssl ts -query -data record.txt -sha256 -cert -out record.tsq 2>/dev/null
curl -sf -H 'Content-Type: application/timestamp-query' --data-binary @record.tsq \
  "http://$tsa/" -o record.tsr
openssl ts -reply -in record.tsr -text 2>/dev/null | grep -E 'Time stamp|Serial|Policy'

say "Anyone can check the reply against the federation's root CA, again with openssl alone:"
cat "$work/pki/ca/intermediate-ca.pem" "$work/pki/ca/root-ca.pem" > ca-bundle.pem
openssl ts -verify -in record.tsr -queryfile record.tsq -CAfile ca-bundle.pem \
  -untrusted "$work/pki/tsa/tsa.pem"

say "Tampering is caught: the same reply does not cover a changed record."
printf 'parcel 0123-45, owner 079999999999, Phường Hoàn Kiếm, Hà Nội\n' > forged.txt
if openssl ts -verify -in record.tsr -data forged.txt -CAfile ca-bundle.pem \
  -untrusted "$work/pki/tsa/tsa.pem" >/dev/null 2>&1; then
  echo "UNEXPECTED: the forged record verified" >&2
  exit 1
fi
echo "Verification of the forged record: FAILED, as it must."

say "Starting the central registry (signed global configuration over HTTP, admin API over mTLS)."
pki="$work/pki"
mkdir -p "$work/registry"
cat > "$work/registry/registry.toml" <<TOML
instance = "VN"
data_dir = "data"
configuration_validity = "1d"

[publish]
port = 0

[admin]
port = 0
certificate_file = "../pki/registry/registry-tls.pem"
key_file = "../pki/registry/registry-tls.key"
client_ca_file = "../pki/ca/root-ca.pem"
administrators = ["../pki/registry/admin.pem"]

[signing]
key_file = "../pki/registry/config-signing.key"
certificate_file = "../pki/registry/config-signing.pem"
TOML
rm -rf "$work/registry/data" "$work/registry/ready"
"$build/registry/truc-registry" --config "$work/registry/registry.toml" \
  --ready-file "$work/registry/ready" 2>>"$work/registry/registry.log" &
pids+=($!)
for _ in $(seq 100); do [ -s "$work/registry/ready" ] && break; sleep 0.1; done
publish=$(awk '/^publish/ {print $2}' "$work/registry/ready")
admin=$(awk '/^admin/ {print $2}' "$work/registry/ready")
echo "registry: configuration at http://$publish/globalconf, admin API at $admin"
reg() {
  "$truc" registry --registry "$admin" --cert "$pki/registry/admin.pem" \
    --key "$pki/registry/admin.key" --ca "$pki/ca/root-ca.pem" "$@"
}

say "The administrator approves the federation's CA and TSA and registers the four agencies."
reg ca add --cert-file "$pki/ca/intermediate-ca.pem"
reg tsa add --cert-file "$pki/tsa/tsa.pem"
for entry in "000100|Cơ sở dữ liệu quốc gia về dân cư|population" \
             "000200|Cơ sở dữ liệu đất đai quốc gia|land" \
             "000300|Cơ sở dữ liệu quốc gia về doanh nghiệp|enterprise" \
             "000900|Cổng dịch vụ công tỉnh|portal"; do
  IFS='|' read -r code name subsystem <<<"$entry"
  reg member add --id "VN/GOV/$code" --name "$name"
  reg subsystem add --id "VN/GOV/$code/$subsystem"
done

say "Each agency applies for its signing certificate (approved by the administrator), then
   registers its gateway with a request signed by that key (approved automatically)."
for code in 000100 000200 000300 000900; do
  applied=$(reg apply signing-cert --signing-key "$pki/members/$code/signing.key" \
    --signing-cert "$pki/members/$code/signing.pem")
  echo "$applied"
  id=$(echo "$applied" | sed -n 's/^application \([0-9]*\):.*/\1/p')
  reg approve --id "$id" --note "identity confirmed"
  reg apply gateway --signing-key "$pki/members/$code/signing.key" \
    --signing-cert "$pki/members/$code/signing.pem" --server-id "VN/GOV/$code/gw1" \
    --address "127.0.0.1:9$code" --tls-cert "$pki/members/$code/gateway-tls.pem"
done

say "The core databases publish their services in the catalog."
reg service publish --id VN/GOV/000100/population/citizens --kind rest --classification personal \
  --description "Identity of a citizen by 12-digit id number"
reg service publish --id VN/GOV/000200/land/parcels --kind rest --classification personal \
  --description "Land parcels and their owners"
reg service publish --id VN/GOV/000300/enterprise/enterprises --kind rest --classification internal \
  --description "Enterprises by tax code, with legal representatives"

say "Any gateway (or anyone) can fetch the signed configuration and check it against the root CA:"
"$truc" globalconf fetch --url "http://$publish/globalconf" --anchor "$pki/ca/root-ca.pem" \
  --out "$work/registry/globalconf.bin"

say "A configuration altered in transit is refused:"
cp "$work/registry/globalconf.bin" "$work/registry/tampered.bin"
printf 'X' | dd of="$work/registry/tampered.bin" bs=1 seek=200 conv=notrunc status=none
"$truc" globalconf verify --file "$work/registry/tampered.bin" --anchor "$pki/ca/root-ca.pem" || true

say "Done. (The gateways and the once-only scenario come with the next issues.)"
