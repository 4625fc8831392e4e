"""Team defaults and flag merging."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentcore_ext.errors import UsageError
from agentcore_ext.settings import TeamDefaults, build_settings, load_team_defaults, parse_tags


def _write(tmp_path: Path, body: str) -> Path:
    (tmp_path / "pyproject.toml").write_text(body)
    return tmp_path


def test_team_defaults_are_read(tmp_path: Path) -> None:
    d = load_team_defaults(
        _write(
            tmp_path,
            """
[tool.agentcore-ext]
role-path = "/agents/"
permissions-boundary = "arn:aws:iam::123456789012:policy/Boundary"
tags = { team = "ml", cost-center = "42" }
deployment-type = "direct_code_deploy"
""",
        )
    )
    assert d.role_path == "/agents/" and d.tags == {"team": "ml", "cost-center": "42"}
    s = build_settings(defaults=d, entrypoint="agent.py", tags=["team=search"])
    assert s.role_path == "/agents/"
    assert s.deployment_type == "direct_code_deploy"
    assert s.tags == {"team": "search", "cost-center": "42"}  # flags override
    assert s.role_tags()["managed-by"] == "agentcore-ext"
    assert s.agent_name == "agent"


def test_no_file_or_no_table_is_fine(tmp_path: Path) -> None:
    assert load_team_defaults(tmp_path) == TeamDefaults()
    assert load_team_defaults(_write(tmp_path, "[project]\nname='x'\n")) == TeamDefaults()


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("[tool.agentcore-ext]\nrole-pth = '/x/'\n", "unknown key 'role-pth'"),
        ("[tool.agentcore-ext]\ntags = 'team=ml'\n", "tags must be a table"),
        ("[tool.agentcore-ext]\nrole-path = 'agents'\n", "invalid IAM path"),
        ("[tool.agentcore-ext]\ndeployment-type = 'lambda'\n", "deployment-type"),
        ("[tool.agentcore-ext]\nrole-name-template = 'X-{nope}'\n", "role-name-template"),
        ("[tool.agentcore-ext\n", "not valid TOML"),
        ("[tool.agentcore-ext]\ntags = { team = 1 }\n", "tags.team"),
    ],
)
def test_broken_team_table_is_a_usage_error_naming_the_key(tmp_path: Path, body: str, fragment: str) -> None:
    with pytest.raises(UsageError, match=fragment.replace("(", r"\(")):
        load_team_defaults(_write(tmp_path, body))


@pytest.mark.parametrize("pair", ["novalue", "=x", "aws:team=x", "k=" + "v" * 300])
def test_bad_tags(pair: str) -> None:
    with pytest.raises(UsageError):
        parse_tags([pair])


@pytest.mark.parametrize(
    "kwargs",
    [
        {"name": "my-agent"},
        {"protocol": "SOAP"},
        {"deployment_type": "lambda"},
        {"role_name": "x" * 65},
        {"role_path": "nopath"},
        {"permissions_boundary": "arn:aws:iam::123456789012:role/NotAPolicy"},
        {"permissions_boundary": "boundary"},
        {"region": "mars-1"},
        {"account": "12345"},
    ],
)
def test_bad_flags(kwargs: dict[str, str]) -> None:
    with pytest.raises(UsageError):
        build_settings(defaults=TeamDefaults(), entrypoint="agent.py", **kwargs)  # type: ignore[arg-type]
