"""`pvctl db restore-test`: restore the newest backup into a temporary instance, check it, time it, delete it.

The temporary instance is deleted whatever happens after its insert was sent: success,
a failed step, or Ctrl-C (further Ctrl-Cs are held off until the delete has finished).
Deletion looks the instance up by name first, so an insert that never landed leaves
nothing to delete, and an insert still running is waited for and then deleted.
"""

from __future__ import annotations

import math
import secrets as _random
import signal
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pvctl.core.errors import ConfigError, Interrupted
from pvctl.gcp import sqladmin as sql
from pvctl.gcp.calls import CallPolicy, GcpError

LABEL = "pvctl-restore-test"
BUSY_RETRY_SECONDS = 600  # how long cleanup waits for an operation already running on the instance


@dataclass(frozen=True)
class Step:
    name: str
    seconds: float


@dataclass
class RestoreReport:
    source: str
    backup_id: str
    backup_time: str
    instance: str  # the temporary instance
    seconds_to_usable: float = 0.0  # insert sent -> restored instance answered the check
    rto_seconds: float = 0.0
    within_rto: bool = False
    databases: list[str] = field(default_factory=list)
    deleted: bool = False
    steps: list[Step] = field(default_factory=list)
    leftovers_deleted: list[str] = field(default_factory=list)  # temporary instances an earlier run left behind


def objective(flag: float | None, slo: Mapping[str, Any]) -> float:
    """The RTO in seconds: --rto when given, else phases.toml [slo] rto_seconds; checked before anything is billed."""
    value = flag if flag is not None else slo.get("rto_seconds")
    where = "--rto" if flag is not None else "phases.toml [slo] rto_seconds"
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise ConfigError([(where, f"{value!r} is not a positive number of seconds", "e.g. --rto 3600 for one hour")])
    return float(value)


def temporary_name(source: str, now: datetime | None = None) -> str:
    # Cloud SQL keeps a deleted instance's name reserved for up to a week: time + random never repeats one.
    now = now or datetime.now(UTC)
    return f"{source}-restore-{now:%m%d%H%M}-{_random.token_hex(2)}"


def newest_backup(clients: Any, project: str, source: str, policy: CallPolicy) -> sql.Json:
    page = sql.call(
        f"backups of {source}", policy, clients.sqladmin().backupRuns().list(project=project, instance=source)
    )
    done = [b for b in page.get("items", []) if b.get("status") == "SUCCESSFUL"]
    if not done:
        raise GcpError(
            f"{source} has no successful backup to restore",
            f"backups run daily; take one now with `gcloud sql backups create --instance {source} --project {project}`",
            "not_found",
        )
    return max(done, key=lambda b: b.get("endTime") or b.get("windowStartTime") or "")


def _database_names(clients: Any, project: str, instance: str, policy: CallPolicy) -> list[str]:
    page = sql.call(
        f"databases of {instance}", policy, clients.sqladmin().databases().list(project=project, instance=instance)
    )
    return sorted(d["name"] for d in page.get("items", []))


def temporary_instance_body(name: str, source: sql.Json) -> sql.Json:
    """Like the source where a restore needs it (version, tier, disk, private network); no backups, no HA."""
    settings = source.get("settings", {})
    ip = settings.get("ipConfiguration", {})
    return {
        "name": name,
        "region": source["region"],
        "databaseVersion": source["databaseVersion"],
        "settings": {
            "tier": settings.get("tier"),
            "edition": settings.get("edition", "ENTERPRISE"),
            "availabilityType": "ZONAL",
            "dataDiskSizeGb": settings.get("dataDiskSizeGb"),
            "dataDiskType": settings.get("dataDiskType", "PD_SSD"),
            "ipConfiguration": {"ipv4Enabled": False, "privateNetwork": ip.get("privateNetwork")},
            "backupConfiguration": {"enabled": False},
            "deletionProtectionEnabled": False,
            "userLabels": {LABEL: "true", "source": source["name"]},
        },
    }


