"""Chinese and English labels for ccomkit's codes, tables and columns.

Data holds English codes (``voice``, ``team_leader``, ``makeup_workday``); presentation shows
labels. Value labels live here, grouped by *domain* (the set a code belongs to: ``channel``,
``role``, ``hr_event`` …), because one code can mean different things in different sets
(``leave`` is 休假 as a schedule activity but 离职 as an HR event). Table and column labels are
read from the contracts in :mod:`ccomkit.schemas` (``label_zh`` / ``label_en``), never copied.

Looking up an unknown code returns the code itself, so a report or an app never fails on a
value a center invented; an unknown *language* or *domain* is a programming error and raises
:class:`~ccomkit.errors.ParameterError`.

Examples
--------
>>> from ccomkit.i18n import label, bilingual, column_label
>>> label("team_leader")
'组长'
>>> label("leave", domain="hr_event"), label("leave", domain="activity")
('离职', '休假')
>>> bilingual("makeup_workday")
'调休工作日 make-up workday'
>>> column_label("acd_interval", "offered")
'接入量'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from ccomkit.errors import ParameterError
from ccomkit.schemas import TABLES, Table, get_table

__all__ = [
    "CCOM_DOMAINS",
    "COLUMN_DOMAINS",
    "DCDIER_STEPS",
    "VALUE_DOMAINS",
    "bilingual",
    "column_label",
    "domain_of",
    "label",
    "labels",
    "table_label",
]

Lang = Literal["zh", "en"]

DCDIER_STEPS: tuple[str, ...] = ("define", "collect", "clarify", "improve", "execute", "review")
"""The six steps of the CCOM DCDIER improvement cycle, in order."""

CCOM_DOMAINS: tuple[str, ...] = (
    "forecasting_scheduling", "quality", "performance", "people", "satisfaction",
)
"""The five CCOM management domains (预测排班, 质量控制, 绩效管理, 人员管理, 客户满意度)."""

# domain -> code -> (zh, en). The order of domains is the search order when no domain is given.
VALUE_DOMAINS: dict[str, dict[str, tuple[str, str]]] = {
    "channel": {
        "voice": ("语音", "voice"),
        "chat": ("在线文字", "chat"),
        "email": ("电子邮件", "email"),
        "video": ("视频", "video"),
        "social": ("社交媒体", "social media"),
        "letter": ("信函", "letter"),
        "visit": ("来访", "walk-in visit"),
    },
    "qa_section": {
        "language": ("服务用语", "service language"),
        "attitude": ("服务态度", "service attitude"),
        "skill": ("处理技巧", "handling skill"),
        "accuracy": ("准确度", "accuracy"),
        "fatal": ("致命错误", "fatal error"),
    },
    "fatal_type": {
        "customer": ("客户类致命错误", "customer-critical"),
        "business": ("业务类致命错误", "business-critical"),
        "compliance": ("合规类致命错误", "compliance-critical"),
    },
    "role": {
        "agent": ("座席代表", "agent"),
        "team_leader": ("组长", "team leader"),
        "qa": ("质检员", "QA analyst"),
        "trainer": ("培训师", "trainer"),
        "supervisor": ("值班长", "supervisor"),
        "coordinator": ("信息协调岗", "information coordinator"),
        "manager": ("中心经理", "centre manager"),
        "wfm": ("排班管理岗", "workforce planner"),
    },
    "grade": {
        "A": ("A（优秀）", "A (outstanding)"),
        "B+": ("B+（良好）", "B+ (good)"),
        "B-": ("B-（合格）", "B- (acceptable)"),
        "C": ("C（待改进）", "C (needs improvement)"),
        "D": ("D（不合格）", "D (unsatisfactory)"),
    },
    "level": {
        "junior": ("初级", "junior"),
        "intermediate": ("中级", "intermediate"),
        "senior": ("高级", "senior"),
        "expert": ("资深", "expert"),
    },
    "training_level": {
        "junior": ("初级", "junior"),
        "intermediate": ("中级", "intermediate"),
        "senior": ("高级", "senior"),
    },
    "employment_type": {
        "full_time": ("全职", "full time"),
        "part_time": ("兼职", "part time"),
    },
    "activity": {
        "work": ("在线工作", "on-queue work"),
        "break": ("小休", "break"),
        "meal": ("用餐", "meal"),
        "training": ("培训", "training"),
        "meeting": ("会议", "meeting"),
        "coaching": ("辅导", "coaching"),
        "leave": ("休假", "leave"),
        "other": ("其他", "other"),
    },
    "absence_type": {
        "sick": ("病假", "sick leave"),
        "personal": ("事假", "personal leave"),
        "annual": ("年假", "annual leave"),
        "unpaid": ("无薪假", "unpaid leave"),
        "awol": ("旷工", "absent without leave"),
        "other": ("其他", "other"),
    },
    "hr_event": {
        "hire": ("入职", "hire"),
        "confirm": ("转正", "confirmation"),
        "stage_change": ("阶段变更", "stage change"),
        "transfer": ("调岗", "transfer"),
        "promotion": ("晋升", "promotion"),
        "demotion": ("降级", "demotion"),
        "leave": ("离职", "leaver"),
    },
    "leave_type": {
        "voluntary": ("主动离职", "voluntary"),
        "involuntary": ("被动离职", "involuntary"),
    },
    "stage": {
        "training": ("培训期", "training"),
        "nesting": ("实习期", "nesting"),
        "on_floor": ("上岗期", "on floor"),
    },
    "recruit_channel": {
        "online": ("网络招聘", "online job boards"),
        "offline": ("现场招聘", "job fairs"),
        "campus": ("校园招聘", "campus"),
        "referral": ("内部推荐", "employee referral"),
        "agency": ("中介机构", "agency"),
    },
    "survey_channel": {
        "ivr": ("语音按键（IVR）", "IVR"),
        "sms": ("短信", "SMS"),
        "app": ("手机App", "app"),
        "wechat": ("微信", "WeChat"),
        "web": ("网页", "web"),
        "outbound": ("外呼回访", "outbound call"),
    },
    "complaint_source": {
        "hotline": ("热线", "hotline"),
        "regulator": ("监管转办", "regulator referral"),
        "12315": ("12315平台", "12315 platform"),
        "online": ("网络渠道", "online"),
        "social": ("社交媒体", "social media"),
        "letter": ("信函", "letter"),
        "other": ("其他", "other"),
    },
    "severity": {
        "low": ("低", "low"),
        "medium": ("中", "medium"),
        "high": ("高", "high"),
        "critical": ("重大", "critical"),
    },
    "followup_status": {
        "none": ("无需回访", "none"),
        "open": ("待回访", "open"),
        "contacted": ("已回访", "contacted"),
        "resolved": ("已解决", "resolved"),
        "verified": ("已核实", "verified"),
    },
    "day_type": {
        "workday": ("工作日", "workday"),
        "weekend": ("周末", "weekend"),
        "holiday": ("节假日", "holiday"),
        "makeup_workday": ("调休工作日", "make-up workday"),
    },
    "dcdier": {
        "define": ("定义", "Define"),
        "collect": ("收集", "Collect"),
        "clarify": ("明确", "Clarify"),
        "improve": ("改善", "Improve"),
        "execute": ("执行", "Execute"),
        "review": ("评测", "Review"),
    },
    "ccom_domain": {
        "forecasting_scheduling": ("预测排班", "forecasting and scheduling"),
        "quality": ("质量控制", "quality control"),
        "performance": ("绩效管理", "performance management"),
        "people": ("人员管理", "people management"),
        "satisfaction": ("客户满意度", "customer satisfaction"),
    },
}

# --- report labels (ccomkit.report.sections, issue 7); codes carry the "rpt_" prefix so that a
# lookup without a domain never lands here -----------------------------------------------------
VALUE_DOMAINS["report"] = {f"rpt_{k}": v for k, v in {
    "sec_headline": ("核心指标与目标", "Headline KPIs against target"),
    "sec_interval": ("分时段话务与人力", "Intervals: volume, service level, staffing"),
    "sec_forecast": ("预测准确率", "Forecast accuracy"),
    "sec_attendance": ("出勤与遵守率", "Attendance and adherence"),
    "sec_qa": ("质检", "Quality assurance"),
    "sec_csat": ("客户满意度调查", "Customer satisfaction survey"),
    "sec_complaints": ("投诉分析", "Complaints analysis"),
    "sec_people": ("人员", "People"),
    "sec_actions": ("行动项", "Actions"),
    "sec_trends": ("趋势", "Trends"),
    "sec_league": ("班组排名", "Team league table"),
    "title_daily": ("运营日报", "Daily operations report"),
    "title_weekly": ("运营周报", "Weekly operations report"),
    "title_monthly": ("月度运营报告", "Monthly operations report"),
    "col_kpi": ("指标", "KPI"),
    "col_value": ("本期", "this period"),
    "col_previous_daily": ("前一日", "previous day"),
    "col_previous_weekly": ("上周", "last week"),
    "col_previous_monthly": ("上月", "last month"),
    "col_change": ("变化", "change"),
    "col_last_year": ("去年同期", "same period last year"),
    "col_target": ("目标", "target"),
    "col_status": ("状态", "status"),
    "col_queue": ("队列", "queue"),
    "col_team": ("班组", "team"),
    "col_agent": ("座席", "agent"),
    "col_interval": ("时段", "interval"),
    "col_period": ("周期", "period"),
    "green": ("达标", "on target"),
    "amber": ("接近目标", "near target"),
    "red": ("未达标", "off target"),
    "no_target": ("无目标", "no target"),
    "no_data": ("无数据", "no data"),
    "all": ("全中心", "whole center"),
    "attainment": ("目标达成度", "attainment of target"),
    "chart_attainment": ("各指标目标达成度（100% = 目标）", "Attainment of each target (100% = target)"),
    "forecast": ("预测量", "forecast"),
    "actual": ("实际量", "actual"),
    "calls": ("来电量", "calls"),
    "agents": ("人数", "agents"),
    "agents_required": ("需求人数（各队列分别计算之和）", "required (queues staffed apart, summed)"),
    "scheduled": ("排班在线人数", "net scheduled"),
    "logged_in": ("实际签入人数", "logged in"),
    "service_level": ("服务水平", "service level"),
    "chart_volume": ("话务量：预测与实际", "Volume: forecast vs actual"),
    "chart_sl": ("分时段服务水平（虚线 = 目标）", "Service level by interval (dashed = target)"),
    "chart_staffing": ("人力：需求、排班、签入", "Staffing: required, scheduled, logged in"),
    "note_understaffed": ("签入人数低于需求 90% 的时段", "Intervals logged in below 90% of required"),
    "hit_rate": ("命中率", "hit rate"),
    "wape": ("加权绝对百分比误差", "WAPE"),
    "bias": ("偏差", "bias"),
    "accuracy": ("周期准确率", "period accuracy"),
    "chart_fc_heatmap": ("预测误差热力图（星期 × 时段，APE）", "Forecast error heat-map (weekday × time, APE)"),
    "wd0": ("周一", "Mon"), "wd1": ("周二", "Tue"), "wd2": ("周三", "Wed"), "wd3": ("周四", "Thu"),
    "wd4": ("周五", "Fri"), "wd5": ("周六", "Sat"), "wd6": ("周日", "Sun"),
    "scheduled_days": ("排班人天", "scheduled days"),
    "present_days": ("出勤人天", "days present"),
    "attendance": ("出勤率", "attendance"),
    "late": ("迟到次数", "late arrivals"),
    "late_min": ("迟到分钟", "minutes late"),
    "absences": ("缺勤人天", "absences"),
    "adherence": ("排班遵守率", "adherence"),
    "chart_absence": ("缺勤类型", "Absences by type"),
    "evaluations": ("质检量", "evaluations"),
    "fatal": ("致命错误数", "fatal errors"),
    "score_sd": ("得分标准差", "score SD"),
    "qa_var": ("得分方差", "score variance"),
    "deducted_points": ("扣分", "points deducted"),
    "cum_share": ("累计占比", "cumulative share"),
    "chart_qa_pareto": ("扣分项帕累托（根源分析）", "Pareto of deduction items (root cause)"),
    "eval_id": ("质检编号", "evaluation"),
    "fatal_type": ("红线类型", "red-line type"),
    "red_line_events": ("红线事件", "Red-line events"),
    "no_red_line": ("本期无红线事件", "No red-line events in the period"),
    "responses": ("回复数", "responses"),
    "ci95": ("95% 置信区间", "95% interval"),
    "chart_csat": ("满意率及 95% 置信区间", "CSAT with its 95% interval"),
    "complaints": ("投诉量", "complaints"),
    "valid": ("有效投诉", "valid"),
    "closure_rate": ("结案率", "closure rate"),
    "overdue": ("超期", "overdue"),
    "overdue_cases": ("超期未结投诉", "Overdue open complaints"),
    "case_id": ("投诉编号", "case"),
    "category": ("投诉类别", "category"),
    "chart_complaints": ("投诉类别分布", "Complaints by category"),
    "hc_start": ("期初人数", "headcount at start"),
    "hires": ("入职", "hires"),
    "leavers": ("离职", "leavers"),
    "leavers_voluntary": ("其中主动离职", "of which voluntary"),
    "hc_end": ("期末人数", "headcount at end"),
    "chart_attrition": ("月度流失率（12个月）", "Monthly attrition (12 months)"),
    "sec_capacity": ("容量与损耗", "Capacity and shrinkage"),
    "login_h": ("签入工时", "hours logged in"),
    "productive_h": ("可用于话务工时", "hours available for contacts"),
    "shrinkage_in_login": ("签入内损耗", "shrinkage while logged in"),
    "aux": ("非话务状态", "off-queue state"),
    "share_of_login": ("占签入时间", "share of logged-in time"),
    "chart_shrinkage": ("签入内损耗构成（按月）", "Shrinkage while logged in, by month"),
    "grade": ("绩效等级", "grade"),
    "share": ("占比", "share"),
    "grade_distribution": ("绩效等级分布", "Grade distribution"),
    "action": ("建议行动", "suggested action"),
    "all_on_target": ("所有指标均达标", "Every KPI is on target"),
    "dcdier_open": ("进行中的 DCDIER 改进循环", "Open DCDIER improvement cycles"),
    "act_default": ("在晨会/周例会上复核原因，必要时开启 DCDIER 循环（定义）",
                    "Review the cause at the meeting; open a DCDIER cycle (Define) if it persists"),
    "act_service_level": ("核对预测与排班，启用机动部队，调整小休用餐",
                          "Check forecast and schedule, call in the reserve force, move breaks"),
    "act_answer_rate": ("检查放弃高峰时段的在线人数", "Check staffing in the abandon peaks"),
    "act_abandon_rate": ("分析放弃高峰时段并补足人力", "Analyse the abandon peaks and fill the gaps"),
    "act_asa_s": ("检查排队高峰与签入人数", "Check queue peaks against agents logged in"),
    "act_aht_s": ("按队列与座席拆解处理时长，安排辅导", "Split AHT by queue and agent; coach the outliers"),
    "act_occupancy": ("调整排班与非话务活动", "Rebalance the schedule and off-phone activities"),
    "act_qa_score": ("按扣分项帕累托安排专项辅导", "Coach on the top deduction items"),
    "act_qa_pass_rate": ("跟进未通过质检的座席", "Follow up the agents below the pass mark"),
    "act_csat": ("复核不满意原因并回访", "Review dissatisfaction reasons and call back"),
    "act_nps": ("分析贬损者原因", "Analyse the detractors' reasons"),
    "act_complaint_rate_per10k": ("投诉根因分析与超期跟进", "Root-cause the complaints; chase overdue ones"),
    "act_attrition": ("离职原因分析与留任面谈", "Analyse exit reasons; hold stay interviews"),
    "cycle_id": ("循环编号", "cycle"),
    "topic": ("主题", "topic"),
    "owner": ("负责人", "owner"),
    "step": ("当前步骤", "current step"),
    "status": ("进展", "progress"),
    "steps_done": ("已完成步骤", "steps done"),
    "actions_open": ("未完成行动", "open actions"),
    "report_period": ("报告期", "report period"),
    "generated_at": ("生成时间", "generated at"),
    "pseudonymised": ("座席编号已匿名化", "agent ids pseudonymised"),
    # team view (issue 9 item 5)
    "team_view": ("班组视图", "team view"),
    "team_view_note": ("座席层面的表格与图表仅含本组座席；队列指标（服务水平、话务量等）为全中心数据",
                       "agent-level tables and charts hold only this team's agents; queue KPIs "
                       "(service level, volume …) are center figures"),
    "center_figures": ("本节为全中心数据（非本组）", "this section shows center figures, not the team's"),
    "center_figures_headline": ("话务量、接通率、服务水平、放弃率、平均应答速度、平均处理时长、占用率为全中心数据；"
                                "质检、满意度、NPS、投诉为本组数据",
                                "offered, answered, answer rate, service level, abandon rate, ASA, "
                                "AHT and occupancy are center figures; QA, CSAT, NPS and "
                                "complaints are the team's"),
}.items()}

COLUMN_DOMAINS: dict[str, str] = {
    "acd_interval.channel": "channel",
    "complaint.channel": "channel",
    "agent_dim.role": "role",
    "agent_dim.employment_type": "employment_type",
    "agent_dim.grade": "grade",
    "agent_dim.level": "level",
    "agent_dim.recruit_channel": "recruit_channel",
    "schedule.activity": "activity",
    "attendance.absence_type": "absence_type",
    "qa_evaluation.fatal_type": "fatal_type",
    "qa_item.section": "qa_section",
    "csat_response.channel": "survey_channel",
    "csat_response.followup_status": "followup_status",
    "complaint.source": "complaint_source",
    "complaint.severity": "severity",
    "hr_event.event_type": "hr_event",
    "hr_event.leave_type": "leave_type",
    "hr_event.stage": "stage",
    "recruit_funnel.channel": "recruit_channel",
    "training_record.level": "training_level",
    "calendar.day_type": "day_type",
}
"""``table.column`` → the value domain of its codes (also accepted as ``domain=``)."""

_EXTRA_DOMAINS = ("table", "column")


def _lang(lang: str, owner: str) -> int:
    if isinstance(lang, str):
        low = lang.lower().replace("-", "_")
        if low in ("zh", "zh_cn", "zh_hans", "cn"):
            return 0
        if low in ("en", "en_us", "en_gb"):
            return 1
    raise ParameterError.expected(owner, "lang", "'zh' or 'en'", lang)


def _domain(domain: str, owner: str) -> str:
    if domain in VALUE_DOMAINS or domain in _EXTRA_DOMAINS:
        return domain
    if domain in COLUMN_DOMAINS:
        return COLUMN_DOMAINS[domain]
    known = ", ".join([*VALUE_DOMAINS, *_EXTRA_DOMAINS])
    raise ParameterError.expected(owner, "domain",
                                  f"None, 'table.column' of a coded column or one of {known}",
                                  domain)


def _column_any_table(code: str) -> tuple[str, str] | None:
    for t in TABLES.values():
        for c in t.columns:
            if c.name == code:
                return c.label_zh, c.label_en
    return None


def label(code: str, lang: str = "zh", domain: str | None = None) -> str:
    """The label of ``code`` in ``lang``; the code itself when it has none.

    Parameters
    ----------
    code : str
        A categorical code (``'voice'``), a DCDIER step, a CCOM domain, a table name or a column
        name. ``None`` / NaN give ``''``.
    lang : {'zh', 'en'}
    domain : str or None
        A value domain (``'channel'``, ``'hr_event'`` … see :data:`VALUE_DOMAINS`), ``'table'``,
        ``'column'``, or ``'table.column'`` of a coded column (``'hr_event.event_type'``). Without
        it the value domains are searched in order, then table names, then column names.

    Returns
    -------
    str

    Examples
    --------
    >>> from ccomkit.i18n import label
    >>> label("nesting"), label("nesting", "en")
    ('实习期', 'nesting')
    >>> label("online", domain="complaint.source"), label("online", domain="recruit_channel")
    ('网络渠道', '网络招聘')
    >>> label("qa_evaluation"), label("something_new")
    ('质检评估', 'something_new')
    """
    i = _lang(lang, "label")
    dom = _domain(domain, "label") if domain is not None else None
    if code is None or (isinstance(code, float) and code != code):
        return ""
    key = str(code)
    if dom is None:
        for values in VALUE_DOMAINS.values():
            if key in values:
                return values[key][i]
        if key in TABLES:
            return (TABLES[key].label_zh, TABLES[key].label_en)[i]
        col = _column_any_table(key)
        return col[i] if col else key
    if dom == "table":
        return (TABLES[key].label_zh, TABLES[key].label_en)[i] if key in TABLES else key
    if dom == "column":
        col = _column_any_table(key)
        return col[i] if col else key
    pair = VALUE_DOMAINS[dom].get(key)
    return pair[i] if pair else key


def labels(domain: str, lang: str = "zh") -> dict[str, str]:
    """Code → label of one domain, ready for ``Series.map`` (unmapped values become NaN, so
    prefer ``s.map(lambda c: label(c, lang, domain))`` when a center may have extra codes).

    Examples
    --------
    >>> from ccomkit.i18n import labels
    >>> labels("stage")
    {'training': '培训期', 'nesting': '实习期', 'on_floor': '上岗期'}
    """
    i = _lang(lang, "labels")
    dom = _domain(domain, "labels")
    if dom == "table":
        return {name: (t.label_zh, t.label_en)[i] for name, t in TABLES.items()}
    if dom == "column":
        out: dict[str, str] = {}
        for t in TABLES.values():
            for c in t.columns:
                out.setdefault(c.name, (c.label_zh, c.label_en)[i])
        return out
    return {code: pair[i] for code, pair in VALUE_DOMAINS[dom].items()}


def table_label(table: str | Table, lang: str = "zh") -> str:
    """The label of a table, from its contract; an unknown name is returned as is.

    Examples
    --------
    >>> from ccomkit.i18n import table_label
    >>> table_label("hr_event"), table_label("hr_event", "en")
    ('人事变动', 'HR events')
    """
    i = _lang(lang, "table_label")
    if isinstance(table, Table):
        return (table.label_zh, table.label_en)[i]
    t = TABLES.get(str(table))
    return (t.label_zh, t.label_en)[i] if t else str(table)


def column_label(table: str | Table, column: str, lang: str = "zh") -> str:
    """The label of ``table.column``, from its contract; an unknown column is returned as is.

    Examples
    --------
    >>> from ccomkit.i18n import column_label
    >>> column_label("agent_dim", "hire_date"), column_label("agent_dim", "hire_date", "en")
    ('入职日期', 'hire date')
    """
    i = _lang(lang, "column_label")
    t = table if isinstance(table, Table) else TABLES.get(str(table))
    if t is not None:
        for c in t.columns:
            if c.name == column:
                return (c.label_zh, c.label_en)[i]
    return str(column)


def domain_of(table: str | Table, column: str) -> str | None:
    """The value domain of a coded column (``None`` for a column without codes).

    Examples
    --------
    >>> from ccomkit.i18n import domain_of
    >>> domain_of("csat_response", "channel")
    'survey_channel'
    """
    name = table.name if isinstance(table, Table) else str(table)
    return COLUMN_DOMAINS.get(f"{name}.{column}")


def bilingual(code: str, domain: str | None = None, sep: str = " ") -> str:
    """``'中文 English'`` for a code; just the code when it has no label.

    Examples
    --------
    >>> from ccomkit.i18n import bilingual
    >>> bilingual("define"), bilingual("quality"), bilingual("acd_interval")
    ('定义 Define', '质量控制 quality control', 'ACD时段话务 ACD interval statistics')
    >>> bilingual("X9")
    'X9'
    """
    zh = label(code, "zh", domain)
    en = label(code, "en", domain)
    return zh if zh == en else f"{zh}{sep}{en}"


def _check_mapping(mapping: Mapping[str, str]) -> None:  # pragma: no cover - import-time guard
    for key, dom in mapping.items():
        table, _, column = key.partition(".")
        if dom not in VALUE_DOMAINS or not column:
            raise AssertionError(f"COLUMN_DOMAINS[{key!r}] = {dom!r} is not a value domain")
        if table in TABLES:
            get_table(table).column(column)


_check_mapping(COLUMN_DOMAINS)


# --- intraday management and the reserve roster (ccomkit.wfm.intraday, ccomkit.wfm.reserve_roster,
# issue 4 items 5-6) ----------------------------------------------------------------------------
VALUE_DOMAINS["intraday_action"] = {
    "none": ("无需调整", "no action"),
    "move_breaks": ("调整小休/用餐时间", "move breaks"),
    "cancel_offline": ("取消培训/会议", "cancel training or meetings"),
    "call_in_reserve": ("调用机动部队", "call in the reserve"),
    "offer_vto": ("安排自愿调休", "offer voluntary time off"),
}
VALUE_DOMAINS["reserve_kind"] = {
    "backup": ("跨技能支援", "cross-skilled back-up"),
    "on_call": ("待命", "on call"),
}
VALUE_DOMAINS["scheduler_kpi"] = {
    "forecast_hit_rate_5": ("预测准确率(±5%命中)", "forecast hit rate at ±5 %"),
    "forecast_hit_rate_10": ("预测准确率(±10%命中)", "forecast hit rate at ±10 %"),
    "forecast_wape": ("预测加权绝对百分比误差", "forecast WAPE"),
    "forecast_bias": ("预测偏差", "forecast bias"),
    "forecast_error_sd": ("预测误差标准差", "SD of forecast error"),
    "resource_fill_rate": ("资源填充率", "resource fill rate"),
    "staffing_within_tolerance_rate": ("人力满足率(容差内时段占比)", "intervals staffed within tolerance"),
    "understaffed_agent_h": ("人力不足工时", "under-staffed agent-hours"),
    "overstaffed_agent_h": ("人力冗余工时", "over-staffed agent-hours"),
    "sl_achievement_interval_rate": ("服务水平达标时段占比", "intervals meeting the SL target"),
    "sl_achievement_day_rate": ("服务水平达标天数占比", "days meeting the SL target"),
    "hours_sd_h": ("工时标准差", "SD of hours"),
    "night_shifts_sd": ("晚班次数标准差", "SD of night shifts"),
    "days_off_sd": ("休息天数标准差", "SD of days off"),
    "adherence": ("排班遵从率", "schedule adherence"),
    "conformance": ("班表符合率", "schedule conformance"),
}

# --- the DCDIER cycle (ccomkit.cycle, issue 7 items 1-2): step notebooks, cards, charts ---------
# codes: col_<column or card field>, topic_<topic>, better_<dir>, grain_<freq>, cyc_<chart text>,
# dec_<review decision>, act_<action status>, method_<review method>
VALUE_DOMAINS["cycle"] = {
    "cyc_period": ("期间", "period"),
    "cyc_value": ("指标值", "KPI value"),
    "cyc_chart_kpi": ("指标走势（虚线：目标；竖线：改进上线）",
                      "KPI over time (dashed: target; rule: change date)"),
    "cyc_chart_causes": ("主要根因", "Top root causes"),
    "cyc_chart_review": ("改进前后：实际、拟合与反事实",
                         "Before and after: observed, fitted and counterfactual"),
    "cyc_cause": ("原因", "cause"),
    "cyc_measure": ("影响量", "size"),
    "cyc_observed": ("实际", "observed"),
    "cyc_fitted": ("分段回归拟合", "segmented fit"),
    "cyc_counterfactual": ("无改进时的延续", "without the change"),
    "cyc_new_id": ("（保存时生成）", "(assigned on save)"),
    "topic_service_level": ("服务水平（预测排班）", "service level (forecasting and scheduling)"),
    "topic_qa_score": ("质检得分（质量）", "QA score (quality)"),
    "topic_aht": ("平均处理时长（绩效）", "AHT (performance)"),
    "topic_attrition": ("流失率（人员）", "attrition (people)"),
    "topic_csat": ("满意率（满意度）", "CSAT (satisfaction)"),
    "better_higher": ("越高越好", "higher is better"),
    "better_lower": ("越低越好", "lower is better"),
    "grain_D": ("按日", "daily"),
    "grain_W": ("按周（月度等效）", "weekly (monthly-equivalent)"),
    "dec_standardize": ("效果显著：标准化并修订目标", "significant improvement: standardize, revise the target"),
    "dec_keep_target_no_effect": ("效果不显著：维持目标，回到“明确”", "no significant effect: keep the target, back to Clarify"),
    "dec_keep_target_worse": ("显著变差：维持目标并调查", "significantly worse: keep the target, investigate"),
    "act_planned": ("计划中", "planned"),
    "act_in_progress": ("执行中", "in progress"),
    "act_done": ("已完成", "done"),
    "act_dropped": ("已取消", "dropped"),
    "method_matched_weeks": ("配对周比较", "matched weeks"),
    "method_its": ("中断时间序列", "interrupted time series"),
    "method_target": ("目标修订", "target revision"),
    "col_field": ("项目", "field"),
    "col_label": ("名称", "name"),
    "col_value": ("值", "value"),
    "col_cycle_id": ("循环编号", "cycle"),
    "col_topic": ("主题", "topic"),
    "col_area": ("CCOM 领域", "CCOM area"),
    "col_kpi": ("指标", "KPI"),
    "col_formula": ("公式口径", "formula variant"),
    "col_unit": ("单位", "unit"),
    "col_better": ("方向", "direction"),
    "col_grain": ("粒度", "grain"),
    "col_scope": ("范围", "scope"),
    "col_target": ("目标", "target"),
    "col_tolerance": ("容差", "tolerance"),
    "col_target_source": ("目标来源", "target source"),
    "col_owner": ("负责人", "owner"),
    "col_baseline": ("基线", "baseline"),
    "col_change_date": ("改进上线日", "change date"),
    "col_review_end": ("评测截止日", "review end"),
    "col_sources": ("数据来源", "data sources"),
    "col_data_end": ("数据截止日", "data end"),
    "col_table": ("数据表", "table"),
    "col_rows_in_window": ("窗口内行数", "rows in window"),
    "col_quarantined": ("隔离行数", "quarantined rows"),
    "col_first": ("最早", "first"),
    "col_last": ("最晚", "last"),
    "col_gap": ("差距", "gap"),
    "col_status": ("状态", "status"),
    "col_what": ("措施", "action"),
    "col_due": ("完成期限", "due"),
    "col_due_date": ("截止日期", "due date"),
    "col_expected_effect": ("预期效果", "expected effect"),
    "col_root_cause": ("针对根因", "root cause"),
    "col_action_no": ("序号", "no."),
    "col_days_late": ("延误天数", "days late"),
    "col_estimate": ("估计值", "estimate"),
    "col_ci_low": ("区间下限", "interval low"),
    "col_ci_high": ("区间上限", "interval high"),
    "col_p_value": ("p 值", "p value"),
    "col_method": ("方法", "method"),
    "col_decision": ("结论", "decision"),
    "col_revised_target": ("修订目标", "revised target"),
    "col_old_target": ("原目标", "old target"),
    "col_achieved": ("达到水平", "achieved level"),
}
