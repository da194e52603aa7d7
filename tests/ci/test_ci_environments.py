"""`pvctl ci` with [environments] in pvctl.toml: every environment planned against its own state, one report."""

import json
import re

ENVIRONMENTS = """
[environments.staging.project]
id = "pv-staging"

[environments.production.project]
id = "pv-production"
"""


def test_every_environment_is_planned_against_its_own_state(pvctl, mini_repo):
    config = mini_repo / "pvctl.toml"
    config.write_text(re.sub(r'^id = "pv-example-project".*\n', "", config.read_text(), flags=re.M) + ENVIRONMENTS)
    applied = pvctl("apply", "--phase", "mvp", "--offline", "--env", "production", "--auto-approve")
    assert applied.returncode == 0, applied.stdout + applied.stderr

    done = pvctl("ci", "--offline", "--phases", "mvp", "--format", "json")
    assert done.returncode == 0, done.stdout + done.stderr
    data = json.loads(done.stdout)
    assert [(p["environment"], p["phase"], p["counts"]["add"]) for p in data["phases"]] == [
        ("staging", "mvp", 1),       # staging's sandbox is empty
        ("production", "mvp", 0),    # production's holds its apply
    ]
    out = mini_repo / ".pvctl" / "ci"
    assert json.loads((out / "env" / "staging" / "plan-mvp.json").read_text())["resource_changes"][0]["change"]["actions"] == ["create"]
    assert (out / "env" / "production" / "plan-mvp.json").is_file()
    report = (out / "report.md").read_text()
    assert "**staging/mvp**" in report and "**production/mvp**" in report
    assert data["fmt"]["status"] == "ok" and data["code_scan"] is not None  # the repository-wide checks ran

    one = pvctl("ci", "--offline", "--phases", "mvp", "--format", "json", "--env", "staging")
    assert one.returncode == 0, one.stdout + one.stderr
    assert [(p["environment"], p["phase"]) for p in json.loads(one.stdout)["phases"]] == [("staging", "mvp")]
