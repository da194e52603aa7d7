"""Cloud SQL Admin API v1 over REST (http.server on 127.0.0.1), in memory.

Serves the paths google-api-python-client's sqladmin v1 discovery document builds:
instances list/get/insert/delete/restoreBackup/promoteReplica, backupRuns.list,
databases.list and operations.get, with Google's JSON error bodies. Like Cloud SQL: an
instance is PENDING_CREATE until its insert operation is done, a second operation on a
busy instance gets 409, names are unique, a restore copies the source's databases, and a
promoted replica loses masterInstanceName. Time is counted in requests: an operation
finishes once it or its instance has been asked about `op_polls` times; `fail[operationType]`
makes that kind of operation end with an error.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections import Counter, defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from tests.gcp.fakes.http_base import send_json


class FakeSqlAdmin:
    def __init__(self, project: str) -> None:
        self.project = project
        self.instances: dict[str, dict] = {}
        self.databases: dict[str, list[str]] = {}
        self.backups: dict[str, list[dict]] = defaultdict(list)
        self.operations: dict[str, dict] = {}
        self.op_polls = 1  # GETs of an operation before it is DONE
        self.fail: dict[str, str] = {}  # operationType -> error message
        self.errors: dict[str, list[int]] = defaultdict(list)  # "METHOD kind" -> HTTP codes to answer next
        self.calls: Counter[str] = Counter()
        self.log: list[tuple[str, str]] = []  # (method kind, instance)
        self.deleted: list[str] = []
        self.lock = threading.RLock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                fake._answer(self, "GET")

            def do_POST(self) -> None:
                fake._answer(self, "POST")

            def do_DELETE(self) -> None:
                fake._answer(self, "DELETE")

        class Server(ThreadingHTTPServer):
            def handle_error(self, request, client_address) -> None:
                pass

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    # --- test data ------------------------------------------------------------------------------------------
    def put_instance(
        self,
        name: str,
        region: str,
        private_ip: str,
        *,
        master: str = "",
        databases=("postgres", "app"),
        tier: str = "db-custom-1-3840",
    ) -> dict:
        body = {
            "kind": "sql#instance",
            "name": name,
            "project": self.project,
            "region": region,
            "state": "RUNNABLE",
            "databaseVersion": "POSTGRES_16",
            "connectionName": f"{self.project}:{region}:{name}",
            "instanceType": "READ_REPLICA_INSTANCE" if master else "CLOUD_SQL_INSTANCE",
            "ipAddresses": [{"type": "PRIVATE", "ipAddress": private_ip}],
            "settings": {
                "tier": tier,
                "edition": "ENTERPRISE",
                "dataDiskSizeGb": "50",
                "dataDiskType": "PD_SSD",
                "ipConfiguration": {
                    "ipv4Enabled": False,
                    "privateNetwork": f"projects/{self.project}/global/networks/pv-vpc",
                },
            },
        }
        if master:
            body["masterInstanceName"] = f"{self.project}:{master}"
            self.instances[master].setdefault("replicaNames", []).append(name)
        self.instances[name] = body
        self.databases[name] = list(databases)
        return body

    def put_backup(self, instance: str, backup_id: int, end_time: str, status: str = "SUCCESSFUL") -> None:
        self.backups[instance].append(
            {
                "kind": "sql#backupRun",
                "id": str(backup_id),
                "instance": instance,
                "status": status,
                "type": "AUTOMATED",
                "windowStartTime": end_time,
                "endTime": end_time,
            }
        )

    # --- HTTP -----------------------------------------------------------------------------------------------
    def _answer(self, request: BaseHTTPRequestHandler, method: str) -> None:
        url = urlparse(request.path)
        parts = url.path.strip("/").split("/")
        length = int(request.headers.get("Content-Length") or 0)
        body = json.loads(request.rfile.read(length) or b"{}") if length else {}
        # v1/projects/{project}/(instances|operations)[/{name}[/{sub}]]
        if parts[:2] != ["v1", "projects"] or len(parts) < 4 or parts[3] not in ("instances", "operations"):
            return send_json(request, 404, _error(404, f"unknown path {request.path}"))
        if parts[2] != self.project:
            return send_json(
                request, 403, _error(403, f"The client is not authorized to make this request for project {parts[2]}")
            )
        name = parts[4] if len(parts) > 4 else ""
        sub = parts[5] if len(parts) > 5 else ""
        kind = f"{method} {parts[3]}" + (f"/{sub}" if sub else "" if not name else "/name")
        with self.lock:
            self.calls[kind] += 1
            self.log.append((kind, name))
            code = self.errors[kind].pop(0) if self.errors[kind] else None
            if code is not None:
                return send_json(request, code, _error(code, f"injected HTTP {code}"))
            handler = {
                "GET instances": self._list,
                "POST instances": self._insert,
                "GET instances/name": self._get,
                "DELETE instances/name": self._delete,
                "POST instances/restoreBackup": self._restore,
                "POST instances/promoteReplica": self._promote,
                "GET instances/backupRuns": self._backup_runs,
                "GET instances/databases": self._databases,
                "GET operations/name": self._operation,
                "GET operations": self._operations,
            }.get(kind)
            if handler is None:
                return send_json(request, 404, _error(404, f"no method {kind}"))
            if kind == "GET operations":  # operations.list names its instance in the query
                name = parse_qs(url.query).get("instance", [""])[0]
            status, answer = handler(name, body)
        send_json(request, status, answer)

    def _list(self, _name: str, _body: dict) -> tuple[int, dict]:
        return 200, {"kind": "sql#instancesList", "items": list(self.instances.values())}

    def _get(self, name: str, _body: dict) -> tuple[int, dict]:
        if name not in self.instances:
            return 404, _error(404, "The Cloud SQL instance does not exist.", "instanceDoesNotExist")
        return 200, self.instances[name]

    def _busy(self, name: str) -> bool:
        running = [op for op in self.operations.values() if op["targetId"] == name and op["status"] != "DONE"]
        for op in running:
            self._advance(op)
        return any(op["status"] != "DONE" for op in running)

    def _start(self, kind: str, target: str, on_done) -> dict:
        op = {
            "kind": "sql#operation",
            "name": str(uuid.uuid4()),
            "status": "PENDING",
            "operationType": kind,
            "targetId": target,
            "targetProject": self.project,
            "_polls": 0,
            "_done": on_done,
        }
        self.operations[op["name"]] = op
        return _public(op)

    def _insert(self, _name: str, body: dict) -> tuple[int, dict]:
        name = body.get("name", "")
        if not name or not body.get("region") or not body.get("settings", {}).get("tier"):
            return 400, _error(400, "Invalid request: name, region and settings.tier are required.", "invalid")
        if name in self.instances:
            return 409, _error(409, "The Cloud SQL instance already exists.", "instanceAlreadyExists")
        instance = {
            **body,
            "kind": "sql#instance",
            "project": self.project,
            "state": "PENDING_CREATE",
            "instanceType": "CLOUD_SQL_INSTANCE",
            "ipAddresses": [{"type": "PRIVATE", "ipAddress": "10.20.0.99"}],
        }
        self.instances[name] = instance
        self.databases[name] = ["postgres"]

        def done() -> None:
            instance["state"] = "RUNNABLE"

        return 200, self._start("CREATE", name, done)

    def _delete(self, name: str, _body: dict) -> tuple[int, dict]:
        if name not in self.instances:
            return 404, _error(404, "The Cloud SQL instance does not exist.", "instanceDoesNotExist")
        if self._busy(name):
            return 409, _error(
                409, "Operation failed because another operation was already in progress.", "operationInProgress"
            )

        def done() -> None:
            self.instances.pop(name, None)
            self.deleted.append(name)

        return 200, self._start("DELETE", name, done)

    def _restore(self, name: str, body: dict) -> tuple[int, dict]:
        context = body.get("restoreBackupContext", {})
        source, backup_id = context.get("instanceId", ""), str(context.get("backupRunId", ""))
        if name not in self.instances:
            return 404, _error(404, "The Cloud SQL instance does not exist.", "instanceDoesNotExist")
        if self._busy(name):
            return 409, _error(
                409, "Operation failed because another operation was already in progress.", "operationInProgress"
            )
        if not any(b["id"] == backup_id for b in self.backups.get(source, [])):
            return 404, _error(404, f"The backup run {backup_id} of {source} does not exist.", "backupRunDoesNotExist")

        def done() -> None:
            self.databases[name] = list(self.databases[source])

        return 200, self._start("RESTORE_VOLUME", name, done)

    def _promote(self, name: str, _body: dict) -> tuple[int, dict]:
        instance = self.instances.get(name)
        if instance is None:
            return 404, _error(404, "The Cloud SQL instance does not exist.", "instanceDoesNotExist")
        if instance.get("instanceType") != "READ_REPLICA_INSTANCE":
            return 400, _error(400, "The instance is not a read replica.", "instanceNotReplica")

        def done() -> None:
            master = instance.pop("masterInstanceName", "").split(":")[-1]
            instance["instanceType"] = "CLOUD_SQL_INSTANCE"
            if master in self.instances:
                self.instances[master]["replicaNames"] = [
                    r for r in self.instances[master].get("replicaNames", []) if r != name
                ]

        return 200, self._start("PROMOTE_REPLICA", name, done)

    def _backup_runs(self, name: str, _body: dict) -> tuple[int, dict]:
        if name not in self.instances:
            return 404, _error(404, "The Cloud SQL instance does not exist.", "instanceDoesNotExist")
        return 200, {"kind": "sql#backupRunsList", "items": list(self.backups.get(name, []))}

    def _databases(self, name: str, _body: dict) -> tuple[int, dict]:
        instance = self.instances.get(name)
        if instance is None:
            return 404, _error(404, "The Cloud SQL instance does not exist.", "instanceDoesNotExist")
        if instance["state"] != "RUNNABLE":
            return 400, _error(400, "Invalid request since instance is not running.", "invalidState")
        return 200, {
            "kind": "sql#databasesList",
            "items": [{"kind": "sql#database", "name": db, "instance": name} for db in self.databases.get(name, [])],
        }

    def _operation(self, name: str, _body: dict) -> tuple[int, dict]:
        op = self.operations.get(name)
        if op is None:
            return 404, _error(404, f"The operation {name} does not exist.", "operationDoesNotExist")
        self._advance(op)
        return 200, _public(op)

    def _operations(self, instance: str, _body: dict) -> tuple[int, dict]:
        if not instance:
            return 400, _error(400, "Missing parameter: instance.", "required")
        items = [_public(op) for op in self.operations.values() if op["targetId"] == instance]
        return 200, {"kind": "sql#operationsList", "items": items[::-1]}  # newest first

    def _advance(self, op: dict) -> None:
        if op["status"] == "DONE":
            return
        op["_polls"] += 1
        op["status"] = "RUNNING"
        if op["_polls"] < self.op_polls:
            return
        op["status"] = "DONE"
        message = self.fail.get(op["operationType"])
        if not message:
            op["_done"]()
            return
        op["error"] = {
            "kind": "sql#operationErrors",
            "errors": [{"kind": "sql#operationError", "code": "INTERNAL_ERROR", "message": message}],
        }
        if op["operationType"] == "CREATE":  # a failed create still leaves an instance behind, to be deleted
            self.instances[op["targetId"]]["state"] = "FAILED"

    def start(self) -> FakeSqlAdmin:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _public(op: dict) -> dict:
    return {k: v for k, v in op.items() if not k.startswith("_")}


def _error(code: int, message: str, reason: str = "") -> dict:
    return {
        "error": {
            "code": code,
            "message": message,
            "errors": [{"domain": "global", "reason": reason or "error", "message": message}],
        }
    }
