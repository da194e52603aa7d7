"""Interrupts however they arrive: Terraform gets exactly one, pvctl waits for the state, never hangs,
says what happened; only a second Ctrl-C typed at the terminal is the hard abort.

Real pvctl processes, the bundled Terraform and real signals. The scale phase's terraform_data has a
local-exec provisioner that marks when it started and then sleeps, so each signal lands while an
apply is running.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.cli.conftest import cli_env, make_repo, pty_session, pvctl_saying

APPLY = ["apply", "--phase", "scale", "--offline", "--auto-approve"]
ONE = "Interrupt received."            # Terraform's words for the first interrupt
TWO = "Two interrupts received"        # ... and for the second (its hard abort)


@pytest.fixture
def slow_repo(tmp_path: Path) -> Path:
    repo = make_repo(tmp_path / "infra")
    main = repo / "environments" / "scale" / "main.tf"
    started = tmp_path / "started"
    main.write_text(main.read_text().replace('command = "sleep 6"', f'command = "touch {started} && sleep 20"'))
    return repo


def _wait_started(repo: Path, proc_alive, limit: float = 120) -> None:
    marker = repo.parent / "started"
    deadline = time.monotonic() + limit
    while not marker.exists():
        assert proc_alive(), "pvctl ended before the apply started"
        assert time.monotonic() < deadline, "the apply never started"
        time.sleep(0.1)
    time.sleep(0.5)   # Terraform is now waiting on the provisioner


def _check_clean_stop(repo: Path, output: str, code: int) -> None:
    assert code == 130, output
    assert output.count(ONE) == 1 and TWO not in output, output   # exactly one interrupt reached Terraform
    assert "the state was saved" in output and "hard abort" not in output and "Traceback" not in output, output
    state = repo / ".pvctl" / "sandbox" / "pv-test-project"
    assert json.loads((state / "terraform.tfstate").read_text())["lineage"]
    assert not list(state.glob("*.lock.info"))   # the lock was released


def _send(proc: subprocess.Popen, how: str) -> None:
    if how == "group-INT":
        os.killpg(proc.pid, signal.SIGINT)     # CI cancelling a job, `kill -INT -PGID`
    elif how == "group-TERM":
        os.killpg(proc.pid, signal.SIGTERM)
    elif how == "pvctl-INT":
        proc.send_signal(signal.SIGINT)        # pvctl alone
    elif how == "pvctl-TERM-twice":
        proc.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        proc.send_signal(signal.SIGTERM)       # not typed at a terminal: still one for Terraform


@pytest.mark.parametrize("how", ["group-INT", "group-TERM", "pvctl-INT", "pvctl-TERM-twice"])
def test_an_interrupt_without_a_terminal_reaches_terraform_once(slow_repo: Path, tmp_path: Path, how: str) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "pvctl", *APPLY], cwd=slow_repo, env=cli_env(tmp_path),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, stdin=subprocess.DEVNULL,
                            start_new_session=True)   # its own group, no controlling terminal
    _wait_started(slow_repo, lambda: proc.poll() is None)
    _send(proc, how)
    output, _ = proc.communicate(timeout=60)   # never hangs
    _check_clean_stop(slow_repo, output, proc.returncode)


def test_timeout_command_stops_terraform_once(slow_repo: Path, tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    plan = slow_repo / "p.tfplan"
    planned = subprocess.run([sys.executable, "-m", "pvctl", "plan", "--phase", "scale", "--offline", "--out", str(plan)],
                             cwd=slow_repo, env=env, capture_output=True, text=True, timeout=180)
    assert planned.returncode == 0, planned.stderr
    # `timeout` signals pvctl and then its whole process group; the provisioner sleeps 20 s, so 12 s
    # leave the saved-plan apply time to start even on a loaded machine.
    done = subprocess.run(["timeout", "--preserve-status", "-s", "INT", "12", sys.executable, "-m", "pvctl", "apply",
                           "--phase", "scale", "--offline", "--plan", str(plan)],
                          cwd=slow_repo, env=env, capture_output=True, text=True, timeout=90, stdin=subprocess.DEVNULL)
    assert (slow_repo.parent / "started").exists(), done.stdout + done.stderr
    _check_clean_stop(slow_repo, done.stdout + done.stderr, done.returncode)


def _in_terminal(repo: Path, tmp_path: Path, act) -> tuple[str, int]:
    """pvctl's scale apply in a terminal; `act` once the provisioner runs."""
    def ready(_output: bytes) -> bool:
        if not (repo.parent / "started").exists():
            return False
        time.sleep(0.5)
        return True

    return pty_session([sys.executable, "-m", "pvctl", *APPLY], cli_env(tmp_path, TERM="dumb"), repo, ready, act)


