"""Every sample output of the README is what pvctl prints, piped, in a fresh checkout without credentials.

The convention the documentation follows (README.md and docs/*.md):

- A sample is a ```console block: lines starting with `$ ` are commands, run in order in one fresh
  checkout of this repository (its tracked files only: no pvctl.toml, no `.pvctl/`) with no Google
  credentials and no COLUMNS, so output goes to a pipe as in CI; the lines under a command are
  what it prints, stderr and stdout together in the order written, as a terminal shows them.
  A command ending in ` \\` continues on the next line; `# ...` after a command is a comment.
- `pvctl ...` commands run in this process (`tests.cli.conftest.pvctl`: Terraform and the stand-in
  provider are still real subprocesses); any other command (`cp`, `printf ... >> pvctl.toml`, or
  `printf ... | pvctl ...`, which runs the installed pvctl) runs in bash, and a non-pvctl one must succeed.
- A line holding only `...` stands for any number of lines the sample leaves out.
- A ```toml block preceded by `<!-- pvctl.toml -->` is written as pvctl.toml before each console
  block after it in the same section (the reader is asked to save it).
- A console block preceded by `<!-- against: python -m tests.gcp.fakes.serve ARGS -->` runs against
  the fake Google APIs that command serves (the README's way to try the live commands), with a
  pvctl.toml made from the example for their project, a made-up access token, and made-up values in
  the shell variables such a sample pipes into pvctl (`$TOKEN`, `$NEW_TOKEN`).
- Only what genuinely varies is normalised, on both sides: the checkout's path reads
  `/home/you/infra`, the time stamp in a revision or temporary instance name (`pv-bff-20261130-153534-bce0`),
  durations (`6:02`, a canary's `(healthy for 10 s)`), and trailing spaces (rich pads table cells;
  Markdown drops them).

The one sample no test here runs is the pull-request comment, a ```markdown block: it needs a commit
against a base branch and a checkov scan (tests/ci builds and checks such comments).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.cli.conftest import cli_env, pvctl
from tests.conftest import with_standin_cache

REPO = Path(__file__).resolve().parents[2]
DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
README_TEXT = DOCS[0].read_text()
HOME_PATH = "/home/you/infra"  # where the samples' checkout is
ELLIPSIS = "..."
FENCE = re.compile(r"^(?:<!-- (?P<marker>pvctl\.toml|against: [^\n]*?) -->\n)?```(?P<lang>[a-z]*)\n(?P<body>.*?)^```$", re.S | re.M)
AGAINST = "against: python -m tests.gcp.fakes.serve"
# What differs from run to run: a name's time stamp and random suffix, a duration in minutes:seconds,
# the measured healthy time of a canary (a reading that comes late makes it a second longer).
VARIES = [(re.compile(r"-\d{8}(?:-\d{6})?-[0-9a-f]{4}\b"), "-<stamp>"), (re.compile(r"(?<![\d:T])\d{1,3}:\d\d(?![\d:])"), "<m:ss>"),
          (re.compile(r"(?<=\(healthy for )\d+(?= s\))"), "<n>")]


@dataclass(frozen=True)
class Step:
    command: str
    expected: list[str]


@dataclass(frozen=True)
class Sample:
    where: str  # file:line of the block
    pvctl_toml: str | None
    fakes: list[str] | None  # the fakes' arguments, for a live sample
    steps: list[Step]


def parse_steps(body: str) -> list[Step]:
    steps: list[Step] = []
    lines = body.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        assert line.startswith("$ "), f"a console block starts with a `$ ` command line, not {line!r}"
        command = line[2:]
        while command.endswith("\\"):
            i += 1
            command = command[:-1] + lines[i]
        i += 1
        expected: list[str] = []
        while i < len(lines) and not lines[i].startswith("$ "):
            expected.append(lines[i])
            i += 1
        steps.append(Step(command, expected))
    return steps


def samples(path: Path) -> list[Sample]:
    text = path.read_text()
    found: list[Sample] = []
    toml: str | None = None
    section = ""
    for match in FENCE.finditer(text):
        heading = re.findall(r"^#{2,3} .*$", text[: match.start()], re.M)
        if heading and heading[-1] != section:
            section, toml = heading[-1], None
        if match["marker"] == "pvctl.toml" and match["lang"] == "toml":
            toml = match["body"]
        if match["lang"] == "console":
            line = text[: match.start()].count("\n") + 1 + (1 if match["marker"] else 0)
            against = match["marker"] if match["marker"] and match["marker"].startswith("against") else None
            if against is not None:
                assert against.startswith(AGAINST), f"{path.name}:{line}: a live sample runs {AGAINST} ARGS"
            fakes = shlex.split(against.removeprefix(AGAINST)) if against else None
            found.append(Sample(f"{path.name}:{line}", toml, fakes, parse_steps(match["body"])))
    return found


SAMPLES = [sample for doc in DOCS for sample in samples(doc)]


def fresh_checkout(root: Path) -> Path:
    """The repository's tracked files, as `git clone` would give a new user."""
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, tracked):
        source = REPO / name
        if source.is_file():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, root / name)
    return with_standin_cache(root)  # derived files, as the first offline run makes them: only faster


