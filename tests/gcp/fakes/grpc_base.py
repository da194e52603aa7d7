"""A tiny gRPC fake server: real grpc.server on 127.0.0.1, the libraries' own message types,
and fault injection (errors, permission denials, delays) counted per method."""

from __future__ import annotations

import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent import futures
from typing import Any

import grpc
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status


def _codec(message_type: Any) -> tuple[Callable, Callable]:
    """(deserializer, serializer) for a proto-plus type or a plain protobuf class."""
    if hasattr(message_type, "pb") and hasattr(message_type, "deserialize"):
        return message_type.deserialize, message_type.serialize
    return message_type.FromString, lambda m: m.SerializeToString()


def _status(code: int, message: str, info: error_details_pb2.ErrorInfo) -> status_pb2.Status:
    """A google.rpc.Status with ErrorInfo, as Google APIs send in grpc-status-details-bin."""
    detail = any_pb2.Any()
    detail.Pack(info)
    return status_pb2.Status(code=code, message=message, details=[detail])


class Faults:
    """Per-method scripted behaviour, consumed call by call."""

    def __init__(self) -> None:
        self.errors: dict[str, list[grpc.StatusCode]] = defaultdict(list)
        self.denied: dict[str, str] = {}          # method -> IAM permission to deny
        self.delay: dict[str, float] = {}         # method -> seconds before answering
        self.disabled_api: dict[str, str] = {}    # method -> API name, as when the API is not enabled
        self.calls: Counter[str] = Counter()
        self.lock = threading.Lock()


class FakeGrpcServer:
    def __init__(self) -> None:
        self.faults = Faults()
        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
        self.port = self.server.add_insecure_port("127.0.0.1:0")
        self.requests: list[tuple[str, Any]] = []

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self.port}"

    def add_service(self, service: str, methods: dict[str, tuple[Callable, Any, Any]]) -> None:
        handlers = {}
        for method, (fn, request_type, response_type) in methods.items():
            deserialize, _ = _codec(request_type)
            _, serialize = _codec(response_type)
            handlers[method] = grpc.unary_unary_rpc_method_handler(
                self._wrap(method, fn), request_deserializer=deserialize, response_serializer=serialize)
        self.server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(service, handlers),))

    def _wrap(self, method: str, fn: Callable) -> Callable:
        def handle(request: Any, context: grpc.ServicerContext) -> Any:
            faults = self.faults
            with faults.lock:
                faults.calls[method] += 1
                error = faults.errors[method].pop(0) if faults.errors[method] else None
                self.requests.append((method, request))
            if method in faults.delay:
                time.sleep(faults.delay[method])
            if method in faults.denied:
                permission = faults.denied[method]
                context.abort_with_status(rpc_status.to_status(_status(
                    code_pb2.PERMISSION_DENIED, f"Permission '{permission}' denied on resource (or it may not exist).",
                    error_details_pb2.ErrorInfo(reason="IAM_PERMISSION_DENIED", domain="iam.googleapis.com",
                                                metadata={"permission": permission}))))
            if method in faults.disabled_api:
                api = faults.disabled_api[method]
                context.abort_with_status(rpc_status.to_status(_status(
                    code_pb2.PERMISSION_DENIED, f"{api} has not been used in project before or it is disabled.",
                    error_details_pb2.ErrorInfo(reason="SERVICE_DISABLED", domain="googleapis.com", metadata={"service": api}))))
            if error is not None:
                context.abort(error, f"injected {error.name}")
            return fn(request, context)

        return handle

    def calls(self, method: str) -> int:
        return self.faults.calls[method]

    def start(self) -> FakeGrpcServer:
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop(grace=None)
