"""Alibaba Cloud: RAM (2015-05-01) and STS (2015-04-01), RPC style, signed with HMAC-SHA1 (signature version 1.0).

The AliCloud secrets engine (alibaba-cloud-sdk-go, region us-east-1) resolves RAM to ``ram.aliyuncs.com`` (a central
endpoint) and STS to ``sts.aliyuncs.com`` (the global endpoint; regional ``sts.<region>.aliyuncs.com`` names route
here too). Every call is ``POST /?Action=..&Version=..&Format=JSON&AccessKeyId=..&Signature=..&...`` with an empty
form body; the answer is JSON with a ``RequestId``. Errors are
``{"RequestId", "HostId", "Code", "Message", "Recommend"}`` with the cloud's HTTP status.
"""

from __future__ import annotations

import base64
import collections
import datetime as dt
import fnmatch
import hashlib
import hmac
import json
import re
import time
import typing as t
import urllib.parse
from dataclasses import dataclass, field

from .core import Propagation, Request, Response, new_uuid, random_digits, random_text, rfc3339, utcnow

ROOT_USER = "vault-root"
LAB_ROLE = "vaultops-lab-role"
USER_NAME_RE = re.compile(r"^[a-zA-Z0-9._@-]{1,64}$")
POLICY_NAME_RE = re.compile(r"^[a-zA-Z0-9-]{1,128}$")
SESSION_NAME_RE = re.compile(r"^[\w.@-]{2,64}$")
MAX_KEYS_PER_USER = 2
VERSIONS = {"ram": "2015-05-01", "sts": "2015-04-01"}
SYSTEM_POLICIES: dict[str, tuple[str, list[dict[str, t.Any]]]] = {
    "AdministratorAccess": (
        "Provides full access to Alibaba Cloud services and resources.",
        [{"Action": "*", "Effect": "Allow", "Resource": "*"}],
    ),
    "ReadOnlyAccess": (
        "Provides read-only access to Alibaba Cloud services and resources.",
        [
            {
                "Action": ["*:Describe*", "*:List*", "*:Get*", "*:BatchGet*", "*:Query*", "*:BatchQuery*"],
                "Effect": "Allow",
                "Resource": "*",
            }
        ],
    ),
    "AliyunOSSReadOnlyAccess": (
        "Provides read-only access to Object Storage Service(OSS).",
        [{"Action": ["oss:Get*", "oss:List*"], "Effect": "Allow", "Resource": "*"}],
    ),
    "AliyunECSReadOnlyAccess": (
        "Provides read-only access to Elastic Compute Service(ECS).",
        [{"Action": "ecs:Describe*", "Effect": "Allow", "Resource": "*"}],
    ),
    "AliyunRAMReadOnlyAccess": (
        "Provides read-only access to Resource Access Management(RAM).",
        [{"Action": ["ram:Get*", "ram:List*"], "Effect": "Allow", "Resource": "*"}],
    ),
    "AliyunSTSAssumeRoleAccess": (
        "Provides access to assume RAM roles through Security Token Service(STS).",
        [{"Action": "sts:AssumeRole", "Effect": "Allow", "Resource": "*"}],
    ),
}


class AliError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def percent(text: str) -> str:
    """The SDK's encoding for the string to sign: RFC 3986 unreserved characters stay, the rest is %XX."""
    return urllib.parse.quote(text, safe="-_.~")


def string_to_sign(method: str, params: dict[str, str]) -> str:
    canonical = "&".join(f"{percent(k)}={percent(v)}" for k, v in sorted(params.items()) if k != "Signature")
    return f"{method.upper()}&%2F&{percent(canonical)}"


