"""A deterministic, realistic synthetic contact center (the demo center).

:func:`generate` builds one DataFrame per workspace table (see :mod:`ccomkit.schemas`) for a
mainland-China inbound center: queues with opening hours, two years of 30-minute interval
statistics with intraday / weekly / annual seasonality, Spring Festival and National Day effects,
调休 make-up workdays, campaigns and outages; a workforce with teams, team leaders, hires and
leavers; rosters, attendance and agent states consistent with the queue statistics; QA
evaluations, CSAT surveys, complaints, the recruitment funnel, training records and KPI targets.

The generating assumptions live in :class:`DemoSpec` and are documented in
``docs/demo-center.md``. Everything is drawn from one ``numpy.random.default_rng(seed)`` in a fixed
order, so the same arguments always give identical frames; nothing depends on today's date.

The service outcomes come from an Erlang-A style approximation (Erlang C for the probability of
waiting, exponential patience for abandonment, a fluid bound when overloaded), evaluated for
every queue × interval from the offered calls and the agents actually logged in and available.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ccomkit.errors import ParameterError
from ccomkit.schemas import PANDAS_DTYPES, TABLES

__all__ = ["DemoSpec", "QueueSpec", "DEFAULT_QUEUES", "generate", "TABLE_ORDER"]

SLOT_S = 1800  # 30-minute intervals
SLOTS = 48
DAY_S = 86400
BIG = 10**7  # "never" in day numbers

TABLE_ORDER = (
    "acd_interval", "agent_dim", "agent_interval", "schedule", "attendance", "qa_evaluation",
    "qa_item", "csat_response", "complaint", "hr_event", "recruit_funnel", "training_record",
    "kpi_target",
)


# --------------------------------------------------------------------------------------------
# Assumptions
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueSpec:
    """One queue of the demo center.

    ``open_h``/``close_h`` are the opening hours (0 and 24 for a 24×7 queue); ``workdays_only``
    closes the queue on weekends and public holidays (it opens on 调休 make-up workdays);
    ``share`` is the queue's share of the workforce; ``aht_s`` the tenured average handle time
    (for chat: the length of a session, of which an agent runs ``concurrency`` at once);
    ``patience_s`` the mean caller patience; ``weekend_factor`` the weekend volume relative to a
    mid-week day; ``evening`` the weight of the evening hump of the intraday profile.
    """

    queue_id: str
    name_zh: str
    channel: str
    open_h: int
    close_h: int
    share: float
    aht_s: float
    sl_threshold_s: int = 20
    patience_s: float = 180.0
    workdays_only: bool = False
    concurrency: float = 1.0
    priority: float = 1.0  # share of the pool's load its calls wait behind (VIP jumps the line)
    weekend_factor: float = 0.72
    evening: float = 0.35
    talk_frac: float = 0.78
    hold_frac: float = 0.06
    flow_out_frac: float = 0.02
    entry: bool = True  # new hires may start on this queue
    group: str = ""  # team group (small queues share teams)


DEFAULT_QUEUES: tuple[QueueSpec, ...] = (
    QueueSpec("GEN", "综合服务", "voice", 0, 24, 0.42, 290, patience_s=170, group="GEN"),
    QueueSpec("BIL", "账单查询", "voice", 8, 22, 0.14, 265, patience_s=160, group="BIL"),
    QueueSpec("TEC", "技术支持", "voice", 8, 22, 0.13, 430, patience_s=200, hold_frac=0.10,
              group="TEC"),
    QueueSpec("VIP", "贵宾专线", "voice", 0, 24, 0.06, 360, sl_threshold_s=10, patience_s=120,
              priority=0.85, entry=False, group="SPC"),
    QueueSpec("BIZ", "政企业务", "voice", 9, 18, 0.07, 380, workdays_only=True, entry=False,
              group="SPC"),
    QueueSpec("ESC", "投诉升级", "voice", 9, 21, 0.025, 620, patience_s=240, hold_frac=0.09,
              talk_frac=0.72, entry=False, group="SPC"),
    QueueSpec("CHAT", "在线客服", "chat", 8, 24, 0.155, 540, sl_threshold_s=30, patience_s=300,
              concurrency=2.2, weekend_factor=0.86, evening=0.85, talk_frac=0.88, hold_frac=0.0,
              flow_out_frac=0.01, group="CHAT"),
)


@dataclass(frozen=True)
class DemoSpec:
    """The generating assumptions of the demo center (see ``docs/demo-center.md``).

    Parameters
    ----------
    seats : int
        Workstations. Volume is proportional to the seats (``voice_scale``, ``chat_scale``);
        the workforce is sized to what the plan needs (≈ 1.4 heads a seat at 200 seats, more
        in a very small center).
    seed : int
        Seed of ``numpy.random.default_rng``.
    end_date : date
        Last day generated.
    years : int
        Length of the history in years.
    queues : tuple of QueueSpec
    """

    seats: int = 200
    seed: int = 20261123
    end_date: date = date(2026, 10, 31)
    years: int = 2
    queues: tuple[QueueSpec, ...] = DEFAULT_QUEUES
    voice_scale: float = 19500.0  # mid-week voice calls a day per seat × AHT / share
    chat_scale: float = 17500.0
    plan_model: str = "erlang_c"  # requirement model of the planners: "erlang_a" or "erlang_c"
    team_size: int = 13
    workdays_per_week: float = 6.0  # 做六休一 rota of outsourced centers (5.5 = 大小周)
    part_time_frac: float = 0.25
    absence_rate: float = 0.04
    late_rate: float = 0.05
    annual_growth: float = 0.07
    sl_target: float = 0.8
    invite_rate: float = 0.075  # CSAT invitations per handled contact
    complaint_rate: float = 0.0022  # complaints per handled contact
    qa_per_month: float = 6.5
    qa_per_month_new: float = 11.0
    fatal_rate: float = 0.012

    def __post_init__(self) -> None:
        owner = "DemoSpec"
        if not isinstance(self.seats, (int, np.integer)) or isinstance(self.seats, bool) \
                or not 10 <= self.seats <= 20000:
            raise ParameterError(
                f"The 'seats' parameter of {owner} must be an int in [10, 20000]. "
                f"Got {self.seats!r} instead.", param="seats", value=self.seats)
        if not isinstance(self.years, (int, np.integer)) or isinstance(self.years, bool) \
                or not 1 <= self.years <= 5:
            raise ParameterError(
                f"The 'years' parameter of {owner} must be an int in [1, 5]. "
                f"Got {self.years!r} instead.", param="years", value=self.years)
        if not isinstance(self.seed, (int, np.integer)) or isinstance(self.seed, bool):
            raise ParameterError(
                f"The 'seed' parameter of {owner} must be an int. Got {self.seed!r} instead.",
                param="seed", value=self.seed)
        if not isinstance(self.end_date, date):
            raise ParameterError(
                f"The 'end_date' parameter of {owner} must be a date. "
                f"Got {self.end_date!r} instead.", param="end_date", value=self.end_date)

    @property
    def start_date(self) -> date:
        ts = pd.Timestamp(self.end_date) - pd.DateOffset(years=self.years) + pd.Timedelta(days=1)
        return ts.date()


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------

_STR_DTYPE = pd.Series(["x"]).dtype
_QA_ITEMS: tuple[tuple[str, str, float, float], ...] = (
    # section, item_code, max_points, base deduction probability
    ("language", "L1_greeting_closing", 5, 0.10),
    ("language", "L2_staff_id", 5, 0.05),
    ("language", "L3_forbidden_words", 5, 0.04),
    ("attitude", "A1_tone", 7, 0.12),
    ("attitude", "A2_patience", 7, 0.10),
    ("attitude", "A3_empathy_no_interrupt", 6, 0.16),
    ("skill", "S1_probing", 7, 0.17),
    ("skill", "S2_call_control", 6, 0.12),
    ("skill", "S3_hold_transfer_etiquette", 6, 0.10),
    ("skill", "S4_expectation_setting", 6, 0.13),
    ("accuracy", "C1_correct_information", 15, 0.09),
    ("accuracy", "C2_correct_process", 15, 0.09),
    ("accuracy", "C3_system_record", 10, 0.13),
)
_FATAL_ITEMS = {
    "customer": "F1_customer_abuse_or_false_promise",
    "business": "F2_business_loss_wrong_operation",
    "compliance": "F3_privacy_or_compliance_breach",
}
_QA_COMMENTS = {
    "L1_greeting_closing": "未使用标准开头语/结束语",
    "L2_staff_id": "未主动报工号",
    "L3_forbidden_words": "使用服务禁语",
    "A1_tone": "语气生硬",
    "A2_patience": "缺乏耐心,催促客户",
    "A3_empathy_no_interrupt": "抢话/缺少安抚",
    "S1_probing": "未有效探询需求",
    "S2_call_control": "通话节奏控制不当",
    "S3_hold_transfer_etiquette": "保持/转接未告知客户",
    "S4_expectation_setting": "未告知处理时限",
    "C1_correct_information": "解释错误或不完整",
    "C2_correct_process": "业务流程操作错误",
    "C3_system_record": "工单记录不完整",
}
_SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
_GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕彬鹏辉建鑫宇浩然欣怡梓涵子轩一诺思雨晨曦佳琪雪婷文博嘉怡雅琳志强海燕晓东")
_LEAVE_REASONS_VOL = ("better_offer", "pay", "schedule_pressure", "further_study", "relocation",
                      "family", "health", "career_change")
_LEAVE_P_VOL = (0.24, 0.2, 0.16, 0.08, 0.1, 0.1, 0.05, 0.07)
_LEAVE_REASONS_INV = ("failed_probation", "performance", "attendance", "misconduct")
_COMPLAINT_CATS = ("service_attitude", "wrong_information", "long_wait", "billing_dispute",
                   "unresolved_issue", "process_policy", "privacy")
_COMPLAINT_P = (0.18, 0.16, 0.14, 0.18, 0.16, 0.14, 0.04)
_ROOT_BY_CAT = {
    "service_attitude": "agent_attitude", "wrong_information": "agent_knowledge",
    "long_wait": "staffing", "billing_dispute": "system_billing", "unresolved_issue": "process",
    "process_policy": "policy", "privacy": "agent_compliance",
}
_DSAT_COMMENTS = ("等待时间太长", "问题没有解决", "客服态度不好", "解答不清楚", "转了好几次",
                  "希望尽快回电")


def _to_str(arr: pa.Array) -> pd.Series:
    """An arrow string array as a pandas Series of pandas' default string dtype."""
    if _STR_DTYPE == object:
        return pd.Series(arr.to_numpy(zero_copy_only=False), dtype=object)
    return pd.Series(arr.to_pandas(types_mapper={pa.string(): _STR_DTYPE}.get))  # pragma: no cover


def _cat(uniques: Sequence[str | None], codes: np.ndarray) -> pd.Series:
    """Strings chosen from ``uniques`` by integer ``codes`` (fast, shares the string objects)."""
    u = np.asarray(list(uniques), dtype=object)
    vals = u[np.asarray(codes)]
    if _STR_DTYPE == object:
        return pd.Series(vals, dtype=object)
    return pd.Series(vals).astype(_STR_DTYPE)  # pragma: no cover


def _ids(prefix: str, numbers: np.ndarray, width: int) -> pd.Series:
    """``prefix`` + zero-padded ``numbers`` as strings, vectorised."""
    s = pc.utf8_lpad(pa.array(np.asarray(numbers, dtype=np.int64)).cast(pa.string()), width, "0")
    return _to_str(pc.binary_join_element_wise(prefix, s, ""))


def _hex_keys(rng: np.random.Generator, n: int) -> pd.Series:
    raw = rng.integers(0, 2**63 - 1, size=n, dtype=np.int64).astype(">i8").tobytes().hex()
    arr = np.frombuffer(raw.encode("ascii"), dtype="S16").astype("U16")
    return pd.Series(arr, dtype=object).astype(_STR_DTYPE) if _STR_DTYPE != object \
        else pd.Series(arr.astype(object))


def _conform(df: pd.DataFrame, table: str) -> pd.DataFrame:
    """Columns in contract order and contract dtypes (strings in pandas' default string dtype)."""
    t = TABLES[table]
    out = {}
    for c in t.columns:
        s = df[c.name] if c.name in df else pd.Series([None] * len(df))
        kind = c.dtype
        if kind == "str":
            if s.dtype != _STR_DTYPE:
                s = s.astype(object).where(s.notna(), None)
                if _STR_DTYPE != object:  # pragma: no cover
                    s = s.astype(_STR_DTYPE)
        elif kind in ("date", "timestamp"):
            s = pd.to_datetime(s).astype(PANDAS_DTYPES[kind])
        else:
            s = s.astype(PANDAS_DTYPES[kind])
        out[c.name] = s.reset_index(drop=True)
    return pd.DataFrame(out)


def _gauss(t: np.ndarray, mu: float, sd: float) -> np.ndarray:
    return np.exp(-0.5 * ((t - mu) / sd) ** 2)


# --------------------------------------------------------------------------------------------
# Calendar
# --------------------------------------------------------------------------------------------


def _day_calendar(start: date, end: date) -> pd.DataFrame:
    """Day types for [start, end]: date, weekday, day_type, is_workday, festival, is_eve.

    Uses :func:`ccomkit.calendar.day_types` when available, else ``holidays.China`` directly.
    ``festival`` is 'spring', 'national', 'other' on holiday days and '' otherwise.
    """
    try:
        from ccomkit.calendar import day_types
    except ImportError:  # pragma: no cover - the calendar module ships with the package
        day_types = None
    if day_types is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cal = day_types(start, end)
        name = cal["holiday_name_en"].fillna("").astype(str) + "|" + \
            cal["holiday_name"].fillna("").astype(str)
        out = pd.DataFrame({
            "date": pd.to_datetime(cal["date"]).dt.date,
            "weekday": cal["weekday"].astype(int),
            "day_type": cal["day_type"].astype(str),
            "is_workday": cal["is_workday"].astype(bool),
            "is_eve": cal["is_eve"].astype(bool),
            "name": name,
        })
    else:  # pragma: no cover
        out = _holidays_fallback(start, end)
    fest = np.where(out["name"].str.contains("Spring Festival|春节|Chinese New Year", regex=True),
                    "spring", np.where(out["name"].str.contains("National Day|国庆", regex=True),
                                       "national", "other"))
    out["festival"] = np.where(out["day_type"] == "holiday", fest, "")
    return out.drop(columns="name").reset_index(drop=True)


