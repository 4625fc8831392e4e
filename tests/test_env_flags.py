"""`--env KEY=VALUE` and `--env-file FILE` (issue 20): what they give the agent, where each value came from, and
the usage errors (exit 2) of bad names, values and files, each naming the flag, the file and line, never a value."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from agentcore_ext.define.env import (
    MAX_ENV_FILE_BYTES,
    env_args,
    env_facts,
    parse_env_file,
    parse_env_pairs,
    read_env_file,
    scan_env,
)
from agentcore_ext.define.facts import Fact, Facts, Rank, env_fact
from agentcore_ext.errors import EXIT_USAGE, UsageError
from agentcore_ext.settings import TeamDefaults, build_settings

DOTENV = """\
# the travel agent's deployment (as its stack sets it)
export MODEL_ID=us.amazon.nova-pro-v1:0

MEMORY_ID="travel_memory-Qw3rTy7890"   # created by the stack
CODE_INTERPRETER_ID='travel_sandbox-Zx9Yw8Vu7T'
PREFIX=travel
BROWSER_ID=${PREFIX}_browser-Lm4Nb5Vc6X
GUARDRAIL_ID=${GUARDRAIL_OVERRIDE:-gr7travel01}
EMPTY=
UNSET_ON_PURPOSE
"""


def values(facts: tuple[Fact, ...] | list[Fact]) -> dict[str, tuple[str, str]]:
    return {f.name: (f.value, f.source) for f in facts}


def test_a_dotenv_file_gives_each_variable_with_its_line() -> None:
    assert values(parse_env_file(DOTENV, ".env")) == {
        "env.MODEL_ID": ("us.amazon.nova-pro-v1:0", "--env-file .env:2"),
        "env.MEMORY_ID": ("travel_memory-Qw3rTy7890", "--env-file .env:4"),
        "env.CODE_INTERPRETER_ID": ("travel_sandbox-Zx9Yw8Vu7T", "--env-file .env:5"),
        "env.PREFIX": ("travel", "--env-file .env:6"),
        "env.BROWSER_ID": ("travel_browser-Lm4Nb5Vc6X", "--env-file .env:7"),  # ${PREFIX} from line 6
        "env.GUARDRAIL_ID": ("gr7travel01", "--env-file .env:8"),  # ${X:-default}: X is not in the file
        "env.EMPTY": ("", "--env-file .env:9"),
    }  # UNSET_ON_PURPOSE has no "=": it sets nothing, as python-dotenv's load_dotenv


def test_env_pairs_and_the_file_merge_with_env_winning(tmp_path: Path) -> None:
    (tmp_path / "deploy.env").write_text("MODEL_ID=amazon.nova-lite-v1:0\nMEMORY_ID=m-1\n")
    settings = build_settings(
        defaults=TeamDefaults(),
        env=["MODEL_ID=amazon.nova-pro-v1:0", "URL=https://x.example/a=b"],
        env_file="deploy.env",
        workdir=str(tmp_path),
    )
    assert settings.env_file == "deploy.env"
    assert values(env_facts(settings)) == {
        "env.MODEL_ID": ("amazon.nova-pro-v1:0", "--env"),
        "env.MEMORY_ID": ("m-1", "--env-file deploy.env:2"),
        "env.URL": ("https://x.example/a=b", "--env"),  # only the first = splits
    }
    assert scan_env(env_facts(settings)) == (
        {"MODEL_ID": "amazon.nova-pro-v1:0", "MEMORY_ID": "m-1", "URL": "https://x.example/a=b"},
        {"MODEL_ID": "--env", "MEMORY_ID": "--env-file deploy.env:2", "URL": "--env"},
    )
    # the flags a hint repeats give the same environment again
    assert env_args(settings.env, settings.env_file) == [
        "--env-file",
        "deploy.env",
        "--env",
        "MODEL_ID=amazon.nova-pro-v1:0",
        "--env",
        "URL=https://x.example/a=b",
    ]


def test_scan_env_takes_merged_facts_of_any_source() -> None:
    template = env_fact("MODEL_ID", "amazon.nova-lite-v1:0", "template Runtime.EnvironmentVariables", Rank.TEMPLATE)
    flag = env_fact("MODEL_ID", "amazon.nova-pro-v1:0", "--env", Rank.FLAG)
    merged = Facts.merge([flag], [template])  # the flag outranks the template, whatever the order
    assert scan_env(merged) == ({"MODEL_ID": "amazon.nova-pro-v1:0"}, {"MODEL_ID": "--env"})


def test_no_env_given_is_no_fact() -> None:
    assert build_settings(defaults=TeamDefaults(), workdir=".").env == ()


@pytest.mark.parametrize(
    ("pairs", "message", "hint"),
    [
        (["MODEL_ID"], "--env 'MODEL_ID' is not KEY=VALUE", "--env MODEL_ID="),
        (["sk-live-abc123"], "--env value (not shown: it has no =, it may be a secret) is not KEY=VALUE", "KEY=VALUE"),
        (["=x"], "--env: '' is not an environment variable name", "letters, digits and _"),
        (["1MODEL=x"], "--env: '1MODEL' is not an environment variable name", "not starting with a digit"),
        (["MODEL-ID=x"], "--env: 'MODEL-ID' is not an environment variable name", "e.g. MODEL_ID"),
        (["MODEL_ID=a\x1b[31mb"], "--env: the value of MODEL_ID holds a control character (U+001B)", "one line"),
        (["MODEL_ID=a\nb"], "--env: the value of MODEL_ID holds a control character (U+000A)", "one line"),
        (["MODEL_ID=a\x85b"], "--env: the value of MODEL_ID holds a control character (U+0085)", "one line"),
    ],
)
def test_bad_env_pairs(pairs: list[str], message: str, hint: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_env_pairs(pairs)
    assert caught.value.message == message
    assert hint in caught.value.hint
    assert caught.value.exit_code == EXIT_USAGE
    assert "\x1b" not in caught.value.message and "sk-live" not in caught.value.message


@pytest.mark.parametrize(
    ("text", "message", "hint"),
    [
        ("A=1\n\n\nB='unterminated\n", "--env-file .env:4: not a dotenv line", "KEY=VALUE"),
        ("A=1\nmy.key=2\n", "--env-file .env:2: 'my.key' is not an environment variable name", "letters"),
        ('A=1\nTOKEN="x\\ty"\n', "--env-file .env:2: the value of TOKEN holds a control character (U+0009)", "tabs"),
        (
            "MODEL_ID=${BASE_MODEL}\n",
            "--env-file .env:1: ${BASE_MODEL} is not defined above it in the file, and agentcore-ext does not "
            "read your shell's environment (the agent runs with its deployment's)",
            "define BASE_MODEL on an earlier line",
        ),
    ],
)
def test_bad_dotenv_lines_are_named_by_line(text: str, message: str, hint: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_env_file(text, ".env")
    assert caught.value.message == message
    assert hint in caught.value.hint


def test_an_undefined_variable_is_not_read_from_this_shell(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BASE_MODEL", "amazon.nova-pro-v1:0")  # python-dotenv itself would use it
    with pytest.raises(UsageError):
        parse_env_file("MODEL_ID=${BASE_MODEL}\n", ".env")


def test_bad_env_files(tmp_path: Path) -> None:
    def error(name: str) -> UsageError:
        with pytest.raises(UsageError) as caught:
            read_env_file(name, tmp_path)
        return caught.value

    assert error("missing.env").message == "--env-file missing.env: no such file"
    (tmp_path / "folder").mkdir()
    assert error("folder").message == "--env-file folder: not a regular file"
    os.mkfifo(tmp_path / "pipe")
    assert error("pipe").message == "--env-file pipe: not a regular file"  # never read: it could block forever
    (tmp_path / "big.env").write_text("A=" + "x" * MAX_ENV_FILE_BYTES)
    assert "more than a dotenv file holds" in error("big.env").message
    (tmp_path / "latin1.env").write_bytes("CITY=M\xfcnchen\n".encode("latin-1"))
    assert error("latin1.env").message == "--env-file latin1.env: not UTF-8 text (byte 6)"
    assert error("latin1.env").hint == "save it as UTF-8"


def test_an_env_file_through_a_link_and_with_a_bom_is_read(tmp_path: Path) -> None:
    (tmp_path / "real.env").write_text("\ufeffMODEL_ID=amazon.nova-pro-v1:0\r\nMEMORY_ID=m-1\r\n", encoding="utf-8")
    (tmp_path / ".env").symlink_to(tmp_path / "real.env")
    assert values(read_env_file(".env", tmp_path)) == {
        "env.MODEL_ID": ("amazon.nova-pro-v1:0", "--env-file .env:1"),
        "env.MEMORY_ID": ("m-1", "--env-file .env:2"),
    }
