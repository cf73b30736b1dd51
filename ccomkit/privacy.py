"""Personal data: stable agent codes, salted customer hashes, role-limited views.

CCOM names data security as one of the five managed processes. Three tools live here:

* :func:`pseudonymise` replaces agent identifiers and names in a frame with stable codes
  (``AG-7KQ2M9XD``): the same agent gets the same code in every report of the same workspace, and
  nobody without the workspace's salt can go back from a code to the agent.
* :func:`hash_identifier` turns customer identifiers (caller numbers, customer ids) into salted
  keys (``ck-`` + 24 hex digits). The store applies it at ingest to every contract column flagged
  ``hash_at_ingest`` (today ``csat_response.customer_key``), so the raw
  identifier never reaches a table, the quarantine or an export.
* :func:`limit_to_team` keeps only the rows of one team (a team leader's view).

Both codes are HMAC-SHA256 keyed with the workspace's salt (:func:`workspace_salt`, created when
the workspace is created and kept in it), with a different message prefix for agents and customers
so the two can never be matched with each other. The salt sits in the workspace file: the codes
protect what leaves the workspace (reports, exports, screenshots), not the workspace file itself,
which must be kept as personal data.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import pandas as pd

from ccomkit.errors import ParameterError

if TYPE_CHECKING:  # pragma: no cover
    from ccomkit.store import Workspace

__all__ = [
    "AGENT_COLUMNS",
    "agent_codes",
    "CUSTOMER_KEY_PATTERN",
    "NAME_COLUMNS",
    "customer_key",
    "hash_identifier",
    "limit_to_team",
    "new_salt",
    "pseudonymise",
    "workspace_salt",
]

#: Columns :func:`pseudonymise` replaces by default (those present in the frame).
AGENT_COLUMNS = ("agent_id", "agent_name", "name", "team_leader_id", "evaluator_id")
#: Of those, the ones holding a person's name: replaced by the code of the row's ``agent_id``.
NAME_COLUMNS = ("agent_name", "name")
#: A customer key already produced by :func:`hash_identifier` (kept as it is when seen again).
CUSTOMER_KEY_PATTERN = re.compile(r"ck-[0-9a-f]{24}")

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CODE_LEN = 8  # 40 bits: a collision among 3,000 agents has odds of about 4 in a million
_PHONE_CHARS = re.compile(r"[+\d\s\-().]+")


def new_salt() -> str:
    """A fresh random salt (32 hex digits = 128 bits), as created for every new workspace.

    Examples
    --------
    >>> len(new_salt()), new_salt() != new_salt()
    (32, True)
    """
    return secrets.token_hex(16)


def _key(salt: str | bytes) -> bytes:
    if isinstance(salt, bytes):
        key = salt
    elif isinstance(salt, str):
        key = salt.encode("utf-8")
    else:
        raise ParameterError.expected("privacy", "salt", "a non-empty str or bytes (see "
                                      "privacy.workspace_salt)", salt)
    if not key:
        raise ParameterError.expected("privacy", "salt", "a non-empty str or bytes (see "
                                      "privacy.workspace_salt)", salt)
    return key


def workspace_salt(ws: "Workspace") -> str:
    """The salt of an open workspace (``Workspace.salt``): the key of every code and hash.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from ccomkit.store import Workspace
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "ws.duckdb"
    >>> with Workspace.open_write(p, "example", create=True) as ws:
    ...     pass
    >>> with Workspace.open_read(p) as ws:
    ...     len(workspace_salt(ws))
    32
    """
    return ws.salt


def _normalise_identifier(text: str) -> str:
    """Trim; a phone number keeps its digits only, without the +86 / 0086 country code."""
    text = text.strip()
    if _PHONE_CHARS.fullmatch(text) and any(ch.isdigit() for ch in text):
        digits = "".join(ch for ch in text if ch.isdigit())
        for cc in ("0086", "86"):
            if digits.startswith(cc) and len(digits) - len(cc) == 11 and digits[len(cc)] == "1":
                digits = digits[len(cc):]
                break
        return digits
    return text


def customer_key(value: Any, salt: str | bytes) -> str | None:
    """One customer identifier as its salted key (``None`` for a missing or blank value).

    Phone numbers are compared by their digits (``+86 138-0013-8000`` and ``13800138000`` give the
    same key); a value that already is a key is returned unchanged, so hashing twice is harmless.

    Examples
    --------
    >>> customer_key("+86 138-0013-8000", "s") == customer_key("13800138000", "s")
    True
    >>> k = customer_key("13800138000", "s"); k[:3], len(k), customer_key(k, "s") == k
    ('ck-', 27, True)
    """
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return None
    text = str(value)
    if not text.strip():
        return None
    if CUSTOMER_KEY_PATTERN.fullmatch(text.strip()):
        return text.strip()
    msg = b"customer:" + _normalise_identifier(text).encode("utf-8")
    return "ck-" + hmac.new(_key(salt), msg, hashlib.sha256).hexdigest()[:24]


def hash_identifier(series: pd.Series, salt: str | bytes) -> pd.Series:
    """Customer identifiers (caller numbers, customer ids) → salted keys, as a new Series.

    HMAC-SHA256 keyed with ``salt`` (use :func:`workspace_salt`), 96 bits shown as ``ck-`` + 24
    hex digits. Deterministic: the same identifier and salt give the same key, so re-loading a
    file adds nothing and one customer's surveys and complaints still join. Missing values stay
    missing; values that already are keys are kept. This is what ingest applies to the columns
    the contracts flag ``hash_at_ingest``.

    Parameters
    ----------
    series : pandas.Series
        The identifiers (any dtype; compared as text).
    salt : str or bytes
        The workspace salt.

    Returns
    -------
    pandas.Series
        Same index and name, object dtype.

    Examples
    --------
    >>> import pandas as pd
    >>> s = hash_identifier(pd.Series(["13800138000", None, "13800138000"]), salt="demo")
    >>> s[0] == s[2], s[1] is None, s[0].startswith("ck-")
    (True, True, True)
    """
    if not isinstance(series, pd.Series):
        raise ParameterError.expected("hash_identifier", "series", "a pandas Series", series)
    key = _key(salt)
    uniq = pd.unique(series.astype(object))
    mapping = {v: customer_key(v, key) for v in uniq}
    return pd.Series([mapping[v] for v in series.astype(object)], index=series.index,
                     name=series.name, dtype=object)


def _code(value: str, key: bytes, prefix: str, length: int) -> str:
    digest = hmac.new(key, b"agent:" + value.encode("utf-8"), hashlib.sha256).digest()
    n = int.from_bytes(digest[:10], "big")  # 80 bits: up to 16 base-32 characters
    chars = []
    for _ in range(length):
        n, r = divmod(n, 32)
        chars.append(_CROCKFORD[r])
    return f"{prefix}-{''.join(chars)}" if prefix else "".join(chars)


def agent_codes(values: Iterable[Any], salt: str | bytes, prefix: str = "AG") -> dict[str, str]:
    """The code of each distinct value: 8 base-32 characters, longer only where two collide.

    A value's code depends only on the value and the salt, so it is the same in every report; in
    the (about one in a million) case that two values present share a code, both get 10
    characters (12, … if needed), so codes within one call are always distinct.

    Examples
    --------
    >>> agent_codes(["A001", "A002"], salt="demo")["A001"]
    'AG-E9WHMHB7'
    """
    key = _key(salt)
    distinct = sorted({str(v) for v in values if not _missing(v)})
    codes = {v: _code(v, key, prefix, _CODE_LEN) for v in distinct}
    length = _CODE_LEN
    while True:
        seen: dict[str, list[str]] = {}
        for v, c in codes.items():
            seen.setdefault(c, []).append(v)
        clash = [v for vs in seen.values() if len(vs) > 1 for v in vs]
        if not clash:
            return codes
        length += 2
        if length > 16:  # pragma: no cover - 80 bits cannot clash for distinct HMACs in practice
            raise ParameterError(f"pseudonymise: values {clash[:2]} share a code")
        for v in clash:
            codes[v] = _code(v, key, prefix, length)


def _missing(v: Any) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and v != v) or v is pd.NaT


def pseudonymise(frame: pd.DataFrame, columns: Iterable[str] = AGENT_COLUMNS, *,
                 salt: str | bytes, prefix: str = "AG", id_column: str = "agent_id"
                 ) -> pd.DataFrame:
    """A new frame with agent identifiers and names replaced by stable codes.

    Every listed column present in ``frame`` is replaced (absent ones are ignored, so one call
    fits any report table). Identifier columns (``agent_id``, ``team_leader_id``,
    ``evaluator_id``, …) get the code of their value, so an agent has the same code as agent, as
    team leader and as evaluator. Name columns (``agent_name``, ``name``) get the code of the
    row's ``id_column`` when the frame has it (name and id then show the same code; two people
    with the same name stay apart), else the code of the name. Missing values stay missing. The
    code is HMAC-SHA256 of the value keyed with ``salt``: stable across reports of one
    workspace, not reversible without the salt.

    Parameters
    ----------
    frame : pandas.DataFrame
    columns : iterable of str
        Columns to replace (default :data:`AGENT_COLUMNS`).
    salt : str or bytes
        The workspace salt: ``privacy.workspace_salt(ws)`` (or ``ws.salt``).
    prefix : str
        Code prefix (``"AG"`` → ``AG-7KQ2M9XD``); ``""`` for none.
    id_column : str
        The column whose code replaces the name columns.

    Returns
    -------
    pandas.DataFrame
        A new frame; the input is not modified. Index, column order and other columns unchanged.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"agent_id": ["A001", "A002"], "agent_name": ["张三", "李四"],
    ...                    "aht_s": [300.0, 320.0]})
    >>> pseudonymise(df, salt="demo")
          agent_id   agent_name  aht_s
    0  AG-E9WHMHB7  AG-E9WHMHB7  300.0
    1  AG-F50X6SDJ  AG-F50X6SDJ  320.0
    """
    if not isinstance(frame, pd.DataFrame):
        raise ParameterError.expected("pseudonymise", "frame", "a pandas DataFrame", frame)
    if isinstance(columns, str):
        columns = (columns,)
    present = [c for c in columns if c in frame.columns]
    names = [c for c in present if c in NAME_COLUMNS]
    ids = [c for c in present if c not in NAME_COLUMNS]
    by_id = id_column in frame.columns
    values: list[Any] = []
    for c in ids:
        values.extend(frame[c].tolist())
    if by_id:
        values.extend(frame[id_column].tolist())
    for c in names:
        if not by_id:
            values.extend(frame[c].tolist())
    codes = agent_codes(values, salt, prefix)

    def coded(s: pd.Series) -> pd.Series:
        return pd.Series([None if _missing(v) else codes[str(v)] for v in s.tolist()],
                         index=s.index, name=s.name, dtype=object)

    out = frame.copy()
    for c in ids:
        out[c] = coded(frame[c])
    for c in names:
        if by_id:
            code = coded(frame[id_column])
            out[c] = code.where(frame[c].notna().to_numpy(), None)
        else:
            out[c] = coded(frame[c])
    return out


def limit_to_team(frame: pd.DataFrame, team_id: str, agent_dim: pd.DataFrame,
                  agent_column: str = "agent_id") -> pd.DataFrame:
    """The rows of ``frame`` that belong to one team's agents (a team leader's view).

    Membership comes from ``agent_dim`` (``agent_id``, ``team_id``). A frame with its own
    ``team_id`` column is filtered on it directly; otherwise on ``agent_column``. Rows without an
    agent (queue-level rows) are dropped: a team leader sees the team, not the center.

    Raises
    ------
    ParameterError
        ``team_id`` is not a team in ``agent_dim``, or the frame has neither column.

    Examples
    --------
    >>> import pandas as pd
    >>> dim = pd.DataFrame({"agent_id": ["A1", "A2", "A3"], "team_id": ["T1", "T1", "T2"]})
    >>> perf = pd.DataFrame({"agent_id": ["A1", "A2", "A3"], "aht_s": [300, 310, 290]})
    >>> limit_to_team(perf, "T1", dim)
      agent_id  aht_s
    0       A1    300
    1       A2    310
    """
    for col in ("agent_id", "team_id"):
        if col not in agent_dim.columns:
            raise ParameterError(f"limit_to_team: agent_dim has no column {col}",
                                 param="agent_dim", value=list(agent_dim.columns))
    teams = set(agent_dim["team_id"].dropna().astype(str))
    if str(team_id) not in teams:
        raise ParameterError.expected("limit_to_team", "team_id",
                                      f"one of the teams in agent_dim ({', '.join(sorted(teams)[:10])}"
                                      f"{', …' if len(teams) > 10 else ''})", team_id)
    if "team_id" in frame.columns:
        keep = frame["team_id"].astype(object).astype(str).eq(str(team_id)).to_numpy() \
            & frame["team_id"].notna().to_numpy()
    elif agent_column in frame.columns:
        members = set(agent_dim.loc[agent_dim["team_id"].astype(str) == str(team_id),
                                    "agent_id"].astype(str))
        keep = frame[agent_column].map(lambda v: not _missing(v) and str(v) in members
                                       ).to_numpy(dtype=bool)
    else:
        raise ParameterError(f"limit_to_team: the frame has neither team_id nor {agent_column}; "
                             "cannot tell whose rows they are", param="frame",
                             value=list(frame.columns))
    return frame.loc[keep].copy()
