"""Progress lines, one home: flows and the gateway say what they wait for; the CLI decides where it goes.

The sink is set by the CLI for one run (cli/context.py); with none set (the library, tests in-process) nothing is
said. It holds a callable and nothing else, so the gateway can report a slow AWS request without importing cli/.
"""

from __future__ import annotations

from collections.abc import Callable

_sink: list[Callable[[str], None]] = []


def set_sink(sink: Callable[[str], None] | None) -> None:
    _sink[:] = [sink] if sink else []


def say(message: str) -> None:
    for sink in _sink:
        sink(message)


def listening() -> bool:
    """Whether anything would be said (a waiting thread is worth starting only then)."""
    return bool(_sink)
