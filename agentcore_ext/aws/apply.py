"""Execute a Plan through the gateway, wait until IAM serves the result, and say exactly what happened on failure.

IAM is eventually consistent: a role just created can be reported missing for seconds, and a document just put
can be served in its old form. Every wait here polls through the gateway's injected `sleep` (so tests run
instantly and users see progress): every 0.5 s (0.25 s first) for the first FAST_FOR seconds, so a run overshoots
IAM's lag by at most half a second, then with exponential backoff up to 8 s steps until the budget is spent. The
inline policy is put right after CreateRole (a NoSuchEntity is waited out), and every document written is then
polled in the same round, so the role's wait and the policy's overlap.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from agentcore_ext.aws.error_map import CONNECTION_CODES, RESPONSE_LOST
from agentcore_ext.aws.other_writers import Rebase, overwritten, rebased, replaced, same, served_inline, served_trust
from agentcore_ext.aws.shapes import THROTTLING_CODES
from agentcore_ext.errors import EXIT_AWS_CHANGE_FAILED, EXIT_INTERRUPTED, AgentCoreExtError, AwsError
from agentcore_ext.plan.model import (
    ORDER,
    Action,
    AttachPolicy,
    CreateRole,
    Plan,
    PutInlinePolicy,
    TagRole,
    UpdateTrust,
    summary,
)

if TYPE_CHECKING:
    from agentcore_ext.aws.gateway import Gateway

T = TypeVar("T")
Progress = Callable[[str], None]
BACKOFF = (0.25, 0.5)  # then 0.5 s steps while less than FAST_FOR seconds were waited in all
SLOW_BACKOFF = (1.0, 2.0, 4.0, 8.0)  # after that, then 8 s steps until the budget is spent
FAST_FOR = 10.0
MAX_WAIT = 30.0
MAX_REDO = 3  # rounds of merging into another writer's version before the run says it could not settle


@dataclass(frozen=True)
class ApplyResult:
    done: tuple[Action, ...]
    # CreateRole met EntityAlreadyExists: someone created the role a moment ago. Nothing else was applied;
    # the caller gathers, judges and plans again against the role that now exists.
    adopted: bool = False
    # Documents another writer changed between this run's read and its write: merged into their version.
    changed_by_others: tuple[str, ...] = ()
    # Warning-only repairs IAM refused: reported as warnings, they never block the run.
    refused: tuple[tuple[Action, AwsError], ...] = ()


def _lines(actions: tuple[Action, ...]) -> str:
    return "; ".join(summary(a) for a in actions) or "nothing"


class ApplyFailed(AwsError):
    """AWS refused a write half-way (exit 4). Carries what was done, what was not, and the command that finishes.

    A write counts as done once its call returned. When the call was sent but its answer was lost (the connection
    broke or timed out during it), that write is `in_flight`: it may or may not have taken effect.
    """

    def __init__(
        self,
        cause: AwsError,
        done: tuple[Action, ...],
        not_done: tuple[Action, ...],
        finish: str,
        in_flight: Action | None = None,
    ) -> None:
        flight = ""
        if in_flight is not None:
            flight = f" Sent, answer lost: {summary(in_flight)} (it may or may not have taken effect)."
        message = f"{cause.message}. Done: {_lines(done)}.{flight} Not done: {_lines(not_done)}."
        hint = f"{cause.hint + '; ' if cause.hint else ''}once that is sorted out, finish the job with: {finish}"
        super().__init__(message, hint, code=cause.code, operation=cause.operation, exit_code=EXIT_AWS_CHANGE_FAILED)
        self.done = done
        self.in_flight = in_flight
        self.not_done = not_done
        self.finish_command = finish


class ApplyInterrupted(AgentCoreExtError):
    """Ctrl-C during apply (exit 130): what was done so far, and the change that may or may not have happened."""

    exit_code = EXIT_INTERRUPTED

    def __init__(
        self, done: tuple[Action, ...], in_flight: Action | None, not_done: tuple[Action, ...], finish: str
    ) -> None:
        flight = ""
        if in_flight is not None:
            flight = f" Interrupted during: {summary(in_flight)} (it may or may not have taken effect)."
        super().__init__(
            f"interrupted. Done: {_lines(done)}.{flight} Not done: {_lines(not_done)}.",
            f"run this to check and finish the job: {finish}",
        )
        self.done = done
        self.in_flight = in_flight
        self.not_done = not_done
        self.finish_command = finish


class _Waiter:
    """Backoff shared by every wait of one apply, so the whole run waits at most MAX_WAIT seconds in total."""

    def __init__(self, sleep: Callable[[float], None], progress: Progress, budget: float) -> None:
        self.sleep, self.progress, self.left = sleep, progress, budget
        self.waited = 0.0
        self.slow = 0  # pauses taken after FAST_FOR

    def _delay(self, attempt: int) -> float:
        if self.waited < FAST_FOR:
            return BACKOFF[min(attempt, len(BACKOFF) - 1)]
        self.slow += 1
        return SLOW_BACKOFF[min(self.slow - 1, len(SLOW_BACKOFF) - 1)]

    def _pause(self, attempt: int, what: str) -> bool:
        delay = min(self._delay(attempt), self.left)
        if delay <= 0:
            return False
        self.progress(f"waiting for IAM to {what} (retry in {delay:g} s)")
        self.sleep(delay)
        self.left -= delay
        self.waited += delay
        return True

    def until_all(self, gateway: Gateway, checks: Mapping[str, Callable[[], bool]], what: str) -> list[str]:
        """Poll every check in the same round (concurrently) until all hold; the names of those that never did."""
        pending = dict(checks)
        attempt = 0
        while pending:
            results = gateway.parallel(*pending.values())
            pending = {name: check for (name, check), ok in zip(pending.items(), results, strict=True) if not ok}
            if pending and not self._pause(attempt, f"{what} {', '.join(pending)}"):
                break
            attempt += 1
        return list(pending)

    def until(self, ready: Callable[[], bool], what: str) -> bool:
        attempt = 0
        while not ready():
            if not self._pause(attempt, what):
                return False
            attempt += 1
        return True

    def retry_missing(self, call: Callable[[], T], what: str) -> T:
        """Run a write, waiting out NoSuchEntity: the role it targets may not be visible yet after CreateRole."""
        attempt = 0
        while True:
            try:
                return call()
            except AwsError as exc:
                if exc.code != "NoSuchEntity" or not self._pause(attempt, what):
                    raise
                attempt += 1


def _run(gateway: Gateway, action: Action, waiter: _Waiter) -> bool:
    """One write. False: CreateRole found the role already there (adopt)."""
    match action:
        case CreateRole(name=name, path=path, trust=trust, boundary=boundary, tags=tags, description=description):
            try:
                gateway.create_role(name, path, trust, description, boundary, tags)
            except AwsError as exc:
                if exc.code != "EntityAlreadyExists":
                    raise
                waiter.until(lambda: gateway.get_role(name) is not None, f"serve role {name} created by someone else")
                return False
        case PutInlinePolicy(role=role, policy_name=policy, document=document):
            waiter.retry_missing(lambda: gateway.put_role_policy(role, policy, document), f"serve role {role}")
        case AttachPolicy(role=role, policy_arn=arn):
            # The policy was read before planning (aws/gather_role.py): a NoSuchEntity here is the new role.
            waiter.retry_missing(lambda: gateway.attach_role_policy(role, arn), f"serve role {role}")
        case UpdateTrust(role=role, new_document=document):
            waiter.retry_missing(lambda: gateway.update_assume_role_policy(role, document), f"serve role {role}")
        case TagRole(role=role, tags=tags):
            waiter.retry_missing(lambda: gateway.tag_role(role, tags), f"serve role {role}")
    return True


def _settle(
    gateway: Gateway, done: tuple[Action, ...], waiter: _Waiter, replaced_by_others: list[PutInlinePolicy]
) -> list[str]:
    """Wait until IAM serves every document written (all polled together); the names of those it still does not."""
    checks: dict[str, Callable[[], bool]] = {}
    for action in done:
        match action:
            case PutInlinePolicy(policy_name=policy):
                checks[f"inline policy {policy}"] = partial(_serves_inline, gateway, action, replaced_by_others)
            case UpdateTrust(role=role, new_document=document) | CreateRole(name=role, trust=document):
                checks[f"trust policy of {role}"] = partial(_serves_trust, gateway, role, document)
            case AttachPolicy(role=role, policy_arn=arn):
                checks[f"attachment of {arn}"] = partial(_serves_attached, gateway, role, arn)
            case TagRole():
                pass  # tags decide nothing the checks judge: no need to wait for them
    return waiter.until_all(gateway, checks, "serve the new")


def _serves_inline(gateway: Gateway, action: PutInlinePolicy, seen: list[PutInlinePolicy]) -> bool:
    """Served as written, or replaced by another writer (`seen`; no use waiting: other_writers redoes it)."""
    served = served_inline(gateway, action.role, action.policy_name)
    if replaced(action, served):
        seen.append(action)
        return True
    return same(served, action.document)


def _serves_attached(gateway: Gateway, role: str, arn: str) -> bool:
    return arn in (attached for _, attached in gateway.list_attached_role_policies(role))


def _serves_trust(gateway: Gateway, role: str, document: Mapping[str, Any]) -> bool:
    return same(served_trust(gateway, role), document)


def _warning_only(action: Action) -> bool:
    return isinstance(action, UpdateTrust) and action.warning_only


def apply_plan(
    gateway: Gateway,
    plan: Plan,
    *,
    progress: Progress,
    finish_command: str,
    max_wait: float = MAX_WAIT,
    rebase: Rebase | None = None,
) -> ApplyResult:
    """Apply in a safe order (create, permissions, trust, tags), then wait for IAM to serve the result.

    With `rebase`, each edit of an existing document re-reads it first and is redone on what IAM serves now.
    """
    actions = tuple(sorted(plan.actions, key=lambda a: ORDER[type(a)]))
    waiter = _Waiter(gateway.sleep, progress, max_wait)
    done: list[Action] = []
    changed: list[str] = []
    refused: list[tuple[Action, AwsError]] = []
    current: Action | None = None  # the write in flight (sent, not yet answered)
    position = 0  # actions[position:] are not done yet
    try:
        for index, planned in enumerate(actions):
            position, action = index, planned
            try:
                fresh = rebased(gateway, planned, rebase, changed)
                if fresh is None:
                    position = index + 1
                    continue  # another writer already did it
                action = fresh
                progress(summary(action))
                current = action
                if not _run(gateway, action, waiter):
                    return ApplyResult(tuple(done), adopted=True, changed_by_others=tuple(changed))
            except AwsError as exc:
                writing, current = current is not None, None
                if _warning_only(action) and exc.code not in CONNECTION_CODES and exc.code not in THROTTLING_CODES:
                    refused.append((action, exc))  # a warning's repair never blocks the run
                    position = index + 1
                    continue
                if writing and exc.code == RESPONSE_LOST:  # sent, answer lost: say so, never "not done"
                    raise ApplyFailed(exc, tuple(done), actions[index + 1 :], finish_command, action) from exc
                raise ApplyFailed(exc, tuple(done), actions[index:], finish_command) from exc
            done.append(action)  # the call returned: done, whatever happens next
            current, position = None, index + 1
            # No wait for a new role to be served here: the writes that follow wait out NoSuchEntity themselves,
            # and _settle polls the role's trust policy together with every other document written.
        try:
            seen: list[PutInlinePolicy] = []
            late = _settle(gateway, tuple(done), waiter, seen)
            for _ in range(MAX_REDO):  # another writer replaced what we wrote: merged into theirs, written again
                redo = overwritten(gateway, done, rebase, changed) if seen else []
                seen.clear()
                for index in redo:
                    _run(gateway, done[index], waiter)
                late = _settle(gateway, tuple(done), waiter, seen) if redo else late
        except AwsError as exc:  # every write went through; only reading them back failed
            raise ApplyFailed(exc, tuple(done), (), finish_command) from exc
    except KeyboardInterrupt as exc:
        rest = actions[position + 1 :] if current is not None else actions[position:]
        raise ApplyInterrupted(tuple(done), current, rest, finish_command) from exc
    if late:
        cause = AwsError(
            f"IAM did not serve the new {', '.join(late)} within {max_wait:g} s",
            "IAM usually serves a change within seconds, but can lag longer, or the document was changed by another "
            "writer meanwhile; wait a minute",
            code="NotPropagated",
            operation="iam:GetRole",
        )
        raise ApplyFailed(cause, tuple(done), (), finish_command)
    return ApplyResult(tuple(done), changed_by_others=tuple(changed), refused=tuple(refused))
