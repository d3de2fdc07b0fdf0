#!/usr/bin/env python3
"""Drives deploy/federation/truc-federation with a small federation of its own: two members, one
REST service with a tiny backend that echoes what it receives, one access right.

    launcher_test.py --build BUILD_DIR

`up --detach`, one exchange end to end through both gateways, a call the access right does not
cover, the audit trail of both on both gateways (through their audit APIs, as the federation's
auditor), then `down`, after which no process of the federation may be left.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LAUNCHER = REPO / "deploy" / "federation" / "truc-federation"
BUILD = None  # Set from --build.

# Answers every GET with what it received: path and the X-Road fields the gateway passed on.
ECHO_BACKEND = r'''
import json, sys
from http.server import BaseHTTPRequestHandler, HTTPServer

class Echo(BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({"path": self.path, "answer": "xin chào từ Sở Tư pháp",
                           **{name: self.headers.get(name, "") for name in
                              ("X-Road-Client", "X-Road-UserId", "X-Road-Issue")}},
                          ensure_ascii=False).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

HTTPServer(("127.0.0.1", int(sys.argv[1])), Echo).serve_forever()
'''

DESCRIPTION = '''
instance = "VN"

[[members]]
id = "VN/GOV/000500"
name = "Sở Tư pháp"
subsystems = ["civil-status"]

[[members]]
id = "VN/GOV/000600"
name = "Ủy ban nhân dân xã"
subsystems = ["office"]

[[gateways]]
id = "VN/GOV/000500/gw1"

[[gateways]]
id = "VN/GOV/000600/main"

[[services]]
id = "VN/GOV/000500/civil-status/births"
gateway = "VN/GOV/000500/gw1"
backend.command = ["python3", "echo_backend.py", "{port}"]
backend.url = "http://127.0.0.1:{port}/api"
endpoints = [{ method = "GET", path = "/births/*" }, { method = "GET", path = "/deaths/*" }]

[[access]]
service = "VN/GOV/000500/civil-status/births"
client = "VN/GOV/000600/office"
endpoints = [{ method = "GET", path = "/births/*" }]
'''

SERVICE = "VN/GOV/000500/civil-status/births"
CLIENT = "VN/GOV/000600/office"


def launcher(*args):
    return subprocess.run([sys.executable, str(LAUNCHER), *args], capture_output=True, text=True,
                          timeout=120)


def running(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"


def call(rest, path, issue):
    request = urllib.request.Request(
        f"http://{rest}/r1/{SERVICE}{path}",
        headers={"X-Road-Client": CLIENT, "X-Road-UserId": "VN001190004321",
                 "X-Road-Issue": issue})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read().decode()


def audit(addresses, gateway, *args, retry=False):
    """Runs `truc audit ARGS` against `gateway`'s audit API as the federation's auditor; returns
    its output. With `retry`, waits (up to 10 s) for the records to be sealed first."""
    auditor = addresses["auditor"]
    argv = [str(Path(BUILD) / "cli" / "truc"), "audit", "--gateway", gateway["admin"], "--cert",
            auditor["certificate"], "--key", auditor["key"], "--ca", auditor["ca"], *args]
    for _ in range(50 if retry else 1):
        result = subprocess.run(argv, capture_output=True, text=True, timeout=60)
        if result.returncode == 0 or "sealed" not in result.stderr:
            break
        time.sleep(0.2)
    if result.returncode != 0:
        raise AssertionError(f"{' '.join(argv)} failed: {result.stdout}{result.stderr}")
    return result.stdout


class LauncherTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory(prefix="truc-launcher-test-")
        self.addCleanup(self.dir.cleanup)
        root = Path(self.dir.name)
        (root / "echo_backend.py").write_text(ECHO_BACKEND)
        self.description = root / "federation.toml"
        self.description.write_text(DESCRIPTION)
        self.state = root / "state"
        # Whatever happens, nothing of the federation outlives the test.
        self.addCleanup(launcher, "down", "--state-dir", str(self.state))

    def up(self):
        result = launcher("up", str(self.description), "--build", BUILD, "--state-dir",
                          str(self.state), "--detach")
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        pids = [r["pid"] for r in json.loads((self.state / "pids.json").read_text())]
        addresses = json.loads((self.state / "addresses.json").read_text())
        return pids, addresses

    def down(self, pids):
        result = launcher("down", "--state-dir", str(self.state))
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertEqual([pid for pid in pids if running(pid)], [])
        self.assertFalse((self.state / "pids.json").exists())

    def test_exchange_through_both_gateways_then_down(self):
        pids, addresses = self.up()
        # The TSA, the registry, the backend and two gateways.
        self.assertEqual(len(pids), 5)
        self.assertTrue(all(running(pid) for pid in pids))
        consumer = addresses["gateways"]["VN/GOV/000600/main"]
        provider = addresses["gateways"]["VN/GOV/000500/gw1"]
        for gateway in (consumer, provider):
            for interface in ("rest", "grpc", "exchange", "admin"):
                self.assertTrue(gateway[interface].startswith("127.0.0.1:"), gateway[interface])

        status, headers, body = call(consumer["rest"], "/births/001203000001", "HS-2026-000042")
        self.assertEqual(status, 200, body)
        echoed = json.loads(body)
        self.assertEqual(echoed["answer"], "xin chào từ Sở Tư pháp")
        self.assertEqual(echoed["path"], "/api/births/001203000001")
        self.assertEqual(echoed["X-Road-Issue"], "HS-2026-000042")
        self.assertEqual(echoed["X-Road-UserId"], "VN001190004321")
        self.assertEqual(echoed["X-Road-Client"], CLIENT)
        self.assertEqual(headers["X-Road-Service"], SERVICE)
        message_id = headers["X-Road-Id"]

        # Declared by the service, not granted to the client: the provider's gateway refuses.
        status, headers, body = call(consumer["rest"], "/deaths/001203000001", "HS-2026-000042")
        self.assertEqual(status, 500, body)
        self.assertEqual(headers["X-Road-Error"], "Server.ServerProxy.AccessDenied")

        # The audit trail: each gateway logged the exchange on its side, in a log that verifies.
        for gateway, side in ((consumer, "consumer"), (provider, "provider")):
            shown = audit(addresses, gateway, "show", "--message-id", message_id, retry=True)
            self.assertIn(f"request on the {side} side", shown)
            self.assertIn(f"response on the {side} side", shown)
            self.assertIn("HS-2026-000042", shown)
            rows = json.loads(audit(addresses, gateway, "query", "--purpose", "HS-2026-000042",
                                    "--format", "json"))
            self.assertEqual([row["outcome"] for row in rows],
                             ["200", "Server.ServerProxy.AccessDenied"])
            self.assertEqual({row["client"] for row in rows}, {CLIENT})
            verified = audit(addresses, gateway, "verify", "--anchor", addresses["trust_anchor"])
            self.assertIn("OK: every record", verified)

        self.down(pids)

    def test_second_up_on_the_same_state_dir_keeps_the_pki(self):
        pids, addresses = self.up()
        certificate = Path(addresses["gateways"]["VN/GOV/000500/gw1"]["tls_certificate"])
        first = certificate.read_bytes()
        refused = launcher("up", str(self.description), "--build", BUILD, "--state-dir",
                           str(self.state), "--detach")
        self.assertEqual(refused.returncode, 1)
        self.assertIn("already running", refused.stderr)
        self.down(pids)

        pids, addresses = self.up()
        self.assertEqual(certificate.read_bytes(), first)
        status, _, body = call(addresses["gateways"]["VN/GOV/000600/main"]["rest"],
                               "/births/001203000002", "HS-2026-000043")
        self.assertEqual(status, 200, body)
        self.down(pids)

    def test_a_backend_that_cannot_start_is_reported_with_its_log(self):
        self.description.write_text(DESCRIPTION.replace('"echo_backend.py"', '"missing.py"'))
        result = launcher("up", str(self.description), "--build", BUILD, "--state-dir",
                          str(self.state), "--detach")
        self.assertEqual(result.returncode, 1)
        self.assertIn(f"backend of {SERVICE} exited", result.stderr)
        self.assertIn("missing.py", result.stderr)  # Python's complaint, from the backend's log.
        self.assertFalse((self.state / "pids.json").exists())

    def test_a_description_naming_an_unknown_gateway_is_refused(self):
        self.description.write_text(DESCRIPTION.replace('gateway = "VN/GOV/000500/gw1"',
                                                        'gateway = "VN/GOV/000500/gw9"'))
        result = launcher("up", str(self.description), "--build", BUILD, "--state-dir",
                          str(self.state))
        self.assertEqual(result.returncode, 2)
        self.assertIn("services[0]: gateway 'VN/GOV/000500/gw9' is not listed", result.stderr)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", required=True)
    args, rest = parser.parse_known_args()
    BUILD = str(Path(args.build).resolve())
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)