def test_ctrl_c_typed_once_stops_terraform_cleanly(slow_repo: Path, tmp_path: Path) -> None:
    output, code = _in_terminal(slow_repo, tmp_path, lambda pid, master: os.write(master, b"\x03"))
    _check_clean_stop(slow_repo, output, code)


def test_sigterm_to_the_terminal_group_stops_terraform_once(slow_repo: Path, tmp_path: Path) -> None:
    output, code = _in_terminal(slow_repo, tmp_path, lambda pid, master: os.killpg(pid, signal.SIGTERM))
    _check_clean_stop(slow_repo, output, code)


# Terraform's own clean stop here takes a few milliseconds, too short to type a second Ctrl-C into.
# This stand-in takes three seconds to stop after the first SIGINT and counts what it receives; pvctl's
# runner (the code every Terraform run goes through) drives it, as pvctl drives Terraform.
SLOW_STOPPER = """\
import signal, sys, time
got = []
def handle(signum, frame):
    got.append(signum)
    print(f"stand-in: SIGINT {len(got)}", flush=True)
    if len(got) == 2:
        sys.exit(1)
signal.signal(signal.SIGINT, handle)
signal.signal(signal.SIGTERM, lambda *a: (print("stand-in: SIGTERM", flush=True), sys.exit(1)))
print("stand-in: running", flush=True)
deadline = time.monotonic() + 30
while not got and time.monotonic() < deadline:
    time.sleep(0.05)
time.sleep(3)   # the clean stop; a second SIGINT ends it at once
if sys.argv[-1] == "lost-state":
    print("Error: Failed to save state", flush=True)
sys.exit(0 if sys.argv[-1] == "finished" else 1)
"""
DRIVER = """\
import sys
from pathlib import Path
from pvctl.core.errors import Interrupted
from pvctl.engine.terraform import TerraformBinary, TerraformRunner
runner = TerraformRunner(TerraformBinary(Path(sys.argv[1]), "0", False))
try:
    runner.stream(sys.argv[2:] or ["apply"], Path.cwd(), lambda line: print(line, flush=True))
except Interrupted as exc:
    print("pvctl-error:", exc.line(), flush=True)
    sys.exit(130)
"""


def _stand_in(tmp_path: Path, *args: str) -> list[str]:
    tool = tmp_path / "slow-stopper"
    tool.write_text(f"#!{sys.executable}\n" + SLOW_STOPPER)
    tool.chmod(0o755)
    return [sys.executable, "-c", DRIVER, str(tool), *args]


def test_a_second_ctrl_c_typed_is_the_named_hard_abort(tmp_path: Path) -> None:
    def twice(pid: int, master: int) -> None:
        os.write(master, b"\x03")
        time.sleep(1.0)   # the stand-in is stopping cleanly
        os.write(master, b"\x03")

    output, code = pty_session(_stand_in(tmp_path), cli_env(tmp_path), tmp_path, lambda out: b"stand-in: running" in out, twice)
    assert code == 130, output
    assert "stand-in: SIGINT 1" in output and "stand-in: SIGINT 2" in output and "SIGTERM" not in output, output
    assert "pvctl-error: hard abort: a second Ctrl-C made terraform apply exit" in output, output


