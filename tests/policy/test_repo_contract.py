"""The contract with the Terraform code: modules/ and environments/ pass every check, and every
inline skip says why."""

import re

import pytest

from pvctl.policy.checkov import scan_directories

SKIP = re.compile(r"checkov:skip=([A-Z0-9_]+)(:(.*))?")


@pytest.fixture(scope="module")
def repo_scan(repo_root):
    return scan_directories(repo_root, [repo_root / "modules", repo_root / "environments"])


def test_terraform_code_was_scanned(repo_scan):
    assert len(repo_scan.passed) > 20, "checkov found (almost) no resources in modules/ and environments/"


def test_the_phases_composition_was_scanned_too(repo_scan):
    # Resources as environments/ calls them (only the composition turns modules on with `count`): checkov
    # ran on that folder too, not only on modules/ and their examples.
    assert any(f.resource.startswith("module.webhooks[0].") for f in repo_scan.passed)


def test_no_failed_checks(repo_scan):
    assert [f"{f.check_id} {f.resource} ({f.file}:{f.line})" for f in repo_scan.failed] == []
    assert repo_scan.parsing_errors == []


def test_every_skip_is_reported_with_a_reason(repo_scan):
    assert repo_scan.unexplained_skips == []


def test_every_skip_comment_in_the_hcl_has_a_reason(repo_root):
    missing = []
    for tf in sorted((repo_root / "modules").rglob("*.tf")) + sorted((repo_root / "environments").rglob("*.tf")):
        for number, line in enumerate(tf.read_text().splitlines(), 1):
            match = SKIP.search(line)
            if match and not (match.group(3) or "").strip():
                missing.append(f"{tf.relative_to(repo_root)}:{number}")
    assert missing == []
