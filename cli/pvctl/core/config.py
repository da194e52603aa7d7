"""pvctl.toml + environment + flags -> one validated, frozen Config.

Precedence, highest first: flag, environment variable (PVCTL_*), the selected
[environments.<name>] of pvctl.toml, the rest of pvctl.toml, default.
Every problem is collected and reported together, one line each, naming the field.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pvctl.core import limits, validate
from pvctl.core.errors import ConfigError
from pvctl.core.phases import Phase, default_phases_file, effective_tables, get_phase, load_phases, repository_phases_file
from pvctl.core.repo import RepoPaths, find_repo_root

CONFIG_NAME = "pvctl.toml"
EXAMPLE_NAME = "pvctl.example.toml"
ENV_CONFIG = "PVCTL_CONFIG"
ENV_ENVIRONMENT = "PVCTL_ENV"
ENVIRONMENTS = "environments"
# An environment's name keys folders under .pvctl/: lower-case letters, digits and dashes.
_ENV_NAME = re.compile(r"[a-z][a-z0-9-]{0,29}")


@dataclass(frozen=True)
class Setting:
    """One scalar/table setting: where it lives in pvctl.toml, its env var and flag."""

    name: str
    section: str
    key: str
    kind: type
    default: Any = None
    env: str | None = None
    flag: str | None = None
    check: Callable[[Any], validate.Problem] | None = None


SETTINGS: tuple[Setting, ...] = (
    Setting("project_id", "project", "id", str, None, "PVCTL_PROJECT", "--project", validate.project_id),
    Setting("region", "project", "region", str, "southamerica-east1", "PVCTL_REGION", "--region", validate.region),
    Setting("domain", "project", "domain", str, None, "PVCTL_DOMAIN", None, validate.domain),
    Setting("name_prefix", "project", "name_prefix", str, "pv", "PVCTL_NAME_PREFIX", None, validate.name_prefix),
    Setting("labels", "project", "labels", dict, None),
    Setting("alert_email", "project", "alert_email", str, None, "PVCTL_ALERT_EMAIL", None, validate.email),
    Setting("deletion_protection", "project", "deletion_protection", bool, True, "PVCTL_DELETION_PROTECTION"),
    Setting("api_image", "images", "api", str, None, "PVCTL_API_IMAGE", "--api-image", validate.image),
    Setting("bff_image", "images", "bff", str, None, "PVCTL_BFF_IMAGE", "--bff-image", validate.image),
    Setting("images_managed_by_ci", "images", "managed_by_ci", bool, False, "PVCTL_IMAGES_MANAGED_BY_CI"),
    Setting("state_bucket", "state", "bucket", str, None, "PVCTL_STATE_BUCKET", "--state-bucket", validate.bucket),
    Setting("state_prefix", "state", "prefix", str, "pvctl", "PVCTL_STATE_PREFIX", None, validate.state_prefix),
    Setting("billing_account", "billing", "account", str, None, "PVCTL_BILLING_ACCOUNT", None, validate.billing_account),
    Setting("budget_usd", "billing", "budget_usd", float, None, "PVCTL_BUDGET_USD"),
    # Other environments (projects) bill to the same account: its free tiers are theirs too.
    Setting("shared_billing_account", "billing", "shared_account", bool, False, "PVCTL_SHARED_BILLING_ACCOUNT"),
    Setting("db_admin_password_version", "database", "admin_password_version", int, 1, "PVCTL_DB_ADMIN_PASSWORD_VERSION"),
    Setting("extra_stateful_types", "guards", "extra_stateful_types", list, None),
)
_BY_TOML = {(s.section, s.key): s for s in SETTINGS}
_SECTIONS = sorted({s.section for s in SETTINGS} | {"phases", "usage"})  # also the sections of an environment


@dataclass(frozen=True)
class Config:
    project_id: str
    region: str
    domain: str | None
    name_prefix: str
    labels: dict[str, str]
    alert_email: str | None
    images: dict[str, str | None]          # {"api": ..., "bff": ...}
    images_managed_by_ci: bool
    deletion_protection: bool
    state_bucket: str | None
    state_prefix: str
    billing_account: str | None
    budget_usd: float | None
    db_admin_password_version: int         # bump to push a new PVCTL_DB_ADMIN_PASSWORD to Cloud SQL
    extra_stateful_types: tuple[str, ...]
    phase_overrides: dict[str, dict[str, dict[str, Any]]]  # phase -> table -> key -> value
    usage_overrides: dict[str, dict[str, Any]]             # phase -> key -> value
    sources: dict[str, str]                                # field -> where its value came from
    repo_root: Path
    config_file: Path | None
    from_example: bool = False
    warnings: tuple[str, ...] = field(default=())
    phases_file: Path | None = None        # phase defaults from this phases.toml (pvctl ci: the base commit's)
    sandbox_state: Path | None = None      # offline state file instead of .pvctl/sandbox/<project>/ (pvctl ci: the base applied)
    shared_billing_account: bool = False   # cost estimates then credit no per-account free tier
    environment: str | None = None         # the [environments.<name>] selected; None: pvctl.toml has none
    environments: tuple[str, ...] = ()     # every environment pvctl.toml defines

    @property
    def paths(self) -> RepoPaths:
        """pvctl's working folders for this configuration: each environment has its own."""
        return RepoPaths(self.repo_root, self.environment)

    def require_for_phase(self, phase: str) -> None:
        """Values optional in general but needed by this phase's Terraform inputs."""
        tables = get_phase(phase, self.phases_file).tables
        problems = []
        if not self.domain:
            problems.append(("project.domain", "missing", "set the site's host name in pvctl.toml or PVCTL_DOMAIN"))
        if not self.images.get("api"):
            problems.append(("images.api", "missing", "set the API image reference in pvctl.toml, PVCTL_API_IMAGE or --api-image"))
        if "bff" in tables and not self.images.get("bff"):
            problems.append(
                ("images.bff", f"missing (phase {phase} runs the Next.js BFF)", "set it in pvctl.toml, PVCTL_BFF_IMAGE or --bff-image")
            )
        if "monitoring" in tables and not self.alert_email:
            problems.append(("project.alert_email", f"missing (phase {phase} sends alerts)", "set it in pvctl.toml or PVCTL_ALERT_EMAIL"))
        if problems:
            raise ConfigError(problems)

    def require_real_file(self) -> None:
        """Live runs must not touch a project named in the committed example."""
        if self.from_example:
            raise ConfigError([(CONFIG_NAME, "missing (the values come from pvctl.example.toml)",
                                f"copy {EXAMPLE_NAME} to {CONFIG_NAME} and set your project before a live run")])