def test_repeated_signals_not_typed_at_a_terminal_reach_the_tool_once(tmp_path: Path) -> None:
    proc = subprocess.Popen(_stand_in(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "stand-in: running"
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGINT):
        os.killpg(proc.pid, signum)
        time.sleep(0.3)
    output, _ = proc.communicate(timeout=30)
    assert proc.returncode == 130, output
    assert output.count("stand-in: SIGINT") == 1 and "SIGTERM" not in output, output   # exactly one, and SIGINT
    assert "pvctl-error: interrupted: terraform apply stopped by the interrupt" in output and "hard abort" not in output, output


@pytest.mark.parametrize("args, said", [
    (["plan"], "terraform plan stopped by the interrupt; it changes no infrastructure"),
    (["apply", "finished"], "terraform apply had already finished when the interrupt arrived"),
    (["apply", "lost-state"], "terraform apply stopped by the interrupt but could NOT save the state"),
])
def test_pvctl_says_what_the_tool_did_after_the_interrupt(tmp_path: Path, args: list[str], said: str) -> None:
    proc = subprocess.Popen(_stand_in(tmp_path, *args), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "stand-in: running"
    proc.send_signal(signal.SIGINT)
    output, _ = proc.communicate(timeout=30)
    assert proc.returncode == 130 and f"pvctl-error: interrupted: {said}" in output, output
    assert "(exit " not in output and "output above" not in output, output


def _hold_state_lock(repo: Path) -> object:
    """The sandbox state locked the way Terraform's local backend locks it (fcntl on the state file,
    its lock info beside it), by this test process: another command holding the state."""
    import fcntl

    folder = repo / ".pvctl" / "sandbox" / "pv-test-project"
    folder.mkdir(parents=True, exist_ok=True)
    state = folder / "terraform.tfstate"
    state.write_text(json.dumps({"version": 4, "terraform_version": "1.15.5", "serial": 1, "lineage": "held", "outputs": {},
                                 "resources": []}))
    held = state.open("r+")
    fcntl.lockf(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
    (folder / ".terraform.tfstate.lock.info").write_text(json.dumps(
        {"ID": "4c0ffee0-0000-4000-8000-000000000001", "Operation": "OperationTypeApply", "Info": "", "Who": "ana@laptop",
         "Version": "1.15.5", "Created": "2026-12-01T09:00:00Z", "Path": str(state)}))
    return held


def test_an_interrupted_quiet_plan_reports_on_stderr_only(tmp_path: Path) -> None:
    """Interrupted while it waits for the state lock: the notes and Terraform's last lines are messages
    (stderr), stdout stays empty, and the error says what stopped Terraform, not its raw exit code."""
    repo = make_repo(tmp_path / "infra")
    held = _hold_state_lock(repo)
    proc, seen = pvctl_saying(["plan", "--phase", "scale", "--offline"], repo, cli_env(tmp_path), "waiting up to",
                              start_new_session=True)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    held.close()
    err = seen + err
    assert proc.returncode == 130, out + err
    assert out == "", out
    assert "pvctl: interrupt received" in err and "interrupted: terraform plan stopped by the interrupt" in err, err
    assert "(exit " not in err and "output above" not in err and "development overrides" not in err, err


def test_an_interrupted_plan_shows_terraforms_errors_once_and_not_the_plan_it_had_begun(tmp_path: Path) -> None:
    """What Terraform printed before the interrupt stays in the log; the terminal gets its warnings and
    errors, a repeated one once with its true count, and not a partial plan whose "Plan: N to add" is not the plan's."""
    repo = make_repo(tmp_path / "infra")
    terraform = tmp_path / "terraform"
    terraform.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = plan ]; then\n'
        "  trap 'for i in $(seq 45); do printf \"\\nError: execution halted\\n\\n\"; done;"
        " printf \"Error: Failed to read module\\n\"; exit 1' INT\n"
        "  printf 'Warning: Deprecated attribute\\n\\n  + resource \"terraform_data\" \"database\" {\\n\\n'\n"
        "  printf 'Plan: 1 to add, 0 to change, 0 to destroy.\\n'\n"
        "  while :; do sleep 0.1; done\n"
        "fi\n"
        f'exec "{Path(sys.executable).parent / "pvctl-terraform"}" "$@"\n')
    terraform.chmod(0o755)
    proc, seen = pvctl_saying(["plan", "--phase", "mvp", "--offline", "--terraform", str(terraform)], repo, cli_env(tmp_path),
                              "terraform plan (", start_new_session=True)
    time.sleep(0.5)  # the plan lines printed
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, out + err
    assert "Warning: Deprecated attribute\n\nError: execution halted (×45)\n\nError: Failed to read module\n" in err, err
    assert "Plan: 1 to add" not in err and "terraform_data" not in err, err
    assert "Plan: 1 to add" in (repo / ".pvctl" / "mvp" / "plan.log").read_text()
