"""configure's backup and undo as the report tells them (flows/transaction.py does the work), and a declined plan's
one line.

What is said must be what was done: the undo puts back only the toolkit's files that still hold its bytes, so a
file changed after the toolkit wrote it is named as left, never covered by "the folder was restored".
"""

from __future__ import annotations

from agentcore_ext.findings import Code, Finding, without
from agentcore_ext.flows import transaction
from agentcore_ext.flows.role import RoleOutcome
from agentcore_ext.plan.model import Plan, PlanKind
from agentcore_ext.report import Report
from agentcore_ext.toolkit.config import CONFIG_FILE

BACKUP_FILE = transaction.BACKUP_FILE


def backup(snapshot: transaction.FolderSnapshot, report: Report) -> None:
    """One generation of .bedrock_agentcore.yaml.bak, written just before the toolkit rewrites the file."""
    if transaction.backup(snapshot.root):
        report.add(
            [
                Finding(
                    Code.CONFIG_BACKED_UP,
                    f"{CONFIG_FILE} copied to {BACKUP_FILE} before the toolkit rewrites it",
                    f"restore it with: cp {BACKUP_FILE} {CONFIG_FILE}",
                )
            ]
        )


def restore(
    before: transaction.FolderSnapshot,
    after: transaction.FolderSnapshot | None,
    report: Report,
    *,
    quiet: bool = False,
) -> transaction.Undone:
    """Undo the toolkit's writes and say so (the backup note no longer holds: the .bak is undone too). `quiet`: the
    caller words it (a declined plan's one line)."""
    undone = transaction.restore(before, after)
    report.findings = without(report.findings, Code.CONFIG_BACKED_UP, Code.CONFIGURED_ROLE_REPLACED)
    if quiet:
        return undone
    done = f" ({undone.describe()})" if undone else " (the toolkit had changed nothing)"
    report.add(
        [
            Finding(
                Code.CONFIG_RESTORED,
                f"the toolkit's files are as they were before it ran{done}; the execution role is as the report says",
            )
        ]
    )
    if undone.describe_left():
        report.add([_left(undone)])
    return undone


def _left(undone: transaction.Undone) -> Finding:
    return Finding(
        Code.CONFIG_LEFT_CHANGED,
        f"left as they are: {undone.describe_left()}: changed after the toolkit wrote them (by you or another "
        "program), so putting its earlier version back would undo that change",
        "nothing to do if the change is yours; otherwise put the file back from version control (git checkout -- "
        "FILE) before rerunning",
    )


def declined(
    report: Report, outcome: RoleOutcome, rerun: str, also: Plan | None, execution: bool, undone: transaction.Undone
) -> None:
    """A declined plan is the user's choice, not a failed check: one line and the command, not the verdict on a
    role that does not exist yet (its plan stays in the JSON report's `plan`). `also`: the CodeBuild role's plan,
    declined with it at the same prompt; `execution`: the execution role's plan was the one declined."""
    what = " and ".join(
        f"{'create' if plan.kind is PlanKind.CREATE else 'repair'} role {plan.role_name}"
        for plan in (outcome.plan, *((also,) if also else ()))
    )
    report.notes.clear()  # the plan was shown above the prompt
    report.findings = [
        Finding(
            Code.ROLE_CHANGE_DECLINED,
            f"declined: {what}; nothing was changed in IAM, and {_folder_sentence(undone)}",
            f"to be asked again, rerun: {rerun}",
        )
    ]
    if also is not None:  # the JSON report keeps what was declined, as codebuild_into_report files it
        report.plan = {**(report.plan or {}), "codebuild": also.to_dict()}
    if execution and not outcome.role.exists:
        report.role = None  # INTERFACE: null when no role was found; the plan says what it would have been


def _folder_sentence(undone: transaction.Undone) -> str:
    """What a declined run did to the folder: "restored" only when every file the toolkit wrote was put back."""
    left = undone.describe_left()
    if not left:
        return f"the folder was restored ({CONFIG_FILE} and the toolkit's files as before)"
    done = f" ({undone.describe()})" if undone else ""
    return f"the toolkit's files were put back{done} except what changed after the toolkit wrote it: left {left} as is"
