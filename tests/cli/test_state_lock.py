"""Phases share one state: a plan or apply waits a bounded time for the lock another command holds,
and if it is still held, says so in one line with who holds it and what to do.

The holder is a real pvctl apply (its Terraform holds the lock while a provisioner sleeps); the waiting
plans run in-process, their Terraform as a real subprocess.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from tests.cli.conftest import cli_env, pvctl, pvctl_saying

STATE_DIR = Path(".pvctl") / "sandbox" / "pv-test-project"


def test_a_plan_waits_for_the_state_lock_and_names_its_holder_when_it_stays(repo: Path, tmp_path: Path) -> None:
    # The holder's provisioner marks that it runs (its apply holds the lock: the plan before it took
    # and released the lock already) and holds on until the test releases it, at most two minutes.
    started, release = tmp_path / "started", tmp_path / "release"
    main = repo / "environments" / "scale" / "main.tf"
    main.write_text(main.read_text().replace(
        'command = "sleep 6"', f'command = "touch {started}; for i in $(seq 1200); do [ -e {release} ] && break; sleep 0.1; done"'))
    env = cli_env(tmp_path)
    holder = subprocess.Popen([sys.executable, "-m", "pvctl", "apply", "--phase", "scale", "--offline", "--auto-approve"],
                              cwd=repo, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not started.exists():
        assert holder.poll() is None and time.monotonic() < deadline, holder.communicate()[0] if holder.poll() is not None else ""
        time.sleep(0.1)
    assert (repo / STATE_DIR / ".terraform.tfstate.lock.info").exists()
    try:
        given_up = pvctl(["plan", "--phase", "growth", "--offline"], repo, {**env, "PVCTL_LOCK_TIMEOUT": "1"})
        assert given_up.returncode == 1, given_up.stdout + given_up.stderr
        errors = [line for line in given_up.stderr.splitlines() if line.startswith("error:")]
        assert len(errors) == 1, given_up.stderr
        assert "the state is locked by another command (apply by " in errors[0] and "waited 1 s" in errors[0], errors[0]
        assert "wait for that command to finish" in errors[0], errors[0]
        assert "waiting up to 1 s" in given_up.stderr, given_up.stderr
        # One line, not Terraform's: no raw lock error, no development-overrides warning, no "output above".
        for noise in ("Error acquiring the state lock", "development overrides", "output above", "Lock Info"):
            assert noise not in given_up.stdout + given_up.stderr, noise

        # The next plan waits: released only once it has said so, the apply then ends and the plan runs.
        waiting, said = pvctl_saying(["plan", "--phase", "scale", "--offline"], repo, env,
                                     "the state is locked by another command; waiting up to 300 s")
        assert holder.poll() is None
        release.touch()
        out, rest = waiting.communicate(timeout=120)
        assert holder.poll() is not None, "the plan ran while the apply still held the lock"
        assert waiting.returncode in (0, 2), out + said + rest
    finally:
        release.touch()
        holder.wait(timeout=120)
    assert holder.returncode == 0


def test_a_failed_plan_shows_terraforms_error_without_the_overrides_warning(repo: Path, tmp_path: Path) -> None:
    main = repo / "environments" / "mvp" / "main.tf"
    main.write_text(main.read_text() + '\noutput "broken" {\n  value = terraform_data.missing.id\n}\n')
    done = pvctl(["plan", "--phase", "mvp", "--offline"], repo, cli_env(tmp_path))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Reference to undeclared resource" in done.stderr, done.stderr
    assert "Provider development overrides" not in done.stdout + done.stderr, done.stderr
