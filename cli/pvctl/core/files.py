"""Writing files so that a reader never sees half of one, and secrets are never world-readable."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, text: str | bytes, mode: int = 0o600) -> None:
    """Replace `path` with `text` (UTF-8) or bytes in one rename; the file is created with `mode`
    (default owner-only).

    The temporary file sits beside `path` (same file system, so the rename is atomic) and has a
    name of its own, so threads and processes writing the same path never share one.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")  # created 0600
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode() if isinstance(text, str) else text)
            handle.flush()
            os.fsync(handle.fileno())
        if mode != 0o600:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def private_dir(path: Path, owned_root: Path | None = None) -> Path:
    """`path` as an owner-only (0700) folder, whatever the umask; returns it.

    Missing folders are created 0700. Existing folders at or below `owned_root` (pvctl's own
    `.pvctl/`) are narrowed to 0700 too; a folder the user chose outside it is left as it is.
    """
    path = path.absolute()
    missing: list[Path] = []
    for folder in (path, *path.parents):
        if folder.is_dir():
            break
        missing.append(folder)
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another process made it in between
            folder.mkdir(mode=0o700)
        os.chmod(folder, 0o700)  # mkdir's mode is narrowed by the umask, never widened; be exact
    if owned_root is not None:
        root = owned_root.absolute()
        for folder in (path, *path.parents):
            if folder == root or root in folder.parents:
                if folder.is_dir() and folder.stat().st_mode & 0o077:
                    os.chmod(folder, 0o700)
            if folder == root:
                break
    return path


def make_private(path: Path) -> None:
    """Narrow an existing file to owner-only (state written by an older Terraform run, a copied plan)."""
    with contextlib.suppress(FileNotFoundError):
        if path.stat().st_mode & 0o077:
            os.chmod(path, 0o600)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
