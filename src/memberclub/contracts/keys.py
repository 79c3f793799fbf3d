"""Digests of the access keys printed on service start notices."""

import hashlib
import hmac
from collections.abc import Callable

from django.conf import settings

PREFIX = "hmac-sha256$"


def _pepper() -> bytes:
    return str(getattr(settings, "ACCESS_KEY_PEPPER", settings.SECRET_KEY)).encode()


def access_key_digest(customer_id: str, access_key: str) -> str:
    """Return the keyed digest stored for a contract's access key (never the key itself)."""
    message = f"{customer_id}\0{access_key}".encode()
    return PREFIX + hmac.new(_pepper(), message, hashlib.sha256).hexdigest()


def access_key_digester() -> Callable[[str, str], str]:
    """Return access_key_digest with the pepper read once, for digesting a whole feed."""
    keyed = hmac.new(_pepper(), digestmod=hashlib.sha256)

    def digest(customer_id: str, access_key: str) -> str:
        mac = keyed.copy()
        mac.update(f"{customer_id}\0{access_key}".encode())
        return PREFIX + mac.hexdigest()

    return digest


def access_key_matches(customer_id: str, access_key: str, digest: str) -> bool:
    """Check an access key against the stored digest in constant time."""
    return hmac.compare_digest(access_key_digest(customer_id, access_key), digest)
