"""Run the fakes by hand to try the live commands without Google Cloud:

    .venv/bin/python -m tests.gcp.fakes.serve --phase scale --certificate PROVISIONING

prints the `export PVCTL_GCP_ENDPOINT_*=...` lines to paste into another shell, then
serves until Ctrl-C.
"""

from __future__ import annotations

import argparse
import threading
from typing import Any

from pvctl.gcp.clients import ENDPOINT_ENV
from tests.gcp.fakes import scenarios
from tests.gcp.fakes.compute_fake import FakeCompute
from tests.gcp.fakes.monitoring_fake import FakeMonitoring, Minute, healthy
from tests.gcp.fakes.run_fake import FakeCloudRun
from tests.gcp.fakes.secrets_fake import FakeSecretManager
from tests.gcp.fakes.sqladmin_fake import FakeSqlAdmin


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--phase", choices=["mvp", "growth", "scale"], default="mvp")
    parser.add_argument("--certificate", default="ACTIVE", help="managed certificate status, e.g. PROVISIONING")
    parser.add_argument("--domain-status", default=None, help="its domain status, e.g. FAILED_NOT_VISIBLE")
    parser.add_argument("--canary-5xx", type=float, default=0.0, help="share of 5xx every revision answers, e.g. 0.02")
    return parser


def start(args: argparse.Namespace) -> tuple[list[Any], dict[str, str]]:
    """Every fake, started and holding the scenario `args` asks for, and the environment that points pvctl at them."""
    run, secrets, compute = FakeCloudRun().start(), FakeSecretManager().start(), FakeCompute(scenarios.PROJECT).start()
    monitoring, sql = FakeMonitoring().start(), FakeSqlAdmin(scenarios.PROJECT).start()
    populate = scenarios.scale if args.phase == "scale" else scenarios.mvp
    populate(run, compute, certificate=args.certificate, domain_status=args.domain_status)
    scenarios.secret_containers(secrets)
    scenarios.database(run, sql)
    errors = round(500 * args.canary_5xx)
    for name in run.services:
        monitoring.traffic[name.rsplit("/", 1)[-1]] = (
            (lambda revision, end: Minute(ok=500 - errors, errors=errors)) if errors else healthy)
    endpoints = {"run": run.endpoint, "secretmanager": secrets.endpoint, "compute": compute.endpoint,
                 "monitoring": monitoring.endpoint, "sqladmin": sql.endpoint}
    return [run, secrets, compute, monitoring, sql], {ENDPOINT_ENV[api]: endpoint for api, endpoint in endpoints.items()}


def main() -> None:
    fakes, env = start(parser().parse_args())
    for name, value in env.items():
        print(f"export {name}={value}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        for fake in fakes:
            fake.stop()


if __name__ == "__main__":
    main()
