"""Promotion mvp → growth → scale → back to growth through the real `pvctl` CLI, on one offline sandbox state.

The sandbox enforces the provider's delete guards (a protected Redis instance, Cloud Run
service or secret cannot be deleted), so the replacements and removals only land through
pvctl's protected apply: lift, re-plan, apply, restore.

Two module-scoped fixtures run the story on one copy of this repository: `story` goes up (plan,
sandbox apply, next phase, ... to scale), then `back_down` comes back down from there (downgrade
attempts, back to growth, interrupted once). The tests read what each step returned (exit code,
`--json` summary, the saved plan JSON) and the sandbox state after each apply.

The sandbox fills computed values deterministically (an id is a function of the name), so a
replaced resource would get its old id back: "the same id before and after" is asserted
together with the plans' actions on those addresses (never create, delete or replace).
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.cli.conftest import cli_env, pvctl
from tests.offline.test_inventories import copy_repo

PROJECT = "pv-inventory-test"
SQL = "module.database.google_sql_database_instance.primary"
API = "module.api.module.service.google_cloud_run_v2_service.managed[0]"
LB_ADDRESS = "module.edge.google_compute_global_address.this"
REDIS = "module.redis[0].google_redis_instance.this"
REDIS_AUTH_VERSION = "module.redis[0].google_secret_manager_secret_version.auth"
SECRET_NAMES = ["crm-api-token", "db-admin-password", "oauth-client-secret", "session-signing-key", "whatsapp-token"]
SECRETS = [f'module.secrets.google_secret_manager_secret.this["{n}"]' for n in SECRET_NAMES]
# Must survive every promotion: updated in place at most.
KEPT = [SQL, "module.database.google_sql_database.app", "module.database.google_sql_user.admin", API, LB_ADDRESS, *SECRETS]
# What scale drops on purpose: the API stops being a load-balancer backend when it turns private.
# The API turns private in scale: its load balancer backend goes, and so do its SLOs and their
# burn-rate alerts (SLOs cover the public services; the BFF and the webhook receiver get theirs).
_API_SLO = "module.monitoring[0].google_monitoring_"
DROPPED_BY_SCALE = {'module.edge.google_compute_backend_service.this["api"]',
                    'module.edge.google_compute_region_network_endpoint_group.this["api"]',
                    _API_SLO + 'custom_service.run["pv-api"]',
                    *(f'{_API_SLO}slo.run["pv-api-{sli}"]' for sli in ("availability", "latency")),
                    *(f'{_API_SLO}alert_policy.burn_rate["pv-api-{sli}-{w}"]'
                      for sli in ("availability", "latency") for w in ("fast", "slow"))}


@dataclass
class Step:
    args: list[str]
    returncode: int
    stdout: str
    stderr: str
    summary: dict | None = None          # the `--json` document of a plan
    plan: dict | None = None             # the saved plan JSON (terraform show -json)
    state: dict | None = None            # the sandbox state after an apply
    resources: dict[str, dict] = field(default_factory=dict)  # address → attributes, from `state`

    def actions(self) -> dict[str, list[str]]:
        assert self.plan is not None
        return {rc["address"]: rc["change"]["actions"] for rc in self.plan["resource_changes"] if rc["mode"] == "managed"}

    def changed(self, *kinds: str) -> set[str]:
        """Addresses whose action is one of: create, update, delete, replace."""
        def kind(actions: list[str]) -> str:
            return "replace" if sorted(actions) == ["create", "delete"] else actions[0]
        return {a for a, acts in self.actions().items() if kind(acts) in kinds}


def _state_resources(state: dict) -> dict[str, dict]:
    found = {}
    for r in state["resources"]:
        if r["mode"] != "managed":
            continue
        base = f"{r['module']}.{r['type']}.{r['name']}" if r.get("module") else f"{r['type']}.{r['name']}"
        for instance in r["instances"]:
            key = instance.get("index_key")
            suffix = "" if key is None else (f"[{key}]" if isinstance(key, int) else f'["{key}"]')
            found[base + suffix] = instance["attributes"]
    return found


class Sandbox:
    """A copy of this repository with its own sandbox state; each step's result kept by name."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.repo = copy_repo(tmp / "repo")
        self.env = cli_env(tmp)
        self.state_file = self.repo / ".pvctl" / "sandbox" / PROJECT / "terraform.tfstate"
        self.steps: dict[str, Step] = {}

    def run(self, name: str, args: list[str], required: bool) -> Step:
        done = pvctl(args, self.repo, self.env, timeout=600)
        step = self.steps[name] = Step(args, done.returncode, done.stdout, done.stderr)
        if required and done.returncode != 0:
            pytest.fail(f"step {name}: pvctl {' '.join(args)} exited {done.returncode}\n{done.stderr[-4000:]}")
        return step

    def plan(self, name: str, phase: str, *flags: str, required: bool = False) -> Step:
        plan_file = self.tmp / f"{name}.tfplan"
        step = self.run(name, ["plan", "--phase", phase, "--offline", "--json", "--out", str(plan_file), *flags], required)
        if step.stdout.strip():  # the summary is printed before the guards decide
            step.summary = json.loads(step.stdout)
        if plan_file.with_suffix(".json").exists():
            step.plan = json.loads(plan_file.with_suffix(".json").read_text())
        return step

    def apply(self, name: str, phase: str, plan_step: str, *flags: str) -> Step:
        args = ["apply", "--phase", phase, "--offline", "--plan", str(self.tmp / f"{plan_step}.tfplan"), *flags]
        step = self.run(name, args, required=True)
        step.state = json.loads(self.state_file.read_text())
        step.resources = _state_resources(step.state)
        return step

    def interrupted(self, name: str, args: list[str], at: str) -> Step:
        """Ctrl-C (SIGINT, which pvctl passes to Terraform) as soon as `at` is printed, to a real pvctl process."""
        with open(self.tmp / f"{name}.out", "w") as out:
            proc = subprocess.Popen([sys.executable, "-m", "pvctl", *args], cwd=self.repo, env=self.env, text=True,
                                    stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.PIPE)
            assert proc.stderr is not None
            lines = []
            for line in proc.stderr:
                lines.append(line)
                if at in line:
                    proc.send_signal(signal.SIGINT)
            proc.wait(timeout=600)
        step = self.steps[name] = Step(args, proc.returncode, (self.tmp / f"{name}.out").read_text(), "".join(lines))
        return step


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory) -> Sandbox:
    return Sandbox(tmp_path_factory.mktemp("promotion"))