def load_config(
    repo_root: Path | str | None = None,
    config_path: Path | str | None = None,
    flags: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
    environment: str | None = None,
) -> Config:
    """The effective configuration.

    flags maps Config field names (project_id, region, api_image, bff_image, state_bucket)
    to values given on the command line; None values are ignored. env defaults to os.environ.
    `environment` (else PVCTL_ENV) selects an [environments.<name>] table of pvctl.toml.
    Without pvctl.toml the committed pvctl.example.toml is used and a warning says so.
    """
    env = os.environ if env is None else env
    flags = {k: v for k, v in (flags or {}).items() if v is not None}
    root = find_repo_root(repo_root, env=env)
    phases_file = repository_phases_file(root)
    phases = load_phases(phases_file)
    path, from_example, warnings = _locate(root, config_path, env)
    raw = _read(path) if path else {}
    problems: list[tuple[str, str, str]] = []
    file_label = path.name if path else CONFIG_NAME
    envs = _environments(raw.get(ENVIRONMENTS), problems)
    _check_unknown(raw, problems)
    for name, body in envs.items():
        _check_unknown(body, problems, f"{ENVIRONMENTS}.{name}.")
    _check_environments(raw, envs, problems)
    chosen = _select(environment, env, envs, problems)
    layers: list[Layer] = [(envs[chosen], f"{ENVIRONMENTS}.{chosen}.", f"{file_label} [{ENVIRONMENTS}.{chosen}]")] if chosen else []
    layers.append((raw, "", file_label))

    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    wheres: dict[str, str] = {}  # the field a problem with the value names
    for s in SETTINGS:
        value, sources[s.name], wheres[s.name] = _resolve(s, layers, flags, env, problems)
        values[s.name] = value
        if value is not None and s.check and isinstance(value, s.kind):
            bad = s.check(value)
            if bad:
                problems.append((wheres[s.name], *bad))

    labels = values["labels"] or {}
    for k, v in labels.items():
        bad = validate.label(k, v)
        if bad:
            problems.append((f"project.labels.{k}", *bad))
    if values["project_id"] is None and not envs:  # an environment's missing project is reported with the others
        problems.append(("project.id", "missing", "set [project] id in pvctl.toml, PVCTL_PROJECT or --project"))
    if values["db_admin_password_version"] is not None and values["db_admin_password_version"] < 1:
        problems.append(
            (
                "database.admin_password_version",
                f"{values['db_admin_password_version']} is not a positive integer",
                "start at 1 and add 1 for each new password",
            )
        )
    if values["budget_usd"] is not None and (bad_budget := limits.budget_amount(values["budget_usd"])):
        problems.append((wheres["budget_usd"], *bad_budget))
    extra_types = values["extra_stateful_types"] or []
    if not all(isinstance(t, str) for t in extra_types):
        problems.append(("guards.extra_stateful_types", "must be a list of resource type names", 'e.g. ["google_storage_bucket"]'))

    # Base tables first, then the environment's: its keys win, table by table.
    phase_overrides: dict[str, dict[str, dict[str, Any]]] = {}
    usage_overrides: dict[str, dict[str, Any]] = {}
    for layer, prefix, label in reversed(layers):
        for name, tables in _phase_overrides(phases, layer.get("phases", {}), problems, sources, label, prefix).items():
            for table, keys in tables.items():
                phase_overrides.setdefault(name, {}).setdefault(table, {}).update(keys)
        for name, usage in _usage_overrides(phases, layer.get("usage", {}), problems, sources, label, prefix).items():
            usage_overrides.setdefault(name, {}).update(usage)
    # Overrides of the wrong type are already reported and left out; now Google's limits on each phase as it will run.
    defaults_file = phases_file or default_phases_file()
    shown_file = defaults_file.relative_to(root) if defaults_file.is_relative_to(root) else defaults_file
    for phase in phases.values():
        def field(table: str, key: str, phase: str = phase.name) -> str:
            """The pvctl.toml key that overrides the value, else the phases.toml line that sets it."""
            overridden = key in phase_overrides.get(phase, {}).get(table, {})
            return f"phases.{phase}.{table}.{key}" if overridden else f"{shown_file} [{phase}.{table}] {key}"

        problems.extend(limits.table_problems(phase.name, effective_tables(phase, phase_overrides), field))
    if problems:
        raise ConfigError(problems)

    for name in ("api_image", "bff_image"):
        ref = values[name]
        if ref and validate.image_is_moving(ref) and not values["images_managed_by_ci"]:
            warnings.append(
                f"images.{name[:3]}: {ref!r} is a moving tag — Terraform will not notice new pushes; "
                "pin a version tag or @sha256 digest (or set images.managed_by_ci = true)"
            )

    return Config(
        project_id=values["project_id"], region=values["region"], domain=values["domain"],
        name_prefix=values["name_prefix"], labels={"managed-by": "pvctl", **labels},
        alert_email=values["alert_email"], images={"api": values["api_image"], "bff": values["bff_image"]},
        images_managed_by_ci=values["images_managed_by_ci"], deletion_protection=values["deletion_protection"],
        state_bucket=values["state_bucket"], state_prefix=values["state_prefix"],
        billing_account=values["billing_account"], budget_usd=values["budget_usd"],
        db_admin_password_version=values["db_admin_password_version"],
        extra_stateful_types=tuple(extra_types), phase_overrides=phase_overrides,
        usage_overrides=usage_overrides, sources=sources, repo_root=root, config_file=path,
        from_example=from_example, warnings=tuple(warnings),
        shared_billing_account=values["shared_billing_account"],
        environment=chosen, environments=tuple(envs), phases_file=phases_file,
    )