@contextmanager
def _held_interrupts(note: Callable[[str], None], instance: str) -> Iterator[None]:
    """Ctrl-C while the temporary instance is being deleted is noted, not obeyed."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def held(signum: int, frame: Any) -> None:
        note(f"still deleting {instance}; pvctl stops as soon as it is gone")

    previous = signal.signal(signal.SIGINT, held)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def leftovers(clients: Any, project: str, source: str, policy: CallPolicy) -> list[str]:
    """Temporary instances of `source` still there: a run that was killed (SIGKILL, a lost runner) could not
    delete its own. Only instances carrying both the label and the name this module gives are taken."""
    return sorted(
        i["name"]
        for i in sql.list_instances(clients, project, policy)
        if (i.get("settings", {}).get("userLabels") or {}).get(LABEL) == "true"
        and (i.get("settings", {}).get("userLabels") or {}).get("source") == source
        and i["name"].startswith(f"{source}-restore-")
    )


def delete_instance(
    clients: Any,
    project: str,
    name: str,
    policy: CallPolicy,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> bool:
    """Delete `name` if it exists (True when something was deleted), waiting out an operation still running on it."""
    deadline = clock() + BUSY_RETRY_SECONDS
    while True:
        if sql.get_instance(clients, project, name, policy) is None:
            return False
        try:
            operation = sql.call(
                f"deleting {name}", policy, clients.sqladmin().instances().delete(project=project, instance=name)
            )
        except sql.Busy:
            # The insert or the restore still runs on it: delete once that is done.
            if clock() > deadline:
                raise GcpError(
                    f"deleting {name}: an operation kept running for {BUSY_RETRY_SECONDS} s", None, "timeout"
                ) from None
            sleep(policy.poll_interval)
            continue
        sql.wait(clients, project, operation, f"deleting {name}", policy, sleep, clock)
        return True


def run(
    clients: Any,
    project: str,
    source: str,
    rto_seconds: float,
    policy: CallPolicy,
    on_step: Callable[[str], None] = lambda text: None,
    clock: Callable[[], float] = time.monotonic,
) -> RestoreReport:
    primary = sql.get_instance(clients, project, source, policy)
    if primary is None:
        raise GcpError(
            f"Cloud SQL instance {source} does not exist in {project}",
            "check project and name_prefix in pvctl.toml, and that the phase was applied",
            "not_found",
        )
    backup = newest_backup(clients, project, source, policy)
    report = RestoreReport(
        source, str(backup["id"]), backup.get("endTime", ""), temporary_name(source), rto_seconds=rto_seconds
    )
    for name in leftovers(clients, project, source, policy):
        with _held_interrupts(on_step, name):
            on_step(f"deleting {name}, left behind by an earlier restore test (still billed)")
            delete_instance(clients, project, name, policy)
        report.leftovers_deleted.append(name)
    admin = clients.sqladmin().instances()
    started = mark = clock()

    def step(name: str) -> None:
        nonlocal mark
        now = clock()
        report.steps.append(Step(name, round(now - mark, 3)))
        mark = now

    try:
        on_step(
            f"creating temporary instance {report.instance} ({primary['settings'].get('tier')}, {primary['region']})"
        )
        operation = sql.call(
            f"creating {report.instance}",
            policy,
            admin.insert(project=project, body=temporary_instance_body(report.instance, primary)),
            retry=False,
        )
        sql.wait(clients, project, operation, f"creating {report.instance}", policy)
        step("create instance")
        on_step(f"restoring backup {report.backup_id} of {source} ({report.backup_time}) into it")
        body = {"restoreBackupContext": {"backupRunId": backup["id"], "instanceId": source, "project": project}}
        operation = sql.call(
            f"restoring backup {report.backup_id}",
            policy,
            admin.restoreBackup(project=project, instance=report.instance, body=body),
            retry=False,
        )
        sql.wait(clients, project, operation, f"restoring backup {report.backup_id} into {report.instance}", policy)
        step("restore backup")
        on_step("checking the restored instance")
        report.databases = _check(clients, project, source, report.instance, policy)
        step("check")
        report.seconds_to_usable = round(clock() - started, 3)
        report.within_rto = report.seconds_to_usable <= rto_seconds
    except BaseException as exc:  # whatever stopped the test, the temporary instance goes
        _cleanup(clients, project, report, policy, on_step, step)
        if isinstance(exc, KeyboardInterrupt):
            raise Interrupted(
                f"interrupted: temporary instance {report.instance} deleted, nothing left running",
                "run `pvctl db restore-test` again to finish the test",
            ) from None
        if isinstance(exc, GcpError):
            raise GcpError(
                f"{exc.what}; temporary instance {report.instance} deleted", exc.fix, exc.kind, exc.permission
            ) from None
        raise
    _cleanup(clients, project, report, policy, on_step, step)
    return report


def _check(clients: Any, project: str, source: str, instance: str, policy: CallPolicy) -> list[str]:
    """Usable = RUNNABLE and serving the same databases as the source (listing them needs a running Postgres)."""
    restored = sql.get_instance(clients, project, instance, policy) or {}
    if restored.get("state") != "RUNNABLE":
        raise GcpError(f"restored instance {instance} is {restored.get('state', 'gone')}, not RUNNABLE", None, "failed")
    expected = _database_names(clients, project, source, policy)
    found = _database_names(clients, project, instance, policy)
    missing = sorted(set(expected) - set(found))
    if missing:
        raise GcpError(
            f"restored instance {instance} lacks the databases {', '.join(missing)} of {source}",
            "the backup is incomplete: check the backup runs in the console",
            "failed",
        )
    return found


def _cleanup(
    clients: Any,
    project: str,
    report: RestoreReport,
    policy: CallPolicy,
    on_step: Callable[[str], None],
    step: Callable[[str], None],
) -> None:
    with _held_interrupts(on_step, report.instance):  # before the progress line: a Ctrl-C during it is held too
        on_step(f"deleting temporary instance {report.instance}")
        try:
            delete_instance(clients, project, report.instance, policy)
        except GcpError as exc:
            raise GcpError(
                f"{exc.what}; temporary instance {report.instance} may still exist and be billed",
                f"delete it: gcloud sql instances delete {report.instance} --project {project}",
                exc.kind,
            ) from None
    report.deleted = True
    step("delete instance")