@pytest.fixture(scope="module")
def story(sandbox: Sandbox) -> dict[str, Step]:
    """Up: mvp, growth, scale, each planned and applied on one sandbox state."""
    box = sandbox
    box.plan("plan_mvp", "mvp", required=True)
    box.apply("apply_mvp", "mvp", "plan_mvp")
    box.plan("plan_growth", "growth", required=True)
    box.apply("apply_growth", "growth", "plan_growth")
    box.plan("plan_scale_refused", "scale")
    box.plan("plan_scale", "scale", "--allow-destroy", required=True)
    box.apply("apply_scale", "scale", "plan_scale", "--allow-destroy")
    box.plan("replan_scale", "scale", "--detailed-exitcode")
    return dict(box.steps)  # the steps so far: back_down goes on with the same sandbox


@pytest.fixture(scope="module")
def back_down(sandbox: Sandbox, story: dict[str, Step]) -> dict[str, Step]:
    """Down, from where `story` ended (scale applied): downgrade attempts, then back to growth,
    interrupted once."""
    box = sandbox
    box.plan("downgrade_refused", "mvp")
    box.plan("downgrade_allowed", "mvp", "--allow-downgrade")
    box.plan("downgrade_and_destroy_allowed", "mvp", "--allow-downgrade", "--allow-destroy")
    box.plan("plan_back_to_growth", "growth", "--allow-downgrade", "--allow-destroy", required=True)
    back = ["apply", "--phase", "growth", "--offline", "--plan", str(box.tmp / "plan_back_to_growth.tfplan"),
            "--allow-downgrade", "--allow-destroy"]
    box.interrupted("interrupted_back_to_growth", back, at="Step 3/4")
    box.apply("apply_back_to_growth", "growth", "plan_back_to_growth", "--allow-downgrade", "--allow-destroy")
    box.plan("replan_growth", "growth", "--detailed-exitcode", "--allow-downgrade")
    box.steps["journal_left"] = Step([], 0, str((box.repo / ".pvctl" / "growth" / "promotion.json").exists()), "")
    return box.steps


