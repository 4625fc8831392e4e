"""The layout's rules (issue 9, DESIGN.md), read from the source with `ast`: a violation fails here, not in review.

- only aws/ imports boto3, botocore or moto;
- the pure layers (iam/, judge/, plan/, state.py, findings.py, arns.py) import nothing from aws/, flows/, cli/,
  toolkit/;
- flows/ never imports cli/; no import cycle between modules (TYPE_CHECKING imports included);
- no re-export facades: every imported name is defined by the module it is imported from;
- no module over 350 lines.
"""

from __future__ import annotations

import ast
import importlib.util
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("import_graph", ROOT / "scripts" / "import_graph.py")
assert _spec is not None and _spec.loader is not None
import_graph = importlib.util.module_from_spec(_spec)
sys.modules["import_graph"] = import_graph
_spec.loader.exec_module(import_graph)
AWS_SDKS = ("boto3", "botocore", "moto", "mypy_boto3_iam", "mypy_boto3_sts")
PURE = ("agentcore_ext.iam", "agentcore_ext.judge", "agentcore_ext.plan", "agentcore_ext.state")
PURE += ("agentcore_ext.findings", "agentcore_ext.arns", "agentcore_ext.define")
IMPURE = ("agentcore_ext.aws", "agentcore_ext.flows", "agentcore_ext.cli", "agentcore_ext.toolkit")
MAX_LINES = 350


def _within(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def _defined(source: str) -> set[str]:
    names: set[str] = set()
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def violations(modules: Mapping[str, str]) -> list[str]:
    """Every broken rule, as readable lines (empty when the layout holds)."""
    problems: list[str] = []
    for name, source in modules.items():
        lines = source.count("\n") + 1
        if lines > MAX_LINES:
            problems.append(f"{name}: {lines} lines, more than {MAX_LINES}")
        for target, names, line in import_graph.imports(source):
            where = f"{name}:{line}"
            top = target.split(".")[0]
            if top in AWS_SDKS and not _within(name, ("agentcore_ext.aws",)):
                problems.append(f"{where} imports {target}: only agentcore_ext.aws may use the AWS SDK")
            if not target.startswith("agentcore_ext"):
                continue
            for dep in import_graph.targets(target, names, modules):
                if _within(name, PURE) and _within(dep, IMPURE):
                    problems.append(f"{where} imports {dep}: pure code must not reach aws/, flows/, cli/, toolkit/")
                if _within(name, ("agentcore_ext.flows",)) and _within(dep, ("agentcore_ext.cli",)):
                    problems.append(f"{where} imports {dep}: flows never import the CLI")
            if target in modules:
                defined = _defined(modules[target])
                for n in names:
                    if n not in defined and f"{target}.{n}" not in modules:
                        problems.append(f"{where} imports {n} from {target}, which does not define it (a facade)")
    cycle = import_graph.find_cycle(import_graph.graph(modules))
    if cycle:
        problems.append("import cycle: " + " -> ".join(cycle))
    return problems


def test_the_package_keeps_the_layout_rules() -> None:
    assert violations(import_graph.read_package(ROOT / "agentcore_ext")) == []


# The checker itself: each rule fails on a literal violation, so a green run above means something.
GOOD = {
    "agentcore_ext": "",
    "agentcore_ext.state": "X = 1\n",
    "agentcore_ext.aws": "",
    "agentcore_ext.aws.gateway": "import boto3\nfrom agentcore_ext.state import X\nG = 1\n",
    "agentcore_ext.judge": "",
    "agentcore_ext.judge.trust": "from agentcore_ext.state import X\n",
    "agentcore_ext.flows": "",
    "agentcore_ext.flows.doctor": "from agentcore_ext.aws.gateway import G\n",
    "agentcore_ext.cli": "",
    "agentcore_ext.cli.app": "from agentcore_ext.flows import doctor\n",
}


@pytest.mark.parametrize(
    ("module", "source", "expected"),
    [
        ("agentcore_ext.judge.trust", "import botocore.exceptions\n", "only agentcore_ext.aws may use the AWS SDK"),
        ("agentcore_ext.judge.trust", "from moto import mock_aws\n", "only agentcore_ext.aws may use the AWS SDK"),
        (
            "agentcore_ext.judge.trust",
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from agentcore_ext.aws.gateway import G\n",
            "pure code must not reach",
        ),
        ("agentcore_ext.state", "def f():\n    from agentcore_ext.flows import doctor\n", "pure code must not reach"),
        ("agentcore_ext.flows.doctor", "from agentcore_ext.cli import app\n", "flows never import the CLI"),
        ("agentcore_ext.state", "from agentcore_ext.judge.trust import X\n", "import cycle"),
        ("agentcore_ext.cli.app", "from agentcore_ext.judge.trust import X\n", "a facade"),
        ("agentcore_ext.state", "X = 1\n" * (MAX_LINES + 1), "lines, more than"),
    ],
)
def test_the_checker_catches_each_violation(module: str, source: str, expected: str) -> None:
    assert violations(GOOD) == []
    broken = {**GOOD, module: source}
    assert any(expected in problem for problem in violations(broken)), violations(broken)
