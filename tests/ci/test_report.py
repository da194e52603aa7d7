"""The pull-request comment as GitHub renders it (cmark-gfm): structure, masking, size limit, verdicts."""

import json
from decimal import Decimal
from pathlib import Path

import pytest

from pvctl.ci.drivers import CostDriver
from pvctl.ci.model import (
    CiReport,
    CostResult,
    PhaseResult,
    RunLink,
    StepResult,
)
from pvctl.ci.report import (
    COMMENT_LIMIT,
    MARKER,
    render_json,
    render_markdown,
    should_comment,
)
from pvctl.cost.delta import ResourceCost
from pvctl.planning.changes import AttributeChange, ResourceDiff, resource_diffs
from pvctl.planning.masking import masked_plan
from pvctl.planning.summary import summarize
from pvctl.policy.checkov import Finding, PolicyScan

from .gfm import Node, render

FIXTURES = Path(__file__).parent / "fixtures"
PLAN = json.loads((FIXTURES / "plan_sensitive.json").read_text())
SCALE = json.loads((FIXTURES / "plan_scale_change.json").read_text())
SECRETS = ("hunter2-old-db-password", "s3cr3t-new-db-password-XYZ", "wa-token-ABC123-sensitive")
SQL = "module.database.google_sql_database_instance.primary"
COST = CostResult(Decimal("769.12"), Decimal("503.57"), "base main", "USD", "2026-08-21",
                  (ResourceCost(SQL, "Cloud SQL", Decimal("98.50"), Decimal("197.00")),
                   ResourceCost("module.database.google_sql_database_instance.replica[0]", "Cloud SQL", Decimal(0), Decimal("167.05"))),
                  {SQL: (CostDriver("settings.tier", "db-custom-1-3840", "db-custom-2-7680", Decimal("98.50")),)})
SAME = CostResult(Decimal("62.38"), Decimal("62.38"), "base main", "USD", "2026-08-21")
OK_STEPS = [StepResult(n, "ok") for n in ("validate", "plan", "policy", "cost")]
SKIP = Finding("CKV_GCP_6", "Cloud SQL requires SSL", "module.database.google_sql_database_instance.primary",
               "modules/cloudsql/main.tf", 3, skip_reason="IAM auth over the private IP; client certificates are not used")
RUN = RunLink("https://github.com/acme/infra/actions/runs/42", "0123456789abcdef0123")


def _phase(plan: dict, name: str = "scale", cost: CostResult = COST, **kw) -> PhaseResult:
    return PhaseResult(name, "offline", list(OK_STEPS), resource_diffs(plan), summarize(plan, name).counts, cost=cost, **kw)


def _unchanged(name: str, **kw) -> PhaseResult:
    return _phase({"resource_changes": []}, name, SAME, **kw)


def _scan(target: str, **kw) -> PolicyScan:
    return PolicyScan(target, skipped=[SKIP], **kw)


def _report(*phases: PhaseResult, **kw) -> CiReport:
    kw.setdefault("run", RUN)
    kw.setdefault("basis", "Offline plans (stand-in provider) against base main applied in a sandbox.")
    return CiReport(list(phases), base_ref="main", **kw)


def _sections(doc: Node) -> dict[str, Node]:
    """Each h4 section's first list."""
    out, heading = {}, None
    for node in doc.elements():
        if node.tag == "h4":
            heading = node.text
        elif node.tag == "ul" and heading and heading not in out:
            out[heading] = node
    return out


def _items(ul: Node) -> list[str]:
    return [li.text for li in ul.elements() if li.tag == "li"]