# --- each phase lands ---------------------------------------------------------------------------

@pytest.mark.parametrize("phase, order", [("mvp", 1), ("growth", 2), ("scale", 3)])
def test_each_apply_records_its_phase_in_the_state(story: dict[str, Step], phase: str, order: int) -> None:
    outputs = story[f"apply_{phase}"].state["outputs"]
    assert outputs["phase"]["value"] == phase
    assert outputs["phase_order"]["value"] == order


def test_mvp_plan_from_empty_state_only_creates(story: dict[str, Step]) -> None:
    step = story["plan_mvp"]
    assert step.summary["changes"]["destroy"] == step.summary["changes"]["replace"] == step.summary["changes"]["change"] == 0
    assert set(step.changed("create")) == set(step.actions())


# --- mvp → growth: everything in place ----------------------------------------------------------

def test_growth_destroys_and_replaces_nothing(story: dict[str, Step]) -> None:
    step = story["plan_growth"]
    assert step.returncode == 0, step.stderr
    assert step.summary["changes"]["destroy"] == 0 and step.summary["changes"]["replace"] == 0, step.summary
    assert not step.changed("delete", "replace")
    assert {REDIS, REDIS_AUTH_VERSION} <= step.changed("create")


def test_growth_updates_the_database_and_the_api_in_place(story: dict[str, Step]) -> None:
    actions = story["plan_growth"].actions()
    for address in KEPT:
        assert actions[address] in (["update"], ["no-op"]), f"{address}: {actions[address]}"
    assert actions[SQL] == ["update"] and actions[API] == ["update"]
    after = story["apply_growth"].resources
    assert after[SQL]["settings"][0]["tier"] == "db-g1-small"
    assert after[API]["template"][0]["scaling"][0]["max_instance_count"] == 10


# --- growth → scale: only Redis is replaced, and only with --allow-destroy ----------------------

def test_scale_is_refused_naming_the_redis_replacement(story: dict[str, Step]) -> None:
    step = story["plan_scale_refused"]
    assert step.returncode == 3, step.stderr
    assert f"{REDIS} (replace)" in step.stderr and "--allow-destroy" in step.stderr
    assert "Traceback" not in step.stderr
    redis = next(rc for rc in step.plan["resource_changes"] if rc["address"] == REDIS)
    # BASIC → STANDARD_HA cannot be changed on a running instance: the tier forces a new one.
    assert redis["change"]["before"]["tier"] == "BASIC" and redis["change"]["after"]["tier"] == "STANDARD_HA"
    assert ["tier"] in redis["change"].get("replace_paths", []), redis["change"].get("replace_paths")


def test_scale_replaces_redis_and_drops_only_the_api_backend(story: dict[str, Step]) -> None:
    step = story["plan_scale"]
    # The AUTH string of the new instance is new: its secret version follows.
    assert step.changed("replace") == {REDIS, REDIS_AUTH_VERSION}
    assert step.changed("delete") == DROPPED_BY_SCALE
    assert step.summary["changes"]["replace"] == 2 and step.summary["changes"]["destroy"] == len(DROPPED_BY_SCALE)
    actions = step.actions()
    for address in KEPT:
        assert actions[address] in (["update"], ["no-op"]), f"{address}: {actions[address]}"
    assert story["plan_scale_refused"].summary["changes"] == step.summary["changes"]


def test_redis_is_destroyed_before_its_replacement_is_created(story: dict[str, Step]) -> None:
    # Instance names are unique in a region: create-then-delete would fail on GCP. A
    # create_before_destroy anywhere downstream (it spreads to dependencies) would flip this.
    assert story["plan_scale"].actions()[REDIS] == ["delete", "create"]


def test_scale_converges(story: dict[str, Step]) -> None:
    step = story["replan_scale"]
    assert step.returncode == 0, step.stderr + json.dumps(step.summary, indent=1)
    assert step.summary["resources"] == []


# --- what must not change across promotions -----------------------------------------------------

