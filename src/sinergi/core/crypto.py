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


@cache
def _keyed_hasher(master: str, purpose: bytes, digest_size: int) -> hashlib.blake2b:
    return hashlib.blake2b(key=_subkey(b"sinergi:keyed-digest:" + purpose), digest_size=digest_size)


def keyed_hasher(purpose: bytes, *, digest_size: int = 16) -> hashlib.blake2b:
    """A BLAKE2b hasher keyed with a subkey of SINERGI_FIELD_KEY for `purpose` (BLAKE2's keyed mode is a
    MAC, like HMAC): `.copy()` it, `.update()` the data, read `.hexdigest()`. For digests of content that
    holds personal identifiers (an import row with its NIK), which must not be brute-forced from the
    database without the key. Changing the field key changes every digest."""
    return _keyed_hasher(settings.FIELD_KEY, purpose, digest_size).copy()


def blind_index(value: str) -> str:
    """A keyed hash of the value, for equality lookup and deduplication without decrypting."""
    return hmac.new(_blind_key(settings.FIELD_KEY), value.encode(), hashlib.sha256).hexdigest()
