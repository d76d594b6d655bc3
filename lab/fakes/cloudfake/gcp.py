"""Google Cloud: OAuth2 (JWT bearer grant, tokeninfo), IAM v1, IAM Credentials v1, Resource Manager v1/v3 IAM.

What the GCP secrets engine sends and parses (google.golang.org/api iam/v1, golang.org/x/oauth2 jwt,
google.golang.org/api/impersonate, and the engine's iamutil REST calls):

* ``POST {token_uri}`` form ``grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=JWT`` (RS256,
  ``kid`` = private_key_id, ``iss`` = client_email, ``aud`` = token_uri) -> ``{access_token, token_type, expires_in}``
* ``POST iam.googleapis.com/v1/projects/P/serviceAccounts`` ``{accountId, serviceAccount: {displayName}}``
* ``GET|DELETE iam.googleapis.com/v1/projects/P/serviceAccounts/EMAIL`` (``P`` may be ``-``)
* ``POST .../serviceAccounts/EMAIL/keys`` ``{privateKeyType, keyAlgorithm}`` -> key with ``privateKeyData``
* ``GET .../keys?keyTypes=USER_MANAGED``, ``GET|DELETE .../keys/KEYID``
* ``POST iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/EMAIL:generateAccessToken``
* ``POST cloudresourcemanager.googleapis.com/v3/projects/P:getIamPolicy`` ``{"options": {"requestedPolicyVersion": 3}}``
  and ``:setIamPolicy`` ``{"policy": {...}}`` (v1 and v1beta1 too); any other ``*.googleapis.com`` resource's
  ``:getIamPolicy`` / ``:setIamPolicy`` keeps a policy of its own.

Errors are Google's JSON error envelope ``{"error": {"code", "message", "status"}}``; OAuth errors are
``{"error", "error_description"}``.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import fnmatch
import json
import re
import secrets
import time
import typing as t
import urllib.parse
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12

from .core import Propagation, Request, Response, TokenSigner, b64url_decode, random_digits, rfc3339, utcnow
from .pki import load_rsa_key, new_rsa_key, pem_private_key, self_signed_cert

PROJECT_ID = "vaultops-lab"
ROOT_ACCOUNT = "vault-root"
STATIC_ACCOUNT = "vaultops-static"
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
TOKEN_LIFETIME = 3600
MAX_KEYS_PER_ACCOUNT = 10
MAX_ACCESS_TOKEN_LIFETIME = 3600
ACCOUNT_ID_RE = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])$")
OWN_HOSTS = {
    "iam.googleapis.com",
    "iamcredentials.googleapis.com",
    "cloudresourcemanager.googleapis.com",
    "oauth2.googleapis.com",
    "www.googleapis.com",
    "accounts.google.com",
}
# permissions of the predefined roles this fake knows; fnmatch patterns. Owner lacks token creation,
# as in GCP, where even an owner needs Service Account Token Creator to impersonate.
_TOKEN_PERMS = (
    "iam.serviceAccounts.getAccessToken",
    "iam.serviceAccounts.getOpenIdToken",
    "iam.serviceAccounts.signBlob",
    "iam.serviceAccounts.signJwt",
    "iam.serviceAccounts.implicitDelegation",
)
_READ_PERMS = (
    "iam.serviceAccounts.get",
    "iam.serviceAccounts.list",
    "iam.serviceAccountKeys.get",
    "iam.serviceAccountKeys.list",
    "iam.serviceAccounts.getIamPolicy",
    "resourcemanager.projects.get",
    "resourcemanager.projects.getIamPolicy",
    "*.get",
    "*.list",
    "*.getIamPolicy",
)
ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "roles/owner": ("*",),
    "roles/editor": (
        *_READ_PERMS,
        "iam.serviceAccounts.create",
        "iam.serviceAccounts.delete",
        "iam.serviceAccounts.update",
        "iam.serviceAccounts.disable",
        "iam.serviceAccounts.enable",
        "iam.serviceAccounts.actAs",
        "iam.serviceAccountKeys.*",
    ),
    "roles/viewer": _READ_PERMS,
    "roles/browser": ("resourcemanager.projects.get",),
    "roles/iam.serviceAccountAdmin": (
        "iam.serviceAccounts.create",
        "iam.serviceAccounts.delete",
        "iam.serviceAccounts.get",
        "iam.serviceAccounts.list",
        "iam.serviceAccounts.update",
        "iam.serviceAccounts.disable",
        "iam.serviceAccounts.enable",
        "iam.serviceAccounts.getIamPolicy",
        "iam.serviceAccounts.setIamPolicy",
        "resourcemanager.projects.get",
    ),
    "roles/iam.serviceAccountKeyAdmin": (
        "iam.serviceAccountKeys.*",
        "iam.serviceAccounts.get",
        "iam.serviceAccounts.list",
        "resourcemanager.projects.get",
    ),
    "roles/iam.serviceAccountTokenCreator": (*_TOKEN_PERMS, "iam.serviceAccounts.get", "iam.serviceAccounts.list"),
    "roles/iam.serviceAccountUser": (
        "iam.serviceAccounts.actAs",
        "iam.serviceAccounts.get",
        "iam.serviceAccounts.list",
    ),
    "roles/resourcemanager.projectIamAdmin": (
        "resourcemanager.projects.get",
        "resourcemanager.projects.getIamPolicy",
        "resourcemanager.projects.setIamPolicy",
    ),
    "roles/iam.securityAdmin": (*_READ_PERMS, "*.setIamPolicy"),
    "roles/iam.securityReviewer": ("*.getIamPolicy", "*.list", "*.get"),
}
ROLE_EXCLUDED: dict[str, tuple[str, ...]] = {"roles/owner": _TOKEN_PERMS}
MEMBER_PREFIXES = (
    "user:",
    "serviceAccount:",
    "group:",
    "domain:",
    "deleted:",
    "principal:",
    "principalSet:",
    "projectOwner:",
    "projectEditor:",
    "projectViewer:",
)


class GoogleError(Exception):
    def __init__(self, code: int, status: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.status = status
        self.message = message

    def response(self) -> Response:
        return Response.json(
            self.code,
            {"error": {"code": self.code, "message": self.message, "status": self.status}},
            headers={"Vary": "Origin, X-Origin, Referer"},
        )


class OAuthError(Exception):
    def __init__(self, code: int, error: str, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.error = error
        self.description = description

    def response(self) -> Response:
        return Response.json(self.code, {"error": self.error, "error_description": self.description})


def not_found(message: str) -> GoogleError:
    return GoogleError(404, "NOT_FOUND", message)


def invalid(message: str) -> GoogleError:
    return GoogleError(400, "INVALID_ARGUMENT", message)


def denied(permission: str, resource: str) -> GoogleError:
    return GoogleError(
        403, "PERMISSION_DENIED", f"Permission '{permission}' denied on resource '{resource}' (or it may not exist)."
    )


def new_etag() -> str:
    return base64.b64encode(secrets.token_bytes(8)).decode()


@dataclass
class ServiceAccount:
    project: str
    account_id: str
    unique_id: str
    display_name: str = ""
    description: str = ""
    disabled: bool = False
    etag: str = field(default_factory=new_etag)

    @property
    def email(self) -> str:
        return f"{self.account_id}@{self.project}.iam.gserviceaccount.com"

    @property
    def name(self) -> str:
        return f"projects/{self.project}/serviceAccounts/{self.email}"

    def to_api(self, project_number: str) -> dict[str, t.Any]:
        out: dict[str, t.Any] = {
            "name": self.name,
            "projectId": self.project,
            "uniqueId": self.unique_id,
            "email": self.email,
            "etag": self.etag,
            "oauth2ClientId": self.unique_id,
        }
        if self.display_name:
            out["displayName"] = self.display_name
        if self.description:
            out["description"] = self.description
        if self.disabled:
            out["disabled"] = True
        return out


@dataclass
class ServiceAccountKey:
    email: str
    project: str
    key_id: str
    public_key: rsa.RSAPublicKey
    cert_pem: str
    algorithm: str = "KEY_ALG_RSA_2048"
    private_key_type: str = "TYPE_GOOGLE_CREDENTIALS_FILE"
    created: dt.datetime = field(default_factory=utcnow)
    key_type: str = "USER_MANAGED"
    disabled: bool = False
    born: float = field(default_factory=time.time)  # when it was made (the propagation delay counts from here)

    @property
    def name(self) -> str:
        return f"projects/{self.project}/serviceAccounts/{self.email}/keys/{self.key_id}"

    def to_api(self, *, public_key_type: str | None = None) -> dict[str, t.Any]:
        out: dict[str, t.Any] = {
            "name": self.name,
            "validAfterTime": rfc3339(self.created),
            "validBeforeTime": "9999-12-31T23:59:59Z",
            "keyAlgorithm": self.algorithm,
            "keyOrigin": "GOOGLE_PROVIDED",
            "keyType": self.key_type,
        }
        if self.disabled:
            out["disabled"] = True
        if public_key_type == "TYPE_X509_PEM_FILE":
            out["publicKeyData"] = base64.b64encode(self.cert_pem.encode()).decode()
        elif public_key_type == "TYPE_RAW_PUBLIC_KEY":
            raw = self.public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
            out["publicKeyData"] = base64.b64encode(raw).decode()
        return out


@dataclass
class AccessToken:
    email: str
    scopes: list[str]
    expires: float
    via: str  # "jwt-bearer" or "generateAccessToken"


class GcpFake:
    name = "gcp"
    propagation = Propagation()  # the FakeCloud sets the shared one

    def __init__(self, token_uri: str, signer: TokenSigner) -> None:
        self.token_uri = token_uri
        self.signer = signer
        self.project_id = PROJECT_ID
        self.project_number = random_digits(12)
        self.accounts: dict[str, ServiceAccount] = {}  # email -> account
        self.keys: dict[str, ServiceAccountKey] = {}  # key id -> key
        self.policies: dict[str, dict[str, t.Any]] = {}  # "host/resource" -> policy
        self.tokens: dict[str, AccessToken] = {}
        self.root_email = f"{ROOT_ACCOUNT}@{PROJECT_ID}.iam.gserviceaccount.com"
        self.static_email = f"{STATIC_ACCOUNT}@{PROJECT_ID}.iam.gserviceaccount.com"

    # --- seeding ---------------------------------------------------------------------------------

    def seed(self, root_credentials: dict[str, t.Any] | None) -> dict[str, t.Any]:
        """Create the project, the engine's root account (with the given or a new key) and a static account.

        Returns the root account's key file (credentials JSON).
        """
        root = self._new_account(ROOT_ACCOUNT, "vaultops lab: the secrets engine's own account")
        self._new_account(STATIC_ACCOUNT, "vaultops lab: an existing account for static/impersonated use")
        creds = None
        if root_credentials and root_credentials.get("client_email") == root.email:
            try:
                private = load_rsa_key(root_credentials["private_key"])
                key_id = str(root_credentials["private_key_id"])
                creds = self._credentials_json(root, key_id, private)
                self._store_key(root, key_id, private, "KEY_ALG_RSA_2048", "TYPE_GOOGLE_CREDENTIALS_FILE")
            except (KeyError, ValueError, TypeError):
                creds = None
        if creds is None:
            creds, _ = self._create_key(root, "KEY_ALG_RSA_2048", "TYPE_GOOGLE_CREDENTIALS_FILE")
        root_member = f"serviceAccount:{root.email}"
        self.policies[self._project_policy_key()] = {
            "version": 1,
            "etag": new_etag(),
            "bindings": [
                {"role": "roles/owner", "members": [root_member]},
                {"role": "roles/iam.serviceAccountTokenCreator", "members": [root_member]},
            ],
        }
        return creds

    def _new_account(self, account_id: str, display_name: str, description: str = "") -> ServiceAccount:
        account = ServiceAccount(self.project_id, account_id, random_digits(21), display_name, description)
        self.accounts[account.email] = account
        return account

    def _credentials_json(self, account: ServiceAccount, key_id: str, private: rsa.RSAPrivateKey) -> dict[str, t.Any]:
        return {
            "type": "service_account",
            "project_id": account.project,
            "private_key_id": key_id,
            "private_key": pem_private_key(private),
            "client_email": account.email,
            "client_id": account.unique_id,
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": self.token_uri,
            "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
            "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/"
            + urllib.parse.quote(account.email),
            "universe_domain": "googleapis.com",
        }

    def _store_key(
        self, account: ServiceAccount, key_id: str, private: rsa.RSAPrivateKey, algorithm: str, key_type: str
    ) -> ServiceAccountKey:
        cert = self_signed_cert(private, account.unique_id)
        key = ServiceAccountKey(
            email=account.email,
            project=account.project,
            key_id=key_id,
            public_key=private.public_key(),
            cert_pem=cert.public_bytes(serialization.Encoding.PEM).decode(),
            algorithm=algorithm,
            private_key_type=key_type,
        )
        self.keys[key_id] = key
        return key

    def _create_key(self, account: ServiceAccount, algorithm: str, key_type: str) -> tuple[t.Any, ServiceAccountKey]:
        bits = {"KEY_ALG_RSA_2048": 2048, "KEY_ALG_RSA_1024": 1024}[algorithm]
        private = new_rsa_key(bits)
        key_id = secrets.token_hex(20)
        key = self._store_key(account, key_id, private, algorithm, key_type)
        if key_type == "TYPE_PKCS12_FILE":
            cert = self_signed_cert(private, account.unique_id)
            data: t.Any = pkcs12.serialize_key_and_certificates(
                b"privatekey",
                private,
                cert,
                None,
                serialization.BestAvailableEncryption(b"notasecret"),
            )
            return data, key
        return self._credentials_json(account, key_id, private), key

    # --- routing -----------------------------------------------------------------------------------

    def owns(self, host: str) -> bool:
        return host in OWN_HOSTS or host.endswith(".googleapis.com")

    def handle(self, req: Request) -> Response:
        try:
            return self._route(req)
        except GoogleError as err:
            return err.response()
        except OAuthError as err:
            return err.response()

    def handle_local(self, req: Request, sub_path: str) -> Response | None:
        """Plain-HTTP routes on the fake itself: ``/gcp/token`` and ``/gcp/tokeninfo``."""
        try:
            if sub_path == "/token" and req.method == "POST":
                return self._token(req)
            if sub_path == "/tokeninfo" and req.method in ("GET", "POST"):
                return self._tokeninfo(req, "v3")
        except OAuthError as err:
            return err.response()
        return None

    def _route(self, req: Request) -> Response:  # noqa: PLR0911 - a router
        host, path, method = req.host, req.path, req.method
        if host == "oauth2.googleapis.com" or (host == "www.googleapis.com" and path.startswith("/oauth2/")):
            if path in ("/token", "/oauth2/v4/token") and method == "POST":
                return self._token(req)
            if path in {"/tokeninfo", "/oauth2/v3/tokeninfo"}:
                return self._tokeninfo(req, "v3")
            if path in ("/oauth2/v1/tokeninfo", "/oauth2/v2/tokeninfo"):
                return self._tokeninfo(req, "v2")
            raise not_found(f"The requested URL {path} was not found on this server.")
        if host == "accounts.google.com" and path == "/o/oauth2/token" and method == "POST":
            return self._token(req)
        caller = self._caller(req)
        if host == "iam.googleapis.com":
            return self._iam(req, caller)
        if host == "iamcredentials.googleapis.com":
            return self._iamcredentials(req, caller)
        if host == "cloudresourcemanager.googleapis.com":
            return self._resourcemanager(req, caller)
        # any other service's resource IAM: "v1/{resource}:getIamPolicy" (POST), compute's
        # ".../{resource}/getIamPolicy" (GET) and ".../setIamPolicy" (POST), storage's "b/{bucket}/iam" (GET/PUT)
        service = host.split(".", 1)[0]
        match = re.match(r"^/(?:[a-z]+/)?v[^/]*/(.+?)(?::|/)(getIamPolicy|setIamPolicy)$", path)
        verb = match.group(2) if match else None
        allowed = {"getIamPolicy": ("GET", "POST"), "setIamPolicy": ("POST",)}
        if match is None:
            match = re.match(r"^/storage/v1/(b/[^/]+)/iam$", path)
            verb = {"GET": "getIamPolicy", "PUT": "setIamPolicy"}.get(method) if match else None
            allowed = {"getIamPolicy": ("GET",), "setIamPolicy": ("PUT",)}
        if match and verb and method in allowed[verb]:
            resource = match.group(1)
            return self._policy_call(
                req, caller, key=f"{host}/{resource}", resource=resource, service=service, verb=verb
            )
        raise not_found(f"The requested URL {path} was not found on this server.")

    # --- OAuth2 -------------------------------------------------------------------------------------

    def _token(self, req: Request) -> Response:
        form = req.form()
        grant = form.get("grant_type", "")
        if grant != JWT_GRANT:
            raise OAuthError(400, "unsupported_grant_type", f"Invalid grant_type: {grant}")
        assertion = form.get("assertion", "")
        try:
            head_b64, claims_b64, sig_b64 = assertion.split(".")
            header = json.loads(b64url_decode(head_b64))
            claims = json.loads(b64url_decode(claims_b64))
            signature = b64url_decode(sig_b64)
        except ValueError as exc:
            raise OAuthError(400, "invalid_grant", "Invalid JWT: Failed to parse the JWT.") from exc
        if header.get("alg") != "RS256":
            raise OAuthError(400, "invalid_grant", "Invalid JWT Signature.")
        key = self.keys.get(str(header.get("kid", "")))
        if key is None or key.disabled or self.propagation.pending(key.born):
            raise OAuthError(400, "invalid_grant", "Invalid JWT Signature.")
        try:
            key.public_key.verify(signature, f"{head_b64}.{claims_b64}".encode(), padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature as exc:
            raise OAuthError(400, "invalid_grant", "Invalid JWT Signature.") from exc
        account = self.accounts.get(key.email)
        if account is None or claims.get("iss") != key.email:
            raise OAuthError(400, "invalid_grant", "Invalid grant: account not found")
        if account.disabled:
            raise OAuthError(400, "invalid_grant", "Invalid grant: account disabled")
        audiences = {
            self.token_uri,
            "https://oauth2.googleapis.com/token",
            "https://www.googleapis.com/oauth2/v4/token",
            "https://accounts.google.com/o/oauth2/token",
        }
        if claims.get("aud") not in audiences:
            raise OAuthError(400, "invalid_grant", "Invalid JWT: Failed audience check.")
        now = time.time()
        try:
            iat, exp = float(claims["iat"]), float(claims["exp"])
        except (KeyError, TypeError, ValueError) as exc:
            raise OAuthError(400, "invalid_grant", "Invalid JWT: iat and exp claims are required.") from exc
        if exp < now or iat > now + 300 or exp - iat > 3600:
            raise OAuthError(
                400,
                "invalid_grant",
                "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. "
                "Check your iat and exp values in the JWT claim.",
            )
        scopes = str(claims.get("scope", "")).split()
        if not scopes:
            raise OAuthError(400, "invalid_scope", "Invalid OAuth scope or ID token audience provided.")
        token = self._issue(account.email, scopes, TOKEN_LIFETIME, "jwt-bearer")
        return Response.json(
            200,
            {"access_token": token, "expires_in": TOKEN_LIFETIME - 1, "token_type": "Bearer"},
            headers={"Cache-Control": "no-cache, no-store, max-age=0, must-revalidate", "Pragma": "no-cache"},
        )

    def _issue(self, email: str, scopes: list[str], lifetime: int, via: str) -> str:
        expires = time.time() + lifetime
        claims = {"e": email, "s": scopes, "x": expires, "v": via, "n": secrets.token_hex(8)}
        token = "ya29.c." + self.signer.seal(claims)
        now = time.time()
        if len(self.tokens) > 1000:
            self.tokens = {k: v for k, v in self.tokens.items() if v.expires > now}
        self.tokens[token] = AccessToken(email, scopes, expires, via)
        return token

    def _valid_token(self, token: str | None) -> AccessToken | None:
        if not token or not token.startswith("ya29.c."):
            return None
        claims = self.signer.open(token.removeprefix("ya29.c."))
        if claims is None:
            return None
        try:
            record = AccessToken(str(claims["e"]), [str(s) for s in claims["s"]], float(claims["x"]), str(claims["v"]))
        except (KeyError, TypeError, ValueError):
            return None
        if record.expires < time.time():
            return None
        account = self.accounts.get(record.email)
        if account is None or account.disabled:
            return None
        return record

    def _tokeninfo(self, req: Request, version: str) -> Response:
        token = req.arg("access_token") or req.form().get("access_token") or req.bearer()
        record = self._valid_token(token)
        if record is None:
            raise OAuthError(400, "invalid_token", "Invalid Value")
        account = self.accounts[record.email]
        remaining = max(int(record.expires - time.time()), 0)
        if version == "v2":
            return Response.json(
                200,
                {
                    "issued_to": account.unique_id,
                    "audience": account.unique_id,
                    "scope": " ".join(record.scopes),
                    "expires_in": remaining,
                    "email": account.email,
                    "verified_email": True,
                    "access_type": "online",
                },
            )
        return Response.json(
            200,
            {
                "azp": account.unique_id,
                "aud": account.unique_id,
                "scope": " ".join(record.scopes),
                "exp": str(int(record.expires)),
                "expires_in": str(remaining),
                "email": account.email,
                "email_verified": "true",
                "access_type": "online",
            },
        )

    def _caller(self, req: Request) -> str:
        record = self._valid_token(req.bearer())
        if record is None:
            raise GoogleError(
                401,
                "UNAUTHENTICATED",
                "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or "
                "other valid authentication credential. "
                "See https://developers.google.com/identity/sign-in/web/devconsole-project.",
            )
        return record.email

    # --- authorisation -------------------------------------------------------------------------

    def _project_policy_key(self) -> str:
        return f"cloudresourcemanager.googleapis.com/projects/{self.project_id}"

    def _account_policy_key(self, account: ServiceAccount) -> str:
        return f"iam.googleapis.com/projects/{account.project}/serviceAccounts/{account.email}"

    @staticmethod
    def _role_grants(role: str, permission: str) -> bool:
        patterns = ROLE_PERMISSIONS.get(role, ())
        if permission in ROLE_EXCLUDED.get(role, ()):
            return False
        return any(fnmatch.fnmatchcase(permission, pattern) for pattern in patterns)

    def _allowed(self, email: str, permission: str, account: ServiceAccount | None = None) -> bool:
        member = f"serviceAccount:{email}"
        keys = [self._project_policy_key()]
        if account is not None:
            keys.append(self._account_policy_key(account))
        for key in keys:
            for binding in self.policies.get(key, {}).get("bindings", []):
                if member in binding.get("members", []) and self._role_grants(binding.get("role", ""), permission):
                    return True
        return False

    def _require(self, email: str, permission: str, resource: str, account: ServiceAccount | None = None) -> None:
        if not self._allowed(email, permission, account):
            raise denied(permission, resource)

    # --- IAM v1 ----------------------------------------------------------------------------------

    def _project(self, project: str, permission: str) -> None:
        if project not in ("-", self.project_id, self.project_number):
            raise denied(permission, f"projects/{project}")

    def _account(self, project: str, ident: str) -> ServiceAccount:
        account = self.accounts.get(ident)
        if account is None:
            account = next((a for a in self.accounts.values() if a.unique_id == ident), None)
        if account is None or project not in ("-", account.project, self.project_number):
            raise not_found(f"Service account projects/{project}/serviceAccounts/{ident} does not exist.")
        return account

    def _iam(self, req: Request, caller: str) -> Response:  # noqa: PLR0911 - a router
        path, method = req.path, req.method
        base = r"^/v1/projects/([^/]+)/serviceAccounts"
        if m := re.match(base + r"$", path):
            project = m.group(1)
            if method == "GET":
                self._project(project, "iam.serviceAccounts.list")
                self._require(caller, "iam.serviceAccounts.list", f"projects/{project}")
                accounts = [a.to_api(self.project_number) for a in self.accounts.values()]
                return Response.json(200, {"accounts": accounts} if accounts else {})
            if method == "POST":
                return self._create_account(req, caller, project)
        elif m := re.match(base + r"/([^/:]+)$", path):
            account = self._account(m.group(1), m.group(2))
            if method == "GET":
                self._require(caller, "iam.serviceAccounts.get", account.name, account)
                return Response.json(200, account.to_api(self.project_number))
            if method == "DELETE":
                self._require(caller, "iam.serviceAccounts.delete", account.name, account)
                self._delete_account(account)
                return Response.json(200, {})
            if method == "PATCH":
                self._require(caller, "iam.serviceAccounts.update", account.name, account)
                body = (req.json() or {}).get("serviceAccount") or {}
                account.display_name = body.get("displayName", account.display_name)
                account.description = body.get("description", account.description)
                account.etag = new_etag()
                return Response.json(200, account.to_api(self.project_number))
        elif m := re.match(base + r"/([^/:]+):(getIamPolicy|setIamPolicy|disable|enable)$", path):
            if method != "POST":
                raise not_found(f"The requested URL {path} was not found on this server.")
            account = self._account(m.group(1), m.group(2))
            verb = m.group(3)
            if verb in ("disable", "enable"):
                self._require(caller, f"iam.serviceAccounts.{verb}", account.name, account)
                account.disabled = verb == "disable"
                return Response.json(200, {})
            return self._policy_call(
                req,
                caller,
                key=self._account_policy_key(account),
                resource=account.name,
                service="iam.serviceAccounts",
                verb=verb,
                account=account,
            )
        elif m := re.match(base + r"/([^/:]+)/keys$", path):
            account = self._account(m.group(1), m.group(2))
            if method == "GET":
                self._require(caller, "iam.serviceAccountKeys.list", account.name, account)
                wanted = req.query.get("keyTypes") or []
                keys = [
                    k.to_api()
                    for k in self.keys.values()
                    if k.email == account.email and (not wanted or k.key_type in wanted)
                ]
                return Response.json(200, {"keys": keys} if keys else {})
            if method == "POST":
                return self._create_key_call(req, caller, account)
        elif m := re.match(base + r"/([^/:]+)/keys/([^/:]+)$", path):
            account = self._account(m.group(1), m.group(2))
            key = self.keys.get(m.group(3))
            if key is None or key.email != account.email:
                raise not_found(f"Key {path.removeprefix('/v1/')} does not exist.")
            if method == "GET":
                self._require(caller, "iam.serviceAccountKeys.get", key.name, account)
                return Response.json(200, key.to_api(public_key_type=req.arg("publicKeyType")))
            if method == "DELETE":
                self._require(caller, "iam.serviceAccountKeys.delete", key.name, account)
                del self.keys[key.key_id]
                return Response.json(200, {})
        elif m := re.match(r"^/v1/(projects/[^/]+/roles|roles)(/[^/]+)?$", path):
            raise not_found("Role listing is not part of this fake.")
        raise not_found(f"The requested URL {path} was not found on this server.")

    def _create_account(self, req: Request, caller: str, project: str) -> Response:
        self._project(project, "iam.serviceAccounts.create")
        self._require(caller, "iam.serviceAccounts.create", f"projects/{project}")
        body = req.json()
        if not isinstance(body, dict):
            raise invalid("Invalid JSON payload received.")
        account_id = str(body.get("accountId") or "")
        if not (6 <= len(account_id) <= 30) or not ACCOUNT_ID_RE.match(account_id):
            raise invalid(
                f"Invalid value for field 'accountId': '{account_id}'. "
                "Must match regex [a-z]([-a-z0-9]*[a-z0-9]) and be 6 to 30 characters long."
            )
        details = body.get("serviceAccount") or {}
        email = f"{account_id}@{self.project_id}.iam.gserviceaccount.com"
        if email in self.accounts:
            raise GoogleError(
                409,
                "ALREADY_EXISTS",
                f"Service account {account_id} already exists within project projects/{self.project_id}.",
            )
        display = str(details.get("displayName") or "")
        if len(display) > 100:
            raise invalid("Display name must be at most 100 characters.")
        account = self._new_account(account_id, display, str(details.get("description") or ""))
        return Response.json(200, account.to_api(self.project_number))

    def _delete_account(self, account: ServiceAccount) -> None:
        del self.accounts[account.email]
        for key_id in [k for k, v in self.keys.items() if v.email == account.email]:
            del self.keys[key_id]
        self.policies.pop(self._account_policy_key(account), None)
        # as in GCP, bindings keep a deleted account, marked so, until someone removes them
        member = f"serviceAccount:{account.email}"
        deleted = f"deleted:serviceAccount:{account.email}?uid={account.unique_id}"
        for policy in self.policies.values():
            for binding in policy.get("bindings", []):
                binding["members"] = [deleted if m == member else m for m in binding.get("members", [])]

    def _create_key_call(self, req: Request, caller: str, account: ServiceAccount) -> Response:
        self._require(caller, "iam.serviceAccountKeys.create", account.name, account)
        body = req.json() or {}
        algorithm = body.get("keyAlgorithm") or "KEY_ALG_RSA_2048"
        key_type = body.get("privateKeyType") or "TYPE_GOOGLE_CREDENTIALS_FILE"
        if algorithm not in ("KEY_ALG_RSA_2048", "KEY_ALG_RSA_1024"):
            raise invalid(f"Invalid value at 'key_algorithm' ({algorithm}).")
        if key_type not in ("TYPE_GOOGLE_CREDENTIALS_FILE", "TYPE_PKCS12_FILE"):
            raise invalid(f"Invalid value at 'private_key_type' ({key_type}).")
        if sum(1 for k in self.keys.values() if k.email == account.email) >= MAX_KEYS_PER_ACCOUNT:
            raise GoogleError(400, "FAILED_PRECONDITION", "Precondition check failed.")
        data, key = self._create_key(account, algorithm, key_type)
        raw = data if isinstance(data, bytes) else json.dumps(data, indent=2).encode()
        out = key.to_api()
        out["privateKeyType"] = key_type
        out["privateKeyData"] = base64.b64encode(raw).decode()
        return Response.json(200, out)

    # --- IAM Credentials v1 -----------------------------------------------------------------------

    def _iamcredentials(self, req: Request, caller: str) -> Response:
        m = re.match(r"^/v1/projects/([^/]+)/serviceAccounts/([^/:]+):generateAccessToken$", req.path)
        if not m or req.method != "POST":
            raise not_found(f"The requested URL {req.path} was not found on this server.")
        try:
            account = self._account(m.group(1), m.group(2))
        except GoogleError as exc:
            raise not_found("Requested entity was not found.") from exc
        self._require(caller, "iam.serviceAccounts.getAccessToken", account.name, account)
        body = req.json() or {}
        scopes = body.get("scope") or []
        if not isinstance(scopes, list) or not scopes:
            raise invalid("Scope is required.")
        lifetime_text = str(body.get("lifetime") or "3600s")
        try:
            lifetime = int(float(lifetime_text.removesuffix("s")))
        except ValueError as exc:
            raise invalid(f"Invalid value at 'lifetime' ({lifetime_text}).") from exc
        if not 1 <= lifetime <= MAX_ACCESS_TOKEN_LIFETIME:
            raise invalid(
                f"The lifetime {lifetime_text} is out of range: it must be between 1s and {MAX_ACCESS_TOKEN_LIFETIME}s "
                "unless the organization policy constraints/iam.allowServiceAccountCredentialLifetimeExtension allows "
                "more."
            )
        if account.disabled:
            raise GoogleError(400, "FAILED_PRECONDITION", "Service account is disabled.")
        token = self._issue(account.email, [str(s) for s in scopes], lifetime, "generateAccessToken")
        expires = utcnow() + dt.timedelta(seconds=lifetime)
        return Response.json(200, {"accessToken": token, "expireTime": rfc3339(expires)})

    # --- Resource Manager ------------------------------------------------------------------------

    def _resourcemanager(self, req: Request, caller: str) -> Response:
        path = req.path
        m = re.match(r"^/(v1|v1beta1|v3)/projects/([^/:]+):(getIamPolicy|setIamPolicy)$", path)
        if m and req.method == "POST":
            project = m.group(2)
            self._project_or_denied(project, f"resourcemanager.projects.{m.group(3)}")
            return self._policy_call(
                req,
                caller,
                key=self._project_policy_key(),
                resource=f"projects/{self.project_id}",
                service="resourcemanager.projects",
                verb=m.group(3),
            )
        m = re.match(r"^/(v1|v1beta1|v3)/projects/([^/:]+)$", path)
        if m and req.method == "GET":
            self._project_or_denied(m.group(2), "resourcemanager.projects.get")
            self._require(caller, "resourcemanager.projects.get", f"projects/{self.project_id}")
            if m.group(1) == "v3":
                return Response.json(
                    200,
                    {
                        "name": f"projects/{self.project_number}",
                        "parent": "organizations/0",
                        "projectId": self.project_id,
                        "state": "ACTIVE",
                        "displayName": self.project_id,
                        "etag": 'W/"fake"',
                    },
                )
            return Response.json(
                200,
                {
                    "projectNumber": self.project_number,
                    "projectId": self.project_id,
                    "lifecycleState": "ACTIVE",
                    "name": self.project_id,
                },
            )
        raise not_found(f"The requested URL {path} was not found on this server.")

    def _project_or_denied(self, project: str, permission: str) -> None:
        if project not in (self.project_id, self.project_number):
            raise GoogleError(403, "PERMISSION_DENIED", "The caller does not have permission")
        del permission

    # --- IAM policies ------------------------------------------------------------------------------

    def _policy_call(
        self,
        req: Request,
        caller: str,
        *,
        key: str,
        resource: str,
        service: str,
        verb: str,
        account: ServiceAccount | None = None,
    ) -> Response:
        permission = f"{service}.{verb}"
        self._require(caller, permission, resource, account)
        policy = self.policies.setdefault(key, {"version": 1, "etag": "ACAB", "bindings": []})
        if verb == "getIamPolicy":
            return Response.json(200, self._policy_out(policy))
        body = req.json()
        if isinstance(body, dict) and isinstance(body.get("policy"), dict):
            new = body["policy"]
        elif isinstance(body, dict) and ("bindings" in body or "etag" in body):
            new = body  # storage sends the policy itself
        else:
            raise invalid('Invalid JSON payload received. Unknown name "policy": required.')
        etag = new.get("etag")
        if etag and etag != policy["etag"]:
            raise GoogleError(
                409,
                "ABORTED",
                "There were concurrent policy changes. Please retry the whole read-modify-write with exponential "
                "backoff. The request's ETag '"
                + str(etag)
                + "' did not match the current policy's ETag '"
                + policy["etag"]
                + "'.",
            )
        bindings = []
        for binding in new.get("bindings") or []:
            if not isinstance(binding, dict):
                raise invalid("Invalid binding.")
            role = str(binding.get("role") or "")
            if not role.startswith(("roles/", "projects/", "organizations/")):
                raise invalid(f"Role ({role}) does not exist in the resource's hierarchy.")
            members = [str(m) for m in binding.get("members") or []]
            for member in members:
                self._check_member(member)
            if members:
                entry: dict[str, t.Any] = {"role": role, "members": sorted(set(members), key=members.index)}
                if binding.get("condition"):
                    entry["condition"] = binding["condition"]
                bindings.append(entry)
        version = int(new.get("version") or 1)
        if any("condition" in b for b in bindings):
            version = 3
        policy.clear()
        policy.update({"version": version, "etag": new_etag(), "bindings": bindings})
        return Response.json(200, self._policy_out(policy))

    def _check_member(self, member: str) -> None:
        if member in ("allUsers", "allAuthenticatedUsers"):
            return
        if not member.startswith(MEMBER_PREFIXES):
            raise invalid(f"Invalid principal: {member}")
        if member.startswith("serviceAccount:"):
            email = member.removeprefix("serviceAccount:")
            if email.endswith(f"@{self.project_id}.iam.gserviceaccount.com") and email not in self.accounts:
                raise invalid(f"Service account {email} does not exist.")

    @staticmethod
    def _policy_out(policy: dict[str, t.Any]) -> dict[str, t.Any]:
        out = {"version": policy["version"], "etag": policy["etag"]}
        if policy["bindings"]:
            out["bindings"] = copy.deepcopy(policy["bindings"])
        return out

    # --- state -------------------------------------------------------------------------------------

    def snapshot(self) -> dict[str, t.Any]:
        now = time.time()
        return {
            "project": {"projectId": self.project_id, "projectNumber": self.project_number},
            "service_accounts": [a.to_api(self.project_number) for a in self.accounts.values()],
            "keys": [
                {**k.to_api(), "serviceAccountEmail": k.email, "privateKeyType": k.private_key_type}
                for k in self.keys.values()
            ],
            "iam_policies": {k: self._policy_out(v) for k, v in self.policies.items()},
            "access_tokens": [
                {"email": r.email, "scopes": r.scopes, "via": r.via, "expires_in": int(r.expires - now)}
                for r in self.tokens.values()
                if r.expires > now
            ],
        }
