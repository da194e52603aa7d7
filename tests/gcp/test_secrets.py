"""Secret values: set/list/rotate/check through Secret Manager, and the value never leaks."""

from __future__ import annotations

import base64
import json
import logging

import pytest

from pvctl.gcp.calls import GcpError
from pvctl.gcp.secrets import crc32c, missing_secrets
from tests.gcp.conftest import FAST
from tests.gcp.fakes import scenarios

VALUE = "wh4ts-App_t0ken-Zq9!unique"
SECRET = f"projects/{scenarios.PROJECT}/secrets/pv-whatsapp-token"


@pytest.fixture
def debug_logs(caplog, monkeypatch):
    """Every logger at DEBUG, the client libraries' "google" tree included (it does not
    propagate by default): the worst case a user can configure."""
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="google")
    monkeypatch.setattr(logging.getLogger("google"), "propagate", True)
    return caplog


def _assert_never_leaked(value: str, outputs: list[str], caplog, repo) -> None:
    forms = [value, base64.b64encode(value.encode()).decode()]
    for form in forms:
        for text in outputs:
            assert form not in text
        for record in caplog.records:
            assert form not in record.getMessage()
            assert form not in repr(record.__dict__)
    for path in repo.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert all(form.encode() not in data for form in forms), path


def test_set_reads_stdin_and_the_value_goes_nowhere_else(fakes, pvctl, repo, debug_logs):
    caplog = debug_logs
    scenarios.secret_containers(fakes.secrets)
    (repo / ".pvctl").mkdir()
    result = pvctl("secrets", "set", "whatsapp-token", stdin=VALUE + "\n")
    assert result.code == 0, result.err
    assert result.out.strip() == "pv-whatsapp-token: added version 1"
    assert fakes.secrets.payloads[f"{SECRET}/versions/1"] == VALUE.encode()  # trailing newline from echo dropped
    listed = pvctl("secrets", "list", "--json")
    _assert_never_leaked(VALUE, [result.out, result.err, listed.out, listed.err], caplog, repo)


def test_debug_logging_of_the_client_library_does_not_capture_the_payload(fakes, debug_logs):
    from pvctl.gcp.secrets import add_version

    caplog = debug_logs
    scenarios.secret_containers(fakes.secrets)
    add_version(fakes.clients(), scenarios.PROJECT, "pv", "crm-api-token", VALUE.encode(), FAST)
    encoded = base64.b64encode(VALUE.encode()).decode()
    assert not [r for r in caplog.records if VALUE in r.getMessage() or encoded in repr(r.__dict__)]
    assert not [r for r in caplog.records if r.name.startswith("google.cloud.secretmanager_v1")]
    assert logging.getLogger("google.cloud.secretmanager_v1").level == logging.NOTSET  # restored afterwards


def test_the_value_is_never_an_argument(fakes, pvctl):
    result = pvctl("secrets", "set", "whatsapp-token", VALUE)
    assert result.code == 4 and VALUE not in result.out + result.err  # refused, and never repeated
    assert fakes.secrets.calls("AddSecretVersion") == 0


def test_empty_value_is_refused(fakes, pvctl):
    scenarios.secret_containers(fakes.secrets)
    result = pvctl("secrets", "set", "whatsapp-token", stdin="\n")
    assert result.code == 4 and "empty value for whatsapp-token" in result.err
    assert fakes.secrets.calls("AddSecretVersion") == 0


def test_unknown_secret_name_lists_the_known_ones(fakes, pvctl):
    result = pvctl("secrets", "set", "stripe-key", stdin=VALUE)
    assert result.code == 4
    assert "'stripe-key' is not a secret of this project" in result.err and "whatsapp-token" in result.err


def test_set_before_terraform_created_the_container(fakes, pvctl):
    result = pvctl("secrets", "set", "whatsapp-token", stdin=VALUE)
    assert result.code == 1
    assert "secret pv-whatsapp-token does not exist" in result.err and "apply the phase first" in result.err
    assert "Traceback" not in result.err


def test_list_shows_versions_never_values(fakes, pvctl):
    scenarios.secret_containers(fakes.secrets)
    pvctl("secrets", "set", "whatsapp-token", stdin="one")
    pvctl("secrets", "set", "whatsapp-token", stdin="two")
    out = pvctl("secrets", "list", "--phase", "mvp").out
    assert "pv-whatsapp-token: enabled 2, 1 (latest added 2026-11-20T12:01:00+00:00)" in out
    assert "pv-crm-api-token: NO ENABLED VERSION — pvctl secrets set crm-api-token" in out


def test_rotate_adds_a_version_and_disables_the_older_ones(fakes, pvctl, repo, debug_logs):
    caplog = debug_logs
    scenarios.secret_containers(fakes.secrets)
    pvctl("secrets", "set", "whatsapp-token", stdin="old-1")
    pvctl("secrets", "set", "whatsapp-token", stdin="old-2")
    result = pvctl("secrets", "rotate", "whatsapp-token", "--yes", stdin=VALUE)
    assert result.code == 0, result.err
    assert "added version 3" in result.out and "disabled versions 2, 1" in result.out
    assert fakes.secrets.states(SECRET) == {"1": "DISABLED", "2": "DISABLED", "3": "ENABLED"}
    _assert_never_leaked(VALUE, [result.out, result.err], caplog, repo)


