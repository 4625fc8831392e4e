"""The agent's folder as it was before this run's toolkit call, and putting it back byte for byte.

configure runs the toolkit before the IAM plan (so that answers typed at its prompts shape the role); when the plan
is then declined, blocked, interrupted or fails, the folder must be as it was: `.bedrock_agentcore.yaml`, a
pre-existing `.bedrock_agentcore.yaml.bak`, the generated Dockerfile, `.dockerignore`. The snapshot keeps the bytes of
every regular file the toolkit may write (the folder's top level and its `.bedrock_agentcore/` tree); restoring
rewrites only files whose bytes differ and removes only files and empty folders that were not there before.
Symbolic links are never followed, written or removed: a link could point outside the folder.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

TOOLKIT_DIR = ".bedrock_agentcore"
MAX_SAVED_BYTES = 1 << 20  # the toolkit writes a few KiB per file; a larger file is not one it writes


@dataclass(frozen=True)
class SavedFile:
    data: bytes | None  # None: too large to keep (never the toolkit's), left alone on restore
    mtime_ns: int


@dataclass(frozen=True)
class FolderSnapshot:
    root: Path
    files: Mapping[Path, SavedFile]  # relative paths
    dirs: frozenset[Path]  # relative paths of the folders under .bedrock_agentcore/ (and it)


def _walk(root: Path) -> Iterator[tuple[Path, bool]]:
    """(relative path, is_dir) of the top level's regular files and everything under .bedrock_agentcore/."""
    for entry in os.scandir(root):
        if entry.is_file(follow_symlinks=False):
            yield Path(entry.name), False
    tree = root / TOOLKIT_DIR
    if tree.is_symlink() or not tree.is_dir():
        return
    yield Path(TOOLKIT_DIR), True
    for folder, subdirs, names in os.walk(tree, followlinks=False):
        base = Path(folder).relative_to(root)
        for name in subdirs:
            if not (Path(folder) / name).is_symlink():
                yield base / name, True
        for name in names:
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                yield base / name, False


def take(root: Path) -> FolderSnapshot:
    files: dict[Path, SavedFile] = {}
    dirs: set[Path] = set()
    for rel, is_dir in _walk(root):
        if is_dir:
            dirs.add(rel)
            continue
        path = root / rel
        stat = path.stat()
        data = path.read_bytes() if stat.st_size <= MAX_SAVED_BYTES else None
        files[rel] = SavedFile(data, stat.st_mtime_ns)
    return FolderSnapshot(root, files, frozenset(dirs))


@dataclass(frozen=True)
class Undone:
    restored: tuple[Path, ...] = ()  # files written back with their earlier bytes
    removed: tuple[Path, ...] = ()  # files that were not there before
    removed_dirs: tuple[Path, ...] = ()  # folders that were not there before (empty once their files went)

    def describe(self) -> str:
        """In a few words: a removed folder stands for everything removed inside it."""
        folders = set(self.removed_dirs)
        top = [p for p in (*self.removed, *self.removed_dirs) if not any(a in folders for a in p.parents)]
        parts = []
        if self.restored:
            parts.append("restored " + ", ".join(str(p) for p in self.restored))
        if top:
            parts.append("removed " + ", ".join(f"{p}/" if p in folders else str(p) for p in sorted(top)))
        return "; ".join(parts)

    def __bool__(self) -> bool:
        return bool(self.restored or self.removed or self.removed_dirs)


def restore(snapshot: FolderSnapshot) -> Undone:
    """Put the folder back as the snapshot saw it; returns what was undone."""
    root = snapshot.root
    restored: list[Path] = []
    removed: list[Path] = []
    removed_dirs: list[Path] = []
    now = list(_walk(root))
    for rel, is_dir in now:
        if not is_dir and rel not in snapshot.files:
            (root / rel).unlink()
            removed.append(rel)
    for rel, saved in sorted(snapshot.files.items()):
        path = root / rel
        if saved.data is None or path.is_symlink():
            continue
        if path.is_file() and path.read_bytes() == saved.data:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(saved.data)
        os.utime(path, ns=(saved.mtime_ns, saved.mtime_ns))
        restored.append(rel)
    new_dirs = [rel for rel, is_dir in now if is_dir and rel not in snapshot.dirs]
    for rel in sorted(new_dirs, key=lambda p: len(p.parts), reverse=True):
        path = root / rel
        if path.is_dir() and not any(path.iterdir()):
            path.rmdir()
            removed_dirs.append(rel)
    return Undone(tuple(restored), tuple(removed), tuple(removed_dirs))
