#!/usr/bin/env bash
# The benchmark suite: Trục's gateways against the backend called directly and against a chain of
# two nginx TLS proxies, all on this machine, in one run, interleaved (every scenario once per
# round, then again), at 1 KiB and 64 KiB response bodies and 1, 16, 64 and 256 connections. Then
# latency at a fixed rate (half of the peak), overload beyond the consumer's concurrency limit,
# 10 MiB bodies, memory and start-up time. Writes docs/performance.md, and leaves no process behind.
#
#   bench/run.sh [--quick]
#
# Environment: BENCH_SECONDS (each measurement, default 5), BENCH_ROUNDS (default 2),
# BENCH_OUT (the report, default docs/performance.md), BENCH_AUDIT_EXCHANGES (the audit log at
# scale: exchanges logged, two records each; default 500000), BENCH_PROFILE_DIR (when set: a system-wide
# `perf record -g` of 10 s of Trục REST at 64 connections goes there, with its report).
# For a quick comparison of a few scenarios: BENCH_SCENARIOS (e.g. "nginx rest rest-grpc"),
# BENCH_BODIES ("1k"), BENCH_CONNECTIONS ("1 64") and BENCH_MATRIX_ONLY=1 (stop after the matrix,
# writing no report).
# --quick: 1 second, 1 round, 1 KiB only, to check the suite itself.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
seconds=${BENCH_SECONDS:-5}
rounds=${BENCH_ROUNDS:-2}
out=${BENCH_OUT:-docs/performance.md}
read -r -a bodies <<< "${BENCH_BODIES:-1k 64k}"
read -r -a connections <<< "${BENCH_CONNECTIONS:-1 16 64 256}"
if [ "${1:-}" = "--quick" ]; then
  seconds=1 rounds=1 bodies=(1k)
fi

scripts/install-deps.sh --bench
TRUC_TARGETS="truc-gateway truc truc_bench_federation truc_load truc_audit_scale truc_signing_bench" scripts/build.sh build
bin=$root/build/bench

work=$(mktemp -d "${TMPDIR:-/tmp}/truc-bench.XXXXXX")
# nginx's workers run as nobody when started by root: they must read the bodies (keys are read by
# the master before it drops privileges, and stay 0600).
chmod 755 "$work"
federation_pid=""
cleanup() {
  set +e
  if [ -n "$federation_pid" ]; then
    kill -TERM "$federation_pid" 2>/dev/null
    wait "$federation_pid" 2>/dev/null
  fi
  if [ -f "$work/nginx.pid" ]; then
    kill -QUIT "$(cat "$work/nginx.pid")" 2>/dev/null
    for _ in $(seq 50); do [ -f "$work/nginx.pid" ] || break; sleep 0.1; done
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "bench: $*" >&2; }

# --- The nginx backend and chain, with throwaway certificates ------------------------------------
read -r backend_port provider_port consumer_port < <(python3 - <<'EOF'
import socket
socks = [socket.socket() for _ in range(3)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])
EOF
)
(
  cd "$work"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj "/CN=Bench throwaway CA" -keyout ca.key -out ca.pem 2>/dev/null
  for name in provider-proxy consumer-proxy; do
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$name" \
      -keyout "$name.key" -out "$name.csr" 2>/dev/null
    openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
      -extfile <(echo "subjectAltName=DNS:$name") -out "$name.pem" 2>/dev/null
  done
  head -c 1024 /dev/zero | tr '\0' 'a' > body1k
  head -c 65536 /dev/zero | tr '\0' 'a' > body64k
  mkdir -p nginx-body nginx-proxy nginx-fastcgi nginx-uwsgi nginx-scgi
)
sed -e "s|@DIR@|$work|g" -e "s|@BACKEND_PORT@|$backend_port|g" \
  -e "s|@PROVIDER_PORT@|$provider_port|g" -e "s|@CONSUMER_PORT@|$consumer_port|g" \
  bench/suite/nginx.conf.in > "$work/nginx.conf"
