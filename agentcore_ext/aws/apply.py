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
from agentcore_ext.aws.shapes import THROTTLING_CODES
from agentcore_ext.errors import EXIT_AWS_CHANGE_FAILED, EXIT_INTERRUPTED, AgentCoreExtError, AwsError
from agentcore_ext.iam.policy import PolicyError, parse_policy, policy_to_dict
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


Rebase = Callable[[Action, "Mapping[str, Any] | None"], "Action | None"]


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


def _same(served: Mapping[str, Any] | None, wanted: Mapping[str, Any]) -> bool:
    """Semantic equality: IAM may re-serialise a document (e.g. URL-encode it), never change its meaning."""
    if served is None:
        return False
    try:
        return policy_to_dict(parse_policy(dict(served))) == policy_to_dict(parse_policy(dict(wanted)))
    except PolicyError:
        return dict(served) == dict(wanted)


def _served_inline(gateway: Gateway, role: str, name: str) -> Mapping[str, Any] | None:
    try:
        return gateway.get_role_policy_document(role, name)
    except AwsError as exc:
        if exc.code == "NoSuchEntity":
            return None
        raise


def _served_trust(gateway: Gateway, role: str) -> Mapping[str, Any] | None:
    got = gateway.get_role(role)
    return None if got is None else got["AssumeRolePolicyDocument"]


def _served_before(gateway: Gateway, action: Action) -> tuple[bool, Mapping[str, Any] | None, str]:
    """(read, what IAM serves now, what it is) for a write that edits an existing document; (False, ...) else."""
    match action:
        case PutInlinePolicy(role=role, policy_name=policy, addition=addition) if addition is not None:
            return True, _served_inline(gateway, role, policy), f"inline policy {policy}"
        case UpdateTrust(role=role):
            served = _served_trust(gateway, role)
            return served is not None, served, f"trust policy of {role}"
    return False, None, ""


def _old_document(action: Action) -> Mapping[str, Any] | None:
    match action:
        case PutInlinePolicy(old_document=old) | UpdateTrust(old_document=old):
            return old
    return None


def _rebased(gateway: Gateway, action: Action, rebase: Rebase | None, changed: list[str]) -> Action | None:
    """Re-read the document just before writing it; if someone changed it since the plan, redo the edit on theirs."""
    if rebase is None:
        return action
    read, served, what = _served_before(gateway, action)
    old = _old_document(action)
    if not read or (served is None and old is None) or (served is not None and old is not None and _same(served, old)):
        return action
    changed.append(f"{what} was changed by another writer while agentcore-ext worked; its version was kept and merged")
    return rebase(action, served)


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


def _settle(gateway: Gateway, done: tuple[Action, ...], waiter: _Waiter) -> list[str]:
    """Wait until IAM serves every document written (all polled together); the names of those it still does not."""
    checks: dict[str, Callable[[], bool]] = {}
    for action in done:
        match action:
            case PutInlinePolicy(role=role, policy_name=policy, document=document):
                checks[f"inline policy {policy}"] = partial(_serves_inline, gateway, role, policy, document)
            case UpdateTrust(role=role, new_document=document) | CreateRole(name=role, trust=document):
                checks[f"trust policy of {role}"] = partial(_serves_trust, gateway, role, document)
            case AttachPolicy(role=role, policy_arn=arn):
                checks[f"attachment of {arn}"] = partial(_serves_attached, gateway, role, arn)
            case TagRole():
                pass  # tags decide nothing the checks judge: no need to wait for them
    return waiter.until_all(gateway, checks, "serve the new")


def _serves_inline(gateway: Gateway, role: str, policy: str, document: Mapping[str, Any]) -> bool:
    return _same(_served_inline(gateway, role, policy), document)


def _serves_attached(gateway: Gateway, role: str, arn: str) -> bool:
    return arn in (attached for _, attached in gateway.list_attached_role_policies(role))


def _serves_trust(gateway: Gateway, role: str, document: Mapping[str, Any]) -> bool:
    return _same(_served_trust(gateway, role), document)


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
                fresh = _rebased(gateway, planned, rebase, changed)
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
            late = _settle(gateway, tuple(done), waiter)
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
