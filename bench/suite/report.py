#!/usr/bin/env python3
"""Writes docs/performance.md from the benchmark suite's measurements (bench/run.sh).

Each line of --results is one measurement: wrk's or truc_load's JSON with the scenario, body,
connections and round it was taken in. Figures of the same cell from several rounds are averaged;
the spread of their throughput is shown. The hand-written analysis in bench/suite/analysis.md is
appended as it is.
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys

SCENARIOS = {
    "direct": "backend directly",
    "nginx": "nginx TLS chain",
    "rest": "Trục REST",
    "rest-audit-off": "Trục REST, audit log off",
    "rest-hsm": "Trục REST, consumer's key on SoftHSM2",
    "rest-https": "Trục REST, gateways over HTTPS",
    "rest-grpc": "Trục REST, gateways over gRPC",
    "grpc": "Trục gRPC API",
}


def command_output(command):
    try:
        result = subprocess.run(command, shell=True, capture_output=True, text=True, timeout=10)
        return (result.stdout + result.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.SubprocessError):
        return "unknown"


def machine():
    model = "unknown"
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as meminfo:
        memory_kib = int(meminfo.readline().split()[1])
    return {
        "cpu": f"{os.cpu_count()} × {model}",
        "memory": f"{memory_kib / 1024 / 1024:.1f} GiB",
        "kernel": platform.release(),
        "os": command_output(". /etc/os-release && echo $PRETTY_NAME"),
        "core speed": core_speed(),
    }


def core_speed():
    """One core's speed for the work verification is made of, as the report is written: this
    machine is shared, and its speed differs by a third from one day to another, so figures of
    different runs compare only through it."""
    try:
        output = subprocess.run("openssl speed -seconds 1 ecdsap256 sha256", shell=True,
                                capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    verify, sha256 = None, None
    for line in output.splitlines():
        fields = line.split()
        if "ecdsa" in line and "nistp256" in line and len(fields) >= 2:
            verify = fields[-1]
        elif fields and fields[0] == "sha256" and len(fields) >= 5:
            sha256 = fields[4].rstrip("k")
    if verify is None or sha256 is None:
        return "unknown"
    return (f"ECDSA P-256 {float(verify):,.0f} verifications/s, SHA-256 "
            f"{float(sha256) / 1000:,.0f} MB/s in 1 KiB blocks (`openssl speed`, one core)")


def versions():
    return {
        "Trục": command_output("git describe --always --dirty"),
        "compiler": command_output("c++ --version"),
        "OpenSSL": command_output("openssl version"),
        "gRPC": command_output("dpkg-query -W -f='${Version}' libgrpc++-dev"),
        "RocksDB": command_output("dpkg-query -W -f='${Version}' librocksdb-dev"),
        "nginx": command_output("nginx -v"),
        "wrk": command_output("wrk -v"),
    }


def cells(results):
    """(scenario, body, connections) -> the measurements of the matrix's rounds."""
    table = {}
    for entry in results:
        if isinstance(entry.get("round"), int) and entry["round"] > 0:
            key = (entry["scenario"], entry["body"], entry["connections"])
            table.setdefault(key, []).append(entry)
    return table


def mean(entries, field):
    return statistics.fmean(entry[field] for entry in entries)


def latency(entries, percentile):
    return statistics.fmean(entry["latency_ms"][percentile] for entry in entries)


def ratio(value, reference):
    return f"{value / reference:.3f}" if reference else "–"