def test_first_screen_has_verdict_changes_cost_destroys_and_run():
    report = _report(_unchanged("mvp", policy=_scan("mvp plan")), _unchanged("growth", policy=_scan("growth plan")),
                     _phase(SCALE, policy=_scan("scale plan")), code_scan=_scan("code"))
    markdown = render_markdown(report)
    assert markdown.startswith(MARKER + "\n")
    doc = render(markdown)
    top = doc.elements()
    # The verdict is the first heading, before anything else GitHub shows.
    assert top[0].tag == "h3" and top[0].text == "✅ pvctl: all checks passed"
    sections = _sections(doc)
    assert [h.text for h in doc.all("h4")] == ["What changes", "Destroyed or replaced", "Cost change by resource"]
    changes = _items(sections["What changes"])
    # Phases without changes fold into one line; the changed phase carries counts and cost before → after.
    assert changes == ["scale: -/+ 2 replace · ~ 3 update · + 1 create · $503.57 → $769.12/month (+$265.55, +52.7%)",
                       "mvp, growth: no changes"]
    destroyed = _items(sections["Destroyed or replaced"])
    assert (
        destroyed[0]
        == "-/+ module.redis.google_redis_instance.this (scale): replaced because tier: STANDARD_HA → BASIC — forces replacement"
    )
    cost = sections["Cost change by resource"].all("li")
    assert cost[1].text == (f"{SQL} settings.tier db-custom-1-3840 → db-custom-2-7680: $98.50 → $197.00 (+$98.50/month, +100.0%)")
    assert cost[2].text.endswith("(new): $0.00 → $167.05 (+$167.05/month, new)")
    # Reproduce, run link and commit on one line after the sections; one legend.
    footer = next(p for p in doc.all("p") if p.text.startswith("reproduce:"))
    assert footer.text == "reproduce: pvctl plan --phase scale --offline · workflow run · commit 0123456789ab"
    assert footer.all("a")[0].attrs["href"] == RUN.url
    assert markdown.count("Legend:") == 1 and len(doc.all("sub")) == 1
    # Everything above sits before the first collapsed block.
    assert markdown.index("reproduce:") < markdown.index("<details>")
    # No wide tables anywhere: resources are lists.
    assert not doc.all("table")


def test_changed_attributes_are_listed_whole_under_each_resource():
    doc = render(render_markdown(_report(_phase(SCALE))))
    [details] = [d for d in doc.all("details") if d.all("summary")[0].text.startswith("scale")]
    assert details.all("summary")[0].text == "scale: 6 resource changes"
    resources = {li.all("code")[1].text: li for li in details.all("ul")[0].elements()}
    api = resources["module.api.module.service.google_cloud_run_v2_service.managed[0]"]
    lines = [li.text for li in api.all("li")]
    assert "template.scaling.max_instance_count: 5 → 10" in lines
    assert "template.containers.env[REDIS_HOST].value: 192.0.2.195 → (known after apply)" in lines
    # A multi-line certificate is shown whole, escaped onto one line, not cut.
    cert = next(line for line in lines if line.startswith("template.containers.env[REDIS_CA_CERT]"))
    assert "-----END CERTIFICATE-----\\n" in cert and "…" not in cert
    redis = [li.text for li in resources["module.redis.google_redis_instance.this"].all("li")]
    assert redis[0] == "tier: STANDARD_HA → BASIC — forces replacement"
    assert redis[-1].startswith("known only after apply: auth_string, create_time, host")


def test_sensitive_values_never_reach_the_report():
    report = _report(_phase(PLAN))
    outputs = [render_markdown(report), render_json(report), json.dumps(masked_plan(PLAN))]
    for text in outputs:
        for secret in SECRETS:
            assert secret not in text
    lines = [li.text for li in render(outputs[0]).all("li")]
    assert "password: (sensitive) → (sensitive)" in lines
    assert "ingress: INGRESS_TRAFFIC_ALL → INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER" in lines


def test_masked_plan_keeps_structure_but_not_secrets():
    masked = masked_plan(PLAN)
    assert [rc["address"] for rc in masked["resource_changes"]] == [rc["address"] for rc in PLAN["resource_changes"]]
    assert masked["resource_changes"][0]["change"]["after"]["password"] == "(sensitive)"
    assert masked["output_changes"]["db_password"]["after"] == "(sensitive)"
    assert "prior_state" not in masked


