"""pvctl's offline stand-in for registry.terraform.io/hashicorp/google (plugin protocol 6).

Started by Terraform (never by hand) through the wiring in `pvctl.offline.wiring`:
`python -m pvctl.offline.provider`. It serves the real 8.7.0 schema (as pvctl's server, the part
of it pvctl asks for: `schema_subset`), plans from it (`planning`), and "applies" into the local
sandbox state with plausible values (`sandbox`). No call leaves the machine.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import grpc

from pvctl.core.once import once
from pvctl.offline import cty, goplugin
from pvctl.offline.checks import check_config
from pvctl.offline.derived import derived
from pvctl.offline.planning import ProviderDefaults, plan_change
from pvctl.offline.proto import DESCRIPTOR_FILE, Message, message
from pvctl.offline.rules import RULES_FILE, document, rules_for
from pvctl.offline.sandbox import SANDBOX_PLACEHOLDER, fill_unknowns, read_data_source
from pvctl.offline.schema import SCHEMA_FILE, Block, CtyType, Kind, load_schema, mark_all_sensitive, raw_schema
from pvctl.offline.schema_subset import ENV_TYPES_FILE, SubsetAnswers, requested_types

SERVICE = "tfplugin6.Provider"
APP_PROTOCOL = 6
_NESTING = {"single": 1, "list": 2, "set": 3, "map": 4, "group": 5}


# ---- schema response -------------------------------------------------------------------

def _fill_block(msg: Message, raw: dict) -> None:
    for name in sorted(raw.get("attributes", {})):
        a = raw["attributes"][name]
        msg.attributes.add(
            name=name, type=json.dumps(a["type"], separators=(",", ":")).encode(),
            required=a.get("required", False), optional=a.get("optional", False), computed=a.get("computed", False),
            sensitive=a.get("sensitive", False), write_only=a.get("write_only", False),
        )
    for name in sorted(raw.get("block_types", {})):
        b = raw["block_types"][name]
        nested = msg.block_types.add(
            type_name=name, nesting=_NESTING[b["nesting_mode"]], min_items=b.get("min_items", 0), max_items=b.get("max_items", 0)
        )
        nested.block.SetInParent()  # Terraform dereferences it even for an empty block
        _fill_block(nested.block, b["block"])


def build_schema_response() -> bytes:
    from pvctl.offline.schema import PROVIDER_ADDRESS

    raw = raw_schema()["provider_schemas"][PROVIDER_ADDRESS]
    mark_all_sensitive(raw)
    resp = message("GetProviderSchema.Response")()
    resp.server_capabilities.get_provider_schema_optional = True
    resp.provider.block.SetInParent()
    _fill_block(resp.provider.block, raw["provider"]["block"])
    for field, section in (("resource_schemas", "resource_schemas"), ("data_source_schemas", "data_source_schemas"),
                           ("ephemeral_resource_schemas", "ephemeral_resource_schemas")):
        target = getattr(resp, field)
        for name, schema in raw[section].items():
            entry = target[name]
            entry.version = schema.get("version", 0)
            entry.block.SetInParent()
            _fill_block(entry.block, schema["block"])
    return resp.SerializeToString(deterministic=True)


def schema_response_bytes(env: Mapping[str, str] = os.environ) -> bytes:
    """The serialized GetProviderSchema answer: building it takes ~1 s."""
    sources = (SCHEMA_FILE, RULES_FILE, DESCRIPTOR_FILE, Path(__file__))  # the rules decide `sensitive`
    return derived("schema-response", sources, build_schema_response, env)


@once
def _schema_response() -> bytes:
    # Kept in memory: one server answers every command and provider instance of a pvctl run.
    return schema_response_bytes()


@once
def _subsets() -> SubsetAnswers:
    return SubsetAnswers(_schema_response(), message("GetProviderSchema.Response"))


def _schema_answer() -> bytes:
    """The whole schema, or the part pvctl asked for (`schema_subset`)."""
    requested = requested_types()
    return _schema_response() if requested is None else _subsets().answer(requested)[0]


def _served_names() -> frozenset[str] | None:
    """The names `_schema_answer` serves now; None for all."""
    requested = requested_types()
    return None if requested is None else _subsets().answer(requested)[1]


def _warm_up() -> None:
    load_schema()
    _schema_response()
    document()  # the rules, which the first ValidateResourceConfig calls need


# ---- helpers ---------------------------------------------------------------------------

def _diag(severity: str, summary: str, detail: str = "", path: tuple[str | int, ...] = ()) -> Message:
    severity_value = message("Diagnostic").Severity.Value(severity)
    diag = message("Diagnostic")(severity=severity_value, summary=summary, detail=detail)
    _fill_path(diag.attribute, path)
    return diag


def _fill_path(msg: Message, steps: Iterable[str | int]) -> None:
    """An AttributePath: names for attributes and blocks, integers for list elements."""
    for step in steps:
        if isinstance(step, int):
            msg.steps.add(element_key_int=step)
        else:
            msg.steps.add(attribute_name=step)


def _unmodelled_warning(what: str, paths: list[str]) -> Message:
    return _diag(
        "WARNING", f"Offline sandbox: {what} has values pvctl cannot model",
        f"No GCP was contacted. These computed attributes are left null in the sandbox state: {', '.join(sorted(set(paths)))}.",
    )


def _decode(dv: Message | None, ty: CtyType) -> Any:
    if dv is None:
        return None
    if dv.msgpack:
        return cty.decode_msgpack(dv.msgpack, ty)
    if dv.json:
        return cty.conform(json.loads(dv.json), ty)
    return None


def _dyn(value: Any, ty: CtyType) -> Message:
    return message("DynamicValue")(msgpack=cty.encode_msgpack(value, ty))


def _delete_refusal(type_name: str, prior: Any) -> str | None:
    """The error the provider's Delete returns before deleting (deletion_protection, deletion_policy)."""
    for guard in rules_for(type_name).delete_guards:
        if isinstance(prior, dict) and prior.get(guard["attribute"]) == guard["equals"]:
            return guard["message"]
    return None