def _holidays_fallback(start: date, end: date) -> pd.DataFrame:  # pragma: no cover
    import holidays

    cn = holidays.China(years=range(start.year - 1, end.year + 2))
    makeup = set(getattr(cn, "weekend_workdays", set()))
    days = pd.date_range(start - timedelta(days=10), end + timedelta(days=10), freq="D").date
    rows = []
    for d in days:
        if d in cn:
            dt, nm = "holiday", cn.get(d)
        elif d in makeup:
            dt, nm = "makeup_workday", ""
        elif d.weekday() >= 5:
            dt, nm = "weekend", ""
        else:
            dt, nm = "workday", ""
        rows.append([d, d.weekday(), dt, nm])
    df = pd.DataFrame(rows, columns=["date", "weekday", "day_type", "name"])
    # weekends enclosed by a holiday block belong to it
    for i in range(1, len(df) - 1):
        if df.at[i, "day_type"] == "weekend":
            j = i
            while j < len(df) and df.at[j, "day_type"] == "weekend":
                j += 1
            if j < len(df) and df.at[i - 1, "day_type"] == "holiday" and df.at[j, "day_type"] == "holiday":
                df.loc[i:j - 1, "day_type"] = "holiday"
                df.loc[i:j - 1, "name"] = df.at[i - 1, "name"]
    df["is_workday"] = df["day_type"].isin(["workday", "makeup_workday"])
    nxt = df["day_type"].shift(-1).eq("holiday")
    df["is_eve"] = df["is_workday"] & nxt
    keep = (df["date"] >= start) & (df["date"] <= end)
    return df.loc[keep].reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Volume
# --------------------------------------------------------------------------------------------


def _daily_factors(cal: pd.DataFrame, q: QueueSpec, growth: float) -> np.ndarray:
    """Mean daily volume of a queue relative to a mid-week day (trend, season, week, holidays)."""
    n = len(cal)
    t = np.arange(n)
    trend = (1 + growth) ** ((t - n) / 365.0)
    month = np.array([d.month for d in cal["date"]])
    season = np.array([1.0, 1.02, 0.96, 1.03, 1.0, 0.99, 1.03, 1.05, 1.01, 0.98, 0.96, 1.06, 1.04])[month]
    wd = cal["weekday"].to_numpy()
    dtype = cal["day_type"].to_numpy()
    fest = cal["festival"].to_numpy()
    dow = np.array([1.17, 1.06, 1.0, 0.99, 0.96, 1.0, 1.0])[wd]
    f = np.where(dtype == "weekend", np.where(wd == 5, q.weekend_factor * 1.03, q.weekend_factor * 0.95), dow)
    f = np.where(dtype == "makeup_workday", 1.02, f)  # 调休 days behave like workdays
    hol = dtype == "holiday"
    chat = q.channel == "chat"
    # position inside each holiday block
    pos = np.zeros(n, dtype=int)
    for i in range(1, n):
        if hol[i] and hol[i - 1]:
            pos[i] = pos[i - 1] + 1
    spring = np.where(pos <= 0, 0.36, np.where(pos <= 2, 0.30, 0.48))
    hf = np.where(fest == "spring", spring, np.where(fest == "national", 0.62, 0.74))
    if chat:
        hf = 1 - (1 - hf) * 0.7
    f = np.where(hol, hf, f)
    # days after a holiday block: the back-to-work surge
    after = np.full(n, 99)
    last_fest = np.array([""] * n, dtype=object)
    cur, lf = 99, ""
    for i in range(n):
        if hol[i]:
            cur, lf = 0, fest[i]
        elif cur < 99:
            cur += 1
        after[i], last_fest[i] = cur, lf
    work = cal["is_workday"].to_numpy()
    surge = {"spring": (1.5, 1.27, 1.12), "national": (1.36, 1.16, 1.06), "other": (1.24, 1.09, 1.0)}
    # count workdays since the block
    wcount = np.zeros(n, dtype=int)
    c = 0
    for i in range(n):
        if hol[i]:
            c = 0
        elif work[i]:
            c += 1
        wcount[i] = c
    for fname, (a, b, cc) in surge.items():
        m = (last_fest == fname) & work & (after < 12)
        f = np.where(m & (wcount == 1), f * a, f)
        f = np.where(m & (wcount == 2), f * b, f)
        f = np.where(m & (wcount == 3), f * cc, f)
    # run-up to Spring Festival: migrants travel, fewer calls
    for i in range(n):
        if fest[i] == "spring" and (i == 0 or fest[i - 1] != "spring"):
            lo = max(0, i - 5)
            f[lo:i] *= 0.88
    f = np.where(cal["is_eve"].to_numpy() & ~hol, f * 1.04, f)
    return trend * season * f


def _intraday(q: QueueSpec, weekendish: bool) -> np.ndarray:
    """Share of a day's calls per 30-minute slot (zero outside opening hours)."""
    t = (np.arange(SLOTS) + 0.5) / 2
    plateau = 0.22 / (1 + np.exp(-(t - 7.6) * 2)) / (1 + np.exp((t - 21.8) * 1.6))
    if weekendish:
        p = 0.035 + plateau * 1.2 + 0.75 * _gauss(t, 10.6, 1.5) + 0.72 * _gauss(t, 15.2, 1.7) \
            + (q.evening + 0.08) * _gauss(t, 20.2, 1.6)
    else:
        p = 0.03 + plateau + 1.0 * _gauss(t, 10.0, 1.15) + 0.9 * _gauss(t, 14.8, 1.35) \
            + q.evening * _gauss(t, 20.0, 1.5)
    open_ = (t >= q.open_h) & (t < q.close_h)
    p = np.where(open_, p, 0.0)
    return p / p.sum()


# --------------------------------------------------------------------------------------------
# Queueing (Erlang C / Erlang-A style, vectorised)
# --------------------------------------------------------------------------------------------


