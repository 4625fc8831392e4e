"""The AWS gateway: the only module that calls boto3 (with error_map.py, its botocore error mapping).

Every AWS request goes through `Gateway`, which returns plain data, turns botocore errors into domain errors
(message, hint, exit code) and counts the requests it sends. Endpoints and credentials come from boto3's standard
chain, so AWS_ENDPOINT_URL (a moto server) works without code here.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar, cast

import boto3
import botocore.exceptions as bex

from agentcore_ext.aws import redact
from agentcore_ext.aws.error_map import mapped_errors, setup_errors, simulator_errors, unknown_profile
from agentcore_ext.aws.lend import lend_session
from agentcore_ext.aws.policy_version import default_version
from agentcore_ext.aws.role_writes import RoleWrites
from agentcore_ext.aws.shapes import (
    RoleInfo,
    UserInfo,
    as_document,
    as_tags,
    paged,
    role_info,
    simulation_results,
    simulator_context,
    user_info,
)
from agentcore_ext.aws.speculate import Speculation
from agentcore_ext.aws.waiting import SlowWatch, client_config
from agentcore_ext.errors import AgentCoreExtError, AwsError, no_region
from agentcore_ext.state import SimulationResult

if TYPE_CHECKING:
    from mypy_boto3_iam import IAMClient
    from mypy_boto3_sts import STSClient


# IAM throttles bursts (its limits are in the tens of requests per second per account); a run's widest layer (a
# caller in 10 groups: 20 listings) fits in one round trip, and the standard retry mode rides out a throttle.
MAX_PARALLEL_READS = 16
ROLE_PAGE_SIZE = 1000  # ListRoles' MaxItems upper bound

T = TypeVar("T")


class Gateway(RoleWrites):
    """Typed access to IAM and STS for one run. `calls` counts HTTP requests sent, retries included."""

    def __init__(
        self,
        *,
        session: boto3.Session | None = None,
        profile: str | None = None,
        region: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
        max_attempts: int | None = None,
        endpoint_url: str | None = None,
    ) -> None:
        with setup_errors():  # a bad AWS_PROFILE, config file or AWS_* variable: exit 2, naming it
            if session is None:
                try:
                    session = boto3.Session(profile_name=profile, region_name=region)
                except bex.ProfileNotFound as exc:
                    raise unknown_profile(profile or str(exc.kwargs.get("profile"))) from exc
            self.session = session
            redact.install_for_session(session)
            # boto3 reports "default" when no profile was chosen; a hint naming it would mislead.
            self.profile = profile or (session.profile_name if session.profile_name != "default" else None)
            self._region = region or session.region_name
        self._endpoint_url = endpoint_url  # None: boto3's chain (AWS_ENDPOINT_URL, config) decides
        # Waits the tool does itself (IAM propagation) go through this, so tests run without real delays.
        self.sleep = sleep
        self.calls = 0
        self._count_lock = threading.Lock()  # reads may run in parallel (see parallel())
        # Told the new count after each request, so a run's report counts the requests of a run that fails.
        self.on_request: Callable[[int], None] | None = None
        # botocore keeps 10 connections: reads 11-16 of a layer would wait for one
        self._config = client_config(max_attempts, MAX_PARALLEL_READS)
        self._iam: IAMClient | None = None
        self._sts: STSClient | None = None
        self._bedrock: Any = None
        self._managed_docs: dict[str, dict[str, Any]] = {}
        self._identity: dict[str, str] | None = None  # GetCallerIdentity's answer, for lend_session()
        self._early: Speculation | None = None  # reads sent beside GetCallerIdentity (speculate())
        self._slow = SlowWatch()
        self._local = threading.local()  # .early: the speculation a worker thread's requests belong to

    @property
    def region(self) -> str:
        """The region in effect (flag, AWS_REGION, profile). IAM works without one, but the tool's ARNs do not."""
        if not self._region:
            raise no_region()
        return self._region

    # -- clients ---------------------------------------------------------------------------------------------
    def _count(self, **_: Any) -> None:
        early: Speculation | None = getattr(self._local, "early", None)
        if early is not None and early.hold_count():
            return  # counted (or dropped) when GetCallerIdentity answers
        # before-send fires once per HTTP attempt (retries included). Registered first: moto's in-process mock
        # answers (or raises NotImplementedError) from its own before-send handler, which would otherwise run
        # before this one. A before-call handler that short-circuits sends nothing and is rightly not counted.
        self._add_calls(1)

    def _add_calls(self, sent: int) -> None:
        with self._count_lock:
            self.calls += sent
            count = self.calls
        if self.on_request is not None:
            self.on_request(count)

    def parallel(self, *reads: Callable[[], Any]) -> list[Any]:
        """Run independent reads concurrently; results in order, the first failure (in order) raised.

        IAM answers in tens to hundreds of milliseconds and a run's reads are mostly independent listings and
        documents, so overlapping them is most of a run's wall time on real AWS. botocore clients are thread-safe;
        they are created here, in the calling thread, before any worker uses them.
        """
        if len(reads) <= 1:
            return [read() for read in reads]
        _ = self.iam, self.sts
        with ThreadPoolExecutor(max_workers=min(MAX_PARALLEL_READS, len(reads))) as pool:
            futures = [pool.submit(read) for read in reads]
        return [future.result() for future in futures]

    def _client(self, service: str) -> Any:
        session: Any = self.session  # boto3's stubs type client() per literal service name
        with self._errors(f"{service}:client"), setup_errors():
            client = session.client(
                service, region_name=self._region, config=self._config, endpoint_url=self._endpoint_url
            )
        client.meta.events.register_first("before-send", self._count)
        self._slow.register(client)
        client.meta.events.register_first(f"needs-retry.{service}", self._early_retry)
        return client

    @property
    def iam(self) -> IAMClient:
        self._iam = self._iam or self._client("iam")
        return self._iam

    @property
    def sts(self) -> STSClient:
        self._sts = self._sts or self._client("sts")
        return self._sts

    @property
    def bedrock(self) -> Any:
        """The Bedrock control-plane client (no stubs are installed for it: typed Any)."""
        self._bedrock = self._bedrock or self._client("bedrock")
        return self._bedrock

    def inference_profile_models(self, profile: str) -> tuple[str, ...] | None:
        """The model ARNs an inference profile (an id, or an application profile's ARN) routes to, as
        bedrock:GetInferenceProfile lists them (`models[].modelArn`; judge/models.py reads them), or None when the
        call cannot answer (refused, not implemented, unreachable): the caller then says what it assumed."""
        try:
            with simulator_errors("bedrock:GetInferenceProfile", self.profile):
                out = self.bedrock.get_inference_profile(inferenceProfileIdentifier=profile)
        except AgentCoreExtError:
            return None  # optional knowledge: a refusal or an emulator without the API is no reason to stop
        arns = tuple(dict.fromkeys(str(m.get("modelArn", "")) for m in out.get("models") or ()))
        return tuple(a for a in arns if a) or None

    def _errors(self, operation: str) -> AbstractContextManager[None]:
        return mapped_errors(operation, self.profile)

    # -- identity --------------------------------------------------------------------------------------------
    def speculate(self, *role_names: str) -> None:
        """Send each role's GetRole and policy listings now, beside GetCallerIdentity (aws/speculate.py)."""
        _ = self.iam, self.sts  # clients are created in this thread, before the workers use them
        self._early = Speculation(lambda s: setattr(self._local, "early", s), workers=3 * len(role_names))
        for role_name in dict.fromkeys(role_names):
            for op, read in (
                ("GetRole", self.get_role),
                ("ListRolePolicies", self.list_role_policy_names),
                ("ListAttachedRolePolicies", self.list_attached_role_policies),
            ):
                self._early.submit((op, role_name), partial(read, role_name))

    def _early_retry(self, response: Any = None, caught_exception: Any = None, **_: Any) -> None:
        early: Speculation | None = getattr(self._local, "early", None)
        if early is not None and (caught_exception is not None or (response and response[0].status_code >= 300)):
            early.before_retry()  # returns to let botocore's retry handler decide, or raises Abandoned

    def _early_or(self, operation: str, name: str, read: Callable[[], T]) -> T:
        """The speculative read's answer for (operation, name) if one was sent (once), else read() now."""
        if self._early is not None and getattr(self._local, "early", None) is None:  # not the early read itself
            sent, result = self._early.claim((operation, name))
            if sent:
                return cast(T, result)
        return read()

    def caller_identity(self) -> dict[str, str]:
        try:
            with self._errors("sts:GetCallerIdentity"):
                out = self.sts.get_caller_identity()
        except BaseException:
            self._settle_early(False)
            raise
        self._settle_early(True)
        self._identity = {"Account": out["Account"], "Arn": out["Arn"], "UserId": out["UserId"]}
        return dict(self._identity)

    def lend_session(self) -> AbstractContextManager[None]:
        """For a block (the in-process toolkit's run): boto3's default session is this run's, and GetCallerIdentity
        answers from this run's answer. See aws/lend.py."""
        return lend_session(self.session, self._identity)

    def _unless_missing(self, operation: str, read: Callable[[], Any]) -> Any:
        """read() with errors mapped, or None when IAM answers NoSuchEntity."""
        try:
            with self._errors(operation):
                return read()
        except AwsError as exc:
            if exc.code == "NoSuchEntity":
                return None
            raise

    def get_user(self, name: str) -> UserInfo | None:
        user = self._unless_missing("iam:GetUser", lambda: self.iam.get_user(UserName=name)["User"])
        return None if user is None else user_info(user)

    def _settle_early(self, ok: bool) -> None:
        held = self._early.resolve(ok) if self._early is not None else 0
        if held:
            self._add_calls(held)

    def get_role(self, name: str) -> RoleInfo | None:
        return self._early_or("GetRole", name, partial(self._read_role, name))

    def _read_role(self, name: str) -> RoleInfo | None:
        role = self._unless_missing("iam:GetRole", lambda: self.iam.get_role(RoleName=name)["Role"])
        return None if role is None else role_info(role)

    # -- policy reads (paginated) ----------------------------------------------------------------------------
    def _pages(self, operation: str, method: str, key: str, **params: Any) -> list[Any]:
        """Every item of an IAM listing. Paged by hand (shapes.paged), not with botocore's paginators: one loads and
        parses the paginator model on first use, ~45 ms per thread, >100 ms for 4 early reads at once."""
        with self._errors(f"iam:{operation}"):
            return paged(getattr(self.iam, method), key, **params)

    def _inline_names(self, kind: str, name: str) -> list[str]:
        op = {"role": "ListRolePolicies", "user": "ListUserPolicies", "group": "ListGroupPolicies"}[kind]
        method = {"role": "list_role_policies", "user": "list_user_policies", "group": "list_group_policies"}[kind]
        return [str(n) for n in self._pages(op, method, "PolicyNames", **{f"{kind.capitalize()}Name": name})]

    def _attached(self, kind: str, name: str) -> list[tuple[str, str]]:
        cap = kind.capitalize()
        items = self._pages(
            f"ListAttached{cap}Policies", f"list_attached_{kind}_policies", "AttachedPolicies", **{f"{cap}Name": name}
        )
        return [(str(p["PolicyName"]), str(p["PolicyArn"])) for p in items]

    def list_role_policy_names(self, role: str) -> list[str]:
        return self._early_or("ListRolePolicies", role, lambda: self._inline_names("role", role))

    def list_user_policy_names(self, user: str) -> list[str]:
        return self._inline_names("user", user)

    def list_group_policy_names(self, group: str) -> list[str]:
        return self._inline_names("group", group)

    def list_attached_role_policies(self, role: str) -> list[tuple[str, str]]:
        return self._early_or("ListAttachedRolePolicies", role, lambda: self._attached("role", role))

    def list_attached_user_policies(self, user: str) -> list[tuple[str, str]]:
        return self._attached("user", user)

    def list_attached_group_policies(self, group: str) -> list[tuple[str, str]]:
        return self._attached("group", group)

    def list_groups_for_user(self, user: str) -> list[str]:
        return [
            str(g["GroupName"])
            for g in self._pages("ListGroupsForUser", "list_groups_for_user", "Groups", UserName=user)
        ]

    def get_role_policy_document(self, role: str, policy_name: str) -> dict[str, Any]:
        with self._errors("iam:GetRolePolicy"):
            return as_document(self.iam.get_role_policy(RoleName=role, PolicyName=policy_name)["PolicyDocument"])

    def get_user_policy_document(self, user: str, policy_name: str) -> dict[str, Any]:
        with self._errors("iam:GetUserPolicy"):
            return as_document(self.iam.get_user_policy(UserName=user, PolicyName=policy_name)["PolicyDocument"])

    def get_group_policy_document(self, group: str, policy_name: str) -> dict[str, Any]:
        with self._errors("iam:GetGroupPolicy"):
            return as_document(self.iam.get_group_policy(GroupName=group, PolicyName=policy_name)["PolicyDocument"])

    def get_managed_policy_document(self, arn: str) -> dict[str, Any]:
        """The default version's document (aws/policy_version.py: usually one round trip). Cached per run: caller
        and role checks often share a policy."""
        if arn not in self._managed_docs:
            self._managed_docs[arn] = as_document(default_version(self, arn).get("Document") or {})
        return self._managed_docs[arn]

    def read(self, operation: str, call: Callable[..., Any], **params: Any) -> Any:
        """call(**params) with its errors mapped for `operation` (e.g. "iam:GetPolicy")."""
        with self._errors(operation):
            return call(**params)

    def list_role_names(self) -> list[str]:
        """Every role name of the account (ListRoles, paginated): only for a case-insensitive lookup.

        1000 roles a page (IAM's maximum; its default is 100), so an account of up to 1000 roles costs one round trip,
        not ten one after another."""
        items = self._pages("ListRoles", "list_roles", "Roles", MaxItems=ROLE_PAGE_SIZE)
        return [str(r["RoleName"]) for r in items]

    def list_role_tags(self, role: str) -> dict[str, str]:
        return as_tags(self._pages("ListRoleTags", "list_role_tags", "Tags", RoleName=role))

    # -- simulator -------------------------------------------------------------------------------------------
    def simulate_principal_policy(
        self,
        principal_arn: str,
        actions: Sequence[str],
        resource_arns: Sequence[str],
        context_entries: Mapping[str, str | Sequence[str]],
    ) -> list[SimulationResult]:
        """One result per (action, resource). Raises SimulatorUnavailable instead of burning retries on it."""
        entries = simulator_context(context_entries)
        operation = "iam:SimulatePrincipalPolicy"
        with simulator_errors(operation, self.profile):
            results = paged(
                self.iam.simulate_principal_policy,
                "EvaluationResults",
                PolicySourceArn=principal_arn,
                ActionNames=list(actions),
                ResourceArns=list(resource_arns),
                ContextEntries=entries,
                MaxItems=1000,
            )
        return [r for raw in results for r in simulation_results(raw)]