class Provider:
    """The provider's methods; `conn` names the gRPC connection (the peer) a call came on.

    Terraform configures each provider instance (an alias, each command) on a connection of its
    own. One process may serve many of them at once (`serve_unmanaged`), so the configuration
    (default project, region, zone) is kept per connection: one instance never plans with
    another's defaults.
    """

    def __init__(self) -> None:
        self._defaults: dict[str, ProviderDefaults] = {}

    def defaults(self, conn: str) -> ProviderDefaults:
        return self._defaults.get(conn) or ProviderDefaults()

    def _block(self, kind: Kind, type_name: str) -> Block:
        found = load_schema().get(kind, type_name)
        if found is None:
            raise LookupError(f"hashicorp/google 8.7.0 has no {kind} type {type_name}")
        return found.block

    # -- metadata and validation: Terraform core already checked types, required and
    #    unknown arguments against the schema; the provider's own checks come from its
    #    source (`checks`, `rules`).

    def GetMetadata(self, req: Message, conn: str) -> Message:
        resp = message("GetMetadata.Response")()
        resp.server_capabilities.get_provider_schema_optional = True
        schema, served = load_schema(), _served_names()  # the types GetProviderSchema serves
        sections: tuple[tuple[Kind, Any], ...] = (("resource", resp.resources), ("data", resp.data_sources),
                                                  ("ephemeral", resp.ephemeral_resources))
        for kind, listed in sections:
            for name in schema.names(kind):
                if served is None or name in served:
                    listed.add(type_name=name)
        return resp

    def GetResourceIdentitySchemas(self, req: Message, conn: str) -> Message:
        return message("GetResourceIdentitySchemas.Response")()

    def ValidateProviderConfig(self, req: Message, conn: str) -> Message:
        return message("ValidateProviderConfig.Response")()

    def ValidateResourceConfig(self, req: Message, conn: str) -> Message:
        resp = message("ValidateResourceConfig.Response")()
        # Terraform validates in provider processes that may plan nothing: skip the schema load.
        config = cty.decode_msgpack_untyped(req.config.msgpack) if req.config.msgpack else \
            json.loads(req.config.json or "null")
        for problem in check_config(req.type_name, config):
            resp.diagnostics.append(_diag("ERROR", problem.summary, problem.detail, problem.path))
        return resp

    def ValidateDataResourceConfig(self, req: Message, conn: str) -> Message:
        return message("ValidateDataResourceConfig.Response")()

    def ValidateEphemeralResourceConfig(self, req: Message, conn: str) -> Message:
        return message("ValidateEphemeralResourceConfig.Response")()

    def GetFunctions(self, req: Message, conn: str) -> Message:
        return message("GetFunctions.Response")()

    def StopProvider(self, req: Message, conn: str) -> Message:
        return message("StopProvider.Response")()

    def ConfigureProvider(self, req: Message, conn: str) -> Message:
        block = load_schema().provider.block
        defaults = ProviderDefaults.from_config(_decode(req.config, block.implied_type))
        self._defaults[conn] = defaults
        return message("ConfigureProvider.Response")()

    # -- managed resources

    def UpgradeResourceState(self, req: Message, conn: str) -> Message:
        ty = self._block("resource", req.type_name).implied_type
        if req.raw_state.json:
            value = cty.conform(json.loads(req.raw_state.json), ty)
        else:
            raise ValueError(f"{req.type_name}: state in the pre-0.12 flatmap format cannot be read offline")
        return message("UpgradeResourceState.Response")(upgraded_state=_dyn(value, ty))

    def ReadResource(self, req: Message, conn: str) -> Message:
        # The sandbox has nothing to refresh from: the prior state is the truth.
        return message("ReadResource.Response")(new_state=req.current_state, private=req.private)

    def PlanResourceChange(self, req: Message, conn: str) -> Message:
        block = self._block("resource", req.type_name)
        ty = block.implied_type
        prior, proposed, config = (_decode(v, ty) for v in (req.prior_state, req.proposed_new_state, req.config))
        plan = plan_change(req.type_name, block, prior, proposed, config, self.defaults(conn))
        # Like every SDKv2 provider: planned Defaults of non-computed arguments are accepted.
        resp = message("PlanResourceChange.Response")(
            planned_state=_dyn(plan.planned, ty), planned_private=req.prior_private, legacy_type_system=True,
        )
        for steps in plan.requires_replace:
            _fill_path(resp.requires_replace.add(), steps)
        return resp

    def ApplyResourceChange(self, req: Message, conn: str) -> Message:
        block = self._block("resource", req.type_name)
        ty = block.implied_type
        planned = _decode(req.planned_state, ty)
        resp = message("ApplyResourceChange.Response")(private=req.planned_private, legacy_type_system=True)
        if planned is None:  # destroy: nothing to delete but the sandbox record, unless a guard refuses
            refusal = _delete_refusal(req.type_name, _decode(req.prior_state, ty))
            if refusal:
                resp.new_state.CopyFrom(req.prior_state)
                resp.diagnostics.append(_diag("ERROR", refusal))
                return resp
            resp.new_state.CopyFrom(_dyn(None, ty))
            return resp
        value, unmodelled = fill_unknowns(req.type_name, block, planned, self.defaults(conn).project)
        resp.new_state.CopyFrom(_dyn(value, ty))
        if unmodelled:
            resp.diagnostics.append(_unmodelled_warning(req.type_name, unmodelled))
        return resp

    def ImportResourceState(self, req: Message, conn: str) -> Message:
        resp = message("ImportResourceState.Response")()
        resp.diagnostics.append(_diag(
            "ERROR", f"Cannot import {req.type_name} offline",
            "Importing reads the real resource from Google Cloud, which offline mode never contacts. "
            "Run the import against the live provider (without --offline).",
        ))
        return resp

    # -- data sources and ephemeral resources

    def ReadDataSource(self, req: Message, conn: str) -> Message:
        block = self._block("data", req.type_name)
        ty = block.implied_type
        value, unmodelled = read_data_source(req.type_name, block, _decode(req.config, ty) or {}, self.defaults(conn))
        resp = message("ReadDataSource.Response")(state=_dyn(value, ty))
        if unmodelled:
            resp.diagnostics.append(_unmodelled_warning(f"data.{req.type_name}", unmodelled))
        return resp

    def OpenEphemeralResource(self, req: Message, conn: str) -> Message:
        block = self._block("ephemeral", req.type_name)
        ty = block.implied_type
        value, unmodelled = read_data_source(req.type_name, block, _decode(req.config, ty) or {}, self.defaults(conn))
        resp = message("OpenEphemeralResource.Response")(result=_dyn(value, ty))
        resp.diagnostics.append(_diag(
            "WARNING", f"Offline sandbox: ephemeral.{req.type_name} is a placeholder",
            f"No GCP was contacted; secret-like attributes hold {SANDBOX_PLACEHOLDER!r}."
            + (f" Left null: {', '.join(sorted(set(unmodelled)))}." if unmodelled else ""),
        ))
        return resp

    def RenewEphemeralResource(self, req: Message, conn: str) -> Message:
        return message("RenewEphemeralResource.Response")()

    def CloseEphemeralResource(self, req: Message, conn: str) -> Message:
        return message("CloseEphemeralResource.Response")()


