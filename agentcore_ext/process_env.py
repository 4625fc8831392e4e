"""Temporary changes to this process's environment and working directory, restored exactly afterwards.

The toolkit runs in-process with them (toolkit.py), and the sandbox points boto3 at its server with them.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping
from pathlib import Path


@contextlib.contextmanager
def patched_environ(changes: Mapping[str, str | None]) -> Iterator[None]:
    """Apply changes to os.environ (None removes a key) and restore the previous values exactly afterwards."""
    saved = {key: os.environ.get(key) for key in changes}
    try:
        for key, value in changes.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


@contextlib.contextmanager
def working_directory(path: Path) -> Iterator[None]:
    """Run the block in path, and return to the previous working directory afterwards."""
    previous = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)