def matrix_tables(table, bodies, connections):
    lines = []
    for body in bodies:
        # Bodies measured only for memory (10 MiB) have no throughput rows.
        if not any(table.get((scenario, body, conns)) for scenario in SCENARIOS
                   for conns in connections):
            continue
        lines += [
            f"### {body.replace('k', ' KiB')} response bodies",
            "",
            "| conns | scenario | req/s | (range) | p50 ms | p90 ms | p99 ms | max ms | errors "
            "| × direct | × nginx |",
            "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for conns in connections:
            direct = table.get(("direct", body, conns))
            nginx = table.get(("nginx", body, conns))
            for scenario, name in SCENARIOS.items():
                entries = table.get((scenario, body, conns))
                if not entries:
                    continue
                rps = mean(entries, "rps")
                spread = f"{min(e['rps'] for e in entries):.0f}–{max(e['rps'] for e in entries):.0f}"
                errors = sum(entry["errors"] for entry in entries)
                lines.append(
                    f"| {conns} | {name} | {rps:,.0f} | {spread} | {latency(entries, 'p50'):.2f} "
                    f"| {latency(entries, 'p90'):.2f} | {latency(entries, 'p99'):.2f} "
                    f"| {latency(entries, 'max'):.1f} | {errors} "
                    f"| {ratio(rps, mean(direct, 'rps') if direct else 0)} "
                    f"| {ratio(rps, mean(nginx, 'rps') if nginx else 0)} |")
        lines.append("")
    return lines


def find(results, scenario, round_name):
    for entry in results:
        if entry.get("scenario") == scenario and entry.get("round") == round_name:
            return entry
    return None


def targets(table, results, federation):
    def rps(scenario, conns, body="1k"):
        entries = table.get((scenario, body, conns))
        return mean(entries, "rps") if entries else 0.0

    def p50(scenario, conns, body="1k"):
        entries = table.get((scenario, body, conns))
        return latency(entries, "p50") if entries else float("nan")

    rows = []

    def add(target, measured, met):
        rows.append(f"| {target} | {measured} | {'met' if met else '**not met**'} |")

    rest64, nginx64 = rps("rest", 64), rps("nginx", 64)
    add("REST ≥ 0.5× the nginx chain, 64 connections, 1 KiB (aim 0.8×)",
        f"{rest64:,.0f} vs {nginx64:,.0f} req/s: {ratio(rest64, nginx64)}×",
        nginx64 > 0 and rest64 >= 0.5 * nginx64)
    half = find(results, "rest", "half")
    if half:
        add("p99 below 5 ms at half of Trục's peak (REST, paced)",
            f"p99 {half['latency_ms']['p99']:.2f} ms at {half['rps']:,.0f} req/s",
            half["latency_ms"]["p99"] < 5)
    open_loop = find(results, "grpc-open-loop", "half")
    if open_loop:
        add("p99 below 5 ms at half of Trục's peak (gRPC API, open loop)",
            f"p99 {open_loop['latency_ms']['p99']:.2f} ms at {open_loop['rps']:,.0f} calls/s "
            f"(asked {open_loop['rate']:,.0f}/s)",
            open_loop["latency_ms"]["p99"] < 5)
    added = p50("rest", 1) - p50("nginx", 1)
    add("at 1 connection, REST adds under 1 ms to the nginx chain's p50",
        f"{p50('rest', 1):.2f} − {p50('nginx', 1):.2f} = {added:.2f} ms", added < 1)
    for scenario in ("rest", "grpc"):
        overload = find(results, scenario, "overload")
        if overload:
            kinds = overload.get("error_kinds")
            refused = (", ".join(f"{count} {kind}" for kind, count in kinds.items())
                       if kinds else f"{overload.get('status_errors', 0)} non-2xx")
            add(f"overload ({SCENARIOS[scenario]}, 512 connections, limit 256): fast refusals",
                f"{overload['rps']:,.0f} answered/s; refused: {refused}; "
                f"p99 {overload['latency_ms']['p99']:.1f} ms, max {overload['latency_ms']['max']:.0f} ms, "
                f"{overload.get('socket_errors', 0)} socket errors",
                overload["latency_ms"]["max"] < 1000 and overload.get("socket_errors", 0) == 0)
    memory = next((e for e in results if e.get("scenario") == "memory"), None)
    loaded = [e for e in results if e.get("rss_consumer_kib")]
    if memory:
        idle = max(memory["idle_consumer_kib"], memory["idle_provider_kib"]) / 1024
        add("RSS below 64 MB idle", f"consumer {memory['idle_consumer_kib'] / 1024:.1f} MB, "
            f"provider {memory['idle_provider_kib'] / 1024:.1f} MB", idle < 64)
    if loaded:
        peak_consumer = max(int(e["rss_consumer_kib"]) for e in loaded) / 1024
        peak_provider = max(int(e["rss_provider_kib"]) for e in loaded) / 1024
        add("RSS below 100 MB under load (sampled half-way through each run)",
            f"consumer {peak_consumer:.1f} MB, provider {peak_provider:.1f} MB",
            max(peak_consumer, peak_provider) < 100)
    if memory:
        add("memory bounded with 10 MiB bodies: peak RSS below 160 MB after 8 REST and 2 s of "
            "gRPC 10 MiB POSTs, two at a time",
            f"consumer {memory['hwm_consumer_kib'] / 1024:.1f} MB, provider "
            f"{memory['hwm_provider_kib'] / 1024:.1f} MB; REST {memory['rest_ok']}/"
            f"{memory['rest_sent']} answered 200",
            memory["rest_ok"] == memory["rest_sent"]
            and max(memory["hwm_consumer_kib"], memory["hwm_provider_kib"]) < 160 * 1024)
    starts = [g["start_to_ready_ms"] for f in federation.values() for g in f["gateways"].values()]
    add("start to ready under 300 ms", f"{min(starts):.0f}–{max(starts):.0f} ms (4 gateways)",
        max(starts) < 300)
    grpc64 = rps("grpc", 64)
    add("gRPC API at least as fast as REST (64 connections, 1 KiB)",
        f"{grpc64:,.0f} vs {rest64:,.0f}", grpc64 >= rest64)
    return ["| target | measured | |", "|---|---|---|"] + rows + [""]


def audit_scale(figures):
    """The section on the audit log at scale (bench/audit_scale_main.cc)."""
    records = figures["records"]
    beyond = figures["bytes_per_exchange"] - 1024
    cli = figures.get("truc_verify_seconds")
    per_million = (cli if cli else figures["verify_seconds"]) * 1e6 / records
    archive_per_million = figures["archive_verify_seconds"] * 1e6 / records
    steps = figures["verify_steps_seconds"]
    parts = figures.get("bytes_per_exchange_by_part", {})

    def verdict(met):
        return "met" if met else "**not met**"

    rows = [
        ("who read citizen X (--subject, from the catalog's subject identifiers), first page and "
         "total, under 1 s",
         f"median {figures['subject_query_ms_median']:.2f} ms, max "
         f"{figures['subject_query_ms_max']:.2f} ms, {figures['subject_query_matches']:.1f} "
         f"exchanges each (by scanning every path: {figures['scan_query_seconds']:.1f} s)",
         verdict(figures["subject_query_ms_max"] < 1000)),
        ("what officer Y did (--user-id), first page and total, under 1 s",
         f"median {figures['user_query_ms_median']:.2f} ms, max "
         f"{figures['user_query_ms_max']:.2f} ms, {figures['user_query_matches']:.0f} "
         "exchanges each",
         verdict(figures["user_query_ms_max"] < 1000)),
    ]
    for key, question in (("user_window", "what officer Y did in 10 minutes (--user-id --since "
                           "--until: two indexes combined), first page and total, under 1 s"),
                          ("client_window", "a client's exchanges in 1 minute (--client --since "
                           "--until), first page and total, under 1 s")):
        if f"{key}_query_ms_median" in figures:
            rows.append((question,
                         f"median {figures[f'{key}_query_ms_median']:.2f} ms, max "
                         f"{figures[f'{key}_query_ms_max']:.2f} ms, "
                         f"{figures[f'{key}_query_matches']:.0f} exchanges each",
                         verdict(figures[f"{key}_query_ms_max"] < 1000)))
    rows += [
        ("1 million records verified in under 10 s (in the gateway's store: `truc audit "
         "--gateway-config FILE verify`)",
         f"{per_million:.1f} s per million (block checksums {steps['checksums']:.1f} s, tree "
         f"entries {steps['tree']:.1f} s, records {steps['records']:.1f} s in this run of "
         f"{records:,}; {figures['batch_signatures']:,} batch signatures)",
         verdict(per_million < 10)),
        ("1 million records verified in under 10 s (through the audit API: an archive verified "
         "while the gateway exports it)",
         f"{archive_per_million:.1f} s per million (in this run of {records:,}: exported alone "
         f"in {steps['export']:.1f} s, verified alone in {steps['archive']:.1f} s, both at once "
         f"on the same two cores in {figures['archive_verify_seconds']:.1f} s)",
         verdict(archive_per_million < 10)),
        ("at most 1.5 KB stored per exchange beyond the bodies",
         f"{figures['bytes_per_exchange']:,.0f} bytes per exchange with an incompressible 1 KiB "
         f"body: {beyond:,.0f} beyond it ("
         + ", ".join(f"{name} {value:,.0f}" for name, value in parts.items()) + ")",
         verdict(beyond <= 1536)),
    ]
    lines = [
        "## The audit log at scale",
        "",
        f"`truc_audit_scale`: {figures['exchanges']:,} exchanges ({records:,} records) logged "
        "through the real AuditLog API on RocksDB, every message sealed with real batch "
        "signatures and the log sealed with RFC 3161 timestamps, "
        f"{figures['officers']:,} officers reading the records of "
        f"{figures['citizens']:,} citizens; built in {figures['build_seconds']:.0f} s. (Issue "
        "\"Audit at national scale\" asks for 10 million records: "
        "`BENCH_AUDIT_EXCHANGES=5000000 bench/run.sh`.)",
        "",
        "| target | measured | |",
        "|---|---|---|",
    ]
    lines += [f"| {target} | {measured} | {met} |" for target, measured, met in rows]
    return lines + [""]


def signing(figures):
    """The section on member signing keys in a file and on an HSM (bench/signing_main.cc)."""
    rows = []
    for threads in (1, 2):
        entry = figures[f"signatures_per_second_{threads}_threads"]
        rows.append((f"P-256 signatures per second, {threads} thread(s)", entry["file"],
                     entry["token"]))
    sealed = figures["sealed_per_second_64_in_flight"]
    batch = figures["messages_per_batch"]
    rows.append(("messages sealed per second (batch signer, 64 in flight)", sealed["file"],
                 sealed["token"]))
    return [
        "## Signing keys in a file and on an HSM",
        "",
        "`truc_signing_bench`: the member signing key in a key file against a key on a SoftHSM2 "
        "token through PKCS#11 (`[signing.pkcs11]`). A token signs far fewer times a second, but "
        "a gateway signs batches: one signature covers every message that arrives while the "
        f"previous batch is signed (here {batch['file']:.0f} and {batch['token']:.0f} messages "
        "per signature with 64 in flight), so a token costs little throughput: end to end, "
        "see \"Trục REST, consumer's key on SoftHSM2\" in the tables above.",
        "",
        "| measure | key file | SoftHSM2 token | token / file |",
        "|---|---:|---:|---:|",
    ] + [f"| {name} | {file:,.0f} | {token:,.0f} | {token / file:.2f} |"
         for name, file, token in rows] + [""]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--results", required=True)
    parser.add_argument("--federation", required=True)
    parser.add_argument("--seconds", required=True)
    parser.add_argument("--rounds", required=True)
    parser.add_argument("--audit-scale")
    parser.add_argument("--signing")
    args = parser.parse_args()
    with open(args.results) as file:
        results = [json.loads(line) for line in file if line.strip()]
    with open(args.federation) as file:
        federation = json.load(file)
    table = cells(results)
    bodies = sorted({key[1] for key in table}, key=lambda b: int(b[:-1]))
    connections = sorted({key[2] for key in table})

    lines = [
        "# Performance",
        "",
        "<!-- Generated by bench/run.sh (bench/suite/report.py); edit bench/suite/analysis.md. -->",
        "",
        f"The latest output of `bench/run.sh`, {datetime.date.today().isoformat()}. Every scenario "
        f"ran {args.rounds} time(s) for {args.seconds} s, interleaved (each scenario once per "
        "round); the figures are means over the rounds, and (range) is the spread of throughput. "
        "Absolute numbers vary from run to run on shared machines; compare the ratios, which were "
        "measured in the same run.",
        "",
        "## Machine and versions",
        "",
    ]
    lines += [f"- {key}: {value}" for key, value in {**machine(), **versions()}.items()]
    lines += [
        "",
        "## Scenarios",
        "",
        "- **backend directly**: wrk to the backend (nginx serving a static body).",
        "- **nginx TLS chain**: wrk → nginx (plain HTTP in, mutual TLS 1.3 out, keep-alive) → "
        "nginx (TLS 1.3, client certificate required) → the backend.",
        "- **Trục REST**: wrk → consumer's gateway (REST r1) → provider's gateway (mutual TLS "
        "1.3, signed and verified messages, both audit logs, RFC 3161 timestamps) → the backend. "
        "The gateways talk HTTP/2 of our own to each other (`[exchange] transport = \"http2\"`, "
        "the default: calls as streams of shared connections, on our event loops).",
        "- **Trục REST, gateways over gRPC / over HTTPS**: the same with `transport = \"grpc\"` "
        "(gRPC's own HTTP/2 and threads) or `\"https\"` (HTTP/1.1 on our event loops, a "
        "connection per call in flight).",
        "- **Trục REST, audit log off**: the same with `[audit] enabled = false` on both "
        "gateways: the difference is what durable evidence costs.",
        "- **Trục REST, consumer's key on SoftHSM2**: Trục REST with the consumer's member "
        "signing key on a SoftHSM2 token through PKCS#11 (`[signing.pkcs11]`): what an HSM "
        "costs.",
        "- **Trục gRPC API**: `truc_load` (closed loop, one HTTP/2 connection per caller) → "
        "consumer's gateway's gRPC service API → the same path.",
        "",
        "wrk runs with one thread (`wrk -t1 -cN --latency`); all processes share the same two "
        "cores.",
        "",
        "## Targets",
        "",
    ]
    lines += targets(table, results, federation)
    lines += ["## Throughput and latency", ""]
    lines += matrix_tables(table, bodies, connections)
    if args.audit_scale and os.path.exists(args.audit_scale):
        with open(args.audit_scale) as file:
            lines += audit_scale(json.load(file))
    if args.signing and os.path.exists(args.signing):
        with open(args.signing) as file:
            lines += signing(json.load(file))
    analysis = os.path.join(os.path.dirname(__file__), "analysis.md")
    if os.path.exists(analysis):
        with open(analysis) as file:
            lines += [file.read().rstrip(), ""]
    sys.stdout.write("\n".join(lines))


if __name__ == "__main__":
    main()
