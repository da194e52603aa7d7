"""Human output of the live commands (the --json forms are the dataclasses themselves)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pvctl.core import console
from pvctl.gcp.secrets import SecretState
from pvctl.gcp.services import ServiceStatus, TrafficShare
from pvctl.gcp.status import PhaseStatus

if TYPE_CHECKING:
    from pvctl.gcp.canary import Check, Thresholds, WatchResult
    from pvctl.gcp.deploy import DeployResult
    from pvctl.gcp.failover import FailoverResult
    from pvctl.gcp.restore_test import RestoreReport


def _line(text: str = "") -> None:
    console.out().print(text, markup=False, highlight=False, soft_wrap=True)


def _heading(text: str) -> None:
    console.out().print(f"[bold]{console.escape(text)}[/]", soft_wrap=True)


def traffic_line(traffic: list[TrafficShare]) -> str:
    parts = []
    for share in traffic:
        name = f"latest ({share.revision})" if share.latest else share.revision
        parts.append(f"{share.percent}% {name}" + (f" [tag {share.tag}]" if share.tag else ""))
    return ", ".join(parts) or "none"


def _service(s: ServiceStatus) -> None:
    if not s.found:
        _line(f"  {s.name}: not deployed")
        return
    state = "ready" if s.ready else f"NOT READY ({s.condition})"
    _line(f"  {s.name}: {state}  {s.url}")
    _line(f"    ingress {s.ingress}, instances {s.min_instances}-{s.max_instances}, image {s.image}")
    _line(f"    latest ready revision {s.latest_ready_revision or '-'}"
          + (f" (latest created {s.latest_created_revision})" if s.latest_created_revision != s.latest_ready_revision else ""))
    _line(f"    traffic: {traffic_line(s.traffic)}")
    _line(f"    last deploy {s.last_deploy or '-'}" + (f" by {s.last_modifier}" if s.last_modifier else ""))


def print_status(status: PhaseStatus) -> None:
    _heading(f"phase {status.phase} — project {status.project}, region {status.region}")
    _heading("Cloud Run services")
    for service in status.services:
        _service(service)
    if not status.services:
        _line("  (could not be read, see below)")
    edge = status.edge
    _heading("Load balancer")
    if edge is None:
        _line("  (could not be read, see below)")
    else:
        for name, address in edge.addresses.items():
            _line(f"  address {name}: {address}")
        for f in edge.frontends:
            _line(f"  {'https' if f.https else 'http '} {f.name}: {f.ip}:{f.port_range} -> {f.target}")
        for cert in edge.certificates:
            _line(f"  certificate {cert.name}: {cert.status}"
                  + (f" ({', '.join(f'{d} {st}' for d, st in cert.domains.items())})" if cert.domains else ""))
            for reason in cert.reasons:
                _line(f"    why: {reason}")
        for b in edge.backends:
            armor = b.security_policy or "NONE"
            _line(f"  backend {b.name}: Cloud Armor {armor}" + (f", edge {b.edge_security_policy}" if b.edge_security_policy else "")
                  + f", CDN {'on' if b.cdn else 'off'}")
        for p in edge.policies:
            _line(f"  Cloud Armor policy {p.name}: {p.type or 'CLOUD_ARMOR'}, {p.rules} rules, "
                  f"adaptive protection {'on' if p.adaptive_protection else 'off'}")
        if not (edge.frontends or edge.backends):
            _line(f"  none found (no global forwarding rule or backend service named {status.prefix}-*)")
        for note in edge.notes:
            _line(f"  note: {note}")
    if status.drift_checked:
        _heading(f"Drift from the last live apply ({status.applied_at}, plan {status.plan_file})")
        none = "none: image, instances and ingress match" + (" (services that could not be read not compared)" if status.failures else "")
        for note in status.drift or [none]:
            _line(f"  {note}")
    elif status.drift_note:
        _heading("Drift")
        _line(f"  {status.drift_note}")
    if status.failures:
        _heading("Not shown (failed)")
        for failure in status.failures:
            _line(f"  {failure}")


def print_secrets(states: list[SecretState]) -> None:
    for s in states:
        if not s.exists:
            _line(f"{s.secret_id}: MISSING (Terraform has not created it; apply the phase)")
        elif not s.enabled_versions:
            _line(f"{s.secret_id}: NO ENABLED VERSION — pvctl secrets set {s.name}")
        else:
            disabled = f", disabled {', '.join(s.disabled_versions)}" if s.disabled_versions else ""
            _line(f"{s.secret_id}: enabled {', '.join(s.enabled_versions)}{disabled} (latest added {s.latest_enabled_created})")


def print_deploy(result: DeployResult) -> None:
    _line(f"{result.service}: {result.action} {result.revision} ({result.image})")
    _line(f"  traffic: {traffic_line(result.traffic)}")
    if result.url:
        _line(f"  url: {result.url}")


def _progress(text: str) -> None:
    # Progress goes to stderr so `--json` leaves stdout to the machine-readable result.
    console.err().print(text, markup=False, highlight=False, soft_wrap=True)


def print_canary_start(result: DeployResult, t: Thresholds) -> None:
    _progress(f"{result.service}: canary {result.revision} ({result.image}), traffic {traffic_line(result.traffic)}")
    _progress(f"  watching every {t.interval:g} s: roll back on 5xx > {t.error_ratio_max:.2%} "
              f"over {t.error_window} s or "
              f"p95 > {t.p95_ms_max:g} ms over {t.latency_window} s; promote after {t.healthy_for:g} s healthy "
              f"with at least {t.min_requests} requests; Ctrl-C stops watching and leaves the traffic as it is")


def _minutes(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def print_check(check: Check) -> None:
    r = check.reading
    measured = ""
    if r is not None and (r.requests or r.latency_requests):
        ratio = f"{r.error_ratio:.2%}" if r.error_ratio is not None else "-"
        p95 = f"{r.p95_ms:.0f} ms" if r.p95_ms is not None else "-"
        measured = f"5xx {ratio} ({r.errors_5xx}/{r.requests}), p95 {p95} ({r.latency_requests} req) · "
    states = {"healthy": f"healthy {_minutes(check.healthy_for)}", "breach": "BREACH", "blind": "no verdict"}
    state = states[check.verdict]
    detail = "" if check.verdict == "healthy" else f": {check.reason}"
    _progress(f"  [{_minutes(check.elapsed)}] {measured}{state}{detail}")


def print_watch(result: WatchResult) -> None:
    if result.outcome == "promoted":
        _line(f"{result.final.service}: promoted {result.final.revision} ({result.reason})")
    else:
        _line(f"{result.final.service}: rolled back to {result.final.revision} — {result.reason}")
    _line(f"  traffic: {traffic_line(result.final.traffic)}")


def print_restore_test(r: RestoreReport) -> None:
    verdict = "within" if r.within_rto else "EXCEEDS"
    _line(f"restore test of {r.source}: backup {r.backup_id} ({r.backup_time}) "
          f"usable after {_minutes(r.seconds_to_usable)} "
          f"— {verdict} the RTO of {_minutes(r.rto_seconds)}")
    for step in r.steps:
        _line(f"  {step.name}: {_minutes(step.seconds)}")
    _line(f"  databases: {', '.join(r.databases)}")
    _line(f"  temporary instance {r.instance}: {'deleted' if r.deleted else 'NOT deleted'}")
    for name in r.leftovers_deleted:
        _line(f"  also deleted {name}, left behind by an earlier run")


def print_failover(r: FailoverResult) -> None:
    how = "promoted" if r.promoted_now else "already promoted"
    _line(f"{r.replica} ({r.replica_region}) {how}: it is now the primary database, private IP {r.host}")
    for s in r.services:
        _line(f"  {s.service}: DB_HOST={r.host} in new revision {s.revision}, traffic {traffic_line(s.traffic)}")
    if not r.services:
        _line("  no Cloud Run service reads DB_HOST: nothing repointed")
    _heading("Terraform")
    for note in r.terraform:
        _line(f"  {note}")
