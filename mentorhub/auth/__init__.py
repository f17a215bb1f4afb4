"""Who is calling: users by their JWT, the payment provider by its HMAC signature.

- `caller`: the signed-in caller (`current_caller()`), id and role from the token;
- `tokens`: issuing access and refresh tokens per sign-in (a token family), and revoking them;
- `revocation_store`: "is this token revoked?" from Redis, or the database while Redis is down;
- `revocation_sync`: Redis's copy of the revocations, rebuilt from the database;
- `jwt_hooks`: Flask-JWT-Extended's loaders (our 401s, the caller, revocation checks), and the
  request hook that reads a token's revocation keys ahead, on the rate limiter's round trip;
- `webhook_signature`: the payment provider's signed webhooks.
"""

from mentorhub.auth.caller import SignedInUser, current_caller
from mentorhub.auth.jwt_hooks import init_jwt, read_revocation_ahead
from mentorhub.auth.tokens import (
    issue_tokens,
    refresh_access_token,
    revoke_all_tokens,
    revoke_current_family,
)
from mentorhub.auth.webhook_signature import SIGNATURE_HEADER, verify_signature

__all__ = [
    "SIGNATURE_HEADER",
    "SignedInUser",
    "current_caller",
    "init_jwt",
    "issue_tokens",
    "read_revocation_ahead",
    "refresh_access_token",
    "revoke_all_tokens",
    "revoke_current_family",
    "verify_signature",
]
