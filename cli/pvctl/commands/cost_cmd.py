"""`pvctl cost` and `pvctl prices refresh`: thin over pvctl.cost."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pvctl.commands import options as o

if TYPE_CHECKING:
    from pvctl.core.config import Config

DEFAULT_REGION = "southamerica-east1"
API_KEY_ENV = "PVCTL_BILLING_API_KEY"

prices_app = typer.Typer(help="The list-price catalog pvctl estimates with.", no_args_is_help=True)

PlanJson = Annotated[
    Path | None,
    typer.Option(
        "--plan-json", help="Price this `terraform show -json` plan output (default .pvctl/<phase>/plan.json).", show_default=False
    ),
]
UsageFile = Annotated[
    Path | None, typer.Option("--usage", help="TOML file overriding usage keys (bare keys or [usage.<phase>] tables).", show_default=False)
]
CatalogFile = Annotated[
    Path | None,
    typer.Option(
        "--catalog", help="Price catalog JSON (default: .pvctl/prices/gcp.json if refreshed, else the packaged one).", show_default=False
    ),
]
PriceRegion = Annotated[
    str | None, typer.Option("--region", help="Price in this region (default: the configured region).", show_default=False)
]


def register(app: typer.Typer) -> None:
    app.command("cost")(cost)
    app.add_typer(prices_app, name="prices")


def _config(sel: o.Selection, required: bool) -> Config | None:
    """The configuration, or None when pricing a given plan file outside the repository."""
    from pvctl.core.errors import ConfigError

    try:
        return sel.load()
    except ConfigError:
        if required:
            raise
        return None


def _plan_for(phase: str, plan_json: Path | None, cfg: Config | None) -> dict:
    from pvctl.core import console
    from pvctl.cost.plan_input import load_plan
    from pvctl.engine.saved_plan import json_of, sidecar_of

    if plan_json is not None:
        return load_plan(plan_json)
    assert cfg is not None, "without a plan file the configuration is required (_config)"
    paths = cfg.paths
    plan_file = paths.default_plan(phase).resolve()
    saved = json_of(plan_file)
    if saved.is_file() and not sidecar_of(plan_file).is_file():
        # Not saved by `pvctl plan` (which writes the sidecar last): priced as given, like --plan-json.
        console.note(f"{saved}: no {sidecar_of(plan_file).name} says what it was planned from; pricing it as it is")
        return load_plan(saved)
    from pvctl.engine.session import open_phase, why_stale

    stale = why_stale(cfg, phase, plan_file) if saved.is_file() else None
    if saved.is_file() and stale is None:
        return load_plan(saved)
    # A phase's cost is that of everything its plan holds after apply (planned values),
    # so an offline plan prices it as well as a live one; none is saved yet on a fresh clone.
    console.note(f"{stale}; planning phase {phase} offline to price it" if stale else
                 f"no saved plan for phase {phase}: planning it offline to price it")
    run = open_phase(cfg, phase, "offline", to_stderr=True)
    if run.banner:  # always set for an offline run
        console.banner(run.banner)
    return run.plan(plan_file).plan


@o.configured()
def cost(
    sel: o.Selection,
    phase: Annotated[str | None, typer.Option("--phase", "-p", help="Phase to price: mvp, growth or scale.", show_default=False)] = None,
    region: PriceRegion = None,
    json_out: o.Json = False,
    markdown: Annotated[bool, typer.Option("--markdown", help="Print a Markdown table (for READMEs and pull requests).")] = False,
    plan_json: PlanJson = None,
    usage_file: UsageFile = None,
    compare: Annotated[
        tuple[str, str] | None,
        typer.Option("--compare", metavar="FROM TO", show_default=False,
                     help="Per-component cost change between two phases, e.g. --compare mvp growth."),
    ] = None,
    traffic: Annotated[
        str | None,
        typer.Option(
            "--traffic", help="Price with this phase's usage profile (with --compare: both phases at the same traffic).", show_default=False
        ),
    ] = None,
    catalog_file: CatalogFile = None,
) -> None:
    """Monthly cost of a phase as line items, priced from its Terraform plan and usage profile."""
    from pvctl.core import console
    from pvctl.core.errors import ConfigError
    from pvctl.core.phases import get_phase
    from pvctl.cost import render
    from pvctl.cost.baseline import Pricing
    from pvctl.cost.catalog import Catalog, default_path

    if (phase is None) == (compare is None):
        raise ConfigError(
            [("--phase / --compare", "give exactly one", "e.g. `pvctl cost --phase mvp` or `pvctl cost --compare mvp growth`")]
        )
    if json_out and markdown:
        raise ConfigError([("--json / --markdown", "give at most one", "--json for machines, --markdown for READMEs and pull requests")])
    if compare is not None and any("," in p for p in compare):
        raise ConfigError([("--compare", f"takes two phases apart, not {' '.join(compare)!r}",
                            "e.g. `pvctl cost --compare mvp growth`")])
    if compare is not None and plan_json is not None:
        raise ConfigError([("--plan-json", "does not combine with --compare", "compare reads .pvctl/<phase>/plan.json of both phases")])
    cfg = _config(sel, required=plan_json is None)
    catalog = Catalog.load(catalog_file or default_path(cfg.repo_root if cfg else None))
    pricing = Pricing.of(cfg, region or (None if cfg else DEFAULT_REGION), catalog, usage_file)
    catalog.check_region(pricing.region)
    phases_file = cfg.phases_file if cfg else None
    profile = get_phase(traffic, phases_file, "--traffic").name if traffic else None

    if compare is not None:
        from pvctl.cost.delta import compare as diff

        a, b = (get_phase(p, phases_file, "--compare").name for p in compare)
        est_a = pricing.estimate(_plan_for(a, None, cfg), a, profile or a)
        est_b = pricing.estimate(_plan_for(b, None, cfg), b, profile or b)
        delta = diff(est_a, est_b)
        if json_out:
            o.echo_json({
                "region": pricing.region, "currency": catalog.currency, "from": a, "to": b,
                "traffic": {a: est_a.profile, b: est_b.profile},
                "price_dates": sorted({d for e in (est_a, est_b) for d in (e.price_dates or ())}),
                "before": float(delta.before), "after": float(delta.after), "delta": float(delta.delta),
                "components": {c: {"from": float(x), "to": float(y), "delta": float(y - x)} for c, (x, y) in delta.by_component.items()},
                "resources": [r.as_json() for r in delta.resources],
            })
        else:
            typer.echo(render.compare_markdown(a, b, est_a, est_b, delta), nl=False)
        return

    assert phase is not None, "exactly one of --phase and --compare, checked above"
    name = get_phase(phase, phases_file).name
    est = pricing.estimate(_plan_for(name, plan_json, cfg), name, profile or name)
    if json_out:
        o.echo_json(est.as_json())
    elif markdown:
        typer.echo(render.markdown(est), nl=False)
    else:
        console.out().print(render.table(est), crop=False)


@prices_app.command("refresh")
def refresh(
    api_key: Annotated[
        str | None,
        typer.Option(
            "--api-key",
            help=f"Cloud Billing API key (env {API_KEY_ENV}); without one, Application Default Credentials.",
            show_default=False,
        ),
    ] = None,
    in_place: Annotated[
        bool,
        typer.Option(
            "--in-place", help="Rewrite the packaged catalog (maintainers, in a source checkout) instead of .pvctl/prices/gcp.json."
        ),
    ] = False,
    catalog_file: CatalogFile = None,
    endpoint: Annotated[
        str | None, typer.Option("--endpoint", help="Plain-text gRPC endpoint host:port of a Catalog API stand-in (testing).", hidden=True)
    ] = None,
    json_out: o.Json = False,
    repo: o.Repo = None,
) -> None:
    """Update list prices from the Cloud Billing Catalog API and report what changed."""
    from pvctl.core import console
    from pvctl.core.repo import find_repo_root
    from pvctl.cost.catalog import Catalog, default_path, packaged_path, user_path
    from pvctl.cost.refresh import make_client, refresh_catalog

    if in_place:
        target = catalog_file or packaged_path()
    else:
        target = catalog_file or user_path(find_repo_root(repo))
    source = Catalog.load(target if target.is_file() else default_path())
    client = make_client(api_key or os.environ.get(API_KEY_ENV), endpoint)
    report = refresh_catalog(source, target, client)
    if json_out:
        o.echo_json({"catalog": str(target), **report.as_json()})
        return
    out = console.out()
    out.print(f"Read {report.skus_read} SKUs; wrote {target}")
    for sku, region, old, new in report.changed:
        out.print(f"  changed   {sku} [{region}]: {old} → {new}")
    out.print(f"  unchanged {len(report.unchanged)} price(s)")
    for sku, region in report.not_found:
        console.warning(f"{sku} [{region}]: no matching OnDemand SKU in the catalog API; figure kept")
    for sku, region, candidates in report.ambiguous:
        console.warning(f"{sku} [{region}]: {len(candidates)} SKUs match ({'; '.join(candidates)}); figure kept")
