"""Table contracts: one declaration per workspace table, and one validation engine for all of them.

Each :class:`Table` lists its columns (dtype, unit, range, allowed values, nullability, whether the
column holds personal data), its key, and cross-column :class:`Check` rules written as SQL boolean
expressions over the typed columns. :func:`validate` runs every rule at once with DuckDB, over a
pandas DataFrame or over a staged file, and reports *all* violations (table, column, rule, count,
first offending rows and values), never only the first.

The tables follow shared/docs/DOMAIN.md §8. Conventions: timestamps are local (Asia/Shanghai)
and naive; durations are seconds (``_s``) or minutes (``_min``); rates are never stored; IDs are
strings; categorical values are English codes (``ccomkit.i18n`` gives the Chinese labels, and
column-map profiles can translate a center's own values on ingest).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from ccomkit.errors import ParameterError, SchemaError

if TYPE_CHECKING:  # pragma: no cover
    import duckdb

Dtype = Literal["str", "int", "float", "bool", "date", "timestamp"]

DUCKDB_TYPES: dict[str, str] = {
    "str": "VARCHAR",
    "int": "BIGINT",
    "float": "DOUBLE",
    "bool": "BOOLEAN",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
}
PANDAS_DTYPES: dict[str, str] = {
    "str": "object",
    "int": "Int64",
    "float": "float64",
    "bool": "boolean",
    "date": "datetime64[s]",
    "timestamp": "datetime64[us]",
}
_DTYPE_WORDS: dict[str, str] = {
    "str": "text",
    "int": "a whole number",
    "float": "a number",
    "bool": "true/false (1/0, yes/no, 是/否)",
    "date": "a date (YYYY-MM-DD)",
    "timestamp": "a date-time (YYYY-MM-DD HH:MM[:SS])",
}
TRUE_WORDS = ("1", "true", "t", "yes", "y", "是", "on", "1.0")
FALSE_WORDS = ("0", "false", "f", "no", "n", "否", "off", "0.0")
DATE_FORMATS = ("%Y/%m/%d", "%Y%m%d", "%Y.%m.%d", "%Y年%m月%d日")
TIMESTAMP_FORMATS = (
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d %H:%M",
    "%Y.%m.%d %H:%M",
    "%Y/%m/%d",
)
MAX_FIRST_ROWS = 5


@dataclass(frozen=True)
class Column:
    """One column of a table contract.

    ``min``/``max`` bound numeric values (inclusive unless ``min_exclusive``); ``allowed`` lists the
    permitted codes of a categorical column; ``personal`` marks personal data (CCOM's data security);
    ``hash_at_ingest`` marks a customer identifier that the store replaces by its salted key
    (:func:`ccomkit.privacy.hash_identifier`, keyed with the workspace salt) before it reaches a
    table, the quarantine or an export.
    """

    name: str
    dtype: Dtype
    label_zh: str
    label_en: str
    unit: str = ""
    nullable: bool = False
    min: float | None = None
    max: float | None = None
    min_exclusive: bool = False
    allowed: tuple[str, ...] | None = None
    personal: bool = False
    default: Any = None
    hash_at_ingest: bool = False

    @property
    def sql_type(self) -> str:
        return DUCKDB_TYPES[self.dtype]

    def describe_range(self) -> str:
        parts = []
        if self.min is not None:
            parts.append(f"{'>' if self.min_exclusive else '>='} {_num(self.min)}")
        if self.max is not None:
            parts.append(f"<= {_num(self.max)}")
        if self.allowed is not None:
            parts.append("one of " + ", ".join(self.allowed))
        if self.hash_at_ingest:
            parts.append("hashed at ingest (HMAC-SHA256 with the workspace salt → ck-…)")
        return " and ".join(parts)


@dataclass(frozen=True)
class Check:
    """A row rule across columns. ``violation`` is a SQL expression over typed columns that is TRUE
    when the row breaks the rule (NULL counts as no violation)."""

    name: str
    column: str
    violation: str
    message: str


@dataclass(frozen=True)
class Table:
    """The contract of one workspace table."""

    name: str
    label_zh: str
    label_en: str
    grain: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    checks: tuple[Check, ...] = ()
    grid_column: str | None = None  # timestamp that must lie on the interval_min grid
    # Rows of one ``span_group`` must not overlap in time: ``span`` = (start column, SQL of the
    # end). Checked by the store on each file and against the rows already loaded.
    span: tuple[str, str] | None = None
    span_group: tuple[str, ...] = ()
    # Columns of actuals that cannot lie in the future (checked by the store on files it ingests).
    not_future: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        names = [c.name for c in self.columns]
        missing = [k for k in self.key if k not in names]
        if missing:  # pragma: no cover - a programming error in this module
            raise ValueError(f"{self.name}: key columns {missing} are not declared")

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if not c.nullable and c.default is None]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise SchemaError(f"{self.name} has no column {name!r}", table=self.name, column=name)

    def ddl(self, name: str | None = None) -> str:
        cols = ",\n  ".join(f'"{c.name}" {c.sql_type}' for c in self.columns)
        return f'CREATE TABLE IF NOT EXISTS "{name or self.name}" (\n  {cols}\n)'

    def empty_frame(self) -> pd.DataFrame:
        return pd.DataFrame({c.name: pd.Series(dtype=PANDAS_DTYPES[c.dtype]) for c in self.columns})


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


# --------------------------------------------------------------------------------------------
# Column helpers (keep the declarations below readable)
# --------------------------------------------------------------------------------------------


def _id(name: str, zh: str, en: str, **kw: Any) -> Column:
    return Column(name, "str", zh, en, **kw)


def _count(name: str, zh: str, en: str, **kw: Any) -> Column:
    kw.setdefault("min", 0)
    return Column(name, "int", zh, en, unit="count", **kw)


def _secs(name: str, zh: str, en: str, **kw: Any) -> Column:
    kw.setdefault("min", 0)
    return Column(name, "float", zh, en, unit="s", **kw)


def _flag(name: str, zh: str, en: str, **kw: Any) -> Column:
    return Column(name, "bool", zh, en, **kw)


CHANNELS = ("voice", "chat", "email", "video", "social")
QA_SECTIONS = ("language", "attitude", "skill", "accuracy", "fatal")
FATAL_TYPES = ("customer", "business", "compliance")
RECRUIT_CHANNELS = ("online", "offline", "campus", "referral", "agency")
ROLES = ("agent", "team_leader", "qa", "trainer", "supervisor", "coordinator", "manager", "wfm")
GRADES = ("A", "B+", "B-", "C", "D")
LEVELS = ("junior", "intermediate", "senior", "expert")
ACTIVITIES = ("work", "break", "meal", "training", "meeting", "coaching", "leave", "other")
ABSENCE_TYPES = ("sick", "personal", "annual", "unpaid", "awol", "other")
HR_EVENTS = ("hire", "confirm", "stage_change", "transfer", "promotion", "demotion", "leave")
STAGES = ("training", "nesting", "on_floor")
SURVEY_CHANNELS = ("ivr", "sms", "app", "wechat", "web", "outbound")
COMPLAINT_SOURCES = ("hotline", "regulator", "12315", "online", "social", "letter", "other")
SEVERITIES = ("low", "medium", "high", "critical")
FOLLOWUP = ("none", "open", "contacted", "resolved", "verified")
TRAINING_LEVELS = ("junior", "intermediate", "senior")

_INTERVAL_MIN = Column(
    "interval_min", "int", "时段长度", "interval length", unit="min", allowed=None, min=5, max=60
)
_INTERVAL_END = "interval_start + to_minutes(CAST(interval_min AS BIGINT))"
_GRID_CHECK_MSG = "must lie on the interval grid (minute a multiple of interval_min, no seconds)"
_INTERVAL_LEN_CHECK = Check(
    "interval_min_allowed",
    "interval_min",
    "interval_min NOT IN (5, 10, 15, 30, 60)",
    "must be one of 5, 10, 15, 30, 60",
)

# --------------------------------------------------------------------------------------------
# The tables
# --------------------------------------------------------------------------------------------

ACD_INTERVAL = Table(
    name="acd_interval",
    label_zh="ACD时段话务",
    label_en="ACD interval statistics",
    grain="queue × interval",
    columns=(
        Column("interval_start", "timestamp", "时段开始", "interval start", unit="local time"),
        _INTERVAL_MIN,
        _id("queue_id", "队列", "queue"),
        Column("channel", "str", "渠道", "channel", allowed=CHANNELS, default="voice"),
        _count("offered", "接入量", "offered"),
        _count("answered", "接通量", "answered"),
        _count("answered_within_t", "阈值内接通量", "answered within T"),
        _count("abandoned", "放弃量", "abandoned"),
        _count("abandoned_short", "短时放弃量", "short abandons", default=0),
        _count("abandoned_within_t", "阈值内放弃量", "abandoned within T", nullable=True),
        Column("sl_threshold_s", "int", "服务水平阈值T", "service level threshold T",
               unit="s", min=1, max=600, default=20),
        Column("short_abandon_s", "int", "短时放弃阈值", "short-abandon threshold",
               unit="s", min=0, max=120, default=5),
        _count("flow_in", "转入量", "flow in", nullable=True),
        _count("flow_out", "转出量", "flow out", nullable=True),
        _count("handled", "处理量", "handled"),
        _secs("sum_wait_answered_s", "接通累计等待时长", "wait of answered calls"),
        _secs("sum_wait_abandoned_s", "放弃累计等待时长", "wait of abandoned calls", nullable=True),
        _secs("max_wait_s", "最长等待时长", "longest wait", nullable=True, max=86400),
        _secs("sum_talk_s", "累计通话时长", "talk time"),
        _secs("sum_hold_s", "累计保持时长", "hold time", default=0),
        _secs("sum_acw_s", "累计话后处理时长", "after-call work time", default=0),
        Column("avg_agents_staffed", "float", "平均在席人数", "average agents staffed",
               unit="agents", nullable=True, min=0),
    ),
    key=("queue_id", "interval_start"),
    grid_column="interval_start",
    span=("interval_start", _INTERVAL_END),
    span_group=("queue_id",),
    not_future=("interval_start",),
    checks=(
        _INTERVAL_LEN_CHECK,
        Check("answered_le_offered", "answered", "answered + abandoned > offered",
              "answered + abandoned must not exceed offered"),
        Check("within_t_le_answered", "answered_within_t", "answered_within_t > answered",
              "must not exceed answered"),
        Check("short_le_abandoned", "abandoned_short", "abandoned_short > abandoned",
              "must not exceed abandoned"),
        Check("abandoned_within_t_le_abandoned", "abandoned_within_t",
              "abandoned_within_t > abandoned", "must not exceed abandoned"),
        Check("aht_plausible", "sum_talk_s",
              "handled > 0 AND (sum_talk_s + sum_hold_s + sum_acw_s) / handled > 14400",
              "gives an average handle time over 4 hours: check the unit (seconds expected)"),
        Check("talk_without_calls", "sum_talk_s",
              "handled = 0 AND answered = 0 AND sum_talk_s > interval_min * 60 * 1000",
              "is far more talk time than an interval without handled calls can hold"),
    ),
)

AGENT_DIM = Table(
    name="agent_dim",
    label_zh="员工档案",
    label_en="agents",
    grain="agent",
    columns=(
        _id("agent_id", "工号", "agent id"),
        Column("name", "str", "姓名", "name", nullable=True, personal=True),
        _id("team_id", "班组", "team"),
        _id("team_leader_id", "班组长工号", "team leader id", nullable=True),
        _id("site", "职场", "site", nullable=True),
        Column("role", "str", "岗位", "role", allowed=ROLES, default="agent"),
        Column("hire_date", "date", "入职日期", "hire date"),
        Column("leave_date", "date", "离职日期", "leave date", nullable=True),
        Column("employment_type", "str", "用工类型", "employment type",
               allowed=("full_time", "part_time"), default="full_time"),
        Column("contract_hours_week", "float", "周合同工时", "weekly contract hours",
               unit="h", nullable=True, min=0, max=60),
        Column("grade", "str", "考核等级", "grade", nullable=True, allowed=GRADES),
        Column("level", "str", "星级/职级", "level", nullable=True, allowed=LEVELS),
        Column("tier", "int", "人才梯队", "talent tier", nullable=True, min=1, max=3),
        Column("skills", "str", "技能队列", "skills (queue ids, | separated)", nullable=True),
        Column("recruit_channel", "str", "招聘渠道", "recruitment channel",
               nullable=True, allowed=RECRUIT_CHANNELS),
    ),
    key=("agent_id",),
    checks=(
        Check("leave_after_hire", "leave_date", "leave_date < hire_date",
              "must not be before hire_date"),
    ),
)

AGENT_INTERVAL = Table(
    name="agent_interval",
    label_zh="座席时段状态",
    label_en="agent interval states",
    grain="agent × interval",
    columns=(
        _id("agent_id", "工号", "agent id"),
        Column("interval_start", "timestamp", "时段开始", "interval start", unit="local time"),
        _INTERVAL_MIN,
        _id("queue_id", "主技能队列", "main queue", nullable=True),
        _secs("login_s", "签入时长", "logged-in time"),
        _secs("ready_idle_s", "空闲等待时长", "ready idle time"),
        _secs("talk_s", "通话时长", "talk time"),
        _secs("hold_s", "保持时长", "hold time", default=0),
        _secs("acw_s", "话后处理时长", "after-call work", default=0),
        _secs("aux_break_s", "小休时长", "break (aux)", default=0),
        _secs("aux_meal_s", "用餐时长", "meal (aux)", default=0),
        _secs("aux_training_s", "培训时长", "training (aux)", default=0),
        _secs("aux_meeting_s", "会议时长", "meeting (aux)", default=0),
        _secs("aux_coaching_s", "辅导时长", "coaching (aux)", default=0),
        _secs("aux_other_s", "其他未就绪时长", "other aux", default=0),
        _count("handled", "处理量", "handled"),
        _count("transfers", "转接量", "transfers", default=0),
    ),
    key=("agent_id", "interval_start"),
    grid_column="interval_start",
    span=("interval_start", _INTERVAL_END),
    span_group=("agent_id",),
    not_future=("interval_start",),
    checks=(
        _INTERVAL_LEN_CHECK,
        Check("login_le_interval", "login_s", "login_s > interval_min * 60 + 1",
              "must not exceed the interval length (interval_min × 60 s)"),
        Check("states_le_login", "login_s",
              "ready_idle_s + talk_s + hold_s + acw_s + aux_break_s + aux_meal_s + aux_training_s"
              " + aux_meeting_s + aux_coaching_s + aux_other_s > login_s + 5",
              "is less than the sum of the agent states in the interval"),
    ),
)

SCHEDULE = Table(
    name="schedule",
    label_zh="排班表(班次与活动)",
    label_en="schedule (shifts and activities)",
    grain="agent × activity segment",
    columns=(
        _id("agent_id", "工号", "agent id"),
        Column("shift_date", "date", "班次日期", "shift date"),
        _id("shift_code", "班次代码", "shift code"),
        Column("start_at", "timestamp", "开始时间", "start", unit="local time"),
        Column("end_at", "timestamp", "结束时间", "end", unit="local time"),
        Column("activity", "str", "活动", "activity", allowed=ACTIVITIES, default="work"),
        _id("queue_id", "队列", "queue", nullable=True),
        _id("schedule_version", "排班版本", "schedule version", default="published"),
    ),
    key=("schedule_version", "agent_id", "start_at"),
    span=("start_at", "end_at"),
    span_group=("schedule_version", "agent_id"),
    checks=(
        Check("end_after_start", "end_at", "end_at <= start_at", "must be after start_at"),
        Check("segment_length", "end_at", "end_at - start_at > INTERVAL 16 HOUR",
              "gives a segment longer than 16 hours"),
        Check("start_near_shift_date", "start_at",
              "CAST(start_at AS DATE) < shift_date OR CAST(start_at AS DATE) > shift_date + 1",
              "must fall on shift_date or, for overnight shifts, the day after"),
    ),
)

ATTENDANCE = Table(
    name="attendance",
    label_zh="考勤",
    label_en="attendance",
    grain="agent × day",
    columns=(
        _id("agent_id", "工号", "agent id"),
        Column("work_date", "date", "日期", "date"),
        _flag("scheduled_flag", "是否排班", "scheduled"),
        _flag("present_flag", "是否出勤", "present"),
        Column("late_min", "int", "迟到分钟", "late", unit="min", nullable=True, min=0, max=1440),
        Column("early_leave_min", "int", "早退分钟", "left early", unit="min",
               nullable=True, min=0, max=1440),
        Column("absence_type", "str", "缺勤类型", "absence type", nullable=True,
               allowed=ABSENCE_TYPES),
    ),
    key=("agent_id", "work_date"),
    not_future=("work_date",),
    checks=(
        Check("absent_not_late", "late_min", "NOT present_flag AND late_min > 0",
              "must be empty or 0 when present_flag is false"),
    ),
)

QA_EVALUATION = Table(
    name="qa_evaluation",
    label_zh="质检评估",
    label_en="QA evaluations",
    grain="evaluation",
    columns=(
        _id("eval_id", "质检单号", "evaluation id"),
        _id("call_id", "录音/通话编号", "call id", nullable=True),
        _id("agent_id", "工号", "agent id"),
        _id("evaluator_id", "质检员", "evaluator id"),
        Column("eval_date", "date", "质检日期", "evaluation date"),
        Column("call_date", "date", "通话日期", "call date", nullable=True),
        _id("queue_id", "队列", "queue", nullable=True),
        _id("form_version", "质检表版本", "form version"),
        Column("total_score", "float", "质检得分", "QA score", unit="points", min=0, max=100),
        _flag("fatal_flag", "致命错误", "fatal error", default=False),
        Column("fatal_type", "str", "致命错误类型", "fatal error type", nullable=True,
               allowed=FATAL_TYPES),
        _flag("is_calibration", "校准样本", "calibration sample", default=False),
        _id("calibration_session_id", "校准场次", "calibration session", nullable=True),
    ),
    key=("eval_id",),
    not_future=("eval_date",),
    checks=(
        Check("fatal_zero", "total_score", "fatal_flag AND total_score <> 0",
              "must be 0 when fatal_flag is true (a red-line error zeroes the evaluation)"),
        Check("fatal_type_needed", "fatal_type",
              "(fatal_flag AND fatal_type IS NULL) OR (NOT fatal_flag AND fatal_type IS NOT NULL)",
              "must be given exactly when fatal_flag is true"),
        Check("calibration_session", "calibration_session_id",
              "is_calibration AND calibration_session_id IS NULL",
              "is required when is_calibration is true"),
        Check("eval_after_call", "eval_date", "eval_date < call_date",
              "must not be before call_date"),
    ),
)

QA_ITEM = Table(
    name="qa_item",
    label_zh="质检扣分项",
    label_en="QA item results",
    grain="evaluation × item",
    columns=(
        _id("eval_id", "质检单号", "evaluation id"),
        Column("section", "str", "评分大项", "section", allowed=QA_SECTIONS),
        _id("item_code", "评分项", "item code"),
        Column("max_points", "float", "分值", "maximum points", unit="points", min=0, max=100),
        Column("deducted_points", "float", "扣分", "points deducted", unit="points",
               min=0, max=100),
        _flag("is_fatal", "致命项触发", "fatal item triggered", default=False),
        Column("comment", "str", "备注", "comment", nullable=True),
    ),
    key=("eval_id", "item_code"),
    checks=(
        Check("deduction_le_max", "deducted_points", "deducted_points > max_points",
              "must not exceed max_points"),
    ),
)

CSAT_RESPONSE = Table(
    name="csat_response",
    label_zh="满意度调查",
    label_en="satisfaction survey responses",
    grain="survey invitation",
    columns=(
        _id("survey_id", "调查编号", "survey id"),
        _id("call_id", "通话编号", "call id", nullable=True),
        _id("agent_id", "工号", "agent id", nullable=True),
        _id("queue_id", "队列", "queue", nullable=True),
        Column("channel", "str", "调查渠道", "survey channel", allowed=SURVEY_CHANNELS),
        Column("invited_at", "timestamp", "邀请时间", "invited at", unit="local time"),
        Column("responded_at", "timestamp", "回复时间", "responded at", unit="local time",
               nullable=True),
        Column("q_overall", "int", "总体满意度", "overall satisfaction", unit="1-5",
               nullable=True, min=1, max=5),
        Column("q_speed", "int", "速度满意度", "speed", unit="1-5", nullable=True, min=1, max=5),
        Column("q_accuracy", "int", "准确性满意度", "accuracy", unit="1-5", nullable=True,
               min=1, max=5),
        Column("q_attitude", "int", "态度满意度", "attitude", unit="1-5", nullable=True,
               min=1, max=5),
        Column("nps", "int", "推荐意愿", "likelihood to recommend", unit="0-10", nullable=True,
               min=0, max=10),
        _flag("fcr_yes", "首次解决", "resolved on first contact", nullable=True),
        Column("dissat_reasons", "str", "不满意原因", "dissatisfaction reasons (| separated)",
               nullable=True),
        Column("comment", "str", "客户意见", "customer comment", nullable=True, personal=True),
        Column("customer_key", "str", "客户标识(加盐哈希)", "customer key (salted hash)",
               nullable=True, personal=True, hash_at_ingest=True),
        Column("followup_status", "str", "回访状态", "follow-up status", nullable=True,
               allowed=FOLLOWUP),
    ),
    key=("survey_id",),
    not_future=("invited_at",),
    checks=(
        Check("response_after_invite", "responded_at", "responded_at < invited_at",
              "must not be before invited_at"),
        Check("answers_need_response", "q_overall",
              "responded_at IS NULL AND q_overall IS NOT NULL",
              "is given but responded_at is empty"),
    ),
)

COMPLAINT = Table(
    name="complaint",
    label_zh="投诉",
    label_en="complaints",
    grain="case",
    columns=(
        _id("case_id", "工单号", "case id"),
        Column("received_at", "timestamp", "受理时间", "received at", unit="local time"),
        Column("channel", "str", "渠道", "channel", allowed=CHANNELS + ("letter", "visit"),
               default="voice"),
        Column("source", "str", "来源", "source", allowed=COMPLAINT_SOURCES),
        _id("category", "投诉类别", "category"),
        Column("severity", "str", "严重程度", "severity", allowed=SEVERITIES, default="medium"),
        _id("agent_id", "责任工号", "attributable agent", nullable=True),
        _id("queue_id", "队列", "queue", nullable=True),
        _flag("valid_flag", "有效投诉", "valid complaint"),
        Column("root_cause", "str", "根因", "root cause", nullable=True),
        Column("due_at", "timestamp", "应结案时间", "due at", nullable=True),
        Column("closed_at", "timestamp", "结案时间", "closed at", nullable=True),
        _flag("customer_satisfied_flag", "客户认可", "customer satisfied", nullable=True),
        _flag("repeat_flag", "重复投诉", "repeat complaint", default=False),
    ),
    key=("case_id",),
    not_future=("received_at",),
    checks=(
        Check("closed_after_received", "closed_at", "closed_at < received_at",
              "must not be before received_at"),
        Check("due_after_received", "due_at", "due_at < received_at",
              "must not be before received_at"),
    ),
)

HR_EVENT = Table(
    name="hr_event",
    label_zh="人事变动",
    label_en="HR events",
    grain="event",
    columns=(
        _id("agent_id", "工号", "agent id"),
        Column("event_type", "str", "事件类型", "event type", allowed=HR_EVENTS),
        Column("event_date", "date", "生效日期", "effective date"),
        Column("leave_type", "str", "离职类型", "leave type", nullable=True,
               allowed=("voluntary", "involuntary")),
        Column("leave_reason", "str", "离职原因", "leave reason", nullable=True),
        Column("stage", "str", "新人阶段", "new-hire stage", nullable=True, allowed=STAGES),
        Column("from_value", "str", "变动前", "from", nullable=True),
        Column("to_value", "str", "变动后", "to", nullable=True),
    ),
    key=("agent_id", "event_type", "event_date"),
    checks=(
        Check("leave_type_needed", "leave_type",
              "event_type = 'leave' AND leave_type IS NULL",
              "is required for a leave event (voluntary or involuntary)"),
        Check("leave_type_only_for_leave", "leave_type",
              "event_type <> 'leave' AND leave_type IS NOT NULL",
              "must be empty unless event_type is leave"),
    ),
)

RECRUIT_FUNNEL = Table(
    name="recruit_funnel",
    label_zh="招聘漏斗",
    label_en="recruitment funnel",
    grain="candidate",
    columns=(
        _id("candidate_id", "候选人编号", "candidate id"),
        Column("channel", "str", "招聘渠道", "channel", allowed=RECRUIT_CHANNELS),
        _id("requisition_id", "招聘需求", "requisition", nullable=True),
        Column("sourced_at", "date", "获取简历", "sourced"),
        Column("invited_at", "date", "邀约", "invited", nullable=True),
        Column("interviewed_at", "date", "面试", "interviewed", nullable=True),
        Column("offered_at", "date", "录用", "offered", nullable=True),
        Column("started_at", "date", "到岗", "started", nullable=True),
        Column("left_at", "date", "离职", "left", nullable=True),
        _id("agent_id", "入职工号", "agent id after start", nullable=True),
        Column("cost_cny", "float", "招聘成本", "cost", unit="CNY", nullable=True, min=0),
    ),
    key=("candidate_id",),
    checks=(
        Check("invited_after_sourced", "invited_at", "invited_at < sourced_at",
              "must not be before sourced_at"),
        Check("interviewed_after_invited", "interviewed_at", "interviewed_at < invited_at",
              "must not be before invited_at"),
        Check("offered_after_interviewed", "offered_at", "offered_at < interviewed_at",
              "must not be before interviewed_at"),
        Check("started_after_offered", "started_at", "started_at < offered_at",
              "must not be before offered_at"),
        Check("left_after_started", "left_at", "left_at < started_at OR (left_at IS NOT NULL"
              " AND started_at IS NULL)", "must be after started_at"),
    ),
)

TRAINING_RECORD = Table(
    name="training_record",
    label_zh="培训记录",
    label_en="training records",
    grain="agent × session",
    columns=(
        _id("agent_id", "工号", "agent id"),
        _id("course_id", "课程", "course"),
        Column("session_date", "date", "培训日期", "session date"),
        Column("level", "str", "课程级别", "course level", allowed=TRAINING_LEVELS),
        Column("competency_codes", "str", "对应胜任力", "competencies (| separated)",
               nullable=True),
        Column("hours", "float", "学时", "hours", unit="h", min=0, min_exclusive=True, max=80),
        Column("l1_score", "float", "反应评估", "Kirkpatrick L1 reaction", unit="1-5",
               nullable=True, min=1, max=5),
        Column("l2_pre", "float", "训前测试", "L2 pre-test", unit="points", nullable=True,
               min=0, max=100),
        Column("l2_post", "float", "训后测试", "L2 post-test", unit="points", nullable=True,
               min=0, max=100),
        _flag("pass_flag", "是否通过", "passed", nullable=True),
    ),
    key=("agent_id", "course_id", "session_date"),
)

KPI_TARGET = Table(
    name="kpi_target",
    label_zh="指标目标",
    label_en="KPI targets",
    grain="KPI × scope × period",
    columns=(
        _id("kpi_id", "指标", "KPI id"),
        _id("scope", "范围", "scope (center, queue:ID, team:ID, role:ID)", default="center"),
        Column("period_start", "date", "起始日期", "period start"),
        Column("period_end", "date", "结束日期", "period end"),
        Column("formula_variant", "str", "口径", "formula variant", nullable=True),
        Column("params", "str", "参数(JSON)", "parameters (JSON)", nullable=True),
        Column("target", "float", "目标值", "target"),
        Column("tolerance", "float", "容差", "tolerance", nullable=True, min=0),
        Column("owner", "str", "负责人", "owner", nullable=True),
    ),
    key=("kpi_id", "scope", "period_start"),
    checks=(
        Check("period_order", "period_end", "period_end < period_start",
              "must not be before period_start"),
        Check("params_json", "params", "params IS NOT NULL AND NOT json_valid(params)",
              "must be valid JSON"),
    ),
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        ACD_INTERVAL,
        AGENT_DIM,
        AGENT_INTERVAL,
        SCHEDULE,
        ATTENDANCE,
        QA_EVALUATION,
        QA_ITEM,
        CSAT_RESPONSE,
        COMPLAINT,
        HR_EVENT,
        RECRUIT_FUNNEL,
        TRAINING_RECORD,
        KPI_TARGET,
    )
}


def get_table(name: str | Table) -> Table:
    """Return the contract of ``name`` (or ``name`` itself when it already is one)."""
    if isinstance(name, Table):
        return name
    try:
        return TABLES[name]
    except KeyError:
        raise ParameterError(
            f"Unknown table {name!r}. Known tables: {', '.join(TABLES)}.", param="table", value=name
        ) from None


# --------------------------------------------------------------------------------------------
# The validation engine (SQL over DuckDB, so frames and staged files share one definition)
# --------------------------------------------------------------------------------------------


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _is_varchar(src_type: str) -> bool:
    return src_type.upper() in ("VARCHAR", "STRING", "TEXT") or src_type.upper().startswith("VARCHAR")


def cast_expr(col: Column, src_type: str | None, raw: str) -> str:
    """SQL that turns the source column ``raw`` (of DuckDB type ``src_type``) into ``col``'s type;
    NULL where the value cannot be read as that type. ``src_type`` None means the column is absent."""
    if src_type is None:
        if col.default is None:
            return f"CAST(NULL AS {col.sql_type})"
        val = col.default
        lit = _lit(str(val)) if isinstance(val, str) else str(val).upper()
        return f"CAST({lit} AS {col.sql_type})"
    t = src_type.upper()
    text = _trimmed_text(raw) if _is_varchar(t) else f"NULLIF(TRIM(CAST({raw} AS VARCHAR)), '')"
    default = ""
    if col.default is not None:
        val = col.default
        default_lit = _lit(str(val)) if isinstance(val, str) else str(val).upper()
        default = f", CAST({default_lit} AS {col.sql_type})"

    empty = f"{text} IS NULL" if _is_varchar(t) else f"{raw} IS NULL"

    def with_default(expr: str) -> str:
        # A present but empty cell takes the declared default, as an absent column does; a cell that
        # cannot be read stays NULL so that its type rule fires.
        return f"(CASE WHEN {empty} THEN {default[2:]} ELSE {expr} END)" if default else expr

    if col.dtype == "str":
        return with_default(text)
    if col.dtype == "int":
        if t in ("BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT", "UBIGINT", "UINTEGER"):
            return with_default(f"CAST({raw} AS BIGINT)")
        if t in ("DOUBLE", "FLOAT", "REAL") or t.startswith("DECIMAL"):
            return with_default(
                f"CASE WHEN {raw} = TRUNC({raw}) AND ABS({raw}) < 9e18 THEN CAST({raw} AS BIGINT) END"
            )
        d = f"TRY_CAST({text} AS DOUBLE)"
        return with_default(f"CASE WHEN {d} = TRUNC({d}) AND ABS({d}) < 9e18 THEN CAST({d} AS BIGINT) END")
    if col.dtype == "float":
        if t in ("DOUBLE", "FLOAT", "REAL", "BIGINT", "INTEGER", "SMALLINT", "TINYINT") or t.startswith(
            "DECIMAL"
        ):
            return with_default(f"CASE WHEN isfinite(CAST({raw} AS DOUBLE)) THEN CAST({raw} AS DOUBLE) END")
        d = f"TRY_CAST({text} AS DOUBLE)"
        return with_default(f"CASE WHEN isfinite({d}) THEN {d} END")
    if col.dtype == "bool":
        if t == "BOOLEAN":
            return with_default(raw)
        low = f"lower({text})"
        trues = ", ".join(_lit(w) for w in TRUE_WORDS)
        falses = ", ".join(_lit(w) for w in FALSE_WORDS)
        return with_default(
            f"CASE WHEN {low} IN ({trues}) THEN TRUE WHEN {low} IN ({falses}) THEN FALSE END"
        )
    if col.dtype == "date":
        if t == "DATE":
            return with_default(raw)
        if t.startswith("TIMESTAMP"):
            return with_default(
                f"CASE WHEN CAST({raw} AS TIME) = TIME '00:00:00' THEN CAST({raw} AS DATE) END"
            )
        fmts = "[" + ", ".join(_lit(f) for f in DATE_FORMATS) + "]"
        return with_default(
            f"COALESCE(TRY_CAST({text} AS DATE), CAST(TRY_STRPTIME({text}, {fmts}) AS DATE))"
        )
    if col.dtype == "timestamp":
        if t.startswith("TIMESTAMP") and "TIME ZONE" not in t:
            return with_default(f"CAST({raw} AS TIMESTAMP)")
        if t == "DATE":
            return with_default(f"CAST({raw} AS TIMESTAMP)")
        fmts = "[" + ", ".join(_lit(f) for f in TIMESTAMP_FORMATS) + "]"
        return with_default(f"COALESCE(TRY_CAST({text} AS TIMESTAMP), TRY_STRPTIME({text}, {fmts}))")
    raise AssertionError(col.dtype)  # pragma: no cover


def _trimmed_text(raw: str) -> str:
    """``NULLIF(TRIM(raw), '')`` for a VARCHAR ``raw``, without TRIM's copy for the usual value
    that has no surrounding space (TRIM removes spaces only, so the result is identical)."""
    return (f"NULLIF(CASE WHEN starts_with({raw}, ' ') OR ends_with({raw}, ' ') THEN TRIM({raw}) "
            f"ELSE {raw} END, '')")


def _raw_present(src_type: str | None, raw: str) -> str:
    if src_type is None:
        return "FALSE"
    if _is_varchar(src_type):
        return f"{_trimmed_text(raw)} IS NOT NULL"
    return f"{raw} IS NOT NULL"


def _raw_name(name: str) -> str:
    return "raw:" + name


def rules_for(table: Table, src_types: dict[str, str]) -> list[tuple[str, str, str, str]]:
    """Every row rule of ``table`` as (column, rule_name, message, violation_sql). The SQL reads the
    typed columns ``t."col"`` and the raw source columns ``t."raw:col"`` of :func:`typed_select`."""
    rules: list[tuple[str, str, str, str]] = []
    for c in table.columns:
        src = src_types.get(c.name)
        raw = f"t.{_q(_raw_name(c.name))}"
        typed = f"t.{_q(c.name)}"
        present = _raw_present(src, raw)
        if src is not None and c.dtype != "str":
            rules.append((c.name, "type", f"must be {_DTYPE_WORDS[c.dtype]}",
                          f"({present}) AND {typed} IS NULL"))
        if not c.nullable:
            rules.append((c.name, "required", "is required (empty value)",
                          f"{typed} IS NULL AND NOT ({present})"))
        if c.min is not None:
            op = "<=" if c.min_exclusive else "<"
            word = ">" if c.min_exclusive else ">="
            rules.append((c.name, "min", f"must be {word} {_num(c.min)}", f"{typed} {op} {c.min!r}"))
        if c.max is not None:
            rules.append((c.name, "max", f"must be <= {_num(c.max)}", f"{typed} > {c.max!r}"))
        if c.allowed is not None:
            allowed = ", ".join(_lit(a) for a in c.allowed)
            rules.append((c.name, "allowed", f"must be one of {', '.join(c.allowed)}",
                          f"{typed} NOT IN ({allowed})"))
    for chk in table.checks:
        expr = chk.violation
        for c in table.columns:  # qualify column names with the typed alias
            expr = _qualify(expr, c.name)
        rules.append((chk.column, chk.name, chk.message, f"({expr})"))
    if table.grid_column:
        g = f"t.{_q(table.grid_column)}"
        rules.append((table.grid_column, "grid", _GRID_CHECK_MSG,
                      f"(minute({g}) % GREATEST(t.interval_min, 1) <> 0 OR second({g}) <> 0"
                      f" OR microsecond({g}) % 1000000 <> 0)"))
    return rules


def _qualify(expr: str, name: str) -> str:
    return re.sub(rf"(?<![\w.\"']){re.escape(name)}(?![\w\"'])", f"t.{_q(name)}", expr)


def typed_select(table: Table, src_types: dict[str, str], source: str, row_col: str | None = "_row",
                 check_duplicates: bool = True) -> str:
    """SQL of a relation with ``row_col``, the typed table columns and ``_violations`` (a list of
    'column|rule' codes; empty for a good row), read from ``source`` (which must have ``row_col``).
    Duplicate keys within the source are flagged on the second and later occurrence.

    ``row_col=None`` reads no row column and returns none (rows keep the source order);
    ``check_duplicates=False`` leaves the duplicate-key rule to the caller (the store flags it
    with a cheaper aggregate over the materialised result, avoiding a window over wide rows)."""
    casts = ",\n    ".join(
        f"{cast_expr(c, src_types.get(c.name), 'r.' + _q(c.name))} AS {_q(c.name)}" for c in table.columns
    )
    raws = "".join(
        f", r.{_q(c.name)} AS {_q(_raw_name(c.name))}" for c in table.columns if c.name in src_types
    )
    rules = rules_for(table, src_types)
    keys_present = " AND ".join(f"t.{_q(k)} IS NOT NULL" for k in table.key)
    dup = f"(t._dup_rank > 1 AND {keys_present})" if check_duplicates else "FALSE"
    flags = ",\n      ".join(
        f"CASE WHEN {sql} THEN {_lit(col + '|' + name)} END" for col, name, _msg, sql in rules
    )
    if check_duplicates:
        flags += f",\n      CASE WHEN {dup} THEN {_lit(table.key[0] + '|duplicate_key')} END"
    any_bad = " OR ".join(f"({sql})" for _c, _n, _m, sql in rules) or "FALSE"
    keys = ", ".join(_q(k) for k in table.key)
    typed_cols = ", ".join(f"t.{_q(c.name)}" for c in table.columns)
    row_in = f"r.{_q(row_col)} AS _row, " if row_col else ""
    row_out = f"t._row AS {_q(row_col)}, " if row_col else ""
    if check_duplicates:
        order = "ORDER BY _row" if row_col else ""
        t_cte = f"SELECT *, row_number() OVER (PARTITION BY {keys} {order}) AS _dup_rank FROM t0"
    else:
        t_cte = "SELECT * FROM t0"
    return f"""
WITH t0 AS (
  SELECT {row_in}{raws.lstrip(', ')}{', ' if raws else ''}
    {casts}
  FROM {source} AS r
),
t AS (
  {t_cte}
)
SELECT {row_out}{typed_cols},
  CASE WHEN ({any_bad}) OR {dup}
    THEN [x FOR x IN [
      {flags}
    ] IF x IS NOT NULL]
    ELSE []::VARCHAR[] END AS _violations
FROM t
"""


def rule_messages(table: Table, src_types: dict[str, str]) -> dict[str, str]:
    """Map 'column|rule' codes (as in ``_violations``) to readable messages."""
    msgs = {f"{col}|{name}": msg for col, name, msg, _sql in rules_for(table, src_types)}
    msgs[f"{table.key[0]}|duplicate_key"] = (
        "repeats the key (" + ", ".join(table.key) + ") of an earlier row"
    )
    if table.span is not None:
        msgs[f"{table.span[0]}|overlap"] = (
            "overlaps another row of the same " + ", ".join(table.span_group)
            + " (in this file or already loaded): a period must be counted once"
        )
    for col in table.not_future:
        msgs[f"{col}|future"] = ("is in the future: actuals cannot be (check the date format, "
                                 "day and month swapped?)")
    return msgs


@dataclass
class ValidationResult:
    """The outcome of :func:`validate`.

    Attributes
    ----------
    table : str
    frame : DataFrame
        The rows that pass every rule, typed to the contract (columns in contract order).
    violations : DataFrame
        One row per broken rule: table, column, rule, message, n_rows, first_rows, first_values.
    bad_rows : DataFrame
        The row positions (``_row``) of the failing rows and their reasons (``reasons``).
    """

    table: str
    frame: pd.DataFrame
    violations: pd.DataFrame
    bad_rows: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def ok(self) -> bool:
        return self.violations.empty

    def messages(self, row_word: str = "rows", offset: int = 0) -> list[str]:
        """One readable line per broken rule."""
        out = []
        for v in self.violations.itertuples(index=False):
            rows = [int(r) + offset for r in v.first_rows]
            vals = ", ".join(repr(x) for x in v.first_values)
            more = "" if v.n_rows <= len(rows) else ", …"
            out.append(
                f"{v.table}.{v.column} {v.message}: {v.n_rows} row{'s' if v.n_rows != 1 else ''} "
                f"violate{'s' if v.n_rows == 1 else ''} it, first at {row_word} "
                f"{rows}{more} (value{'s' if len(v.first_values) != 1 else ''} {vals})"
            )
        return out

    def raise_if_invalid(self) -> "ValidationResult":
        if not self.ok:
            first = self.violations.iloc[0]
            raise SchemaError(
                "; ".join(self.messages()),
                table=self.table,
                column=str(first["column"]),
                rows=[int(r) for r in first["first_rows"]],
                violations=self.violations,
            )
        return self


def summarise_violations(
    con: "duckdb.DuckDBPyConnection", table: Table, checked: str, src_types: dict[str, str],
    row_col: str = "_row", source: str | None = None
) -> pd.DataFrame:
    """Aggregate the ``_violations`` of relation ``checked`` into one row per rule, with the
    first offending rows and their raw values (read from ``source``, default ``checked``)."""
    msgs = rule_messages(table, src_types)
    raw_src = source or checked
    agg = con.execute(
        f"""
        SELECT v AS code, count(*) AS n_rows, list({_q(row_col)} ORDER BY {_q(row_col)})[1:{MAX_FIRST_ROWS}]
               AS first_rows
        FROM (SELECT {_q(row_col)}, unnest(_violations) AS v FROM {checked} WHERE len(_violations) > 0)
        GROUP BY v ORDER BY min({_q(row_col)}), v
        """
    ).fetchall()
    records = []
    for code, n, first_rows in agg:
        col, rule = code.split("|", 1)
        if col in src_types:
            rows_sql = ", ".join(str(int(r)) for r in first_rows)
            vals = con.execute(
                f"SELECT CAST({_q(col)} AS VARCHAR) FROM {raw_src} WHERE {_q(row_col)} IN ({rows_sql})"
                f" ORDER BY {_q(row_col)}"
            ).fetchall()
            values = [v[0] for v in vals]
        else:
            values = [None] * len(first_rows)
        records.append(
            {
                "table": table.name,
                "column": col,
                "rule": rule,
                "message": msgs.get(code, rule),
                "n_rows": int(n),
                "first_rows": [int(r) for r in first_rows],
                "first_values": values,
            }
        )
    return pd.DataFrame(
        records, columns=["table", "column", "rule", "message", "n_rows", "first_rows", "first_values"]
    )


def relation_types(con: "duckdb.DuckDBPyConnection", relation: str) -> dict[str, str]:
    """Column name → DuckDB type of a table, view or registered frame (``_row`` left out)."""
    rows = con.execute(f"SELECT column_name, column_type FROM (DESCRIBE {relation})").fetchall()
    return {name: ("VARCHAR" if typ == '"NULL"' or typ == "NULL" else typ) for name, typ in rows
            if name != "_row"}


def _prepare_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Make a user's frame digestible for DuckDB: tz-aware times to naive Asia/Shanghai, pandas
    string/nullable dtypes to plain objects; a positional ``_row``."""
    out = {}
    for name in frame.columns:
        s = frame[name]
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            s = s.dt.tz_convert("Asia/Shanghai").dt.tz_localize(None)
        elif pd.api.types.is_string_dtype(s.dtype) and not pd.api.types.is_object_dtype(s.dtype):
            s = s.astype(object).where(s.notna(), None)
        out[str(name)] = s.reset_index(drop=True)
    prepared = pd.DataFrame(out)
    prepared["_row"] = range(len(prepared))
    return prepared


def validate(frame: pd.DataFrame, table: str | Table, *, extra: str = "ignore") -> ValidationResult:
    """Check ``frame`` against the contract of ``table`` and report every violation at once.

    Parameters
    ----------
    frame : DataFrame
        Rows to check. Columns with a declared default may be missing; other missing columns
        raise :class:`SchemaError` naming them. The frame is not modified.
    table : str or Table
        A name from :data:`TABLES` or a :class:`Table`.
    extra : {"ignore", "error"}
        What to do with columns the contract does not declare.

    Returns
    -------
    ValidationResult
        ``frame`` holds the good rows, typed; ``violations`` one row per broken rule.

    Examples
    --------
    >>> import pandas as pd
    >>> from ccomkit.schemas import validate
    >>> df = pd.DataFrame({"agent_id": ["A1", "A2"], "team_id": ["T1", "T1"],
    ...                    "hire_date": ["2025-03-01", "2025-13-01"]})
    >>> res = validate(df, "agent_dim")
    >>> res.messages()
    ["agent_dim.hire_date must be a date (YYYY-MM-DD): 1 row violates it, first at rows [1] (value '2025-13-01')"]
    >>> len(res.frame)
    1
    """
    import duckdb

    t = get_table(table)
    missing = [c for c in t.required_columns if c not in frame.columns]
    if missing:
        raise SchemaError(
            f"{t.name} is missing required column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)} (has: {', '.join(map(str, frame.columns)) or 'none'})",
            table=t.name,
            column=missing[0],
        )
    unknown = [str(c) for c in frame.columns if c not in t.column_names]
    if unknown and extra == "error":
        raise SchemaError(f"{t.name} has undeclared column(s) {', '.join(unknown)}", table=t.name,
                          column=unknown[0])
    keep = [c for c in frame.columns if c in t.column_names]
    prepared = _prepare_frame(frame[keep])
    con = duckdb.connect()
    try:
        con.register("src_frame", prepared)
        src_types = relation_types(con, "src_frame")
        con.execute(f"CREATE TEMP TABLE checked AS {typed_select(t, src_types, 'src_frame')}")
        violations = summarise_violations(con, t, "checked", src_types, source="src_frame")
        good = con.execute(
            f"SELECT {', '.join(_q(c) for c in t.column_names)} FROM checked WHERE len(_violations) = 0"
            " ORDER BY _row"
        ).df()
        bad = con.execute(
            "SELECT _row, _violations AS reasons FROM checked WHERE len(_violations) > 0 ORDER BY _row"
        ).df()
    finally:
        con.close()
    return ValidationResult(table=t.name, frame=good, violations=violations, bad_rows=bad)


def check_frame(frame: pd.DataFrame, table: str | Table) -> pd.DataFrame:
    """Validate ``frame`` and return the typed frame, or raise :class:`SchemaError` listing every
    violation. The entry point domain functions use on their inputs."""
    return validate(frame, table).raise_if_invalid().frame


def require_columns(frame: pd.DataFrame, columns: list[str] | tuple[str, ...], table: str) -> None:
    """Raise :class:`SchemaError` naming the first missing column (cheap check for domain code)."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise SchemaError(
            f"{table} is missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}",
            table=table,
            column=missing[0],
        )
