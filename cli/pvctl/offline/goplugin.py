"""The HashiCorp go-plugin side of a plugin process: handshake, auto-mTLS, gRPC server.

Terraform starts a provider with `TF_PLUGIN_MAGIC_COOKIE` (proof it was started as a
plugin), `PLUGIN_PROTOCOL_VERSIONS` and, for automatic mutual TLS, `PLUGIN_CLIENT_CERT`
(its own one-off certificate). The plugin answers on stdout with one line,
`1|<app protocol>|tcp|127.0.0.1:<port>|grpc|<base64 DER of its server certificate>`,
then serves gRPC over TLS, trusting only Terraform's certificate (TLS is terminated by
Python's OpenSSL in front of a gRPC server on a private unix socket, see `_tls_context`). go-plugin also calls a
health service, a controller to shut the plugin down, and a stdio stream (optional).

`serve_unmanaged` is the other way in: pvctl starts one server itself and hands Terraform its
address in TF_REATTACH_PROVIDERS (`pvctl.offline.server`), so Terraform connects instead of
starting a process per provider instance. Terraform dials such an "unmanaged" provider without
TLS (internal/command/meta_providers.go, unmanagedProviderFactory: no AutoMTLS) and, with
`"Test": true`, never shuts it down (go-plugin client.go, reattach: no runner to kill).
"""

from __future__ import annotations

import base64
import datetime
import os
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, TextIO

import grpc

if TYPE_CHECKING:  # for annotations; the functions import them where they run
    import asyncio
    import ssl

MAGIC_COOKIE_KEY = "TF_PLUGIN_MAGIC_COOKIE"
MAGIC_COOKIE_VALUE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
CORE_PROTOCOL = 1

# grpc.health.v1.HealthCheckResponse{status: SERVING} on the wire: field 1, varint 1.
_SERVING = b"\x08\x01"


class NotAPluginLaunch(RuntimeError):
    pass


def _server_certificate() -> tuple[bytes, bytes, bytes]:
    """A fresh self-signed certificate for `localhost`, as go-plugin's client expects."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "pvctl offline provider"),
                      x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(seconds=30))
        .not_valid_after(now + datetime.timedelta(hours=24))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_encipherment=True, key_cert_sign=True,
                                     content_commitment=False, data_encipherment=False, key_agreement=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return key_pem, cert.public_bytes(serialization.Encoding.PEM), cert.public_bytes(serialization.Encoding.DER)


def _raw(handler: Callable[[bytes], bytes]) -> grpc.RpcMethodHandler:
    """A unary method on raw bytes: these go-plugin messages are too small to need stubs."""
    return grpc.unary_unary_rpc_method_handler(lambda req, ctx: handler(req), request_deserializer=None, response_serializer=None)


def serve(
    app_protocol: int, service_handlers: list[grpc.GenericRpcHandler], env: Mapping[str, str] = os.environ, out: TextIO = sys.stdout,
) -> None:
    """Run the plugin until go-plugin's controller asks it to shut down (or Terraform kills it)."""
    if env.get(MAGIC_COOKIE_KEY) != MAGIC_COOKIE_VALUE:
        raise NotAPluginLaunch(
            "this is a Terraform provider plugin: Terraform starts it (pvctl wires it through a "
            "Terraform CLI configuration); running it by hand does nothing"
        )
    offered = {v.strip() for v in env.get("PLUGIN_PROTOCOL_VERSIONS", str(app_protocol)).split(",")}
    if str(app_protocol) not in offered:
        raise NotAPluginLaunch(f"Terraform offers plugin protocols {sorted(offered)}, this provider speaks {app_protocol}")

    stop = threading.Event()

    def shutdown(_request: bytes) -> bytes:
        stop.set()
        return b""  # plugin.Empty

    server = _server(service_handlers, {"plugin.GRPCController": {"Shutdown": _raw(shutdown)}})

    client_cert = env.get("PLUGIN_CLIENT_CERT")
    cert_field = ""
    if client_cert:
        key_pem, cert_pem, cert_der = _server_certificate()
        socket_dir = tempfile.mkdtemp(prefix="pvctl-provider-")
        backend = os.path.join(socket_dir, "grpc.sock")
        server.add_insecure_port(f"unix:{backend}")
        server.start()
        port = _start_tls_front(key_pem, cert_pem, client_cert, backend)
        cert_field = base64.b64encode(cert_der).decode().rstrip("=")  # go-plugin reads unpadded base64
    else:
        port = server.add_insecure_port("127.0.0.1:0")
        server.start()
    out.write(f"{CORE_PROTOCOL}|{app_protocol}|tcp|127.0.0.1:{port}|grpc|{cert_field}\n")
    out.flush()
    stop.wait()
    server.stop(grace=0.5)