nginx -p "$work" -c "$work/nginx.conf" -e "$work/nginx-error.log"
for _ in $(seq 100); do
  curl -sf -o /dev/null "http://127.0.0.1:$consumer_port/api/citizens/1k" && break
  sleep 0.1
done
curl -sf -o /dev/null "http://127.0.0.1:$consumer_port/api/citizens/1k" || {
  cat "$work/nginx-error.log" >&2
  exit 1
}

# --- Two federations of real gateways (audit log on and off) in front of that backend ------------
"$bin/truc_bench_federation" --backend "http://127.0.0.1:$backend_port/api" \
  --out "$work/federation.json" > "$work/federation.log" 2>&1 &
federation_pid=$!
for _ in $(seq 600); do
  [ -s "$work/federation.json" ] && break
  kill -0 "$federation_pid" 2>/dev/null || { cat "$work/federation.log" >&2; exit 1; }
  sleep 0.1
done
field() { python3 -c "import json,sys; d=json.load(open('$work/federation.json')); print($1)"; }
rest_on=$(field "d['audit_on']['rest']")
rest_off=$(field "d['audit_off']['rest']")
rest_hsm=$(field "d['audit_on_hsm']['rest']")
rest_https=$(field "d['audit_on_https']['rest']")
rest_grpc=$(field "d['audit_on_grpc']['rest']")
grpc_on=$(field "d['audit_on']['grpc']")
client=$(field "d['audit_on']['client']")
service=$(field "d['audit_on']['service']")
gateway_pids=$(field "' '.join(str(d[a]['gateways'][g]['pid']) for a in ('audit_on','audit_off') for g in ('consumer','provider'))")
read -r consumer_on provider_on consumer_off provider_off <<< "$gateway_pids"
curl -sf -o /dev/null -H "X-Road-Client: $client" "http://$rest_on/r1/$service/citizens/1k" || {
  log "the federation does not answer"
  cat "$work/federation.log" >&2
  exit 1
}

results=$work/results.jsonl
: > "$results"
# rss_kib PID [VmRSS|VmHWM]
rss_kib() { awk -v key="${2:-VmRSS}:" '$1 == key { print $2 }' "/proc/$1/status"; }
# record JSON EXTRA-FIELDS...: appends the measurement with scenario fields to the results.
record() {
  local json=$1
  shift
  python3 -c '
import json, sys
entry = json.loads(sys.argv[1])
for pair in sys.argv[2:]:
    key, value = pair.split("=", 1)
    entry[key] = int(value) if value.isdigit() else value
print(json.dumps(entry))' "$json" "$@" >> "$results"
}

# url_for SCENARIO BODY
url_for() {
  case $1 in
    direct) echo "http://127.0.0.1:$backend_port/api/citizens/$2" ;;
    nginx) echo "http://127.0.0.1:$consumer_port/api/citizens/$2" ;;
    rest) echo "http://$rest_on/r1/$service/citizens/$2" ;;
    rest-audit-off) echo "http://$rest_off/r1/$service/citizens/$2" ;;
    rest-hsm) echo "http://$rest_hsm/r1/$service/citizens/$2" ;;
    rest-https) echo "http://$rest_https/r1/$service/citizens/$2" ;;
    rest-grpc) echo "http://$rest_grpc/r1/$service/citizens/$2" ;;
  esac
}

