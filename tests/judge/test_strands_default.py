"""judge/strands_default.py: the model a Strands `Agent()` calls, by the strands-agents version pinned and the region.

The table is strands-agents/sdk-python's `src/strands/models/bedrock.py` at its release tags (DEFAULT_BEDROCK_MODEL_ID
and `_get_default_model_with_warning`); RUNTIME-NEEDS.md, "Default models in the code people start from".
"""

from __future__ import annotations

import pytest

from agentcore_ext.judge.strands_default import Pin, default_for, find_pin

SONNET_4 = "anthropic.claude-sonnet-4-20250514-v1:0"


@pytest.mark.parametrize(
    ("spec", "region", "model"),
    [
        ("==0.1.9", "eu-west-1", "us.anthropic.claude-3-7-sonnet-20250219-v1:0"),  # v0.1.0: 3.7 Sonnet, us. only
        ("==1.5.2", "eu-west-1", f"us.{SONNET_4}"),  # v1.0.0: Sonnet 4, still us. in every region
        ("==1.10.0", "us-west-2", f"us.{SONNET_4}"),  # v1.8.0: prefixed by the region's group
        ("==1.10.0", "eu-central-1", f"eu.{SONNET_4}"),
        ("==1.10.0", "ap-northeast-1", f"apac.{SONNET_4}"),  # `ap` is spelt `apac` (prefix_inference_map)
        ("==1.10.0", "us-gov-west-1", f"us-gov.{SONNET_4}"),
        ("~=1.10.0", "us-east-1", f"us.{SONNET_4}"),  # 1.10.x
        ("==1.10.*", "us-east-1", f"us.{SONNET_4}"),
        (">=1.8,<1.38", "eu-west-3", f"eu.{SONNET_4}"),  # every version in it has the same default
        ("==1.38.0", "ap-southeast-2", "global.anthropic.claude-sonnet-4-6"),  # v1.38.0: global in every region
        ("==1.40.0", "us-east-1", "global.anthropic.claude-sonnet-4-6"),
    ],
)
def test_a_pinned_version_has_its_default(spec: str, region: str, model: str) -> None:
    assert default_for(Pin(spec, "requirements.txt:2"), region).model == model


@pytest.mark.parametrize(
    ("spec", "region", "why"),
    [
        ("", "us-east-1", "not pinned"),
        (">=1.38", "us-east-1", "newer than 1.40.0"),  # a release after the newest read may change it
        ("~=1.10", "us-east-1", "newer than 1.40.0"),  # >=1.10, <2
        ("==1.41.0", "us-east-1", "newer than 1.40.0"),
        (">=1.5,<1.9", "us-east-1", "different default models"),  # spans v1.8.0
        ("==1.38.0rc1", "us-east-1", "does not read"),
        ("==1.10,<1.10", "us-east-1", "allows no version"),
        ("==1.10.0", "ca-central-1", "no default model in ca-central-1"),  # Strands only warns there
    ],
)
def test_an_undecidable_version_or_region_leaves_the_model_unknown(spec: str, region: str, why: str) -> None:
    decided = default_for(Pin(spec, "requirements.txt:2"), region)
    assert decided.model == "" and why in decided.why


def test_no_file_naming_strands_leaves_it_unknown() -> None:
    assert find_pin({"agent.py": ""}.get, "agent.py") is None
    assert default_for(None, "us-east-1").model == ""


def test_the_pin_is_read_from_the_nearest_requirements_or_pyproject() -> None:
    files = {
        "requirements.txt": "# runtime\nbedrock-agentcore\nStrands_Agents[otel] == 1.10.0 ; python_version>'3.9'\n",
        "src/pyproject.toml": '[project]\nname = "x"\ndependencies = ["strands-agents>=1.38,<1.40"]\n',
        "other/requirements.txt": "strands-agents-tools==0.2.0\n",  # another package: never the pin
    }
    assert find_pin(files.get, "agent.py") == Pin("== 1.10.0", "requirements.txt:3")
    assert find_pin(files.get, "src/app/agent.py") == Pin(">=1.38,<1.40", "src/pyproject.toml")
    assert find_pin(files.get, "other/agent.py") == Pin("== 1.10.0", "requirements.txt:3")
    assert default_for(find_pin(files.get, "agent.py"), "eu-west-1").model == f"eu.{SONNET_4}"
