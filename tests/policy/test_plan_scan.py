"""Policies over a phase's plan JSON, where every value is rendered."""

from pathlib import Path

from pvctl.policy.checkov import scan_plan

PLAN = Path(__file__).parent / "plans" / "scale_public_api.json"


def test_public_invoker_on_the_api_fails_in_a_plan(repo_root):
    scan = scan_plan(repo_root, PLAN)
    failed = {(f.check_id, f.resource) for f in scan.failed}
    passed = {(f.check_id, f.resource) for f in scan.passed}
    assert ("PV_GCP_2", "google_cloud_run_v2_service_iam_member.public") in failed
    # A security policy known only after apply is attached, not missing.
    assert ("PV_GCP_4", "google_compute_backend_service.web") in passed
    assert ("PV_GCP_1", "google_cloud_run_v2_service.api") in passed


def test_inline_skips_in_the_hcl_apply_to_the_plan_scan(repo_root, tmp_path, monkeypatch):
    import shutil

    from pvctl.policy.toolenv import ensure_checkov

    # The throw-away repository scans with this checkout's checkov rather than installing its own (a minute).
    monkeypatch.setenv("PVCTL_CHECKOV", str(ensure_checkov(repo_root).executable))
    shutil.copytree(repo_root / "policies", tmp_path / "policies")
    shutil.copy(PLAN, tmp_path / "plan.json")
    (tmp_path / "main.tf").write_text(
        'resource "google_cloud_run_v2_service_iam_member" "public" {\n'
        "  # checkov:skip=PV_GCP_2:the demo API is public on purpose\n"
        '  name   = "pv-api"\n  role   = "roles/run.invoker"\n  member = "allUsers"\n}\n')
    scan = scan_plan(tmp_path, tmp_path / "plan.json")
    assert not [f for f in scan.failed if f.check_id == "PV_GCP_2"]
    assert [(s.check_id, s.skip_reason) for s in scan.skipped] == [("PV_GCP_2", "the demo API is public on purpose")]


def test_plans_scanned_together_keep_their_own_findings(repo_root, tmp_path):
    """pvctl ci scans every phase's plan in one checkov run; each plan gets only what was found in it."""
    import json

    from pvctl.policy.checkov import scan_plans

    private = json.loads(PLAN.read_text())
    public = "google_cloud_run_v2_service_iam_member.public"
    private["planned_values"]["root_module"]["resources"] = [
        r for r in private["planned_values"]["root_module"]["resources"] if r["address"] != public]
    private["resource_changes"] = [r for r in private["resource_changes"] if r["address"] != public]
    private["configuration"]["root_module"]["resources"] = [
        r for r in private["configuration"]["root_module"]["resources"] if r["address"] != public]
    (tmp_path / "private.json").write_text(json.dumps(private))
    scans = scan_plans(repo_root, [PLAN, tmp_path / "private.json"])
    alone = scan_plan(repo_root, PLAN)

    def found(scan):
        return {kind: sorted((f.check_id, f.resource) for f in getattr(scan, kind)) for kind in ("passed", "failed", "skipped")}

    assert found(scans[PLAN]) == found(alone)
    assert ("PV_GCP_2", public) in found(scans[PLAN])["failed"]
    assert not [f for f in scans[tmp_path / "private.json"].failed + scans[tmp_path / "private.json"].passed
                if f.resource == public]
    assert ("PV_GCP_1", "google_cloud_run_v2_service.api") in found(scans[tmp_path / "private.json"])["passed"]
