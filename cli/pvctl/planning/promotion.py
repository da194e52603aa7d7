"""Carry out a reviewed plan whose deletions the provider itself would refuse.

The google provider checks `deletion_protection` in its Delete functions (e.g.
google/services/redis/resource_redis_instance.go): a plan that replaces or removes a protected
Redis instance, Cloud Run service or secret fails half-way at apply. When the user approved
those deletions (`--allow-destroy`), pvctl runs them as one resumable sequence:

1. lift: a targeted apply of the configuration that created them (the applied phase), with
   `deletion_protection_lifted` naming exactly those addresses, so only their guard turns false;
2. re-plan the phase and check the plan is the reviewed one (or what is left of it, when
   resuming), apart from the guard attributes;
3. apply that plan;
4. restore: whatever was lifted and still exists gets its configured protection back (a
   replacement is created protected already).

Each finished step is written to `.pvctl/<phase>/promotion.json`; running the same apply again
resumes after the last finished step.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pvctl.core import console
from pvctl.core.errors import GuardRefusal, ToolError
from pvctl.core.files import write_atomic
from pvctl.engine.session import PhaseRun, SavedPlan
from pvctl.offline.rules import rules_for

LIFT_VARIABLE = "deletion_protection_lifted"
LIFTABLE = "deletion_protection"
STEPS = ("lift", "replan", "apply", "restore")


@dataclass(frozen=True)
class Guarded:
    address: str
    type_name: str
    attribute: str
    message: str


def guarded_deletions(plan: dict[str, Any]) -> list[Guarded]:
    """Deletions (replacements included) that a delete guard in the prior state would refuse."""
    found = []
    for rc in plan.get("resource_changes", []):
        change = rc["change"]
        if rc.get("mode") != "managed" or "delete" not in change["actions"]:
            continue
        before = change.get("before") or {}
        for guard in rules_for(rc["type"]).delete_guards:
            if before.get(guard["attribute"]) == guard["equals"]:
                found.append(Guarded(rc["address"], rc["type"], guard["attribute"], guard["message"]))
                break
    return found


def _guard_attributes(type_name: str) -> set[str]:
    return {g["attribute"] for g in rules_for(type_name).delete_guards}


def _changes(plan: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {rc["address"]: rc for rc in plan.get("resource_changes", [])
            if rc.get("mode") == "managed" and rc["change"]["actions"] != ["no-op"]}


# Cloud SQL's API-side guard, which a lift turns off with Terraform's (resource_sql_database_instance.go:
# the API refuses to delete an instance while settings.deletion_protection_enabled is true).
NESTED_GUARDS = {"settings": "deletion_protection_enabled"}


def _without(value: Any, names: set[str]) -> Any:
    """`value` without the named attributes and, when a guard is among them, without the nested guards."""
    if not isinstance(value, dict):
        return value
    kept = {k: v for k, v in value.items() if k not in names}
    if LIFTABLE in names:
        for block, attribute in NESTED_GUARDS.items():
            if isinstance(kept.get(block), list):
                kept[block] = [_without(b, {attribute}) for b in kept[block]]
    return kept


def differences(reviewed: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """How `new` departs from the reviewed plan, or from what is left of it after a partial apply.

    Guard attributes in `before` are ignored: lifting them is the point. A change may have
    progressed (a replacement whose delete is done is now a create; a finished change is gone),
    but nothing may be added and every remaining change must end where the reviewed one did.
    """
    problems = []
    old_changes = _changes(reviewed)
    for address, rc in _changes(new).items():
        old = old_changes.get(address)
        if old is None:
            problems.append(f"{address}: {'/'.join(rc['change']['actions'])} was not in the reviewed plan")
            continue
        ignore = _guard_attributes(rc["type"])
        if not set(rc["change"]["actions"]) <= set(old["change"]["actions"]):
            now, then = "/".join(rc["change"]["actions"]), "/".join(old["change"]["actions"])
            problems.append(f"{address}: now {now}, reviewed {then}")
        elif rc["change"]["actions"] == old["change"]["actions"] and \
                _without(rc["change"].get("before"), ignore) != _without(old["change"].get("before"), ignore):
            problems.append(f"{address}: its current state differs from the reviewed one")
        elif (rc["change"].get("after"), rc["change"].get("after_unknown")) != \
                (old["change"].get("after"), old["change"].get("after_unknown")):
            problems.append(f"{address}: planned values differ from the reviewed ones")
    return problems


def _journal_path(run: PhaseRun) -> Path:
    return run.paths.phase_dir(run.phase) / "promotion.json"


@dataclass
class Journal:
    path: Path
    plan_sha256: str
    addresses: list[str]
    lifted_phase: str
    done: list[str]

    @classmethod
    def _read(cls, run: PhaseRun, plan_file: Path) -> Journal | None:
        """The journal of an earlier run of this plan's protected apply, None when there is none."""
        path = _journal_path(run)
        try:
            digest = hashlib.sha256(plan_file.read_bytes()).hexdigest()
            data = json.loads(path.read_text())
            if data.get("plan_sha256") == digest:
                return cls(path, digest, data["addresses"], data["lifted_phase"], list(data["done"]))
        except (OSError, ValueError, KeyError):
            pass  # none, or unreadable: start over; every step is safe to repeat
        return None

    @classmethod
    def open(cls, run: PhaseRun, saved: SavedPlan, guarded: list[Guarded]) -> Journal:
        earlier = cls._read(run, saved.file)
        if earlier is not None:
            return earlier
        digest = hashlib.sha256(saved.file.read_bytes()).hexdigest()
        applied = (saved.state_outputs.get("phase") or {}).get("value") or run.phase
        return cls(_journal_path(run), digest, sorted(g.address for g in guarded), str(applied), [])

    def finish(self, step: str) -> None:
        self.done.append(step)
        if step == STEPS[-1]:
            self.path.unlink(missing_ok=True)
            return
        write_atomic(self.path, json.dumps({"plan_sha256": self.plan_sha256, "addresses": self.addresses,
                                            "lifted_phase": self.lifted_phase, "done": self.done}, indent=1))


