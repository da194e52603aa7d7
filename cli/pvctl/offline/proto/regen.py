"""Rebuild `data/offline-tfplugin6.desc` from `tfplugin6.proto` (needs grpcio-tools).

Run: `python -m pvctl.offline.proto.regen` in an environment with `grpcio-tools`
(a throwaway virtualenv is fine; pvctl itself does not depend on it).
"""

from __future__ import annotations

import sys
from pathlib import Path

from pvctl.offline.proto import DESCRIPTOR_FILE

HERE = Path(__file__).resolve().parent


def main() -> int:
    from grpc_tools import protoc  # only the regeneration needs it

    include = Path(protoc.__file__).resolve().parent / "_proto"
    status = protoc.main([
        "protoc", f"-I{HERE}", f"-I{include}", "--include_imports",
        f"--descriptor_set_out={DESCRIPTOR_FILE}", str(HERE / "tfplugin6.proto"),
    ])
    if status == 0:
        print(f"wrote {DESCRIPTOR_FILE}")
    return status


if __name__ == "__main__":
    sys.exit(main())
