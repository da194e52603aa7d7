"""Offline plan cost per phase, as ratios measured in one run.

For each phase of environments/phases.toml: `pvctl plan --phase P --offline` (render, init, plan,
show -json, summary, cost) against a raw `terraform plan` of the composition with
the same bundled engine, CLI configuration (the stand-in provider), data dir, variables
and sandbox state, run right after it. The ratio is pvctl's overhead around Terraform (the raw
run starts the stand-in through dev_overrides, once per provider instance; pvctl starts one
server per run, which Terraform reattaches to).
Also reported: the stand-in provider's start-up time (process start to go-plugin
handshake line, which a raw Terraform pays several times per command), and the stand-in against
an earlier version of itself (`--base REF`, default `main`: that commit's `cli/pvctl`,
unpacked with `git archive` and wired like the current one): the same raw `terraform plan`
of each phase, alternating between the two stand-ins, as a ratio now/base.

Wall and CPU time (the command and the processes it waited for, steadier on a shared machine)
are both reported for that comparison. It needs each phase planned once (`pvctl plan --phase P
--offline`) for its working files; the full run does that first, `--base-only` skips to it.

Run: `.venv/bin/python benchmarks/offline_plan.py [--repeat N] [--base REF] [--base-only]`.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _timed(cmd: list[str], cwd: Path, env: dict[str, str]) -> float:
    return _timed_with_cpu(cmd, cwd, env)[0]


def _timed_with_cpu(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall time, and CPU time (user + system) of the command and every process it waited for
    (Terraform waits for its provider processes): on a shared machine the CPU time is the
    steadier measure of work done."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 2):
        sys.exit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


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
        assert proc.stdout is not None
        proc.stdout.readline()
        times.append(time.perf_counter() - start)
        proc.kill()
        proc.wait()
    return times


def base_cli_config(ref: str, work: Path) -> Path:
    """The offline CLI configuration of `ref`'s stand-in, wired by that commit's own code."""
    archive = subprocess.run(["git", "-C", str(REPO), "archive", ref, "cli/pvctl"],
                             capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(work, filter="data")
    wire = ("import sys; from pathlib import Path; from pvctl.offline.wiring import offline_cli_config; "
            "print(offline_cli_config(Path(sys.argv[1])))")
    done = subprocess.run([sys.executable, "-c", wire, str(work)], capture_output=True, text=True, check=True,
                          env=dict(os.environ, PYTHONPATH=str(work / "cli")))
    return Path(done.stdout.strip())


def standin_against_base(ref: str, phases: list[str], raw_env: dict[str, str], terraform: list[str], repeat: int) -> None:
    with tempfile.TemporaryDirectory(prefix="pvctl-bench-base-") as tmp:
        configs = {"base": str(base_cli_config(ref, Path(tmp))), "now": raw_env["TF_CLI_CONFIG_FILE"]}
        print(f"\n{'phase':8} {'wall ' + ref:>12} {'wall now':>9} {'now/base':>9}   "
              f"{'cpu ' + ref:>11} {'cpu now':>8} {'now/base':>9}")
        for phase in phases:
            tfvars = REPO / ".pvctl" / phase / "terraform.tfvars.json"
            cmd = [*terraform, "plan", "-input=false", "-no-color", "-lock=false", f"-var-file={tfvars}"]
            env = dict(raw_env, TF_DATA_DIR=str(REPO / ".pvctl" / "tf" / f"{phase}-offline"))
            cwd = REPO / "environments"
            wall: dict[str, list[float]] = {"base": [], "now": []}
            cpu: dict[str, list[float]] = {"base": [], "now": []}
            for config in configs.values():  # warm-up: each stand-in caches its schema answer once
                _timed(cmd, cwd, dict(env, TF_CLI_CONFIG_FILE=config))
            for _ in range(repeat):
                for which, config in configs.items():
                    w, c = _timed_with_cpu(cmd, cwd, dict(env, TF_CLI_CONFIG_FILE=config))
                    wall[which].append(w)
                    cpu[which].append(c)
            (wa, wb), (ca, cb) = ((statistics.median(m["base"]), statistics.median(m["now"])) for m in (wall, cpu))
            print(f"{phase:8} {wa:11.2f}s {wb:8.2f}s {wb / wa:9.3f}   {ca:10.2f}s {cb:7.2f}s {cb / ca:9.3f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--base", default="main",
                        help="git ref whose stand-in provider to compare with (default: main)")
    parser.add_argument("--base-only", action="store_true", help="only the comparison with --base")
    args = parser.parse_args()

    from pvctl.core.phases import load_phases
    from pvctl.engine.session import OFFLINE_DB_PASSWORD
    from pvctl.engine.terraform import TerraformRunner, find_terraform
    from pvctl.offline.wiring import offline_cli_config

    pvctl = Path(sys.executable).parent / "pvctl"
    # The raw runs start the bundled engine as pvctl starts it, and with its environment otherwise.
    runner = TerraformRunner(find_terraform(None, REPO), cli_config_file=offline_cli_config(REPO))
    terraform = runner.binary.command
    phases = list(load_phases())
    raw_env = dict(runner.env(), TF_VAR_db_admin_password=OFFLINE_DB_PASSWORD)

    if args.base_only:
        standin_against_base(args.base, phases, raw_env, terraform, args.repeat)
        return 0
    start = provider_startup(max(5, args.repeat))
    print(f"stand-in provider start-up to handshake: median {statistics.median(start):.3f}s (n={len(start)})")
    print(f"{'phase':8} {'pvctl plan --offline':>21} {'raw terraform plan':>19} {'ratio':>6}   "
          f"{'cpu pvctl':>10} {'cpu raw':>8} {'ratio':>6}")
    for phase in phases:
        env = dict(raw_env, TF_DATA_DIR=str(REPO / ".pvctl" / "tf" / f"{phase}-offline"))
        tfvars = REPO / ".pvctl" / phase / "terraform.tfvars.json"
        ours: list[tuple[float, float]] = []
        raw: list[tuple[float, float]] = []
        for _ in range(args.repeat):
            ours.append(_timed_with_cpu([str(pvctl), "plan", "--phase", phase, "--offline"], REPO, dict(os.environ)))
            raw.append(_timed_with_cpu([*terraform, "plan", "-input=false", "-no-color", "-lock=false", f"-var-file={tfvars}"],
                                       REPO / "environments", env))
        (a, b), (ca, cb) = ((statistics.median(x[i] for x in ours), statistics.median(x[i] for x in raw)) for i in (0, 1))
        print(f"{phase:8} {a:20.2f}s {b:18.2f}s {a / b:6.2f}   {ca:9.2f}s {cb:7.2f}s {ca / cb:6.2f}")
    standin_against_base(args.base, phases, raw_env, terraform, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
