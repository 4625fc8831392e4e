"""Execute a Plan through the gateway, wait until IAM serves the result, and say exactly what happened on failure.

IAM is eventually consistent: a role just created can be reported missing for seconds, and a document just put
can be served in its old form. Every wait here polls with bounded exponential backoff through the gateway's
injected `sleep`, never a fixed delay, so tests run instantly and users see progress.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from agentcore_ext.errors import EXIT_AWS_CHANGE_FAILED, EXIT_INTERRUPTED, AgentCoreExtError, AwsError
from agentcore_ext.iam.policy import PolicyError, parse_policy, policy_to_dict
from agentcore_ext.plan.model import ORDER, Action, CreateRole, Plan, PutInlinePolicy, TagRole, UpdateTrust, summary

if TYPE_CHECKING:
    from agentcore_ext.aws.gateway import Gateway

T = TypeVar("T")
Progress = Callable[[str], None]
BACKOFF = (0.5, 1.0, 2.0, 4.0, 8.0)  # then 8 s steps until the budget is spent
MAX_WAIT = 30.0


@dataclass(frozen=True)
class ApplyResult:
    done: tuple[Action, ...]
    # CreateRole met EntityAlreadyExists: someone created the role a moment ago. Nothing else was applied;
    # the caller gathers, judges and plans again against the role that now exists.
    adopted: bool = False


def _lines(actions: tuple[Action, ...]) -> str:
    return "; ".join(summary(a) for a in actions) or "nothing"


class ApplyFailed(AwsError):
    """AWS refused a write half-way (exit 4). Carries what was done, what was not, and the command that finishes."""

    def __init__(self, cause: AwsError, done: tuple[Action, ...], not_done: tuple[Action, ...], finish: str) -> None:
        message = f"{cause.message}. Done: {_lines(done)}. Not done: {_lines(not_done)}."
        hint = f"{cause.hint + '; ' if cause.hint else ''}once that is sorted out, finish the job with: {finish}"
        super().__init__(message, hint, code=cause.code, operation=cause.operation, exit_code=EXIT_AWS_CHANGE_FAILED)
        self.done = done
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

    def _pause(self, attempt: int, what: str) -> bool:
        delay = min(BACKOFF[min(attempt, len(BACKOFF) - 1)], self.left)
        if delay <= 0:
            return False
        self.progress(f"waiting for IAM to {what} (retry in {delay:g} s)")
        self.sleep(delay)
        self.left -= delay
        return True

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
            waiter.until(lambda: gateway.get_role(name) is not None, f"serve the new role {name}")
        case PutInlinePolicy(role=role, policy_name=policy, document=document):
            waiter.retry_missing(lambda: gateway.put_role_policy(role, policy, document), f"serve role {role}")
        case UpdateTrust(role=role, new_document=document):
            waiter.retry_missing(lambda: gateway.update_assume_role_policy(role, document), f"serve role {role}")
        case TagRole(role=role, tags=tags):
            waiter.retry_missing(lambda: gateway.tag_role(role, tags), f"serve role {role}")
    return True


def _settle(gateway: Gateway, done: tuple[Action, ...], waiter: _Waiter) -> list[str]:
    """Wait until IAM serves every document written; the names of those it still does not serve."""
    late: list[str] = []
    for action in done:
        match action:
            case PutInlinePolicy(role=role, policy_name=policy, document=document):
                if not waiter.until(
                    lambda: _same(_served_inline(gateway, role, policy), document), f"serve inline policy {policy}"
                ):
                    late.append(f"inline policy {policy}")
            case UpdateTrust(role=role, new_document=document) | CreateRole(name=role, trust=document):
                if not waiter.until(lambda: _same(_served_trust(gateway, role), document), "serve the trust policy"):
                    late.append(f"trust policy of {role}")
            case TagRole():
                pass  # tags decide nothing the checks judge: no need to wait for them
    return late


def apply_plan(
    gateway: Gateway, plan: Plan, *, progress: Progress, finish_command: str, max_wait: float = MAX_WAIT
) -> ApplyResult:
    """Apply in a safe order (create, permissions, trust, tags), then wait for IAM to serve the result."""
    actions = tuple(sorted(plan.actions, key=lambda a: ORDER[type(a)]))
    waiter = _Waiter(gateway.sleep, progress, max_wait)
    done: list[Action] = []
    current: Action | None = None
    try:
        for index, action in enumerate(actions):
            current = action
            progress(summary(action))
            try:
                if not _run(gateway, action, waiter):
                    return ApplyResult(tuple(done), adopted=True)
            except AwsError as exc:
                raise ApplyFailed(exc, tuple(done), actions[index:], finish_command) from exc
            done.append(action)
            current = None
        try:
            late = _settle(gateway, tuple(done), waiter)
        except AwsError as exc:  # every write went through; only reading them back failed
            raise ApplyFailed(exc, tuple(done), (), finish_command) from exc
    except KeyboardInterrupt as exc:
        rest = tuple(a for a in actions if a not in done and a is not current)
        raise ApplyInterrupted(tuple(done), current, rest, finish_command) from exc
    if late:
        cause = AwsError(
            f"IAM did not serve the new {', '.join(late)} within {max_wait:g} s",
            "IAM usually serves a change within seconds, but can lag longer; wait a minute",
            code="NotPropagated",
            operation="iam:GetRole",
        )
        raise ApplyFailed(cause, tuple(done), (), finish_command)
    return ApplyResult(tuple(done))
