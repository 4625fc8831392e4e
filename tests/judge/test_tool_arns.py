"""Code Interpreter and Browser resources (RUNTIME-NEEDS.md rows Code Interpreter, Browser): the AWS-managed tools
are `arn:P:bedrock-agentcore:R:aws:code-interpreter/aws.codeinterpreter.v1` and `...:aws:browser/aws.browser.v1`;
an agent's own are `code-interpreter-custom/<id>` and `browser-custom/<id>` in its account. Judged on the agent the
scan of real-shaped code finds, with and without the environment that names its tools."""

from __future__ import annotations

from typing import Any

import pytest
from env_agent import ACCOUNT, BROWSER, ENV, INTERPRETER, MEMORY, REGION, STRANDS_AGENT

from agentcore_ext.iam.policy import parse_policy
from agentcore_ext.judge.needs import agent_rules
from agentcore_ext.judge.permissions import judge_permissions
from agentcore_ext.judge.requirements import permissions_document
from agentcore_ext.judge.scan import scan_agent
from agentcore_ext.state import AgentProfile, AgentSpec, Feature, FeatureUse

AC = f"arn:aws:bedrock-agentcore:{REGION}"
MANAGED_CI = f"{AC}:aws:code-interpreter/aws.codeinterpreter.v1"
MANAGED_BROWSER = f"{AC}:aws:browser/aws.browser.v1"
OWN_CI = f"{AC}:{ACCOUNT}:code-interpreter-custom/{INTERPRETER}"
OWN_BROWSER = f"{AC}:{ACCOUNT}:browser-custom/{BROWSER}"
CI_ACTIONS = ["StartCodeInterpreterSession", "InvokeCodeInterpreter", "StopCodeInterpreterSession"]
BROWSER_ACTIONS = ["StartBrowserSession", "StopBrowserSession", "ConnectBrowserAutomationStream"]


def spec_of(*uses: FeatureUse) -> AgentSpec:
    return AgentSpec("travel", ACCOUNT, REGION, memory=False, profile=AgentProfile(features=uses))


def scanned(env: dict[str, str] | None) -> AgentSpec:
    found = scan_agent("agent.py", {"agent.py": STRANDS_AGENT}.get, env, dict.fromkeys(env or {}, "--env"))
    return spec_of(*found.features)


def resources(spec: AgentSpec, feature: Feature) -> tuple[str, ...]:
    return next(r.resources for r in agent_rules(spec) if r.feature == str(feature))


def allow(actions: list[str], resource: str) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": [f"bedrock-agentcore:{a}" for a in actions], "Resource": resource}


def missing(spec: AgentSpec, *statements: dict[str, Any]) -> set[str]:
    """The required actions a role of these statements lacks, besides observability and the memory the env names."""
    base = permissions_document(spec_of())["Statement"]
    memory = allow(
        ["CreateEvent", "ListEvents", "GetEvent", "RetrieveMemoryRecords"], f"{AC}:{ACCOUNT}:memory/{MEMORY}"
    )
    doc = {"Version": "2012-10-17", "Statement": [*base, memory, *statements]}
    return set(judge_permissions([parse_policy(doc)], spec).missing_actions)


@pytest.mark.parametrize(
    ("uses", "expected"),
    [
        ((FeatureUse(Feature.CODE_INTERPRETER, "a.py:1"),), (MANAGED_CI,)),  # --feature, an import: the default
        ((FeatureUse(Feature.CODE_INTERPRETER, "a.py:1", "aws.codeinterpreter.v1"),), (MANAGED_CI,)),
        (  # an import names none; the call names the agent's own: only that one
            (
                FeatureUse(Feature.CODE_INTERPRETER, "a.py:1"),
                FeatureUse(Feature.CODE_INTERPRETER, "a.py:9", INTERPRETER),
            ),
            (OWN_CI,),
        ),
        (  # one code path uses the default, another the agent's own: both
            (
                FeatureUse(Feature.CODE_INTERPRETER, "a.py:5", "aws.codeinterpreter.v1"),
                FeatureUse(Feature.CODE_INTERPRETER, "a.py:9", INTERPRETER),
            ),
            (MANAGED_CI, OWN_CI),
        ),
        ((FeatureUse(Feature.CODE_INTERPRETER, "a.py:9", OWN_CI),), (OWN_CI,)),  # an ARN as identifier: as is
        ((FeatureUse(Feature.CODE_INTERPRETER, "a.py:9", "*"),), (f"{AC}:{ACCOUNT}:code-interpreter-custom/*",)),
        ((FeatureUse(Feature.BROWSER, "a.py:9", BROWSER),), (OWN_BROWSER,)),
    ],
)
def test_tool_resources(uses: tuple[FeatureUse, ...], expected: tuple[str, ...]) -> None:
    assert resources(spec_of(*uses), uses[0].feature) == expected


def test_with_the_environment_the_agent_needs_its_own_tools_exactly() -> None:
    spec = scanned(ENV)
    assert resources(spec, Feature.CODE_INTERPRETER) == (OWN_CI,)
    assert resources(spec, Feature.BROWSER) == (OWN_BROWSER,)
    assert missing(spec, allow(CI_ACTIONS, OWN_CI), allow(BROWSER_ACTIONS, OWN_BROWSER)) == set()


def test_a_role_granting_only_the_aws_managed_browser_fails_the_agent_that_uses_its_own() -> None:
    spec = scanned(ENV)
    lacks = missing(spec, allow(CI_ACTIONS, OWN_CI), allow(BROWSER_ACTIONS, MANAGED_BROWSER))
    assert lacks == {f"bedrock-agentcore:{a}" for a in BROWSER_ACTIONS}


def test_a_role_granting_another_custom_browser_fails_too() -> None:
    other = f"{AC}:{ACCOUNT}:browser-custom/other_browser-Aa1Bb2Cc3D"
    lacks = missing(scanned(ENV), allow(CI_ACTIONS, OWN_CI), allow(BROWSER_ACTIONS, other))
    assert lacks == {f"bedrock-agentcore:{a}" for a in BROWSER_ACTIONS}


def test_without_the_environment_the_tools_are_the_agents_own_of_unknown_id_never_the_managed_ones() -> None:
    spec = scanned(None)
    assert resources(spec, Feature.BROWSER) == (f"{AC}:{ACCOUNT}:browser-custom/*",)
    # the managed tools are not what this code runs (its identifiers come from the deployment)
    assert missing(spec, allow(CI_ACTIONS, MANAGED_CI), allow(BROWSER_ACTIONS, MANAGED_BROWSER)) >= {
        "bedrock-agentcore:StartBrowserSession",
        "bedrock-agentcore:StartCodeInterpreterSession",
    }


def test_without_the_environment_a_role_granting_one_own_browser_passes_with_a_warning() -> None:
    """Which of its own browsers the agent uses is unknown: a grant on one of them is allowed on "some resource of
    that type" (INTERFACE.md), a warning that says how to name it, not an error."""
    spec = scanned(None)
    granted = [allow(CI_ACTIONS, OWN_CI), allow(BROWSER_ACTIONS, OWN_BROWSER)]
    verdict = judge_permissions([parse_policy({"Version": "2012-10-17", "Statement": granted})], spec)
    assert not {a for a in verdict.missing_actions if "Browser" in a or "CodeInterpreter" in a}
    unknown = next(f for f in verdict.findings if f.code == "RESOURCE_UNKNOWN")
    assert "browser-custom/*" in unknown.message and "--env" in unknown.hint
