"""Command-line options shared by pvctl commands, and the configuration they select.

The options that select a configuration (file, repository, environment and the settings a flag
can override) are declared once here; `@configured(...)` adds them to a command, which receives
them as one `Selection`.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

if TYPE_CHECKING:
    from pvctl.core.config import Config


def _complete_phase(incomplete: str) -> list[str]:
    from pvctl.core.phases import phase_names

    return [p for p in phase_names() if p.startswith(incomplete)]


Phase = Annotated[str, typer.Option("--phase", "-p", help="Phase: mvp, growth or scale.", autocompletion=_complete_phase)]
ConfigFile = Annotated[
    Path | None, typer.Option("--config", help="Configuration file (default: <repo>/pvctl.toml; env PVCTL_CONFIG).", show_default=False)
]
Repo = Annotated[
    Path | None,
    typer.Option(
        "--repo", help="Infrastructure repository root (default: found above the current folder; env PVCTL_REPO).", show_default=False
    ),
]
Env = Annotated[
    str | None,
    typer.Option(
        "--env",
        "-e",
        help="Environment: a name under [environments] in pvctl.toml (env PVCTL_ENV); needed when pvctl.toml defines environments.",
        show_default=False,
    ),
]
Project = Annotated[str | None, typer.Option("--project", help="GCP project ID (env PVCTL_PROJECT).", show_default=False)]
Region = Annotated[str | None, typer.Option("--region", help="Region (env PVCTL_REGION).", show_default=False)]
ApiImage = Annotated[str | None, typer.Option("--api-image", help="API container image (env PVCTL_API_IMAGE).", show_default=False)]
BffImage = Annotated[str | None, typer.Option("--bff-image", help="BFF container image (env PVCTL_BFF_IMAGE).", show_default=False)]
StateBucket = Annotated[
    str | None, typer.Option("--state-bucket", help="GCS bucket of the shared state (env PVCTL_STATE_BUCKET).", show_default=False)
]
Terraform = Annotated[
    str | None,
    typer.Option(
        "--terraform",
        help="Use this terraform executable instead of the bundled one (env PVCTL_TERRAFORM); it must match .terraform-version.",
        show_default=False,
    ),
]
Offline = Annotated[
    bool, typer.Option("--offline", help="Work on the local sandbox state with the stand-in provider; nothing reaches Google Cloud.")
]
Json = Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout; everything else goes to stderr.")]
Verbose = Annotated[bool, typer.Option(
    "--verbose", "-v", help="Stream Terraform's own output while it runs (it is always kept in .pvctl/<phase>/*.log).")]


@dataclass(frozen=True)
class Selection:
    """What the shared options select: the file, repository and environment, and flag overrides."""

    config: ConfigFile = None
    repo: Repo = None
    env: Env = None
    project: Project = None
    region: Region = None
    api_image: ApiImage = None
    bff_image: BffImage = None
    state_bucket: StateBucket = None

    def load(self) -> Config:
        """Load and validate the configuration; print its warnings on stderr."""
        from pvctl.core import console
        from pvctl.core.config import load_config
        from pvctl.cost.usage import check_overrides

        cfg = load_config(repo_root=self.repo, config_path=self.config, environment=self.env, flags={
            "project_id": self.project, "region": self.region, "api_image": self.api_image,
            "bff_image": self.bff_image, "state_bucket": self.state_bucket,
        })
        # The traffic profile's own rules live with the estimator; checked here so a bad value stops every command.
        check_overrides(cfg.usage_overrides)
        for line in cfg.warnings:
            console.warning(line)
        return cfg

    def load_each(self) -> list[Config]:
        """The selected environment's configuration; with none selected, every environment's in pvctl.toml order."""
        import os

        from pvctl.core.config import ENV_ENVIRONMENT, environment_names

        if self.env or os.environ.get(ENV_ENVIRONMENT):
            return [self.load()]
        names = environment_names(self.repo, self.config)
        return [replace(self, env=name).load() for name in names] if names else [self.load()]


def echo_json(document: Any) -> None:
    """What `--json` promises: one document on stdout (json is imported here, when used, not on every start)."""
    import json

    typer.echo(json.dumps(document, indent=2))


# Every command that reads pvctl.toml takes these; the rest are the flags of the settings it uses.
_ALWAYS = ("config", "repo", "env")
_FIELDS = {f.name: f for f in fields(Selection)}
F = TypeVar("F", bound=Callable[..., Any])


def configured(*overrides: str) -> Callable[[F], F]:
    """Give a command the shared configuration options (and the named setting flags) after its own.

    The command declares a `sel: Selection` parameter; its users see the options, never `sel`.
    """
    unknown = set(overrides) - set(_FIELDS) | set(overrides) & set(_ALWAYS)
    if unknown:
        raise TypeError(f"not a flag-overridable setting: {', '.join(sorted(unknown))}")
    names = (*_ALWAYS, *overrides)
    return lambda func: _Configured(func, names)  # type: ignore[return-value]


class _Configured:
    """A command with the shared options: what Typer reads of it (signature, annotations) is worked out when
    Typer builds the command, not when pvctl starts (evaluating every command's annotations is start-up time)."""

    def __init__(self, func: Callable[..., Any], names: tuple[str, ...]) -> None:
        functools.update_wrapper(self, func, assigned=("__module__", "__name__", "__qualname__", "__doc__"))
        self._func = func
        self._names = names

    @functools.cached_property
    def _runs_terraform(self) -> bool:
        """Commands with `--terraform` also take `-v` after their name (`pvctl plan --phase mvp -v`), where
        users type it, besides the root's `pvctl -v plan`."""
        code = self._func.__code__
        return "terraform" in code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        sel = Selection(**{n: kwargs.pop(n) for n in self._names})
        if kwargs.pop("verbose", False):
            from pvctl.core import console

            console.settings.verbose = True
        return self._func(*args, sel=sel, **kwargs)

    @functools.cached_property
    def __signature__(self) -> inspect.Signature:
        own = [p for p in inspect.signature(self._func, eval_str=True).parameters.values() if p.name != "sel"]
        hints = Selection.__annotations__
        shared = [inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, default=None,
                                    annotation=_resolved(hints[n])) for n in self._names]
        params = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in own] + shared
        if self._runs_terraform:
            params.append(inspect.Parameter("verbose", inspect.Parameter.KEYWORD_ONLY, default=False, annotation=Verbose))
        return inspect.Signature(params, return_annotation=None)

    @property
    def __annotations__(self) -> dict[str, Any]:  # type: ignore[override]
        return {p.name: p.annotation for p in self.__signature__.parameters.values()}


def _resolved(annotation: Any) -> Any:
    """Selection's annotations are strings (postponed evaluation); Typer needs the objects."""
    return globals()[annotation] if isinstance(annotation, str) else annotation
