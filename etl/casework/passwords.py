"""The editing password's setting (DISCLOSURE_ADMIN_PASSWORD, declared in etl.settings): a password hash, or
the password itself.

A hash is `pbkdf2_sha256$<iterations>$<salt hex>$<digest hex>` (`python -m etl review hash-password` makes one),
so the setting can sit in a service file or a shell history without giving the password away. A plain value is
accepted too. Either way the comparison is by digest in constant time (hmac.compare_digest).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

SCHEME = "pbkdf2_sha256"
ITERATIONS = 240_000


def make_hash(password: str, iterations: int = ITERATIONS, salt: str | None = None) -> str:
    salt = salt or secrets.token_hex(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), bytes.fromhex(salt), iterations).hex()
    return f"{SCHEME}${iterations}${salt}${digest}"


def verify(password: str, setting: str) -> bool:
    """Whether `password` matches the setting (a hash made by make_hash, or a plain password)."""
    if not password or not setting:
        return False
    parts = setting.split("$")
    if len(parts) == 4 and parts[0] == SCHEME:
        try:
            iterations, salt = int(parts[1]), parts[2]
            bytes.fromhex(salt)
        except ValueError:
            return False
        return hmac.compare_digest(make_hash(password, iterations, salt), setting)
    return hmac.compare_digest(hashlib.sha256(password.encode()).digest(), hashlib.sha256(setting.encode()).digest())
