"""Run checkov (as a subprocess, JSON out) over HCL folders or a plan JSON, and read its results."""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pvctl.core.errors import ToolError
from pvctl.engine.terraform import run_tool
from pvctl.policy.checkov_forks import scan_in_fork
from pvctl.policy.toolenv import Progress, ensure_checkov

POLICY_DIR = Path("policies") / "checkov"
# What checkov writes when a `checkov:skip=ID` comment has no `:reason` part.
NO_REASON = "No comment provided"


@dataclass(frozen=True)
class Finding:
    check_id: str
    name: str
    resource: str
    file: str           # relative to the repository root
    line: int
    fix: str = ""       # the policy's guideline: what to change
    skip_reason: str = ""

    @property
    def custom(self) -> bool:
        return self.check_id.startswith("PV_")


@dataclass
class PolicyScan:
    target: str                                   # what was scanned, for the report
    passed: list[Finding] = field(default_factory=list)
    failed: list[Finding] = field(default_factory=list)
    skipped: list[Finding] = field(default_factory=list)
    parsing_errors: list[str] = field(default_factory=list)

    @property
    def unexplained_skips(self) -> list[Finding]:
        return [s for s in self.skipped if not s.skip_reason or s.skip_reason == NO_REASON]

    @property
    def ok(self) -> bool:
        return not (self.failed or self.parsing_errors or self.unexplained_skips)

    def as_json(self) -> dict[str, Any]:
        return {
            "target": self.target, "passed": len(self.passed), "ok": self.ok,
            "failed": [asdict(f) for f in self.failed], "skipped": [asdict(s) for s in self.skipped],
            "parsing_errors": self.parsing_errors,
        }


def _relative(path: str, repo_root: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(repo_root))
    except ValueError:
        return path


def _where(raw: dict[str, Any], repo_root: Path) -> str:
    # A plan finding enriched from the HCL carries the .tf file relative to the repository;
    # a folder scan's file_path is relative to the scanned folder, so its absolute path is used.
    path = raw.get("file_path") or ""
    if path and not path.startswith("/") and (repo_root / path).is_file():
        return path
    return _relative(raw.get("file_abs_path") or path, repo_root)


def _finding(raw: dict[str, Any], repo_root: Path) -> Finding:
    line_range = raw.get("file_line_range") or [0, 0]
    return Finding(
        check_id=raw["check_id"],
        name=raw.get("check_name") or "",
        resource=raw.get("resource") or "",
        file=_where(raw, repo_root),
        line=int(line_range[0] or 0),
        fix=raw.get("guideline") or "",
        skip_reason=(raw.get("check_result") or {}).get("suppress_comment") or "",
    )


def _documents(stdout: str) -> list[dict[str, Any]]:
    """checkov's `-o json`: one object per framework (a list when several ran), and with
    several `-d` folders that found nothing, one bare summary object per folder in a row."""
    decoder, found, at = json.JSONDecoder(), [], 0
    text = stdout.strip()
    while at < len(text):
        value, end = decoder.raw_decode(text, at)
        found += value if isinstance(value, list) else [value]
        at = end
        while at < len(text) and text[at].isspace():
            at += 1
    return found


def parse_report(stdout: str, target: str, repo_root: Path, source: Path | None = None) -> PolicyScan:
    """The report as one scan; `source`: only what checkov found in that file (one of several scanned)."""
    try:
        documents = _documents(stdout)
    except ValueError:
        documents = []
    if not documents:
        raise ToolError(f"checkov printed no JSON report for {target}", "run it again with PVCTL_CHECKOV_DEBUG=1 to see its output")

    def wanted(path: str | None) -> bool:
        # file_abs_path names the scanned file even when a plan finding is enriched from the HCL; a
        # finding that names none is kept for every file (never lost).
        return source is None or not path or (repo_root / path).resolve() == source.resolve()

    scan = PolicyScan(target)
    seen: set[tuple[str, str, str, int]] = set()
    for report in documents:
        results = report.get("results") or {}
        scan.parsing_errors += [_relative(p, repo_root) for p in results.get("parsing_errors") or [] if wanted(p)]
        for kind, bucket in (("passed_checks", scan.passed), ("failed_checks", scan.failed), ("skipped_checks", scan.skipped)):
            for raw in results.get(kind) or []:
                if not wanted(raw.get("file_abs_path")):
                    continue
                finding = _finding(raw, repo_root)
                key = (finding.check_id, finding.resource, finding.file, finding.line)
                if key not in seen:  # a module scanned on its own and through its caller
                    seen.add(key)
                    bucket.append(finding)
    return scan


