"""Offline plan cost per phase, as ratios measured in one run.

For each phase of environments/phases.toml: `pvctl plan --phase P --offline` (render, init, plan,
show -json, summary, cost) against a raw `terraform plan` of the composition with
the same bundled engine, CLI configuration (the stand-in provider), data dir, variables
and sandbox state, run right after it. The ratio is pvctl's overhead around Terraform.
Also reported: the stand-in provider's start-up time (process start to go-plugin
handshake line, which Terraform pays several times per command).

Run: `.venv/bin/python benchmarks/offline_plan.py [--repeat N]`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _timed(cmd: list[str], cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 2):
        sys.exit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return elapsed


def provider_startup(repeat: int) -> list[float]:
    from pvctl.offline.goplugin import MAGIC_COOKIE_VALUE, _server_certificate
    from pvctl.offline.wiring import install_plugin

    plugin = install_plugin(REPO) / "terraform-provider-google"
    _, client_cert, _ = _server_certificate()
    env = dict(os.environ, TF_PLUGIN_MAGIC_COOKIE=MAGIC_COOKIE_VALUE, PLUGIN_PROTOCOL_VERSIONS="5,6",
               PLUGIN_CLIENT_CERT=client_cert.decode())
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.Popen([str(plugin)], env=env, stdout=subprocess.PIPE, text=True)
        proc.stdout.readline()
        times.append(time.perf_counter() - start)
        proc.kill()
        proc.wait()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from pvctl.engine.session import OFFLINE_DB_PASSWORD
    from pvctl.engine.terraform import find_terraform
    from pvctl.offline.wiring import offline_cli_config

    pvctl = Path(sys.executable).parent / "pvctl"
    terraform = str(find_terraform(None, REPO).path)
    from pvctl.core.phases import load_phases

    phases = list(load_phases())
    raw_env = dict(os.environ, TF_IN_AUTOMATION="1", TF_INPUT="0", TF_CLI_CONFIG_FILE=str(offline_cli_config(REPO)),
                   TF_VAR_db_admin_password=OFFLINE_DB_PASSWORD)

    start = provider_startup(max(5, args.repeat))
    print(f"stand-in provider start-up to handshake: median {statistics.median(start):.3f}s (n={len(start)})")
    print(f"{'phase':8} {'pvctl plan --offline':>21} {'raw terraform plan':>19} {'ratio':>6}")
    for phase in phases:
        env = dict(raw_env, TF_DATA_DIR=str(REPO / ".pvctl" / "tf" / f"{phase}-offline"))
        tfvars = REPO / ".pvctl" / phase / "terraform.tfvars.json"
        ours, raw = [], []
        for _ in range(args.repeat):
            ours.append(_timed([str(pvctl), "plan", "--phase", phase, "--offline"], REPO, dict(os.environ)))
            raw.append(_timed([terraform, "plan", "-input=false", "-no-color", "-lock=false", f"-var-file={tfvars}"],
                              REPO / "environments", env))
        a, b = statistics.median(ours), statistics.median(raw)
        print(f"{phase:8} {a:20.2f}s {b:18.2f}s {a / b:6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