_METHODS = (
    "GetMetadata", "GetResourceIdentitySchemas", "ValidateProviderConfig", "ValidateResourceConfig",
    "ValidateDataResourceConfig", "ValidateEphemeralResourceConfig", "GetFunctions", "StopProvider",
    "ConfigureProvider", "UpgradeResourceState", "ReadResource", "PlanResourceChange", "ApplyResourceChange",
    "ImportResourceState", "ReadDataSource", "OpenEphemeralResource", "RenewEphemeralResource", "CloseEphemeralResource",
)


def _guarded(name: str, fn: Callable) -> Callable:
    """Turn a crash into an error diagnostic Terraform prints, instead of a gRPC failure."""
    resp_cls = message(f"{name}.Response")

    def call(req: Message, ctx: grpc.ServicerContext) -> Message:
        try:
            return fn(req, ctx.peer())
        except Exception as exc:  # noqa: BLE001 - reported to the user through Terraform
            traceback.print_exc(file=sys.stderr)
            resp = resp_cls()
            resp.diagnostics.append(_diag("ERROR", f"pvctl offline provider: {name} failed", f"{type(exc).__name__}: {exc}"))
            return resp

    return call


def service_handler(provider: Provider) -> grpc.GenericRpcHandler:
    handlers = {
        name: grpc.unary_unary_rpc_method_handler(
            _guarded(name, getattr(provider, name)),
            request_deserializer=message(f"{name}.Request").FromString,
            response_serializer=message(f"{name}.Response").SerializeToString,
        )
        for name in _METHODS
    }
    handlers["GetProviderSchema"] = grpc.unary_unary_rpc_method_handler(
        lambda _req, _ctx: _schema_answer(), request_deserializer=None, response_serializer=None
    )
    return grpc.method_handlers_generic_handler(SERVICE, handlers)


def main(argv: list[str] | None = None) -> int:
    """As Terraform's plugin (no arguments), or as pvctl's one server for a run (`--unmanaged`)."""
    args = sys.argv[1:] if argv is None else argv
    if args == ["--unmanaged"]:
        # Started ahead of Terraform: the schema is parsed while pvctl still renders and inits.
        goplugin.serve_unmanaged(APP_PROTOCOL, [service_handler(Provider())], warm_up=_warm_up)
        # pvctl is gone (its pipe closed) without removing the file of types it kept for this server.
        if types_file := os.environ.get(ENV_TYPES_FILE):
            Path(types_file).unlink(missing_ok=True)
        return 0
    try:
        goplugin.serve(APP_PROTOCOL, [service_handler(Provider())])
    except goplugin.NotAPluginLaunch as exc:
        print(f"pvctl offline provider: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
