"""Who is calling (STS, plus GetRole for a role's path), and the caller's own IAM policies, each read once.

The policies feed local evaluation of PassRole and deploy permissions when the simulator cannot answer.

Each document is read once per run (managed ones are cached by ARN in the gateway). A refused read does not stop
the collection: it is recorded in `unreadable`, so the decision can say what it could not see and which
permission would let it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from agentcore_ext.aws.gateway import Gateway
from agentcore_ext.aws.shapes import is_access_denied
from agentcore_ext.errors import AwsError
from agentcore_ext.findings import Code, Finding
from agentcore_ext.iam.policy import PolicyDocument, PolicyError, parse_policy
from agentcore_ext.judge.identity import SSO_PATH_PREFIX, parse_caller_arn, with_role_path
from agentcore_ext.state import Caller, CallerKind, CallerPolicies

T = TypeVar("T")


class FirstReads:
    """The caller's first reads (its user, its groups, its policy listings), made beside the simulator.

    With the simulator unavailable, its policies are read next: these reads no longer wait for its answer (one
    round trip less); when it answers they are four requests spent for nothing. Each answer is used once.
    Thread safety: filled before any reader uses it; `take` runs in the reading threads and only pops keys.
    """

    def __init__(self, answers: dict[str, Any]) -> None:
        self._answers = answers

    def take(self, key: str, fetch: Callable[[], T]) -> T:
        if key not in self._answers:
            return fetch()
        answer = self._answers.pop(key)
        if isinstance(answer, AwsError):
            raise answer  # as if read now: the reader decides what a refusal means
        return answer  # type: ignore[no-any-return]


def first_reads(gateway: Gateway, caller: Caller) -> FirstReads:
    """Send the caller's first reads now, all at once (see FirstReads); nothing for callers without policies."""
    reads: dict[str, Callable[[], Any]] = {}
    if caller.kind is CallerKind.USER:
        if not caller.details_read:
            reads["user"] = partial(gateway.get_user, caller.name)
        reads["groups"] = partial(gateway.list_groups_for_user, caller.name)
        reads["inline"] = partial(gateway.list_user_policy_names, caller.name)
        reads["attached"] = partial(gateway.list_attached_user_policies, caller.name)
    elif caller.kind.is_role:
        reads["inline"] = partial(gateway.list_role_policy_names, caller.name)
        reads["attached"] = partial(gateway.list_attached_role_policies, caller.name)
    answers = gateway.parallel(*(partial(_outcome, read) for read in reads.values()))
    return FirstReads(dict(zip(reads, answers, strict=True)))


def _outcome(read: Callable[[], Any]) -> Any:
    try:
        return read()
    except AwsError as exc:
        return exc


class _Reader:
    def __init__(self, gateway: Gateway, out: CallerPolicies, first: FirstReads | None = None) -> None:
        self.gateway = gateway
        self.out = out
        self.first = first or FirstReads({})

    def read(self, what: str, fetch: Callable[[], T]) -> T | None:
        try:
            return fetch()
        except AwsError as exc:
            if not is_access_denied(exc):
                raise  # throttling, expiry, network: the run cannot go on, say so instead of guessing
            self.out.unreadable.append(f"{exc.operation or 'iam:?'} ({what})")
            return None

    def document(self, what: str, name: str, fetch: Callable[[], dict[str, Any]]) -> PolicyDocument | None:
        raw = self.read(what, fetch)
        if raw is None:
            return None
        try:
            return parse_policy(raw, name=name)
        except PolicyError as exc:
            self.out.unreadable.append(f"policy {name} ({exc})")
            return None

    def listing(self, what: str, fetch: Callable[[], list[T]]) -> list[T]:
        items = self.read(what, fetch)
        if items is not None:
            self.out.listed = True
        return items or []

    def entity(self, kind: str, name: str, own: bool = False) -> list[PolicyDocument]:
        """Inline and attached managed policies of one user, group or role, read concurrently, in a stable order."""
        gw = self.gateway
        names = {
            "user": (gw.list_user_policy_names, gw.get_user_policy_document, gw.list_attached_user_policies),
            "group": (gw.list_group_policy_names, gw.get_group_policy_document, gw.list_attached_group_policies),
            "role": (gw.list_role_policy_names, gw.get_role_policy_document, gw.list_attached_role_policies),
        }
        list_inline, get_inline, list_attached = names[kind]
        if own:  # the caller itself: its listings may have been read beside the simulator
            inline_of, attached_of = list_inline, list_attached
            list_inline = lambda n: self.first.take("inline", lambda: inline_of(n))  # noqa: E731
            list_attached = lambda n: self.first.take("attached", lambda: attached_of(n))  # noqa: E731
        inline, attached = gw.parallel(
            lambda: [(p, None) for p in self.listing(f"{kind} {name}", lambda: list_inline(name))],
            lambda: [(None, arn) for _, arn in self.listing(f"{kind} {name}", lambda: list_attached(name))],
        )
        reads: list[Callable[[], PolicyDocument | None]] = []
        for policy, _ in inline:
            label = f"inline policy {policy} of {kind} {name}"
            reads.append(partial(self.document, label, label, partial(get_inline, name, str(policy))))
        for _, arn in attached:
            reads.append(partial(self.document, str(arn), str(arn), partial(gw.get_managed_policy_document, str(arn))))
        return [doc for doc in gw.parallel(*reads) if doc is not None]


