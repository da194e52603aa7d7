"""A Cloud Run revision's 5xx ratio and p95 latency, read from Cloud Monitoring.

Cloud Run writes `run.googleapis.com/request_count` (DELTA, INT64, labelled by
`response_code_class`) and `run.googleapis.com/request_latencies` (DELTA, DISTRIBUTION, ms)
per revision, sampled every 60 s and visible up to 180 s later
(https://cloud.google.com/monitoring/api/metrics_gcp#gcp-run). So one reading asks for
per-minute points over the last windows plus that delay, summed across series by Monitoring
(`ALIGN_DELTA` + `REDUCE_SUM`, which also merges distributions), and judges the newest
minutes that have data. The p95 comes from the merged histogram, interpolated inside its
bucket, as Monitoring's own percentile aligners do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pvctl.gcp.calls import CallPolicy, api_call

REQUEST_COUNT = "run.googleapis.com/request_count"
REQUEST_LATENCIES = "run.googleapis.com/request_latencies"
SAMPLE_SECONDS = 60  # Cloud Run's sampling period, and Monitoring's smallest alignment period
VISIBLE_AFTER_SECONDS = 180  # how late a Cloud Run sample may become visible


class UnreadableMetrics(ValueError):
    """Monitoring answered with data that cannot be judged (histograms whose buckets do not line up)."""


@dataclass(frozen=True)
class Reading:
    """What the newest data says; None where there is no data to judge."""

    requests: int  # in the error window
    errors_5xx: int
    error_ratio: float | None
    latency_requests: int  # in the latency window
    p95_ms: float | None
    newest: str  # RFC 3339 end of the newest minute with data ("" when none)
    age_seconds: float | None  # how old that minute is


def revision_filter(metric: str, region: str, service: str, revision: str | None) -> str:
    parts = [
        f'metric.type = "{metric}"',
        'resource.type = "cloud_run_revision"',
        f'resource.labels.location = "{region}"',
        f'resource.labels.service_name = "{service}"',
    ]
    if revision:
        parts.append(f'resource.labels.revision_name = "{revision}"')
    return " AND ".join(parts)


def _request(project: str, metric_filter: str, start: datetime, end: datetime, group_by: Sequence[str]) -> Any:
    from google.cloud import monitoring_v3

    aggregation = monitoring_v3.Aggregation(
        alignment_period={"seconds": SAMPLE_SECONDS},
        per_series_aligner=monitoring_v3.Aggregation.Aligner.ALIGN_DELTA,
        cross_series_reducer=monitoring_v3.Aggregation.Reducer.REDUCE_SUM,
        group_by_fields=list(group_by),
    )
    return monitoring_v3.ListTimeSeriesRequest(
        name=f"projects/{project}",
        filter=metric_filter,
        interval=monitoring_v3.TimeInterval(start_time=start, end_time=end),
        aggregation=aggregation,
        view=monitoring_v3.ListTimeSeriesRequest.TimeSeriesView.FULL,
    )


def _series(clients: Any, request: Any, what: str, policy: CallPolicy) -> list[Any]:
    with api_call(what, policy) as kw:
        return list(clients.metrics().list_time_series(request=request, **kw))


def check_access(clients: Any, project: str, region: str, service: str, now: datetime, policy: CallPolicy) -> None:
    """One small read, so a missing permission or a disabled API fails before traffic moves."""
    request = _request(
        project, revision_filter(REQUEST_COUNT, region, service, None), now - timedelta(seconds=SAMPLE_SECONDS), now, ()
    )
    _series(clients, request, f"Cloud Monitoring metrics of {service}", policy)


def _end(point: Any) -> datetime:
    return point.interval.end_time


def read_revision(
    clients: Any,
    project: str,
    region: str,
    service: str,
    revision: str,
    error_window: int,
    latency_window: int,
    now: datetime,
    policy: CallPolicy,
) -> Reading:
    start = now - timedelta(seconds=max(error_window, latency_window) + VISIBLE_AFTER_SECONDS)
    what = f"Cloud Monitoring metrics of {revision}"
    counts = _series(
        clients,
        _request(
            project,
            revision_filter(REQUEST_COUNT, region, service, revision),
            start,
            now,
            ["metric.labels.response_code_class"],
        ),
        what,
        policy,
    )
    latencies = _series(
        clients,
        _request(project, revision_filter(REQUEST_LATENCIES, region, service, revision), start, now, []),
        what,
        policy,
    )
    points = [(ts.metric.labels.get("response_code_class", ""), p) for ts in counts for p in ts.points]
    if not points:
        return Reading(0, 0, None, 0, None, "", None)
    newest = max(_end(p) for _, p in points)
    cutoff = newest - timedelta(seconds=error_window)
    recent = [(cls, p.value.int64_value) for cls, p in points if _end(p) > cutoff]
    requests = sum(n for _, n in recent)
    errors = sum(n for cls, n in recent if cls == "5xx")
    cutoff = newest - timedelta(seconds=latency_window)
    histograms = [p.value.distribution_value for ts in latencies for p in ts.points if _end(p) > cutoff]
    bounds, buckets = merge(histograms)
    latency_requests = sum(buckets)
    return Reading(
        requests=requests,
        errors_5xx=errors,
        error_ratio=errors / requests if requests else None,
        latency_requests=latency_requests,
        p95_ms=percentile(bounds, buckets, 0.95) if latency_requests else None,
        newest=newest.isoformat(),
        age_seconds=(now - newest).total_seconds(),
    )


def bucket_bounds(options: Any) -> list[float]:
    """Finite bucket boundaries b0..bN: bucket 0 is below b0, bucket i is [b(i-1), b(i)), the last is b(N) and above."""
    kind = options.WhichOneof("options")
    if kind == "exponential_buckets":
        e = options.exponential_buckets
        return [e.scale * e.growth_factor**i for i in range(e.num_finite_buckets + 1)]
    if kind == "linear_buckets":
        lin = options.linear_buckets
        return [lin.offset + lin.width * i for i in range(lin.num_finite_buckets + 1)]
    if kind == "explicit_buckets":
        return list(options.explicit_buckets.bounds)
    return []


def merge(histograms: Sequence[Any]) -> tuple[list[float], list[int]]:
    """One histogram from several with the same buckets (minutes of one revision)."""
    bounds: list[float] = []
    counts: list[int] = []
    for h in histograms:
        if not h.count:
            continue
        these = bucket_bounds(h.bucket_options)
        if not these:  # a histogram without buckets says nothing about percentiles
            continue
        if not bounds:
            bounds, counts = these, [0] * (len(these) + 1)
        elif these != bounds:
            raise UnreadableMetrics("latency histograms with different buckets cannot be merged")
        if len(h.bucket_counts) > len(counts):
            raise UnreadableMetrics("a latency histogram has more counts than buckets")
        for i, c in enumerate(h.bucket_counts):  # trailing empty buckets may be left out
            counts[i] += c
    return bounds, counts


def percentile(bounds: Sequence[float], counts: Sequence[int], q: float) -> float:
    total = sum(counts)
    rank = q * total
    seen = 0
    for i, count in enumerate(counts):
        if count and seen + count >= rank:
            if i >= len(bounds):  # the overflow bucket has no upper edge: its lower one is all we know
                return bounds[-1]
            lower = bounds[i - 1] if i > 0 else 0.0
            return lower + (bounds[i] - lower) * (rank - seen) / count
        seen += count
    return bounds[-1] if bounds else 0.0
