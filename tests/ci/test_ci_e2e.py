"""`pvctl ci` end to end: real Terraform (built-in provider), real checkov, the real CLI."""

import json
import os
from pathlib import Path

from pvctl.ci.report import MARKER


def test_clean_repository_passes(pvctl, mini_repo):
    done = pvctl("ci", "--offline", "--format", "json")
    assert done.returncode == 0, done.stdout + done.stderr
    data = json.loads(done.stdout)
    assert data["ok"] and [p["phase"] for p in data["phases"]] == ["mvp", "growth", "scale"]
    assert "no base branch given (--base)" in data["basis"]                 # the plans show whole phases: said so
    assert all(p["counts"]["add"] == 1 for p in data["phases"])
    out = mini_repo / ".pvctl" / "ci"
    assert (out / "report.md").read_text().startswith(MARKER)
    assert (out / "comment.md").exists()
    for phase in ("mvp", "growth", "scale"):
        plan = json.loads((out / f"plan-{phase}.json").read_text())
        assert [rc["address"] for rc in plan["resource_changes"]] == ["terraform_data.database"]


def test_policy_violation_exits_5_with_the_fix(pvctl, mini_repo):
    (mini_repo / "modules" / "edge").mkdir()
    (mini_repo / "modules" / "edge" / "main.tf").write_text(
        'resource "google_compute_target_https_proxy" "web" {\n  name    = "pv-https"\n  url_map = "pv-web"\n}\n')
    done = pvctl("ci", "--offline", "--phases", "mvp")
    assert done.returncode == 5, done.stdout + done.stderr
    assert "policy findings in the Terraform code" in done.stdout
    assert "`PV_GCP_6`" in done.stdout and "modules/edge/main.tf:1" in done.stdout
    assert "set ssl_policy = google_compute_ssl_policy" in done.stdout


def test_invalid_hcl_exits_1_naming_the_phase(pvctl, mini_repo):
    (mini_repo / "environments" / "growth" / "broken.tf").write_text('resource "terraform_data" "x" {\n  input = \n}\n')
    done = pvctl("ci", "--offline", "--phases", "mvp,growth")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "plan failed in growth" in done.stdout
    assert "formatting" in done.stdout  # fmt cannot parse it either
    assert "- **mvp**: `+` 1 create" in done.stdout


def test_guarded_replace_exits_3(pvctl, mini_repo):
    applied = pvctl("apply", "--phase", "mvp", "--offline", "--auto-approve")
    assert applied.returncode == 0, applied.stdout + applied.stderr
    config = mini_repo / "pvctl.toml"
    config.write_text(config.read_text() + '\n[phases.mvp.api]\ncpu = "2"\n')
    done = pvctl("ci", "--offline", "--phases", "mvp")
    assert done.returncode == 3, done.stdout + done.stderr
    assert "guarded destroy/replace in mvp" in done.stdout
    assert "- `-/+` `terraform_data.database` (mvp): replaced because `triggers_replace" in done.stdout
    assert "⚠️ holds data, refused without `--allow-destroy`" in done.stdout


def test_no_comment_when_nothing_changed_if_quiet(pvctl, mini_repo):
    assert pvctl("apply", "--phase", "mvp", "--offline", "--auto-approve").returncode == 0
    done = pvctl("ci", "--offline", "--phases", "mvp", "--quiet-when-unchanged")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no changes — this pull request changes no infrastructure" in done.stdout
    assert not (mini_repo / ".pvctl" / "ci" / "comment.md").exists()
    assert (mini_repo / ".pvctl" / "ci" / "report.md").exists()


def _commit(root, message: str) -> list[str]:
    import subprocess

    git = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    if not (root / ".git").exists():
        subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", message], check=True)
    return git


