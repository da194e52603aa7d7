"""A local stand-in for the Cloud Billing Catalog API: a real gRPC server on 127.0.0.1
implementing google.cloud.billing.v1.CloudCatalog (ListServices, ListSkus) with the client
library's own message types, paging like the real service."""

from __future__ import annotations

from concurrent import futures
from dataclasses import dataclass, field

import grpc
from google.cloud import billing_v1

SERVICE = "google.cloud.billing.v1.CloudCatalog"


def sku(sku_id: str, description: str, regions: list[str], rates: list[tuple[float, int, int]],
        unit: str = "h", usage_type: str = "OnDemand", older: list[tuple[float, int, int]] | None = None) -> billing_v1.Sku:
    """rates: (start_usage_amount, units, nanos) tiers; `older` adds an earlier pricing entry."""
    def info(tiers, when):
        return billing_v1.PricingInfo(
            effective_time=when,
            pricing_expression=billing_v1.PricingExpression(usage_unit=unit, tiered_rates=[
                billing_v1.PricingExpression.TierRate(start_usage_amount=start,
                                                       unit_price={"currency_code": "USD", "units": units, "nanos": nanos})
                for start, units, nanos in tiers]))
    timeline = ([info(older, "2025-01-01T08:00:00Z")] if older else []) + [info(rates, "2026-10-01T07:00:00Z")]
    return billing_v1.Sku(name=f"services/x/skus/{sku_id}", sku_id=sku_id, description=description,
                          category=billing_v1.Category(usage_type=usage_type), service_regions=regions,
                          pricing_info=timeline)


@dataclass
class FakeCatalog:
    skus: dict[str, list[billing_v1.Sku]]            # service id -> SKUs
    page_size: int = 2
    fail_service: str | None = None
    calls: list[tuple[str, str]] = field(default_factory=list)  # (parent, page_token)

    def list_services(self, request, context):
        return billing_v1.ListServicesResponse(services=[
            billing_v1.Service(name=f"services/{sid}", service_id=sid, display_name=sid) for sid in self.skus])

    def list_skus(self, request, context):
        self.calls.append((request.parent, request.page_token))
        service_id = request.parent.removeprefix("services/")
        if service_id == self.fail_service:
            context.abort(grpc.StatusCode.PERMISSION_DENIED, "API key not valid")
        if request.currency_code != "USD":
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "currency")
        items = self.skus.get(service_id, [])
        start = int(request.page_token or 0)
        end = start + self.page_size
        return billing_v1.ListSkusResponse(skus=items[start:end], next_page_token=str(end) if end < len(items) else "")

    def serve(self) -> tuple[grpc.Server, str]:
        handler = grpc.method_handlers_generic_handler(SERVICE, {
            "ListServices": grpc.unary_unary_rpc_method_handler(
                self.list_services, request_deserializer=billing_v1.ListServicesRequest.deserialize,
                response_serializer=billing_v1.ListServicesResponse.serialize),
            "ListSkus": grpc.unary_unary_rpc_method_handler(
                self.list_skus, request_deserializer=billing_v1.ListSkusRequest.deserialize,
                response_serializer=billing_v1.ListSkusResponse.serialize),
        })
        server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
        server.add_generic_rpc_handlers((handler,))
        port = server.add_insecure_port("127.0.0.1:0")
        server.start()
        return server, f"127.0.0.1:{port}"
