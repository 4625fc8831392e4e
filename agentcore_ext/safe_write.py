"""Every file the tool writes, removes or makes a folder for in a user's folder goes through here, and none of it
follows a symbolic link.

A cloned repository can hold `.bedrock_agentcore.yaml.bak -> ~/.bashrc`: a plain `open(path, "w")` or
`shutil.copy2` writes through the link into the target. Here a path is walked from a trusted root one component at
a time with `O_NOFOLLOW` (`dir_fd`), the bytes go to a temporary file created with `O_EXCL` beside the target, and
`os.replace` renames it over the target's name: a rename replaces a directory entry, never what a link points to.
A link met on the way (the target itself, or a folder under the root) is refused with LinkRefused.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shlex
import stat
from collections.abc import Iterator
from pathlib import Path

from agentcore_ext.errors import UsageError

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_NEW_FILE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


class LinkRefused(UsageError):
    """A symbolic link where the tool would write: writing would change the file it points to (exit 2)."""

    def __init__(self, root: Path, rel: Path) -> None:
        super().__init__(
            f"{rel} is a symbolic link: agentcore-ext writes no file through a link (it would change the link's "
            "target, which may be outside this folder)",
            replace_link_hint(root, rel),
        )
        self.rel = rel


def replace_link_hint(root: Path, rel: Path) -> str:
    """A command, run in `root`, that replaces the link `rel` with a copy of what it points to (or removes it when
    it points to nothing)."""
    name, path = shlex.quote(str(rel)), root / rel
    if not path.exists():
        return f"it points to nothing; remove the link: rm {name}"
    if path.is_dir():  # `mv` onto a link to a folder would move into that folder: the link goes first
        copy = f"cp -RL {name} {name}.copy && rm {name} && mv {name}.copy {name}"
        return f"replace the link with a copy of its folder: {copy}"
    return f"replace the link with a copy of its target: cp {name} {name}.copy && mv {name}.copy {name}"


def is_link(root: Path, rel: Path) -> bool:
    """Whether `rel` (under `root`) is a symbolic link; a missing path is not."""
    try:
        return stat.S_ISLNK(os.lstat(root / rel).st_mode)
    except FileNotFoundError:
        return False


@contextlib.contextmanager
def _folder(root: Path, rel: Path, *, create: bool) -> Iterator[int]:
    """An fd of the folder `rel` under `root`, each component opened without following a link (made when `create`)."""
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        for i, name in enumerate(rel.parts):
            parent, fd = fd, -1  # _step closes the parent, whatever happens
            fd = _step(parent, name, root, Path(*rel.parts[: i + 1]), create)
        yield fd
    finally:
        if fd >= 0:
            os.close(fd)


def _step(parent: int, name: str, root: Path, rel: Path, create: bool) -> int:
    """Open `name` under the folder fd `parent` (closed here), refusing a link."""
    try:
        if create:
            with contextlib.suppress(FileExistsError):
                os.mkdir(name, 0o777, dir_fd=parent)
        try:
            return os.open(name, _DIR_FLAGS, dir_fd=parent)
        except OSError as exc:  # O_NOFOLLOW on a link: ELOOP (Linux), ENOTDIR with O_DIRECTORY on some systems
            if exc.errno in (errno.ELOOP, errno.ENOTDIR) and stat.S_ISLNK(os.lstat(name, dir_fd=parent).st_mode):
                raise LinkRefused(root, rel) from None
            raise
    finally:
        os.close(parent)


def write_file(root: Path, rel: Path, data: bytes, *, mode: int = 0o644, mtime_ns: int | None = None) -> None:
    """Put `data` at `root/rel` (folders made as needed): the old bytes or the new, never a half-written file."""
    with _folder(root, rel.parent, create=True) as folder:
        if stat.S_ISLNK(_lstat_mode(rel.name, folder)):
            raise LinkRefused(root, rel)  # os.replace would not follow it, but the user's link would be gone
        temp = f".{rel.name}.{secrets.token_hex(6)}.agentcore-ext.tmp"
        fd = os.open(temp, _NEW_FILE_FLAGS, 0o600, dir_fd=folder)
        try:
            _fill(fd, data, mode, mtime_ns)
            os.replace(temp, rel.name, src_dir_fd=folder, dst_dir_fd=folder)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp, dir_fd=folder)
            raise


def _fill(fd: int, data: bytes, mode: int, mtime_ns: int | None) -> None:
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fchmod(fd, mode & 0o7777)
        if mtime_ns is not None:
            os.utime(fd, ns=(mtime_ns, mtime_ns))
    finally:
        os.close(fd)


def _lstat_mode(name: str, folder: int) -> int:
    try:
        return os.lstat(name, dir_fd=folder).st_mode
    except FileNotFoundError:
        return 0


def remove_file(root: Path, rel: Path) -> None:
    """Remove the file `root/rel`; a folder on the way that became a link is refused (unlink never follows the last
    component: a link there would lose only itself, so it is refused too, as the user's)."""
    with _folder(root, rel.parent, create=False) as folder:
        if stat.S_ISLNK(_lstat_mode(rel.name, folder)):
            raise LinkRefused(root, rel)
        os.unlink(rel.name, dir_fd=folder)


def remove_empty_folder(root: Path, rel: Path) -> bool:
    """Remove the folder `root/rel` if it is empty; False when it holds anything (or is gone, or is a link)."""
    try:
        with _folder(root, rel.parent, create=False) as folder:
            if not stat.S_ISDIR(_lstat_mode(rel.name, folder)):
                return False
            os.rmdir(rel.name, dir_fd=folder)
    except OSError as exc:
        if exc.errno in (errno.ENOTEMPTY, errno.EEXIST, errno.ENOENT):
            return False
        raise
    return True
