#!/usr/bin/env bash
# The once-only demo, told in plain words. Usage: run-demo.sh BUILD_DIR
# Brings up the federation of deploy/demo/federation.toml (three core-database agencies and a
# provincial portal) with deploy/federation/truc-federation, shows the federation's trust at
# work with openssl, runs the land-use-right transfer scenario (deploy/demo/scenario.py) and tears
# everything down at the end. Its state lives under var/demo/ in the repository: the PKI is kept
# between runs, everything else is made afresh.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$repo/build}" && pwd)
truc="$build/cli/truc"
launcher="$repo/deploy/federation/truc-federation"
work="$repo/var/demo"
mkdir -p "$work"

# The application the scenario handles: its case number, the officer, and the citizen.
case_number="000.00.12.H26-261201-0457"
officer="VN038190005678"
citizen_id="001085012345"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
# address KEY...: a value from the federation's addresses.json, e.g. `address tsa url`.
address() {
  python3 - "$work/addresses.json" "$@" <<'PY'
import json, sys
value = json.load(open(sys.argv[1], encoding="utf-8"))
for key in sys.argv[2:]:
    value = value[key]
print(value)
PY
}

say "Every actor of the federation has an identifier. The national population database:"
"$truc" id parse --kind subsystem "VN/GOV/000100/population"

say "A malformed identifier is refused with the reason:"
"$truc" id parse --kind service "VN/GOV/000100" || true

say "Bringing the federation up from deploy/demo/federation.toml: the PKI (root and intermediate
   CAs, the TSA, the registry, a signing key and a TLS key for each agency), the timestamp
   authority, the registry, four gateways and three agencies' systems, all on loopback."
"$launcher" down --state-dir "$work" >/dev/null  # What an interrupted earlier run left running.
trap '"$launcher" down --state-dir "$work"' EXIT
"$launcher" up "$repo/deploy/demo/federation.toml" --build "$build" --state-dir "$work" --detach
pki="$work/pki"
"$truc" pki show --cert "$pki/members/000200/signing.pem" | sed -n '1,6p'

say "A land parcel record is timestamped with stock tools: openssl makes the query, curl sends it
   to the federation's timestamp authority."
tsa_url=$(address tsa url)
mkdir -p "$work/evidence"
cd "$work/evidence"
printf 'parcel 12/245, Xã Bát Tràng, owner %s\n' "$citizen_id" > record.txt
openssl ts -query -data record.txt -sha256 -cert -out record.tsq 2>/dev/null
curl -sf -H 'Content-Type: application/timestamp-query' --data-binary @record.tsq \
  "$tsa_url" -o record.tsr
openssl ts -reply -in record.tsr -text 2>/dev/null | grep -E 'Time stamp|Serial|Policy'

say "Anyone can check the reply against the federation's root CA, again with openssl alone:"
cat "$pki/ca/intermediate-ca.pem" "$pki/ca/root-ca.pem" > ca-bundle.pem
openssl ts -verify -in record.tsr -queryfile record.tsq -CAfile ca-bundle.pem \
  -untrusted "$pki/tsa/tsa.pem"

say "Tampering is caught: the same reply does not cover a changed record."
printf 'parcel 12/245, Xã Bát Tràng, owner 001099999999\n' > forged.txt
if openssl ts -verify -in record.tsr -data forged.txt -CAfile ca-bundle.pem \
  -untrusted "$pki/tsa/tsa.pem" >/dev/null 2>&1; then
  echo "UNEXPECTED: the forged record verified" >&2
  exit 1
fi
echo "Verification of the forged record: FAILED, as it must."

say "The registry publishes who is who as signed global configuration; the gateways have fetched
   it. Anyone can fetch it too and check it against the root CA:"
"$truc" globalconf fetch --url "$(address registry globalconf_url)" --anchor "$pki/ca/root-ca.pem" \
  --out globalconf.bin

say "A configuration altered in transit is refused:"
cp globalconf.bin tampered.bin
printf 'X' | dd of=tampered.bin bs=1 seek=200 conv=notrunc status=none
if "$truc" globalconf verify --file tampered.bin --anchor "$pki/ca/root-ca.pem"; then
  echo "UNEXPECTED: the altered configuration verified" >&2
  exit 1
fi
cd "$repo"

python3 "$repo/deploy/demo/scenario.py" --addresses "$work/addresses.json" \
  --case "$case_number" --officer "$officer"

auditor_step() {
  # Filled by the audit CLI work: who read $citizen_id's data, for which case; evidence verified.
  :
}
auditor_step

say "Done. The federation is being stopped; its logs stay in $work."
