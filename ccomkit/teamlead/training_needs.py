"""Training needs from evidence (业务培训场景识别, seed 001 chapter 4 二-五).

Evidence is what the team leader already holds: QA deductions (质检分析报告), valid complaints
attributed to the agent with their root cause (客诉复盘), reasons in dissatisfied survey answers
(客户反馈) and findings from floor management or call listening (现场管理、录音监听). A
configurable table (``ccomkit/teamlead/mappings/*.yaml``) maps each evidence code to a training
topic. A topic is a **need** of an agent when at least ``min_count`` pieces of evidence point to
it in the window (recurring, not a one-off); a team need is a topic that ``k`` or more agents of
the team share: train them together (一对多), otherwise coach one to one (一对一).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from ccomkit.errors import ParameterError
from ccomkit.schemas import require_columns
from ccomkit.teamlead.profile import _ts, window_evaluations

__all__ = ["SOURCES", "TOPIC_CATEGORIES", "TrainingMapping", "load_mapping", "training_evidence",
           "agent_training_needs", "team_training_needs"]

MAPPINGS_DIR = Path(__file__).parent / "mappings"

SOURCES: tuple[str, ...] = ("qa_item", "complaint_root_cause", "dissat_reason",
                            "monitoring_finding")
"""Evidence sources, in the order they are listed."""

TOPIC_CATEGORIES: tuple[str, ...] = ("general", "skill", "experience")
"""通用技能类, 技巧提升类, 经验萃取类 (seed 001 chapter 4 三, 四, 五)."""


@dataclass(frozen=True)
class TrainingMapping:
    """Topics (``topics``: code, label_zh, label_en, category, courses) and the evidence map
    (``links``: source, code, topic — topic None means "not a training need")."""

    name: str
    topics: pd.DataFrame = field(compare=False)
    links: pd.DataFrame = field(compare=False)

    def __post_init__(self) -> None:
        require_columns(self.topics, ["topic", "label_zh", "label_en", "category", "courses"],
                        "training mapping topics")
        require_columns(self.links, ["source", "code", "topic"], "training mapping links")
        dup = self.topics["topic"][self.topics["topic"].duplicated()].tolist()
        if dup:
            raise ParameterError.expected("TrainingMapping", "topics", "unique topic codes", dup)
        bad_cat = sorted(set(self.topics["category"]) - set(TOPIC_CATEGORIES))
        if bad_cat:
            raise ParameterError.expected("TrainingMapping", "category",
                                          "one of " + ", ".join(TOPIC_CATEGORIES), bad_cat[0])
        bad_src = sorted(set(self.links["source"]) - set(SOURCES))
        if bad_src:
            raise ParameterError.expected("TrainingMapping", "sources",
                                          "keys from " + ", ".join(SOURCES), bad_src[0])
        t = self.links["topic"].dropna()
        unknown = sorted(set(t) - set(self.topics["topic"]))
        if unknown:
            raise ParameterError.expected("TrainingMapping", "sources",
                                          "codes mapped to a listed topic or null", unknown[0])


def load_mapping(name_or_path: str | Path | TrainingMapping = "default") -> TrainingMapping:
    """Load an evidence → topic mapping: a shipped one by name or a YAML file by path.

    Examples
    --------
    >>> m = load_mapping()
    >>> m.links.query("source == 'complaint_root_cause'").head(3)[["code", "topic"]]
                    code                  topic
    16    agent_attitude  communication_empathy
    17   agent_knowledge      product_knowledge
    18  agent_compliance             compliance
    >>> m.topics.set_index("topic").loc["compliance", "category"]
    'general'
    """
    if isinstance(name_or_path, TrainingMapping):
        return name_or_path
    p = Path(name_or_path)
    if not p.suffix:
        p = MAPPINGS_DIR / f"{name_or_path}.yaml"
    if not p.is_file():
        shipped = sorted(x.stem for x in MAPPINGS_DIR.glob("*.yaml"))
        raise ParameterError.expected("load_mapping", "name_or_path", "a shipped mapping ("
                                      + ", ".join(shipped) + ") or a YAML file",
                                      str(name_or_path))
    try:
        raw = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ParameterError(f"training mapping {p} is not valid YAML: "
                             f"{str(exc).splitlines()[0]}", param="name_or_path",
                             value=str(p)) from None
    if not isinstance(raw, Mapping) or not isinstance(raw.get("topics"), list) \
            or not isinstance(raw.get("sources"), Mapping):
        raise ParameterError(f"training mapping {p} needs a 'topics' list and a 'sources' "
                             "mapping", param="name_or_path", value=str(p))
    topics = pd.DataFrame([{
        "topic": str(t["code"]), "label_zh": str(t.get("label_zh", t["code"])),
        "label_en": str(t.get("label_en", t["code"])), "category": str(t.get("category",
                                                                             "general")),
        "courses": "|".join(map(str, t.get("courses") or ()))} for t in raw["topics"]])
    links = pd.DataFrame([(str(src), str(code), None if topic is None else str(topic))
                          for src, m in raw["sources"].items() for code, topic in
                          (m or {}).items()], columns=["source", "code", "topic"])
    return TrainingMapping(name=str(raw.get("name", p.stem)), topics=topics, links=links)


def _window(frame: pd.DataFrame, col: str, start: pd.Timestamp, end: pd.Timestamp) -> np.ndarray:
    d = pd.to_datetime(frame[col]).dt.normalize()
    return ((d > start) & (d <= end)).to_numpy(dtype=bool)


def training_evidence(frames: Mapping[str, pd.DataFrame], *, start: Any, end: Any,
                      monitoring: pd.DataFrame | None = None) -> pd.DataFrame:
    """Stack the evidence of the window ``start < date ≤ end`` into one table.

    Parameters
    ----------
    frames : mapping of table name to DataFrame
        ``agent_dim`` (for ``team_id``) and any of ``qa_evaluation`` + ``qa_item``,
        ``complaint``, ``csat_response``.
    start, end : date-like
    monitoring : DataFrame, optional
        Floor or listening findings: ``agent_id``, ``finding_date``, ``finding_code`` (optional
        ``finding_id``).

    Returns
    -------
    DataFrame
        One row per piece of evidence of anyone in ``agent_dim`` (team leaders who take calls
        and agents who left in the window included: keep the agents you coach, e.g. the
        ``agent_id`` of :func:`~ccomkit.teamlead.profile.agent_profiles`, before
        :func:`team_training_needs`): ``agent_id``, ``team_id``, ``date``, ``source`` (see
        :data:`SOURCES`), ``code`` (item code, root cause, reason or finding), ``ref``
        (eval_id, case_id, survey_id or finding_id). QA: items with a deduction > 0 (a fatal
        item when triggered) of regular, latest evaluations; complaints: valid ones with an
        agent and a root cause; surveys: each ``|``-separated dissatisfaction reason.

    Examples
    --------
    >>> ad = pd.DataFrame({"agent_id": ["A"], "team_id": ["T"]})
    >>> cp = pd.DataFrame({"case_id": ["K1", "K2"], "agent_id": ["A", "A"],
    ...     "received_at": pd.to_datetime(["2026-03-02 10:00", "2026-03-03 09:00"]),
    ...     "valid_flag": [True, False], "root_cause": ["agent_attitude", "agent_attitude"]})
    >>> cs = pd.DataFrame({"survey_id": ["S1"], "agent_id": ["A"],
    ...     "invited_at": pd.to_datetime(["2026-03-04 12:00"]),
    ...     "dissat_reasons": ["wrong_answer|long_wait"]})
    >>> training_evidence({"agent_dim": ad, "complaint": cp, "csat_response": cs},
    ...                   start="2026-03-01", end="2026-03-31")[["date", "source", "code", "ref"]]
            date                source            code ref
    0 2026-03-02  complaint_root_cause  agent_attitude  K1
    1 2026-03-04         dissat_reason    wrong_answer  S1
    2 2026-03-04         dissat_reason       long_wait  S1
    """
    t0 = _ts(start, "training_evidence", "start")
    t1 = _ts(end, "training_evidence", "end")
    ad = frames["agent_dim"]
    require_columns(ad, ["agent_id", "team_id"], "agent_dim")
    team = ad[["agent_id", "team_id"]].drop_duplicates("agent_id")
    parts: list[pd.DataFrame] = []
    ev, it = frames.get("qa_evaluation"), frames.get("qa_item")
    if ev is not None and it is not None and len(ev):
        e = window_evaluations(ev, t0, t1)[["eval_id", "agent_id", "eval_date"]]
        require_columns(it, ["eval_id", "item_code", "deducted_points"], "qa_item")
        hit = pd.to_numeric(it["deducted_points"], errors="coerce").fillna(0) > 0
        if "is_fatal" in it.columns:
            hit |= it["is_fatal"].fillna(False).astype(bool)
        x = it.loc[hit.to_numpy(), ["eval_id", "item_code"]].merge(e, on="eval_id")
        parts.append(pd.DataFrame({"agent_id": x["agent_id"], "date": pd.to_datetime(
            x["eval_date"]).dt.normalize(), "source": "qa_item", "code": x["item_code"],
            "ref": x["eval_id"]}))
    cp = frames.get("complaint")
    if cp is not None and len(cp):
        require_columns(cp, ["case_id", "agent_id", "received_at", "valid_flag", "root_cause"],
                        "complaint")
        m = (_window(cp, "received_at", t0, t1) & cp["valid_flag"].fillna(False).to_numpy(bool)
             & cp["agent_id"].notna().to_numpy() & cp["root_cause"].notna().to_numpy())
        x = cp.loc[m]
        parts.append(pd.DataFrame({"agent_id": x["agent_id"], "date": pd.to_datetime(
            x["received_at"]).dt.normalize(), "source": "complaint_root_cause",
            "code": x["root_cause"], "ref": x["case_id"]}))
    cs = frames.get("csat_response")
    if cs is not None and len(cs):
        require_columns(cs, ["survey_id", "agent_id", "invited_at", "dissat_reasons"],
                        "csat_response")
        m = (_window(cs, "invited_at", t0, t1) & cs["agent_id"].notna().to_numpy()
             & cs["dissat_reasons"].notna().to_numpy())
        x = cs.loc[m, ["survey_id", "agent_id", "invited_at", "dissat_reasons"]]
        x = x.assign(code=x["dissat_reasons"].astype(str).str.split("|")).explode("code")
        x = x[x["code"].str.strip() != ""]
        parts.append(pd.DataFrame({"agent_id": x["agent_id"], "date": pd.to_datetime(
            x["invited_at"]).dt.normalize(), "source": "dissat_reason",
            "code": x["code"].str.strip(), "ref": x["survey_id"]}))
    if monitoring is not None and len(monitoring):
        require_columns(monitoring, ["agent_id", "finding_date", "finding_code"],
                        "monitoring findings")
        x = monitoring.loc[_window(monitoring, "finding_date", t0, t1)]
        ref = (x["finding_id"] if "finding_id" in x.columns
               else pd.Series([f"M{i + 1}" for i in range(len(x))], index=x.index))
        parts.append(pd.DataFrame({"agent_id": x["agent_id"], "date": pd.to_datetime(
            x["finding_date"]).dt.normalize(), "source": "monitoring_finding",
            "code": x["finding_code"], "ref": ref}))
    cols = ["agent_id", "team_id", "date", "source", "code", "ref"]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    out = pd.concat(parts, ignore_index=True).merge(team, on="agent_id", how="inner")
    order = {s: i for i, s in enumerate(SOURCES)}
    out = out.assign(_o=out["source"].map(order)).sort_values(
        ["agent_id", "date", "_o", "ref"], kind="stable").drop(columns="_o")
    return out[cols].reset_index(drop=True)


def agent_training_needs(evidence: pd.DataFrame,
                         mapping: str | Path | TrainingMapping = "default", *,
                         min_count: int = 2,
                         training_record: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per agent × topic: the evidence pointing to it, and whether it is a (recurring) need.

    Parameters
    ----------
    evidence : DataFrame
        From :func:`training_evidence` (``agent_id``, ``team_id``, ``date``, ``source``,
        ``code``, ``ref``).
    mapping : str, Path or TrainingMapping, default "default"
    min_count : int, default 2
        Pieces of evidence that make a topic a need.
    training_record : DataFrame, optional
        When given, ``last_trained`` is the latest ``session_date`` of a course whose id starts
        with one of the topic's course prefixes, and ``trained_since`` says it falls on or after
        the topic's first evidence.

    Returns
    -------
    DataFrame
        Agents in order, topics by evidence count descending: ``agent_id``, ``team_id``,
        ``topic``, ``label_zh``, ``label_en``, ``category``, ``n_evidence``, ``n_sources``,
        ``sources`` and ``codes`` (``code×count``, most frequent first, ``|`` separated),
        ``first_date``, ``last_date``, ``is_need``, ``last_trained``, ``trained_since``.
        Evidence mapped to null or not in the mapping is left out (see
        :func:`training_evidence` for the raw rows).

    Examples
    --------
    A lost points on A1_tone twice and got one agent_attitude complaint → 3 pieces of evidence
    for communication_empathy (a need); one S1_probing deduction → needs_probing, not recurring:

    >>> ev = pd.DataFrame({"agent_id": ["A"] * 4, "team_id": ["T"] * 4,
    ...     "date": pd.to_datetime(["2026-03-01", "2026-03-05", "2026-03-09", "2026-03-09"]),
    ...     "source": ["qa_item", "qa_item", "complaint_root_cause", "qa_item"],
    ...     "code": ["A1_tone", "A1_tone", "agent_attitude", "S1_probing"],
    ...     "ref": ["E1", "E2", "K1", "E3"]})
    >>> out = agent_training_needs(ev)
    >>> out[["topic", "n_evidence", "n_sources", "is_need"]]
                       topic  n_evidence  n_sources  is_need
    0  communication_empathy           3          2     True
    1          needs_probing           1          1    False
    >>> out["codes"].tolist()
    ['A1_tone×2|agent_attitude×1', 'S1_probing×1']
    """
    if not isinstance(min_count, (int, np.integer)) or isinstance(min_count, bool) \
            or min_count < 1:
        raise ParameterError.expected("agent_training_needs", "min_count", "an int >= 1",
                                      min_count)
    m = load_mapping(mapping)
    require_columns(evidence, ["agent_id", "team_id", "date", "source", "code"],
                    "training evidence")
    e = evidence.merge(m.links, on=["source", "code"], how="inner")
    e = e[e["topic"].notna()]
    cols = ["agent_id", "team_id", "topic", "label_zh", "label_en", "category", "n_evidence",
            "n_sources", "sources", "codes", "first_date", "last_date", "is_need",
            "last_trained", "trained_since"]
    if not len(e):
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    e = e.assign(date=pd.to_datetime(e["date"]))
    g = e.groupby(["agent_id", "team_id", "topic"], sort=False)
    out = g.agg(n_evidence=("code", "size"), n_sources=("source", "nunique"),
                first_date=("date", "min"), last_date=("date", "max")).reset_index()
    src = g["source"].agg(lambda s: "|".join(dict.fromkeys(s))).rename("sources")

    def _codes(s: pd.Series) -> str:
        vc = s.value_counts(sort=False)
        vc = vc.iloc[np.lexsort((np.arange(len(vc)), -vc.to_numpy()))]
        return "|".join(f"{c}×{n}" for c, n in vc.items())

    codes = g["code"].agg(_codes).rename("codes")
    out = out.merge(src.reset_index(), on=["agent_id", "team_id", "topic"]).merge(
        codes.reset_index(), on=["agent_id", "team_id", "topic"])
    out = out.merge(m.topics, on="topic", how="left")
    out["n_evidence"] = out["n_evidence"].astype(np.int64)
    out["n_sources"] = out["n_sources"].astype(np.int64)
    out["is_need"] = out["n_evidence"] >= min_count
    out["last_trained"] = pd.NaT
    if training_record is not None and len(training_record):
        require_columns(training_record, ["agent_id", "course_id", "session_date"],
                        "training_record")
        tr = pd.DataFrame({"agent_id": training_record["agent_id"].to_numpy(),
                           "course_id": training_record["course_id"].astype(str).to_numpy(),
                           "_d": pd.to_datetime(training_record["session_date"]).to_numpy()})
        pref = out[["agent_id", "topic", "courses"]].assign(
            prefix=out["courses"].str.split("|")).explode("prefix")
        pref = pref[pref["prefix"].fillna("") != ""]
        x = pref.merge(tr, on="agent_id", how="inner")
        x = x[[c.startswith(p) for c, p in zip(x["course_id"], x["prefix"])]]
        last = x.groupby(["agent_id", "topic"])["_d"].max()
        key = pd.MultiIndex.from_frame(out[["agent_id", "topic"]])
        out["last_trained"] = pd.to_datetime(last.reindex(key).to_numpy())
    out["trained_since"] = (out["last_trained"] >= out["first_date"]).fillna(False).astype(bool)
    out = out.sort_values(["agent_id", "n_evidence", "topic"], ascending=[True, False, True],
                          kind="stable")
    return out[cols].reset_index(drop=True)


