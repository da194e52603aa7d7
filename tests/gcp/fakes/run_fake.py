"""Cloud Run Admin API v2 (Services, Revisions, long-running Operations) over real gRPC, in memory.

Behaves like Cloud Run where pvctl depends on it: a template change creates a revision
(named by template.revision when given), traffic must add up to 100 and name existing
revisions, a stale etag is refused, UpdateService answers with an operation that is done
on the first GetOperation, and an image containing "broken" yields a revision that never
becomes ready (the operation fails).
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid

import grpc
from google.cloud import run_v2
from google.longrunning import operations_pb2
from google.protobuf import any_pb2
from google.rpc import status_pb2

from tests.gcp.fakes.grpc_base import FakeGrpcServer

LATEST = run_v2.TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST
REVISION = run_v2.TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION
SUCCEEDED = run_v2.Condition.State.CONDITION_SUCCEEDED
FAILED = run_v2.Condition.State.CONDITION_FAILED


class FakeCloudRun(FakeGrpcServer):
    def __init__(self) -> None:
        super().__init__()
        self.services: dict[str, run_v2.Service] = {}
        self.revisions: dict[str, run_v2.Revision] = {}
        self.operations: dict[str, run_v2.Service | status_pb2.Status] = {}
        self._clock = itertools.count(1)
        self.stuck = False  # operations never finish (a deploy that outlives pvctl's patience)
        self.add_service("google.cloud.run.v2.Services", {
            "GetService": (self.get_service, run_v2.GetServiceRequest, run_v2.Service),
            "UpdateService": (self.update_service, run_v2.UpdateServiceRequest, operations_pb2.Operation),
        })
        self.add_service("google.cloud.run.v2.Revisions", {
            "ListRevisions": (self.list_revisions, run_v2.ListRevisionsRequest, run_v2.ListRevisionsResponse),
        })
        self.add_service("google.longrunning.Operations", {
            "GetOperation": (self.get_operation, operations_pb2.GetOperationRequest, operations_pb2.Operation),
        })

    # --- test data ---------------------------------------------------------------------------
    def _now(self) -> dt.datetime:
        return dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC) + dt.timedelta(minutes=next(self._clock))

    def put_service(self, project: str, region: str, name: str, image: str, min_instances: int = 0, max_instances: int = 3,
             ingress: str = "INGRESS_TRAFFIC_ALL", revision: str | None = None) -> run_v2.Service:
        path = f"projects/{project}/locations/{region}/services/{name}"
        template = run_v2.RevisionTemplate(
            revision=revision or f"{name}-00001-abc", containers=[run_v2.Container(image=image)],
            scaling=run_v2.RevisionScaling(min_instance_count=min_instances, max_instance_count=max_instances))
        service = run_v2.Service(name=path, ingress=run_v2.IngressTraffic[ingress], template=template,
                                 uri=f"https://{name}-x7f3kq-rj.a.run.app", traffic=[run_v2.TrafficTarget(type_=LATEST, percent=100)],
                                 etag="1", generation=1)
        self._new_revision(service)
        self._settle_traffic(service)
        self.services[path] = service
        return service

    # --- behaviour -----------------------------------------------------------------------------
    def _new_revision(self, service: run_v2.Service) -> bool:
        """Create the template's revision; False when it fails to start."""
        name = service.template.revision or f"{service.name.rsplit('/', 1)[-1]}-{len(self.revisions) + 1:05d}-zzz"
        path = f"{service.name}/revisions/{name}"
        image = service.template.containers[0].image
        ready = "broken" not in image
        now = self._now()
        revision = run_v2.Revision(
            name=path, service=service.name, containers=list(service.template.containers), scaling=service.template.scaling,
            create_time=now,
            conditions=[run_v2.Condition(type_="Ready", state=SUCCEEDED if ready else FAILED,
                                         message="" if ready else "The user-provided container failed to start")])
        self.revisions[path] = revision
        service.latest_created_revision = path
        if ready:
            service.latest_ready_revision = path
        service.update_time = now
        service.last_modifier = "deployer@pv-test.iam.gserviceaccount.com"
        service.terminal_condition = run_v2.Condition(type_="Ready", state=SUCCEEDED)
        return ready

    def _settle_traffic(self, service: run_v2.Service) -> None:
        short_ready = service.latest_ready_revision.rsplit("/", 1)[-1]
        del service.traffic_statuses[:]
        for target in service.traffic:
            service.traffic_statuses.append(run_v2.TrafficTargetStatus(
                type_=target.type_, revision=short_ready if target.type_ == LATEST else target.revision,
                percent=target.percent, tag=target.tag))

    def get_service(self, request: run_v2.GetServiceRequest, context: grpc.ServicerContext) -> run_v2.Service:
        if request.name not in self.services:
            context.abort(grpc.StatusCode.NOT_FOUND, f"Resource '{request.name.rsplit('/', 1)[-1]}' of kind 'SERVICE' does not exist.")
        return self.services[request.name]

    def update_service(self, request: run_v2.UpdateServiceRequest, context: grpc.ServicerContext) -> operations_pb2.Operation:
        incoming = request.service
        current = self.services.get(incoming.name)
        if current is None:
            context.abort(grpc.StatusCode.NOT_FOUND, f"service {incoming.name} not found")
        if incoming.etag and incoming.etag != current.etag:
            context.abort(grpc.StatusCode.ABORTED, "etag mismatch: the service changed since it was read")
        if sum(t.percent for t in incoming.traffic) != 100:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "traffic percentages must add up to 100")
        updated = run_v2.Service(current)
        template_changed = run_v2.RevisionTemplate.serialize(incoming.template) != run_v2.RevisionTemplate.serialize(current.template)
        if template_changed:
            wanted = f"{current.name}/revisions/{incoming.template.revision}"
            if incoming.template.revision and wanted in self.revisions:
                context.abort(grpc.StatusCode.ALREADY_EXISTS, f"revision {incoming.template.revision} already exists")
            updated.template = incoming.template
        known = {path.rsplit("/", 1)[-1] for path in self.revisions if path.startswith(current.name + "/")}
        if template_changed and incoming.template.revision:
            known.add(incoming.template.revision)
        for target in incoming.traffic:
            if target.type_ == REVISION and target.revision not in known:
                context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"revision {target.revision} does not exist")
        operation = f"projects/x/locations/x/operations/{uuid.uuid4()}"
        if template_changed and not self._new_revision(updated):
            self.operations[operation] = status_pb2.Status(
                code=9, message=f"Revision '{updated.template.revision}' is not ready and cannot serve traffic. "
                                "The user-provided container failed to start")
            current.latest_created_revision = updated.latest_created_revision
            return operations_pb2.Operation(name=operation, done=False)
        del updated.traffic[:]
        updated.traffic.extend(incoming.traffic)
        self._settle_traffic(updated)
        updated.generation = current.generation + 1
        updated.etag = str(updated.generation)
        self.services[current.name] = updated
        self.operations[operation] = updated
        return operations_pb2.Operation(name=operation, done=False)

    def get_operation(self, request: operations_pb2.GetOperationRequest, context: grpc.ServicerContext) -> operations_pb2.Operation:
        outcome = self.operations.get(request.name)
        if outcome is None:
            context.abort(grpc.StatusCode.NOT_FOUND, f"operation {request.name} not found")
        if self.stuck:
            return operations_pb2.Operation(name=request.name, done=False)
        if isinstance(outcome, status_pb2.Status):
            return operations_pb2.Operation(name=request.name, done=True, error=outcome)
        response = any_pb2.Any()
        response.Pack(run_v2.Service.pb(outcome))
        return operations_pb2.Operation(name=request.name, done=True, response=response)

    def list_revisions(self, request: run_v2.ListRevisionsRequest, context: grpc.ServicerContext) -> run_v2.ListRevisionsResponse:
        mine = [r for path, r in self.revisions.items() if path.startswith(request.parent + "/revisions/")]
        return run_v2.ListRevisionsResponse(revisions=mine)

    # --- what tests assert on -----------------------------------------------------------------------
    def traffic_received(self) -> list[list[tuple[str, str, int]]]:
        """(type, revision, percent) of every UpdateService request, in order."""
        return [[("LATEST" if t.type_ == LATEST else "REVISION", t.revision, t.percent) for t in req.service.traffic]
                for method, req in self.requests if method == "UpdateService"]