def _sibling(run: PhaseRun, phase: str, lifted: Iterable[str]) -> PhaseRun:
    """The same Terraform and inputs for another phase's configuration, with some guards lifted."""
    env = {**run.runner.extra_env, f"TF_VAR_{LIFT_VARIABLE}": json.dumps(sorted(lifted))}
    runner = dataclasses.replace(run.runner, data_dir=run.paths.data_dir(phase, run.mode), extra_env=env)
    return dataclasses.replace(run, phase=phase, runner=runner)


def _check_lift_plan(plan: dict[str, Any], addresses: list[str], lifted: bool) -> None:
    """A lift (or restore) plan may only flip the guard of the named resources."""
    want = not lifted
    for address, rc in _changes(plan).items():
        before, after = rc["change"].get("before") or {}, rc["change"].get("after") or {}
        only_guard = rc["change"]["actions"] == ["update"] and \
            _without(before, {LIFTABLE}) == _without(after, {LIFTABLE}) and address in addresses
        if not only_guard:
            raise GuardRefusal(
                f"lifting deletion protection would also change {address} ({'/'.join(rc['change']['actions'])})",
                "the applied configuration has other pending changes: "
                "apply or revert them first, then run this apply again")
    for rc in plan.get("resource_changes", []):
        if rc["address"] in addresses and rc["change"]["actions"] in (["update"], ["no-op"]):
            if (rc["change"].get("after") or {}).get(LIFTABLE) is not want:
                raise GuardRefusal(
                    f"{rc['address']}: its module does not let pvctl set {LIFTABLE}={str(want).lower()} for it",
                    f"set {LIFTABLE} = false on it in the configuration by hand, apply, then apply this plan")


def _targeted(run: PhaseRun, name: str, addresses: list[str], lifted: bool) -> None:
    plan_file = run.paths.phase_dir(run.phase) / f"promotion-{name}.tfplan"
    saved = run.plan(plan_file, targets=addresses)
    _check_lift_plan(saved.plan, addresses, lifted)
    if _changes(saved.plan):
        run.apply(saved)