# measure SCENARIO BODY CONNECTIONS ROUND [DELAY_MS]: one run, recorded with the gateways' memory
# sampled half-way through.
measure() {
  local scenario=$1 body=$2 conns=$3 round=$4 delay=${5:-0} output
  local sample="$work/sample"
  (
    sleep "$(python3 -c "print($seconds / 2)")"
    echo "$(rss_kib "$consumer_on") $(rss_kib "$provider_on")" > "$sample"
  ) &
  local sampler=$!
  if [ "$scenario" = grpc ]; then
    output=$("$bin/truc_load" --target "$grpc_on" --client "$client" --service "$service" \
      --path "/citizens/$body" --connections "$conns" --duration "$seconds" \
      --label "gRPC API, $body, $conns conn" 2>&1 >"$work/load.json") || true
    echo "$output" >&2
    output=$(cat "$work/load.json")
  else
    local headers=()
    [[ $scenario == rest* ]] && headers=(-H "X-Road-Client: $client")
    output=$(BENCH_DELAY_MS=$delay wrk -t1 -c"$conns" -d"${seconds}s" --latency \
      -s bench/suite/wrk.lua "${headers[@]}" "$(url_for "$scenario" "$body")" | sed -n 's/^JSON //p')
  fi
  wait "$sampler" || true
  local rss_consumer rss_provider
  read -r rss_consumer rss_provider < "$sample"
  record "$output" scenario="$scenario" body="$body" connections="$conns" round="$round" \
    delay_ms="$delay" rss_consumer_kib="$rss_consumer" rss_provider_kib="$rss_provider"
  python3 -c '
import json, sys
d = json.loads(sys.argv[1])
l = d["latency_ms"]
print("bench: {:<15} {:>4} {:>4} conn {:>9.0f}/s  p50 {:.2f}  p99 {:.2f} ms  errors {}".format(
    sys.argv[2], sys.argv[3], sys.argv[4], d["rps"], l["p50"], l["p99"], d["errors"]),
    file=sys.stderr)' \
    "$output" "$scenario" "$body" "$conns"
}

# --- Idle memory, start-up, and 10 MiB bodies -----------------------------------------------------
idle_consumer=$(rss_kib "$consumer_on")
idle_provider=$(rss_kib "$provider_on")
log "10 MiB bodies: 8 POSTs over REST and 8 over the gRPC API, two at a time"
head -c $((10 << 20)) /dev/zero | tr '\0' 'b' > "$work/body10m"
large_ok=0
for _ in 1 2 3 4; do
  for _ in 1 2; do
    curl -s -o /dev/null -w '%{http_code}\n' -X POST --data-binary "@$work/body10m" \
      -H "X-Road-Client: $client" -H "Content-Type: application/octet-stream" \
      "http://$rest_on/r1/$service/citizens/large/notes" &
  done | grep -c '^200$' > "$work/large.count" || true
  large_ok=$((large_ok + $(cat "$work/large.count")))
done
"$bin/truc_load" --target "$grpc_on" --client "$client" --service "$service" --method POST \
  --path /citizens/large/notes --body-bytes $((10 << 20)) --connections 2 --duration 2 \
  --label "gRPC API, 10 MiB POST" > "$work/large-grpc.json"
record "$(cat "$work/large-grpc.json")" scenario=grpc-10mib body=10m connections=2 round=1
record "{\"rest_ok\": $large_ok, \"rest_sent\": 8, \"idle_consumer_kib\": $idle_consumer, \"idle_provider_kib\": $idle_provider, \"hwm_consumer_kib\": $(rss_kib "$consumer_on" VmHWM), \"hwm_provider_kib\": $(rss_kib "$provider_on" VmHWM)}" scenario=memory

# --- The matrix, interleaved ----------------------------------------------------------------------
read -r -a scenarios <<< "${BENCH_SCENARIOS:-direct nginx rest rest-grpc rest-https rest-audit-off rest-hsm grpc}"
log "warming up"
for scenario in "${scenarios[@]}"; do
  seconds_saved=$seconds
  seconds=1
  measure "$scenario" 1k 16 0 > /dev/null 2>&1
  seconds=$seconds_saved
done
for round in $(seq "$rounds"); do
  for body in "${bodies[@]}"; do
    for conns in "${connections[@]}"; do
      for scenario in "${scenarios[@]}"; do
        measure "$scenario" "$body" "$conns" "$round"
      done
    done
  done