def _erlang_c(n: np.ndarray, a: np.ndarray) -> np.ndarray:
    """Probability of waiting, Erlang C, continuous in ``n`` (agents) for load ``a`` (Erlangs)."""
    from scipy.special import gammaincc, gammaln

    n = np.asarray(n, dtype=float)
    a = np.asarray(a, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        asafe = np.maximum(a, 1e-12)
        logpmf = n * np.log(asafe) - asafe - gammaln(n + 1)
        cdf = gammaincc(n + 1, asafe)
        b = np.exp(logpmf - np.log(np.maximum(cdf, 1e-300)))
        b = np.clip(b, 0, 1)
        c = n * b / (n - a * (1 - b))
        c = np.where((n > a) & np.isfinite(c), np.clip(c, 0, 1), 1.0)
    return np.where(a <= 1e-9, 0.0, c)


def _agents_needed(a: np.ndarray, aht: np.ndarray, t_s: np.ndarray, target: float) -> np.ndarray:
    """Continuous servers needed so that Erlang C gives ``target`` answered within ``t_s``."""
    lo = np.maximum(a, 0.0)
    hi = a + 6 * np.sqrt(a) + 6
    for _ in range(30):
        mid = (lo + hi) / 2
        pw = _erlang_c(mid, a)
        sl = 1 - pw * np.exp(-(mid - a) * t_s / aht)
        ok = sl >= target
        hi = np.where(ok, mid, hi)
        lo = np.where(ok, lo, mid)
    return np.where(a <= 1e-9, 0.0, hi)


def _agents_needed_a(lam: np.ndarray, aht: np.ndarray, patience: np.ndarray, t_s: np.ndarray,
                     target: float) -> np.ndarray:
    """Continuous servers needed so that :func:`_service` (abandonment included) answers
    ``target`` of the offered calls within ``t_s``."""
    a = lam * aht
    lo = np.maximum(a * 0.5, 0.0)
    hi = a + 6 * np.sqrt(a) + 6
    for _ in range(18):
        mid = (lo + hi) / 2
        ok = _service(lam, mid, aht, patience, t_s)["ans_t"] >= target
        hi = np.where(ok, mid, hi)
        lo = np.where(ok, lo, mid)
    return np.where(a <= 1e-9, 0.0, hi)


_IMPATIENT = 0.25  # share of callers with the queue's mean patience ...
_PATIENT_X = 6.0  # ... the others are this many times more patient


def _service(lam: np.ndarray, n: np.ndarray, aht: np.ndarray, patience: np.ndarray,
             t_s: np.ndarray) -> dict[str, np.ndarray]:
    """Erlang-A style outcome fractions for arrival rate ``lam`` (per second), ``n`` servers.

    Callers' patience is a mix of two exponentials (a quarter with mean ``patience``, the rest
    six times as patient), the load on the servers is reduced by the abandons (fixed point), and an
    overloaded queue abandons at least the fluid excess ``1 - n/a``.

    Returns fractions of offered: abandoned ``ab``, answered within T ``ans_t``; the probability
    of waiting ``pw``; ``r`` the mean rate (per s) at which a waiting call leaves the queue.
    """
    a = lam * aht
    g1 = 1.0 / patience
    g2 = g1 / _PATIENT_X
    f1 = _IMPATIENT
    with np.errstate(divide="ignore", invalid="ignore"):
        fluid = np.clip(1 - n / np.maximum(a, 1e-12), 0, 0.995)
        ab = fluid.copy()
        for _ in range(12):
            a_eff = np.minimum(a * (1 - ab), n * 0.985)
            pw = _erlang_c(n, a_eff)
            nu = np.maximum(n - a_eff, 0.0) / aht
            new = pw * (f1 * g1 / (nu + g1) + (1 - f1) * g2 / (nu + g2))
            new = np.maximum(new, fluid)
            ab = 0.5 * ab + 0.5 * new
        ans_w = (f1 * nu / (nu + g1) * (1 - np.exp(-(nu + g1) * t_s))
                 + (1 - f1) * nu / (nu + g2) * (1 - np.exp(-(nu + g2) * t_s)))
        ans_t = (1 - pw) + pw * ans_w
        r = 1.0 / (f1 / (nu + g1) + (1 - f1) / (nu + g2))  # mean wait = 1/r
    none = n <= 0.05
    ab = np.where(none, 1.0, ab)
    ans_t = np.where(none, 0.0, np.minimum(ans_t, 1 - ab))
    pw = np.where(none, 1.0, pw)
    r = np.where(none, g1, r)
    return {"ab": ab, "ans_t": ans_t, "pw": pw, "r": r, "nu": np.where(none, 0.0, nu)}


# --------------------------------------------------------------------------------------------
# Workforce (agents and HR events)
# --------------------------------------------------------------------------------------------


@dataclass
class _Workforce:
    agent_id: list[str] = field(default_factory=list)
    name: list[str] = field(default_factory=list)
    role: list[str] = field(default_factory=list)
    hire: list[int] = field(default_factory=list)
    leave: list[int] = field(default_factory=list)
    q0: list[int] = field(default_factory=list)
    q1: list[int] = field(default_factory=list)
    transfer_day: list[int] = field(default_factory=list)
    team: list[int] = field(default_factory=list)
    quality: list[float] = field(default_factory=list)
    part_time: list[bool] = field(default_factory=list)
    channel: list[str] = field(default_factory=list)
    tl_since: list[int] = field(default_factory=list)
    level_up: list[int] = field(default_factory=list)
    events: list[tuple] = field(default_factory=list)


_SUPPORT_ROLES = ("supervisor", "qa", "trainer", "wfm", "coordinator", "manager")


def _support_counts(agents: int) -> dict[str, int]:
    """Support roles for ``agents`` agents. A small center (under 60 agents) has no
    supervisor, WFM analyst or coordinator: the manager and the team leaders do that work."""
    teams = max(1, round(agents / 13))
    small = agents < 60
    return {
        "team_leader": teams,
        "supervisor": 0 if small else max(1, -(-teams // 6)),
        "qa": max(2 if agents < 100 else 4, round(agents / 45)),
        "trainer": max(1 if agents < 90 else 2, round(agents / 90)),
        "wfm": 0 if small else max(1, round(agents / 150)),
        "coordinator": 0 if small else max(1, round(agents / 150)),
        "manager": 1 + agents // 1000,
    }


def _build_workforce(spec: DemoSpec, rng: np.random.Generator, cal: pd.DataFrame, agents: int
                     ) -> tuple[_Workforce, dict]:
    """Simulate the staff month by month: initial staff, leavers, hiring waves, promotions."""
    n_days = len(cal)
    queues = spec.queues
    agents = max(int(agents), 4)
    sup = _support_counts(agents)
    hc_target = agents + sum(sup.values())
    shares = np.array([q.share for q in queues])
    shares = shares / shares.sum()
    q_target = shares * agents
    groups = sorted({q.group for q in queues}, key=[q.group for q in queues].index)
    g_of_q = np.array([groups.index(q.group) for q in queues])
    g_target = np.array([q_target[g_of_q == g].sum() for g in range(len(groups))])
    teams_per_group = np.round(g_target / spec.team_size).astype(int)
    if teams_per_group.sum() == 0:
        teams_per_group[int(np.argmax(g_target))] = 1
    # a group too small for a team of its own joins the teams of the largest group
    big = int(np.argmax(teams_per_group))
    g_of_q = np.where(teams_per_group[g_of_q] > 0, g_of_q, big)
    # total teams should equal the TL count
    sup["team_leader"] = int(teams_per_group.sum())
    team_group = np.repeat(np.arange(len(groups)), teams_per_group)
    wf = _Workforce()
    seq = [0]

    def new_agent(role: str, hire: int, q: int, team: int, pt: bool, ch: str) -> int:
        seq[0] += 1
        idx = len(wf.agent_id)
        wf.agent_id.append(f"A{10000 + seq[0]:05d}")
        wf.name.append(_SURNAMES[rng.integers(len(_SURNAMES))] +
                       "".join(_GIVEN[k] for k in rng.integers(len(_GIVEN), size=rng.integers(1, 3))))
        wf.role.append(role)
        wf.hire.append(hire)
        wf.leave.append(BIG)
        wf.q0.append(q)
        wf.q1.append(q)
        wf.transfer_day.append(BIG)
        wf.team.append(team)
        wf.quality.append(float(rng.normal()))
        wf.part_time.append(pt)
        wf.channel.append(ch)
        wf.tl_since.append(hire if role == "team_leader" else BIG)
        wf.level_up.append(0)
        return idx

    channels = ("online", "offline", "campus", "referral", "agency")
    ch_p = np.array([0.36, 0.14, 0.18, 0.22, 0.10])

    def pick_channel(month: int) -> str:
        p = ch_p.copy()
        if month in (6, 7, 8):
            p[2] *= 2.5
        return channels[rng.choice(5, p=p / p.sum())]

    # initial staff ------------------------------------------------------------------------
    for t in range(len(team_group)):  # team leaders
        g = team_group[t]
        qs = np.flatnonzero(g_of_q == g)
        new_agent("team_leader", -int(400 + rng.exponential(900)), int(qs[0]), t, False,
                  pick_channel(3))
    for role, k in sup.items():
        if role == "team_leader":
            continue
        for _ in range(k):
            new_agent(role, -int(300 + rng.exponential(1200)), 0, int(rng.integers(len(team_group))),
                      False, pick_channel(3))
    q_counts = np.round(q_target).astype(int)
    for qi, k in enumerate(q_counts):
        teams = np.flatnonzero(team_group == g_of_q[qi])
        for j in range(k):
            tenure = int(rng.exponential(560)) + 1
            if not queues[qi].entry:
                tenure += 200
            pt = bool(queues[qi].channel == "chat" or queues[qi].queue_id == "GEN") and \
                rng.random() < spec.part_time_frac * 1.4
            new_agent("agent", -tenure, qi, int(teams[j % len(teams)]), pt, pick_channel(3))

    # monthly simulation -----------------------------------------------------------------
    dates = cal["date"].to_numpy()
    month_key = np.array([d.year * 12 + d.month - 1 for d in dates])
    month_starts = np.flatnonzero(np.r_[True, month_key[1:] != month_key[:-1]])
    month_ends = np.r_[month_starts[1:] - 1, n_days - 1]
    is_work = cal["is_workday"].to_numpy()
    weekday = cal["weekday"].to_numpy()
    season_haz = {1: 0.85, 2: 0.75, 3: 1.55, 4: 1.15, 5: 1.0, 6: 1.0, 7: 1.1, 8: 1.1, 9: 0.95,
                  10: 0.95, 11: 0.9, 12: 0.85}

    def active(day: int) -> np.ndarray:
        h = np.array(wf.hire)
        lv = np.array(wf.leave)
        return (h <= day) & (lv > day)

    for m0, m1 in zip(month_starts, month_ends):
        month = dates[m0].month
        # hiring wave: classes start on the first Monday that is a workday
        cand = [d for d in range(m0, min(m1 + 1, m0 + 10)) if weekday[d] == 0 and is_work[d]]
        class_day = cand[0] if cand else m0
        act = active(class_day)
        roles = np.array(wf.role)
        hire = np.array(wf.hire)
        n_agents = int((act & (roles == "agent")).sum())
        tenure = class_day - hire
        haz = np.where(tenure < 90, 0.10, np.where(tenure < 365, 0.045, 0.028))
        exp_leave = float((haz * (act & (roles == "agent"))).sum())
        size = int(round(agents - n_agents + 1.2 * exp_leave))
        if size >= max(2 if agents < 100 else 3, agents // 80) and dates[m0] < spec.end_date - timedelta(days=20):
            qa_ = np.array(wf.q0)
            cur = np.array([((qa_ == qi) & act & (roles == "agent")).sum() for qi in range(len(queues))])
            for _ in range(size):
                deficit = q_target - cur
                for qi, q in enumerate(queues):
                    if not q.entry:
                        deficit[qi] = -1e9
                qi = int(np.argmax(deficit))
                cur[qi] += 1
                teams = np.flatnonzero(team_group == g_of_q[qi])
                tm = np.array(wf.team)
                actp = np.r_[act, np.ones(len(tm) - len(act), dtype=bool)]
                members = np.array([((tm == t) & actp).sum() for t in teams])
                pt = bool(queues[qi].channel == "chat" or queues[qi].queue_id == "GEN") and \
                    rng.random() < spec.part_time_frac * 1.4
                new_agent("agent", class_day, qi, int(teams[np.argmin(members)]), pt,
                          pick_channel(month))
        # transfers of tenured agents into the specialist queues
        act = active(m0)
        roles = np.array(wf.role)
        q_now = np.where(np.array(wf.transfer_day) <= m0, np.array(wf.q1), np.array(wf.q0))
        hire = np.array(wf.hire)
        for qi, q in enumerate(queues):
            if q.entry:
                continue
            have = int(((q_now == qi) & act & (roles == "agent")).sum())
            need = int(round(q_target[qi])) - have
            if need <= 0:
                continue
            pool = np.flatnonzero(act & (roles == "agent") & (q_now == 0) &
                                  (np.array(wf.transfer_day) == BIG) & (m0 - hire > 240))
            if len(pool) == 0:
                continue
            order = pool[np.argsort(-(np.array(wf.quality)[pool] + (m0 - hire[pool]) / 900))]
            teams = np.flatnonzero(team_group == g_of_q[qi])
            for i in order[:need]:
                day = int(m0 + rng.integers(0, 5))
                wf.q1[i] = qi
                wf.transfer_day[i] = day
                old_team = wf.team[i]
                wf.team[i] = int(teams[rng.integers(len(teams))])
                wf.events.append((i, "transfer", day, None, None, None,
                                  f"{queues[0].queue_id}/T{old_team + 1:02d}",
                                  f"{q.queue_id}/T{wf.team[i] + 1:02d}"))
        # leavers
        act = np.array(wf.hire) <= m1
        act &= np.array(wf.leave) > m0
        roles = np.array(wf.role)
        hire = np.array(wf.hire)
        qual = np.array(wf.quality)
        mid = (m0 + m1) // 2
        tenure = mid - hire
        haz = np.where(tenure < 30, 0.11, np.where(tenure < 90, 0.09,
                       np.where(tenure < 365, 0.045, 0.032)))
        haz = haz * np.exp(-0.25 * qual) * season_haz[month]
        haz = np.where(roles == "team_leader", 0.012, haz)
        haz = np.where(np.isin(roles, _SUPPORT_ROLES), 0.0, haz)
        u = rng.random(len(haz))
        leaving = np.flatnonzero(act & (u < haz))
        for i in leaving:
            lo = max(m0, wf.hire[i] + 1)
            if lo > m1:
                continue
            day = int(rng.integers(lo, m1 + 1))
            ten = day - wf.hire[i]
            p_inv = 0.18 + (0.17 if ten < 90 else 0.0) + 0.08 * max(0.0, -wf.quality[i])
            if rng.random() < p_inv:
                ltype = "involuntary"
                if ten < 25:
                    reason = "failed_training"
                elif ten < 90:
                    reason = "failed_probation"
                else:
                    reason = _LEAVE_REASONS_INV[1 + rng.integers(3)]
            else:
                ltype = "voluntary"
                reason = _LEAVE_REASONS_VOL[rng.choice(len(_LEAVE_REASONS_VOL), p=_LEAVE_P_VOL)]
            wf.leave[i] = day
            wf.events.append((i, "leave", day, ltype, reason, None, None, None))
            if wf.role[i] == "team_leader":  # promote the best senior agent of the team
                tm = np.array(wf.team)
                rl = np.array(wf.role)
                hv = np.array(wf.hire)
                lv = np.array(wf.leave)
                pool = np.flatnonzero((tm == wf.team[i]) & (rl == "agent") & (hv < day - 365) &
                                      (lv > day + 1) & ~np.array(wf.part_time))
                if len(pool):
                    j = int(pool[np.argmax(np.array(wf.quality)[pool])])
                    wf.role[j] = "team_leader"
                    wf.tl_since[j] = day + 1
                    wf.events.append((j, "promotion", day + 1, None, None, None, "agent",
                                      "team_leader"))
        # semi-annual level review
        if month in (1, 7):
            act = active(m0)
            roles = np.array(wf.role)
            hire = np.array(wf.hire)
            elig = np.flatnonzero(act & (roles == "agent") & (m0 - hire > 180))
            if len(elig):
                score = np.array(wf.quality)[elig] + rng.normal(0, 0.6, len(elig))
                top = elig[np.argsort(-score)[: max(1, int(0.07 * len(elig)))]]
                for i in top:
                    lvl0 = _level_for(m0 - wf.hire[i], wf.level_up[i])
                    if lvl0 == "expert":
                        continue
                    wf.level_up[i] += 1
                    wf.events.append((int(i), "promotion", int(m0), None, None, None, lvl0,
                                      _level_for(m0 - wf.hire[i], wf.level_up[i])))
    info = {"agents_target": agents, "q_target": q_target, "team_group": team_group,
            "groups": groups, "hc_target": hc_target}
    return wf, info


_LEVELS = ("junior", "intermediate", "senior", "expert")


def _level_for(tenure_days: int, ups: int) -> str:
    base = 0 if tenure_days < 365 else (1 if tenure_days < 900 else 2)
    return _LEVELS[min(3, base + ups)]


# --------------------------------------------------------------------------------------------
# The generator
# --------------------------------------------------------------------------------------------


def generate(seats: int = 200, seed: int = 20261123, end_date: date = date(2026, 10, 31),
             years: int = 2, *, spec: DemoSpec | None = None) -> dict[str, pd.DataFrame]:
    """Generate the demo center: one DataFrame per contract table.

    Parameters
    ----------
    seats : int, default 200
        Workstations; the offered volume is proportional to the seats and the headcount
        follows the workload (≈ 1.4 × seats at 200 seats).
    seed : int, default 20261123
        Seed of the random generator. The same arguments always give identical frames.
    end_date : date, default 2026-10-31
        Last day of the history.
    years : int, default 2
        Length of the history (30-minute intervals).
    spec : DemoSpec, optional
        Full set of assumptions; when given, ``seats``, ``seed``, ``end_date`` and ``years`` are
        ignored.

    Returns
    -------
    dict of str to DataFrame
        Keys are the 13 table names of :data:`ccomkit.schemas.TABLES` (in :data:`TABLE_ORDER`);
        each frame satisfies its contract with no violations, in contract column order and
        dtypes.

    Examples
    --------
    >>> from datetime import date
    >>> from ccomkit.demo import generate
    >>> tables = generate(seats=20, years=1, end_date=date(2025, 12, 31))
    >>> sorted(tables) == sorted(TABLE_ORDER)
    True
    >>> tables["acd_interval"]["queue_id"].nunique()
    7
    """
    if spec is None:
        spec = DemoSpec(seats=seats, seed=seed, end_date=end_date, years=years)
    return _Generator(spec).run()


class _Generator:
    def __init__(self, spec: DemoSpec) -> None:
        self.spec = spec
        self.rng = np.random.default_rng(spec.seed)
        self.cal = _day_calendar(spec.start_date, spec.end_date)
        self.n_days = len(self.cal)
        self.t0 = pd.Timestamp(spec.start_date)
        self.Q = len(spec.queues)

    # ---- orchestration -------------------------------------------------------------------
    def run(self) -> dict[str, pd.DataFrame]:
        spec, rng = self.spec, self.rng
        self._volume()
        self.wf, self.wf_info = _build_workforce(spec, rng, self.cal, self.agents_needed)
        self._agent_arrays()
        self._plan()
        self._roster()
        self._agent_rows()
        self._service()
        self._agent_work()
        out: dict[str, pd.DataFrame] = {}
        out["acd_interval"] = self._acd_frame()
        out["agent_interval"] = self._agent_interval_frame()
        out["schedule"] = self._schedule_frame()
        out["attendance"] = self._attendance_frame()
        out["agent_dim"] = self._agent_dim_frame()
        out["hr_event"] = self._hr_frame()
        qa, items = self._qa_frames()
        out["qa_evaluation"], out["qa_item"] = qa, items
        out["csat_response"] = self._csat_frame()
        out["complaint"] = self._complaint_frame()
        out["recruit_funnel"] = self._recruit_frame()
        out["training_record"] = self._training_frame()
        out["kpi_target"] = self._kpi_frame()
        return {name: _conform(out[name], name) for name in TABLE_ORDER}

    # ---- agents --------------------------------------------------------------------------
    def _agent_arrays(self) -> None:
        wf = self.wf
        self.A = len(wf.agent_id)
        self.a_hire = np.array(wf.hire)
        self.a_leave = np.array(wf.leave)
        self.a_role = np.array(wf.role)
        self.a_q0 = np.array(wf.q0)
        self.a_q1 = np.array(wf.q1)
        self.a_tday = np.array(wf.transfer_day)
        self.a_team = np.array(wf.team)
        self.a_quality = np.array(wf.quality)
        self.a_pt = np.array(wf.part_time)
        self.a_tl_since = np.array(wf.tl_since)
        # on phones from nesting (3 weeks after hire) until leaving; team leaders from tl_since
        self.a_phone_from = self.a_hire + 21

    # ---- volume and plan -----------------------------------------------------------------
    def _volume(self) -> None:
        spec, rng, cal = self.spec, self.rng, self.cal
        D, Q = self.n_days, self.Q
        work = cal["is_workday"].to_numpy()
        dtype = cal["day_type"].to_numpy()
        weekendish = ~work
        open_day = np.ones((Q, D), dtype=bool)
        self.daily = np.zeros((Q, D))
        prof = np.zeros((Q, D, SLOTS))
        for qi, q in enumerate(spec.queues):
            self.daily[qi] = _daily_factors(cal, q, spec.annual_growth)
            if q.workdays_only:
                open_day[qi] = work & (dtype != "holiday")
            pw, pe = _intraday(q, False), _intraday(q, True)
            prof[qi] = np.where(weekendish[:, None], pe[None, :], pw[None, :])
        self.open_day = open_day
        self.prof = prof
        # events: campaigns (partly planned) and outages (unplanned)
        plan_mult = np.ones((Q, D))
        act_mult = np.ones((Q, D, SLOTS))
        events = []
        fest = cal["festival"].to_numpy()
        ok_days = np.flatnonzero(work & (fest == "") & (np.arange(D) > 7) & (np.arange(D) < D - 7))
        n_camp = max(2, round(2.5 * spec.years))
        camp_q = [("BIL",), ("TEC", "CHAT"), ("GEN", "CHAT"), ("BIL", "GEN"), ("TEC",)]
        qids = [q.queue_id for q in spec.queues]
        for k in range(n_camp):
            d0 = int(rng.choice(ok_days))
            length = int(rng.integers(3, 8))
            lift = float(rng.uniform(0.3, 0.6))
            for qid in camp_q[k % len(camp_q)]:
                if qid not in qids:
                    continue
                qi = qids.index(qid)
                shape = lift * np.exp(-np.arange(length) / (length / 2.0))
                sl = slice(d0, min(D, d0 + length))
                act_mult[qi, sl, :] *= (1 + shape[: sl.stop - sl.start])[:, None]
                plan_mult[qi, sl] *= (1 + 0.55 * shape[: sl.stop - sl.start])
            events.append(("campaign", d0, length, camp_q[k % len(camp_q)]))
        n_out = 1 if spec.years == 1 else 2
        voice = [i for i, q in enumerate(spec.queues) if q.channel == "voice"]
        for _ in range(n_out):
            d0 = int(rng.choice(ok_days))
            s0 = int(rng.integers(19, 29))  # 09:30-14:00
            dur = int(rng.integers(4, 7))  # 2-3.5 h
            for qi in voice:
                act_mult[qi, d0, s0:s0 + dur] *= 0.03
                surge = np.array([2.3, 1.9, 1.55, 1.3, 1.12])
                e = min(SLOTS, s0 + dur + len(surge))
                act_mult[qi, d0, s0 + dur:e] *= surge[: e - s0 - dur]
            events.append(("outage", d0, s0, dur))
        self.events = events
        self.act_mult = act_mult
        # AHT by hour
        t = (np.arange(SLOTS) + 0.5) / 2
        self.hour_aht = 1 + 0.10 * _gauss(t, 3, 2.5) - 0.03 * _gauss(t, 10.5, 1.5) \
            + 0.03 * _gauss(t, 20.5, 1.5)
        self.plan_mult = plan_mult
        # staffing pools: every voice agent is multi-skilled across the voice queues (one pool,
        # routed with priority to VIP); chat agents form their own pool unless it would have
        # fewer than a team of agents, then they blend with the voice pool
        chans = list(dict.fromkeys(q.channel for q in spec.queues))
        ch_share = np.array([sum(q.share for q in spec.queues if q.channel == c) for c in chans])
        ch_share = ch_share / ch_share.sum()
        est = ch_share * 1.1 * spec.seats
        main = int(np.argmax(ch_share))
        pool_of_ch = np.where(est >= spec.team_size, np.arange(len(chans)), main)
        _, pool_of_ch = np.unique(pool_of_ch, return_inverse=True)
        self.pool_of_q = np.array([pool_of_ch[chans.index(q.channel)] for q in spec.queues])
        self.P = int(self.pool_of_q.max()) + 1
        self.pool_qs = [np.flatnonzero(self.pool_of_q == p) for p in range(self.P)]
        self.pool_open_day = np.stack([open_day[qs_].any(axis=0) for qs_ in self.pool_qs])
        self.pool_est = np.array([est[pool_of_ch == p].sum() for p in range(self.P)])
        # servers per agent: a chat-only pool serves sessions (concurrency), a blended pool agents
        self.pool_conc = np.array([
            spec.queues[qs_[0]].concurrency
            if len({spec.queues[i].concurrency for i in qs_}) == 1 else 1.0
            for qs_ in self.pool_qs])
        # volume: proportional to the seats. A queue's level is its share of the workforce over
        # its AHT (its share of the workload) times a fixed number of calls per seat; the
        # workforce is then sized to what the plan needs
        base = np.array([q.share * q.concurrency / q.aht_s * (7 / 5 if q.workdays_only else 1.0)
                         for q in spec.queues]) * spec.seats
        scale = np.where(np.array([q.channel == "chat" for q in spec.queues]),
                         spec.chat_scale, spec.voice_scale)
        self.level = base * scale
        zero = np.zeros((self.P, D))
        self.ft_n, self.pt_n, self.tl_n = zero, zero, zero
        self._plan_shifts()
        # full-time shifts a day without part-timers or team leaders; an agent on the books
        # gives about 0.76 of them (days off, absence, classroom weeks, vacancies, part-timers)
        self.agents_needed = int(round(self.shift_need.mean(axis=1).sum() / 0.77))

    def _plan(self) -> None:
        """The plan with the actual workforce: part-timers, team leaders and full-timers."""
        self.a_pool = self.pool_of_q[self.a_q0]  # transfers stay inside a channel
        self._pool_supply()
        self._plan_shifts()

    def _pool_supply(self) -> None:
        """Agents on phones per pool and day: full-timers, part-timers, team leaders."""
        D, P = self.n_days, self.P
        start = np.clip(self.a_phone_from, 0, D)
        stop = np.clip(np.minimum(self.a_leave, self.a_tl_since), 0, D)
        out = {}
        for name, m in (("ft", (self.a_role == "agent") & ~self.a_pt),
                        ("pt", (self.a_role == "agent") & self.a_pt)):
            diff = np.zeros((P, D + 1))
            idx = np.flatnonzero(m & (stop > start))
            np.add.at(diff, (self.a_pool[idx], start[idx]), 1)
            np.add.at(diff, (self.a_pool[idx], stop[idx]), -1)
            out[name] = np.cumsum(diff, axis=1)[:, :D]
        tl = np.flatnonzero(self.a_role == "team_leader")
        diff = np.zeros((P, D + 1))
        lo = np.clip(self.a_tl_since[tl], 0, D)
        hi = np.clip(self.a_leave[tl], 0, D)
        ok = hi > lo
        np.add.at(diff, (self.pool_of_q[self.a_q1[tl][ok]], lo[ok]), 1)
        np.add.at(diff, (self.pool_of_q[self.a_q1[tl][ok]], hi[ok]), -1)
        out["tl"] = np.cumsum(diff, axis=1)[:, :D]
        self.ft_n, self.pt_n, self.tl_n = out["ft"], out["pt"], out["tl"]

    @property
    def plan_lam(self) -> np.ndarray:
        """Planned calls per queue, day and slot (no noise, outages or unplanned lift)."""
        return (self.level[:, None, None] * self.daily[:, :, None] * self.plan_mult[:, :, None]
                * self.prof * self.open_day[:, :, None])

    def _pool_templates(self, p: int) -> list[int]:
        qs = [self.spec.queues[i] for i in self.pool_qs[p]]
        if any(q.open_h == 0 and q.close_h == 24 for q in qs):
            return list(range(12, 31)) + [44]
        first = 2 * min(q.open_h for q in qs)
        last = 2 * max(q.close_h for q in qs) - 18
        return list(range(first, max(first, last) + 1))

    def _plan_shifts(self) -> None:
        """Required agents per pool and interval (Erlang C at the SL target on the pooled load)
        and the full-time shift mix that covers what part-timers and team leaders leave
        (non-negative least squares per pool and day)."""
        from scipy.optimize import nnls

        spec = self.spec
        D, P = self.n_days, self.P
        lam_all = self.plan_lam
        self.shift_starts = []
        self.shift_w = []
        self.pt_starts = []
        self.pt_w = []
        self.shift_need = np.zeros((P, D))
        self.req_n = np.zeros((P, D, SLOTS))
        work = self.cal["is_workday"].to_numpy()
        for p in range(P):
            qs_ = self.pool_qs[p]
            qobj = [spec.queues[i] for i in qs_]
            lam = lam_all[qs_]  # (k, D, S) calls per slot
            # agent time per contact (a chat session takes 1/concurrency of an agent)
            pc = self.pool_conc[p]
            aht_q = np.array([q.aht_s / q.concurrency * pc for q in qobj])[:, None, None] * 1.04 \
                * self.hour_aht[None, None, :]
            calls = lam.sum(axis=0)
            work_s = (lam * aht_q).sum(axis=0)
            with np.errstate(invalid="ignore", divide="ignore"):
                aht = np.where(calls > 0, work_s / np.maximum(calls, 1e-12), qobj[0].aht_s)
                tsl = np.where(calls > 0, (lam * np.array([q.sl_threshold_s for q in qobj])[:, None, None]
                                           ).sum(axis=0) / np.maximum(calls, 1e-12), 20.0)
            a = work_s / SLOT_S
            if spec.plan_model == "erlang_a":
                with np.errstate(invalid="ignore", divide="ignore"):
                    pat = (lam * np.array([q.patience_s for q in qobj])[:, None, None]).sum(axis=0) \
                        / np.maximum(calls, 1e-12)
                n = _agents_needed_a(calls / SLOT_S, aht, np.where(calls > 0, pat, 180.0), tsl,
                                     spec.sl_target) / pc
            else:
                n = _agents_needed(a, aht, tsl, spec.sl_target) / pc
            floor = 2.0 if self.pool_est[p] >= 40 else 1.0
            n = np.where(calls > 0.05, np.maximum(n, floor), 0.0)
            # team leaders (09:00-18:00 on workdays, about a fifth of their time on calls)
            # cover part of it
            req = n.copy()
            req[:, 18:36] = np.maximum(req[:, 18:36] - (self.tl_n[p] * work * 0.97 * 0.22)[:, None], 0.0)
            starts = self._pool_templates(p)
            pt_starts = self._pt_templates(p)
            # availability over a 9-hour shift: breaks and aux ~7 %, the meal taken at
            # offset 7, 8 or 9 (one hour); a 4.5-hour part-time shift has one break
            prof = np.full(18, 0.93)
            prof[7:11] *= 1 - np.array([1, 2, 2, 1]) / 3
            cov = np.zeros((SLOTS, len(starts)))
            for j, s in enumerate(starts):
                cov[(s + np.arange(18)) % SLOTS, j] = prof
            cov_pt = np.zeros((SLOTS, len(pt_starts)))
            for j, s in enumerate(pt_starts):
                cov_pt[s:s + 9, j] = 0.95
            both = np.concatenate([cov, cov_pt], axis=1)
            nft = len(starts)
            # part-timers available per day (5 days a week)
            pt_cap = self.pt_n[p] * (5 / 7) * 0.92 * (1 - spec.absence_rate)
            w = np.zeros((D, nft))
            wpt = np.zeros((D, len(pt_starts)))

            def fit(m: np.ndarray, target: np.ndarray) -> np.ndarray:
                # least squares that penalises under-cover more than over-cover
                wt = np.ones(SLOTS)
                for _ in range(3):
                    sw = np.sqrt(wt)
                    x, _ = nnls(m * sw[:, None], target * sw)
                    wt = np.where(m @ x < target, 12.0, 1.0)
                return x

            for d in range(D):
                if req[d].sum() <= 0:
                    continue
                if pt_cap[d] >= 0.5:
                    # part-timers take the peaks, as many as there are
                    x = fit(both, req[d])
                    xp = x[nft:]
                    if xp.sum() > pt_cap[d]:
                        xp = xp * (pt_cap[d] / xp.sum())
                    wpt[d] = xp
                w[d] = fit(cov, np.maximum(req[d] - cov_pt @ wpt[d], 0.0))
            self.pt_w.append(wpt)
            self.pt_starts.append(np.array(pt_starts))
            self.shift_starts.append(np.array(starts))
            self.shift_w.append(w)
            self.shift_need[p] = w.sum(axis=1)
            self.req_n[p] = n

    def _pt_templates(self, p: int) -> list[int]:
        """Part-time (4.5-hour) shift starts of a pool: every 30 minutes from 07:00 (or the
        opening) to 4.5 hours before the close (at most 19:30)."""
        qs = [self.spec.queues[i] for i in self.pool_qs[p]]
        lo = max(14, 2 * min(q.open_h for q in qs))
        hi = min(39, 2 * max(q.close_h for q in qs) - 9)
        return list(range(lo, max(lo, hi) + 1))

    # ---- roster --------------------------------------------------------------------------
    def _roster(self) -> None:
        """Who works which shift on which day (full-timers by need, part-timers and team
        leaders on fixed patterns), with an 11-hour rest rule between shifts."""
        spec, rng, cal = self.spec, self.rng, self.cal
        D, A = self.n_days, self.A
        work = cal["is_workday"].to_numpy()
        days = np.arange(D)
        # candidate agent-days of full-time agents on phones
        recs_a, recs_d, recs_q, recs_kind, recs_start, recs_span = [], [], [], [], [], []
        off1 = rng.integers(0, 7, A)
        off2 = (off1 + rng.integers(1, 6, A)) % 7
        week = (days + int(cal["weekday"].iloc[0])) // 7  # weeks start on Monday
        n_weeks = int(week[-1]) + 1
        week_key = (np.arange(A)[:, None] * 0.6180339887 + np.arange(n_weeks)[None, :] * 0.13
                    + rng.random((A, 1)) * 0.05) % 1.0
        wd = cal["weekday"].to_numpy()
        qs_all = spec.queues
        q_open = np.array([[2 * q.open_h, 2 * q.close_h] for q in qs_all])
        for p in range(self.P):
            ina = np.flatnonzero((self.a_role == "agent") & (self.a_pool == p))
            if len(ina) == 0:
                continue
            lo = np.maximum(self.a_phone_from[ina], 0)
            hi = np.minimum(self.a_leave[ina], D)
            # team leaders promoted from agents stop being agents
            hi = np.minimum(hi, np.where(self.a_tl_since[ina] < BIG, self.a_tl_since[ina], BIG))
            ln = np.maximum(hi - lo, 0)
            ag = np.repeat(ina, ln)
            dd = np.repeat(lo, ln) + (np.arange(ln.sum()) - np.repeat(np.cumsum(ln) - ln, ln))
            ok = self.pool_open_day[p, dd]
            ag, dd = ag[ok], dd[ok]
            pt = self.a_pt[ag]
            # part-timers: 4.5-hour shifts at the peaks, about 5 days a week, as the plan needs
            if pt.any():
                pa_, pd_ = ag[pt], dd[pt]
                avail = (wd[pd_] != off1[pa_]) & (wd[pd_] != off2[pa_]) & (rng.random(len(pa_)) < 0.92)
                score = avail + rng.random(len(pa_)) * 0.5
                need = np.round(self.pt_w[p].sum(axis=1) / (1 - spec.absence_rate)).astype(int)
                sa, sd, sst = self._assign(pa_, pd_, score, need, self.pt_w[p], self.pt_starts[p],
                                           week_key, week)
                recs_a.append(sa); recs_d.append(sd); recs_q.append(np.full(len(sa), p))
                recs_kind.append(np.full(len(sa), 1)); recs_start.append(sst)
                recs_span.append(np.full(len(sa), 9))
            ag, dd = ag[~pt], dd[~pt]
            if len(ag) == 0:
                continue
            # preference: regular days off (one or two a week, alternating), plus noise
            frac_two = float(np.clip(6 - spec.workdays_per_week, 0, 1))  # weeks with two days off
            two_off = ((week[dd] * 37 + ag * 11) % 100) < frac_two * 100
            off = (wd[dd] == off1[ag]) | (two_off & (wd[dd] == off2[ag]))
            score = np.where(off, 0.0, 1.0) + rng.random(len(ag)) * 0.9
            need = np.round(self.shift_need[p] / (1 - spec.absence_rate)).astype(int)
            ag_s, dd_s2, starts = self._assign(ag, dd, score, need, self.shift_w[p],
                                               self.shift_starts[p], week_key, week)
            recs_a.append(ag_s); recs_d.append(dd_s2); recs_q.append(np.full(len(ag_s), p))
            recs_kind.append(np.zeros(len(ag_s), dtype=int)); recs_start.append(starts)
            recs_span.append(np.full(len(ag_s), 18))
        # team leaders: weekdays (and make-up days), 09:00-18:00 on their team's main queue
        tl = np.flatnonzero(self.a_role == "team_leader")
        for i in tl:
            lo, hi = max(0, self.a_tl_since[i]), min(D, self.a_leave[i])
            if hi <= lo:
                continue
            dd = np.arange(lo, hi)
            dd = dd[work[dd] & (rng.random(len(dd)) < 0.97)]
            qi = int(self.pool_of_q[self.a_q1[i]])
            recs_a.append(np.full(len(dd), i)); recs_d.append(dd); recs_q.append(np.full(len(dd), qi))
            recs_kind.append(np.full(len(dd), 2)); recs_start.append(np.full(len(dd), 18))
            recs_span.append(np.full(len(dd), 18))
        ag = np.concatenate(recs_a)
        dd = np.concatenate(recs_d)
        qq = np.concatenate(recs_q)
        kind = np.concatenate(recs_kind)
        st = np.concatenate(recs_start)
        span = np.concatenate(recs_span)
        order = np.lexsort((dd, ag))
        ag, dd, qq, kind, st, span = ag[order], dd[order], qq[order], kind[order], st[order], span[order]
        # rest rule: >= 11 h between the end of one shift and the start of the next
        keep = np.ones(len(ag), dtype=bool)
        gstart = dd * SLOTS + st
        for _ in range(6):
            idx = np.flatnonzero(keep)
            a_, gs, ge = ag[idx], gstart[idx], gstart[idx] + span[idx]
            bad = (a_[1:] == a_[:-1]) & (gs[1:] - ge[:-1] < 22)
            if not bad.any():
                break
            nxt = idx[1:][bad]
            prev_end = ge[:-1][bad]
            new_st = prev_end + 22 - dd[nxt] * SLOTS
            latest = np.array([self._latest_start(int(q_), int(k_)) for q_, k_ in zip(qq[nxt], kind[nxt])])
            can = new_st <= latest
            st[nxt[can]] = new_st[can]
            gstart[nxt[can]] = dd[nxt[can]] * SLOTS + new_st[can]
            keep[nxt[~can]] = False
        ag, dd, qq, kind, st, span = (x[keep] for x in (ag, dd, qq, kind, st, span))
        n = len(ag)
        # the queue a shift is published on: the agent's home queue when it is open over most
        # of the shift, else the pool's main queue (multi-skilled agents cover it)
        home = np.where(dd >= self.a_tday[ag], self.a_q1[ag], self.a_q0[ag])
        home = np.where(kind == 2, self.a_q1[ag], home)
        mid_slot = st + span // 2
        h_open = self.open_day[home, dd] & (q_open[home, 0] <= mid_slot) & (mid_slot < q_open[home, 1])
        main = np.array([qs_[np.argmax([qs_all[i].share for i in qs_])] for qs_ in self.pool_qs])
        pool = qq
        qq = np.where(h_open, home, main[pool])
        # pre-shift meeting, training, coaching, breaks and meal (seconds from shift start)
        nesting = (dd - self.a_hire[ag]) < 35
        meet = (kind != 1) & ((wd[dd] == 0) | (rng.random(n) < 0.2))
        train = (kind == 0) & (rng.random(n) < 0.07)
        coach = (kind != 2) & (rng.random(n) < np.where(nesting, 0.45, 0.06))
        b1 = np.where(kind == 1, 4, rng.integers(3, 5, n)) * SLOT_S + rng.integers(0, 2, n) * 900
        meal = np.where(kind == 1, -1, rng.integers(7, 10, n) * SLOT_S)
        meal = np.where(kind == 2, 8 * SLOT_S, meal)
        coach_at = np.where(kind == 1, 6, 11 + rng.integers(0, 2, n)) * SLOT_S
        b2 = np.where(kind == 1, -1, (13 + rng.integers(0, 3, n)) * SLOT_S + rng.integers(0, 2, n) * 900)
        self.sh = {
            "agent": ag, "day": dd, "queue": qq, "pool": pool, "kind": kind, "start": st, "span": span,
            "meet": meet, "train": train, "coach": coach, "b1": b1, "meal": meal,
            "coach_at": coach_at, "b2": b2, "nesting": nesting,
        }
        # attendance: absences, lateness, early leave
        tenure = dd - self.a_hire[ag]
        p_abs = spec.absence_rate * np.where(wd[dd] == 0, 1.25, 1.0) * np.where(tenure < 90, 1.3, 1.0)
        p_abs *= np.exp(-0.15 * self.a_quality[ag])
        absent = rng.random(n) < p_abs
        abs_type = rng.choice(6, size=n, p=[0.5, 0.24, 0.16, 0.05, 0.03, 0.02])
        late = (~absent) & (rng.random(n) < spec.late_rate * np.exp(-0.2 * self.a_quality[ag]))
        late_min = np.where(late, np.minimum(1 + rng.exponential(7, n), 90).astype(int), 0)
        early = (~absent) & (rng.random(n) < 0.012)
        early_min = np.where(early, (10 + rng.exponential(45, n)).astype(int), 0)
        early_min = np.minimum(early_min, span * 30 // 2)
        self.sh.update(absent=absent, abs_type=abs_type, late_min=late_min, early_min=early_min)

    def _assign(self, ag: np.ndarray, dd: np.ndarray, score: np.ndarray, need: np.ndarray,
                w: np.ndarray, starts: np.ndarray, week_key: np.ndarray, week: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Take the day's ``need`` best-scored candidate agent-days and give them the day's
        shift mix ``w`` in whole shifts (largest remainders). Agents keep about the same place
        in the day's shift order for a week (weekly 早/中/晚/夜 rotation), so shifts are stable
        and quick returns are rare."""
        D = self.n_days
        order = np.lexsort((-score, dd))
        dd_s = dd[order]
        first = np.searchsorted(dd_s, dd_s, side="left")
        rank = np.arange(len(dd_s)) - first
        sel = order[rank < need[dd_s]]
        ag_s, dd_s2 = ag[sel], dd[sel]
        wkey = week_key[ag_s, week[dd_s2]]
        n_day = np.bincount(dd_s2, minlength=D).astype(float)
        tot = w.sum(axis=1)
        x = np.where(tot[:, None] > 0, w / np.maximum(tot, 1e-12)[:, None],
                     1.0 / w.shape[1]) * n_day[:, None]
        cnt = np.floor(x)
        short = (n_day - cnt.sum(axis=1)).astype(int)
        rank_rem = np.argsort(np.argsort(-(x - cnt), axis=1, kind="stable"), axis=1)
        cnt += rank_rem < short[:, None]
        cum = np.cumsum(cnt, axis=1)
        o2 = np.lexsort((wkey, dd_s2))
        ag_s, dd_s2 = ag_s[o2], dd_s2[o2]
        pos = np.arange(len(dd_s2)) - np.searchsorted(dd_s2, dd_s2, side="left")
        j = np.minimum((pos[:, None] >= cum[dd_s2]).sum(axis=1), w.shape[1] - 1)
        return ag_s, dd_s2, starts[j]

    def _latest_start(self, p: int, kind: int) -> int:
        if kind == 1:
            return max(self._pt_templates(p))
        if kind == 2:
            return 18
        starts = [s0_ for s0_ in self._pool_templates(p) if s0_ < 40]
        return max(starts)

    # ---- agent interval rows -------------------------------------------------------------
    def _agent_rows(self) -> None:
        """Expand present shifts to agent × interval rows with login and aux states."""
        rng, sh = self.rng, self.sh
        pres = np.flatnonzero(~sh["absent"])
        n = len(pres)
        s0 = (sh["day"][pres] * SLOTS + sh["start"][pres]).astype(np.int64) * SLOT_S
        s1 = s0 + sh["span"][pres].astype(np.int64) * SLOT_S
        meet = sh["meet"][pres]
        login = np.where(meet, s0 - 900 - rng.integers(0, 150, n),
                         np.where(rng.random(n) < 0.7, s0 - rng.integers(20, 600, n),
                                  s0 + rng.integers(0, 60, n)))
        late = sh["late_min"][pres].astype(np.int64) * 60
        login = np.where(late > 0, s0 + late + rng.integers(0, 59, n), login)
        logout = np.where(rng.random(n) < 0.55, s1 + rng.integers(5, 480, n), s1 - rng.integers(0, 90, n))
        logout = np.where(sh["early_min"][pres] > 0, s1 - sh["early_min"][pres].astype(np.int64) * 60, logout)
        logout = np.maximum(logout, login + 600)
        g0 = login // SLOT_S
        g1 = (logout - 1) // SLOT_S
        ln = (g1 - g0 + 1).astype(np.int64)
        sid = np.repeat(np.arange(n), ln)
        off = np.arange(ln.sum()) - np.repeat(np.cumsum(ln) - ln, ln)
        g = (np.repeat(g0, ln) + off)
        self.shift_of_row = pres[sid]
        rs = g * SLOT_S
        w0 = np.maximum(rs, login[sid])
        w1 = np.minimum(rs + SLOT_S, logout[sid])
        login_s = (w1 - w0).astype(np.float64)

        def window(a: np.ndarray, b: np.ndarray, active: np.ndarray) -> np.ndarray:
            a_r, b_r = a[sid], b[sid]
            ov = np.minimum(w1, b_r) - np.maximum(w0, a_r)
            return np.where(active[sid], np.clip(ov, 0, None), 0).astype(np.float64)

        base = s0
        jit = lambda sd: rng.normal(0, sd, n).astype(np.int64)  # noqa: E731
        late_break = (rng.random(n) < 0.12) * 900
        b1a = base + sh["b1"][pres] + jit(100) + late_break
        b1b = b1a + 900 + rng.exponential(70, n).astype(np.int64)
        has_meal = sh["meal"][pres] >= 0
        ma = base + np.maximum(sh["meal"][pres], 0) + jit(120)
        mb = ma + 3600 + (rng.exponential(90, n) + (rng.random(n) < 0.1) * rng.integers(300, 900, n)).astype(np.int64)
        has_b2 = sh["b2"][pres] >= 0
        b2a = base + np.maximum(sh["b2"][pres], 0) + jit(100) + (rng.random(n) < 0.1) * 900
        b2b = b2a + 900 + rng.exponential(70, n).astype(np.int64)
        tra = base + 5 * SLOT_S
        trb = tra + 3600
        coa = base + sh["coach_at"][pres]
        cob = coa + SLOT_S
        mta, mtb = s0 - 900, s0
        ones = np.ones(n, dtype=bool)
        aux_meet = window(mta, mtb, meet)
        aux_break = window(b1a, b1b, ones) + window(b2a, b2b, has_b2)
        aux_meal = window(ma, mb, has_meal)
        aux_train = window(tra, trb, sh["train"][pres])
        aux_coach = window(coa, cob, sh["coach"][pres])
        N = len(g)
        kind = sh["kind"][pres][sid]
        aux_other = rng.exponential(25, N) * (rng.random(N) < 0.5) + \
            (rng.random(N) < 0.03) * rng.uniform(120, 900, N)
        tlr = kind == 2
        if tlr.any():
            k = int(tlr.sum())
            aux_coach[tlr] += rng.uniform(0.15, 0.45, k) * login_s[tlr]
            aux_meet[tlr] += (rng.random(k) < 0.2) * rng.uniform(0.2, 0.8, k) * login_s[tlr]
            aux_other[tlr] += rng.uniform(0.1, 0.3, k) * login_s[tlr]
        # no aux beyond login: fill in priority order
        room = login_s.copy()
        cols = []
        for arr in (aux_meal, aux_break, aux_meet, aux_train, aux_coach, aux_other):
            arr = np.minimum(np.round(arr), room)
            room -= arr
            cols.append(arr)
        self.rows = {
            "g": g.astype(np.int64), "sid": sid, "login": login_s,
            "meal": cols[0], "break": cols[1], "meet": cols[2], "train": cols[3],
            "coach": cols[4], "other": cols[5], "prod": room,
        }
        ag = sh["agent"][pres][sid]
        self.rows["agent"] = ag
        self.rows["queue"] = sh["queue"][pres][sid]
        self.rows["pool"] = sh["pool"][pres][sid]
        tenure = (g // SLOTS) - self.a_hire[ag]
        self.rows["tmult"] = (1 + 0.45 * np.exp(-np.maximum(tenure, 0) / 60.0)) * \
            np.exp(-0.04 * self.a_quality[ag])

    # ---- service -------------------------------------------------------------------------
    def _service(self) -> None:
        spec, rng = self.spec, self.rng
        Q, D = self.Q, self.n_days
        G = D * SLOTS
        P = self.P
        r = self.rows
        inside = (r["g"] >= 0) & (r["g"] < G)
        key = r["pool"] * G + np.clip(r["g"], 0, G - 1)
        prod = np.bincount(key[inside], weights=r["prod"][inside], minlength=P * G).reshape(P, G) / SLOT_S
        # real-time management: where the floor is over-staffed against the requirement,
        # part of the surplus goes to offline work (e-mail, call-backs, tickets: aux other)
        req = self.req_n.reshape(P, G)
        with np.errstate(invalid="ignore", divide="ignore"):
            off = np.where(prod > 0, np.clip(0.6 * (prod - 1.1 * req - 0.5) / prod, 0, 0.5), 0.0)
        move = np.where(inside & (self.sh["kind"][self.shift_of_row] != 2),
                        r["prod"] * off.reshape(-1)[key], 0.0)
        move = np.round(move)
        r["prod"] = r["prod"] - move
        r["other"] = r["other"] + move
        prod = np.bincount(key[inside], weights=r["prod"][inside], minlength=P * G).reshape(P, G) / SLOT_S
        tm = np.bincount(key[inside], weights=(r["prod"] * r["tmult"])[inside], minlength=P * G).reshape(P, G)
        with np.errstate(invalid="ignore", divide="ignore"):
            tmix = np.where(prod > 0, tm / (prod * SLOT_S), 1.05)
        open_ = (self.plan_lam.reshape(Q, G) > 0) | (self.open_day[:, :, None] & (self.prof > 0)).reshape(Q, G)
        qi_idx, g_idx = np.nonzero(open_)
        p_idx = self.pool_of_q[qi_idx]
        lam_mean = (self.level[:, None, None] * self.daily[:, :, None] * self.prof *
                    self.act_mult * self.open_day[:, :, None]).reshape(Q, G)[qi_idx, g_idx]
        # daily forecast error and over-dispersion: gamma-Poisson
        day_err = rng.lognormal(0, 0.045, (Q, D))
        lam_mean = lam_mean * day_err[qi_idx, g_idx // SLOTS]
        lam = lam_mean * rng.gamma(60, 1 / 60, len(lam_mean))
        offered = rng.poisson(lam)
        qs = spec.queues
        base_aht = np.array([q.aht_s for q in qs])[qi_idx]
        conc = np.array([q.concurrency for q in qs])[qi_idx]
        pat = np.array([q.patience_s for q in qs])[qi_idx]
        tsl = np.array([q.sl_threshold_s for q in qs])[qi_idx].astype(float)
        prio = np.array([q.priority for q in qs])[qi_idx]
        aht = base_aht * self.hour_aht[g_idx % SLOTS] * tmix[p_idx, g_idx] * rng.lognormal(0, 0.05, len(g_idx))
        # the pool serves the calls of all its queues: pooled arrivals and mean handle time;
        # a priority queue sees a lighter load (its calls jump the line)
        pkey = p_idx * G + g_idx
        calls_p = np.bincount(pkey, weights=offered, minlength=P * G)
        pc = self.pool_conc[p_idx]
        work_p = np.bincount(pkey, weights=offered * aht / conc * pc, minlength=P * G)
        with np.errstate(invalid="ignore", divide="ignore"):
            aht_p = np.where(calls_p[pkey] > 0, work_p[pkey] / np.maximum(calls_p[pkey], 1e-9), aht / conc * pc)
        n_srv = prod[p_idx, g_idx] * pc
        res = _service(calls_p[pkey] * prio / SLOT_S, n_srv, aht_p, pat, tsl)
        wrong = rng.binomial(offered, 0.004)
        rest = offered - wrong
        answered = rng.binomial(rest, 1 - res["ab"])
        ab_m = rest - answered
        abandoned = ab_m + wrong
        with np.errstate(invalid="ignore", divide="ignore"):
            p_t = np.where(res["ab"] < 1, res["ans_t"] / np.maximum(1 - res["ab"], 1e-9), 0)
        within = rng.binomial(answered, np.clip(p_t, 0, 1))
        rr = res["r"]
        p5 = 1 - np.exp(-rr * 5)
        pT = 1 - np.exp(-rr * tsl)
        short_m = rng.binomial(ab_m, np.clip(p5, 0, 1))
        ab_t = short_m + rng.binomial(ab_m - short_m, np.clip((pT - p5) / np.maximum(1 - p5, 1e-9), 0, 1))
        waited_ans = np.maximum(answered - within, 0) + rng.binomial(within, np.clip(res["pw"] * 0.5, 0, 1))
        mean_w = 1 / rr
        ring = rng.uniform(2.5, 4.0, len(g_idx))
        sum_wait_ans = answered * ring + waited_ans * mean_w * rng.gamma(20, 1 / 20, len(g_idx))
        sum_wait_ab = ab_m * np.minimum(mean_w, pat) * rng.gamma(10, 0.1, len(g_idx)) + wrong * 2.5
        nwait = waited_ans + ab_m
        max_wait = np.where(nwait > 0, ring.max() + mean_w * (np.log(np.maximum(nwait, 1)) + 0.58), 0)
        max_wait = np.minimum(max_wait, 7200)
        handled = answered
        talk_f = np.array([q.talk_frac for q in qs])[qi_idx]
        hold_f = np.array([q.hold_frac for q in qs])[qi_idx]
        ht = handled * aht
        sum_talk = np.round(ht * talk_f * rng.lognormal(0, 0.02, len(g_idx)))
        sum_hold = np.round(ht * hold_f * rng.lognormal(0, 0.05, len(g_idx)))
        sum_acw = np.round(np.maximum(ht - sum_talk - sum_hold, 0))
        flow_out = rng.binomial(handled, np.array([q.flow_out_frac for q in qs])[qi_idx])
        flow_in = rng.poisson(flow_out.sum() / max(len(flow_out), 1) * np.where(qi_idx == 0, 0.2, 1.2))
        # agent rows of a pool are attributed to its open queues in proportion to the work
        # they handled in the interval (multi-skilled agents take whichever call comes)
        wq = np.zeros((Q, G))
        wq[qi_idx, g_idx] = ht / conc + 1e-6
        gg = np.clip(r["g"], 0, G - 1)
        u = rng.random(len(gg))
        rq = r["queue"].copy()
        for p in range(P):
            qs_ = self.pool_qs[p]
            rows_p = np.flatnonzero(inside & (r["pool"] == p))
            cw = np.cumsum(wq[qs_], axis=0)  # (k, G)
            tot = cw[-1][gg[rows_p]]
            x = u[rows_p] * tot
            pick = np.zeros(len(rows_p), dtype=np.int64)
            for j in range(len(qs_) - 1):
                pick += x > cw[j][gg[rows_p]]
            rq[rows_p] = np.where(tot > 0, qs_[pick], rq[rows_p])
        r["queue"] = rq
        key = rq * G + gg
        logged = np.bincount(key[inside], weights=r["login"][inside], minlength=Q * G).reshape(Q, G) / SLOT_S
        self.acd = {
            "q": qi_idx, "g": g_idx, "offered": offered, "answered": answered, "within": within,
            "abandoned": abandoned, "short": short_m + wrong, "ab_t": ab_t + wrong,
            "sl_t": tsl.astype(int), "flow_in": flow_in, "flow_out": flow_out, "handled": handled,
            "wait_ans": np.round(sum_wait_ans, 1), "wait_ab": np.round(sum_wait_ab, 1),
            "max_wait": np.round(max_wait, 1), "talk": sum_talk, "hold": sum_hold, "acw": sum_acw,
            "staffed": np.round(logged[qi_idx, g_idx], 3),
        }
        # occupancy of each pool-interval, for the agent rows
        busy = np.bincount(pkey, weights=ht / conc, minlength=P * G).reshape(P, G)
        with np.errstate(invalid="ignore", divide="ignore"):
            self.occ = np.where(prod > 0, np.minimum(busy / np.maximum(prod * SLOT_S, 1e-9), 0.97), 0)
        self.aht_qg = np.zeros((Q, G))
        self.aht_qg[qi_idx, g_idx] = aht
        self.asa_qg = np.zeros((Q, G))
        with np.errstate(invalid="ignore", divide="ignore"):
            self.asa_qg[qi_idx, g_idx] = np.where(answered > 0, sum_wait_ans / np.maximum(answered, 1), 0)
            self.sl_qg = np.ones((Q, G))
            self.sl_qg[qi_idx, g_idx] = np.where(offered > 0, within / np.maximum(offered, 1), 1)

    def _agent_work(self) -> None:
        """Talk, hold, ACW, idle and handled per agent row from the queue's occupancy."""
        rng, r = self.rng, self.rows
        Q, G = self.Q, self.n_days * SLOTS
        qs = self.spec.queues
        gg = np.clip(r["g"], 0, G - 1)
        inside = (r["g"] >= 0) & (r["g"] < G)
        occ = np.where(inside, self.occ[r["pool"], gg], 0.0)
        N = len(gg)
        handle = r["prod"] * np.clip(occ * rng.lognormal(0, 0.08, N) * np.where(r["tmult"] > 1.2, 0.9, 1.0), 0, 0.985)
        handle = np.round(handle)
        talk_f = np.array([q.talk_frac for q in qs])[r["queue"]]
        hold_f = np.array([q.hold_frac for q in qs])[r["queue"]]
        talk = np.round(handle * np.clip(talk_f * rng.lognormal(0, 0.04, N), 0, 0.97))
        hold = np.minimum(np.round(handle * hold_f * rng.lognormal(0, 0.2, N)), handle - talk)
        acw = handle - talk - hold
        conc = np.array([q.concurrency for q in qs])[r["queue"]]
        aht = np.where(inside, self.aht_qg[r["queue"], gg], 0)
        aht = np.where(aht > 0, aht * r["tmult"] / np.maximum(r["tmult"].mean(), 1e-9), qs[0].aht_s)
        handled = rng.poisson(handle * conc / aht)
        self.rows.update(talk=talk, hold=hold, acw=acw, idle=r["prod"] - handle, handled=handled,
                         transfers=rng.binomial(handled, np.where(r["tmult"] > 1.2, 0.07, 0.035)))

    # ---- frames --------------------------------------------------------------------------
    def _ts(self, seconds: np.ndarray) -> pd.Series:
        return pd.Series(self.t0 + pd.to_timedelta(np.asarray(seconds, dtype=np.int64), unit="s"))

    def _acd_frame(self) -> pd.DataFrame:
        a = self.acd
        qids = [q.queue_id for q in self.spec.queues]
        ch = [q.channel for q in self.spec.queues]
        return pd.DataFrame({
            "interval_start": self._ts(a["g"] * SLOT_S),
            "interval_min": 30,
            "queue_id": _cat(qids, a["q"]),
            "channel": _cat(ch, a["q"]),
            "offered": a["offered"], "answered": a["answered"],
            "answered_within_t": a["within"], "abandoned": a["abandoned"],
            "abandoned_short": a["short"], "abandoned_within_t": a["ab_t"],
            "sl_threshold_s": a["sl_t"], "short_abandon_s": 5,
            "flow_in": a["flow_in"], "flow_out": a["flow_out"], "handled": a["handled"],
            "sum_wait_answered_s": a["wait_ans"], "sum_wait_abandoned_s": a["wait_ab"],
            "max_wait_s": a["max_wait"], "sum_talk_s": a["talk"], "sum_hold_s": a["hold"],
            "sum_acw_s": a["acw"], "avg_agents_staffed": a["staffed"],
        }).sort_values(["interval_start", "queue_id"], kind="stable")

    def _agent_interval_frame(self) -> pd.DataFrame:
        r = self.rows
        qids = [q.queue_id for q in self.spec.queues]
        order = np.lexsort((r["g"], r["agent"]))
        return pd.DataFrame({
            "agent_id": _cat(self.wf.agent_id, r["agent"][order]),
            "interval_start": self._ts(r["g"][order] * SLOT_S),
            "interval_min": np.full(len(order), 30, dtype=np.int64),
            "queue_id": _cat(qids, r["queue"][order]),
            "login_s": r["login"][order], "ready_idle_s": r["idle"][order],
            "talk_s": r["talk"][order], "hold_s": r["hold"][order], "acw_s": r["acw"][order],
            "aux_break_s": r["break"][order], "aux_meal_s": r["meal"][order],
            "aux_training_s": r["train"][order], "aux_meeting_s": r["meet"][order],
            "aux_coaching_s": r["coach"][order], "aux_other_s": r["other"][order],
            "handled": r["handled"][order], "transfers": r["transfers"][order],
        })

    def _schedule_frame(self) -> pd.DataFrame:
        sh = self.sh
        n = len(sh["agent"])
        s0 = (sh["day"] * SLOTS + sh["start"]).astype(np.int64) * SLOT_S
        s1 = s0 + sh["span"].astype(np.int64) * SLOT_S
        none = s1  # zero-length placeholder at shift end
        acts = [
            (np.where(sh["meet"], s0 - 900, none), np.where(sh["meet"], s0, none), 4),
            (s0 + sh["b1"], s0 + sh["b1"] + 900, 1),
            (np.where(sh["train"], s0 + 5 * SLOT_S, none), np.where(sh["train"], s0 + 7 * SLOT_S, none), 3),
            (np.where(sh["meal"] >= 0, s0 + sh["meal"], none), np.where(sh["meal"] >= 0, s0 + sh["meal"] + 3600, none), 2),
            (np.where(sh["coach"], s0 + sh["coach_at"], none), np.where(sh["coach"], s0 + sh["coach_at"] + SLOT_S, none), 5),
            (np.where(sh["b2"] >= 0, s0 + sh["b2"], none), np.where(sh["b2"] >= 0, s0 + sh["b2"] + 900, none), 1),
        ]
        S = np.stack([a[0] for a in acts], axis=1)
        E = np.stack([a[1] for a in acts], axis=1)
        K = np.stack([np.full(n, a[2]) for a in acts], axis=1)
        o = np.argsort(S, axis=1, kind="stable")
        S, E, K = (np.take_along_axis(x, o, axis=1) for x in (S, E, K))
        prev_end = np.concatenate([s0[:, None], E], axis=1)
        next_start = np.concatenate([S, s1[:, None]], axis=1)
        ws, we = np.maximum(prev_end, s0[:, None]), next_start
        seg_s = np.concatenate([S, ws], axis=1)
        seg_e = np.concatenate([E, we], axis=1)
        seg_k = np.concatenate([K, np.zeros_like(ws)], axis=1)
        rowi = np.repeat(np.arange(n)[:, None], seg_s.shape[1], axis=1)
        keep = seg_e > seg_s
        seg_s, seg_e, seg_k, rowi = seg_s[keep], seg_e[keep], seg_k[keep], rowi[keep]
        o = np.lexsort((seg_s, sh["agent"][rowi]))
        seg_s, seg_e, seg_k, rowi = seg_s[o], seg_e[o], seg_k[o], rowi[o]
        kinds = sh["kind"][rowi]
        code_map = {0: "D", 1: "P", 2: "TL"}
        start_slot = sh["start"][rowi]
        codes = np.array([f"{code_map[k]}{s // 2:02d}{'30' if s % 2 else '00'}" for k in range(3)
                          for s in range(SLOTS)], dtype=object)
        qids = [q.queue_id for q in self.spec.queues] + [None]
        acts_names = ["work", "break", "meal", "training", "meeting", "coaching"]
        return pd.DataFrame({
            "agent_id": _cat(self.wf.agent_id, sh["agent"][rowi]),
            "shift_date": self._ts(sh["day"][rowi].astype(np.int64) * DAY_S).dt.normalize(),
            "shift_code": _cat(list(codes), kinds * SLOTS + start_slot),
            "start_at": self._ts(seg_s), "end_at": self._ts(seg_e),
            "activity": _cat(acts_names, seg_k),
            "queue_id": _cat(qids, np.where(seg_k == 0, sh["queue"][rowi], len(qids) - 1)),
            "schedule_version": "published",
        })

    def _attendance_frame(self) -> pd.DataFrame:
        sh = self.sh
        absent = sh["absent"]
        types = ["sick", "personal", "annual", "unpaid", "awol", "other"]
        order = np.lexsort((sh["day"], sh["agent"]))
        return pd.DataFrame({
            "agent_id": _cat(self.wf.agent_id, sh["agent"][order]),
            "work_date": self._ts(sh["day"][order].astype(np.int64) * DAY_S),
            "scheduled_flag": True,
            "present_flag": ~absent[order],
            "late_min": pd.array(np.where(absent, 0, sh["late_min"])[order], dtype="Int64"),
            "early_leave_min": pd.array(np.where(absent, 0, sh["early_min"])[order], dtype="Int64"),
            "absence_type": _cat(types + [None], np.where(absent, sh["abs_type"], 6)[order]),
        })

    def _agent_dim_frame(self) -> pd.DataFrame:
        wf, spec, rng = self.wf, self.spec, self.rng
        A = self.A
        D = self.n_days
        keep = (self.a_leave >= 0)  # everybody employed at some point of the horizon
        team_tl = {}
        for i in np.argsort(self.a_tl_since):
            if self.a_role[i] == "team_leader":
                t = self.a_team[i]
                if t not in team_tl or self.a_leave[i] >= BIG:
                    team_tl[t] = wf.agent_id[i]
        qids = [q.queue_id for q in spec.queues]
        skills = []
        end_day = D - 1
        for i in range(A):
            qf = self.a_q1[i]
            s = [qids[qf]]
            ten = end_day - self.a_hire[i]
            if self.a_role[i] not in ("agent", "team_leader"):
                skills.append(None)
                continue
            if qids[qf] in ("BIL", "TEC") and ten > 200:
                s.append("GEN")
            if qids[qf] == "GEN" and ten > 365:
                s.append("BIL")
            if qids[qf] in ("VIP", "ESC", "BIZ"):
                s += [x for x in ("GEN", "BIL") if x not in s]
                if qids[qf] == "ESC":
                    s.insert(1, "VIP")
            if qids[qf] == "CHAT" and ten > 300:
                s.append("GEN")
            skills.append("|".join(s))
        ten_end = end_day - self.a_hire
        qual = self.a_quality + rng.normal(0, 0.5, A)
        grade_cut = np.quantile(qual, [0.10, 0.35, 0.75, 0.95])
        grade_idx = 4 - np.searchsorted(grade_cut, qual)
        grades = np.array(["A", "B+", "B-", "C", "D"], dtype=object)[grade_idx]
        is_ag = np.isin(self.a_role, ["agent", "team_leader"])
        grades = np.where(is_ag & (ten_end >= 90), grades, None)
        levels = np.array([_level_for(int(t), int(u)) for t, u in zip(ten_end, wf.level_up)], dtype=object)
        levels = np.where(is_ag, levels, None)
        tier = np.where(qual > 1.2, 1, np.where(qual > 0.5, 2, np.where(qual > -0.2, 3, 0)))
        tier_s = pd.array(np.where(is_ag & (ten_end > 180) & (tier > 0), tier, 0), dtype="Int64")
        tier_s[tier_s == 0] = pd.NA
        hours = np.where(self.a_pt, rng.choice([20.0, 24.0, 25.0], A), 40.0)
        sites = np.where(self.a_team % 3 == 2, "SITE-B", "SITE-A")
        sites = np.where(np.isin(self.a_role, ["manager", "wfm"]), "SITE-A", sites)
        teams = [f"T{t + 1:02d}" for t in self.a_team]
        return pd.DataFrame({
            "agent_id": wf.agent_id,
            "name": wf.name,
            "team_id": teams,
            "team_leader_id": [None if self.a_role[i] in ("manager", "supervisor") or
                               team_tl.get(self.a_team[i]) == wf.agent_id[i]
                               else team_tl.get(self.a_team[i]) for i in range(A)],
            "site": sites,
            "role": self.a_role,
            "hire_date": self._ts(self.a_hire.astype(np.int64) * DAY_S),
            "leave_date": self._ts(np.where(self.a_leave < BIG, self.a_leave, 0).astype(np.int64) * DAY_S
                                   ).where(self.a_leave < BIG),
            "employment_type": np.where(self.a_pt, "part_time", "full_time"),
            "contract_hours_week": hours,
            "grade": grades,
            "level": levels,
            "tier": tier_s,
            "skills": skills,
            "recruit_channel": wf.channel,
        })[keep]

    def _hr_frame(self) -> pd.DataFrame:
        wf = self.wf
        rows = list(wf.events)
        D = self.n_days
        for i in range(self.A):
            h = int(self.a_hire[i])
            rows.append((i, "hire", h, None, None, "training" if self.a_role[i] == "agent" else None,
                         None, self.a_role[i]))
            if wf.role[i] in ("agent", "team_leader") and self.a_tl_since[i] != h:
                for day, stage in ((h + 21, "nesting"), (h + 35, "on_floor")):
                    if day < self.a_leave[i] and day < D:
                        rows.append((i, "stage_change", day, None, None, stage,
                                     "training" if stage == "nesting" else "nesting", stage))
                if h + 90 < self.a_leave[i] and h + 90 < D:
                    rows.append((i, "confirm", h + 90, None, None, None, "probation", "confirmed"))
        df = pd.DataFrame(rows, columns=["i", "event_type", "day", "leave_type", "leave_reason",
                                         "stage", "from_value", "to_value"])
        df = df.drop_duplicates(["i", "event_type", "day"]).sort_values(["day", "i", "event_type"])
        df["agent_id"] = np.asarray(wf.agent_id, dtype=object)[df["i"].to_numpy()]
        df["event_date"] = self._ts(df["day"].to_numpy().astype(np.int64) * DAY_S).to_numpy()
        return df

    # ---- QA ------------------------------------------------------------------------------
    def _qa_frames(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        spec, rng, sh = self.spec, self.rng, self.sh
        D = self.n_days
        pres = (~sh["absent"]) & (sh["kind"] != 2)
        ag, dd, qq = sh["agent"][pres], sh["day"][pres], sh["queue"][pres]
        month_of_day = np.array([d.year * 12 + d.month - 1 for d in self.cal["date"]])
        m = month_of_day[dd] - month_of_day[0]
        grp = ag.astype(np.int64) * 1000 + m
        order = np.lexsort((dd, grp))
        ag, dd, qq, m, grp = ag[order], dd[order], qq[order], m[order], grp[order]
        ug, start, cnt = np.unique(grp, return_index=True, return_counts=True)
        g_ag = ag[start]
        tenure_mid = dd[start] - self.a_hire[g_ag]
        lam = np.where(tenure_mid < 90, spec.qa_per_month_new, spec.qa_per_month) * np.minimum(cnt / 18, 1)
        n_ev = rng.poisson(lam)
        gi = np.repeat(np.arange(len(ug)), n_ev)
        pick = start[gi] + (rng.random(len(gi)) * cnt[gi]).astype(int)
        e_ag, e_day, e_q = ag[pick], dd[pick], qq[pick]
        n_reg = len(e_ag)
        # calibration sessions: twice a month, 3 calls scored by up to 4 evaluators
        qa_staff = np.flatnonzero(self.a_role == "qa")
        n_months = month_of_day[-1] - month_of_day[0] + 1
        cal_ag, cal_day, cal_q, cal_sess, cal_eval = [], [], [], [], []
        for mm in range(n_months):
            for s in range(2):
                pool = np.flatnonzero(m == mm)
                if len(pool) == 0:
                    continue
                chosen = rng.choice(pool, size=min(3, len(pool)), replace=False)
                evs = rng.choice(qa_staff, size=min(4, len(qa_staff)), replace=False)
                sid = f"CAL-{(month_of_day[0] + mm) // 12}{(month_of_day[0] + mm) % 12 + 1:02d}-{s + 1}"
                for c in chosen:
                    for ev in evs:
                        cal_ag.append(ag[c]); cal_day.append(dd[c]); cal_q.append(qq[c])
                        cal_sess.append(sid); cal_eval.append(ev)
        n_cal = len(cal_ag)
        e_ag = np.r_[e_ag, np.array(cal_ag, dtype=int)]
        e_day = np.r_[e_day, np.array(cal_day, dtype=int)]
        e_q = np.r_[e_q, np.array(cal_q, dtype=int)]
        E = len(e_ag)
        evaluator = np.r_[rng.choice(qa_staff, size=n_reg), np.array(cal_eval, dtype=int)]
        # evaluator effects: the first QA is lenient, the second harsh
        eff = np.exp(rng.normal(0, 0.08, len(qa_staff)))
        eff[0], eff[1] = 0.6, 1.5
        e_eff = eff[np.searchsorted(qa_staff, evaluator)]
        tenure = e_day - self.a_hire[e_ag]
        tfac = 1 + 1.3 * np.exp(-np.maximum(tenure, 0) / 100.0)
        afac = np.exp(-0.35 * self.a_quality[e_ag])
        # calls of a calibration session are the same call: share the agent-side randomness
        call_no = np.r_[np.arange(n_reg), n_reg + np.arange(n_cal) // max(1, min(4, len(qa_staff)))]
        maxp = np.array([it[2] for it in _QA_ITEMS])
        basep = np.array([it[3] for it in _QA_ITEMS])
        n_calls = call_no.max() + 1 if E else 0
        call_u = rng.random((n_calls, len(_QA_ITEMS)))
        p = np.clip(basep[None, :] * (tfac * afac)[:, None], 0, 0.9)
        u = call_u[call_no]
        # evaluator effect: moves the detection threshold
        hit = u < np.clip(p * e_eff[:, None], 0, 0.95)
        amount = np.where(rng.random((E, len(_QA_ITEMS))) < 0.35, maxp[None, :],
                          np.maximum(1, np.round(maxp[None, :] * rng.uniform(0.2, 0.6, (E, len(_QA_ITEMS))))))
        ded = np.where(hit, amount, 0.0)
        p_fatal = spec.fatal_rate * tfac / 1.3 * afac
        fatal_call = rng.random(n_calls) < np.bincount(call_no, weights=p_fatal, minlength=n_calls) / \
            np.maximum(np.bincount(call_no, minlength=n_calls), 1)
        fatal = fatal_call[call_no]
        ftype = rng.choice(3, size=n_calls, p=[0.4, 0.35, 0.25])[call_no]
        total = np.where(fatal, 0.0, 100 - ded.sum(axis=1))
        eval_day = np.minimum(e_day + rng.integers(1, 6, E), D - 1)
        eval_day = np.where(np.arange(E) >= n_reg, np.minimum(e_day + 7, D - 1), eval_day)
        qids = [q.queue_id for q in self.spec.queues]
        call_ids = _ids("R", 10_000_000 + call_no, 9)
        eval_ids = _ids("QA", np.arange(1, E + 1), 8)
        qa = pd.DataFrame({
            "eval_id": eval_ids, "call_id": call_ids,
            "agent_id": _cat(self.wf.agent_id, e_ag),
            "evaluator_id": _cat(self.wf.agent_id, evaluator),
            "eval_date": self._ts(eval_day.astype(np.int64) * DAY_S),
            "call_date": self._ts(e_day.astype(np.int64) * DAY_S),
            "queue_id": _cat(qids, e_q),
            "form_version": np.where(e_day < D // 2, "QA-2024.1", "QA-2025.2"),
            "total_score": total, "fatal_flag": fatal,
            "fatal_type": _cat(["customer", "business", "compliance", None], np.where(fatal, ftype, 3)),
            "is_calibration": np.arange(E) >= n_reg,
            "calibration_session_id": [None] * n_reg + cal_sess,
        })
        # items
        I = len(_QA_ITEMS)
        ev_rep = np.repeat(np.arange(E), I)
        it_rep = np.tile(np.arange(I), E)
        d_flat = ded.ravel()
        comments = np.array([_QA_COMMENTS[it[1]] for it in _QA_ITEMS] + [None], dtype=object)
        com_idx = np.where(d_flat > 0, it_rep, I)
        items = pd.DataFrame({
            "eval_id": eval_ids.to_numpy()[ev_rep],
            "section": _cat([it[0] for it in _QA_ITEMS], it_rep),
            "item_code": _cat([it[1] for it in _QA_ITEMS], it_rep),
            "max_points": maxp[it_rep].astype(float),
            "deducted_points": d_flat,
            "is_fatal": False,
            "comment": comments[com_idx],
        })
        fe = np.flatnonzero(fatal)
        fnames = ["customer", "business", "compliance"]
        fitems = pd.DataFrame({
            "eval_id": eval_ids.to_numpy()[fe],
            "section": "fatal",
            "item_code": [_FATAL_ITEMS[fnames[k]] for k in ftype[fe]],
            "max_points": 100.0, "deducted_points": 100.0, "is_fatal": True,
            "comment": "致命错误:整单0分",
        })
        items = pd.concat([items, fitems], ignore_index=True)
        self.qa_agent_mean = None
        return qa, items

    # ---- CSAT and complaints ---------------------------------------------------------------
    def _contacts(self, rate: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Sample contacts from agent rows: returns (row index, count) expanded per contact."""
        r = self.rows
        k = self.rng.binomial(r["handled"], np.clip(rate, 0, 1))
        idx = np.repeat(np.arange(len(k)), k)
        return idx, k

    def _csat_frame(self) -> pd.DataFrame:
        spec, rng, r = self.spec, self.rng, self.rows
        G = self.n_days * SLOTS
        idx, _ = self._contacts(np.full(len(r["g"]), spec.invite_rate))
        n = len(idx)
        qs = spec.queues
        qi = r["queue"][idx]
        g = np.clip(r["g"][idx], 0, G - 1)
        ag = r["agent"][idx]
        chat = np.array([q.channel == "chat" for q in qs])[qi]
        # survey channel: IVR transfer for voice (most), SMS, WeChat; app/web for chat
        vch = rng.choice(3, size=n, p=[0.62, 0.28, 0.10])  # ivr, sms, wechat
        cch = rng.choice(2, size=n, p=[0.7, 0.3])  # app, web
        ch_names = ["ivr", "sms", "wechat", "app", "web"]
        ch = np.where(chat, 3 + cch, vch)
        resp_p = np.array([0.7, 0.14, 0.25, 0.35, 0.22])[ch]
        responded = rng.random(n) < resp_p
        t_call = g.astype(np.int64) * SLOT_S + rng.integers(0, SLOT_S, n)
        inv = t_call + np.where(ch == 0, rng.integers(120, 600, n), rng.integers(300, 900, n))
        delay = np.where(ch == 0, rng.integers(10, 60, n), rng.exponential(5400, n).astype(np.int64) + 30)
        resp_at = inv + delay
        asa = self.asa_qg[qi, g]
        sl = self.sl_qg[qi, g]
        ten = g // SLOTS - self.a_hire[ag]
        qual = self.a_quality[ag]
        fcr = rng.random(n) < 1 / (1 + np.exp(-(1.25 + 0.35 * qual - 0.6 * np.exp(-np.maximum(ten, 0) / 90))))
        z = 0.55 * qual + 0.9 * fcr - 0.012 * asa - 0.8 * (1 - sl) - 0.3 * np.exp(-np.maximum(ten, 0) / 90) \
            + rng.normal(0, 0.9, n)
        cuts = np.array([-1.85, -1.35, -0.75, 0.3])
        q_overall = 1 + np.searchsorted(cuts, z)
        q_speed = np.clip(q_overall + np.where(asa > 40, -1, 0) + rng.integers(-1, 2, n) * (rng.random(n) < 0.3), 1, 5)
        q_acc = np.clip(q_overall + np.where(fcr, 0, -1) + rng.integers(-1, 2, n) * (rng.random(n) < 0.3), 1, 5)
        q_att = np.clip(q_overall + (qual > 0.8) - (qual < -1.2) + rng.integers(-1, 2, n) * (rng.random(n) < 0.25), 1, 5)
        nps = np.clip(np.round(2.2 * q_overall - 1.2 + rng.normal(0, 1.1, n)), 0, 10).astype(int)
        dsat = q_overall <= 3
        bits = (dsat & ((asa > 30) | (rng.random(n) < 0.2))).astype(int) * 1 + \
            (dsat & (rng.random(n) < 0.3 + 0.2 * (qual < 0))).astype(int) * 2 + \
            (dsat & (rng.random(n) < 0.15 + 0.2 * (qual < -0.8))).astype(int) * 4 + \
            (dsat & ~fcr).astype(int) * 8
        bits = np.where(dsat & (bits == 0), 8, bits)
        names = ["long_wait", "wrong_answer", "bad_attitude", "unresolved"]
        combos = [None] + ["|".join(nm for b, nm in enumerate(names) if k & (1 << b)) for k in range(1, 16)]
        comment_idx = np.where(dsat & (rng.random(n) < 0.3), rng.integers(0, len(_DSAT_COMMENTS), n),
                               len(_DSAT_COMMENTS))
        fu = np.where(dsat, rng.choice([1, 2, 3, 4], size=n, p=[0.08, 0.17, 0.45, 0.3]), 0)
        # recent surveys are still open
        fu = np.where(dsat & (g // SLOTS > self.n_days - 4), 1, fu)
        qids = [q.queue_id for q in qs]

        def nullable(v: np.ndarray) -> pd.Series:
            return pd.Series(v).astype("Int64").mask(~responded)

        return pd.DataFrame({
            "survey_id": _ids("SV", np.arange(1, n + 1), 10),
            "call_id": _ids("C", np.arange(n) * 7 + 100_000_000 + rng.integers(0, 7, n), 10),
            "agent_id": _cat(self.wf.agent_id, ag),
            "queue_id": _cat(qids, qi),
            "channel": _cat(ch_names, ch),
            "invited_at": self._ts(inv),
            "responded_at": self._ts(resp_at).where(responded),
            "q_overall": nullable(q_overall), "q_speed": nullable(q_speed),
            "q_accuracy": nullable(q_acc), "q_attitude": nullable(q_att),
            "nps": nullable(nps),
            "fcr_yes": pd.Series(fcr).astype("boolean").mask(~responded),
            "dissat_reasons": _cat(combos, np.where(responded, bits, 0)),
            "comment": _cat(list(_DSAT_COMMENTS) + [None], np.where(responded, comment_idx, len(_DSAT_COMMENTS))),
            "customer_key": _hex_keys(rng, n),
            "followup_status": _cat(["none", "open", "contacted", "resolved", "verified"],
                                    np.where(responded, fu, 0)),
        })

    def _complaint_frame(self) -> pd.DataFrame:
        spec, rng, r = self.spec, self.rng, self.rows
        G = self.n_days * SLOTS
        gg = np.clip(r["g"], 0, G - 1)
        sl = self.sl_qg[r["queue"], gg]
        rate = spec.complaint_rate * np.exp(-0.3 * self.a_quality[r["agent"]]) * (0.7 + 1.6 * (1 - sl))
        idx, _ = self._contacts(rate)
        n = len(idx)
        qi = r["queue"][idx]
        ag = r["agent"][idx]
        g = gg[idx]
        cat = rng.choice(len(_COMPLAINT_CATS), size=n, p=_COMPLAINT_P)
        long_wait = self.asa_qg[qi, g] > 45
        cat = np.where(long_wait & (rng.random(n) < 0.4), 2, cat)
        recv = g.astype(np.int64) * SLOT_S + rng.integers(0, SLOT_S, n) + \
            (rng.exponential(20 * 3600, n) * (rng.random(n) < 0.5)).astype(np.int64)
        src = rng.choice(7, size=n, p=[0.7, 0.05, 0.06, 0.1, 0.05, 0.02, 0.02])
        sev = rng.choice(4, size=n, p=[0.35, 0.45, 0.16, 0.04])
        sev = np.where(np.isin(src, [1, 2]), np.maximum(sev, 2), sev)
        valid = rng.random(n) < np.where(np.isin(cat, [0, 1, 6]), 0.72, 0.6)
        agent_cat = np.isin(cat, [0, 1, 6])
        due_h = np.where(np.isin(src, [1, 2]), 7 * 24, np.where(sev >= 2, 24, 48))
        due = recv + due_h * 3600
        close_h = rng.lognormal(np.log(20), 0.9, n)
        overdue = rng.random(n) < 0.08
        close_h = np.where(overdue, due_h * rng.uniform(1.05, 2.5, n), np.minimum(close_h, due_h * 0.98))
        closed = recv + (close_h * 3600).astype(np.int64)
        horizon_end = self.n_days * DAY_S
        open_ = closed > horizon_end - 3600
        roots = sorted(set(_ROOT_BY_CAT.values()) | {"customer_expectation"})
        root_i = np.array([roots.index(_ROOT_BY_CAT[_COMPLAINT_CATS[c]]) for c in range(len(_COMPLAINT_CATS))])[cat]
        root_i = np.where(valid, root_i, roots.index("customer_expectation"))
        qids = [q.queue_id for q in spec.queues]
        channels = ["voice", "chat", "email", "video", "social", "letter", "visit"]
        ch = np.where(np.array([q.channel == "chat" for q in spec.queues])[qi], 1, 0)
        ch = np.where(src == 4, 4, np.where(src == 5, 5, ch))
        order = np.argsort(recv, kind="stable")
        satisfied = rng.random(n) < 0.72
        df = pd.DataFrame({
            "case_id": _ids("CP", np.arange(1, n + 1), 8),
            "received_at": self._ts(recv),
            "channel": _cat(channels, ch),
            "source": _cat(["hotline", "regulator", "12315", "online", "social", "letter", "other"], src),
            "category": _cat(_COMPLAINT_CATS, cat),
            "severity": _cat(["low", "medium", "high", "critical"], sev),
            "agent_id": _cat(list(self.wf.agent_id) + [None], np.where(agent_cat & valid, ag, self.A)),
            "queue_id": _cat(qids, qi),
            "valid_flag": valid,
            "root_cause": _cat(roots + [None], np.where(open_, len(roots), root_i)),
            "due_at": self._ts(due),
            "closed_at": self._ts(closed).where(~open_),
            "customer_satisfied_flag": pd.Series(satisfied).astype("boolean").mask(open_),
            "repeat_flag": rng.random(n) < 0.05,
        })
        df = df.iloc[order].reset_index(drop=True)
        df["case_id"] = _ids("CP", np.arange(1, n + 1), 8)
        return df

    # ---- people: recruitment, training ---------------------------------------------------------
    def _recruit_frame(self) -> pd.DataFrame:
        rng = self.rng
        hires = np.flatnonzero((self.a_role != "manager") & (self.a_hire >= -60) &
                               ~np.isin(self.a_role, _SUPPORT_ROLES))
        chans = ["online", "offline", "campus", "referral", "agency"]
        # conversion per stage, by channel: invited, interviewed, offered, started
        conv = {"online": (0.55, 0.45, 0.38, 0.72), "offline": (0.6, 0.5, 0.4, 0.75),
                "campus": (0.65, 0.6, 0.42, 0.7), "referral": (0.8, 0.7, 0.55, 0.88),
                "agency": (0.7, 0.55, 0.45, 0.8)}
        cost = {"online": 450.0, "offline": 300.0, "campus": 250.0, "referral": 1000.0, "agency": 2500.0}
        recs = []
        for i in hires:
            ch = self.wf.channel[i]
            c = conv[ch]
            start = int(self.a_hire[i])
            off_d = start - int(rng.integers(3, 15))
            int_d = off_d - int(rng.integers(1, 6))
            inv_d = int_d - int(rng.integers(1, 5))
            src_d = inv_d - int(rng.integers(0, 4))
            lv = self.a_leave[i]
            recs.append((ch, src_d, inv_d, int_d, off_d, start, lv if lv < BIG else None, i,
                         cost[ch]))
            # the candidates who did not make it, in proportion
            p_start = c[0] * c[1] * c[2] * c[3]
            extra = rng.poisson(1 / p_start - 1)
            for _ in range(extra):
                s = src_d + int(rng.integers(-5, 6))
                st = 0
                for p in c:
                    if rng.random() < p:
                        st += 1
                    else:
                        break
                st = min(st, 3)
                dts = [s, s + int(rng.integers(0, 4))]
                dts.append(dts[-1] + int(rng.integers(1, 5)))
                dts.append(dts[-1] + int(rng.integers(1, 6)))
                recs.append((ch, s, dts[1] if st >= 1 else None, dts[2] if st >= 2 else None,
                             dts[3] if st >= 3 else None, None, None, -1, cost[ch] * 0.15))
        df = pd.DataFrame(recs, columns=["channel", "s", "inv", "itv", "off", "start", "left", "i", "cost_cny"])
        df = df.sort_values(["s", "channel"], kind="stable").reset_index(drop=True)

        def dcol(col: str) -> pd.Series:
            v = df[col]
            ok = v.notna()
            out = pd.Series(pd.NaT, index=df.index, dtype="datetime64[s]")
            out[ok] = (self.t0 + pd.to_timedelta(v[ok].astype(np.int64), unit="D")).to_numpy()
            return out

        month = (self.t0 + pd.to_timedelta(df["s"].astype(np.int64), unit="D")).dt.strftime("REQ-%Y%m")
        ids = np.asarray(self.wf.agent_id + [None], dtype=object)
        return pd.DataFrame({
            "candidate_id": _ids("CAN", np.arange(1, len(df) + 1), 7),
            "channel": df["channel"], "requisition_id": month,
            "sourced_at": dcol("s"), "invited_at": dcol("inv"), "interviewed_at": dcol("itv"),
            "offered_at": dcol("off"), "started_at": dcol("start"), "left_at": dcol("left"),
            "agent_id": ids[np.where(df["i"] >= 0, df["i"], len(ids) - 1)],
            "cost_cny": df["cost_cny"].round(2),
        })

    def _training_frame(self) -> pd.DataFrame:
        rng, sh = self.rng, self.sh
        D = self.n_days
        courses = (("NH01_company_products", 16.0, "product_knowledge"),
                   ("NH02_systems", 16.0, "system_operation"),
                   ("NH03_service_etiquette", 8.0, "service_language|attitude"),
                   ("NH04_business_rules", 24.0, "business_knowledge|accuracy"),
                   ("NH05_simulated_calls", 16.0, "handling_skill"))
        recs = []
        new = np.flatnonzero((self.a_role == "agent") & (self.a_hire >= -30))
        for i in new:
            h = int(self.a_hire[i])
            failed = self.a_leave[i] < h + 25
            day = h
            for k, (cid, hours, comp) in enumerate(courses):
                if day >= min(self.a_leave[i], D):
                    break
                pre = float(np.clip(rng.normal(45, 12), 5, 90))
                post = float(np.clip(rng.normal(82 + 4 * self.a_quality[i], 7), 30, 100))
                if failed and k >= 3:
                    post = float(rng.uniform(40, 65))
                recs.append((i, cid, day, "junior", comp, hours, round(float(np.clip(rng.normal(4.3, 0.5), 1, 5)), 1),
                             round(pre, 1), round(post, 1), post >= 70))
                day += int(np.ceil(hours / 8)) + (1 if k == 2 else 0)
        # ongoing training from the scheduled training segments
        tr = np.flatnonzero(sh["train"] & ~sh["absent"])
        ag, dd = sh["agent"][tr], sh["day"][tr]
        ten = dd - self.a_hire[ag]
        lvl = np.where(ten > 900, "senior", np.where(ten > 365, "intermediate", "junior"))
        month = (self.t0 + pd.to_timedelta(dd.astype(np.int64), unit="D")).strftime("%Y%m")
        kind = rng.choice(3, size=len(tr), p=[0.6, 0.25, 0.15])
        cid = np.where(kind == 0, "UPD_" + np.asarray(month, dtype=object),
                       np.where(kind == 1, "CMP_compliance_refresh", "SKL_" + lvl.astype(object)))
        comp = np.where(kind == 0, "product_knowledge", np.where(kind == 1, "compliance", "handling_skill"))
        has_l1 = rng.random(len(tr)) < 0.6
        l1 = np.round(np.clip(rng.normal(4.2, 0.55, len(tr)), 1, 5), 1)
        has_l2 = kind == 2
        pre = np.round(np.clip(rng.normal(62, 12, len(tr)), 0, 100), 1)
        post = np.round(np.clip(pre + rng.normal(14, 6, len(tr)), 0, 100), 1)
        df_new = pd.DataFrame(recs, columns=["i", "course_id", "day", "level", "competency_codes",
                                             "hours", "l1_score", "l2_pre", "l2_post", "pass_flag"])
        df_on = pd.DataFrame({
            "i": ag, "course_id": cid, "day": dd, "level": lvl, "competency_codes": comp,
            "hours": 1.0, "l1_score": np.where(has_l1, l1, np.nan),
            "l2_pre": np.where(has_l2, pre, np.nan), "l2_post": np.where(has_l2, post, np.nan),
            "pass_flag": pd.Series(post >= 70).astype("boolean").mask(~has_l2),
        })
        df = pd.concat([df_new, df_on], ignore_index=True)
        df = df.drop_duplicates(["i", "course_id", "day"]).sort_values(["day", "i"], kind="stable")
        df["agent_id"] = np.asarray(self.wf.agent_id, dtype=object)[df["i"].to_numpy()]
        df["session_date"] = self._ts(df["day"].to_numpy().astype(np.int64) * DAY_S).to_numpy()
        df["pass_flag"] = df["pass_flag"].astype("boolean")
        return df

    def _kpi_frame(self) -> pd.DataFrame:
        spec = self.spec
        months = pd.date_range(pd.Timestamp(spec.start_date).to_period("M").to_timestamp(),
                               pd.Timestamp(spec.end_date), freq="MS")
        rows = []
        for m in months:
            end = (m + pd.offsets.MonthEnd(0))
            base = dict(period_start=m, period_end=end)
            rows.append(dict(base, kpi_id="service_level", scope="center", formula_variant="default",
                             params=json.dumps({"threshold_s": 20, "short_abandon_s": 5}),
                             target=spec.sl_target, tolerance=0.05, owner="ops_manager"))
            rows.append(dict(base, kpi_id="abandon_rate", scope="center", formula_variant="default",
                             params=json.dumps({"short_abandon_s": 5}), target=0.05, tolerance=0.01,
                             owner="ops_manager"))
            for q in spec.queues:
                rows.append(dict(base, kpi_id="aht_s", scope=f"queue:{q.queue_id}", formula_variant="default",
                                 params=None, target=float(q.aht_s), tolerance=float(round(q.aht_s * 0.05)),
                                 owner="ops_manager"))
                if q.sl_threshold_s != 20:
                    rows.append(dict(base, kpi_id="service_level", scope=f"queue:{q.queue_id}",
                                     formula_variant="default",
                                     params=json.dumps({"threshold_s": q.sl_threshold_s, "short_abandon_s": 5}),
                                     target=0.85 if q.queue_id == "VIP" else 0.8, tolerance=0.05,
                                     owner="ops_manager"))
            rows.append(dict(base, kpi_id="qa_score", scope="center", formula_variant="default",
                             params=None, target=85.0, tolerance=2.0, owner="qa_lead"))
            rows.append(dict(base, kpi_id="csat", scope="center", formula_variant="default",
                             params=json.dumps({"question": "q_overall"}), target=0.85, tolerance=0.02, owner="qa_lead"))
            rows.append(dict(base, kpi_id="occupancy", scope="center", formula_variant="default",
                             params=None, target=0.85, tolerance=0.05, owner="wfm"))
            rows.append(dict(base, kpi_id="complaint_rate_per10k", scope="center", formula_variant="default",
                             params=None, target=15.0, tolerance=3.0, owner="complaints"))
            rows.append(dict(base, kpi_id="attrition", scope="center", formula_variant="default",
                             params=None, target=0.045, tolerance=0.01, owner="hr"))
        return pd.DataFrame(rows)
