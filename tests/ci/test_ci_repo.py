"""The contract with the whole project: `pvctl ci` on this repository, offline, passes every phase."""

import json
import os
import subprocess

from .conftest import PVCTL, REPO


def test_pvctl_ci_on_the_repository_offline(tmp_path, checkov_executable):
    env = dict(os.environ, PVCTL_CHECKOV=checkov_executable)
    env.pop("PVCTL_REPO", None)
    done = subprocess.run([str(PVCTL), "ci", "--offline", "--format", "json", "--out-dir", str(tmp_path), "--repo", str(REPO)],
                          capture_output=True, text=True, env=env, timeout=900)
    report = json.loads(done.stdout) if done.stdout.strip().startswith("{") else {}
    failed = {p["phase"]: [s for s in p["steps"] if s["status"] == "failed"] for p in report.get("phases", [])}
    assert done.returncode == 0, (failed, done.stderr[-3000:])
    assert [p["phase"] for p in report["phases"]] == ["mvp", "growth", "scale"]
    for phase in report["phases"]:
        assert phase["counts"]["add"] > 0 and phase["cost"]["monthly"] > 0
        assert phase["policy"]["ok"] and phase["policy"]["passed"] > 0
    assert (tmp_path / "report.md").stat().st_size < 65_536