def test_rotate_without_confirmation_keeps_older_versions(fakes, pvctl):
    scenarios.secret_containers(fakes.secrets)
    pvctl("secrets", "set", "whatsapp-token", stdin="old-1")
    result = pvctl("secrets", "rotate", "whatsapp-token", stdin=VALUE)  # stdin is the value: nobody to ask
    assert result.code == 0
    assert "versions 1 of pv-whatsapp-token stay enabled" in result.err
    assert fakes.secrets.states(SECRET) == {"1": "ENABLED", "2": "ENABLED"}


def test_missing_secrets_preflight(fakes):
    clients = fakes.clients()
    scenarios.secret_containers(fakes.secrets)
    fakes.secrets.versions.pop(f"projects/{scenarios.PROJECT}/secrets/pv-crm-api-token")  # container never created
    from pvctl.gcp.secrets import add_version, disable_versions

    for name in ("db-admin-password", "session-signing-key", "oauth-client-secret", "whatsapp-token"):
        add_version(clients, scenarios.PROJECT, "pv", name, b"x", FAST)
    disable_versions(clients, scenarios.PROJECT, "pv", "oauth-client-secret", ["1"], FAST)
    assert missing_secrets(scenarios.PROJECT, "pv", scenarios.SECRET_NAMES, clients) == ["oauth-client-secret", "crm-api-token"]


def test_secrets_check_command(fakes, pvctl):
    scenarios.secret_containers(fakes.secrets)
    result = pvctl("secrets", "check", "--phase", "growth")
    assert result.code == 1
    assert result.err.count("has no enabled version") == 5 and "pvctl secrets set crm-api-token" in result.err
    for name in scenarios.SECRET_NAMES:  # the admin password meets the database password policy
        assert pvctl("secrets", "set", name, stdin="Str0ng-Adm1n-Secret!" if name == "db-admin-password" else "v").code == 0
    result = pvctl("secrets", "check", "--phase", "growth", "--json")
    assert result.code == 0 and json.loads(result.out) == {"phase": "growth", "missing": []}


def test_preflight_refuses_to_guess_when_secret_manager_denies(fakes):
    scenarios.secret_containers(fakes.secrets)
    fakes.secrets.faults.denied["ListSecretVersions"] = "secretmanager.versions.list"
    with pytest.raises(GcpError) as caught:
        missing_secrets(scenarios.PROJECT, "pv", scenarios.SECRET_NAMES, fakes.clients())
    assert caught.value.kind == "permission" and caught.value.permission == "secretmanager.versions.list"


def test_payload_checksum_is_crc32c():
    assert crc32c(b"123456789") == 0xE3069283  # the standard CRC-32C check value


def test_access_latest_hands_over_the_newest_value_without_logging_it(fakes, debug_logs):
    from pvctl.gcp.secrets import access_latest, add_version, disable_versions

    caplog = debug_logs
    clients = fakes.clients()
    scenarios.secret_containers(fakes.secrets)
    with pytest.raises(GcpError) as caught:
        access_latest(clients, scenarios.PROJECT, "pv", "db-admin-password", FAST)
    assert caught.value.line() == "secret pv-db-admin-password has no enabled version — pvctl secrets set db-admin-password"
    add_version(clients, scenarios.PROJECT, "pv", "db-admin-password", b"first", FAST)
    add_version(clients, scenarios.PROJECT, "pv", "db-admin-password", VALUE.encode(), FAST)
    assert access_latest(clients, scenarios.PROJECT, "pv", "db-admin-password", FAST) == VALUE
    assert not [r for r in caplog.records if r.name.startswith("google.cloud.secretmanager_v1")]
    disable_versions(clients, scenarios.PROJECT, "pv", "db-admin-password", ["2"], FAST)
    with pytest.raises(GcpError):
        access_latest(clients, scenarios.PROJECT, "pv", "db-admin-password", FAST)


def test_apply_preflight_follows_the_names_terraform_gets(fakes, monkeypatch):
    """pvctl.toml's [phases.<phase>.secrets] names is what Terraform creates, so it is what apply checks."""
    from pvctl.core.errors import GuardRefusal
    from pvctl.gcp.preflight import require_secret_values

    clients = fakes.clients()
    scenarios.secret_containers(fakes.secrets)
    from pvctl.gcp.secrets import add_version

    for name in scenarios.SECRET_NAMES:
        add_version(clients, scenarios.PROJECT, "pv", name, b"x", FAST)
    monkeypatch.delenv("PVCTL_DB_ADMIN_PASSWORD", raising=False)
    require_secret_values(clients, scenarios.PROJECT, "pv", "mvp", {})  # every default secret has a value

    added = {"mvp": {"secrets": {"names": [*scenarios.SECRET_NAMES, "hubspot-token"]}}}
    with pytest.raises(GuardRefusal) as caught:
        require_secret_values(clients, scenarios.PROJECT, "pv", "mvp", added)
    assert "not created yet: pv-hubspot-token" in caught.value.what

    removed = {"mvp": {"secrets": {"names": ["db-admin-password", "whatsapp-token"]}}}
    fakes.secrets.versions.pop(f"projects/{scenarios.PROJECT}/secrets/pv-crm-api-token")  # not in the phase any more
    require_secret_values(clients, scenarios.PROJECT, "pv", "mvp", removed)

    # The admin password is needed only when it is not exported.
    fakes.secrets.versions[f"projects/{scenarios.PROJECT}/secrets/pv-db-admin-password"].clear()
    with pytest.raises(GuardRefusal) as caught:
        require_secret_values(clients, scenarios.PROJECT, "pv", "mvp", removed)
    assert "pv-db-admin-password" in caught.value.what
    monkeypatch.setenv("PVCTL_DB_ADMIN_PASSWORD", "exported-for-this-test")
    require_secret_values(clients, scenarios.PROJECT, "pv", "mvp", removed)
