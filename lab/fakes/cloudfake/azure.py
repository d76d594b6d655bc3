"""Azure: Entra ID (login.microsoftonline.com), Microsoft Graph v1.0, and ARM authorization.

What the Azure secrets engine sends and parses (azidentity/MSAL, msgraph-sdk-go via kiota, armauthorization v2):

* MSAL: ``GET /common/discovery/instance?api-version=1.1&authorization_endpoint=...``,
  ``GET /{tenant}/v2.0/.well-known/openid-configuration``,
  ``POST /{tenant}/oauth2/v2.0/token`` form ``grant_type=client_credentials&client_id&client_secret&scope=R/.default``
* Graph (request bodies may be gzip-compressed): ``/v1.0/applications`` (POST, GET ``$filter=appId eq '..'``),
  ``/v1.0/applications/{id}`` (GET, DELETE), ``.../addPassword``, ``.../removePassword``,
  ``/v1.0/servicePrincipals`` (POST), ``/v1.0/servicePrincipals/{id}`` (DELETE), ``.../addPassword``,
  ``/v1.0/groups/{id}``, ``/v1.0/groups?$filter=displayName eq '..'``, ``/v1.0/groups/{id}/members/$ref`` (POST),
  ``/v1.0/groups/{id}/members/{member}/$ref`` (DELETE), ``/v1.0/directory/deletedItems/{id}`` (DELETE)
* ARM (``api-version=2022-04-01``): ``GET /{scope}/providers/Microsoft.Authorization/roleDefinitions?$filter=roleName
  eq '..'``, ``GET /{roleDefinitionId}``, ``PUT|GET|DELETE /{scope}/providers/Microsoft.Authorization/roleAssignments/
  {guid}``

Errors: Entra ``{"error", "error_description": "AADSTS...", "error_codes", ...}``; Graph
``{"error": {"code", "message", "innerError"}}``; ARM ``{"error": {"code", "message"}}``.
"""

from __future__ import annotations

import copy
import datetime as dt
import fnmatch
import json
import re
import secrets
import time
import typing as t
import urllib.parse
import uuid
from dataclasses import dataclass, field

from .core import (
    Propagation,
    Request,
    Response,
    TokenSigner,
    b64url,
    new_uuid,
    parse_rfc3339,
    random_text,
    rfc3339,
    utcnow,
)

LOGIN_HOSTS = {"login.microsoftonline.com", "login.windows.net", "login.microsoft.com", "sts.windows.net"}
GRAPH_HOST = "graph.microsoft.com"
ARM_HOST = "management.azure.com"
GRAPH_AUDIENCES = {
    "https://graph.microsoft.com",
    "https://graph.microsoft.com/",
    "00000003-0000-0000-c000-000000000000",
}
ARM_AUDIENCES = {
    "https://management.core.windows.net/",
    "https://management.core.windows.net",
    "https://management.azure.com/",
    "https://management.azure.com",
}
DOMAIN = "vaultopslab.onmicrosoft.com"
GRAPH_CT = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"
API_VERSIONS = {"2015-07-01", "2018-01-01-preview", "2020-04-01-preview", "2020-10-01-preview", "2022-04-01"}
ROOT_GRAPH_ROLES = ["Application.ReadWrite.All", "Directory.ReadWrite.All", "GroupMember.ReadWrite.All"]
APP_READ = {
    "Application.Read.All",
    "Application.ReadWrite.All",
    "Application.ReadWrite.OwnedBy",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
}
APP_WRITE = {"Application.ReadWrite.All", "Application.ReadWrite.OwnedBy", "Directory.ReadWrite.All"}
GROUP_READ = {
    "Group.Read.All",
    "Group.ReadWrite.All",
    "GroupMember.Read.All",
    "GroupMember.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
}
GROUP_WRITE = {"Group.ReadWrite.All", "GroupMember.ReadWrite.All", "Directory.ReadWrite.All"}
GUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
FILTER_RE = re.compile(r"^\s*(\w+)\s+eq\s+'((?:[^']|'')*)'\s*$")
# Azure's built-in roles, with their real ids and (abridged) permissions
BUILTIN_ROLES: list[dict[str, t.Any]] = [
    {
        "guid": "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
        "roleName": "Owner",
        "description": "Grants full access to manage all resources, including the ability to assign roles in Azure "
        "RBAC.",
        "actions": ["*"],
        "notActions": [],
    },
    {
        "guid": "b24988ac-6180-42a0-ab88-20f7382dd24c",
        "roleName": "Contributor",
        "description": "Grants full access to manage all resources, but does not allow you to assign roles in Azure "
        "RBAC, manage assignments in Azure Blueprints, or share image galleries.",
        "actions": ["*"],
        "notActions": [
            "Microsoft.Authorization/*/Delete",
            "Microsoft.Authorization/*/Write",
            "Microsoft.Authorization/elevateAccess/Action",
            "Microsoft.Blueprint/blueprintAssignments/write",
            "Microsoft.Blueprint/blueprintAssignments/delete",
            "Microsoft.Compute/galleries/share/action",
        ],
    },
    {
        "guid": "acdd72a7-3385-48ef-bd42-f606fba81ae7",
        "roleName": "Reader",
        "description": "View all resources, but does not allow you to make any changes.",
        "actions": ["*/read"],
        "notActions": [],
    },
    {
        "guid": "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
        "roleName": "User Access Administrator",
        "description": "Lets you manage user access to Azure resources.",
        "actions": ["*/read", "Microsoft.Authorization/*", "Microsoft.Support/*"],
        "notActions": [],
    },
]
SEED_GROUPS = [
    ("vaultops-readers", "vaultops lab: read-only people and workloads"),
    ("vaultops-writers", "vaultops lab: deployers"),
]
RESOURCE_GROUP = "vaultops-lab-rg"


class GraphError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def response(self, request_id: str) -> Response:
        return Response.json(
            self.status,
            {
                "error": {
                    "code": self.code,
                    "message": self.message,
                    "innerError": {
                        "date": rfc3339(utcnow()),
                        "request-id": request_id,
                        "client-request-id": request_id,
                    },
                }
            },
            content_type="application/json",
            headers={"request-id": request_id, "client-request-id": request_id},
        )


class ArmError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def response(self, request_id: str, tenant: str) -> Response:
        headers = {
            "x-ms-request-id": request_id,
            "x-ms-correlation-request-id": request_id,
            "x-ms-failure-cause": "gateway",
        }
        if self.status == 401:
            headers["WWW-Authenticate"] = (
                f'Bearer authorization_uri="https://login.microsoftonline.com/{tenant}", error="invalid_token", '
                f'error_description="{self.message}"'
            )
        return Response.json(self.status, {"error": {"code": self.code, "message": self.message}}, headers=headers)