def test_failures_come_first_and_findings_group_by_check():
    findings = [
        Finding(
            "CKV_GCP_6",
            "Cloud SQL requires SSL",
            f"module.db{i}.google_sql_database_instance.x",
            "modules/cloudsql/main.tf",
            12,
            fix="https://docs.prismacloud.io/en/enterprise-edition/policy-reference/google-cloud-policies/google-cloud-general-policies/bc-gcp-general-1",
        )
        for i in range(2)
    ]
    custom = Finding("PV_GCP_2", "API grants no role to allUsers", "google_cloud_run_v2_service_iam_member.public",
                     "environments/scale/main.tf", 40, fix="grant roles/run.invoker to the BFF only")
    scale = _phase(SCALE, policy=PolicyScan("scale plan", failed=[*findings, custom]),
                   guard_warnings=["module.redis.google_redis_instance.this would be replaced: it holds data"])
    doc = render(render_markdown(_report(_unchanged("mvp"), scale)))
    assert doc.elements()[0].text == "❌ pvctl: 2 problems"
    assert _items(doc.elements()[1]) == ["guarded destroy/replace in scale", "policy violation in scale"]
    sections = _sections(doc)
    groups = sections["Policy failures"].elements()
    assert [g.all("code")[0].text for g in groups] == ["CKV_GCP_6", "PV_GCP_2"]
    assert groups[0].all("a")[0].text == "guideline" and groups[0].all("a")[0].attrs["href"].startswith("https://docs.prismacloud.io/")
    assert len(groups[0].all("li")) == 2                                      # both resources under the one check
    assert "fix: grant roles/run.invoker to the BFF only" in groups[1].text
    guarded = _items(sections["Destroyed or replaced"])[0]
    assert guarded.endswith("⚠️ holds data, refused without --allow-destroy")
    assert "scale: -/+ 2 replace" in _items(sections["What changes"])[0] and _items(sections["What changes"])[0].endswith("❌")


def test_skipped_checks_appear_once_for_all_scans():
    report = _report(*(_unchanged(p, policy=_scan(f"{p} plan")) for p in ("mvp", "growth", "scale")), code_scan=_scan("code"))
    markdown = render_markdown(report)
    assert markdown.count("CKV_GCP_6") == 1
    [skipped] = [d for d in render(markdown).all("details") if d.all("summary")[0].text.startswith("Skipped checks")]
    assert skipped.all("summary")[0].text == "Skipped checks (1, each with its reason in the HCL)"
    assert skipped.all("li")[0].text.startswith(
        "CKV_GCP_6 on module.database.google_sql_database_instance.primary (modules/cloudsql/main.tf:3): IAM"
    )


def test_a_pull_request_without_changes_is_green_and_says_so():
    report = _report(*(_unchanged(p) for p in ("mvp", "growth", "scale")))
    doc = render(render_markdown(report))
    assert doc.elements()[0].text == "✅ pvctl: no changes — this pull request changes no infrastructure"
    assert _items(_sections(doc)["What changes"]) == ["mvp, growth, scale: no changes"]
    assert "reproduce:" not in doc.text and not doc.all("details")
    assert report.exit_code == 0
    assert not should_comment(report, quiet_when_unchanged=True)
    assert should_comment(report, quiet_when_unchanged=False)
    assert should_comment(_report(_phase(PLAN)), quiet_when_unchanged=True)


def test_live_roles_shape_the_report():
    guard = ["module.redis.google_redis_instance.this would be replaced: it holds data"]
    mvp = PhaseResult("mvp", "live", [StepResult("validate", "ok")], role="skipped",
                      note="not planned: below the applied phase growth, its plan would shrink the running system")
    growth = _unchanged("growth")
    scale = _phase(SCALE, role="preview", guard_warnings=guard, note="promotion preview from growth: informational")
    report = _report(mvp, growth, scale)
    assert report.ok and report.exit_code == 0 and not report.has_changes       # the preview's changes are the promotion's
    doc = render(render_markdown(report))
    changes = _items(_sections(doc)["What changes"])
    assert changes[0] == "mvp: not planned: below the applied phase growth, its plan would shrink the running system"
    assert changes[1].startswith("scale (promotion preview): -/+ 2 replace")
    assert changes[2] == "growth: no changes"
    assert _items(_sections(doc)["Destroyed or replaced"])[0].endswith("⚠️ holds data, informational in a preview")
    assert "Cost change by resource" not in [h.text for h in doc.all("h4")]   # a preview's cost is not this PR's


def test_offline_without_a_base_says_so():
    basis = "Offline plans (stand-in provider) with no base branch given (--base): each phase is planned against this machine's sandbox"
    doc = render(render_markdown(_report(_phase(PLAN, "mvp"), basis=basis + " state.")))
    assert basis in doc.all("sub")[0].text


