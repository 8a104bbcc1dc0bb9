from django.contrib.auth.hashers import PBKDF2PasswordHasher


class FastPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    """pbkdf2_sha256 with one iteration: for test fixtures only (the count is stored in each hash)."""

    iterations = 1
