"""Issue 15 item 4 (part): -h and `help`, full help texts, help texts that say what the code does, one error style."""

from __future__ import annotations

import pytest

from agentcore_ext.cli.app import main
from agentcore_ext.cli.render import error
from agentcore_ext.errors import UsageError


def _main(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(args)
    out = capsys.readouterr()
    code = done.value.code
    return (code if isinstance(code, int) else 0), out.out, out.err


@pytest.mark.parametrize("args", [["-h"], ["help"], ["--help"]])
def test_top_level_help_spellings(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _main(args, capsys)
    assert code == 0 and "Usage: agentcore-ext" in out
    # full descriptions in the command list, not click's 45-character cut
    assert "then run `agentcore configure` with it." in " ".join(out.split())
    assert "..." not in out.split("Commands:")[1]


@pytest.mark.parametrize(
    ("args", "usage"),
    [
        (["doctor", "-h"], "agentcore-ext doctor"),
        (["help", "doctor"], "agentcore-ext doctor"),
        (["policy", "-h"], "agentcore-ext policy"),
        (["help", "policy", "trust"], "agentcore-ext policy trust"),
        (["role", "ensure", "-h"], "agentcore-ext role ensure"),
        (["help", "validate"], "agentcore-ext validate"),
    ],
)
def test_subcommand_help_spellings(args: list[str], usage: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _main(args, capsys)
    assert code == 0 and f"Usage: {usage}" in out


def test_help_texts_say_what_the_code_does(capsys: pytest.CaptureFixture[str]) -> None:
    _, doctor_help, _ = _main(["doctor", "--help"], capsys)
    flat = " ".join(doctor_help.split())
    assert "src/agent.py -> src_agent" in flat and "stem" not in flat
    assert "Role to check" in flat and "find or create" not in flat
    _, validate_help, _ = _main(["validate", "--help"], capsys)
    assert "(required)" in " ".join(validate_help.split())


def test_render_error_uses_the_report_style(capsys: pytest.CaptureFixture[str]) -> None:
    error(UsageError("unknown --format 'x'", "choose one of json"))
    err = capsys.readouterr().err
    assert err.splitlines() == ["✗ error [USAGE_ERROR] unknown --format 'x'", "    hint: choose one of json"]


def test_policy_bad_format_in_the_report_style(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _main(
        ["policy", "trust", "-n", "a", "--account", "123456789012", "-r", "us-east-1", "--format", "x"], capsys
    )
    assert code == 2 and "✗ error [USAGE_ERROR]" in err and "    hint:" in err
