#!/usr/bin/env python3
"""A core-database agency's information system for the once-only demo: read-only JSON records.

    agency_backend.py --port PORT --data FILE.json [--prefix /api]

FILE.json holds the agency's collections:

    {"agency": "...", "collections": {"citizens": {"key": "id_number",
                                                   "filters": {"owner_id": "owners.id_number"},
                                                   "records": [{...}, ...]}}}

and the program answers, on 127.0.0.1 only:

    GET PREFIX/COLLECTION/KEY            the record whose `key` field is KEY (200), or 404
    GET PREFIX/COLLECTION?NAME=VALUE     {"items": [...]}: the records where the field that filter
                                         NAME names (dotted, through lists) equals VALUE

Every answer is JSON in UTF-8. Each request is logged to stderr with what the gateway passes on:
the client subsystem, the end user (X-Road-UserId) and the purpose (X-Road-Issue), as the
agency's own log would keep them.
"""

import argparse
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, unquote, urlsplit


def field_values(record, dotted):
    """The values at `dotted` ("owners.id_number") in `record`, descending into lists."""
    values = [record]
    for name in dotted.split("."):
        found = []
        for value in values:
            items = value if isinstance(value, list) else [value]
            found += [item[name] for item in items if isinstance(item, dict) and name in item]
        values = found
    return [v for value in values for v in (value if isinstance(value, list) else [value])]


class Handler(BaseHTTPRequestHandler):
    collections = {}
    prefix = "/api"

    def do_GET(self):
        target = urlsplit(self.path)
        self.log_call()
        if not target.path.startswith(self.prefix + "/"):
            return self.answer(404, {"error": f"no such resource: {target.path}"})
        parts = [unquote(p) for p in target.path[len(self.prefix) + 1:].split("/")]
        collection = self.collections.get(parts[0])
        if collection is None:
            return self.answer(404, {"error": f"no collection '{parts[0]}'"})
        if len(parts) == 2:
            for record in collection["records"]:
                if str(record[collection["key"]]) == parts[1]:
                    return self.answer(200, record)
            return self.answer(404, {"error": f"no {parts[0]} record with {collection['key']} "
                                              f"{parts[1]}"})
        if len(parts) > 1:
            return self.answer(404, {"error": f"no such resource: {target.path}"})
        items = collection["records"]
        for name, value in parse_qsl(target.query):
            if name not in collection.get("filters", {}):
                return self.answer(400, {"error": f"cannot filter {parts[0]} by '{name}'"})
            path = collection["filters"][name]
            items = [r for r in items if value in map(str, field_values(r, path))]
        return self.answer(200, {"items": items})

    def answer(self, status, document):
        body = json.dumps(document, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_call(self):
        fields = {name: self.headers.get(name, "") for name in
                  ("X-Road-Client", "X-Road-UserId", "X-Road-Issue", "X-Road-Id")}
        print(json.dumps({"time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                          "method": self.command, "path": self.path, **fields},
                         ensure_ascii=False), file=sys.stderr, flush=True)

    def log_message(self, format, *args):
        pass  # log_call has written the line that matters.


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--prefix", default="/api")
    args = parser.parse_args()
    with open(args.data, encoding="utf-8") as f:
        Handler.collections = json.load(f)["collections"]
    Handler.prefix = args.prefix.rstrip("/")
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
