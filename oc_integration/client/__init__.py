"""The Orange Connex client: HTTP, signing, envelopes and typed errors. No Django models."""

from oc_integration.client.api import OCApiClient, TokenProvider
from oc_integration.client.connection import ConnectionSettings
from oc_integration.client.envelope import OCResponse
from oc_integration.client.errors import (
    OAuthError,
    OAuthGrantRevoked,
    OCBusinessError,
    OCError,
    OCHttpError,
    OCItemError,
    OCMalformedResponse,
    OCServerError,
    OCTimeout,
    OCTokenRejected,
    OCTransportError,
)
from oc_integration.client.oauth import OCOAuthClient, TokenGrant, jwt_expiry

__all__ = [
    "ConnectionSettings",
    "OAuthError",
    "OAuthGrantRevoked",
    "OCApiClient",
    "OCBusinessError",
    "OCError",
    "OCHttpError",
    "OCItemError",
    "OCMalformedResponse",
    "OCOAuthClient",
    "OCResponse",
    "OCServerError",
    "OCTimeout",
    "OCTokenRejected",
    "OCTransportError",
    "TokenGrant",
    "TokenProvider",
    "jwt_expiry",
]
