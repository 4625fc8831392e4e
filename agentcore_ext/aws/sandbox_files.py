"""The persistent sandbox's own folder and its files: trusted only when private, never written through a link.

The rule, close to OpenSSH's StrictModes: the sandbox folder ($XDG_CACHE_HOME/agentcore-ext) is a real directory
owned by us with mode 0700, and every folder above it is owned by us or root and writable by nobody else unless it
has the sticky bit (as /tmp does). Otherwise another local user could swap the folder, or a file in it, for theirs:
a state file that points `--sandbox` commands (and the developer's key) at their server, or a link that makes us
overwrite one of their choosing. A file in the folder is ours when it is a regular file owned by us that nobody
else may read or write; a link at its name is refused, never followed.

The state file is written by agentcore_ext.safe_write (a fresh file created exclusively beside the name, moved
over it with os.replace, which replaces a link instead of writing through it; a link at the name is refused). The
daemon's log, which stays open while it runs, is made the same way here: mkstemp (O_EXCL, mode 0600, a random
name, so a link planted at a predictable temp name is never touched), then os.replace.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import stat
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from agentcore_ext.errors import UsageError
from agentcore_ext.safe_write import LinkRefused, write_file

_OWN_FOLDER = "point XDG_CACHE_HOME at a folder only you can write (e.g. export XDG_CACHE_HOME=$HOME/.cache)"


def not_ours(what: str, path: Path, why: str) -> UsageError:
    """The one refusal of a file in the sandbox folder: agentcore-ext never writes such a file, so rm is the fix."""
    return UsageError(
        f"the {what} {path} is not one agentcore-ext wrote: {why}",
        f"rm {path} (agentcore-ext writes its own files afresh), then rerun the command",
    )


def _not_private(folder: Path, why: str, hint: str) -> UsageError:
    return UsageError(f"the sandbox folder {folder} is not private: {why}", hint)


def private_dir(folder: Path, *, create: bool) -> bool:
    """Raise unless folder and the folders above it pass the module's rule; False when it is absent (and not made).

    folder's parent should be resolved (no links above it), so that what is checked is what is used.
    """
    if create:
        folder.parent.mkdir(parents=True, exist_ok=True)
    elif not folder.parent.is_dir():
        return False
    for above in (folder.parent, *folder.parent.parents):
        _check_above(folder, above)
    if create:
        with contextlib.suppress(FileExistsError):
            folder.mkdir(mode=0o700)
    try:
        st = folder.lstat()
    except FileNotFoundError:
        return False
    _check_folder(folder, st)
    return True


def _check_above(folder: Path, above: Path) -> None:
    st = above.stat()
    if st.st_uid not in (0, os.getuid()):
        raise _not_private(folder, f"{above} belongs to uid {st.st_uid}", _OWN_FOLDER)
    if st.st_mode & 0o022 and not st.st_mode & stat.S_ISVTX:
        raise _not_private(folder, f"{above} is writable by others", f"chmod go-w {above}, or {_OWN_FOLDER}")


def _check_folder(folder: Path, st: os.stat_result) -> None:
    fresh = f"rm {folder} (a link or file only), then rerun: agentcore-ext creates the folder itself"
    if stat.S_ISLNK(st.st_mode):
        raise _not_private(folder, "it is a symbolic link", fresh)
    if not stat.S_ISDIR(st.st_mode):
        raise _not_private(folder, "it is not a folder", fresh)
    if st.st_uid != os.getuid():
        raise _not_private(folder, f"it belongs to uid {st.st_uid}", _OWN_FOLDER)
    if st.st_mode & 0o077:
        raise _not_private(folder, f"others may use it (mode {stat.S_IMODE(st.st_mode):04o})", f"chmod 700 {folder}")


def _check_file(what: str, path: Path, st: os.stat_result) -> None:
    if not stat.S_ISREG(st.st_mode):
        raise not_ours(what, path, "it is not a regular file")
    if st.st_uid != os.getuid():
        raise not_ours(what, path, f"it is owned by uid {st.st_uid}")
    if st.st_mode & 0o077:
        raise not_ours(what, path, f"others may read or write it (mode {stat.S_IMODE(st.st_mode):04o})")


def _open_no_follow(what: str, path: Path, flags: int) -> int:
    """os.open that refuses a link (and a FIFO, which would block) at path; raises FileNotFoundError as is."""
    try:
        fd = os.open(path, flags | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, 0o600)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise not_ours(what, path, "it is a symbolic link") from exc
        raise
    try:
        _check_file(what, path, os.fstat(fd))
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_private(what: str, path: Path) -> str | None:
    """The text of a file of ours in the sandbox folder; None when there is none; a UsageError when not ours."""
    try:
        fd = _open_no_follow(what, path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    with os.fdopen(fd, encoding="utf-8", errors="replace") as handle:
        return handle.read()


def write_private(what: str, path: Path, text: str) -> None:
    """Write text to path (0600) without following a link and never half-written (safe_write.write_file)."""
    try:
        write_file(path.parent, Path(path.name), text.encode(), mode=0o600)
    except LinkRefused as exc:  # its hint replaces a link with a copy of its target: here the link is no file of ours
        raise not_ours(what, path, "it is a symbolic link") from exc


def open_fresh(what: str, path: Path) -> int:
    """A new empty 0600 file at path, open for writing (a daemon's log), made without following a link."""
    if path.is_symlink():
        raise not_ours(what, path, "it is a symbolic link")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.replace(tmp, path)
    except BaseException:
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return fd


@contextlib.contextmanager
def locked(path: Path, timeout: float) -> Iterator[None]:
    """Hold an exclusive flock on path (created 0600, never through a link) for the block; wait up to timeout.

    The descriptor is close-on-exec, so a daemon started under the lock does not keep holding it.
    """
    fd = _open_no_follow("sandbox lock file", path, os.O_RDWR | os.O_CREAT)
    try:
        deadline = time.monotonic() + timeout
        while not _try_flock(fd):
            if time.monotonic() >= deadline:
                raise UsageError(
                    f"another agentcore-ext sandbox start or stop is running (it holds {path})",
                    "wait for it to finish, then rerun the command",
                )
            time.sleep(0.1)
        yield
    finally:
        os.close(fd)  # releases the lock


@contextlib.contextmanager
def lock_if_free(path: Path) -> Iterator[bool]:
    """The lock for the block if nobody holds it now (True), else nothing (False); never waits."""
    try:
        fd = _open_no_follow("sandbox lock file", path, os.O_RDWR)
    except (OSError, UsageError):
        yield False
        return
    try:
        yield _try_flock(fd)
    finally:
        os.close(fd)


def _try_flock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True
