"""Password hashing tuned so a login takes tens of milliseconds, not seconds, on a small server.

Django's Argon2 defaults (100 MiB, 8 lanes) cost about a second per login on two cores. These are the
OWASP-recommended Argon2id parameters (19 MiB, 2 passes, 1 lane). Stored hashes carry their parameters, so
older hashes still verify and are rewritten with these at the user's next login. See docs/deploy.md.
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class SinergiArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id with memory 19 MiB, time cost 2, parallelism 1 (same algorithm name: hashes stay valid)."""

    time_cost = 2
    memory_cost = 19 * 1024
    parallelism = 1
