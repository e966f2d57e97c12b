"""Errors that reach a person: each carries a message key, never personal data.

The message is translated at the edge (command line or window) with ``tr``; the
exit code is the command line's contract with IT scripts.
"""

from __future__ import annotations

from typing import Any

EXIT_OK = 0
EXIT_CHECK_FAILED = 1
EXIT_USAGE = 2
EXIT_CREDENTIALS = 3
EXIT_REJECTED = 4
EXIT_DAMAGED = 5


class BaomError(Exception):
    """Base of every error shown to a user."""

    exit_code = EXIT_REJECTED

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params

    def __str__(self) -> str:  # never personal data: the key and safe params only
        return self.key


class WrongCredentials(BaomError):
    exit_code = EXIT_CREDENTIALS

    def __init__(self) -> None:
        super().__init__("error.wrong_credentials")


class LockedOut(BaomError):
    exit_code = EXIT_CREDENTIALS

    def __init__(self, seconds: int) -> None:
        super().__init__("error.locked_out", seconds=seconds)
        self.seconds = seconds


class PermissionDenied(BaomError):
    exit_code = EXIT_CREDENTIALS

    def __init__(self) -> None:
        super().__init__("error.permission_denied")


class DatabaseDamaged(BaomError):
    exit_code = EXIT_DAMAGED


class DatabaseMissing(BaomError):
    exit_code = EXIT_DAMAGED

    def __init__(self, path: str) -> None:
        super().__init__("error.db_missing", path=path)


class DatabaseInUse(BaomError):
    exit_code = EXIT_REJECTED

    def __init__(self) -> None:
        super().__init__("error.db_in_use")


class InputRejected(BaomError):
    exit_code = EXIT_REJECTED


class DiskFull(BaomError):
    exit_code = EXIT_REJECTED

    def __init__(self) -> None:
        super().__init__("error.disk_full")
