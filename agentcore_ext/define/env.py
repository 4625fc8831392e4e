"""The environment the agent runs with, as the command line gives it: `--env KEY=VALUE` (repeatable) and
`--env-file FILE` (dotenv), the values `agentcore deploy --env` or a stack would set. Each is a fact "env.KEY"
(define/facts.py) that says where it was given ("--env", "--env-file .env:3"); --env wins over the file, a later
value over an earlier one. The code scan resolves the agent's `os.environ` reads with them (judge/scan_values.py).

Pure, but for `read_env_file`, the one read of the file (a regular file, at most MAX_ENV_FILE_BYTES, UTF-8).
Values are never echoed in errors: a dotenv file often holds secrets.
"""

from __future__ import annotations

import io
import os
import re
import stat
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from dotenv.parser import parse_stream
from dotenv.variables import Literal, Variable, parse_variables

from agentcore_ext.define.facts import ENV_PREFIX, Fact, Rank, env_fact
from agentcore_ext.errors import UsageError

ENV_FLAG = "--env"
ENV_FILE_FLAG = "--env-file"
MAX_ENV_FILE_BYTES = 1 << 20  # an agent's dotenv holds a few dozen lines; a larger file is not one
# A portable environment variable name (POSIX.1-2017, 8.1: letters, digits, underscore, not starting with a
# digit), the names `os.environ[...]` reads in the agents people write and a stack's EnvironmentVariables keys.
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
NAME_HINT = "names are letters, digits and _, not starting with a digit, e.g. MODEL_ID"


class HasEnv(Protocol):
    """What env_facts needs of Settings (settings.py imports this module, so it is not named here)."""

    @property
    def env(self) -> tuple[Fact, ...]: ...


def check_env_key(key: str, what: str) -> str:
    if not _NAME.fullmatch(key):
        shown = repr(key) if key.isprintable() and len(key) <= 64 else "(not shown)"
        raise UsageError(f"{what}: {shown} is not an environment variable name", NAME_HINT)
    return key


def check_env_value(key: str, value: str, what: str) -> str:
    """No control character (C0, DEL, C1): a newline or an escape would reach reports and hints as given."""
    bad = next((c for c in value if unicodedata.category(c) == "Cc"), None)
    if bad is not None:
        raise UsageError(
            f"{what}: the value of {key} holds a control character (U+{ord(bad):04X})",
            "give the value on one line, without tabs or escape characters",
        )
    return value


def parse_env_pairs(pairs: Iterable[str]) -> tuple[Fact, ...]:
    """--env KEY=VALUE, in the order given."""
    facts = []
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            shown = repr(pair) if _NAME.fullmatch(pair) else "value (not shown: it has no =, it may be a secret)"
            raise UsageError(
                f"{ENV_FLAG} {shown} is not KEY=VALUE",
                f"write {ENV_FLAG} KEY=VALUE, e.g. {ENV_FLAG} MODEL_ID=us.amazon.nova-pro-v1:0",
            )
        check_env_key(key, ENV_FLAG)
        facts.append(env_fact(key, check_env_value(key, value, ENV_FLAG), ENV_FLAG, Rank.FLAG))
    return tuple(facts)


def parse_env_file(text: str, name: str) -> tuple[Fact, ...]:
    """A dotenv file's assignments as python-dotenv reads them (`export`, quotes, escapes, `# comments`), each
    with its line. `${VAR}` and `${VAR:-default}` expand, as python-dotenv does, with the file's earlier values
    only: the agent runs with its deployment's environment, not this shell's, so a variable the file does not
    define is not guessed. A key with no `=` sets nothing (python-dotenv's `load_dotenv` skips it too)."""
    facts: list[Fact] = []
    known: dict[str, str] = {}
    for binding in parse_stream(io.StringIO(text)):
        original = binding.original.string
        line = binding.original.line + original[: len(original) - len(original.lstrip())].count("\n")
        where = f"{ENV_FILE_FLAG} {name}:{line}"
        if binding.error:
            raise UsageError(
                f"{where}: not a dotenv line",
                'write KEY=VALUE (quote a value with spaces or #: KEY="a b"); comments start with #',
            )
        if binding.key is None or binding.value is None:
            continue
        key = check_env_key(binding.key, where)
        value = check_env_value(key, _expand(binding.value, known, where), where)
        known[key] = value
        facts.append(env_fact(key, value, where, Rank.FLAG))
    return tuple(facts)


