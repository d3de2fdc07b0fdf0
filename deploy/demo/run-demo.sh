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

# The auditor of the national population database answers "who read this citizen's record, and
# for which case?" from the population gateway's audit log, checks the whole log, and exports the
# evidence of one exchange that openssl alone verifies.
auditor_step() {
  local gateway anchor bundle message_id
  gateway=$(address gateways VN/GOV/000100/gw1 admin)
  anchor="$pki/ca/root-ca.pem"
  audit() {
    "$truc" audit --gateway "$gateway" --cert "$(address auditor certificate)" \
      --key "$(address auditor key)" --ca "$(address auditor ca)" "$@"
  }

  say "An auditor of the national population database asks: who read the record of citizen
   $citizen_id, and for which case? The population database's gateway answers through its audit
   API (mutual TLS, the auditor's certificate); the portal's gateway keeps its own log too."
  audit query --path-contains "$citizen_id"

  say "Every exchange for case $case_number, as the population database's gateway logged them:"
  audit query --purpose "$case_number"

  say "Is data really being shared? Exchanges, failures and latency per client and service:"
  audit stats

  # Proofs need the records sealed in a signed, timestamped tree head: the gateway seals every
  # second; wait for the seal that covers the last exchange.
  message_id=$(audit query --purpose "$case_number" --format json |
    python3 -c 'import json, sys; print(json.load(sys.stdin)[-1]["message_id"])')
  for _ in $(seq 50); do
    audit show --message-id "$message_id" >/dev/null 2>&1 && break
    sleep 0.2
  done

  say "The auditor checks the whole log: every record's signature, certificate chain and digests,
   the Merkle tree, and every signed, timestamped tree head, against the federation's root CA."
  audit verify --anchor "$anchor"

  message_id=$(audit query --path-contains "$citizen_id" --format json |
    python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["message_id"])')
  bundle="$work/evidence/exchange-$message_id"
  rm -rf "$bundle"
  say "To prove one exchange to a court, the auditor exports its evidence bundle: the records,
   the signatures, the certificates, the timestamp token and the inclusion proof."
  audit export --message-id "$message_id" --out "$bundle"

  say "Anyone can check the bundle without Trục, with bash and openssl:"
  bash "$bundle/verify-with-openssl.sh" "$anchor"

  say "A record altered after the fact is caught: one byte of the logged response changed."
  local response
  response=$(ls -d "$bundle"/records/*-response | head -1)
  printf 'X' | dd of="$response/record.pb" bs=1 seek=40 conv=notrunc status=none
  if bash "$bundle/verify-with-openssl.sh" "$anchor" >/dev/null 2>&1; then
    echo "UNEXPECTED: the altered record verified" >&2
    exit 1
  fi
  bash "$bundle/verify-with-openssl.sh" "$anchor" 2>&1 | tail -1 || true
}
auditor_step

say "Done. The federation is being stopped; its logs stay in $work."