def sign(method: str, params: dict[str, str], secret: str) -> str:
    digest = hmac.new(f"{secret}&".encode(), string_to_sign(method, params).encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def now_text() -> str:
    return rfc3339(utcnow())


@dataclass
class User:
    name: str
    user_id: str
    display_name: str = ""
    email: str = ""
    mobile: str = ""
    comments: str = ""
    created: str = field(default_factory=now_text)
    policies: list[tuple[str, str, str]] = field(default_factory=list)  # (type, name, attach date)

    def to_api(self) -> dict[str, t.Any]:
        return {
            "UserId": self.user_id,
            "UserName": self.name,
            "DisplayName": self.display_name,
            "MobilePhone": self.mobile,
            "Email": self.email,
            "Comments": self.comments,
            "CreateDate": self.created,
            "UpdateDate": self.created,
        }


@dataclass
class Policy:
    name: str
    kind: str  # System | Custom
    description: str
    document: dict[str, t.Any]
    created: str = field(default_factory=now_text)

    def to_api(self, attachments: int) -> dict[str, t.Any]:
        return {
            "PolicyName": self.name,
            "PolicyType": self.kind,
            "Description": self.description,
            "DefaultVersion": "v1",
            "CreateDate": self.created,
            "UpdateDate": self.created,
            "AttachmentCount": attachments,
        }


@dataclass
class AccessKey:
    key_id: str
    secret: str
    user: str
    status: str = "Active"
    created: str = field(default_factory=now_text)
    born: float = field(default_factory=time.time)  # when it was made (the propagation delay counts from here)


@dataclass
class Role:
    name: str
    role_id: str
    arn: str
    trust: dict[str, t.Any]
    description: str = ""
    max_session: int = 3600
    policies: list[tuple[str, str]] = field(default_factory=list)
    created: str = field(default_factory=now_text)

    def to_api(self) -> dict[str, t.Any]:
        return {
            "RoleId": self.role_id,
            "RoleName": self.name,
            "Arn": self.arn,
            "Description": self.description,
            "AssumeRolePolicyDocument": json.dumps(self.trust),
            "MaxSessionDuration": self.max_session,
            "CreateDate": self.created,
            "UpdateDate": self.created,
        }


@dataclass
class Session:
    key_id: str
    secret: str
    token: str
    role: str
    session_name: str
    expires: dt.datetime
    caller: str


@dataclass
class Caller:
    account: str
    user: User | None = None
    session: Session | None = None


class AliCloudFake:
    name = "alicloud"
    propagation = Propagation()  # the FakeCloud sets the shared one

    def __init__(self) -> None:
        self.account_id = random_digits(16, first="1")
        self.users: dict[str, User] = {}
        self.policies: dict[tuple[str, str], Policy] = {}  # (type, name) -> policy
        self.keys: dict[str, AccessKey] = {}
        self.roles: dict[str, Role] = {}
        self.sessions: dict[str, Session] = {}
        self._nonces: collections.deque[str] = collections.deque(maxlen=20000)
        self._nonce_set: set[str] = set()
        for name, (description, statements) in SYSTEM_POLICIES.items():
            self.policies[("System", name)] = Policy(
                name, "System", description, {"Version": "1", "Statement": statements}
            )

    # --- seeding ---------------------------------------------------------------------------------

    def seed(self, saved: dict[str, t.Any] | None) -> dict[str, t.Any]:
        saved = saved or {}
        if re.match(r"^\d{16}$", str(saved.get("account_id", ""))):
            self.account_id = saved["account_id"]
        root = User(ROOT_USER, random_digits(16, first="2"), "vaultops lab: the secrets engine's own user")
        root.policies.append(("System", "AdministratorAccess", now_text()))
        self.users[root.name] = root
        key_id = str(saved.get("access_key") or "")
        secret = str(saved.get("secret_key") or "")
        if not (key_id.startswith("LTAI") and len(secret) == 30):
            key_id, secret = self._new_key_pair()
        self.keys[key_id] = AccessKey(key_id, secret, root.name)
        arn = f"acs:ram::{self.account_id}:role/{LAB_ROLE}"
        trust = {
            "Statement": [
                {
                    "Action": "sts:AssumeRole",
                    "Effect": "Allow",
                    "Principal": {"RAM": [f"acs:ram::{self.account_id}:root"]},
                }
            ],
            "Version": "1",
        }
        role = Role(LAB_ROLE, random_digits(19, first="3"), arn, trust, "vaultops lab: a role to assume")
        role.policies.append(("System", "ReadOnlyAccess"))
        self.roles[LAB_ROLE.lower()] = role
        return {
            "access_key": key_id,
            "secret_key": secret,
            "account_id": self.account_id,
            "user_name": ROOT_USER,
            "role_arn": arn,
            "region": "us-east-1",
        }

    @staticmethod
    def _new_key_pair() -> tuple[str, str]:
        return "LTAI5t" + random_text(18), random_text(30)

    # --- routing -----------------------------------------------------------------------------------

    def owns(self, host: str) -> bool:
        if not host.endswith(".aliyuncs.com"):
            return False
        return host.startswith(("ram.", "ram-", "sts.", "sts-"))

    def handle(self, req: Request) -> Response:
        product = "ram" if req.host.startswith("ram") else "sts"
        request_id = new_uuid().upper()
        params = {k: v[0] for k, v in req.query.items()}
        if req.content_type in ("", "application/x-www-form-urlencoded"):
            params.update(req.form())
        try:
            if req.path not in ("/", ""):
                raise AliError(
                    404, "InvalidAction.NotFound", "Specified api is not found, please check your url and method."
                )
            caller = self._authenticate(req, params)
            action = params.get("Action", "")
            version = params.get("Version", "")
            if version != VERSIONS[product]:
                raise AliError(400, "InvalidVersion", f"Specified parameter Version is not valid: {version}.")
            handler = getattr(self, f"_{product}_{action}", None) if re.match(r"^[A-Za-z]+$", action) else None
            if handler is None:
                raise AliError(
                    404, "InvalidAction.NotFound", "Specified api is not found, please check your url and method."
                )
            result = handler(params, caller)
        except AliError as err:
            product_name = "Ram" if product == "ram" else "Sts"
            code = urllib.parse.quote(err.code)
            return Response.json(
                err.status,
                {
                    "RequestId": request_id,
                    "HostId": req.host,
                    "Code": err.code,
                    "Message": err.message,
                    "Recommend": f"https://api.aliyun.com/troubleshoot?q={code}&product={product_name}"
                    f"&requestId={request_id}",
                },
            )
        return Response.json(200, {"RequestId": request_id, **result})

    # --- authentication and authorisation ------------------------------------------------------

    def _authenticate(self, req: Request, params: dict[str, str]) -> Caller:
        key_id = params.get("AccessKeyId")
        if not key_id:
            raise AliError(400, "MissingAccessKeyId", "AccessKeyId is mandatory for this action.")
        if "Signature" not in params:
            raise AliError(400, "MissingSignature", "Signature is mandatory for this action.")
        method = params.get("SignatureMethod", "")
        if method != "HMAC-SHA1":
            raise AliError(400, "InvalidSignatureMethod", f"Specified signature method is not valid: {method}.")
        stamp = params.get("Timestamp", "")
        try:
            when = dt.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)
        except ValueError as exc:
            raise AliError(
                400, "InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted."
            ) from exc
        if abs((utcnow() - when).total_seconds()) > 15 * 60:
            raise AliError(400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.")
        secret: str | None = None
        caller: Caller | None = None
        key = self.keys.get(key_id)
        if key is not None:
            if key.status != "Active":
                raise AliError(400, "InvalidAccessKeyId.Inactive", "Specified access key is disabled.")
            secret, caller = key.secret, Caller(self.account_id, user=self.users[key.user])
            if self.propagation.pending(key.born):  # a new key has not reached every endpoint yet
                secret = caller = None
        session = self.sessions.get(key_id)
        if session is not None:
            if session.expires < utcnow():
                raise AliError(400, "SecurityToken.Expired", "Specified SecurityToken is expired.")
            if params.get("SecurityToken") != session.token:
                raise AliError(
                    400,
                    "InvalidSecurityToken.MismatchWithAccessKey",
                    "Specified SecurityToken mismatch with the AccessKey.",
                )
            secret, caller = session.secret, Caller(self.account_id, session=session)
        if secret is None or caller is None:
            raise AliError(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
        expected = sign(req.method, params, secret)
        if not hmac.compare_digest(expected, params["Signature"]):
            raise AliError(
                400,
                "SignatureDoesNotMatch",
                "Specified signature is not matched with our calculation. server string to sign is:"
                + string_to_sign(req.method, params),
            )
        nonce = params.get("SignatureNonce", "")
        if not nonce:
            raise AliError(400, "MissingSignatureNonce", "SignatureNonce is mandatory for this action.")
        if nonce in self._nonce_set:
            raise AliError(400, "SignatureNonceUsed", "Specified signature nonce was used already.")
        if len(self._nonces) == self._nonces.maxlen:
            self._nonce_set.discard(self._nonces[0])
        self._nonces.append(nonce)
        self._nonce_set.add(nonce)
        return caller

    def _documents(self, caller: Caller) -> list[dict[str, t.Any]]:
        refs: list[tuple[str, str]]
        if caller.user is not None:
            refs = [(kind, name) for kind, name, _ in caller.user.policies]
        elif caller.session is not None:
            role = self.roles.get(caller.session.role.lower())
            refs = list(role.policies) if role else []
        else:
            refs = []
        return [self.policies[r].document for r in refs if r in self.policies]

    def _authorize(self, caller: Caller, action: str, resource: str) -> None:
        allowed = False
        for doc in self._documents(caller):
            statements = doc.get("Statement") or []
            if isinstance(statements, dict):
                statements = [statements]
            for st in statements:
                actions = st.get("Action") or []
                resources = st.get("Resource") or []
                actions = [actions] if isinstance(actions, str) else actions
                resources = [resources] if isinstance(resources, str) else resources
                if not any(fnmatch.fnmatchcase(action.lower(), str(a).lower()) for a in actions):
                    continue
                if not any(fnmatch.fnmatchcase(resource.lower(), str(r).lower()) for r in resources):
                    continue
                if str(st.get("Effect", "")).lower() == "deny":
                    raise self._no_permission(action)
                if str(st.get("Effect", "")).lower() == "allow":
                    allowed = True
        if not allowed:
            raise self._no_permission(action)

    @staticmethod
    def _no_permission(action: str) -> AliError:
        return AliError(
            403,
            "NoPermission",
            f"You are not authorized to do this action. You should be authorized by RAM. ({action})",
        )

    def _user_arn(self, name: str) -> str:
        return f"acs:ram::{self.account_id}:user/{name}"

    def _ram_resource(self, kind: str, name: str) -> str:
        return f"acs:ram:*:{self.account_id}:{kind}/{name}"

    @staticmethod
    def _required(params: dict[str, str], name: str) -> str:
        value = params.get(name, "")
        if not value:
            raise AliError(
                400,
                f"MissingParameter.{name}" if name != "UserName" else "MissingUserName",
                f"{name} is mandatory for this action.",
            )
        return value

    def _user(self, name: str) -> User:
        user = self.users.get(name)
        if user is None:
            raise AliError(404, "EntityNotExist.User", f"The user does not exist: {name}.")
        return user

    def _attachments(self, kind: str, name: str) -> int:
        count = sum(1 for u in self.users.values() for k, n, _ in u.policies if (k, n) == (kind, name))
        return count + sum(1 for r in self.roles.values() for k, n in r.policies if (k, n) == (kind, name))

    # --- RAM -----------------------------------------------------------------------------------

    def _ram_CreateUser(self, params: dict[str, str], caller: Caller) -> dict[str, t.Any]:
        name = self._required(params, "UserName")
        self._authorize(caller, "ram:CreateUser", self._ram_resource("user", name))
        if not USER_NAME_RE.match(name):
            raise AliError(
                400, "InvalidParameter.UserName.InvalidChars", f"The parameter UserName contains invalid chars: {name}."
            )
        if name in self.users:
            raise AliError(409, "EntityAlreadyExists.User", f"The user already exists: {name}.")
        user = User(
            name,
            random_digits(16, first="2"),
            params.get("DisplayName") or name,
            params.get("Email", ""),
            params.get("MobilePhone", ""),
            params.get("Comments", ""),
        )
        self.users[name] = user
        return {"User": user.to_api()}

    def _ram_GetUser(self, params: dict[str, str], caller: Caller) -> dict[str, t.Any]:
        name = self._required(params, "UserName")
        self._authorize(caller, "ram:GetUser", self._ram_resource("user", name))
        return {"User": {**self._user(name).to_api(), "LastLoginDate": ""}}

    def _ram_ListUsers(self, params: dict[str, str], caller: Caller) -> dict[str, t.Any]:
        self._authorize(caller, "ram:ListUsers", self._ram_resource("user", "*"))
        return {"IsTruncated": False, "Users": {"User": [u.to_api() for u in self.users.values()]}}

    def _ram_DeleteUser(self, params: dict[str, str], caller: Caller) -> dict[str, t.Any]:
        name = self._required(params, "UserName")
        self._authorize(caller, "ram:DeleteUser", self._ram_resource("user", name))
        user = self._user(name)
        if any(k.user == name for k in self.keys.values()):
            raise AliError(409, "DeleteConflict.User.AccessKey", "The user has access key.")
        if user.policies:
            raise AliError(409, "DeleteConflict.User.Policy", "The user has attached policy.")
        del self.users[name]
        return {}

    def _ram_CreatePolicy(self, params: dict[str, str], caller: Caller) -> dict[str, t.Any]:
        name = self._required(params, "PolicyName")
        self._authorize(caller, "ram:CreatePolicy", self._ram_resource("policy", name))
        if not POLICY_NAME_RE.match(name):
            raise AliError(
                400,
                "InvalidParameter.PolicyName.InvalidChars",
                f"The parameter PolicyName contains invalid chars: {name}.",
            )
        raw = self._required(params, "PolicyDocument")
        try:
            document = json.loads(raw)
        except ValueError as exc:
            raise AliError(400, "MalformedPolicyDocument", "The policy document is malformed.") from exc
        if not isinstance(document, dict) or not document.get("Statement"):
            raise AliError(400, "MalformedPolicyDocument", "The policy document is malformed: Statement is required.")
        if ("Custom", name) in self.policies:
            raise AliError(409, "EntityAlreadyExists.Policy", f"The policy already exists: {name}.")
        policy = Policy(name, "Custom", params.get("Description", ""), document)
        self.policies[("Custom", name)] = policy
        out = policy.to_api(0)
        out.pop("AttachmentCount")
        out.pop("UpdateDate")
        return {"Policy": out}

    def _policy(self, kind: str, name: str) -> Policy:
        if kind not in ("System", "Custom"):
            raise AliError(400, "InvalidParameter.PolicyType", f"The parameter PolicyType is invalid: {kind}.")
        policy = self.policies.get((kind, name))
        if policy is None:
            raise AliError(404, "EntityNotExist.Policy", f"The policy not exists: {name}.")
        return policy

    def _ram_GetPolicy(self, params: dict[str, str], caller: Caller) -> dict[str, t.Any]:
        name = self._required(params, "PolicyName")
        kind = self._required(params, "PolicyType")
        self._authorize(caller, "ram:GetPolicy", self._ram_resource("policy", name))
        policy = self._policy(kind, name)
        return {
            "Policy": {**policy.to_api(self._attachments(kind, name)), "PolicyDocument": json.dumps(policy.document)},
            "DefaultPolicyVersion": {
                "VersionId": "v1",
                "IsDefaultVersion": True,
                "PolicyDocument": json.dumps(policy.document),
                "CreateDate": policy.created,
            },
        }

    def _ram_ListPolicies(self, params: dict[str, str], caller: Caller) -> dict[str, t.Any]:
        self._authorize(caller, "ram:ListPolicies", self._ram_resource("policy", "*"))
        kind = params.get("PolicyType")
        items = [
            p.to_api(self._attachments(p.kind, p.name)) for p in self.policies.values() if not kind or p.kind == kind
        ]
        return {"IsTruncated": False, "Policies": {"Policy": items}}

    def _ram_DeletePolicy(self, params: dict[str, str], caller: Caller) -> dict[str, t.Any]:
        name = self._required(params, "PolicyName")
        self._authorize(caller, "ram:DeletePolicy", self._ram_resource("policy", name))
        self._policy("Custom", name)
        if any((k, n) == ("Custom", name) for u in self.users.values() for k, n, _ in u.policies):
            raise AliError(409, "DeleteConflict.Policy.User", "The policy has been attached to some user.")
        del self.policies[("Custom", name)]
        return {}

    def _ram_AttachPolicyToUser(self, params: dict[str, str], caller: Caller) -> dict[str, t.Any]:
        kind = self._required(params, "PolicyType")
        name = self._required(params, "PolicyName")
        user_name = self._required(params, "UserName")
        self._authorize(caller, "ram:AttachPolicyToUser", self._ram_resource("user", user_name))
        self._policy(kind, name)
        user = self._user(user_name)
        if any((k, n) == (kind, name) for k, n, _ in user.policies):
            raise AliError(409, "EntityAlreadyExists.User.Policy", "The policy has been attached to the user.")
        user.policies.append((kind, name, now_text()))
        return {}

    def _ram_DetachPolicyFromUser(self, params: dict[str, str], caller: Caller) -> dict[str, t.Any]:
        kind = self._required(params, "PolicyType")
        name = self._required(params, "PolicyName")
        user_name = self._required(params, "UserName")
        self._authorize(caller, "ram:DetachPolicyFromUser", self._ram_resource("user", user_name))
        self._policy(kind, name)
        user = self._user(user_name)
        match = [p for p in user.policies if (p[0], p[1]) == (kind, name)]
        if not match:
            raise AliError(404, "EntityNotExist.User.Policy", "The policy has not been attached to the user.")
        user.policies.remove(match[0])
        return {}

    def _ram_ListPoliciesForUser(self, params: dict[str, str], caller: Caller) -> dict[str, t.Any]:
        user_name = self._required(params, "UserName")
        self._authorize(caller, "ram:ListPoliciesForUser", self._ram_resource("user", user_name))
        user = self._user(user_name)
        items = []
        for kind, name, attached in user.policies:
            policy = self.policies[(kind, name)]
            items.append(
                {
                    "PolicyName": name,
                    "PolicyType": kind,
                    "Description": policy.description,
                    "DefaultVersion": "v1",
                    "AttachDate": attached,
                }
            )
        return {"Policies": {"Policy": items}}

    def _key_owner(self, params: dict[str, str], caller: Caller) -> User:
        name = params.get("UserName")
        if name:
            return self._user(name)
        if caller.user is None:
            raise AliError(400, "MissingUserName", "UserName is mandatory for this action.")
        return caller.user

    def _ram_CreateAccessKey(self, params: dict[str, str], caller: Caller) -> dict[str, t.Any]:
        user = self._key_owner(params, caller)
        self._authorize(caller, "ram:CreateAccessKey", self._ram_resource("user", user.name))
        if sum(1 for k in self.keys.values() if k.user == user.name) >= MAX_KEYS_PER_USER:
            raise AliError(
                409,
                "LimitExceeded.User.AccessKey",
                f"The count of access keys per user exceeds the limit ({MAX_KEYS_PER_USER}).",
            )
        key_id, secret = self._new_key_pair()
        key = AccessKey(key_id, secret, user.name)
        self.keys[key_id] = key
        return {
            "AccessKey": {
                "AccessKeyId": key_id,
                "AccessKeySecret": secret,
                "Status": key.status,
                "CreateDate": key.created,
            }
        }

    def _ram_DeleteAccessKey(self, params: dict[str, str], caller: Caller) -> dict[str, t.Any]:
        user = self._key_owner(params, caller)
        key_id = self._required(params, "UserAccessKeyId")
        self._authorize(caller, "ram:DeleteAccessKey", self._ram_resource("user", user.name))
        key = self.keys.get(key_id)
        if key is None or key.user != user.name:
            raise AliError(404, "EntityNotExist.User.AccessKey", f"The access key does not exist: {key_id}.")
        del self.keys[key_id]
        return {}

    def _ram_ListAccessKeys(self, params: dict[str, str], caller: Caller) -> dict[str, t.Any]:
        user = self._key_owner(params, caller)
        self._authorize(caller, "ram:ListAccessKeys", self._ram_resource("user", user.name))
        items = [
            {"AccessKeyId": k.key_id, "Status": k.status, "CreateDate": k.created}
            for k in self.keys.values()
            if k.user == user.name
        ]
        return {"AccessKeys": {"AccessKey": items}}

    def _ram_GetRole(self, params: dict[str, str], caller: Caller) -> dict[str, t.Any]:
        name = self._required(params, "RoleName")
        self._authorize(caller, "ram:GetRole", self._ram_resource("role", name))
        role = self.roles.get(name.lower())
        if role is None:
            raise AliError(404, "EntityNotExist.Role", f"The role not exists: {name}.")
        return {"Role": role.to_api()}

    def _ram_ListRoles(self, params: dict[str, str], caller: Caller) -> dict[str, t.Any]:
        self._authorize(caller, "ram:ListRoles", self._ram_resource("role", "*"))
        return {"IsTruncated": False, "Roles": {"Role": [r.to_api() for r in self.roles.values()]}}

    # --- STS -----------------------------------------------------------------------------------

    def _sts_AssumeRole(self, params: dict[str, str], caller: Caller) -> dict[str, t.Any]:
        arn = params.get("RoleArn", "")
        if not arn:
            raise AliError(400, "MissingRoleArn", "RoleArn is mandatory for this action.")
        session_name = params.get("RoleSessionName", "")
        if not session_name:
            raise AliError(400, "MissingRoleSessionName", "RoleSessionName is mandatory for this action.")
        if not SESSION_NAME_RE.match(session_name):
            raise AliError(
                400,
                "InvalidParameter.RoleSessionName",
                "The parameter RoleSessionName is wrongly formed: it must be 2 to 64 letters, digits, or . @ - _.",
            )
        m = re.match(r"^acs:ram::(\d+):role/(.+)$", arn, re.IGNORECASE)
        if not m:
            raise AliError(400, "InvalidParameter.RoleArn", f"The parameter RoleArn is wrongly formed: {arn}.")
        self._authorize(caller, "sts:AssumeRole", arn)
        role = self.roles.get(m.group(2).lower()) if m.group(1) == self.account_id else None
        if role is None:
            raise AliError(404, "EntityNotExist.Role", f"The role not exists: {arn}.")
        principals = []
        for st in role.trust.get("Statement", []):
            if st.get("Effect") == "Allow":
                ram = (st.get("Principal") or {}).get("RAM") or []
                principals.extend([ram] if isinstance(ram, str) else ram)
        me = self._user_arn(caller.user.name) if caller.user else ""
        if f"acs:ram::{self.account_id}:root" not in principals and me not in principals:
            raise AliError(
                403, "NoPermission", "You are not authorized to do this action. You should be authorized by RAM."
            )
        try:
            duration = int(params.get("DurationSeconds") or 3600)
        except ValueError as exc:
            raise AliError(
                400, "InvalidParameter.DurationSeconds", "The parameter DurationSeconds is invalid."
            ) from exc
        if not 900 <= duration <= role.max_session:
            raise AliError(
                400,
                "InvalidParameter.DurationSeconds",
                f"The Min/Max value of DurationSeconds is 15min/{role.max_session // 60}min.",
            )
        if params.get("Policy"):
            try:
                json.loads(params["Policy"])
            except ValueError as exc:
                raise AliError(
                    400, "InvalidParameter.PolicyGrammar", "The parameter Policy has not passed grammar check."
                ) from exc
        expires = utcnow() + dt.timedelta(seconds=duration)
        key_id = "STS.NU" + random_text(22)
        session = Session(
            key_id=key_id,
            secret=random_text(44),
            token="CAIS" + random_text(300, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"),
            role=role.name,
            session_name=session_name,
            expires=expires,
            caller=self._user_arn(caller.user.name) if caller.user else "",
        )
        self.sessions[key_id] = session
        return {
            "AssumedRoleUser": {
                "AssumedRoleId": f"{role.role_id}:{session_name}",
                "Arn": f"acs:ram::{self.account_id}:assumed-role/{role.name}/{session_name}",
            },
            "Credentials": {
                "SecurityToken": session.token,
                "AccessKeyId": key_id,
                "AccessKeySecret": session.secret,
                "Expiration": rfc3339(expires),
            },
        }

    def _sts_GetCallerIdentity(self, params: dict[str, str], caller: Caller) -> dict[str, t.Any]:
        del params
        if caller.session is not None:
            session = caller.session
            role = self.roles[session.role.lower()]
            return {
                "AccountId": self.account_id,
                "UserId": f"{role.role_id}:{session.session_name}",
                "RoleId": role.role_id,
                "Arn": f"acs:ram::{self.account_id}:assumed-role/{role.name}/{session.session_name}",
                "IdentityType": "AssumedRoleUser",
                "PrincipalId": f"{role.role_id}:{session.session_name}",
            }
        assert caller.user is not None
        return {
            "AccountId": self.account_id,
            "UserId": caller.user.user_id,
            "Arn": self._user_arn(caller.user.name),
            "IdentityType": "RAMUser",
            "PrincipalId": caller.user.user_id,
        }

    # --- state -------------------------------------------------------------------------------------

    def snapshot(self) -> dict[str, t.Any]:
        now = utcnow()
        return {
            "account_id": self.account_id,
            "users": [
                {
                    **u.to_api(),
                    "Policies": [{"PolicyType": k, "PolicyName": n, "AttachDate": d} for k, n, d in u.policies],
                    "AccessKeys": [
                        {"AccessKeyId": k.key_id, "Status": k.status, "CreateDate": k.created}
                        for k in self.keys.values()
                        if k.user == u.name
                    ],
                }
                for u in self.users.values()
            ],
            "policies": [
                {**p.to_api(self._attachments(p.kind, p.name)), "PolicyDocument": p.document}
                for p in self.policies.values()
                if p.kind == "Custom"
            ],
            "system_policies": sorted(n for k, n in self.policies if k == "System"),
            "access_keys": [
                {"AccessKeyId": k.key_id, "UserName": k.user, "Status": k.status, "CreateDate": k.created}
                for k in self.keys.values()
            ],
            "roles": [
                {**r.to_api(), "Policies": [{"PolicyType": k, "PolicyName": n} for k, n in r.policies]}
                for r in self.roles.values()
            ],
            "sts_sessions": [
                {
                    "AccessKeyId": s.key_id,
                    "RoleName": s.role,
                    "RoleSessionName": s.session_name,
                    "Expiration": rfc3339(s.expires),
                    "Caller": s.caller,
                    "Expired": s.expires < now,
                }
                for s in self.sessions.values()
            ],
        }
