"""Errors a user can act on. The CLI prints their message on one line and exits with `exit_code`."""


class NewsdeskError(Exception):
    """Base class: a clear, one-line problem the user can fix."""

    exit_code = 1


class InputError(NewsdeskError):
    """Bad input: missing, empty, binary, non-UTF-8 or oversized article; bad flags."""

    exit_code = 2


class ConfigError(NewsdeskError):
    """Settings that cannot work (unknown model file, bad value)."""

    exit_code = 2


class ModelAssemblyError(ConfigError):
    """An embedded model's file cannot be put together: a missing or corrupt part package, no
    disk space. The message names what to reinstall or where space is needed."""


class LLMError(NewsdeskError):
    """The endpoint failed: unreachable, bad key, unknown model, rate-limited past retries."""

    exit_code = 3


class ModelOutputError(LLMError):
    """The model answered, but not with what was asked for (junk, schema violation, truncated)."""

    def __init__(self, message: str, problem: str = "") -> None:
        super().__init__(message)
        self.problem = problem  # what was wrong with the answer, for a task's own note