class EntraError(Exception):
    def __init__(self, status: int, error: str, aadsts: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.error = error
        self.aadsts = aadsts
        self.message = message

    def response(self) -> Response:
        trace, correlation = new_uuid(), new_uuid()
        stamp = utcnow().strftime("%Y-%m-%d %H:%M:%SZ")
        return Response.json(
            self.status,
            {
                "error": self.error,
                "error_description": f"AADSTS{self.aadsts}: {self.message} Trace ID: {trace} "
                f"Correlation ID: {correlation} Timestamp: {stamp}",
                "error_codes": [self.aadsts],
                "timestamp": stamp,
                "trace_id": trace,
                "correlation_id": correlation,
                "error_uri": f"https://login.microsoftonline.com/error?code={self.aadsts}",
            },
            headers={"x-ms-request-id": trace},
        )


def new_secret() -> tuple[str, str]:
    """(secret text, hint) shaped like Entra's 40-character client secrets."""
    text = (
        random_text(3) + "8Q~" + random_text(34, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.~-")
    )
    return text, text[:3]


@dataclass
class Password:
    key_id: str
    secret: str
    hint: str
    display_name: str | None
    start: dt.datetime
    end: dt.datetime
    born: float = field(default_factory=time.time)  # when it was made (the propagation delay counts from here)

    def to_api(self, *, with_secret: bool = False) -> dict[str, t.Any]:
        return {
            "customKeyIdentifier": None,
            "displayName": self.display_name,
            "endDateTime": rfc3339(self.end),
            "hint": self.hint,
            "keyId": self.key_id,
            "secretText": self.secret if with_secret else None,
            "startDateTime": rfc3339(self.start),
        }


@dataclass
class Application:
    object_id: str
    app_id: str
    display_name: str
    sign_in_audience: str = "AzureADMyOrg"
    tags: list[str] = field(default_factory=list)
    passwords: list[Password] = field(default_factory=list)
    created: dt.datetime = field(default_factory=utcnow)
    graph_roles: list[str] = field(default_factory=list)  # application permissions consented for Graph
    deleted: dt.datetime | None = None

    def to_api(self) -> dict[str, t.Any]:
        return {
            "id": self.object_id,
            "deletedDateTime": rfc3339(self.deleted) if self.deleted else None,
            "appId": self.app_id,
            "applicationTemplateId": None,
            "createdDateTime": rfc3339(self.created),
            "description": None,
            "displayName": self.display_name,
            "identifierUris": [],
            "publisherDomain": DOMAIN,
            "signInAudience": self.sign_in_audience,
            "tags": list(self.tags),
            "keyCredentials": [],
            "passwordCredentials": [p.to_api() for p in self.passwords],
        }


@dataclass
class ServicePrincipal:
    object_id: str
    app_id: str
    display_name: str
    tenant: str
    passwords: list[Password] = field(default_factory=list)
    deleted: dt.datetime | None = None

    def to_api(self) -> dict[str, t.Any]:
        return {
            "id": self.object_id,
            "deletedDateTime": rfc3339(self.deleted) if self.deleted else None,
            "accountEnabled": True,
            "appDisplayName": self.display_name,
            "appId": self.app_id,
            "appOwnerOrganizationId": self.tenant,
            "displayName": self.display_name,
            "servicePrincipalNames": [self.app_id],
            "servicePrincipalType": "Application",
            "signInAudience": "AzureADMyOrg",
            "tags": [],
            "keyCredentials": [],
            "passwordCredentials": [p.to_api() for p in self.passwords],
        }


@dataclass
class Group:
    object_id: str
    display_name: str
    description: str
    members: list[str] = field(default_factory=list)
    created: dt.datetime = field(default_factory=utcnow)

    def to_api(self) -> dict[str, t.Any]:
        return {
            "id": self.object_id,
            "deletedDateTime": None,
            "createdDateTime": rfc3339(self.created),
            "description": self.description,
            "displayName": self.display_name,
            "groupTypes": [],
            "mail": None,
            "mailEnabled": False,
            "mailNickname": self.display_name,
            "securityEnabled": True,
        }


@dataclass
class Token:
    audience: str
    app_id: str
    principal_id: str
    roles: list[str]
    expires: float


class AzureFake:
    name = "azure"
    propagation = Propagation()  # the FakeCloud sets the shared one

    def __init__(self, signer: TokenSigner) -> None:
        self.signer = signer
        self.tenant_id = new_uuid()
        self.subscription_id = new_uuid()
        self.apps: dict[str, Application] = {}
        self.sps: dict[str, ServicePrincipal] = {}
        self.groups: dict[str, Group] = {}
        self.deleted: dict[str, Application | ServicePrincipal] = {}
        self.role_assignments: dict[str, dict[str, t.Any]] = {}  # lower-case id -> assignment
        self.resource_groups = {RESOURCE_GROUP.lower(): RESOURCE_GROUP}
        self.root: dict[str, str] = {}

    # --- seeding ---------------------------------------------------------------------------------

    def seed(self, saved: dict[str, t.Any] | None) -> dict[str, t.Any]:
        """Create the tenant, subscription, the engine's root app (+SP, +Owner), and groups; reuse saved ids."""
        saved = saved or {}
        ids_ok = all(GUID_RE.match(str(saved.get(k, ""))) for k in ("tenant_id", "subscription_id", "client_id"))
        if ids_ok:
            self.tenant_id = saved["tenant_id"]
            self.subscription_id = saved["subscription_id"]
        app = Application(
            object_id=str(saved.get("root_app_object_id") or new_uuid()) if ids_ok else new_uuid(),
            app_id=saved["client_id"] if ids_ok else new_uuid(),
            display_name="vaultops-lab-vault-root",
            graph_roles=list(ROOT_GRAPH_ROLES),
        )
        secret = str(saved.get("client_secret") or "") if ids_ok else ""
        if not secret:
            secret, _ = new_secret()
        now = utcnow()
        app.passwords.append(
            Password(
                key_id=str(saved.get("client_secret_key_id") or new_uuid()) if ids_ok else new_uuid(),
                secret=secret,
                hint=secret[:3],
                display_name="vaultops lab root secret",
                start=now - dt.timedelta(minutes=5),
                end=now + dt.timedelta(days=730),
            )
        )
        self.apps[app.object_id] = app
        sp = ServicePrincipal(
            str(saved.get("root_sp_object_id") or new_uuid()) if ids_ok else new_uuid(),
            app.app_id,
            app.display_name,
            self.tenant_id,
        )
        self.sps[sp.object_id] = sp
        self._add_assignment(
            f"/subscriptions/{self.subscription_id}",
            str(uuid.uuid5(uuid.NAMESPACE_URL, f"root-owner/{self.subscription_id}")),
            BUILTIN_ROLES[0]["guid"],
            sp.object_id,
            sp.object_id,
        )
        saved_groups = saved.get("groups") if ids_ok and isinstance(saved.get("groups"), dict) else {}
        for name, description in SEED_GROUPS:
            gid = str(saved_groups.get(name) or new_uuid())
            self.groups[gid] = Group(gid, name, description)
        self.root = {
            "tenant_id": self.tenant_id,
            "subscription_id": self.subscription_id,
            "client_id": app.app_id,
            "client_secret": secret,
            "client_secret_key_id": app.passwords[0].key_id,
            "root_app_object_id": app.object_id,
            "root_sp_object_id": sp.object_id,
        }
        return {
            **self.root,
            "resource_group": RESOURCE_GROUP,
            "groups": {g.display_name: g.object_id for g in self.groups.values()},
            "role_definitions": {
                r["roleName"]: self._role_definition_id(f"/subscriptions/{self.subscription_id}", r["guid"])
                for r in BUILTIN_ROLES
            },
        }

    # --- routing -----------------------------------------------------------------------------------

    def owns(self, host: str) -> bool:
        return host in LOGIN_HOSTS or host in (GRAPH_HOST, ARM_HOST)

    def handle(self, req: Request) -> Response:
        request_id = new_uuid()
        if req.host in LOGIN_HOSTS:
            try:
                return self._login(req)
            except EntraError as err:
                return err.response()
        if req.host == GRAPH_HOST:
            try:
                return self._graph(req, request_id)
            except GraphError as err:
                return err.response(request_id)
        try:
            return self._arm(req, request_id)
        except ArmError as err:
            return err.response(request_id, self.tenant_id)

    # --- Entra ID ---------------------------------------------------------------------------------

    def _tenant_ok(self, tenant: str) -> bool:
        return tenant.lower() in (self.tenant_id, DOMAIN, "common", "organizations")

    def _login(self, req: Request) -> Response:
        path = req.path
        host = req.host
        if path == "/common/discovery/instance":
            return Response.json(
                200,
                {
                    "tenant_discovery_endpoint": f"https://{host}/{self.tenant_id}/v2.0/.well-known/"
                    "openid-configuration",
                    "api-version": "1.1",
                    "metadata": [
                        {
                            "preferred_network": "login.microsoftonline.com",
                            "preferred_cache": "login.windows.net",
                            "aliases": sorted(LOGIN_HOSTS),
                        }
                    ],
                },
            )
        m = re.match(r"^/([^/]+)(/v2\.0)?/\.well-known/openid-configuration$", path)
        if m:
            tenant = m.group(1)
            if not self._tenant_ok(tenant):
                raise EntraError(400, "invalid_tenant", 90002, f"Tenant '{tenant}' not found.")
            return Response.json(200, self._openid_configuration(host, m.group(2) is not None))
        m = re.match(r"^/([^/]+)/discovery(/v2\.0)?/keys$", path)
        if m:
            return Response.json(200, {"keys": []})
        m = re.match(r"^/([^/]+)/oauth2(/v2\.0)?/token$", path)
        if m and req.method == "POST":
            return self._token(req, m.group(1), m.group(2) is not None)
        return Response.json(404, {"error": "not_found", "error_description": f"{path} is not an endpoint"})

    def _openid_configuration(self, host: str, v2: bool) -> dict[str, t.Any]:
        base = f"https://{host}/{self.tenant_id}"
        suffix = "/v2.0" if v2 else ""
        return {
            "token_endpoint": f"{base}/oauth2{suffix}/token",
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
            "jwks_uri": f"{base}/discovery{suffix}/keys",
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "issuer": f"https://login.microsoftonline.com/{self.tenant_id}/v2.0"
            if v2
            else f"https://sts.windows.net/{self.tenant_id}/",
            "request_uri_parameter_supported": False,
            "userinfo_endpoint": "https://graph.microsoft.com/oidc/userinfo",
            "authorization_endpoint": f"{base}/oauth2{suffix}/authorize",
            "device_authorization_endpoint": f"{base}/oauth2{suffix}/devicecode",
            "http_logout_supported": True,
            "frontchannel_logout_supported": True,
            "end_session_endpoint": f"{base}/oauth2{suffix}/logout",
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nbf", "tid", "oid"],
            "tenant_region_scope": "NA",
            "cloud_instance_name": "microsoftonline.com",
            "cloud_graph_host_name": "graph.windows.net",
            "msgraph_host": "graph.microsoft.com",
            "rbac_url": "https://pas.windows.net",
        }

    def _active_app(self, app_id: str) -> Application | None:
        return next((a for a in self.apps.values() if a.app_id.lower() == app_id.lower()), None)

    def _sp_for_app(self, app_id: str) -> ServicePrincipal | None:
        return next((s for s in self.sps.values() if s.app_id.lower() == app_id.lower()), None)

    def _token(self, req: Request, tenant: str, v2: bool) -> Response:
        if not self._tenant_ok(tenant) or tenant.lower() in ("common",):
            raise EntraError(
                400,
                "invalid_request",
                90002,
                f"Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into "
                "the correct cloud.",
            )
        form = req.form()
        grant = form.get("grant_type", "")
        if grant != "client_credentials":
            raise EntraError(
                400, "unsupported_grant_type", 70003, f"The app requested an unsupported grant type '{grant}'."
            )
        client_id = form.get("client_id", "")
        if "client_assertion" in form:
            raise EntraError(401, "invalid_client", 700027, "Client assertion failed signature validation.")
        app = self._active_app(client_id)
        if app is None:
            raise EntraError(
                400,
                "unauthorized_client",
                700016,
                f"Application with identifier '{client_id}' was not found in the directory '{DOMAIN}'. This can happen "
                "if the application has not been installed by the administrator of the tenant or consented to by any "
                "user in the tenant. You may have sent your authentication request to the wrong tenant.",
            )
        secret = form.get("client_secret", "")
        sp = self._sp_for_app(app.app_id)
        now = utcnow()
        candidates = [*app.passwords, *(sp.passwords if sp else [])]
        matched = [p for p in candidates if secrets.compare_digest(p.secret, secret)]
        # a new secret has not reached every token endpoint yet: Entra answers as if it did not exist
        if not secret or not matched or all(self.propagation.pending(p.born) for p in matched):
            raise EntraError(
                401,
                "invalid_client",
                7000215,
                "Invalid client secret provided. Ensure the secret being sent in the request is the client secret "
                f"value, not the client secret ID, for a secret added to app '{app.app_id}'.",
            )
        if all(p.end < now for p in matched):
            raise EntraError(
                401,
                "invalid_client",
                7000222,
                f"The provided client secret keys for app '{app.app_id}' are expired. Visit the Azure portal to create "
                "new keys for your app.",
            )
        if sp is None:
            raise EntraError(
                401,
                "invalid_client",
                7000229,
                f"The client application {app.app_id} is missing service principal in the tenant {self.tenant_id}.",
            )
        if v2:
            scopes = [s for s in form.get("scope", "").split() if s not in ("openid", "profile", "offline_access")]
            if len(scopes) != 1 or not scopes[0].endswith("/.default"):
                raise EntraError(
                    400,
                    "invalid_scope",
                    1002012,
                    f"The provided value for scope {form.get('scope', '')} is not valid. Client credential flows must "
                    "have a scope value with /.default suffixed to the resource identifier (application ID URI).",
                )
            resource = scopes[0].removesuffix(".default")
            if resource.endswith("//"):
                resource = resource[:-1]
            elif resource.endswith("/") and resource.rstrip("/") + "/" not in ARM_AUDIENCES:
                resource = resource.rstrip("/")
        else:
            resource = form.get("resource", "")
        if resource not in GRAPH_AUDIENCES and resource not in ARM_AUDIENCES:
            raise EntraError(
                400,
                "invalid_resource",
                500011,
                f"The resource principal named {resource} was not found in the tenant named {DOMAIN}. This can happen "
                "if the application has not been installed by the administrator of the tenant or consented to by any "
                "user in the tenant. You might have sent your authentication request to the wrong tenant.",
            )
        roles = list(app.graph_roles) if resource in GRAPH_AUDIENCES else []
        lifetime = 3599
        issued = int(time.time())
        claims = {
            "aud": resource,
            "iss": f"https://sts.windows.net/{self.tenant_id}/",
            "iat": issued,
            "nbf": issued,
            "exp": issued + lifetime,
            "appid": app.app_id,
            "appidacr": "1",
            "idp": f"https://sts.windows.net/{self.tenant_id}/",
            "oid": sp.object_id,
            "roles": roles,
            "sub": sp.object_id,
            "tid": self.tenant_id,
            "ver": "1.0",
        }
        header = {"typ": "JWT", "alg": "RS256", "kid": "vaultops-lab-fake"}
        signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(claims).encode())}"
        token = f"{signing_input}.{self.signer.mac(signing_input.encode())}"
        out: dict[str, t.Any] = {"token_type": "Bearer", "expires_in": lifetime, "ext_expires_in": lifetime}
        if not v2:
            out.update(expires_on=str(issued + lifetime), not_before=str(issued), resource=resource)
        out["access_token"] = token
        return Response.json(200, out, headers={"Cache-Control": "no-store, no-cache", "Pragma": "no-cache"})

    def _decode(self, token: str | None) -> Token | None:
        claims = self.signer.open(token or "")
        if claims is None:
            return None
        try:
            return Token(
                str(claims["aud"]),
                str(claims["appid"]),
                str(claims["oid"]),
                [str(r) for r in claims.get("roles", [])],
                float(claims["exp"]),
            )
        except (KeyError, TypeError, ValueError):
            return None

    def _bearer(self, req: Request, audiences: set[str]) -> Token | None:
        record = self._decode(req.bearer())
        if record is None or record.expires < time.time() or record.audience not in audiences:
            return None
        if record.principal_id not in self.sps or self._active_app(record.app_id) is None:
            return None
        return record

    # --- Microsoft Graph ------------------------------------------------------------------------

    def _graph(self, req: Request, request_id: str) -> Response:
        token = req.bearer()
        record = self._bearer(req, GRAPH_AUDIENCES)
        if record is None:
            if not token:
                raise GraphError(401, "InvalidAuthenticationToken", "Access token is empty.")
            raw = self._decode(token)
            if raw is not None and raw.audience not in GRAPH_AUDIENCES:
                raise GraphError(
                    401, "InvalidAuthenticationToken", "Access token validation failure. Invalid audience."
                )
            raise GraphError(401, "InvalidAuthenticationToken", "Access token validation failure.")
        path = req.path
        m = re.match(r"^/(v1\.0|beta)(/.*)?$", path)
        if not m:
            raise GraphError(400, "BadRequest", f"Invalid version: {path.split('/')[1] if '/' in path else path}")
        rest = (m.group(2) or "/").rstrip("/") or "/"
        segments = [urllib.parse.unquote(s) for s in rest.strip("/").split("/")]
        out = self._graph_dispatch(req, record, segments)
        if out.status < 400:
            out.headers.setdefault("request-id", request_id)
            out.headers.setdefault("client-request-id", req.header("client-request-id") or request_id)
        return out

    def _need(self, record: Token, allowed: set[str]) -> None:
        if not allowed.intersection(record.roles):
            raise GraphError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")

    @staticmethod
    def _body(req: Request) -> dict[str, t.Any]:
        body = req.json()
        if not isinstance(body, dict):
            raise GraphError(
                400,
                "BadRequest",
                "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of "
                "valid JSON format.",
            )
        return body

    def _graph_dispatch(self, req: Request, record: Token, seg: list[str]) -> Response:  # noqa: PLR0911
        method = req.method
        head = seg[0] if seg else ""
        key_match = re.match(r"^(applications|servicePrincipals)\(appId='([^']*)'\)$", head)
        if key_match:
            collection = key_match.group(1)
            finder = self._active_app if collection == "applications" else self._sp_for_app
            found = finder(key_match.group(2))
            if found is None:
                raise self._missing(key_match.group(2))
            seg = [collection, found.object_id, *seg[1:]]
            head = collection
        if head == "applications":
            return self._graph_applications(req, record, seg[1:])
        if head == "servicePrincipals":
            return self._graph_service_principals(req, record, seg[1:])
        if head == "groups":
            return self._graph_groups(req, record, seg[1:])
        if head == "directoryObjects" and len(seg) == 2:
            self._need(record, APP_READ | GROUP_READ)
            obj = self.apps.get(seg[1]) or self.sps.get(seg[1]) or self.groups.get(seg[1])
            if obj is None:
                raise self._missing(seg[1])
            if method == "GET":
                return self._graph_entity(obj)
            if method == "DELETE":
                self._need(record, APP_WRITE)
                self._soft_delete(seg[1])
                return Response.empty()
        if seg[:2] == ["directory", "deletedItems"] and len(seg) == 3:
            obj = self.deleted.get(seg[2])
            if method == "GET":
                self._need(record, APP_READ)
                if obj is None:
                    raise self._missing(seg[2])
                return self._graph_entity(obj)
            if method == "DELETE":
                self._need(record, APP_WRITE)
                if obj is None:
                    raise self._missing(seg[2])
                del self.deleted[seg[2]]
                return Response.empty()
        raise GraphError(400, "BadRequest", f"Resource not found for the segment '{seg[-1] if seg else ''}'.")

    @staticmethod
    def _missing(object_id: str) -> GraphError:
        return GraphError(
            404,
            "Request_ResourceNotFound",
            f"Resource '{object_id}' does not exist or one of its queried reference-property objects are not present.",
        )

    @staticmethod
    def _graph_entity(obj: Application | ServicePrincipal | Group) -> Response:
        kind = {"Application": "application", "ServicePrincipal": "servicePrincipal", "Group": "group"}[
            type(obj).__name__
        ]
        return Response.json(200, {"@odata.type": f"#microsoft.graph.{kind}", **obj.to_api()}, content_type=GRAPH_CT)

    @staticmethod
    def _filter(req: Request, allowed: set[str], resource: str) -> tuple[str, str] | None:
        expr = req.arg("$filter")
        if expr is None:
            return None
        m = FILTER_RE.match(expr)
        if not m:
            raise GraphError(400, "BadRequest", f"Invalid filter clause: {expr}")
        prop, value = m.group(1), m.group(2).replace("''", "'")
        if prop not in allowed:
            raise GraphError(
                400,
                "Request_UnsupportedQuery",
                f"Unsupported or invalid query filter clause specified for property '{prop}' of resource '{resource}'.",
            )
        return prop, value

    @staticmethod
    def _collection(context: str, items: list[dict[str, t.Any]]) -> Response:
        return Response.json(
            200,
            {"@odata.context": f"https://graph.microsoft.com/v1.0/$metadata#{context}", "value": items},
            content_type=GRAPH_CT,
        )

    def _new_password(self, body: dict[str, t.Any], default_days: int = 730) -> Password:
        cred = body.get("passwordCredential") or {}
        if not isinstance(cred, dict):
            raise GraphError(400, "BadRequest", "Invalid passwordCredential.")
        now = utcnow()
        try:
            start = _parse_time(cred.get("startDateTime")) or now
            end = _parse_time(cred.get("endDateTime")) or start + dt.timedelta(days=default_days)
        except ValueError as exc:
            raise GraphError(400, "BadRequest", f"Invalid date: {exc}") from exc
        if end <= start:
            raise GraphError(400, "InvalidKeyEndDate", "Key credential end date is invalid.")
        secret, hint = new_secret()
        return Password(new_uuid(), secret, hint, cred.get("displayName"), start, end)

    def _remove_password(self, owner: Application | ServicePrincipal, req: Request) -> Response:
        body = self._body(req)
        key_id = str(body.get("keyId") or "")
        if not GUID_RE.match(key_id):
            raise GraphError(400, "BadRequest", "Invalid keyId.")
        match = [p for p in owner.passwords if p.key_id.lower() == key_id.lower()]
        if not match:
            raise GraphError(400, "Request_BadRequest", f"No password credential found with keyId {key_id}.")
        owner.passwords.remove(match[0])
        return Response.empty()

    def _graph_applications(self, req: Request, record: Token, seg: list[str]) -> Response:  # noqa: PLR0911
        method = req.method
        if not seg:
            if method == "GET":
                self._need(record, APP_READ)
                flt = self._filter(req, {"appId", "displayName", "id"}, "application")
                items = [
                    a.to_api()
                    for a in self.apps.values()
                    if flt is None or str(a.to_api().get(flt[0], "")).lower() == flt[1].lower()
                ]
                return self._collection("applications", items)
            if method == "POST":
                self._need(record, APP_WRITE)
                body = self._body(req)
                name = body.get("displayName")
                if not isinstance(name, str) or not name.strip():
                    raise GraphError(
                        400,
                        "Request_BadRequest",
                        "Invalid value specified for property 'displayName' of resource 'Application'.",
                    )
                tags = body.get("tags") or []
                app = Application(
                    new_uuid(),
                    new_uuid(),
                    name,
                    sign_in_audience=body.get("signInAudience") or "AzureADMyOrg",
                    tags=[str(x) for x in tags],
                )
                self.apps[app.object_id] = app
                out = {
                    "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#applications/$entity",
                    **app.to_api(),
                }
                return Response.json(
                    201,
                    out,
                    content_type=GRAPH_CT,
                    headers={
                        "Location": f"https://graph.microsoft.com/v2/{self.tenant_id}/directoryObjects/{app.object_id}/Microsoft.DirectoryServices.Application"
                    },
                )
            raise GraphError(405, "Request_BadRequest", "The requested method is not allowed.")
        app = self.apps.get(seg[0])
        if app is None:
            raise self._missing(seg[0])
        if len(seg) == 1:
            if method == "GET":
                self._need(record, APP_READ)
                out = {
                    "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#applications/$entity",
                    **app.to_api(),
                }
                return Response.json(200, out, content_type=GRAPH_CT)
            if method == "DELETE":
                self._need(record, APP_WRITE)
                self._soft_delete(app.object_id)
                return Response.empty()
            if method == "PATCH":
                self._need(record, APP_WRITE)
                body = self._body(req)
                app.display_name = str(body.get("displayName") or app.display_name)
                if "tags" in body:
                    app.tags = [str(x) for x in body.get("tags") or []]
                return Response.empty()
        if len(seg) == 2 and method == "POST" and seg[1] == "addPassword":
            self._need(record, APP_WRITE)
            password = self._new_password(self._body(req))
            app.passwords.append(password)
            out = {
                "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.passwordCredential",
                **password.to_api(with_secret=True),
            }
            return Response.json(200, out, content_type=GRAPH_CT)
        if len(seg) == 2 and method == "POST" and seg[1] == "removePassword":
            self._need(record, APP_WRITE)
            return self._remove_password(app, req)
        raise GraphError(400, "BadRequest", f"Resource not found for the segment '{seg[-1]}'.")

    def _graph_service_principals(self, req: Request, record: Token, seg: list[str]) -> Response:
        method = req.method
        if not seg:
            if method == "GET":
                self._need(record, APP_READ)
                flt = self._filter(req, {"appId", "displayName", "id"}, "servicePrincipal")
                items = [
                    s.to_api()
                    for s in self.sps.values()
                    if flt is None or str(s.to_api().get(flt[0], "")).lower() == flt[1].lower()
                ]
                return self._collection("servicePrincipals", items)
            if method == "POST":
                self._need(record, APP_WRITE)
                body = self._body(req)
                app_id = str(body.get("appId") or "")
                app = self._active_app(app_id)
                if app is None:
                    raise GraphError(
                        400,
                        "Request_BadRequest",
                        f"The appId '{app_id}' of the service principal does not reference a valid application object.",
                    )
                if self._sp_for_app(app_id) is not None:
                    raise GraphError(
                        409,
                        "Request_MultipleObjectsWithSameKeyValue",
                        "The service principal cannot be created, updated, or restored because the service principal "
                        "name " + app_id + " is already in use.",
                    )
                sp = ServicePrincipal(new_uuid(), app.app_id, app.display_name, self.tenant_id)
                self.sps[sp.object_id] = sp
                out = {
                    "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#servicePrincipals/$entity",
                    **sp.to_api(),
                }
                return Response.json(201, out, content_type=GRAPH_CT)
            raise GraphError(405, "Request_BadRequest", "The requested method is not allowed.")
        sp = self.sps.get(seg[0])
        if sp is None:
            raise self._missing(seg[0])
        if len(seg) == 1:
            if method == "GET":
                self._need(record, APP_READ)
                out = {
                    "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#servicePrincipals/$entity",
                    **sp.to_api(),
                }
                return Response.json(200, out, content_type=GRAPH_CT)
            if method == "DELETE":
                self._need(record, APP_WRITE)
                self._soft_delete(sp.object_id)
                return Response.empty()
        if len(seg) == 2 and method == "POST" and seg[1] == "addPassword":
            self._need(record, APP_WRITE)
            password = self._new_password(self._body(req))
            sp.passwords.append(password)
            out = {
                "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.passwordCredential",
                **password.to_api(with_secret=True),
            }
            return Response.json(200, out, content_type=GRAPH_CT)
        if len(seg) == 2 and method == "POST" and seg[1] == "removePassword":
            self._need(record, APP_WRITE)
            return self._remove_password(sp, req)
        raise GraphError(400, "BadRequest", f"Resource not found for the segment '{seg[-1]}'.")

    def _graph_groups(self, req: Request, record: Token, seg: list[str]) -> Response:
        method = req.method
        if not seg:
            if method != "GET":
                raise GraphError(
                    403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation."
                )
            self._need(record, GROUP_READ)
            flt = self._filter(req, {"displayName", "id", "mailNickname"}, "group")
            items = [
                g.to_api()
                for g in self.groups.values()
                if flt is None or str(g.to_api().get(flt[0], "")).lower() == flt[1].lower()
            ]
            return self._collection("groups", items)
        group = self.groups.get(seg[0])
        if group is None:
            raise self._missing(seg[0])
        if len(seg) == 1 and method == "GET":
            self._need(record, GROUP_READ)
            out = {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#groups/$entity", **group.to_api()}
            return Response.json(200, out, content_type=GRAPH_CT)
        if len(seg) == 2 and seg[1] == "members" and method == "GET":
            self._need(record, GROUP_READ)
            members = []
            for oid in group.members:
                obj = self.sps.get(oid) or self.groups.get(oid)
                if obj is not None:
                    kind = "servicePrincipal" if isinstance(obj, ServicePrincipal) else "group"
                    members.append({"@odata.type": f"#microsoft.graph.{kind}", **obj.to_api()})
            return self._collection("directoryObjects", members)
        if len(seg) == 3 and seg[1:] == ["members", "$ref"] and method == "POST":
            self._need(record, GROUP_WRITE)
            ref = str(self._body(req).get("@odata.id") or "")
            member_id = ref.rstrip("/").rsplit("/", 1)[-1]
            if not ref or (member_id not in self.sps and member_id not in self.groups):
                raise self._missing(member_id or ref)
            if member_id in group.members:
                raise GraphError(
                    400,
                    "Request_BadRequest",
                    "One or more added object references already exist for the following modified properties: "
                    "'members'.",
                )
            group.members.append(member_id)
            return Response.empty()
        if len(seg) == 4 and seg[1] == "members" and seg[3] == "$ref" and method == "DELETE":
            self._need(record, GROUP_WRITE)
            if seg[2] not in group.members:
                raise self._missing(seg[2])
            group.members.remove(seg[2])
            return Response.empty()
        raise GraphError(400, "BadRequest", f"Resource not found for the segment '{seg[-1]}'.")

    def _soft_delete(self, object_id: str) -> None:
        now = utcnow()
        if object_id in self.apps:
            app = self.apps.pop(object_id)
            app.deleted = now
            self.deleted[object_id] = app
            # deleting an application also deletes its service principal in the home tenant
            sp = self._sp_for_app(app.app_id)
            if sp is not None:
                self._soft_delete(sp.object_id)
        elif object_id in self.sps:
            sp = self.sps.pop(object_id)
            sp.deleted = now
            self.deleted[object_id] = sp
            for group in self.groups.values():
                if object_id in group.members:
                    group.members.remove(object_id)
        elif object_id in self.groups:
            del self.groups[object_id]

    # --- ARM ---------------------------------------------------------------------------------------

    def _arm(self, req: Request, request_id: str) -> Response:
        record = self._bearer(req, ARM_AUDIENCES)
        if record is None:
            token = req.bearer()
            if not token:
                raise ArmError(
                    401,
                    "AuthenticationFailed",
                    "Authentication failed. The 'Authorization' header is missing.",
                )
            raw = self._decode(token)
            if raw is not None and raw.audience not in ARM_AUDIENCES:
                raise ArmError(
                    401,
                    "InvalidAuthenticationTokenAudience",
                    "The access token has been obtained for wrong audience or resource "
                    f"'{raw.audience}'. It should exactly match with one of the allowed audiences "
                    "'https://management.core.windows.net/','https://management.core.windows.net',"
                    "'https://management.azure.com/','https://management.azure.com'.",
                )
            raise ArmError(401, "InvalidAuthenticationToken", "The access token is invalid.")
        version = req.arg("api-version")
        if not version:
            raise ArmError(
                400,
                "MissingApiVersionParameter",
                "The api-version query parameter (?api-version=) is required for all requests.",
            )
        path = re.sub(r"/+", "/", req.path).rstrip("/")
        m = re.match(
            r"^(?P<scope>.*?)/providers/Microsoft\.Authorization/(?P<kind>roleDefinitions|roleAssignments)"
            r"(?:/(?P<name>[^/]+))?$",
            path,
            re.IGNORECASE,
        )
        if m:
            if version not in API_VERSIONS:
                raise ArmError(
                    400,
                    "InvalidApiVersionParameter",
                    f"The api-version '{version}' is invalid. The supported versions are '"
                    + ",".join(sorted(API_VERSIONS))
                    + "'.",
                )
            scope, kind, name = m.group("scope"), m.group("kind").lower(), m.group("name")
            self._check_scope(scope)
            if kind == "roledefinitions":
                return self._role_definitions(req, record, scope, name)
            return self._role_assignments(req, record, scope, name, request_id)
        m = re.match(r"^/subscriptions/([^/]+)$", path, re.IGNORECASE)
        if m and req.method == "GET":
            self._check_scope(path)
            return Response.json(
                200,
                {
                    "id": f"/subscriptions/{self.subscription_id}",
                    "authorizationSource": "RoleBased",
                    "subscriptionId": self.subscription_id,
                    "tenantId": self.tenant_id,
                    "displayName": "vaultops lab",
                    "state": "Enabled",
                    "subscriptionPolicies": {"spendingLimit": "Off", "quotaId": "PayAsYouGo_2014-09-01"},
                },
            )
        m = re.match(r"^/subscriptions/([^/]+)/resourceGroups/([^/]+)$", path, re.IGNORECASE)
        if m and req.method == "GET":
            self._check_scope(path)
            self._authorize(record, "Microsoft.Resources/subscriptions/resourceGroups/read", path)
            rg = self.resource_groups[m.group(2).lower()]
            return Response.json(
                200,
                {
                    "id": f"/subscriptions/{self.subscription_id}/resourceGroups/{rg}",
                    "name": rg,
                    "type": "Microsoft.Resources/resourceGroups",
                    "location": "westeurope",
                    "properties": {"provisioningState": "Succeeded"},
                },
            )
        raise ArmError(404, "ResourceNotFound", f"The resource '{path}' was not found.")

    def _check_scope(self, scope: str) -> None:
        if scope in ("", "/"):
            return
        m = re.match(r"^/subscriptions/([^/]+)(?:/resourceGroups/([^/]+))?(?:/.*)?$", scope, re.IGNORECASE)
        if not m:
            raise ArmError(400, "InvalidScope", f"The scope '{scope}' is not valid.")
        if m.group(1).lower() != self.subscription_id:
            raise ArmError(404, "SubscriptionNotFound", f"The subscription '{m.group(1)}' could not be found.")
        if m.group(2) and m.group(2).lower() not in self.resource_groups:
            raise ArmError(404, "ResourceGroupNotFound", f"Resource group '{m.group(2)}' could not be found.")

    def _role_definition_id(self, scope: str, guid: str) -> str:
        m = re.match(r"^/subscriptions/([^/]+)", scope, re.IGNORECASE)
        prefix = f"/subscriptions/{self.subscription_id}" if m else ""
        return f"{prefix}/providers/Microsoft.Authorization/roleDefinitions/{guid}"

    def _role_definition(self, scope: str, role: dict[str, t.Any]) -> dict[str, t.Any]:
        return {
            "properties": {
                "roleName": role["roleName"],
                "type": "BuiltInRole",
                "description": role["description"],
                "assignableScopes": ["/"],
                "permissions": [
                    {
                        "actions": role["actions"],
                        "notActions": role["notActions"],
                        "dataActions": [],
                        "notDataActions": [],
                    }
                ],
                "createdOn": "2015-02-02T21:55:09.8806423Z",
                "updatedOn": "2024-01-01T00:00:00.0000000Z",
                "createdBy": None,
                "updatedBy": None,
            },
            "id": self._role_definition_id(scope, role["guid"]),
            "type": "Microsoft.Authorization/roleDefinitions",
            "name": role["guid"],
        }

    def _role_definitions(self, req: Request, record: Token, scope: str, name: str | None) -> Response:
        if req.method != "GET":
            raise ArmError(
                403,
                "AuthorizationFailed",
                self._denied_text(record, "Microsoft.Authorization/roleDefinitions/write", scope),
            )
        self._authorize(record, "Microsoft.Authorization/roleDefinitions/read", scope or "/")
        if name is not None:
            role = next((r for r in BUILTIN_ROLES if r["guid"] == name.lower()), None)
            if role is None:
                raise ArmError(
                    404, "RoleDefinitionDoesNotExist", f"The specified role definition with ID '{name}' does not exist."
                )
            return Response.json(200, self._role_definition(scope, role))
        roles = BUILTIN_ROLES
        expr = req.arg("$filter")
        if expr:
            m = FILTER_RE.match(expr)
            if m and m.group(1) == "roleName":
                wanted = m.group(2).replace("''", "'").lower()
                roles = [r for r in roles if r["roleName"].lower() == wanted]
            elif m and m.group(1) == "type":
                wanted = m.group(2).lower()
                roles = roles if wanted == "builtinrole" else []
            else:
                raise ArmError(400, "UnsupportedQuery", f"The filter '{expr}' is not supported.")
        return Response.json(200, {"value": [self._role_definition(scope, r) for r in roles]})

    def _denied_text(self, record: Token, action: str, scope: str) -> str:
        return (
            f"The client '{record.app_id}' with object id '{record.principal_id}' does not have authorization to "
            f"perform action '{action}' over scope '{scope or '/'}' or the scope is invalid. If access was recently "
            "granted, please refresh your credentials."
        )

    def _principal_ids(self, principal_id: str) -> set[str]:
        ids = {principal_id}
        ids.update(g.object_id for g in self.groups.values() if principal_id in g.members)
        return ids

    def _authorize(self, record: Token, action: str, scope: str) -> None:
        ids = self._principal_ids(record.principal_id)
        target = scope.lower().rstrip("/")
        for ra in self.role_assignments.values():
            props = ra["properties"]
            if props["principalId"] not in ids:
                continue
            ra_scope = props["scope"].lower().rstrip("/")
            if ra_scope and target != ra_scope and not target.startswith(ra_scope + "/"):
                continue
            guid = props["roleDefinitionId"].rsplit("/", 1)[-1].lower()
            role = next((r for r in BUILTIN_ROLES if r["guid"] == guid), None)
            if role is None:
                continue
            allowed = any(fnmatch.fnmatchcase(action.lower(), a.lower()) for a in role["actions"])
            excluded = any(fnmatch.fnmatchcase(action.lower(), a.lower()) for a in role["notActions"])
            if allowed and not excluded:
                return
        raise ArmError(403, "AuthorizationFailed", self._denied_text(record, action, scope))

    def _add_assignment(
        self, scope: str, name: str, role_guid: str, principal_id: str, caller: str
    ) -> dict[str, t.Any]:
        now = rfc3339(utcnow(), fraction=True)
        assignment_id = f"{scope}/providers/Microsoft.Authorization/roleAssignments/{name}"
        ra = {
            "properties": {
                "roleDefinitionId": self._role_definition_id(scope, role_guid),
                "principalId": principal_id,
                "principalType": "Group" if principal_id in self.groups else "ServicePrincipal",
                "scope": scope,
                "condition": None,
                "conditionVersion": None,
                "createdOn": now,
                "updatedOn": now,
                "createdBy": caller,
                "updatedBy": caller,
                "delegatedManagedIdentityResourceId": None,
                "description": None,
            },
            "id": assignment_id,
            "type": "Microsoft.Authorization/roleAssignments",
            "name": name,
        }
        self.role_assignments[assignment_id.lower()] = ra
        return ra

    def _role_assignments(self, req: Request, record: Token, scope: str, name: str | None, request_id: str) -> Response:
        method = req.method
        if name is None:
            if method != "GET":
                raise ArmError(405, "MethodNotAllowed", "The requested method is not allowed.")
            self._authorize(record, "Microsoft.Authorization/roleAssignments/read", scope or "/")
            items = [
                copy.deepcopy(ra)
                for ra in self.role_assignments.values()
                if ra["properties"]["scope"].lower().startswith(scope.lower())
            ]
            expr = req.arg("$filter")
            if expr:
                m = re.match(r"^\s*principalId\s+eq\s+'([^']*)'\s*$", expr)
                if m:
                    items = [ra for ra in items if ra["properties"]["principalId"] == m.group(1)]
                elif expr.strip() not in ("atScope()", "atScope() and assignedTo('')"):
                    raise ArmError(400, "UnsupportedQuery", f"The filter '{expr}' is not supported.")
            return Response.json(200, {"value": items})
        key = f"{scope}/providers/Microsoft.Authorization/roleAssignments/{name}".lower()
        headers = {"x-ms-request-id": request_id}
        if method == "GET":
            self._authorize(record, "Microsoft.Authorization/roleAssignments/read", scope or "/")
            ra = self.role_assignments.get(key)
            if ra is None:
                raise ArmError(404, "RoleAssignmentNotFound", f"The role assignment '{name}' is not found.")
            return Response.json(200, ra, headers=headers)
        if method == "DELETE":
            self._authorize(record, "Microsoft.Authorization/roleAssignments/delete", scope or "/")
            ra = self.role_assignments.pop(key, None)
            if ra is None:
                return Response.empty(204, headers)
            return Response.json(200, ra, headers=headers)
        if method != "PUT":
            raise ArmError(405, "MethodNotAllowed", "The requested method is not allowed.")
        if not scope:
            raise ArmError(
                400, "InvalidScope", "Role assignments need a subscription, resource group or resource scope."
            )
        self._authorize(record, "Microsoft.Authorization/roleAssignments/write", scope)
        if not GUID_RE.match(name):
            raise ArmError(
                400,
                "InvalidRoleAssignmentId",
                f"The role assignment ID '{name}' is not valid. The role assignment ID must be a GUID.",
            )
        body = req.json()
        props = body.get("properties") if isinstance(body, dict) else None
        if not isinstance(props, dict) or not props.get("roleDefinitionId") or not props.get("principalId"):
            raise ArmError(
                400,
                "InvalidRequestContent",
                "The request content was invalid and could not be deserialized: properties.roleDefinitionId and "
                "properties.principalId are required.",
            )
        role_guid = str(props["roleDefinitionId"]).rstrip("/").rsplit("/", 1)[-1].lower()
        if not any(r["guid"] == role_guid for r in BUILTIN_ROLES):
            raise ArmError(
                400,
                "RoleDefinitionDoesNotExist",
                f"The specified role definition with ID '{role_guid}' does not exist.",
            )
        principal = str(props["principalId"])
        if principal not in self.sps and principal not in self.groups:
            raise ArmError(
                400,
                "PrincipalNotFound",
                f"Principal {principal.replace('-', '')} does not exist in the directory {self.tenant_id}. Check that "
                "you have the correct principal ID. If you are creating this principal and then immediately assigning "
                "a role, this error might be related to a replication delay. In this case, set the role assignment "
                "principalType property to a value, such as ServicePrincipal, User, or Group.  See "
                "https://aka.ms/docs-principaltype",
            )
        for ra in self.role_assignments.values():
            existing = ra["properties"]
            same = (
                existing["principalId"] == principal
                and existing["scope"].lower() == scope.lower()
                and existing["roleDefinitionId"].rsplit("/", 1)[-1].lower() == role_guid
            )
            if same or ra["id"].lower() == key:
                raise ArmError(409, "RoleAssignmentExists", "The role assignment already exists.")
        ra = self._add_assignment(scope, name, role_guid, principal, record.principal_id)
        return Response.json(201, ra, headers=headers)

    # --- state -------------------------------------------------------------------------------------

    def snapshot(self) -> dict[str, t.Any]:
        def with_passwords(obj: Application | ServicePrincipal) -> dict[str, t.Any]:
            return obj.to_api()

        return {
            "tenant_id": self.tenant_id,
            "subscription_id": self.subscription_id,
            "applications": [with_passwords(a) for a in self.apps.values()],
            "service_principals": [with_passwords(s) for s in self.sps.values()],
            "groups": [{**g.to_api(), "members": list(g.members)} for g in self.groups.values()],
            "deleted_items": [
                {
                    "@odata.type": "#microsoft.graph."
                    + ("application" if isinstance(o, Application) else "servicePrincipal"),
                    **o.to_api(),
                }
                for o in self.deleted.values()
            ],
            "role_definitions": [
                self._role_definition(f"/subscriptions/{self.subscription_id}", r) for r in BUILTIN_ROLES
            ],
            "role_assignments": [copy.deepcopy(ra) for ra in self.role_assignments.values()],
        }


def _parse_time(value: t.Any) -> dt.datetime | None:
    if value in (None, ""):
        return None
    return parse_rfc3339(str(value))
