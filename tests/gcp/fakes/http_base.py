"""What the REST fakes share: a JSON answer as Google's REST front ends send it."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler


def send_json(request: BaseHTTPRequestHandler, code: int, body: dict) -> None:
    data = json.dumps(body).encode()
    request.send_response(code)
    request.send_header("Content-Type", "application/json; charset=UTF-8")
    request.send_header("Content-Length", str(len(data)))
    request.end_headers()
    request.wfile.write(data)
