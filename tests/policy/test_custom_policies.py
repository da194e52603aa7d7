"""Each policy against a passing and a failing HCL fixture, through the real checkov subprocess."""

from pathlib import Path

import pytest

from pvctl.policy.checkov import Finding, PolicyScan, scan_directories

FIXTURES = Path(__file__).parent / "fixtures"
SKIPS = Path(__file__).parent / "skips"
# fixture folder -> the checks it exercises (Redis AUTH/TLS are checkov built-ins pvctl relies on).
POLICIES = {
    "cloud_run_api_ingress": ["PV_GCP_1"],
    "cloud_run_api_invoker": ["PV_GCP_2"],
    "cloud_run_secret_env": ["PV_GCP_3"],
    "backend_service_armor": ["PV_GCP_4"],
    "backend_service_logging": ["PV_GCP_5"],
    "https_proxy_ssl_policy": ["PV_GCP_6"],
    "http_redirects_to_https": ["PV_GCP_7"],
    "cloudsql_private_ip": ["PV_GCP_8"],
    "redis_auth_tls": ["CKV_GCP_95", "CKV_GCP_97"],
}


@pytest.fixture(scope="module")
def scans(repo_root) -> dict[Path, PolicyScan]:
    """One checkov run over the policy fixtures and the skip examples, split by folder (every result
    carries its file): two sibling folders in one run, as `pvctl check` scans modules/ and environments/."""
    both = scan_directories(repo_root, [FIXTURES, SKIPS])
    return {folder: _within(both, folder.relative_to(repo_root)) for folder in (FIXTURES, SKIPS)}


def _within(scan: PolicyScan, folder: Path) -> PolicyScan:
    def inside(findings: list[Finding]) -> list[Finding]:
        return [f for f in findings if Path(f.file).is_relative_to(folder)]

    return PolicyScan(str(folder), inside(scan.passed), inside(scan.failed), inside(scan.skipped),
                      [p for p in scan.parsing_errors if Path(p).is_relative_to(folder)])


@pytest.fixture(scope="module")
def fixture_scan(scans) -> PolicyScan:
    return scans[FIXTURES]


def _ids(findings, folder: str, outcome: str) -> set[str]:
    suffix = f"fixtures/{folder}/{outcome}/main.tf"
    return {f.check_id for f in findings if f.file.endswith(suffix)}


@pytest.mark.parametrize("folder", sorted(POLICIES))
def test_failing_fixture_fails(fixture_scan, folder):
    assert set(POLICIES[folder]) <= _ids(fixture_scan.failed, folder, "fail")


@pytest.mark.parametrize("folder", sorted(POLICIES))
def test_passing_fixture_passes(fixture_scan, folder):
    assert set(POLICIES[folder]) <= _ids(fixture_scan.passed, folder, "pass")
    assert not set(POLICIES[folder]) & _ids(fixture_scan.failed, folder, "pass")


def test_failures_carry_the_fix(fixture_scan):
    custom = [f for f in fixture_scan.failed if f.custom]
    assert custom and all(f.fix and f.line > 0 for f in custom)


def test_every_policy_file_has_fixtures(repo_root):
    policy_files = {p.stem for p in (repo_root / "policies" / "checkov").glob("*.py")} | {
        p.stem for p in (repo_root / "policies" / "checkov").glob("*.yaml")}
    policy_files -= {"__init__", "pv_conf"}
    assert policy_files <= set(POLICIES)
    for folder in POLICIES:
        assert (FIXTURES / folder / "pass" / "main.tf").is_file()
        assert (FIXTURES / folder / "fail" / "main.tf").is_file()


def test_skips_are_reported_with_their_reason(scans):
    scan = scans[SKIPS]
    reasons = {Path(s.file).parent.name: s.skip_reason for s in scan.skipped}
    assert reasons["with_reason"].startswith("certificate-map proxies")
    assert [Path(s.file).parent.name for s in scan.unexplained_skips] == ["without_reason"]
    assert not scan.ok