done

[ -n "${BENCH_MATRIX_ONLY:-}" ] && exit 0

# --- Latency at half the peak, and overload -------------------------------------------------------
half_peak() {
  python3 - "$results" "$1" <<'EOF'
import json, sys
peak = max((e["rps"] for e in map(json.loads, open(sys.argv[1]))
            if e.get("scenario") == sys.argv[2] and e.get("body") == "1k"
            and isinstance(e.get("round"), int) and e["round"] > 0),
           default=0)
print(int(peak / 2))
EOF
}
rest_half=$(half_peak rest)
grpc_half=$(half_peak grpc)
log "REST at about $rest_half/s (half its peak), gRPC API open loop at $grpc_half/s"
# 16 connections, each pausing so that together they send about rest_half a second.
delay=$(python3 -c "print(max(1, int(16 * 1000 / max($rest_half, 1))))")
measure rest 1k 16 half "$delay"
"$bin/truc_load" --target "$grpc_on" --client "$client" --service "$service" \
  --path /citizens/1k --connections 16 --duration "$seconds" --rate "$grpc_half" \
  --label "gRPC API, open loop" > "$work/open.json"
record "$(cat "$work/open.json")" scenario=grpc-open-loop body=1k connections=16 round=half
log "overload: 512 connections against a consumer limit of 256 concurrent calls"
measure rest 1k 512 overload
measure grpc 1k 512 overload

# --- A profile, on request ------------------------------------------------------------------------
if [ -n "${BENCH_PROFILE_DIR:-}" ]; then
  mkdir -p "$BENCH_PROFILE_DIR"
  log "profiling Trục REST at 64 connections into $BENCH_PROFILE_DIR"
  wrk -t1 -c64 -d12s -s bench/suite/wrk.lua -H "X-Road-Client: $client" \
    "$(url_for rest 1k)" > "$BENCH_PROFILE_DIR/wrk.txt" &
  wrk_pid=$!
  sleep 1
  perf record -a -g -o "$BENCH_PROFILE_DIR/perf.data" -- sleep 10 2> "$BENCH_PROFILE_DIR/record.log"
  wait "$wrk_pid"
  perf report -i "$BENCH_PROFILE_DIR/perf.data" --no-children --sort comm,dso --stdio \
    2>/dev/null | grep -v '^#' | grep -v '^$' | sed -n 1,40p > "$BENCH_PROFILE_DIR/by-dso.txt"
  perf report -i "$BENCH_PROFILE_DIR/perf.data" --no-children --sort symbol --stdio -g none \
    2>/dev/null | grep -v '^#' | grep -v '^$' | sed -n 1,60p > "$BENCH_PROFILE_DIR/by-symbol.txt"
fi

# --- The audit log at scale -----------------------------------------------------------------------
audit_exchanges=${BENCH_AUDIT_EXCHANGES:-500000}
[ "${1:-}" = "--quick" ] && audit_exchanges=20000
log "the audit log at scale: $audit_exchanges exchanges, built, queried and verified"
"$bin/truc_audit_scale" --exchanges "$audit_exchanges" --citizens $((audit_exchanges / 5)) \
  --dir "$root/build" --json "$work/audit-scale.json" --truc "$root/build/cli/truc" 2>&1 |
  grep -v ' WARN ' >&2

# --- Signing keys in a file and on an HSM (SoftHSM2) ---------------------------------------------
log "signing keys: a key file against a SoftHSM2 token"
"$bin/truc_signing_bench" --seconds 2 --json "$work/signing.json" >&2

# --- The report -----------------------------------------------------------------------------------
python3 bench/suite/report.py --results "$results" --federation "$work/federation.json" \
  --audit-scale "$work/audit-scale.json" --signing "$work/signing.json" --seconds "$seconds" \
  --rounds "$rounds" > "$out.tmp"
mv "$out.tmp" "$out"
log "wrote $out"
