"""`pvctl ci` interrupted while its phases plan: every running Terraform and checkov gets its interrupt at
once, nothing more is planned or said but pvctl's interrupt notes, and it ends with 130 promptly; the same
when it was started with SIGINT ignored (a background job of a non-interactive shell).

The real executable, the bundled Terraform, real checkov and real signals, over the mini repository.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.cli.conftest import cli_env, pty_session

from .conftest import PVCTL

NOTE = "interrupt received; the running Terraform and checkov runs were told to stop"


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.mark.parametrize("how", ["group-INT", "ignored-then-INT", "ignored-then-group-INT"])
def test_ci_interrupted_mid_plan_stops_at_once_with_130(mini_repo: Path, tmp_path: Path, checkov_executable: str,
                                                        how: str) -> None:
    out_dir = tmp_path / "ci"
    env = cli_env(tmp_path, PVCTL_CHECKOV=checkov_executable)
    proc = subprocess.Popen([str(PVCTL), "ci", "--offline", "--out-dir", str(out_dir), "--repo", str(mini_repo)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, stdin=subprocess.DEVNULL,
                            start_new_session=True, preexec_fn=_ignore_sigint if how.startswith("ignored") else None)
    deadline = time.monotonic() + 180
    logs = out_dir / "logs"
    while not (logs.is_dir() and any(f.stat().st_size for f in logs.iterdir())):   # the phases' Terraform runs
        assert proc.poll() is None, proc.communicate()[0]
        assert time.monotonic() < deadline, "no phase started planning"
        time.sleep(0.05)
    if how.endswith("group-INT"):
        os.killpg(proc.pid, signal.SIGINT)
    else:
        proc.send_signal(signal.SIGINT)
    sent = time.monotonic()
    output, _ = proc.communicate(timeout=120)   # never hangs
    took = time.monotonic() - sent
    assert proc.returncode == 130, output
    assert NOTE in output and "Traceback" not in output and "checkov failed" not in output, output
    after = output[output.index(NOTE):]
    assert "planned (" not in after and "FAILED" not in after and "plan failed" not in after, output
    assert "error: interrupted" in after, output
    assert not (out_dir / "report.md").exists(), output
    # The plans of the mini repository's phases take seconds on a loaded machine; stopping takes far less.
    assert took < 10, f"{took:.1f} s after the interrupt:\n{output}"


def test_ci_ctrl_c_typed_at_the_terminal_stops_at_once(mini_repo: Path, tmp_path: Path, checkov_executable: str) -> None:
    logs = tmp_path / "ci" / "logs"
    sent: list[float] = []

    def planning(_output: bytes) -> bool:
        return logs.is_dir() and any(f.stat().st_size for f in logs.iterdir())

    def ctrl_c(_pid: int, master: int) -> None:
        sent.append(time.monotonic())
        os.write(master, b"\x03")

    output, code = pty_session([str(PVCTL), "ci", "--offline", "--out-dir", str(tmp_path / "ci"), "--repo", str(mini_repo)],
                               cli_env(tmp_path, PVCTL_CHECKOV=checkov_executable, TERM="dumb"), tmp_path, planning, ctrl_c)
    took = time.monotonic() - sent[0]
    assert code == 130 and NOTE in output and "Traceback" not in output, output
    assert "planned (" not in output[output.index(NOTE):] and "checkov failed" not in output, output
    assert took < 10, f"{took:.1f} s after the Ctrl-C:\n{output}"