def _expand(value: str, known: dict[str, str], where: str) -> str:
    out = []
    for atom in parse_variables(value):
        if isinstance(atom, Literal) or not isinstance(atom, Variable):
            out.append(atom.resolve({}))
            continue
        name, default = atom.name, atom.default
        if name not in known and default is None:
            raise UsageError(
                f"{where}: ${{{name}}} is not defined above it in the file, and agentcore-ext does not read your "
                "shell's environment (the agent runs with its deployment's)",
                f"write the value itself, define {name} on an earlier line, or pass {ENV_FLAG} KEY=VALUE",
            )
        out.append(known.get(name, default or ""))
    return "".join(out)


def read_env_file(path: str, workdir: str | Path) -> tuple[Fact, ...]:
    """--env-file FILE (relative to the working directory): a regular file of UTF-8 text, at most 1 MiB."""
    full = Path(path) if Path(path).is_absolute() else Path(workdir) / path
    hint = "give a dotenv file: KEY=VALUE lines, e.g. MODEL_ID=us.amazon.nova-pro-v1:0"
    try:
        info = full.stat()
        if not stat.S_ISREG(info.st_mode):
            raise UsageError(f"{ENV_FILE_FLAG} {path}: not a regular file", hint)
        if info.st_size > MAX_ENV_FILE_BYTES:
            raise UsageError(f"{ENV_FILE_FLAG} {path}: {info.st_size} bytes, more than a dotenv file holds", hint)
        # O_NONBLOCK: a file swapped for a FIFO after the check does not hang the run
        fd = os.open(full, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as stream:
            data = stream.read(MAX_ENV_FILE_BYTES + 1)
    except FileNotFoundError:
        raise UsageError(f"{ENV_FILE_FLAG} {path}: no such file", hint) from None
    except OSError as exc:
        raise UsageError(f"{ENV_FILE_FLAG} {path}: cannot read it ({exc.strerror})", hint) from None
    if len(data) > MAX_ENV_FILE_BYTES:
        raise UsageError(f"{ENV_FILE_FLAG} {path}: more than {MAX_ENV_FILE_BYTES} bytes", hint)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{ENV_FILE_FLAG} {path}: not UTF-8 text (byte {exc.start})", "save it as UTF-8") from None
    return parse_env_file(text, path)


def given_env(pairs: Iterable[str], env_file: str | None, workdir: str | Path | None) -> tuple[Fact, ...]:
    """Settings.env: the file's facts, then --env's (so --env wins where both give a variable)."""
    from_file = read_env_file(env_file, workdir or ".") if env_file else ()
    return (*from_file, *parse_env_pairs(pairs))


def env_facts(settings: HasEnv) -> list[Fact]:
    """The agent's environment as the command line gives it: one fact per variable, the one that wins."""
    last = {fact.name: fact for fact in settings.env}
    return list(last.values())


def scan_env(facts: Iterable[Fact]) -> tuple[dict[str, str], dict[str, str]]:
    """(values, where each was given) of the "env.*" facts, for judge/scan.py `scan_agent(..., env, given_by)`.
    Takes any facts (a merged define.facts.Facts too); of one variable, the last wins."""
    values: dict[str, str] = {}
    given_by: dict[str, str] = {}
    for fact in facts:
        if fact.name.startswith(ENV_PREFIX):
            key = fact.name.removeprefix(ENV_PREFIX)
            values[key], given_by[key] = fact.value, fact.source
    return values, given_by


def env_args(env: Iterable[Fact], env_file: str | None) -> list[str]:
    """The flags that give this environment again (for the commands a hint names): --env-file, then each --env."""
    argv = [ENV_FILE_FLAG, env_file] if env_file else []
    for fact in env:
        if fact.source == ENV_FLAG:
            argv += [ENV_FLAG, f"{fact.name.removeprefix(ENV_PREFIX)}={fact.value}"]
    return argv