def normal(line: str) -> str:
    for varies, placeholder in VARIES:
        line = varies.sub(placeholder, line)
    return line.rstrip()


def matches(expected: list[str], actual: list[str]) -> bool:
    pattern = "".join(r"(?:[^\n]*\n)*?" if line.strip() == ELLIPSIS else re.escape(normal(line)) + r"\n" for line in expected)
    return re.fullmatch(pattern, "".join(normal(line) + "\n" for line in actual)) is not None


def folded(lines: list[str]) -> list[str]:
    """Lines that show output folded at a width: a table row whose first cell is empty (the rest of a
    cell broken over rows: no table of pvctl leaves its first column empty; a box's empty line has
    two borders only), or a sentence whose backquoted command is cut at the line's end."""
    return [line for line in lines
            if re.match(r" +│", line) or (re.match(r"│ *│", line) and line.count("│") > 2) or line.count("`") % 2]


def piped_env(tmp_path: Path) -> dict[str, str]:
    """A new user's shell without credentials, its output going to a pipe: no terminal, no COLUMNS."""
    return {k: v for k, v in cli_env(tmp_path).items() if k != "COLUMNS"}


def run(command: str, cwd: Path, env: dict[str, str]) -> list[str]:
    if command.startswith("pvctl "):
        args = shlex.split(command, comments=True)
        assert not {"|", ">", ">>", "<", "&&", ";"} & set(args), f"run {command!r} in steps: pvctl runs in-process, without a shell"
        output = pvctl(args[1:], cwd, env, merge_stderr=True).stdout
    else:
        # pvctl on the PATH as the quick start leaves it: the virtualenv running these tests.
        path = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
        done = subprocess.run(["bash", "-c", command], cwd=cwd, env={**env, "PATH": path}, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        assert done.returncode == 0 or "pvctl" in command.split("|")[-1], f"{command}: {done.stdout}"
        output = done.stdout
    return output.replace(str(cwd), HOME_PATH).splitlines()


@pytest.fixture
def against(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    """The environment of a sample's commands, and the fakes a live sample runs against."""
    env = piped_env(tmp_path)
    sample: Sample = request.param
    if sample.fakes is None:
        yield env
        return
    from tests.gcp.fakes import serve

    fakes, endpoints = serve.start(serve.parser().parse_args(sample.fakes))
    try:
        yield {**env, **endpoints, "GOOGLE_OAUTH_ACCESS_TOKEN": "made-up", "TOKEN": "made-up-token", "NEW_TOKEN": "made-up-token-2"}
    finally:
        for fake in fakes:
            fake.stop()


@pytest.mark.parametrize(("sample", "against"), [(s, s) for s in SAMPLES], ids=[f"{s.where} {s.steps[-1].command}" for s in SAMPLES],
                         indirect=["against"])
def test_the_sample_output_is_what_pvctl_prints(sample: Sample, against: dict[str, str], tmp_path: Path) -> None:
    checkout = fresh_checkout(tmp_path / "infra")
    if sample.pvctl_toml is not None:
        (checkout / "pvctl.toml").write_text(sample.pvctl_toml)
    if sample.fakes is not None:
        from tests.gcp.fakes import scenarios

        example = (checkout / "pvctl.example.toml").read_text()
        (checkout / "pvctl.toml").write_text(example.replace("pv-example-project", scenarios.PROJECT))
    for step in sample.steps:
        actual = run(step.command, checkout, against)
        shown = "\n".join(actual)
        assert matches(step.expected, actual), (
            f"{sample.where}: the README's sample of `{step.command}` is not what it prints.\n"
            f"--- README\n" + "\n".join(step.expected) + f"\n--- printed\n{shown}")
        assert not folded(actual), f"{step.command}: output folded when piped:\n{shown}"


def test_the_readme_has_samples_to_check() -> None:
    # The parametrised test above is only as good as the blocks it finds: losing the `console`
    # language of the samples would silently check nothing.
    commands = {s.steps[-1].command.split("#")[0].strip() for s in SAMPLES}
    wanted = {"pvctl plan --phase mvp", "pvctl config show", "pvctl cost --compare mvp growth", "pvctl status --phase scale"}
    assert wanted <= commands, commands
    assert any(s.fakes for s in SAMPLES) and any(s.pvctl_toml for s in SAMPLES)
    # A sample twice is a section pasted twice.
    assert len({repr(s.steps) for s in SAMPLES}) == len(SAMPLES), [s.where for s in SAMPLES]


def test_the_matcher_takes_the_ellipsis_and_nothing_else() -> None:
    printed = ["a", "b  ", "c", "d"]
    assert matches(["a", "...", "d"], printed) and matches(["a", "b", "...", "c", "d"], printed)
    assert not matches(["a", "b", "c"], printed) and not matches(["a", "c", "...", "d"], printed)
    assert folded([" module.api.module │ google_cloud", "                   │ _run_v2_service"]) == ["                   │ _run_v2_service"]
    boxed = ["│ Cloud Run │ module.api │", "│           │ .service   │", "│                        │"]
    assert folded(boxed) == [boxed[1]]
    assert folded(["Apply this plan with: `pvctl apply", "--phase mvp`"]) == ["Apply this plan with: `pvctl apply", "--phase mvp`"]
    assert matches(["promoted r-20261202-101500-7884 (healthy for 10 s) after 6:02"],
                   ["promoted r-20261130-090000-00ff (healthy for 11 s) after 7:15"])
    assert not matches(["promoted (healthy for 10 s)"], ["promoted (healthy for 10 min)"])


def test_the_monthly_totals_table_is_what_pvctl_cost_prices(tmp_path: Path) -> None:
    """The README's totals per phase and region (a Markdown table, not a sample) are `pvctl cost`'s."""
    import json

    table = README_TEXT.split("Monthly totals in USD", 1)[1].split("\n\n", 2)[1]
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in table.splitlines()]
    header, printed = rows[0], rows[2:]
    assert header[1:4] == ["us-central1", "southamerica-east1", "of which on derived prices (São Paulo)"], header
    checkout = fresh_checkout(tmp_path / "infra")
    env = piped_env(tmp_path)
    for phase, us, sa, derived in printed:
        priced = {region: json.loads(pvctl(["cost", "--phase", phase, "--region", region, "--json"], checkout, env).stdout)
                  for region in ("us-central1", "southamerica-east1")}
        actual = [f"${priced['us-central1']['monthly_total']:,.2f}", f"${priced['southamerica-east1']['monthly_total']:,.2f}",
                  f"${priced['southamerica-east1']['derived_total']:,.2f}"]
        assert [us, sa, derived] == actual, f"README's totals of {phase}: {[us, sa, derived]}, pvctl cost prices {actual}"


def test_piped_at_a_terminal_tables_and_sentences_keep_whole_lines(tmp_path: Path) -> None:
    """`pvctl … | cat` typed at a terminal: stdout is a pipe, stderr the terminal, COLUMNS unset. rich
    would fold the table at the terminal's width (an image reference over several rows); piped, a row
    is as long as its content, and a sentence on the terminal is never cut inside its backquoted command."""
    from tests.cli.conftest import make_repo, pty_session

    repo = make_repo(tmp_path / "infra")
    env = piped_env(tmp_path)
    pvctl_cmd = shlex.quote(sys.executable) + " -m pvctl"
    script = f"{pvctl_cmd} config show | cat; {pvctl_cmd} apply --phase mvp | cat"
    output, _ = pty_session(["/bin/bash", "-c", script], env, repo, lambda out: True, lambda pid, master: None)
    # The terminal shows bold even with NO_COLOR; the escapes are not text.
    lines = re.sub(r"\x1b\[[0-9;]*m", "", output).replace("\r\n", "\n").splitlines()
    row = next(line for line in lines if line.startswith(" images.api "))
    assert "southamerica-east1-docker.pkg.dev/pv-test-project/app/api:1.0.0" in row and len(row) > 100, output
    hint = next(line for line in lines if line.startswith("error: credentials:"))
    assert "run `gcloud auth application-default login`, or pass --offline" in hint, output
    assert not folded(lines), output