@pytest.mark.parametrize("address, keys", [
    (SQL, ("id", "self_link", "connection_name", "private_ip_address")),
    (LB_ADDRESS, ("id", "address", "self_link")),
    *[(secret, ("id", "secret_id")) for secret in SECRETS],
])
def test_identities_are_stable_across_promotions(story: dict[str, Step], address: str, keys: tuple[str, ...]) -> None:
    seen = [{k: story[f"apply_{p}"].resources[address][k] for k in keys} for p in ("mvp", "growth", "scale")]
    assert all(v for v in seen[0].values()), seen[0]  # the sandbox filled them
    assert seen[0] == seen[1] == seen[2]


def test_the_load_balancer_ip_output_is_stable(story: dict[str, Step]) -> None:
    ips = {story[f"apply_{p}"].state["outputs"]["load_balancer_ip"]["value"] for p in ("mvp", "growth", "scale")}
    assert len(ips) == 1 and None not in ips, ips


# --- the scale system is wired as designed (values only known after apply) -----------------------

def test_only_the_bff_may_invoke_the_private_api(story: dict[str, Step]) -> None:
    resources = story["apply_scale"].resources
    invokers = {a: r for a, r in resources.items() if a.endswith("]") and "google_cloud_run_v2_service_iam_member" in a}
    bff_account = resources["module.bff[0].module.service.google_service_account.this"]
    assert [(r["name"], r["role"], r["member"]) for r in invokers.values()] == \
        [("pv-api", "roles/run.invoker", f"serviceAccount:{bff_account['email']}")]
    assert bff_account["email"] == f"pv-bff-run@{PROJECT}.iam.gserviceaccount.com"
    api = resources[API]
    assert api["ingress"] == "INGRESS_TRAFFIC_INTERNAL_ONLY" and api["invoker_iam_disabled"] is False
    bff = resources["module.bff[0].module.service.google_cloud_run_v2_service.managed[0]"]
    bff_env = {e["name"]: e["value"] for e in bff["template"][0]["containers"][0]["env"]}
    assert bff_env["API_URL"] == bff_env["API_AUDIENCE"] == api["uri"] and api["uri"].startswith("https://")


def test_the_load_balancer_pieces_are_attached(story: dict[str, Step]) -> None:
    r = story["apply_scale"].resources
    armor = r["module.edge.google_compute_security_policy.this[0]"]["id"]
    backends = {a: v for a, v in r.items() if a.startswith("module.edge.google_compute_backend_service.this[")}
    assert set(backends) == {
        'module.edge.google_compute_backend_service.this["bff"]',
        'module.edge.google_compute_backend_service.this["webhooks"]',
    }
    assert all(b["security_policy"] == armor for b in backends.values())
    https_proxy = r["module.edge.google_compute_target_https_proxy.this"]
    assert https_proxy["ssl_policy"] == r["module.edge.google_compute_ssl_policy.this"]["id"]
    assert https_proxy["url_map"] == r["module.edge.google_compute_url_map.https"]["id"]
    assert (
        r["module.edge.google_compute_url_map.https"]["default_service"]
        == backends['module.edge.google_compute_backend_service.this["bff"]']["id"]
    )
    assert (
        r["module.edge.google_compute_target_http_proxy.redirect"]["url_map"] == r["module.edge.google_compute_url_map.http_redirect"]["id"]
    )
    lb_address = r[LB_ADDRESS]["id"]
    for rule, target in (
        ("https", "module.edge.google_compute_target_https_proxy.this"),
        ("http", "module.edge.google_compute_target_http_proxy.redirect"),
    ):
        forwarding = r[f"module.edge.google_compute_global_forwarding_rule.{rule}"]
        assert forwarding["ip_address"] == lb_address and forwarding["target"] == r[target]["id"], rule


def test_scale_database_and_redis_after_apply(story: dict[str, Step]) -> None:
    r = story["apply_scale"].resources
    settings = r[SQL]["settings"][0]
    assert (settings["tier"], settings["availability_type"]) == ("db-custom-1-3840", "REGIONAL")
    assert r[SQL]["deletion_protection"] is True and settings["deletion_protection_enabled"] is True
    redis = r[REDIS]
    assert (redis["tier"], redis["auth_enabled"], redis["transit_encryption_mode"]) == ("STANDARD_HA", True, "SERVER_AUTHENTICATION")


