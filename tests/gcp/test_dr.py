"""`pvctl db restore-test` and `pvctl db failover` against the Cloud SQL Admin REST fake and the Cloud Run fake."""

from __future__ import annotations

import json

import pytest

from pvctl.core.errors import Interrupted
from pvctl.gcp import failover as f
from pvctl.gcp import restore_test
from pvctl.gcp.calls import GcpError
from pvctl.gcp.sqladmin import wait
from tests.gcp.conftest import FAST, interrupt_pvctl
from tests.gcp.fakes import scenarios

P, R = scenarios.PROJECT, scenarios.REGION
NEWEST_BACKUP = "1763596800000"  # 2026-11-20, the newest SUCCESSFUL one (a later one FAILED)


@pytest.fixture
def scale_db(fakes):
    scenarios.scale(fakes.run, fakes.compute)
    scenarios.database(fakes.run, fakes.sql)
    return fakes


def _temporary(fakes) -> list[str]:
    return [name for kind, name in fakes.sql.log if kind == "POST instances/restoreBackup"]


# --- restore-test ------------------------------------------------------------------------------------------
def test_restore_test_restores_the_newest_backup_checks_it_and_deletes_it(scale_db):
    fakes = scale_db
    report = restore_test.run(fakes.clients(), P, "pv-pg", 3600, FAST)
    assert report.backup_id == NEWEST_BACKUP and report.within_rto and report.deleted
    assert report.databases == ["app", "postgres"]
    assert [s.name for s in report.steps] == ["create instance", "restore backup", "check", "delete instance"]
    temporary = report.instance
    assert temporary.startswith("pv-pg-restore-") and temporary not in fakes.sql.instances
    assert fakes.sql.deleted == [temporary]
    # created like the source (tier, version, private network), labelled, and restored from the source's backup
    kinds = [kind for kind, _ in fakes.sql.log]
    assert (
        kinds.index("POST instances")
        < kinds.index("POST instances/restoreBackup")
        < kinds.index("DELETE instances/name")
    )
    assert set(fakes.sql.instances) == {"pv-pg", "pv-pg-dr"}


def test_temporary_instance_is_shaped_like_the_source():
    source = {
        "name": "pv-pg",
        "region": R,
        "databaseVersion": "POSTGRES_16",
        "settings": {
            "tier": "db-custom-1-3840",
            "dataDiskSizeGb": "50",
            "ipConfiguration": {"privateNetwork": "projects/p/global/networks/pv-vpc"},
        },
    }
    body = restore_test.temporary_instance_body("pv-pg-restore-x", source)
    assert body["settings"]["tier"] == "db-custom-1-3840" and body["databaseVersion"] == "POSTGRES_16"
    assert body["settings"]["ipConfiguration"] == {
        "ipv4Enabled": False,
        "privateNetwork": "projects/p/global/networks/pv-vpc",
    }
    assert (
        body["settings"]["deletionProtectionEnabled"] is False
        and body["settings"]["userLabels"][restore_test.LABEL] == "true"
    )


def test_a_failed_restore_still_deletes_the_temporary_instance(scale_db):
    fakes = scale_db
    fakes.sql.fail["RESTORE_VOLUME"] = "Backup run is corrupted."
    with pytest.raises(GcpError) as caught:
        restore_test.run(fakes.clients(), P, "pv-pg", 3600, FAST)
    temporary = _temporary(fakes)[0]
    assert (
        "Backup run is corrupted" in caught.value.line()
        and f"temporary instance {temporary} deleted" in caught.value.line()
    )
    assert fakes.sql.deleted == [temporary] and temporary not in fakes.sql.instances


def test_a_failed_create_still_deletes_what_it_left(scale_db):
    fakes = scale_db
    fakes.sql.fail["CREATE"] = "Out of capacity in the zone."
    with pytest.raises(GcpError) as caught:
        restore_test.run(fakes.clients(), P, "pv-pg", 3600, FAST)
    assert "Out of capacity" in caught.value.line()
    assert len(fakes.sql.deleted) == 1 and fakes.sql.deleted[0].startswith("pv-pg-restore-")


def test_a_check_that_finds_missing_databases_fails_and_deletes(scale_db):
    fakes = scale_db
    fakes.sql.databases["pv-pg"].append("reports")  # added after the newest backup: the restore lacks it
    original = fakes.sql._restore

    def restore_without_reports(name, body):
        status, answer = original(name, body)
        done = fakes.sql.operations[answer["name"]]["_done"]

        def partial() -> None:
            done()
            fakes.sql.databases[name].remove("reports")

        fakes.sql.operations[answer["name"]]["_done"] = partial
        return status, answer

    fakes.sql._restore = restore_without_reports
    with pytest.raises(GcpError) as caught:
        restore_test.run(fakes.clients(), P, "pv-pg", 3600, FAST)
    assert "lacks the databases reports of pv-pg" in caught.value.line()
    assert len(fakes.sql.deleted) == 1


