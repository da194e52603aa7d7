"""Which phases a live pull-request check plans, given the phase the shared state was applied by.

All phases of a project share one state. The applied phase's plan is the pull request's
effect on the running system: it gates the check. The next phase is the promotion a reviewer
may want to see coming: planned as a preview, its guarded replacements listed, not failed.
A lower phase, planned against that state, would shrink the running system (the downgrade
guard refuses it), so it is not planned; a phase beyond the next is not a promotion yet.
"""

from __future__ import annotations

from collections.abc import Sequence

from pvctl.ci.model import Role


def live_roles(requested: Sequence[str], applied: str | None, order: Sequence[str]) -> dict[str, tuple[Role, str]]:
    """{phase: (role, why)} for the requested phases; `order` is every phase, lowest first.

    Nothing applied yet (a new project): the lowest requested phase gates, as the first apply would.
    """
    known = [p for p in order if p in requested]
    if applied in order:
        gate = applied
    elif known:
        gate = known[0]
    else:
        return {}
    at = order.index(gate)
    roles: dict[str, tuple[Role, str]] = {}
    for phase in requested:
        index = order.index(phase)
        if phase == gate:
            why = "" if applied == gate else "nothing applied yet: the first apply would run this plan"
            roles[phase] = ("gating", why)
        elif index == at + 1:
            roles[phase] = ("preview", f"promotion preview from {gate}: informational, its guarded replacements do not fail the check")
        elif index < at:
            roles[phase] = ("skipped", f"not planned: below the applied phase {gate}, its plan would shrink the running system")
        else:
            roles[phase] = ("skipped", f"not planned: the next promotion from {gate} is {order[at + 1]}")
    return roles