def _run(repo_root: Path, args: Sequence[str], target: str, progress: Progress, extra_env: dict[str, str] | None = None) -> PolicyScan:
    return parse_report(_checkov(repo_root, args, target, progress, extra_env), target, repo_root)


def _checkov(repo_root: Path, args: Sequence[str], target: str, progress: Progress, extra_env: dict[str, str] | None = None) -> str:
    """checkov's JSON report on stdout."""
    tool = ensure_checkov(repo_root, progress)
    policies = repo_root / POLICY_DIR
    command = [str(tool.executable), *args, "--skip-download", "--soft-fail", "-o", "json", "--compact"]
    if policies.is_dir():
        command += ["--external-checks-dir", str(policies)]
    env = dict(os.environ, **(extra_env or {}))
    # checkov's own logging goes to stderr; its JSON report is stdout only.
    env.setdefault("LOG_LEVEL", "ERROR")
    progress(f"checkov: scanning {target}")
    try:
        done = scan_in_fork(tool.executable, command[1:], repo_root, env, {**os.environ, "LOG_LEVEL": env["LOG_LEVEL"]})
        if done is None:  # not checkov's own launcher, or its process could not run
            done = run_tool(command, "checkov", cwd=repo_root, env=env, text=True, stdin=subprocess.DEVNULL)
    except OSError as exc:
        raise ToolError(
            f"checkov {tool.executable}: cannot run it ({exc.strerror})", f"delete {tool.executable.parents[1]} so pvctl reinstalls it"
        ) from exc
    if os.environ.get("PVCTL_CHECKOV_DEBUG"):
        progress(done.stderr)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]
        raise ToolError(
            f"checkov failed on {target}: {last}", "fix the reported file, or run with PVCTL_CHECKOV_DEBUG=1 for checkov's full output"
        )
    return done.stdout


def _outside(parent: Path, keep: set[Path]) -> list[Path]:
    """Every entry under `parent` that is neither a folder of `keep` nor holds one."""
    found: list[Path] = []
    for entry in sorted(parent.iterdir()):
        if entry in keep:
            continue
        if any(entry in folder.parents for folder in keep):
            found += _outside(entry, keep)
        else:
            found.append(entry)
    return found


def scan_directories(repo_root: Path, directories: Sequence[Path], progress: Progress = lambda _m: None) -> PolicyScan:
    """The folders in one checkov run (its start-up costs more than most scans).

    checkov scans only the first of several `-d` folders (its Terraform runner keeps the first
    folder's definitions and reports them again for the next), so the run scans the folders'
    common parent with everything else in it skipped.
    """
    folders = {d.resolve() for d in directories}
    parent = Path(os.path.commonpath(folders))
    args = ["--framework", "terraform", "-d", str(parent)]
    for other in _outside(parent, folders) if parent not in folders else []:
        args += ["--skip-path", f"^{re.escape(str(other))}(/|$)"]
    target = ", ".join(_relative(str(d), repo_root) for d in directories)
    return _run(repo_root, args, target, progress)


def scan_plan(repo_root: Path, plan_json: Path, progress: Progress = lambda _m: None) -> PolicyScan:
    """A phase's plan JSON: every value rendered, so phase-dependent policies can decide.

    The HCL next to it is read for inline `checkov:skip` comments; values known only
    after apply count as set (EVAL_TF_PLAN_AFTER_UNKNOWN), not as missing.
    """
    return scan_plans(repo_root, [plan_json], progress)[plan_json]


def scan_plans(repo_root: Path, plan_jsons: Sequence[Path], progress: Progress = lambda _m: None) -> dict[Path, PolicyScan]:
    """Several plans (`scan_plan`) in one checkov run, each plan's findings apart: checkov's start-up
    (seconds of imports) is paid once, not once per phase."""
    args = ["--framework", "terraform_plan", *(arg for p in plan_jsons for arg in ("-f", str(p))),
            "--repo-root-for-plan-enrichment", str(repo_root)]
    targets = {p: _relative(str(p), repo_root) for p in plan_jsons}
    stdout = _checkov(repo_root, args, ", ".join(targets.values()), progress, {"EVAL_TF_PLAN_AFTER_UNKNOWN": "true"})
    return {p: parse_report(stdout, target, repo_root, source=p if len(plan_jsons) > 1 else None) for p, target in targets.items()}
