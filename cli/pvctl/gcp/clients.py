"""Google API clients built once per command, from Application Default Credentials.

Test/emulator hook: when PVCTL_GCP_ENDPOINT_RUN, PVCTL_GCP_ENDPOINT_SECRETMANAGER,
PVCTL_GCP_ENDPOINT_MONITORING, PVCTL_GCP_ENDPOINT_COMPUTE or PVCTL_GCP_ENDPOINT_SQLADMIN is set
(host:port, optionally http://host:port), that API is reached at that address over plaintext
with anonymous credentials (gRPC for Cloud Run, Secret Manager and Monitoring, REST for
Compute and Cloud SQL Admin). It exists for local fake servers and emulators; never
point it at anything that should see real credentials.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pvctl.gcp.calls import LOGIN_FIX, CallPolicy, GcpError

ENDPOINT_ENV = {
    "run": "PVCTL_GCP_ENDPOINT_RUN",
    "secretmanager": "PVCTL_GCP_ENDPOINT_SECRETMANAGER",
    "compute": "PVCTL_GCP_ENDPOINT_COMPUTE",
    "monitoring": "PVCTL_GCP_ENDPOINT_MONITORING",
    "sqladmin": "PVCTL_GCP_ENDPOINT_SQLADMIN",
}
_SCOPES = ["https://www.googleapis.com/auth/cloud-platform"]


def application_default_credentials() -> Any:
    """ADC, refreshed now so a missing or expired login fails before any API call, in one line."""
    import google.auth
    from google.auth import exceptions as ax
    from google.auth.transport.requests import Request

    try:
        credentials, _ = google.auth.default(scopes=_SCOPES)
    except ax.DefaultCredentialsError as exc:
        detail = str(exc).splitlines()[0]
        where = " (GOOGLE_APPLICATION_CREDENTIALS: " + detail + ")" if os.environ.get("GOOGLE_APPLICATION_CREDENTIALS") else ""
        raise GcpError(f"Google credentials: none found{where}", LOGIN_FIX, "credentials") from None
    try:
        credentials.refresh(Request())
    except ax.RefreshError:
        raise GcpError("Google credentials: expired or revoked (token refresh refused)", LOGIN_FIX, "credentials") from None
    except ax.TransportError as exc:
        raise GcpError(f"Google credentials: cannot reach the token service ({str(exc).splitlines()[0]})",
                       "check the network and try again", "unavailable") from None
    return credentials


def _plain_endpoint(value: str) -> str:
    return value.removeprefix("http://").rstrip("/")


@dataclass
class GcpClients:
    """Lazily built clients sharing one credential; `endpoints` overrides per API (emulator hook)."""

    policy: CallPolicy = field(default_factory=CallPolicy)
    endpoints: Mapping[str, str] = field(default_factory=dict)
    credentials: Any = None
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, policy: CallPolicy | None = None) -> GcpClients:
        env = os.environ if env is None else env
        endpoints = {api: env[var] for api, var in ENDPOINT_ENV.items() if env.get(var)}
        return cls(policy=policy or CallPolicy(), endpoints=endpoints)

    def _credentials(self) -> Any:
        if self.credentials is None:
            self.credentials = application_default_credentials()
        return self.credentials

    def _grpc_client(self, api: str, client_cls: type, transport_cls: type) -> Any:
        if api in self.endpoints:
            import grpc
            from google.auth.credentials import AnonymousCredentials

            channel = grpc.insecure_channel(_plain_endpoint(self.endpoints[api]))
            return client_cls(transport=transport_cls(channel=channel, credentials=AnonymousCredentials()))
        return client_cls(credentials=self._credentials())

    def _cached(self, key: str, build: Callable[[], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]

    def services(self) -> Any:
        from google.cloud import run_v2
        from google.cloud.run_v2.services.services.transports import ServicesGrpcTransport

        return self._cached("services", lambda: self._grpc_client("run", run_v2.ServicesClient, ServicesGrpcTransport))

    def revisions(self) -> Any:
        from google.cloud import run_v2
        from google.cloud.run_v2.services.revisions.transports import RevisionsGrpcTransport

        return self._cached("revisions", lambda: self._grpc_client("run", run_v2.RevisionsClient, RevisionsGrpcTransport))

    def secrets(self) -> Any:
        from google.cloud import secretmanager_v1
        from google.cloud.secretmanager_v1.services.secret_manager_service.transports import SecretManagerServiceGrpcTransport

        return self._cached("secrets", lambda: self._grpc_client(
            "secretmanager", secretmanager_v1.SecretManagerServiceClient, SecretManagerServiceGrpcTransport))

    def metrics(self) -> Any:
        from google.cloud import monitoring_v3
        from google.cloud.monitoring_v3.services.metric_service.transports import MetricServiceGrpcTransport

        return self._cached("metrics", lambda: self._grpc_client("monitoring", monitoring_v3.MetricServiceClient,
                                                                  MetricServiceGrpcTransport))

    def sqladmin(self) -> Any:
        """Cloud SQL Admin v1 through google-api-python-client, from the discovery document it ships
        (no discovery fetch at run time)."""

        def build() -> Any:
            import httplib2
            from googleapiclient.discovery import build as discovery_build

            # Each HTTP attempt gets the policy's timeout; retries are pvctl's (gcp/sqladmin.py), not the library's.
            http = httplib2.Http(timeout=self.policy.attempt_timeout)
            options: dict[str, str] = {}
            if "sqladmin" in self.endpoints:
                endpoint = self.endpoints["sqladmin"]
                plain = not endpoint.startswith(("http://", "https://"))
                options["api_endpoint"] = f"http://{endpoint}" if plain else endpoint
            else:
                from google_auth_httplib2 import AuthorizedHttp

                http = AuthorizedHttp(self._credentials(), http=http)
            return discovery_build("sqladmin", "v1", http=http, client_options=options, static_discovery=True,
                                   cache_discovery=False)

        return self._cached("sqladmin", build)

    def compute(self, name: str) -> Any:
        """A google.cloud.compute_v1 client by class name, e.g. "GlobalForwardingRulesClient"."""

        def build() -> Any:
            from google.api_core.client_options import ClientOptions
            from google.cloud import compute_v1

            client_cls = getattr(compute_v1, name)
            if "compute" in self.endpoints:
                from google.auth.credentials import AnonymousCredentials

                endpoint = self.endpoints["compute"]
                endpoint = endpoint if endpoint.startswith(("http://", "https://")) else "http://" + endpoint
                return client_cls(credentials=AnonymousCredentials(), transport="rest",
                                  client_options=ClientOptions(api_endpoint=endpoint))
            return client_cls(credentials=self._credentials(), transport="rest")

        return self._cached("compute:" + name, build)
