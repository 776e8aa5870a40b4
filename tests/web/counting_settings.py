"""Tutela's settings, with a password hasher that notes each password it checks in a file,
so a test can count the checks made by every process of ``tutela serve``."""

from tutela.settings import *  # noqa: F403

PASSWORD_HASHERS = ["tests.web.counting_settings.CountingArgon2PasswordHasher"]

import os  # noqa: E402

from django.contrib.auth.hashers import Argon2PasswordHasher  # noqa: E402


class CountingArgon2PasswordHasher(Argon2PasswordHasher):
    def verify(self, password: str, encoded: str) -> bool:
        with open(os.environ["TUTELA_TEST_CHECKS_FILE"], "a", encoding="utf-8") as checks:
            checks.write("checked\n")
        return bool(super().verify(password, encoded))
