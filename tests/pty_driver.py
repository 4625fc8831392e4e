"""Drive agentcore-ext on a pseudo-terminal (python's `pty`), as a person at a terminal would: wait for a text,
type the keys. Shared by the interactive tests (tests/test_e2e_pty.py) and scripts/capture.py (docs/captures/).
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import sys
import termios
import time
from collections.abc import Sequence
from pathlib import Path


def run_on_pty(
    args: Sequence[str],
    cwd: Path,
    env: dict[str, str],
    script: Sequence[tuple[str, bytes]] = (),
    *,
    timeout: float = 60.0,
    size: tuple[int, int] | None = None,
) -> tuple[int, str]:
    """Run `python -m agentcore_ext ARGS` on a pty (`size`: columns, rows); for each (text, keys) of `script`, in
    order, wait until `text` was printed, then type `keys`. A run past `timeout` is killed. (exit code, raw text)"""
    pid, fd = pty.fork()
    if pid == 0:  # the child: the CLI in its folder, on the terminal
        os.chdir(cwd)
        os.execve(sys.executable, [sys.executable, "-m", "agentcore_ext", *args], env)
    if size is not None:
        columns, rows = size
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    output, deadline = b"", time.monotonic() + timeout
    steps = list(script)
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            output += chunk
        if steps and steps[0][0].encode() in output:
            time.sleep(0.3)  # let the prompt finish drawing
            os.write(fd, steps.pop(0)[1])
    else:
        os.kill(pid, 9)
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), output.decode(errors="replace")
