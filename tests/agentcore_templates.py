"""Render the installed starter toolkit's own `agentcore create` templates, for tests that scan real agent code.

Uses the toolkit's renderer, not a copy of it: `create/generate.py::_apply_baseline_and_sdk_features` builds a
`ProjectContext` and applies `BaselineFeature` then the SDK feature (`create/features/strands/feature.py`), whose
`Feature.render_dir` (`create/features/base_feature.py`) renders `templates/<runtime_only|monorepo>/common/` and
`templates/model_provider/<provider>/` with jinja2. Only the file rendering is reused: no venv, git or YAML.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bedrock_agentcore_starter_toolkit.create.baseline_feature import BaselineFeature
from bedrock_agentcore_starter_toolkit.create.constants import (
    DeploymentType,
    ModelProvider,
    RuntimeProtocol,
    SDKProvider,
    TemplateDirSelection,
)
from bedrock_agentcore_starter_toolkit.create.features import sdk_feature_registry
from bedrock_agentcore_starter_toolkit.create.types import ProjectContext


def render_project(
    dest: Path,
    *,
    sdk: str = SDKProvider.STRANDS,
    model_provider: str = ModelProvider.Bedrock,
    memory: bool = False,
    name: str = "scanme",
) -> Path:
    """Render a runtime_only project (what `agentcore create` makes without IaC) under dest/<name>.

    Returns the entrypoint, `<name>/src/main.py`: the toolkit's `source_path` is `src`, so the agent's folder is the
    entrypoint's parent and its imports (`from model.load import load_model`) resolve there.
    """
    output = dest / name
    src = output / "src"
    src.mkdir(parents=True)
    # The same fields generate_project() sets for a runtime_only project (create/generate.py, 0.3.14).
    ctx = ProjectContext(
        name=name,
        output_dir=output,
        src_dir=src,
        entrypoint_path=src / "main.py",
        iac_dir=None,
        sdk_provider=sdk,  # type: ignore[arg-type]
        iac_provider=None,
        model_provider=model_provider,  # type: ignore[arg-type]
        deployment_type=DeploymentType.DIRECT_CODE_DEPLOY,
        template_dir_selection=TemplateDirSelection.RUNTIME_ONLY,
        runtime_protocol=RuntimeProtocol.HTTP,
        python_dependencies=[],
        agent_name=name + "_Agent",
        api_key_env_var_name=None if model_provider == ModelProvider.Bedrock else f"{model_provider.upper()}_API_KEY",
        memory_enabled=memory,
        memory_name=name + "_Memory" if memory else None,
    )
    BaselineFeature(ctx).apply(ctx)
    sdk_feature_registry[sdk]().apply(ctx)  # type: ignore[index]
    return ctx.entrypoint_path


def render_strands_project(dest: Path) -> Path:
    """The default `agentcore create` project: Strands, Amazon Bedrock, runtime only, no memory."""
    return render_project(dest)


def folder_reader(folder: Path) -> Callable[[str], str | None]:
    """A `read` for scan_agent over a real folder (tests only: the product's reader is someone else's)."""
    root = folder.resolve()

    def read(relpath: str) -> str | None:
        path = (root / relpath).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            return None
        return path.read_text(encoding="utf-8")

    return read
