"""Cloud Monitoring v3 `MetricService/ListTimeSeries` over real gRPC, for Cloud Run revision metrics.

Data comes from traffic profiles: per service, a function (revision, minute end) -> Minute or
None, giving what Cloud Run would have sampled in that minute. The fake turns minutes into
raw DELTA series (request_count per response_code_class, request_latencies as exponential
histograms per class) and then does what Monitoring does with the request: parses the
filter, keeps the interval, aligns (ALIGN_DELTA, alignment period >= 60 s), reduces
(REDUCE_SUM, merging histograms) by the group-by fields, and returns points newest first.
`visible_after` hides the newest samples as Cloud Run's ingestion delay does.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import grpc
from google.api import distribution_pb2, metric_pb2, monitored_resource_pb2
from google.cloud import monitoring_v3

from tests.gcp.fakes.grpc_base import FakeGrpcServer

COUNT = "run.googleapis.com/request_count"
LATENCIES = "run.googleapis.com/request_latencies"
BUCKETS = distribution_pb2.Distribution.BucketOptions(
    exponential_buckets=distribution_pb2.Distribution.BucketOptions.Exponential(
        num_finite_buckets=64, growth_factor=1.4, scale=1.0
    )
)
_BOUNDS = [1.0 * 1.4**i for i in range(65)]
_TERM = re.compile(r'\s*([a-z_.]+)\s*=\s*"([^"]*)"\s*(?:AND|$)')
Aligner = monitoring_v3.Aggregation.Aligner
Reducer = monitoring_v3.Aggregation.Reducer


@dataclass(frozen=True)
class Minute:
    ok: int = 0  # 2xx responses
    errors: int = 0  # 5xx responses
    latency_mix: tuple[tuple[float, float], ...] = ((120.0, 1.0),)  # (ms, share of requests)
    growth_factor: float = 1.4  # of the exponential latency buckets (Cloud Run keeps one layout)


Profile = Callable[[str, datetime], "Minute | None"]


def healthy(_revision: str, _end: datetime) -> Minute:
    return Minute(ok=500, errors=0, latency_mix=((110.0, 0.9), (380.0, 0.1)))


def _bucket(ms: float, bounds: list[float]) -> int:
    return next((i for i, bound in enumerate(bounds) if ms < bound), len(bounds))


def histogram(
    requests: int, mix: tuple[tuple[float, float], ...], growth_factor: float = 1.4
) -> distribution_pb2.Distribution:
    options, bounds = BUCKETS, _BOUNDS
    if growth_factor != 1.4:
        options = distribution_pb2.Distribution.BucketOptions(
            exponential_buckets=distribution_pb2.Distribution.BucketOptions.Exponential(
                num_finite_buckets=64, growth_factor=growth_factor, scale=1.0
            )
        )
        bounds = [growth_factor**i for i in range(65)]
    counts = [0] * (len(bounds) + 1)
    placed = 0
    for i, (ms, share) in enumerate(mix):
        n = requests - placed if i == len(mix) - 1 else round(requests * share)
        counts[_bucket(ms, bounds)] += n
        placed += n
    mean = sum(ms * share for ms, share in mix)
    return distribution_pb2.Distribution(count=requests, mean=mean, bucket_options=options, bucket_counts=counts)


def _merge(a: distribution_pb2.Distribution, b: distribution_pb2.Distribution) -> distribution_pb2.Distribution:
    count = a.count + b.count
    counts = [x + y for x, y in zip(a.bucket_counts, b.bucket_counts, strict=True)]
    mean = (a.mean * a.count + b.mean * b.count) / count if count else 0.0
    return distribution_pb2.Distribution(
        count=count, mean=mean, bucket_options=a.bucket_options, bucket_counts=counts
    )


class FakeMonitoring(FakeGrpcServer):
    def __init__(self) -> None:
        super().__init__()
        self.traffic: dict[str, Profile] = {}  # service name -> profile
        self.visible_after = timedelta(0)
        self.add_service(
            "google.monitoring.v3.MetricService",
            {
                "ListTimeSeries": (
                    self.list_time_series,
                    monitoring_v3.ListTimeSeriesRequest,
                    monitoring_v3.ListTimeSeriesResponse,
                )
            },
        )

    # --- raw data -------------------------------------------------------------------------------------
    def _raw(
        self, terms: dict[str, str], start: datetime, end: datetime
    ) -> list[tuple[dict[str, str], dict[str, str], dict]]:
        """(resource labels, metric labels, {minute end: value}) of every raw series the filter selects."""
        metric = terms.get("metric.type")
        if terms.get("resource.type") != "cloud_run_revision" or metric not in (COUNT, LATENCIES):
            return []
        service = terms.get("resource.labels.service_name", "")
        profile = self.traffic.get(service)
        if profile is None:
            return []
        revision = terms.get("resource.labels.revision_name", "")
        resource = {
            "project_id": "",
            "location": terms.get("resource.labels.location", ""),
            "service_name": service,
            "revision_name": revision,
            "configuration_name": service,
        }
        series: dict[str, dict[datetime, object]] = defaultdict(dict)
        minute = end.replace(second=0, microsecond=0)
        while minute > start:
            sample = profile(revision, minute) if minute <= end - self.visible_after else None
            for cls, n in (("2xx", sample.ok), ("5xx", sample.errors)) if sample else ():
                if n:
                    series[cls][minute] = n if metric == COUNT else histogram(n, sample.latency_mix, sample.growth_factor)
            minute -= timedelta(seconds=60)
        return [(resource, {"response_code_class": cls}, points) for cls, points in series.items()]

    # --- the RPC -------------------------------------------------------------------------------------------
    def list_time_series(self, request: monitoring_v3.ListTimeSeriesRequest, context: grpc.ServicerContext):
        if not re.fullmatch(r"projects/[a-z][-a-z0-9]{4,28}[a-z0-9]", request.name):
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"Invalid resource name {request.name!r}")
        terms = {}
        rest = request.filter
        while rest.strip():
            match = _TERM.match(rest)
            if not match:
                context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"Could not parse filter {request.filter!r}")
            terms[match.group(1)] = match.group(2)
            rest = rest[match.end() :]
        if "metric.type" not in terms:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "The filter must name a metric.type")
        start, end = request.interval.start_time, request.interval.end_time
        agg = request.aggregation
        period = int(agg.alignment_period.total_seconds()) if agg.alignment_period else 0
        if agg.per_series_aligner != Aligner.ALIGN_DELTA or agg.cross_series_reducer not in (Reducer.REDUCE_SUM,):
            context.abort(
                grpc.StatusCode.UNIMPLEMENTED, "this fake aligns with ALIGN_DELTA and reduces with REDUCE_SUM only"
            )
        if period < 60:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "The alignment period must be at least 60 seconds")
        for key in agg.group_by_fields:
            if not key.startswith(("metric.labels.", "resource.labels.")):
                context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"Invalid group-by field {key!r}")
        groups: dict[tuple, dict[datetime, object]] = defaultdict(dict)
        labels_of: dict[tuple, tuple[dict, dict]] = {}
        for resource, metric_labels, points in self._raw(terms, start, end):
            key = tuple(
                (
                    k,
                    resource.get(k.removeprefix("resource.labels."), "")
                    if k.startswith("resource.")
                    else metric_labels.get(k.removeprefix("metric.labels."), ""),
                )
                for k in agg.group_by_fields
            )
            labels_of[key] = (
                {k.removeprefix("resource.labels."): v for k, v in key if k.startswith("resource.")},
                {k.removeprefix("metric.labels."): v for k, v in key if k.startswith("metric.")},
            )
            window = end
            while window > start:  # ALIGN_DELTA: sum what ended in each (window - period, window]
                inside = [v for t, v in points.items() if window - timedelta(seconds=period) < t <= window]
                for value in inside:
                    have = groups[key].get(window)
                    groups[key][window] = (
                        value if have is None else (have + value if isinstance(value, int) else _merge(have, value))
                    )
                window -= timedelta(seconds=period)
        metric_type = terms["metric.type"]
        out = []
        for key, windows in groups.items():
            resource_labels, metric_labels = labels_of[key]
            points = []
            for window in sorted(windows, reverse=True):  # newest first, as Monitoring answers
                value = windows[window]
                typed = (
                    monitoring_v3.TypedValue(int64_value=value)
                    if isinstance(value, int)
                    else monitoring_v3.TypedValue(distribution_value=value)
                )
                points.append(
                    monitoring_v3.Point(
                        interval=monitoring_v3.TimeInterval(
                            start_time=window - timedelta(seconds=period), end_time=window
                        ),
                        value=typed,
                    )
                )
            out.append(
                monitoring_v3.TimeSeries(
                    metric=metric_pb2.Metric(type=metric_type, labels=metric_labels),
                    resource=monitored_resource_pb2.MonitoredResource(
                        type="cloud_run_revision", labels=resource_labels
                    ),
                    metric_kind=metric_pb2.MetricDescriptor.MetricKind.DELTA,
                    value_type=(
                        metric_pb2.MetricDescriptor.ValueType.INT64
                        if metric_type == COUNT
                        else metric_pb2.MetricDescriptor.ValueType.DISTRIBUTION
                    ),
                    unit="1" if metric_type == COUNT else "ms",
                    points=points,
                )
            )
        return monitoring_v3.ListTimeSeriesResponse(time_series=out)

    def requests_for(self, metric: str) -> list[monitoring_v3.ListTimeSeriesRequest]:
        return [r for m, r in self.requests if m == "ListTimeSeries" and metric in r.filter]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)