def test_values_with_markdown_characters_stay_literal():
    diff = ResourceDiff("google_x.y", "google_x", "update", (AttributeChange("labels.team", "a|b `c` *d*", "<script>"),))
    phase = PhaseResult("mvp", "offline", list(OK_STEPS), [diff], {"change": 1}, cost=SAME)
    broken = PhaseResult("growth", "offline", [StepResult("plan", "failed", "Error: _var_ ssl_policy *x* [y](z) <b>")])
    doc = render(render_markdown(_report(phase, broken)))
    items = [li.text for li in doc.all("li")]
    assert "labels.team: a|b `c` *d* → <script>" in items
    assert "plan failed in growth: Error: _var_ ssl_policy *x* [y](z) <b>" in items
    assert not doc.all("script") and not doc.all("em") and not doc.all("a")[1:]
    assert [b.text for b in doc.all("b")] == ["mvp"]                          # only the details summary's own


def test_huge_report_is_cut_under_the_limit_with_a_pointer():
    rows = [ResourceDiff(f"module.m{i}.google_compute_instance.vm[{i}]", "google_compute_instance", "update",
                         (AttributeChange("labels.x", "a" * 50, "b" * 50),)) for i in range(4000)]
    phases = [PhaseResult(p, "offline", list(OK_STEPS), rows, {"change": 4000}, cost=COST) for p in ("mvp", "growth", "scale")]
    report = CiReport(phases, artifact_hint="the `pvctl-ci` artifact")
    assert len(render_markdown(report, limit=10**9)) > COMMENT_LIMIT  # the fixture really is too big
    text = render_markdown(report)
    assert len(text) <= COMMENT_LIMIT
    assert text.startswith(MARKER)
    assert "the full report and the masked plans are in the `pvctl-ci` artifact" in text
    doc = render(text)
    assert len(_items(_sections(doc)["What changes"])) == 3             # the first screen survives the cut
    assert all(d.all("summary") for d in doc.all("details"))            # every block still closes


def test_oversized_fmt_diff_is_cut_too():
    fmt = StepResult("fmt", "failed", "2 files", details="-a = 1\n+a  = 1\n" * 20000)
    text = render_markdown(_report(_phase(PLAN), fmt=fmt))
    assert len(text) <= COMMENT_LIMIT and "✂️" in text


def test_json_format_is_machine_readable():
    data = json.loads(render_json(_report(_phase(SCALE))))
    phase = data["phases"][0]
    assert data["ok"] is True and phase["counts"]["replace"] == 2 and phase["role"] == "gating"
    assert phase["cost"]["delta"] == pytest.approx(265.55)
    assert phase["cost"]["resources"][0] == {"resource": SQL, "component": "Cloud SQL", "before": 98.5, "after": 197.0, "delta": 98.5}
    sql = next(r for r in phase["resources"] if r["address"] == SQL)
    assert sql["attributes"] == [
        {"path": "settings.tier", "before": "db-custom-1-3840", "after": "db-custom-2-7680", "forces_replacement": False}
    ]
    assert data["run"] == {"url": RUN.url, "commit": RUN.commit}


def test_run_link_from_github_variables():
    env = {"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "acme/infra", "GITHUB_RUN_ID": "7",
           "GITHUB_SHA": "merge0000", "PVCTL_CI_COMMIT": "head1111"}
    assert RunLink.from_env(env) == RunLink("https://github.com/acme/infra/actions/runs/7", "head1111")
    assert RunLink.from_env({"GITHUB_SHA": "abc"}) == RunLink(None, "abc")
    assert RunLink.from_env({}) is None


def test_negative_amounts_carry_their_sign_before_the_dollar():
    """A credit (the free tier of the billing account) is −$0.21, never $-0.21."""
    credit = CostResult(Decimal("62.17"), Decimal(0), "the sandbox state", "USD", "2026-08-21",
                        (ResourceCost("(billing account)", "free tier", Decimal(0), Decimal("-0.21")),))
    markdown = render_markdown(_report(_phase(SCALE, cost=credit)))
    assert "$-" not in markdown
    assert "(billing account): $0.00 → −$0.21 (−$0.21/month" in render(markdown).text
