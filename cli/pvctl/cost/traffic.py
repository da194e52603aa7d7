"""One month of traffic, split once: what the CDN answers, what reaches the load balancer and
Cloud Run, and how long Cloud Run instances are kept busy.

Every edge line (CDN, load-balancer processing, Cloud Armor, internet egress) and every Cloud
Run line reads the same `Split`, so a request counted as a cache hit is never also billed to a
backend.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from pvctl.cost.usage import UsageProfile


def dec(value: float | int) -> Decimal:
    return Decimal(str(value))


@dataclass(frozen=True)
class Split:
    user_requests: Decimal        # requests users send, before the CDN
    cdn_hits: Decimal             # answered from cache: never reach the load balancer's backends
    origin_requests: Decimal      # user requests that reach Cloud Run
    webhook_requests: Decimal     # callbacks: never cached
    hit_gib: Decimal              # response bytes served from cache
    origin_gib: Decimal           # response bytes Cloud Run sends back through the load balancer
    ingress_gib: Decimal          # request bodies, uploads, webhook payloads
    geo: dict[str, Decimal]       # client geography -> share of traffic

    @property
    def backend_requests(self) -> Decimal:
        """Requests the load balancer forwards to its backends (what a backend policy evaluates)."""
        return self.origin_requests + self.webhook_requests

    @property
    def processed_gib(self) -> Decimal:
        """Bytes the load balancer processes: cache hits are answered before it."""
        return self.origin_gib + self.ingress_gib

    def by_geo(self, gib: Decimal) -> list[tuple[str, Decimal]]:
        return [(geo, gib * share) for geo, share in sorted(self.geo.items()) if share]


def split(usage: UsageProfile, cdn: bool) -> Split:
    hit = dec(usage.cdn_cache_hit_ratio) if cdn else Decimal(0)
    users = dec(usage.requests_per_month)
    egress = dec(usage.egress_gb_per_month)
    return Split(
        user_requests=users, cdn_hits=users * hit, origin_requests=users * (1 - hit),
        webhook_requests=dec(usage.webhook_requests_per_month),
        hit_gib=egress * hit, origin_gib=egress * (1 - hit), ingress_gib=dec(usage.ingress_gb_per_month),
        geo={g: dec(s) for g, s in usage.client_geo.items()},
    )


def busy_seconds(requests: Decimal, seconds_each: Decimal, concurrency: Decimal, month_seconds: Decimal) -> Decimal:
    """Instance-seconds during which at least one request is in flight.

    Little's law gives the mean number in flight, L = arrival rate × time per request. With
    arrivals at random, some request is in flight a share 1 − e^(−L) of the month; once L
    outgrows one instance, instances carry `concurrency` requests each, L / concurrency.
    """
    if not requests or not seconds_each:
        return Decimal(0)
    in_flight = requests * seconds_each / month_seconds
    return month_seconds * max(1 - (-in_flight).exp(), in_flight / concurrency)


def instance_seconds(http_busy: Decimal, ws_seconds: Decimal, ws_instances: Decimal, month_seconds: Decimal) -> Decimal:
    """Busy time with WebSockets: an open connection keeps its instance billed for as long as it
    is open; requests arriving meanwhile ride on instances already billed."""
    if not ws_seconds or not ws_instances:
        return http_busy
    return ws_seconds * ws_instances + http_busy * (1 - ws_seconds / month_seconds)