def collect_caller_policies(gateway: Gateway, caller: Caller, first: FirstReads | None = None) -> CallerPolicies:
    """User: own + groups' policies and boundary. Role: own policies and boundary. Others: nothing to read.

    `first`: the caller's first reads, already made (first_reads()); each is used instead of being read again."""
    out = CallerPolicies()
    reader = _Reader(gateway, out, first)
    boundary_arn = caller.permissions_boundary_arn
    if caller.kind is CallerKind.USER:

        def user_info() -> Any:
            return (
                None
                if caller.details_read
                else reader.read(
                    f"user {caller.name}", lambda: reader.first.take("user", lambda: gateway.get_user(caller.name))
                )
            )

        def groups() -> list[PolicyDocument]:
            # Each group's reads start as soon as the group listing answers, alongside the user's own documents.
            names = reader.listing(
                f"groups of {caller.name}",
                lambda: reader.first.take("groups", lambda: gateway.list_groups_for_user(caller.name)),
            )
            return [
                d for docs in gateway.parallel(*(partial(reader.entity, "group", str(g)) for g in names)) for d in docs
            ]

        def boundary() -> PolicyDocument | None:
            arn = boundary_arn
            if not caller.details_read:
                user = user_info()
                arn = user["PermissionsBoundary"] if user else None
            return _boundary(reader, gateway, arn)

        out.boundary, own, group_docs = gateway.parallel(
            boundary, lambda: reader.entity("user", caller.name, own=True), groups
        )
        out.policies += own + group_docs
        return out
    elif caller.kind.is_role:
        if not caller.details_read:
            # resolve_caller already asked GetRole and was refused: asking again would only cost a call.
            out.unreadable.append(f"iam:GetRole (role {caller.name}: its permissions boundary is unknown)")
        out.policies += reader.entity("role", caller.name, own=True)
    else:
        return out
    out.boundary = _boundary(reader, gateway, boundary_arn)
    return out


def _boundary(reader: _Reader, gateway: Gateway, arn: str | None) -> PolicyDocument | None:
    if not arn:
        return None
    # An unreadable boundary lands in `unreadable`: it may cut anything the policies allow.
    label = f"permissions boundary {arn}"
    return reader.document(label, label, partial(gateway.get_managed_policy_document, arn))


def resolve_caller(gateway: Gateway) -> tuple[Caller, list[Finding]]:
    """GetCallerIdentity, plus GetRole for assumed roles (a user's ARN already carries its path)."""
    ident = gateway.caller_identity()
    caller = parse_caller_arn(ident["Arn"], ident["Account"])
    findings: list[Finding] = []
    if caller.kind is CallerKind.ROOT:
        findings.append(
            Finding(
                Code.ROOT_CALLER,
                f"you are calling AWS as the root user of account {caller.account}",
                "use an IAM role or IAM Identity Center user for daily work; root cannot be limited by policies",
            )
        )
    elif caller.kind is CallerKind.UNKNOWN:
        findings.append(
            Finding(
                Code.CALLER_UNKNOWN,
                f"unrecognised caller identity {caller.arn}",
                "the PassRole check cannot run for it; use an IAM user, an IAM role or an Identity Center role",
            )
        )
    elif caller.kind.is_role:
        caller, finding = _resolve_role(gateway, caller)
        findings += [finding] if finding else []
    return caller, findings


def _resolve_role(gateway: Gateway, caller: Caller) -> tuple[Caller, Finding | None]:
    why = ""
    try:
        role = gateway.get_role(caller.name)
    except AwsError as exc:
        if not is_access_denied(exc):
            raise
        role, why = None, f"iam:GetRole on your own role was refused ({exc.code})"
    if role is not None:
        return with_role_path(caller, role["Path"], boundary=role["PermissionsBoundary"], read=True), None
    # Identity Center roles always live under this path (sometimes with a region segment we cannot guess).
    guess = SSO_PATH_PREFIX if caller.kind is CallerKind.SSO_ROLE else "/"
    caller = with_role_path(caller, guess, boundary=None, read=False)
    return caller, Finding(
        Code.CALLER_PATH_UNRESOLVED,
        f"{why or f'role {caller.name} was not found in IAM'}; assuming your role's ARN is {caller.principal_arn}",
        "if the role has another path the PassRole check may be inaccurate; iam:GetRole on your role fixes this",
    )
