"""Secret Manager v1 over real gRPC, in memory: secrets, versions (enabled/disabled), payload checksums."""

from __future__ import annotations

import datetime as dt

import grpc
from google.cloud import secretmanager_v1 as sm

from tests.gcp.fakes.grpc_base import FakeGrpcServer

ENABLED = sm.SecretVersion.State.ENABLED
DISABLED = sm.SecretVersion.State.DISABLED


def _crc32c(data: bytes) -> int:
    # Independent bitwise CRC-32C so the fake checks pvctl's checksum rather than reusing it.
    crc = ~0 & 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            mask = -(crc & 1) & 0xFFFFFFFF
            crc = (crc >> 1) ^ (0x82F63B78 & mask)
    return ~crc & 0xFFFFFFFF


class FakeSecretManager(FakeGrpcServer):
    def __init__(self) -> None:
        super().__init__()
        self.versions: dict[str, list[sm.SecretVersion]] = {}   # secret path -> versions, oldest first
        self.payloads: dict[str, bytes] = {}                   # version path -> value
        self.add_service("google.cloud.secretmanager.v1.SecretManagerService", {
            "ListSecretVersions": (self.list_versions, sm.ListSecretVersionsRequest, sm.ListSecretVersionsResponse),
            "AddSecretVersion": (self.add_version, sm.AddSecretVersionRequest, sm.SecretVersion),
            "DisableSecretVersion": (self.disable_version, sm.DisableSecretVersionRequest, sm.SecretVersion),
            "AccessSecretVersion": (self.access_version, sm.AccessSecretVersionRequest, sm.AccessSecretVersionResponse),
        })

    def create_secret(self, project: str, secret_id: str) -> str:
        path = f"projects/{project}/secrets/{secret_id}"
        self.versions.setdefault(path, [])
        return path

    def _secret(self, path: str, context: grpc.ServicerContext) -> list[sm.SecretVersion]:
        if path not in self.versions:
            context.abort(grpc.StatusCode.NOT_FOUND, f"Secret [{path}] not found or has no versions.")
        return self.versions[path]

    def list_versions(self, request: sm.ListSecretVersionsRequest, context) -> sm.ListSecretVersionsResponse:
        versions = self._secret(request.parent, context)
        # Real Secret Manager lists newest first; page size 1 exercises the pager's page tokens.
        newest_first = list(reversed(versions))
        start = int(request.page_token or 0)
        page = newest_first[start:start + 1]
        token = str(start + 1) if start + 1 < len(newest_first) else ""
        return sm.ListSecretVersionsResponse(versions=page, next_page_token=token, total_size=len(versions))

    def add_version(self, request: sm.AddSecretVersionRequest, context) -> sm.SecretVersion:
        versions = self._secret(request.parent, context)
        data = request.payload.data
        if "data_crc32c" in request.payload and request.payload.data_crc32c != _crc32c(data):
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "Checksum mismatch")
        version = sm.SecretVersion(name=f"{request.parent}/versions/{len(versions) + 1}", state=ENABLED,
                                   create_time=dt.datetime(2026, 11, 20, 12, len(versions), tzinfo=dt.UTC))
        versions.append(version)
        self.payloads[version.name] = data
        return version

    def disable_version(self, request: sm.DisableSecretVersionRequest, context) -> sm.SecretVersion:
        secret, _, number = request.name.rpartition("/versions/")
        for version in self._secret(secret, context):
            if version.name == request.name:
                version.state = DISABLED
                return version
        context.abort(grpc.StatusCode.NOT_FOUND, f"version {number} not found")

    def access_version(self, request: sm.AccessSecretVersionRequest, context) -> sm.AccessSecretVersionResponse:
        secret, _, number = request.name.rpartition("/versions/")
        versions = self._secret(secret, context)
        if number == "latest":
            if not versions:
                context.abort(grpc.StatusCode.NOT_FOUND, f"Secret [{secret}] not found or has no versions.")
            version = versions[-1]
        else:
            matching = [v for v in versions if v.name == request.name]
            if not matching:
                context.abort(grpc.StatusCode.NOT_FOUND, f"Secret Version [{request.name}] not found.")
            version = matching[0]
        if version.state != ENABLED:
            context.abort(grpc.StatusCode.FAILED_PRECONDITION, f"Secret Version [{version.name}] is in DISABLED state.")
        data = self.payloads[version.name]
        return sm.AccessSecretVersionResponse(name=version.name, payload=sm.SecretPayload(data=data, data_crc32c=_crc32c(data)))

    def states(self, path: str) -> dict[str, str]:
        return {v.name.rsplit("/", 1)[-1]: sm.SecretVersion.State(v.state).name for v in self.versions[path]}