def test_against_the_base_only_the_change_shows(pvctl, mini_repo):
    import subprocess

    git = _commit(mini_repo, "base")
    main_tf = mini_repo / "environments" / "mvp" / "main.tf"
    main_tf.write_text(main_tf.read_text() + '\nresource "terraform_data" "cache" {\n  input = "redis"\n}\n')
    done = pvctl("ci", "--offline", "--phases", "mvp,growth", "--base", "HEAD", "--format", "json")
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    mvp, growth = report["phases"]
    # The base applied in a sandbox: mvp shows the one new resource, growth nothing (not "+1" for everything).
    assert [(r["address"], r["action"]) for r in mvp["resources"]] == [("terraform_data.cache", "create")]
    assert growth["resources"] == [] and report["has_changes"]
    assert mvp["cost"]["baseline_label"] == "base HEAD (mvp traffic)" and mvp["cost"]["delta"] == 0
    assert "against base HEAD applied in a sandbox" in report["basis"]
    [base] = (mini_repo / ".pvctl" / "ci" / "base").iterdir()                 # extracted, not checked out
    assert (base / ".pvctl" / "applied" / "mvp" / "terraform.tfstate").is_file()
    assert not (mini_repo / ".pvctl" / "sandbox").exists()  # the user's sandbox is untouched
    assert (
        subprocess.run([*git, "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True).stdout.strip()
        == "M environments/mvp/main.tf"
    )


def test_a_pull_request_without_changes_is_green_and_quiet(pvctl, mini_repo):
    _commit(mini_repo, "base")
    (mini_repo / "README.md").write_text("docs only\n")
    done = pvctl("ci", "--offline", "--base", "HEAD", "--quiet-when-unchanged")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "### ✅ pvctl: no changes — this pull request changes no infrastructure" in done.stdout
    assert "- **mvp**, **growth**, **scale**: no changes" in done.stdout
    out = mini_repo / ".pvctl" / "ci"
    assert not (out / "comment.md").exists() and (out / "report.md").exists()
    # The applied base is cached by base commit and inputs: a second run applies nothing again.
    base_logs = sorted(p.name for p in (out / "logs").glob("*-base.log"))
    assert base_logs == ["growth-base.log", "mvp-base.log", "scale-base.log"]
    for log in (out / "logs").iterdir():
        log.unlink()
    again = pvctl("ci", "--offline", "--base", "HEAD", "--phases", "mvp")
    assert again.returncode == 0, again.stdout + again.stderr
    assert sorted(p.name for p in (out / "logs").iterdir()) == ["mvp.log"]


def test_a_base_that_cannot_be_applied_is_said_and_the_phase_planned_whole(pvctl, mini_repo):
    growth_tf = mini_repo / "environments" / "growth" / "main.tf"
    growth_tf.write_text(growth_tf.read_text() + '\nresource "terraform_data" "broken" {\n  input = var.missing\n}\n')
    _commit(mini_repo, "base with a broken growth")
    growth_tf.write_text(growth_tf.read_text().split("\nresource \"terraform_data\" \"broken\"")[0])   # this branch fixes it
    done = pvctl("ci", "--offline", "--phases", "mvp,growth", "--base", "HEAD", "--format", "json")
    assert done.returncode == 0, done.stdout + done.stderr
    mvp, growth = json.loads(done.stdout)["phases"]
    assert mvp["resources"] == [] and mvp["note"] == ""
    assert growth["note"].startswith("the base branch could not be applied (base HEAD, phase growth: terraform plan failed")
    assert [r["address"] for r in growth["resources"]] == ["terraform_data.database"] and growth["cost"][
        "baseline_label"
    ] == "an empty state"


def test_base_plan_renders_with_the_base_commits_phases_toml(pvctl, mini_repo):
    from pvctl.core.phases import get_phase

    from .conftest import phases_toml

    phases = mini_repo / "cli" / "pvctl" / "data" / "phases.toml"
    phases.parent.mkdir(parents=True)
    phases.write_text(phases_toml(api_cpu='"4"'))
    _commit(mini_repo, "base with 4 API CPUs in mvp")
    done = pvctl("ci", "--offline", "--phases", "mvp", "--base", "HEAD")
    # The base applied 4 CPUs; this branch's packaged phases.toml has another value: the trigger replaces the guarded resource.
    assert done.returncode == 3, done.stdout + done.stderr
    assert '- `-/+` `terraform_data.database` (mvp): replaced because `triggers_replace`: `["4"]` → ' in done.stdout
    [base] = (mini_repo / ".pvctl" / "ci" / "base").iterdir()
    assert json.loads((base / ".pvctl" / "mvp" / "terraform.tfvars.json").read_text())["api"]["cpu"] == "4"
    assert (
        json.loads((mini_repo / ".pvctl" / "mvp" / "terraform.tfvars.json").read_text())["api"]["cpu"]
        == get_phase("mvp").tables["api"]["cpu"]
        != "4"
    )


def _checkov_processes() -> list[str]:
    """Command lines of the live checkov processes this process started (`pvctl.policy.checkov_forks`)."""
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            cmdline = (entry / "cmdline").read_bytes()
            status = (entry / "status").read_text()
        except OSError:
            continue
        if b"checkov_fork_server" in cmdline and f"PPid:\t{os.getpid()}\n" in status and "State:\tZ" not in status:
            found.append(cmdline.decode(errors="replace"))
    return found


def test_check_reports_like_ci_and_fixes_formatting(pvctl, mini_repo):
    clean = pvctl("check", keep_helpers=False)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert _checkov_processes() == []  # the checkov process ended with the command
    assert clean.stdout.startswith(MARKER) and "validate" in clean.stdout
    messy = mini_repo / "modules" / "demo" / "main.tf"
    messy.write_text('resource "terraform_data" "demo" {\ninput = "x"\n}\n')
    dirty = pvctl("check", "--format", "json")
    assert dirty.returncode == 1
    assert json.loads(dirty.stdout)["fmt"]["summary"] == "not formatted: modules/demo/main.tf"
    fixed = pvctl("check", "--fix-fmt")
    assert fixed.returncode == 0 and "formatted modules/demo/main.tf" in fixed.stderr
    assert messy.read_text() == 'resource "terraform_data" "demo" {\n  input = "x"\n}\n'


def test_sensitive_values_from_a_real_plan_stay_masked(pvctl, mini_repo):
    main_tf = mini_repo / "environments" / "mvp" / "main.tf"
    base = main_tf.read_text()
    main_tf.write_text(base + '\nresource "terraform_data" "token" {\n  input = sensitive("tok-first-5f1c9e")\n}\n')
    assert pvctl("apply", "--phase", "mvp", "--offline", "--auto-approve").returncode == 0
    main_tf.write_text(base + '\nresource "terraform_data" "token" {\n  input = sensitive("tok-second-8a2d7b")\n}\n')
    done = pvctl("ci", "--offline", "--phases", "mvp")
    assert done.returncode == 0, done.stdout + done.stderr
    assert (
        "- `~` `terraform_data.token`\n  - `input`: `(sensitive)` → `(sensitive)`\n  - `output`: `(sensitive)` → `(known after apply)`\n"
        in done.stdout
    )
    out = mini_repo / ".pvctl" / "ci"
    for name in ("report.md", "report.json", "comment.md", "plan-mvp.json"):
        text = (out / name).read_text()
        assert "tok-first" not in text and "tok-second" not in text, name


def test_live_the_applied_phase_gates_and_the_next_is_a_preview(pvctl, mini_repo, monkeypatch):
    """Live against the one shared state (local backend; the built-in provider needs no Google API)."""
    import shutil

    from pvctl.core.config import load_config
    from pvctl.core.repo import RepoPaths

    assert pvctl("apply", "--phase", "growth", "--offline", "--auto-approve").returncode == 0
    project = load_config(repo_root=mini_repo, env={}).project_id
    paths = RepoPaths(mini_repo)
    live_state = paths.local_state(project, "live")
    live_state.parent.mkdir(parents=True)
    shutil.copy(paths.local_state(project, "offline"), live_state)    # growth is what runs in the project
    config = mini_repo / "pvctl.toml"
    config.write_text(config.read_text() + '\n[phases.scale.api]\ncpu = "4"\n')   # the promotion replaces the guarded resource
    monkeypatch.setenv("GOOGLE_OAUTH_ACCESS_TOKEN", "not-used-by-the-built-in-provider")
    done = pvctl("ci", "--format", "json")
    assert done.returncode == 0, done.stdout + done.stderr                # the preview's guarded replacement does not fail
    report = json.loads(done.stdout)
    mvp, growth, scale = report["phases"]
    assert (mvp["role"], growth["role"], scale["role"]) == ("skipped", "gating", "preview")
    assert mvp["note"].startswith("not planned: below the applied phase growth") and not any(s["name"] == "plan" for s in mvp["steps"])
    assert growth["mode"] == "live" and growth["resources"] == [] and not report["has_changes"]
    assert [r["action"] for r in scale["resources"]] == ["replace"] and scale["guard_warnings"] and scale["ok"]
    markdown = (mini_repo / ".pvctl" / "ci" / "report.md").read_text()
    assert "### ✅ pvctl: no changes — this pull request changes no infrastructure" in markdown
    assert "- **scale** (promotion preview): `-/+` 1 replace" in markdown
    assert "⚠️ holds data, informational in a preview" in markdown


def test_bad_format_and_phases_are_refused_before_any_work(pvctl, mini_repo):
    out = mini_repo / ".pvctl" / "ci"
    done = pvctl("ci", "--offline", "--format", "html")
    assert done.returncode == 4 and "--format: 'html' is not a report format" in done.stderr
    assert "fmt:" not in done.stderr and not (out / "report.md").exists()  # refused before the plans, not after
    done = pvctl("ci", "--offline", "--phases", ",")
    assert done.returncode == 4 and "--phases" in done.stderr and not (out / "report.md").exists()


def test_a_phase_named_twice_is_planned_once(pvctl, mini_repo):
    done = pvctl("ci", "--offline", "--phases", "mvp,mvp", "--format", "json")
    assert done.returncode == 0, done.stdout + done.stderr
    assert [p["phase"] for p in json.loads(done.stdout)["phases"]] == ["mvp"]


def test_credentials_with_only_the_example_config_plan_offline(pvctl, mini_repo, monkeypatch):
    """The workflow authenticates but the repository has no PVCTL_TOML: the example's project is not a
    project to plan live against, so the check plans offline and says why (as `pvctl plan` does)."""
    (mini_repo / "pvctl.toml").unlink()
    monkeypatch.setenv("GOOGLE_OAUTH_ACCESS_TOKEN", "token-from-workload-identity")
    done = pvctl("ci", "--phases", "mvp", "--format", "json")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "the configuration is the committed example" in done.stderr
    assert [p["mode"] for p in json.loads(done.stdout)["phases"]] == ["offline"]