def test_ctrl_c_mid_way_deletes_the_instance_and_says_so(scale_db):
    fakes = scale_db
    steps: list[str] = []

    def interrupt_at_restore(text: str) -> None:
        steps.append(text)
        if text.startswith("restoring backup"):
            raise KeyboardInterrupt

    with pytest.raises(Interrupted) as caught:
        restore_test.run(fakes.clients(), P, "pv-pg", 3600, FAST, on_step=interrupt_at_restore)
    assert caught.value.exit_code == 130
    assert "interrupted: temporary instance pv-pg-restore-" in caught.value.line() and "deleted" in caught.value.line()
    assert len(fakes.sql.deleted) == 1 and steps[-1].startswith("deleting temporary instance")


def test_delete_waits_for_an_operation_still_running_on_the_instance(scale_db):
    fakes = scale_db
    fakes.sql.op_polls = 4  # the insert is still running when the delete is first asked
    clients = fakes.clients()
    source = fakes.sql.instances["pv-pg"]
    clients.sqladmin().instances().insert(
        project=P, body=restore_test.temporary_instance_body("pv-pg-restore-busy", source)
    ).execute()
    assert restore_test.delete_instance(clients, P, "pv-pg-restore-busy", FAST) is True
    assert fakes.sql.calls["DELETE instances/name"] >= 2 and fakes.sql.deleted == ["pv-pg-restore-busy"]
    assert restore_test.delete_instance(clients, P, "pv-pg-restore-busy", FAST) is False  # gone: nothing to do


def test_no_successful_backup_is_a_clear_error_and_creates_nothing(fakes):
    scenarios.scale(fakes.run, fakes.compute)
    fakes.sql.put_instance("pv-pg", R, scenarios.PRIMARY_IP)
    fakes.sql.put_backup("pv-pg", 1, "2026-11-20T03:00:00Z", status="FAILED")
    with pytest.raises(GcpError) as caught:
        restore_test.run(fakes.clients(), P, "pv-pg", 3600, FAST)
    assert "no successful backup" in caught.value.line() and "gcloud sql backups create" in caught.value.line()
    assert fakes.sql.calls["POST instances"] == 0


def test_operation_errors_and_timeouts_are_one_line(scale_db):
    fakes = scale_db
    fakes.sql.op_polls = 10**6
    op = fakes.clients().sqladmin().instances().promoteReplica(project=P, instance="pv-pg-dr").execute()
    ticks = iter(range(10**6))
    with pytest.raises(GcpError) as caught:
        wait(
            fakes.clients(), P, op, "promoting pv-pg-dr", FAST, sleep=lambda s: None, clock=lambda: next(ticks) * 100.0
        )
    assert caught.value.kind == "timeout" and "gcloud sql operations describe" in caught.value.line()


def test_cli_restore_test_reports_against_the_rto(scale_db, pvctl):
    result = pvctl("db", "restore-test", "--json")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert doc["rto_seconds"] == 3600 and doc["within_rto"] and doc["deleted"] and doc["backup_id"] == NEWEST_BACKUP
    assert "creating temporary instance pv-pg-restore-" in result.err and "deleting temporary instance" in result.err


def test_cli_restore_test_exceeding_the_rto_is_reported_and_exits_1(scale_db, pvctl):
    result = pvctl("db", "restore-test", "--rto", "0.001")
    assert result.code == 1
    assert "EXCEEDS the RTO" in result.out and "deleted" in result.out
    assert len(scale_db.sql.deleted) == 1


def test_cli_restore_test_ctrl_c_in_a_real_process(scale_db, repo):
    fakes = scale_db
    fakes.sql.op_polls = 10**6  # the create never finishes on its own

    def cloud_sql_finishes_the_create() -> None:
        fakes.sql.op_polls = 1  # in its own time; the delete waits for it

    # the second Ctrl-C comes while the instance is being deleted: it is held off
    result = interrupt_pvctl(
        repo,
        ["db", "restore-test"],
        ready=lambda: fakes.sql.calls["GET operations/name"] >= 1,
        presses=2,
        then=cloud_sql_finishes_the_create,
    )
    assert result.code == 130, result.err
    temporary = next(
        name for kind, name in fakes.sql.log if kind == "GET instances/name" and name.startswith("pv-pg-restore-")
    )
    assert f"interrupted: temporary instance {temporary} deleted, nothing left running" in result.err
    assert fakes.sql.deleted == [temporary] and "Traceback" not in result.err


