"""Compute Engine v1 REST (global load-balancer resources) on http.server, in memory.

Answers GET .../projects/{p}/global/{collection}[/{name}] with the JSON the REST
transport parses (camelCase, `items` lists, Google error bodies), with scripted
HTTP errors, permission denials and delays per collection.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

from tests.gcp.fakes.http_base import send_json

COLLECTIONS = ("addresses", "forwardingRules", "targetHttpsProxies", "sslCertificates", "backendServices", "securityPolicies")
BASE = "https://www.googleapis.com/compute/v1"


class FakeCompute:
    def __init__(self, project: str) -> None:
        self.project = project
        self.items: dict[str, dict[str, dict]] = {c: {} for c in COLLECTIONS}
        self.errors: dict[str, list[int]] = defaultdict(list)   # collection -> HTTP codes to answer next
        self.denied: dict[str, str] = {}                         # collection -> permission
        self.delay: dict[str, float] = {}
        self.calls: Counter[str] = Counter()
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep test output clean
                pass

            def do_GET(self) -> None:
                fake._answer(self)

        class Server(ThreadingHTTPServer):
            def handle_error(self, request, client_address) -> None:
                pass  # a client that timed out hung up on us: expected in timeout tests

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def link(self, collection: str, name: str) -> str:
        return f"{BASE}/projects/{self.project}/global/{collection}/{name}"

    def put(self, collection: str, body: dict) -> None:
        self.items[collection][body["name"]] = {**body, "selfLink": self.link(collection, body["name"])}

    def _answer(self, request: BaseHTTPRequestHandler) -> None:
        parts = urlparse(request.path).path.strip("/").split("/")
        # compute/v1/projects/{p}/global/{collection}[/{name}]
        if len(parts) < 6 or parts[:3] != ["compute", "v1", "projects"] or parts[4] != "global" or parts[5] not in COLLECTIONS:
            return send_json(request, 404, {"error": {"code": 404, "message": f"unknown path {request.path}"}})
        collection, name = parts[5], (parts[6] if len(parts) > 6 else None)
        with self.lock:
            self.calls[collection] += 1
            code = self.errors[collection].pop(0) if self.errors[collection] else None
        if collection in self.delay:
            time.sleep(self.delay[collection])
        if collection in self.denied:
            permission = self.denied[collection]
            return send_json(
                request,
                403,
                {
                    "error": {
                        "code": 403,
                        "message": f"Required '{permission}' permission for 'projects/{parts[3]}'",
                        "errors": [{"reason": "forbidden", "domain": "global"}],
                    }
                },
            )
        if code is not None:
            return send_json(request, code, {"error": {"code": code, "message": f"injected HTTP {code}"}})
        if name is None:
            return send_json(request, 200, {"kind": f"compute#{collection}List", "items": list(self.items[collection].values())})
        if name not in self.items[collection]:
            return send_json(
                request, 404, {"error": {"code": 404, "message": f"The resource '{self.link(collection, name)}' was not found"}}
            )
        return send_json(request, 200, self.items[collection][name])

    def start(self) -> FakeCompute:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
