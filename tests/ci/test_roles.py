"""Which phases a live check plans, from the applied phase of the one shared state."""

from pvctl.ci.roles import live_roles

ORDER = ["mvp", "growth", "scale"]


def test_applied_phase_gates_the_next_previews_lower_ones_are_skipped():
    roles = live_roles(ORDER, "growth", ORDER)
    assert roles["growth"] == ("gating", "")
    assert roles["scale"][0] == "preview"
    assert roles["mvp"] == ("skipped", "not planned: below the applied phase growth, its plan would shrink the running system")


def test_once_scale_is_applied_nothing_below_is_planned():
    roles = live_roles(ORDER, "scale", ORDER)
    assert {p: r for p, (r, _) in roles.items()} == {"mvp": "skipped", "growth": "skipped", "scale": "gating"}


def test_a_new_project_gates_on_the_lowest_phase():
    roles = live_roles(ORDER, None, ORDER)
    assert roles["mvp"][0] == "gating" and "nothing applied yet" in roles["mvp"][1]
    assert roles["growth"][0] == "preview"
    assert roles["scale"] == ("skipped", "not planned: the next promotion from mvp is growth")


def test_only_requested_phases_get_a_role():
    assert live_roles(["scale"], "mvp", ORDER) == {"scale": ("skipped", "not planned: the next promotion from mvp is growth")}
    assert set(live_roles(["mvp", "growth"], "mvp", ORDER)) == {"mvp", "growth"}