# --- failover -------------------------------------------------------------------------------------------------
def test_failover_promotes_the_cross_region_replica_and_repoints_the_services(scale_db, pvctl):
    fakes = scale_db
    result = pvctl("db", "failover", "--yes", "--json")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert doc["replica"] == "pv-pg-dr" and doc["replica_region"] == scenarios.DR_REGION and doc["promoted_now"]
    assert doc["host"] == scenarios.REPLICA_IP
    replica = fakes.sql.instances["pv-pg-dr"]
    assert replica["instanceType"] == "CLOUD_SQL_INSTANCE" and "masterInstanceName" not in replica
    assert sorted(s["service"] for s in doc["services"]) == ["pv-api", "pv-webhooks"]  # the BFF reads no DB_HOST
    for name in ("pv-api", "pv-webhooks"):
        service = fakes.run.services[f"projects/{P}/locations/{R}/services/{name}"]
        env = {e.name: e.value for e in service.template.containers[0].env}
        assert env["DB_HOST"] == scenarios.REPLICA_IP and env["DB_NAME"] == "app"
        assert [t.percent for t in service.traffic_statuses] == [100]
    assert any("master_instance_name" in note for note in doc["terraform"])


def test_failover_run_again_after_a_partial_run_does_not_promote_twice(scale_db):
    fakes = scale_db
    clients = fakes.clients()
    replica = f.find_replica(clients, P, "pv-pg", R, None, FAST)
    fakes.run.faults.errors["GetService"] = [__import__("grpc").StatusCode.PERMISSION_DENIED]
    with pytest.raises(GcpError):
        f.failover(clients, P, R, "pv", replica, FAST)  # promoted, then the services could not be read
    with pytest.raises(GcpError) as caught:
        f.find_replica(clients, P, "pv-pg", R, None, FAST)
    assert "--replica" in caught.value.line()
    again = f.failover(clients, P, R, "pv", f.find_replica(clients, P, "pv-pg", R, "pv-pg-dr", FAST), FAST)
    assert not again.promoted_now and len(again.services) == 2
    assert fakes.sql.calls["POST instances/promoteReplica"] == 1


def test_failover_refuses_an_instance_that_is_not_a_replica_of_the_primary(scale_db):
    fakes = scale_db
    fakes.sql.put_instance("other-pg", R, "10.9.9.9")
    fakes.sql.put_instance("other-pg-replica", scenarios.DR_REGION, "10.9.9.10", master="other-pg")
    for name in ("other-pg-replica", "pv-pg"):
        with pytest.raises(GcpError) as caught:
            f.find_replica(fakes.clients(), P, "pv-pg", R, name, FAST)
        assert "is not a replica of pv-pg" in caught.value.line()
    assert fakes.sql.calls["POST instances/promoteReplica"] == 0


def test_failover_refuses_a_standalone_instance_no_failover_promoted(scale_db, pvctl):
    """Another database (or a restore drill's copy) is standalone too: it must not take the production traffic."""
    fakes = scale_db
    fakes.sql.put_instance("other-pg", scenarios.DR_REGION, "10.9.9.9")
    result = pvctl("db", "failover", "--replica", "other-pg", "--yes")
    assert result.code == 1 and "other-pg is a standalone instance that was never promoted" in result.err
    for name in ("pv-api", "pv-webhooks"):
        service = fakes.run.services[f"projects/{P}/locations/{R}/services/{name}"]
        assert {e.name: e.value for e in service.template.containers[0].env}["DB_HOST"] == scenarios.PRIMARY_IP


def test_failover_asks_first_and_refuses_without_a_terminal(scale_db, pvctl):
    result = pvctl("db", "failover")
    assert result.code == 3 and "not confirmed: promote pv-pg-dr (us-east1)" in result.err and "--yes" in result.err
    assert scale_db.sql.calls["POST instances/promoteReplica"] == 0


def test_failover_without_a_replica_says_what_to_do(fakes, pvctl):
    scenarios.scale(fakes.run, fakes.compute)
    scenarios.database(fakes.run, fakes.sql, replica=False)
    result = pvctl("db", "failover", "--yes")
    assert result.code == 1 and "no replica of pv-pg outside southamerica-east1" in result.err
    assert "restore-test" in result.err


