"""User-facing errors: each carries the message the CLI prints (no stack trace) and an exit code."""

from __future__ import annotations


class WisebenchError(Exception):
    """An error the user can act on. The CLI prints `str(error)` and exits with `exit_code`."""

    exit_code = 2


class DatasetNotFoundError(WisebenchError):
    """A suite's data is missing or not laid out as expected."""

    def __init__(self, path: object, expected: str, how_to_get: str):
        self.path = path
        super().__init__(f"dataset not found at {path}: expected {expected}. {how_to_get}")


class DatasetFormatError(WisebenchError):
    """A dataset file exists but is not in the format the suite reads."""

    def __init__(self, path: object, problem: str):
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}")


class BadSampleError(WisebenchError):
    """One sample's image or annotation is corrupt. Fatal unless the run was started with --skip-bad."""

    def __init__(self, path: object, problem: str):
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{path}: {problem} (pass --skip-bad to skip such samples and count them in the summary)")


class WeightsNotFoundError(WisebenchError):
    """Model weights are neither in the local cache nor reachable."""


class CheckpointFormatError(WisebenchError):
    """A local checkpoint folder exists but cannot be loaded (broken config, missing or damaged weight files)."""


class RunStoreError(WisebenchError):
    """A run folder is missing, inconsistent with the requested configuration, or damaged."""


class UnknownNameError(WisebenchError):
    """A model, suite, segmenter or protocol name that is not registered."""
