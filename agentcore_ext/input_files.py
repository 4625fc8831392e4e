"""Reading a file a user names on the command line (a policy document, a template, a dotenv file): a regular file,
of bounded size, UTF-8. One home, so that every such input is refused the same way: `--additional-policy
/dev/zero` ate all memory and a FIFO hung the run (red-team issue 21, item 15).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from agentcore_ext.errors import UsageError

# IAM's largest policy document is 10,240 characters (role inline policies, whitespace excluded); a generous cap.
MAX_POLICY_BYTES = 256 * 1024


def read_input(path: Path, what: str, hint: str, cap: int = MAX_POLICY_BYTES) -> str:
    """The text of `path`; UsageError (exit 2) naming `what` when it is not a readable regular file of at most
    `cap` bytes in UTF-8. O_NONBLOCK: opening a FIFO returns at once instead of waiting for a writer."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise UsageError(f"{what}: file not found: {path}", hint) from None
    except OSError as exc:
        raise UsageError(f"{what}: cannot open {path} ({exc.strerror})", hint) from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        kind = "a directory" if stat.S_ISDIR(mode) else "not a regular file (a device, a FIFO or a socket)"
        raise UsageError(f"{what}: {path} is {kind}", hint)
    with os.fdopen(fd, "rb") as handle:
        data = handle.read(cap + 1)
    if len(data) > cap:
        raise UsageError(f"{what}: {path} is larger than {cap // 1024} KiB, too large for this input", hint)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{what}: {path} is not UTF-8 ({exc.reason} at byte {exc.start})", hint) from None