def test_failover_human_output_says_what_terraform_state_looks_like(scale_db, pvctl):
    result = pvctl("db", "failover", "--yes")
    assert result.code == 0, result.err
    assert "pv-pg-dr (us-east1) promoted: it is now the primary database, private IP 10.40.0.7" in result.out
    assert "Terraform state is unchanged" in result.out and "pvctl plan --phase scale" in result.out


@pytest.mark.parametrize("rto", ["nan", "inf", "-5", "0"])
def test_cli_restore_test_refuses_a_bad_rto_before_creating_anything(scale_db, pvctl, rto):
    result = pvctl("db", "restore-test", "--rto", rto)
    assert result.code == 4, result.err
    assert "--rto:" in result.err and "positive number of seconds" in result.err and "Traceback" not in result.err
    assert scale_db.sql.calls["POST instances"] == 0  # nothing billed for a drill that could only fail


def test_ctrl_c_as_the_delete_is_announced_is_held_off_and_the_instance_still_goes(scale_db):
    """A real SIGINT at the very start of the cleanup (while its progress line prints) must not skip the delete."""
    import os
    import signal

    fakes = scale_db
    steps: list[str] = []

    def interrupt_at_cleanup(text: str) -> None:
        steps.append(text)
        if text.startswith("deleting temporary instance"):
            os.kill(os.getpid(), signal.SIGINT)

    report = restore_test.run(fakes.clients(), P, "pv-pg", 3600, FAST, on_step=interrupt_at_cleanup)
    assert report.deleted and fakes.sql.deleted == [report.instance]
    assert any(s.startswith("still deleting") for s in steps)


def test_failover_ctrl_c_says_what_was_done_and_how_to_finish(scale_db, repo):
    fakes = scale_db
    fakes.sql.op_polls = 10**6  # the promotion is still running when Ctrl-C comes
    result = interrupt_pvctl(
        repo, ["db", "failover", "--yes"], ready=lambda: fakes.sql.calls["GET operations/name"] >= 1
    )
    assert result.code == 130, result.err
    assert "interrupted during the failover to pv-pg-dr" in result.err
    assert "the promotion may still finish in Cloud SQL" in result.err and "no service repointed yet" in result.err
    assert "pvctl db failover --replica pv-pg-dr" in result.err and "Traceback" not in result.err


def test_a_temporary_instance_left_by_a_killed_run_is_deleted_by_the_next(scale_db):
    fakes = scale_db
    left = fakes.sql.put_instance("pv-pg-restore-11300400-beef", R, "10.20.0.98")
    left["settings"]["userLabels"] = {restore_test.LABEL: "true", "source": "pv-pg"}
    other = fakes.sql.put_instance("pv-pg-restore-look-alike", R, "10.20.0.97")  # no label: not ours
    elsewhere = fakes.sql.put_instance("other-pg-restore-11300400-cafe", R, "10.20.0.96")
    elsewhere["settings"]["userLabels"] = {restore_test.LABEL: "true", "source": "other-pg"}
    steps: list[str] = []
    report = restore_test.run(fakes.clients(), P, "pv-pg", 3600, FAST, on_step=steps.append)
    assert report.leftovers_deleted == ["pv-pg-restore-11300400-beef"]
    assert fakes.sql.deleted == ["pv-pg-restore-11300400-beef", report.instance]
    assert other["name"] in fakes.sql.instances and elsewhere["name"] in fakes.sql.instances
    assert steps[0].startswith("deleting pv-pg-restore-11300400-beef, left behind by an earlier restore test")


def test_failover_during_a_canary_keeps_the_image_that_served_most_traffic(scale_db):
    """The service template holds the canary's image: a failover revision built from it alone would put an
    unvetted image on 100 % of the traffic. It runs the image the most traffic was on instead."""
    from pvctl.gcp import deploy as d

    fakes = scale_db
    clients = fakes.clients()
    path = f"projects/{P}/locations/{R}/services/pv-api"
    serving = fakes.run.services[path].template.containers[0].image
    canary_image = serving.rsplit(":", 1)[0] + ":9.9.9-canary"
    d.deploy(clients, P, R, "pv-api", canary_image, 10, FAST)
    result = f.failover(clients, P, R, "pv", f.find_replica(clients, P, "pv-pg", R, None, FAST), FAST)
    api = next(s for s in result.services if s.service == "pv-api")
    assert api.image == serving and fakes.run.services[path].template.containers[0].image == serving
    env = {e.name: e.value for e in fakes.run.services[path].template.containers[0].env}
    assert env["DB_HOST"] == scenarios.REPLICA_IP