# --- going back down ----------------------------------------------------------------------------


def test_planning_mvp_after_scale_is_refused_as_a_downgrade(back_down: dict[str, Step]) -> None:
    step = back_down["downgrade_refused"]
    assert step.returncode == 3, step.stderr
    assert "last applied by phase scale" in step.stderr and "--allow-downgrade" in step.stderr


def test_allow_downgrade_lifts_only_the_downgrade_guard(back_down: dict[str, Step]) -> None:
    # Going back to mvp deletes Redis and its AUTH secret: the stateful guard still speaks.
    step = back_down["downgrade_allowed"]
    assert step.returncode == 3, step.stderr
    assert "last applied by phase" not in step.stderr.splitlines()[-1]
    assert f"{REDIS} (delete)" in step.stderr and "--allow-destroy" in step.stderr
    both = back_down["downgrade_and_destroy_allowed"]
    assert both.returncode == 0, both.stderr
    assert REDIS in both.changed("delete")
    assert not set(KEPT) & both.changed("delete", "replace")


# --- protected deletions: carried out by pvctl, step by step -----------------------------------


def test_scale_apply_lifts_the_redis_guard_then_restores_it(story: dict[str, Step]) -> None:
    err = story["apply_scale"].stderr
    for n in (1, 2, 3, 4):
        assert f"Step {n}/4" in err, err[-3000:]
    lift = next(line for line in err.splitlines() if "Step 1/4" in line)
    # Only the protected deletions are lifted: the replaced instance, nothing else.
    assert REDIS in lift and SQL not in lift and API not in lift
    after = story["apply_scale"].resources[REDIS]
    assert after["deletion_protection"] is True and after["tier"] == "STANDARD_HA"


def test_back_to_growth_replaces_redis_and_removes_the_scale_services(back_down: dict[str, Step]) -> None:
    plan = back_down["plan_back_to_growth"]
    assert plan.changed("replace") >= {REDIS}
    removed = plan.changed("delete")
    assert {
        "module.bff[0].module.service.google_cloud_run_v2_service.managed[0]",
        "module.webhooks[0].module.service.google_cloud_run_v2_service.managed[0]",
    } <= removed
    assert not set(KEPT) & (removed | plan.changed("replace"))
    after = back_down["apply_back_to_growth"].resources
    assert after[REDIS]["tier"] == "BASIC" and after[REDIS]["deletion_protection"] is True
    assert not [a for a in after if a.startswith(("module.bff[", "module.webhooks["))]
    for secret in SECRETS:
        assert after[secret]["deletion_protection"] is True
    assert back_down["apply_back_to_growth"].state["outputs"]["phase"]["value"] == "growth"


def test_back_to_growth_lifts_exactly_the_protected_deletions(back_down: dict[str, Step]) -> None:
    lift = next(line for line in back_down["interrupted_back_to_growth"].stderr.splitlines() if "Step 1/4" in line)
    assert "targeted apply of phase scale" in lift
    lifted = set(lift.split(": ", 1)[1].split(", "))
    plan = back_down["plan_back_to_growth"]
    protected = {
        rc["address"]
        for rc in plan.plan["resource_changes"]
        if "delete" in rc["change"]["actions"] and (rc["change"]["before"] or {}).get("deletion_protection") is True
    }
    assert lifted == protected and REDIS in lifted


def test_back_to_growth_converges_and_leaves_no_journal(back_down: dict[str, Step]) -> None:
    step = back_down["replan_growth"]
    assert step.returncode == 0, step.stderr + json.dumps(step.summary, indent=1)
    assert back_down["journal_left"].stdout == "False"


def test_an_interrupted_protected_apply_resumes_where_it_stopped(back_down: dict[str, Step]) -> None:
    first = back_down["interrupted_back_to_growth"]
    assert first.returncode != 0 and "Step 3/4" in first.stderr
    assert "Traceback" not in first.stderr
    assert "may be unprotected until the same command is run again" in " ".join(first.stderr.split())
    again = back_down["apply_back_to_growth"].stderr
    assert "resuming the protected apply after step replan" in " ".join(again.split())
    assert "Step 1/4" not in again and "Step 2/4" in again and "Step 4/4" in again