def team_training_needs(needs: pd.DataFrame, *, k: int = 3) -> pd.DataFrame:
    """Topics shared by agents of a team: one-to-many training when ``k`` or more agents share
    the need, else one-to-one coaching.

    Parameters
    ----------
    needs : DataFrame
        From :func:`agent_training_needs`; only rows with ``is_need`` count.
    k : int, default 3

    Returns
    -------
    DataFrame
        Per team, topics by agents descending: ``team_id``, ``topic``, ``label_zh``,
        ``label_en``, ``category``, ``n_agents``, ``agents`` (``|`` separated, most evidence
        first), ``n_evidence``, ``mode`` (``one_to_many`` / ``one_to_one``).

    Examples
    --------
    >>> needs = pd.DataFrame({"agent_id": ["A", "B", "C", "A"], "team_id": ["T"] * 4,
    ...     "topic": ["compliance", "compliance", "compliance", "call_control"],
    ...     "label_zh": ["合规"] * 3 + ["通话控制"], "label_en": ["c"] * 3 + ["cc"],
    ...     "category": ["general"] * 3 + ["skill"], "n_evidence": [2, 5, 3, 4],
    ...     "is_need": [True, True, True, True]})
    >>> team_training_needs(needs, k=3)[["topic", "n_agents", "agents", "n_evidence", "mode"]]
              topic  n_agents agents  n_evidence         mode
    0    compliance         3  B|C|A          10  one_to_many
    1  call_control         1      A           4   one_to_one
    """
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or k < 1:
        raise ParameterError.expected("team_training_needs", "k", "an int >= 1", k)
    require_columns(needs, ["agent_id", "team_id", "topic", "label_zh", "label_en", "category",
                            "n_evidence", "is_need"], "agent training needs")
    n = needs[needs["is_need"].astype(bool).to_numpy()]
    cols = ["team_id", "topic", "label_zh", "label_en", "category", "n_agents", "agents",
            "n_evidence", "mode"]
    if not len(n):
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    n = n.sort_values(["team_id", "topic", "n_evidence", "agent_id"],
                      ascending=[True, True, False, True], kind="stable")
    g = n.groupby(["team_id", "topic", "label_zh", "label_en", "category"], sort=False)
    out = g.agg(n_agents=("agent_id", "nunique"), agents=("agent_id", "|".join),
                n_evidence=("n_evidence", "sum")).reset_index()
    out["n_agents"] = out["n_agents"].astype(np.int64)
    out["n_evidence"] = out["n_evidence"].astype(np.int64)
    out["mode"] = np.where(out["n_agents"] >= k, "one_to_many", "one_to_one")
    out = out.sort_values(["team_id", "n_agents", "n_evidence", "topic"],
                          ascending=[True, False, False, True], kind="stable")
    return out[cols].reset_index(drop=True)