def _server(service_handlers: list[grpc.GenericRpcHandler], plumbing: dict[str, dict[str, grpc.RpcMethodHandler]]) -> grpc.Server:
    from concurrent import futures

    # Enough workers for several Terraform processes (pvctl ci plans phases side by side) at once.
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=16), options=[
        ("grpc.max_receive_message_length", 256 << 20), ("grpc.max_send_message_length", 256 << 20)])
    plumbing = {"grpc.health.v1.Health": {"Check": _raw(lambda _request: _SERVING)}, **plumbing}
    for service, methods in plumbing.items():
        server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(service, methods),))
    server.add_generic_rpc_handlers(tuple(service_handlers))
    return server


def serve_unmanaged(app_protocol: int, service_handlers: list[grpc.GenericRpcHandler], out: TextIO = sys.stdout,
                    warm_up: Callable[[], object] | None = None) -> None:
    """Serve plain gRPC on 127.0.0.1 until pvctl ends it, or until stdin (pvctl's pipe) reaches end of
    file because pvctl is gone.

    Announces `<core>|<app protocol>|tcp|127.0.0.1:<port>|grpc|` on `out`, the handshake line's
    format. A Ctrl-C is ignored: one meant for Terraform (pvctl waits for Terraform to stop cleanly)
    must not take the provider away meanwhile. No shutdown controller either: Terraform does not
    call it on a reattached provider, and nobody else may stop it.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    server = _server(service_handlers, {})
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    out.write(f"{CORE_PROTOCOL}|{app_protocol}|tcp|127.0.0.1:{port}|grpc|\n")
    out.flush()
    if warm_up is not None:
        threading.Thread(target=warm_up, name="warm-up", daemon=True).start()
    while sys.stdin.buffer.read(1 << 16):
        pass
    server.stop(grace=None)


def _tls_context(key_pem: bytes, cert_pem: bytes, client_cert_pem: str) -> ssl.SSLContext:
    """Server side of go-plugin's mutual TLS, with Python's OpenSSL.

    gRPC's own TLS (BoringSSL) cannot do it: Terraform's client certificate has a P-521
    key, whose TLS 1.3 signature scheme BoringSSL does not accept by default, so Go's
    client sends no certificate and the handshake fails. OpenSSL accepts it.
    """
    import ssl

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.load_verify_locations(cadata=client_cert_pem)
    ctx.set_alpn_protocols(["h2"])  # grpc-go insists on HTTP/2 being negotiated
    with tempfile.TemporaryDirectory() as tmp:  # load_cert_chain reads files only
        cert_file, key_file = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
        with open(cert_file, "wb") as fh:
            fh.write(cert_pem)
        with open(os.open(key_file, os.O_WRONLY | os.O_CREAT, 0o600), "wb") as fh:
            fh.write(key_pem)
        ctx.load_cert_chain(cert_file, key_file)
    return ctx


def _start_tls_front(key_pem: bytes, cert_pem: bytes, client_cert_pem: str, backend: str) -> int:
    """Terminate TLS on 127.0.0.1 and relay the bytes to the gRPC server's unix socket."""
    import asyncio
    import queue

    ctx = _tls_context(key_pem, cert_pem, client_cert_pem)
    ready: queue.Queue[int] = queue.Queue()

    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(1 << 20):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    async def relay(tls_reader: asyncio.StreamReader, tls_writer: asyncio.StreamWriter) -> None:
        reader, writer = await asyncio.open_unix_connection(backend)
        await asyncio.gather(pipe(tls_reader, writer), pipe(reader, tls_writer))

    async def front() -> None:
        server = await asyncio.start_server(relay, "127.0.0.1", 0, ssl=ctx)
        ready.put(server.sockets[0].getsockname()[1])
        await server.serve_forever()

    threading.Thread(target=lambda: asyncio.run(front()), name="tls-front", daemon=True).start()
    return ready.get(timeout=30)
