"""configure's undo: the toolkit's files as they were before its run, put back only where nobody changed them since.

configure runs the toolkit before the IAM plan (so that answers typed at its prompts shape the role); when the plan
is then declined, blocked, interrupted or fails, what the toolkit wrote is undone. Only the toolkit's own files are
considered (`toolkit_files`: `.bedrock_agentcore.yaml`, our `.bak`, `.dockerignore`, the `.bedrock_agentcore/`
tree), and each only while it still holds the bytes the toolkit left: the IAM prompt can wait for minutes, and an
edit made meanwhile (by the user, by another program) is theirs, so it is left alone and reported, not reverted.
Hence two snapshots: `before` the toolkit ran and `after` it returned; a file is put back when it differs between
them and still matches `after`. Every write goes through agentcore_ext.safe_write: no symbolic link is followed.

The folder is locked for the run (FolderLock) so that two configures in one folder cannot interleave their
snapshots: the second would take the first's half-done state as "before" and restore it, or the first would erase
the second's finished work.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import stat
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from agentcore_ext import safe_write
from agentcore_ext.errors import ChecksFailed
from agentcore_ext.toolkit.config import CONFIG_FILE

TOOLKIT_DIR = Path(".bedrock_agentcore")
BACKUP_FILE = f"{CONFIG_FILE}.bak"
MAX_SAVED_BYTES = 1 << 20  # the toolkit writes a few KiB per file; a larger file is not one it writes
LOCK_WAIT_SECONDS = 120.0  # a scripted parallel run finishes in seconds; a person at the other's prompt may not


def toolkit_files(entrypoint: str) -> tuple[Path, ...]:
    """The files outside `.bedrock_agentcore/` the toolkit's configure (or our backup) may write: the YAML, the
    `.bak`, and `.dockerignore` at the top and in the entrypoint's folder (the toolkit's build context)."""
    source = Path(entrypoint).parent / ".dockerignore"
    return tuple(dict.fromkeys((Path(CONFIG_FILE), Path(BACKUP_FILE), Path(".dockerignore"), source)))


def refuse_links(root: Path, agent: str, entrypoint: str) -> None:
    """LinkRefused (exit 2) for a link where the toolkit writes: it writes with open()/write_text(), which follow
    one (a dangling link creates its target), and a symlinked YAML would keep the rewrite after an undo."""
    paths = [*toolkit_files(entrypoint), TOOLKIT_DIR]
    paths += [TOOLKIT_DIR / agent, TOOLKIT_DIR / agent / "Dockerfile"] if agent else []
    for rel in paths:
        if safe_write.is_link(root, rel):
            raise safe_write.LinkRefused(root, rel)


def backup(root: Path) -> bool:
    """One generation of `.bak`, a copy of the YAML (mode and times kept); False when there is no YAML."""
    current = root / CONFIG_FILE
    if current.is_symlink() or not current.is_file():
        return False
    st = current.stat()
    safe_write.write_file(root, Path(BACKUP_FILE), current.read_bytes(), mode=st.st_mode, mtime_ns=st.st_mtime_ns)
    return True


@dataclass(frozen=True)
class SavedFile:
    data: bytes | None  # None: too large to keep (never the toolkit's), compared by size and time, never rewritten
    mtime_ns: int
    size: int
    mode: int = 0o644


_A_LINK = SavedFile(None, -1, -1)  # a path that is now a link: equal to no file the snapshots saw


def _same(a: SavedFile | None, b: SavedFile | None) -> bool:
    if a is None or b is None:
        return a is b
    if a.size != b.size:
        return False
    return a.data == b.data if a.data is not None and b.data is not None else a.mtime_ns == b.mtime_ns


@dataclass(frozen=True)
class FolderSnapshot:
    root: Path
    listed: tuple[Path, ...]  # the toolkit's files outside its tree (toolkit_files)
    files: Mapping[Path, SavedFile]  # relative paths: regular files only, never a link
    dirs: frozenset[Path]  # .bedrock_agentcore/ and the folders under it


def _read(path: Path) -> SavedFile | None:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK)
    except FileNotFoundError:
        return None
    except OSError:  # a link (ELOOP) or something unreadable where a file was: not the toolkit's bytes
        return _A_LINK
    with os.fdopen(fd, "rb") as handle:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return _A_LINK  # a folder or a pipe where a file was
        data = handle.read(MAX_SAVED_BYTES + 1)
    return SavedFile(data if len(data) <= MAX_SAVED_BYTES else None, st.st_mtime_ns, st.st_size, st.st_mode)


def _tree(root: Path) -> Iterator[tuple[Path, bool]]:
    """(relative path, is_dir) of everything under .bedrock_agentcore/, links neither followed nor listed."""
    if (root / TOOLKIT_DIR).is_symlink() or not (root / TOOLKIT_DIR).is_dir():
        return
    yield TOOLKIT_DIR, True
    for folder, subdirs, names in os.walk(root / TOOLKIT_DIR, followlinks=False):
        base = Path(folder).relative_to(root)
        for name in subdirs:
            if not (Path(folder) / name).is_symlink():
                yield base / name, True
        for name in names:
            if not (Path(folder) / name).is_symlink():
                yield base / name, False


def take(root: Path, listed: Iterable[Path]) -> FolderSnapshot:
    listed = tuple(listed)
    tree = list(_tree(root))
    files = {rel: _read(root / rel) for rel in (*listed, *(rel for rel, is_dir in tree if not is_dir))}
    kept = {rel: saved for rel, saved in files.items() if saved is not None and saved is not _A_LINK}
    return FolderSnapshot(root, listed, kept, frozenset(rel for rel, is_dir in tree if is_dir))


def _top(paths: Iterable[Path], folders: set[Path], *, deepest: bool = False) -> list[str]:
    """Paths as a person reads them: a folder written `dir/`; a folder stands for what it holds (`deepest`: a
    folder is named only when nothing inside it is)."""
    paths = list(paths)
    if deepest:
        keep = [p for p in paths if not any(p in q.parents for q in paths)]
    else:
        keep = [p for p in paths if not any(a in folders for a in p.parents)]
    return [f"{p}/" if p in folders else str(p) for p in sorted(keep)]


@dataclass(frozen=True)
class Undone:
    restored: tuple[Path, ...] = ()  # files written back with their earlier bytes
    removed: tuple[Path, ...] = ()  # files that were not there before
    removed_dirs: tuple[Path, ...] = ()  # folders that were not there before (empty once their files went)
    left: tuple[Path, ...] = ()  # the toolkit's files changed after it wrote them: someone else's now
    left_dirs: tuple[Path, ...] = ()  # folders the toolkit made that now hold someone else's files

    def describe(self) -> str:
        """What was undone, in a few words: a removed folder stands for everything removed inside it."""
        parts = []
        if self.restored:
            parts.append("restored " + ", ".join(str(p) for p in self.restored))
        if self.removed or self.removed_dirs:
            parts.append("removed " + ", ".join(_top((*self.removed, *self.removed_dirs), set(self.removed_dirs))))
        return "; ".join(parts)

    def describe_left(self) -> str:
        """What was left as it is, the innermost paths (empty when nothing was)."""
        return ", ".join(_top((*self.left, *self.left_dirs), set(self.left_dirs), deepest=True))

    def __bool__(self) -> bool:
        return bool(self.restored or self.removed or self.removed_dirs)


@dataclass
class _Acts:
    restored: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    removed_dirs: list[Path] = field(default_factory=list)
    left: list[Path] = field(default_factory=list)
    left_dirs: list[Path] = field(default_factory=list)

    def done(self) -> Undone:
        return Undone(*map(tuple, (self.restored, self.removed, self.removed_dirs, self.left, self.left_dirs)))


def restore(before: FolderSnapshot, after: FolderSnapshot | None = None) -> Undone:
    """Undo what the toolkit wrote between `before` and `after` (None: it just returned, so now), only where the
    file still holds what it wrote; returns what was undone and what was left."""
    root = before.root
    after = after or take(root, before.listed)
    acts = _Acts()
    for rel in sorted(before.files.keys() | after.files.keys()):
        was, wrote = before.files.get(rel), after.files.get(rel)
        if not _same(was, wrote):
            _undo(root, rel, was, wrote, acts)
    for rel in sorted(after.dirs - before.dirs, key=lambda p: len(p.parts), reverse=True):
        try:
            removed = safe_write.remove_empty_folder(root, rel)
        except safe_write.LinkRefused:  # a folder on its way became a link: what is behind it is not ours
            removed = False
        if removed:
            acts.removed_dirs.append(rel)
        elif (root / rel).is_dir():
            acts.left_dirs.append(rel)
    return acts.done()


def _undo(root: Path, rel: Path, was: SavedFile | None, wrote: SavedFile | None, acts: _Acts) -> None:
    if not _same(_read(root / rel), wrote) or (was is not None and was.data is None):
        acts.left.append(rel)  # changed since the toolkit wrote it (or too large to have been kept)
        return
    try:
        if was is None:
            safe_write.remove_file(root, rel)
            acts.removed.append(rel)
        else:
            assert was.data is not None
            safe_write.write_file(root, rel, was.data, mode=was.mode, mtime_ns=was.mtime_ns)
            acts.restored.append(rel)
    except (safe_write.LinkRefused, OSError):  # changed under us (a folder on its way became a link, it went)
        acts.left.append(rel)


class FolderLock:
    """An exclusive flock on an fd of the folder itself: it creates no file (none for the toolkit to package, none
    left behind by a crash) and the kernel drops it when the process ends, however it ends."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._fd: int | None = None

    def acquire(self, progress: Callable[[str], None]) -> None:
        fd = os.open(self.root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            _wait_for(fd, progress)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the only fd of this open file description releases the lock
            self._fd = None


def _wait_for(fd: int, progress: Callable[[str], None]) -> None:
    """Take the lock; when another configure holds it, say so once and wait for it, at most LOCK_WAIT_SECONDS."""
    deadline, said = time.monotonic() + LOCK_WAIT_SECONDS, False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        except OSError:  # a file system without flock (some network mounts): the undo still checks every file
            return
        if time.monotonic() >= deadline:
            raise ChecksFailed(
                f"another agentcore-ext configure is still running in this folder after {LOCK_WAIT_SECONDS:.0f} s; "
                "nothing was changed",
                "let it finish (it may be waiting at its prompt), then rerun the same command",
            )
        if not said:
            progress(
                "another agentcore-ext configure is running in this folder: waiting for it to finish "
                f"(up to {LOCK_WAIT_SECONDS:.0f} s)"
            )
            said = True
        time.sleep(0.1)


@contextlib.contextmanager
def guarded(root: Path, agent: str, entrypoint: str, progress: Callable[[str], None], *, lock: bool) -> Iterator[None]:
    """configure's run in `root`: no link where the toolkit writes (exit 2 before anything), and with `lock` (a run
    that writes) the folder held until the run ends; the links are looked at again once the lock is ours, since the
    run that held it may have made one."""
    refuse_links(root, agent, entrypoint)
    if not lock:
        yield
        return
    held = FolderLock(root)
    held.acquire(progress)
    try:
        refuse_links(root, agent, entrypoint)
        yield
    finally:
        held.release()
