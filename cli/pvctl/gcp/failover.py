"""`pvctl db failover`: promote the cross-region replica of the primary and point the services at it.

Promotion is one-way: the replica stops following the primary and accepts writes. Each
Cloud Run service that reads DB_HOST gets a new revision with the promoted instance's
private IP and all the traffic. A run that stopped half-way can be run again: an already
promoted replica (one whose operation history shows the promotion) is not promoted twice, and
the services are pointed at it again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pvctl.core.errors import Interrupted
from pvctl.gcp import deploy as d
from pvctl.gcp import sqladmin as sql
from pvctl.gcp.calls import CallPolicy, GcpError

DB_HOST = "DB_HOST"  # the variable modules/cloud_run_service sets from the primary's private IP


@dataclass
class FailoverResult:
    primary: str
    replica: str
    replica_region: str
    promoted_now: bool  # False: it was already a standalone primary (a resumed failover)
    host: str  # its private IP, now each service's DB_HOST
    services: list[d.DeployResult] = field(default_factory=list)
    terraform: list[str] = field(default_factory=list)


def _masters(project: str, primary: str) -> set[str]:
    # The API names the primary "project:instance"; the provider trims the project (resource_sql_database_instance.go).
    return {primary, f"{project}:{primary}"}


def _was_promoted(clients: Any, project: str, name: str, policy: CallPolicy) -> bool:
    """Cloud SQL's operation history of the instance holds a finished, successful PROMOTE_REPLICA."""
    page = sql.call(
        f"operations of {name}", policy, clients.sqladmin().operations().list(project=project, instance=name)
    )
    return any(
        op.get("operationType") == "PROMOTE_REPLICA" and op.get("status") == "DONE" and not op.get("error")
        for op in page.get("items", [])
    )


def find_replica(
    clients: Any, project: str, primary: str, region: str, name: str | None, policy: CallPolicy
) -> sql.Json:
    """The named instance (a replica of `primary`, or one already promoted), else the one replica of `primary`
    outside `region`."""
    if name:
        found = sql.get_instance(clients, project, name, policy)
        if found is None:
            raise GcpError(f"Cloud SQL instance {name} does not exist in {project}", "check --replica", "not_found")
        master = found.get("masterInstanceName", "")
        if name == primary or master and master not in _masters(project, primary):
            raise GcpError(
                f"{name} is not a replica of {primary} (it follows {master or 'nothing'})",
                f"name a replica of {primary} with --replica",
                "failed",
            )
        if not master and not _was_promoted(clients, project, name, policy):
            # A standalone instance is a failover target only when it is the replica an earlier run promoted;
            # anything else (another database, a restore drill's copy) would take the production traffic.
            raise GcpError(
                f"{name} is a standalone instance that was never promoted from a replica: not a failover target",
                f"name the replica of {primary} (or the one an earlier failover promoted) with --replica",
                "failed",
            )
        return found
    replicas = [
        i
        for i in sql.list_instances(clients, project, policy)
        if i.get("masterInstanceName") in _masters(project, primary) and i.get("region") != region
    ]
    if len(replicas) == 1:
        return replicas[0]
    if not replicas:
        raise GcpError(
            f"no replica of {primary} outside {region} in {project}",
            "keep a cross-region replica in the scale phase, or recover from a backup "
            "(`pvctl db restore-test` shows how long that takes); "
            "after a half-finished failover name it with --replica",
            "not_found",
        )
    names = ", ".join(sorted(i["name"] for i in replicas))
    raise GcpError(
        f"several replicas of {primary} outside {region}: {names}", "choose one with --replica NAME", "failed"
    )


def plan_text(prefix: str, replica: sql.Json) -> str:
    """What is about to happen, for the confirmation."""
    if replica.get("instanceType") != "READ_REPLICA_INSTANCE":
        return (
            f"point the Cloud Run services at {replica['name']} ({replica.get('region')}), already a standalone primary"
        )
    return (
        f"promote {replica['name']} ({replica.get('region')}) to a standalone primary — it stops replicating "
        f"from {sql.primary_name(prefix)} for good — and point the Cloud Run services at it"
    )


def terraform_after(prefix: str, replica: str) -> list[str]:
    primary = sql.primary_name(prefix)
    return [
        f"Terraform state is unchanged: it still records {replica} as a read replica of {primary} "
        f'(master_instance_name = "{primary}", instance_type = READ_REPLICA_INSTANCE) and the services\' DB_HOST '
        f"as {primary}'s private IP.",
        f"On the next plan Google reports {replica} as a standalone primary; "
        "with the configuration unchanged the provider "
        "replaces it (master_instance_name forces a new instance) and points DB_HOST back at the old primary — pvctl "
        "refuses that plan, so never override it with --allow-destroy.",
        "Next: set promoted = true under [phases.scale.disaster_recovery] in pvctl.toml (the replica's resource "
        "then has no master_instance_name or replica_configuration, so the provider keeps the promoted instance, "
        f"and DB_HOST follows it), run `pvctl plan --phase scale` and check it replaces no Cloud SQL instance, "
        f"then apply. Retire {primary} once its data is no longer needed; it keeps billing until deleted.",
    ]


def failover(
    clients: Any, project: str, region: str, prefix: str, replica: sql.Json, policy: CallPolicy
) -> FailoverResult:
    repointed: list[str] = []
    try:
        return _failover(clients, project, region, prefix, replica, policy, repointed)
    except KeyboardInterrupt:
        name = replica["name"]
        done = f"services repointed: {', '.join(repointed)}" if repointed else "no service repointed yet"
        raise Interrupted(
            f"interrupted during the failover to {name}: the promotion may still finish in Cloud SQL; {done}",
            f"finish it with `pvctl db failover --replica {name}` (a promoted replica is not promoted twice)",
        ) from None


def _failover(
    clients: Any,
    project: str,
    region: str,
    prefix: str,
    replica: sql.Json,
    policy: CallPolicy,
    repointed: list[str],
) -> FailoverResult:
    name = replica["name"]
    promoted_now = replica.get("instanceType") == "READ_REPLICA_INSTANCE"
    if promoted_now:
        operation = sql.call(
            f"promoting {name}",
            policy,
            clients.sqladmin().instances().promoteReplica(project=project, instance=name),
            retry=False,
        )
        sql.wait(clients, project, operation, f"promoting {name}", policy)
    current = sql.get_instance(clients, project, name, policy) or {}
    host = sql.private_ip(current)
    if not host:
        raise GcpError(
            f"{name} was promoted but has no private IP to point the services at",
            "check its connections in the console; the services still use the old primary",
            "failed",
        )
    result = FailoverResult(
        sql.primary_name(prefix),
        name,
        current.get("region", ""),
        promoted_now,
        host,
        terraform=terraform_after(prefix, name),
    )
    for service in d.SERVICES:
        changed = d.set_env(clients, project, region, f"{prefix}-{service}", DB_HOST, host, policy)
        if changed is not None:
            result.services.append(changed)
            repointed.append(changed.service)
    return result
