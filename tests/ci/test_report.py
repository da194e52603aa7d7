"""Rendering the pull-request report: masking, size limit, marker, verdicts."""

import json
from decimal import Decimal
from pathlib import Path

import pytest

from pvctl.ci.model import CiReport, CostResult, PhaseResult, ResourceRow, StepResult
from pvctl.ci.plan_rows import resource_rows
from pvctl.ci.report import COMMENT_LIMIT, MARKER, render_json, render_markdown, should_comment
from pvctl.planning.masking import masked_plan
from pvctl.planning.summary import summarize
from pvctl.policy.checkov import Finding, PolicyScan

PLAN = json.loads((Path(__file__).parent / "fixtures" / "plan_sensitive.json").read_text())
SECRETS = ("hunter2-old-db-password", "s3cr3t-new-db-password-XYZ", "wa-token-ABC123-sensitive")
COST = CostResult(Decimal("48.1"), Decimal("45"), "base main", "USD", "2026-08-21")
OK_STEPS = [StepResult(n, "ok") for n in ("validate", "policy", "plan", "cost")]


def _phase(plan: dict, name: str = "growth", **kw) -> PhaseResult:
    return PhaseResult(name, "offline", list(OK_STEPS), resource_rows(plan), summarize(plan, name).counts, cost=COST, **kw)


def test_sensitive_values_never_reach_the_report():
    report = CiReport([_phase(PLAN)])
    outputs = [render_markdown(report), render_json(report), json.dumps(masked_plan(PLAN))]
    for text in outputs:
        for secret in SECRETS:
            assert secret not in text
    markdown = outputs[0]
    # The change itself is still visible: the masked attribute and the non-sensitive one.
    assert "`password`: (sensitive) → (sensitive)" in markdown
    assert "INGRESS_TRAFFIC_ALL → INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER" in markdown
    assert "(known after apply)" in markdown


def test_masked_plan_keeps_structure_but_not_secrets():
    masked = masked_plan(PLAN)
    assert [rc["address"] for rc in masked["resource_changes"]] == [rc["address"] for rc in PLAN["resource_changes"]]
    assert masked["resource_changes"][0]["change"]["after"]["password"] == "(sensitive)"
    assert masked["output_changes"]["db_password"]["after"] == "(sensitive)"
    assert "prior_state" not in masked


def test_verdict_and_totals_come_first():
    text = render_markdown(CiReport([_phase(PLAN)], base_ref="main"))
    first_lines = text.splitlines()
    assert first_lines[0] == MARKER
    assert first_lines[1].startswith("✅ **pvctl: all checks passed**")
    assert "| **growth** | offline | +1 ~2 -0 ±1 | $48.10 | +$3.10 | ✅ |" in text
    assert text.index("| **growth**") < text.index("<details")
    assert "Prices as of 2026-08-21" in text


def test_failures_are_named_in_the_verdict():
    finding = Finding("PV_GCP_2", "API grants no role to allUsers", "google_cloud_run_v2_service_iam_member.public",
                      "environments/scale/main.tf", 12, fix="grant roles/run.invoker to the BFF only")
    scan = PolicyScan("scale plan", failed=[finding])
    phase = _phase(PLAN, "scale", policy=scan, guard_warnings=["google_redis_instance.sessions would be replaced"])
    text = render_markdown(CiReport([phase]))
    assert "❌ **pvctl: 2 problems** — guarded destroy/replace in scale; policy violation in scale" in text
    assert "grant roles/run.invoker to the BFF only" in text
    assert "> ⚠️ **google_redis_instance.sessions would be replaced**" in text
    assert "<details open>" in text


def test_huge_report_is_cut_under_the_limit_with_a_pointer():
    rows = [ResourceRow(f"module.m{i}.google_compute_instance.vm[{i}]", "update", (("labels", "a" * 50 + " → " + "b" * 50),))
            for i in range(4000)]
    phases = [PhaseResult(p, "offline", list(OK_STEPS), rows, {"add": 0, "change": 4000, "destroy": 0, "replace": 0}, cost=COST)
              for p in ("mvp", "growth", "scale")]
    report = CiReport(phases, artifact_hint="the `pvctl-ci` artifact")
    assert len(render_markdown(report, limit=10**9)) > COMMENT_LIMIT  # the fixture really is too big
    text = render_markdown(report)
    assert len(text) <= COMMENT_LIMIT
    assert text.startswith(MARKER)
    assert "the full report and the masked plans are in the `pvctl-ci` artifact" in text
    assert "| **scale** |" in text  # the totals survive the cut


def test_oversized_fmt_diff_is_cut_too():
    fmt = StepResult("fmt", "failed", "2 files", details="-a = 1\n+a  = 1\n" * 20000)
    text = render_markdown(CiReport([_phase(PLAN)], fmt=fmt))
    assert len(text) <= COMMENT_LIMIT and "✂️" in text


def test_no_change_case():
    empty = {"resource_changes": []}
    report = CiReport([_phase(empty, "mvp")])
    assert not report.has_changes
    assert "no changes in any phase" in render_markdown(report)
    assert not should_comment(report, quiet_when_unchanged=True)
    assert should_comment(report, quiet_when_unchanged=False)
    assert should_comment(CiReport([_phase(PLAN)]), quiet_when_unchanged=True)


def test_json_format_is_machine_readable():
    data = json.loads(render_json(CiReport([_phase(PLAN)])))
    assert data["ok"] is True and data["phases"][0]["counts"]["replace"] == 1
    assert data["phases"][0]["cost"]["delta"] == pytest.approx(3.1)
