"""One small error hierarchy for ccomkit.

Every error a user can cause derives from :class:`CcomkitError`; the CLI prints its message on one
line and exits non-zero (``--debug`` shows the traceback). Messages name the table, column, rows and
values involved, so a user can act on them without reading code.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class CcomkitError(Exception):
    """Base class of every error ccomkit raises on purpose."""

    exit_code = 2


class ParameterError(CcomkitError, ValueError):
    """A function or CLI parameter is out of its allowed domain."""

    def __init__(self, message: str, *, param: str | None = None, value: Any = None) -> None:
        super().__init__(message)
        self.param = param
        self.value = value

    @classmethod
    def expected(cls, owner: str, param: str, expectation: str, value: Any) -> "ParameterError":
        """Build the scikit-learn style message ``The 'x' parameter of Owner must be … Got … instead.``"""
        return cls(
            f"The {param!r} parameter of {owner} must be {expectation}. Got {value!r} instead.",
            param=param,
            value=value,
        )


class SchemaError(CcomkitError):
    """A frame or a file breaks a table contract.

    ``violations`` is a DataFrame with one row per broken rule (table, column, rule, n_rows,
    first_rows, first_values) when the error comes from :func:`ccomkit.schemas.validate`.
    """

    def __init__(
        self,
        message: str,
        *,
        table: str | None = None,
        column: str | None = None,
        rows: Sequence[int] | None = None,
        violations: Any = None,
    ) -> None:
        super().__init__(message)
        self.table = table
        self.column = column
        self.rows = list(rows) if rows is not None else []
        self.violations = violations


class IngestError(CcomkitError):
    """A file cannot be read or loaded (encoding, format, header, sheet)."""

    def __init__(self, message: str, *, file: str | None = None, table: str | None = None) -> None:
        super().__init__(message)
        self.file = file
        self.table = table


class WorkspaceError(CcomkitError):
    """The workspace database is missing, of the wrong version, or unusable."""


class WorkspaceLockedError(WorkspaceError):
    """Another process holds the workspace's single-writer lock."""

    exit_code = 3


class InfeasibleError(CcomkitError):
    """An optimisation or staffing problem has no solution under its hard rules."""

    def __init__(self, message: str, *, status: str | None = None) -> None:
        super().__init__(message)
        self.status = status


class CcomkitWarning(UserWarning):
    """Base class of ccomkit's warnings."""


class CalendarGuessWarning(CcomkitWarning):
    """A year's holidays are the library's estimate, not an official State Council notice."""
