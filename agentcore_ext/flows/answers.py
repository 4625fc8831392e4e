"""The toolkit's interactive answers, judged: after an interactive `agentcore configure`, the agent block it wrote
(an ECR repository, memory mode, protocol typed at its prompts) is checked against the role read-only, and when the
role does not hold for it, the folder is put back as it was before the toolkit ran.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from agentcore_ext.findings import Code, Finding, Severity
from agentcore_ext.flows.doctor import doctor
from agentcore_ext.report import Report
from agentcore_ext.settings import Settings
from agentcore_ext.toolkit.config import CONFIG_FILE

_TOOLKIT_DIR = ".bedrock_agentcore"


def snapshot(workdir: Path) -> set[Path]:
    """The files the toolkit may add: the top level of the folder and its `.bedrock_agentcore/` tree."""
    files = {p for p in workdir.iterdir() if p.is_file()}
    tree = workdir / _TOOLKIT_DIR
    return files | ({p for p in tree.rglob("*")} if tree.is_dir() else set())


def judge_answers(settings: Settings, agent: str, report: Report) -> bool:
    """Judge the role for the agent block the toolkit wrote; its error findings go into report. True when it holds."""
    check = Report("doctor")
    cleared = settings.with_(
        agent_name=agent, execution_role=None, role_name=None, entrypoint=None, ecr_repository=None, region=None
    )
    doctor(cleared, check)
    errors = [f for f in check.findings if f.severity is Severity.ERROR]
    report.add(errors)
    return not errors


def restore(workdir: Path, before: set[Path], had_config: bool) -> None:
    """Put .bedrock_agentcore.yaml back (from the .bak written just before the toolkit) and remove what it added."""
    config, backup = workdir / CONFIG_FILE, workdir / f"{CONFIG_FILE}.bak"
    if had_config and backup.is_file():
        shutil.copy2(backup, config)
    elif not had_config:
        config.unlink(missing_ok=True)
    for path in sorted(snapshot(workdir) - before, key=lambda p: len(p.parts), reverse=True):
        if path.is_dir() and not any(path.iterdir()):
            path.rmdir()
        elif path.is_file():
            path.unlink()
    tree = workdir / _TOOLKIT_DIR
    for folder in sorted((p for p in tree.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True):
        if folder not in before and not any(folder.iterdir()):
            folder.rmdir()
    if tree.is_dir() and not any(p.is_relative_to(tree) for p in before) and not any(tree.iterdir()):
        tree.rmdir()


def restored_finding() -> Finding:
    return Finding(
        Code.CHECKS_FAILED,
        "the role does not hold for the answers given at the toolkit's prompts: the folder was restored "
        f"({CONFIG_FILE} as before, the toolkit's new files removed); IAM was not changed for those answers",
        "rerun with the same answers as options and --fix (e.g. --ecr REPO --fix) to repair the role for them",
    )
