"""Field encryption for personal identifiers (NIK) and the keyed hash (blind index) used to look them up.

Both keys derive from SINERGI_FIELD_KEY, so the database alone reveals neither the value nor a hash that
could be brute-forced without the key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from sinergi.core.errors import ApplicationError

FIELD_KEY_MISMATCH = _(
    "Encrypted data cannot be opened: SINERGI_FIELD_KEY differs from the key used when the data was saved."
)


def _subkey(purpose: bytes) -> bytes:
    master = settings.FIELD_KEY.encode()
    return hmac.new(master, purpose, hashlib.sha256).digest()


@cache
def _fernet(master: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_subkey(b"sinergi:encrypt")))


def encrypt_text(value: str) -> str:
    """Encrypt a short text for storage at rest."""
    return _fernet(settings.FIELD_KEY).encrypt(value.encode()).decode()


def decrypt_text(token: str) -> str:
    """Decrypt a value produced by encrypt_text; a wrong key is a clear configuration error."""
    try:
        return _fernet(settings.FIELD_KEY).decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ApplicationError(FIELD_KEY_MISMATCH, code="field_key_mismatch") from exc


@cache
def _blind_key(master: str) -> bytes:
    return _subkey(b"sinergi:blind-index")


def blind_index(value: str) -> str:
    """A keyed hash of the value, for equality lookup and deduplication without decrypting."""
    return hmac.new(_blind_key(settings.FIELD_KEY), value.encode(), hashlib.sha256).hexdigest()
