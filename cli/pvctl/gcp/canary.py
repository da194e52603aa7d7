"""Watch a canary revision and decide: promote it after a healthy window, roll it back at once on a breach.

Missing metrics are never taken as health. A reading with no data, data that stopped arriving,
too few requests to judge, or a failed Monitoring call restarts the healthy window; when the watch has had nothing to
judge for `max_blind` seconds it rolls back, because a revision nobody can see is not proven.
Any data that shows a breach rolls back, however few requests it covers.
Ctrl-C changes nothing: the traffic stays split as the deploy left it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from typing import Any

from pvctl.core.errors import ConfigError, Interrupted
from pvctl.gcp import deploy as d
from pvctl.gcp.calls import CallPolicy, GcpError
from pvctl.gcp.metrics import (
    SAMPLE_SECONDS,
    VISIBLE_AFTER_SECONDS,
    Reading,
    UnreadableMetrics,
    read_revision,
)

# Newer data than this must exist if the revision still serves: a sample ends at most one period plus the
# ingestion delay before it is visible; one more period of margin, since a false "stale" restarts the window.
STALE_AFTER_SECONDS = 2 * SAMPLE_SECONDS + VISIBLE_AFTER_SECONDS

# Thresholds field -> (key of phases.toml [slo], command-line flag)
_SOURCES = {
    "error_ratio_max": ("error_5xx_ratio_max", "--max-5xx-ratio"),
    "error_window": ("error_window_seconds", "--error-window"),
    "p95_ms_max": ("latency_p95_ms_max", "--max-p95-ms"),
    "latency_window": ("latency_window_seconds", "--latency-window"),
    "interval": ("canary_interval_seconds", "--interval"),
    "healthy_for": ("canary_healthy_seconds", "--healthy-for"),
    "min_requests": ("canary_min_requests", "--min-requests"),
    "max_blind": ("canary_max_blind_seconds", "--max-blind"),
}


@dataclass(frozen=True)
class Thresholds:
    error_ratio_max: float
    error_window: int
    p95_ms_max: float
    latency_window: int
    interval: float
    healthy_for: float
    min_requests: int
    max_blind: float

    @classmethod
    def resolve(cls, flags: Mapping[str, float | int | None], data: Mapping[str, Any]) -> Thresholds:
        """phases.toml [slo] values, each replaced by its flag when given; every problem named at once."""
        values: dict[str, Any] = {}
        problems: list[tuple[str, str, str]] = []
        for f in fields(cls):
            key, flag = _SOURCES[f.name]
            given = flags.get(f.name)
            value = given if given is not None else data.get(key)
            where = flag if given is not None else f"phases.toml [slo] {key}"
            if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value) or value < 0:
                problems.append((where, f"{value!r} is not a non-negative number", f"set {flag} to a number"))
                continue
            if f.name == "error_ratio_max" and value > 1:
                problems.append(
                    (where, f"{value} is not a ratio", f"a share between 0 and 1, e.g. {flag} 0.005 for 0.5 %")
                )
            if f.name in ("error_window", "latency_window") and (value < SAMPLE_SECONDS or value % SAMPLE_SECONDS):
                problems.append(
                    (
                        where,
                        f"{value} s is not a whole number of minutes",
                        "Cloud Monitoring aligns Cloud Run data per minute: use 60, 120, 300 ...",
                    )
                )
            if f.name == "interval" and value == 0:
                problems.append((where, "the interval must be above 0", f"e.g. {flag} 30"))
            values[f.name] = int(value) if f.type in ("int", int) else float(value)
        if problems:
            raise ConfigError(problems)
        return cls(**values)


@dataclass(frozen=True)
class Check:
    elapsed: float  # seconds since the watch started
    verdict: str  # healthy | breach | blind
    reason: str
    healthy_for: float  # seconds of unbroken health so far
    reading: Reading | None


@dataclass(frozen=True)
class WatchResult:
    outcome: str  # promoted | rolled_back
    reason: str
    canary: d.DeployResult  # traffic while watched
    final: d.DeployResult  # after the promotion or rollback
    thresholds: Thresholds
    checks: list[Check] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class CanaryInterrupted(Interrupted):
    """Ctrl-C during the watch: nothing was changed after the deploy."""


def judge(reading: Reading | None, t: Thresholds) -> tuple[str, str]:
    """(verdict, reason) for one reading."""
    if reading is None or reading.requests == 0 and reading.latency_requests == 0:
        return "blind", "no metrics for the new revision yet"
    if reading.error_ratio is not None and reading.error_ratio > t.error_ratio_max:
        return "breach", (
            f"5xx {reading.error_ratio:.2%} > {t.error_ratio_max:.2%} over {t.error_window} s "
            f"({reading.errors_5xx} of {reading.requests} requests)"
        )
    if reading.p95_ms is not None and reading.p95_ms > t.p95_ms_max:
        return "breach", f"p95 {reading.p95_ms:.0f} ms > {t.p95_ms_max:g} ms over {t.latency_window} s"
    if reading.age_seconds is not None and reading.age_seconds > STALE_AFTER_SECONDS:
        # Old minutes stay inside a long window after the data stops: they prove nothing about now.
        return "blind", f"the newest data is {reading.age_seconds:.0f} s old: the revision stopped reporting"
    if reading.latency_requests < t.min_requests:
        return (
            "blind",
            f"{reading.latency_requests} requests in {t.latency_window} s, "
            f"fewer than the {t.min_requests} needed to judge",
        )
    return "healthy", "within thresholds"


def traffic_left(canary: d.DeployResult) -> str:
    return ", ".join(f"{s.percent}% {s.revision}" for s in canary.traffic)


@dataclass
class Watch:
    """One canary watch; `clock`, `sleep` and `now` are injectable so tests need not wait."""

    clients: Any
    project: str
    region: str
    canary: d.DeployResult
    thresholds: Thresholds
    policy: CallPolicy
    on_check: Callable[[Check], None] = lambda check: None
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    now: Callable[[], datetime] = lambda: datetime.now(UTC)
    checks: list[Check] = field(default_factory=list)
    service_flag: str = ""  # what the user passed as --service, for the commands the messages suggest

    def _read(self) -> tuple[Reading | None, str]:
        t = self.thresholds
        try:
            return read_revision(
                self.clients,
                self.project,
                self.region,
                self.canary.service,
                self.canary.revision,
                t.error_window,
                t.latency_window,
                self.now(),
                self.policy,
            ), ""
        except GcpError as exc:
            return None, f"metrics unavailable ({exc.what})"
        except UnreadableMetrics as exc:
            return None, f"metrics unreadable ({exc})"

    def _decide(self) -> tuple[str, str]:
        """Read and judge until a verdict: ("promote" | "rollback", reason)."""
        t = self.thresholds
        start = self.clock()
        last_seen = start
        healthy_since: float | None = None
        while True:
            reading, failure = self._read()
            now = self.clock()
            verdict, reason = judge(reading, t)
            if failure:
                verdict, reason = "blind", failure
            if verdict == "healthy":
                last_seen = now
                healthy_since = now if healthy_since is None else healthy_since
            else:
                healthy_since = None
            healthy = now - healthy_since if healthy_since is not None else 0.0
            check = Check(round(now - start, 3), verdict, reason, round(healthy, 3), reading)
            self.checks.append(check)
            self.on_check(check)
            if verdict == "breach":
                return "rollback", reason
            if verdict == "healthy" and healthy >= t.healthy_for:
                return "promote", f"healthy for {healthy:.0f} s"
            if verdict == "blind" and now - last_seen >= t.max_blind:
                return (
                    "rollback",
                    f"nothing to judge for {now - last_seen:.0f} s ({reason}); a canary is never promoted blind",
                )
            self.sleep(t.interval)

    def run(self) -> WatchResult:
        name, revision = self.canary.service, self.canary.revision
        flag = self.service_flag or name
        try:
            action, reason = self._decide()
        except KeyboardInterrupt:
            raise CanaryInterrupted(
                f"interrupted: traffic left as it was ({traffic_left(self.canary)})",
                f"promote with `pvctl deploy --service {flag} --promote` or roll back with "
                f"`pvctl deploy --service {flag} --rollback`",
            ) from None
        args = (self.clients, self.project, self.region, name)
        try:
            if action == "promote":
                final = d.promote(*args, self.policy, expected=revision)
            else:
                final = d.rollback(*args, self.policy)
        except KeyboardInterrupt:
            raise CanaryInterrupted(
                f"interrupted while {'promoting' if action == 'promote' else 'rolling back'} {revision}: "
                "Cloud Run may still finish that change",
                "check `pvctl status` and the service's traffic",
            ) from None
        except GcpError as exc:  # the verdict stands; say it, and that carrying it out failed
            raise GcpError(
                f"{revision}: {reason}; {'promotion' if action == 'promote' else 'rollback'} failed: {exc.what}",
                exc.fix or f"run `pvctl deploy --service {flag} --{action}`",
                exc.kind,
                exc.permission,
            ) from None
        outcome = "promoted" if action == "promote" else "rolled_back"
        return WatchResult(outcome, reason, self.canary, final, self.thresholds, self.checks)


def deploy_and_watch(
    clients: Any,
    project: str,
    region: str,
    name: str,
    image: str,
    percent: int,
    thresholds: Thresholds,
    policy: CallPolicy,
    on_deployed: Callable[[d.DeployResult, Thresholds], None] = lambda r, t: None,
    on_check: Callable[[Check], None] = lambda check: None,
    service_flag: str = "",
) -> WatchResult:
    """Check that the metrics can be read, deploy the canary, watch it to a verdict and carry it out."""
    from pvctl.gcp.metrics import check_access

    check_access(clients, project, region, name, datetime.now(UTC), policy)
    try:
        canary = d.deploy(clients, project, region, name, image, percent, policy)
    except KeyboardInterrupt:
        raise CanaryInterrupted(
            f"interrupted while deploying {image} to {name}: Cloud Run may still create the revision "
            "and split the traffic",
            "check `pvctl status`, then --promote or --rollback",
        ) from None
    on_deployed(canary, thresholds)
    return Watch(
        clients, project, region, canary, thresholds, policy, on_check=on_check, service_flag=service_flag
    ).run()
