"""Run the fakes by hand to try the live commands without Google Cloud:

    .venv/bin/python -m tests.gcp.fakes.serve --phase scale --certificate PROVISIONING

prints the `export PVCTL_GCP_ENDPOINT_*=...` lines to paste into another shell, then
serves until Ctrl-C.
"""

from __future__ import annotations

import argparse
import threading

from tests.gcp.fakes import scenarios
from tests.gcp.fakes.compute_fake import FakeCompute
from tests.gcp.fakes.monitoring_fake import FakeMonitoring, Minute, healthy
from tests.gcp.fakes.run_fake import FakeCloudRun
from tests.gcp.fakes.secrets_fake import FakeSecretManager
from tests.gcp.fakes.sqladmin_fake import FakeSqlAdmin


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--phase", choices=["mvp", "growth", "scale"], default="mvp")
    parser.add_argument("--certificate", default="ACTIVE", help="managed certificate status, e.g. PROVISIONING")
    parser.add_argument("--domain-status", default=None, help="its domain status, e.g. FAILED_NOT_VISIBLE")
    parser.add_argument("--canary-5xx", type=float, default=0.0, help="share of 5xx every revision answers, e.g. 0.02")
    args = parser.parse_args()
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
    print(f"export PVCTL_GCP_ENDPOINT_RUN={run.endpoint}")
    print(f"export PVCTL_GCP_ENDPOINT_SECRETMANAGER={secrets.endpoint}")
    print(f"export PVCTL_GCP_ENDPOINT_COMPUTE={compute.endpoint}")
    print(f"export PVCTL_GCP_ENDPOINT_MONITORING={monitoring.endpoint}")
    print(f"export PVCTL_GCP_ENDPOINT_SQLADMIN={sql.endpoint}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        for fake in (run, secrets, compute, monitoring, sql):
            fake.stop()


if __name__ == "__main__":
    main()