def resuming(run: PhaseRun, plan_file: Path) -> bool:
    """Whether an apply of this saved plan stopped part-way through its protected sequence: its
    finished steps changed the state, and the rest re-plans (the saved plan itself is never applied)."""
    return Journal._read(run, plan_file) is not None


def _say(step: int, text: str) -> None:
    console.err().print(f"[bold]Step {step}/{len(STEPS)}[/] {text}", soft_wrap=True)


def apply_reviewed(run: PhaseRun, saved: SavedPlan, allow_destroy: bool) -> None:
    """Apply a reviewed plan; protected deletions go through the lift/re-plan/apply/restore sequence."""
    guarded = guarded_deletions(saved.plan)
    if not guarded:
        run.apply(saved)
        return
    names = ", ".join(g.address for g in guarded)
    if not allow_destroy:
        raise GuardRefusal(f"the provider refuses to delete protected resources: {names}",
                           "pass --allow-destroy to let pvctl lift their deletion protection for this apply only")
    fixed = [g for g in guarded if g.attribute != LIFTABLE]
    if fixed:
        raise GuardRefusal(f"{fixed[0].address}: {fixed[0].message}",
                           f"change its {fixed[0].attribute} in the configuration, apply, then plan again")
    journal = Journal.open(run, saved, guarded)
    if journal.done:
        console.note(f"resuming the protected apply after step {journal.done[-1]} ({journal.path})")
    try:
        _carry_out(run, saved, journal)
    except (Exception, KeyboardInterrupt):
        if journal.done and journal.path.exists():
            console.warning(f"the protected apply stopped after step {journal.done[-1]}; "
                            f"{', '.join(journal.addresses)} may be unprotected until the same command is run again "
                            "(it resumes from there)")
        raise


def _carry_out(run: PhaseRun, saved: SavedPlan, journal: Journal) -> None:
    addresses = journal.addresses
    if "lift" not in journal.done:
        _say(1, f"lift deletion protection (targeted apply of phase {journal.lifted_phase}): {', '.join(addresses)}")
        _targeted(_sibling(run, journal.lifted_phase, addresses), "lift", addresses, lifted=True)
        journal.finish("lift")
    if "apply" not in journal.done:
        _say(2, f"re-plan phase {run.phase} and compare with the reviewed plan")
        replanned = run.plan(run.paths.phase_dir(run.phase) / "promotion-replan.tfplan")
        problems = differences(saved.plan, replanned.plan)
        if problems:
            _say(4, "restore deletion protection: the plan is not the reviewed one")
            _restore(run, journal)
            journal.path.unlink(missing_ok=True)  # protection is back: nothing to resume
            raise GuardRefusal("the plan changed since it was reviewed: " + "; ".join(problems),
                               f"review a new plan with `pvctl plan --phase {run.phase}` and apply that")
        journal.finish("replan")
        _say(3, f"apply phase {run.phase}")
        run.apply(replanned)
        journal.finish("apply")
    _say(4, "restore deletion protection on what was lifted and still exists")
    _restore(run, journal)
    journal.finish("restore")


def _restore(run: PhaseRun, journal: Journal) -> None:
    """Targeted apply of the guards' configured values on the lifted resources still in the state."""
    present = set(_state_addresses(run))
    left = [a for a in journal.addresses if a in present]
    if not left:
        console.note("nothing to restore: the lifted resources were replaced (created protected) or removed")
        return
    # Restore with the configuration that lifted them when the phase being applied no longer has them.
    target_run = _sibling(run, run.phase if "apply" in journal.done else journal.lifted_phase, [])
    _targeted(target_run, "restore", left, lifted=False)


def _state_addresses(run: PhaseRun) -> list[str]:
    result = run.runner.run(["state", "list"], run.cwd, capture=True)
    if result.returncode != 0:
        raise ToolError(f"terraform state list failed for phase {run.phase}: {result.stderr.strip()[-300:]}",
                        "check the state backend and run the same apply again (it resumes)")
    return result.stdout.split()