def environment_names(repo_root: Path | str | None = None, config_path: Path | str | None = None,
                      env: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """The environments pvctl.toml defines (none: it has no [environments]); load_config checks them."""
    env = os.environ if env is None else env
    path, _, _ = _locate(find_repo_root(repo_root, env=env), config_path, env)
    return tuple(_environments((_read(path) if path else {}).get(ENVIRONMENTS), []))


def _environments(raw: Any, problems: list) -> dict[str, dict[str, Any]]:
    """The well-formed [environments.<name>] tables; a problem for each other entry."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problems.append((ENVIRONMENTS, "must be tables", f"write [{ENVIRONMENTS}.<name>.project] with id = ..."))
        return {}
    found = {}
    for name, body in raw.items():
        where = f"{ENVIRONMENTS}.{name}"
        if not _ENV_NAME.fullmatch(name):
            problems.append(
                (where, "is not a valid environment name", "use 1-30 lower-case letters, digits and dashes, starting with a letter")
            )
        elif not isinstance(body, dict):
            problems.append((where, f"expected tables, got {_describe(body)}", f"write [{where}.project] with id = ..."))
        else:
            found[name] = body
    return found


def _project_of(body: Mapping[str, Any]) -> Any:
    project = body.get("project")
    return project.get("id") if isinstance(project, dict) else None


def _state_of(body: Mapping[str, Any], raw: Mapping[str, Any]) -> tuple[Any, Any]:
    """(bucket, prefix) of an environment's live state as pvctl.toml sets it."""
    def pick(key: str) -> Any:
        for layer in (body, raw):
            state = layer.get("state")
            if isinstance(state, dict) and key in state:
                return state[key]
        return _BY_TOML[("state", key)].default
    return pick("bucket"), pick("prefix")


def _check_environments(raw: Mapping[str, Any], envs: Mapping[str, Mapping[str, Any]], problems: list) -> None:
    """Each environment names its own project and, sharing a state bucket, its own state prefix."""
    if not envs:
        return
    if _project_of(raw) is not None:
        problems.append(("project.id", f"set outside [{ENVIRONMENTS}], which would give every environment one project",
                         f"move it into [{ENVIRONMENTS}.<name>.project] of each environment"))
    projects: dict[Any, str] = {}
    states: dict[tuple[Any, Any], str] = {}
    for name, body in envs.items():
        project = _project_of(body)
        if project is None:
            problems.append((f"{ENVIRONMENTS}.{name}.project.id", "missing (each environment has its own project)",
                             f"set id under [{ENVIRONMENTS}.{name}.project]"))
        elif project in projects:
            problems.append((f"{ENVIRONMENTS}.{name}.project.id", f"{project!r} is also the project of environment {projects[project]}",
                             "give each environment its own GCP project"))
        else:
            projects[project] = name
        bucket, prefix = _state_of(body, raw)
        if bucket is not None and (bucket, prefix) in states:
            problems.append(
                (
                    f"{ENVIRONMENTS}.{name}.state.prefix",
                    f"gs://{bucket}/{prefix} is also the state of environment {states[bucket, prefix]}",
                    f"give it its own bucket or prefix under [{ENVIRONMENTS}.{name}.state]",
                )
            )
        elif bucket is not None:
            states[bucket, prefix] = name


def _select(given: str | None, env: Mapping[str, str], envs: Mapping[str, Any], problems: list) -> str | None:
    """The environment --env or PVCTL_ENV names; None when pvctl.toml has none."""
    where, name = ("--env", given) if given else (ENV_ENVIRONMENT, env.get(ENV_ENVIRONMENT) or None)
    if name is None:
        if envs:
            problems.append(
                ("--env", f"missing (pvctl.toml defines environments {', '.join(envs)})", f"pass --env NAME or set {ENV_ENVIRONMENT}")
            )
        return None
    if name not in envs:
        known = f"use one of: {', '.join(envs)}" if envs else f"add [{ENVIRONMENTS}.{name}.project] to pvctl.toml, or leave {where} out"
        problems.append((where, f"{name!r} is not an environment of pvctl.toml", known))
        return None
    return name


def _locate(root: Path, config_path: Path | str | None, env: Mapping[str, str]) -> tuple[Path | None, bool, list[str]]:
    explicit = config_path or env.get(ENV_CONFIG)
    if explicit:
        path = Path(explicit)
        if not path.is_absolute():
            path = Path.cwd() / path
        if not path.is_file():
            raise ConfigError([("--config", f"{path} does not exist", f"give an existing file, or unset {ENV_CONFIG}")])
        return path, False, []
    if (root / CONFIG_NAME).is_file():
        return root / CONFIG_NAME, False, []
    if (root / EXAMPLE_NAME).is_file():
        return (
            root / EXAMPLE_NAME,
            True,
            [f"no {CONFIG_NAME}: using {EXAMPLE_NAME} (fine for offline plans); copy it to {CONFIG_NAME} and set your project"],
        )
    return None, False, []


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([(path.name, f"is not valid TOML ({exc})", "fix the syntax at that line")]) from None
    except UnicodeDecodeError as exc:
        raise ConfigError([(str(path), f"is not UTF-8 text (byte {exc.object[exc.start]:#04x} at offset {exc.start})",
                            "save the file as UTF-8 (TOML files are UTF-8)")]) from None
    except OSError as exc:
        raise ConfigError([(str(path), f"cannot be read ({exc.strerror})", "check the path and its permissions")]) from None


def _check_unknown(raw: Mapping[str, Any], problems: list, prefix: str = "") -> None:
    """Unknown sections and keys; `prefix` names an environment's tables (which hold no environments)."""
    sections = _SECTIONS if prefix else sorted([*_SECTIONS, ENVIRONMENTS])
    for section, body in raw.items():
        if section not in sections:
            problems.append((f"{prefix}{section}", "unknown section", f"use one of: {', '.join(sections)}"))
        elif section not in ("phases", "usage", ENVIRONMENTS):
            if not isinstance(body, dict):
                problems.append((f"{prefix}{section}", "must be a table", f"write it as [{prefix}{section}]"))
                continue
            known = [s.key for s in SETTINGS if s.section == section]
            for key in body:
                if key not in known:
                    problems.append((f"{prefix}{section}.{key}", "unknown key", f"known keys in [{section}]: {', '.join(known)}"))


Layer = tuple[Mapping[str, Any], str, str]  # pvctl.toml tables, their field prefix, their source label


def _resolve(s: Setting, layers: list[Layer], flags: Mapping[str, Any], env: Mapping[str, str], problems: list) -> tuple[Any, str, str]:
    """(value, source, field to name in a problem): the flag, the env var, the first layer setting it, the default."""
    if s.name in flags and s.flag:
        return _coerce(s, flags[s.name], s.flag, problems), f"flag {s.flag}", s.flag
    if s.env and env.get(s.env, "") != "":
        return _coerce(s, env[s.env], s.env, problems), f"env {s.env}", s.env
    for raw, prefix, label in layers:
        section = raw.get(s.section)
        if isinstance(section, dict) and s.key in section:
            where, value = f"{prefix}{s.section}.{s.key}", section[s.key]
            if not _type_ok(s.kind, value):
                problems.append((where, f"expected {_TYPE_NAMES[s.kind]}, got {_describe(value)}", f"write it as {_example(s.kind)}"))
                return None, label, where
            return (float(value) if s.kind is float else value), label, where
    return s.default, "default", f"{s.section}.{s.key}"


def _coerce(s: Setting, value: Any, where: str, problems: list) -> Any:
    """Env vars and flags arrive as strings."""
    if not isinstance(value, str) or s.kind is str:
        return value
    if s.kind is bool:
        lowered = value.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off"):
            return False
        problems.append((where, f"{value!r} is not a boolean", "use true or false"))
        return None
    if s.kind in (float, int):
        try:
            return s.kind(value)
        except ValueError:
            problems.append(
                (
                    where,
                    f"{value!r} is not {'a whole number' if s.kind is int else 'a number'}",
                    f"give a plain number, e.g. {_example(s.kind)}",
                )
            )
            return None
    return value


_TYPE_NAMES = {str: "a string", bool: "true or false", float: "a number", int: "an integer", dict: "a table", list: "a list"}

# Phase-table keys whose value picks between fixed alternatives in the environments (each also
# checked by a Terraform validation); other values are sizes and tiers Terraform or Google check.
_CHOICES: dict[tuple[str, str], tuple[str, ...]] = {("connector", "egress"): ("connector", "direct")}


def _example(kind: type) -> str:
    return {str: '"text"', bool: "true", float: "450", int: "3", dict: "{ key = \"value\" }", list: '["a", "b"]'}[kind]


def _describe(value: Any) -> str:
    return f"{_TYPE_NAMES.get(type(value), type(value).__name__)} ({value!r})"


def _type_ok(kind: type, value: Any) -> bool:
    if kind is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind is list:
        return isinstance(value, list)
    return isinstance(value, kind)


def _check_override(where: str, default: Any, value: Any, problems: list) -> bool:
    """An override must keep the default's TOML type (ints may stand for floats)."""
    if isinstance(default, list):
        element = type(default[0]) if default else str
        ok = isinstance(value, list) and all(_type_ok(element, v) for v in value)
        kind = f"a list like {default!r}"
    else:
        ok = _type_ok(type(default), value)
        kind = _TYPE_NAMES.get(type(default), type(default).__name__)
    if not ok:
        problems.append((where, f"expected {kind}, got {_describe(value)}", f"use the type of the default {default!r}"))
    return ok


def _known_phases(
    phases: Mapping[str, Phase], raw: Any, section: str, layout: str, problems: list
) -> Iterator[tuple[str, Phase, Any]]:
    """(name, defaults, body) for each known phase under [<section>.<phase>]; problems for the rest."""
    if not isinstance(raw, dict):
        problems.append((section, "must be tables", f"write {layout}"))
        return
    for name, body in raw.items():
        if name in phases:
            yield name, phases[name], body
        else:
            problems.append((f"{section}.{name}", "unknown phase", f"use one of: {', '.join(phases)}"))


def _known_keys(where: str, defaults: Mapping[str, Any], keys: Any, problems: list, sources: dict, label: str,
                prefix: str = "") -> dict[str, Any]:
    """The keys of table `where` that `defaults` has, each of the default's type; problems for the rest.

    Sources are recorded under the name without `prefix` (the environment's), as Config reports them.
    """
    if not isinstance(keys, dict):
        problems.append((where, "must be a table", f"write [{where}] with key = value lines"))
        return {}
    found = {}
    for key, value in keys.items():
        if key not in defaults:
            problems.append((f"{where}.{key}", "unknown key", f"keys of {where}: {', '.join(defaults)}"))
        elif _check_override(f"{where}.{key}", defaults[key], value, problems):
            found[key] = value
            sources[f"{where.removeprefix(prefix)}.{key}"] = label
    return found


def _phase_overrides(
    phases: Mapping[str, Phase], raw: Any, problems: list, sources: dict, label: str, prefix: str = ""
) -> dict[str, dict[str, dict[str, Any]]]:
    result: dict[str, dict[str, dict[str, Any]]] = {}
    for phase, defaults, tables in _known_phases(phases, raw, f"{prefix}phases", f"[{prefix}phases.<phase>.<table>]", problems):
        if not isinstance(tables, dict):
            problems.append(
                (
                    f"{prefix}phases.{phase}",
                    f"expected tables, got {_describe(tables)}",
                    f"write [{prefix}phases.{phase}.<table>] with key = value lines",
                )
            )
            continue
        for table, keys in tables.items():
            where = f"{prefix}phases.{phase}.{table}"
            if table not in defaults.tables:
                hint = f" (traffic profiles go under [{prefix}usage.<phase>])" if table == "usage" else ""
                problems.append((where, f"phase {phase} has no table {table!r}{hint}", f"use one of: {', '.join(defaults.tables)}"))
            elif values := _known_keys(where, defaults.tables[table], keys, problems, sources, label, prefix):
                values = {k: v for k, v in values.items() if _choice_ok(f"{where}.{k}", table, k, v, problems)}
                if values:
                    result.setdefault(phase, {})[table] = values
    return result


def _choice_ok(where: str, table: str, key: str, value: Any, problems: list) -> bool:
    choices = _CHOICES.get((table, key))
    if choices is None or value in choices:
        return True
    problems.append((where, f"{value!r} is not one of {', '.join(choices)}", f"use {' or '.join(repr(c) for c in choices)}"))
    return False


def _usage_overrides(
    phases: Mapping[str, Phase], raw: Any, problems: list, sources: dict, label: str, prefix: str = ""
) -> dict[str, dict[str, Any]]:
    result: dict[str, dict[str, Any]] = {}
    for phase, defaults, keys in _known_phases(phases, raw, f"{prefix}usage", f"[{prefix}usage.<phase>]", problems):
        if values := _known_keys(f"{prefix}usage.{phase}", defaults.usage, keys or {}, problems, sources, label, prefix):
            result[phase] = values
    return result


def effective_values(config: Config) -> list[tuple[str, Any, str]]:
    """(setting, value, source) rows: the settings, then each phase/usage override."""
    images = {"api_image": config.images["api"], "bff_image": config.images["bff"]}
    rows = []
    for s in SETTINGS:
        value = images[s.name] if s.name in images else getattr(config, s.name)
        if isinstance(value, tuple):
            value = list(value)
        rows.append((f"{s.section}.{s.key}", value, config.sources[s.name]))
    for phase, tables in config.phase_overrides.items():
        for table, keys in tables.items():
            for key, value in keys.items():
                rows.append((f"phases.{phase}.{table}.{key}", value, config.sources[f"phases.{phase}.{table}.{key}"]))
    for phase, keys in config.usage_overrides.items():
        for key, value in keys.items():
            rows.append((f"usage.{phase}.{key}", value, config.sources[f"usage.{phase}.{key}"]))
    return rows
