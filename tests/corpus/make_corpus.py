"""Generate the bad-input corpus: the messy exports a contact center really produces.

Run ``python tests/corpus/make_corpus.py OUT_DIR [--big]`` to write the files and print the case
list; ``tests/test_corpus.py`` calls :func:`make_corpus` into a temporary directory. Nothing here is
a committed binary: every file (CSV in several encodings, XLSX, a truncated zip, a 1 GB CSV) is
built from this script.

Each :class:`Case` says what ingest must do with its file:

* ``error``: the whole file is refused with one line naming the file, the table and, where the
  fault has one, the column and the line/row/cell; the workspace is left byte-identical.
* ``quarantine``: the good rows load, the bad ones go to ``_ccom_quarantine`` with a reason that
  names the column, at the physical line given.
* ``load``: the file is valid once read right (encodings, BOM, extra columns); everything loads.
"""

from __future__ import annotations

import argparse
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

ACD = ("interval_start,interval_min,queue_id,offered,answered,answered_within_t,abandoned,handled,"
       "sum_wait_answered_s,sum_talk_s")
AI = "agent_id,interval_start,interval_min,login_s,ready_idle_s,talk_s,handled"
DIM = "agent_id,name,team_id,hire_date,leave_date"
SCHED = "agent_id,shift_date,shift_code,start_at,end_at,activity"
ATT = "agent_id,work_date,scheduled_flag,present_flag,late_min"
CSAT = "survey_id,channel,invited_at,responded_at,q_overall,customer_key"
QA = "eval_id,agent_id,evaluator_id,eval_date,form_version,total_score,fatal_flag,fatal_type"
COMPLAINT = "case_id,received_at,source,category,valid_flag"


def acd(q: str = "Q1", ts: str = "2025-03-03 10:00", imin: int = 30, offered: object = 10,
        answered: object = 9, within: object = 8, abandoned: object = 1, handled: object = 9,
        wait: object = 120, talk: object = 2400) -> str:
    return f"{ts},{imin},{q},{offered},{answered},{within},{abandoned},{handled},{wait},{talk}"


def ai(agent: str = "A1", ts: str = "2025-03-03 10:00", imin: int = 30, login: object = 1800,
       idle: object = 600, talk: object = 900, handled: object = 3) -> str:
    return f"{agent},{ts},{imin},{login},{idle},{talk},{handled}"


def acd_day(q: str = "Q1", day: str = "2025-03-03", n: int = 4, start_h: int = 9) -> list[str]:
    return [acd(q, f"{day} {start_h + i // 2:02d}:{30 * (i % 2):02d}") for i in range(n)]


@dataclass
class Case:
    """One corpus file and the outcome ingest must give."""

    id: str
    table: str
    file: Path
    expect: str  # "error" | "quarantine" | "load"
    column: str | None = None  # the column the message must name
    line: int | None = None  # the physical line (or Excel row) the message must name
    reason: str = ""  # a regex the message (or quarantine reason) must match
    rows_loaded: int | None = None
    sheet: str | None = None
    profile: str | None = None
    big: bool = False
    notes: str = ""
    extra: dict[str, object] = field(default_factory=dict)


def base_files(out: Path) -> dict[str, Path]:
    """Valid files that make the starting workspace (so "unchanged" is not about an empty one)."""
    out.mkdir(parents=True, exist_ok=True)
    files = {
        "acd_interval": [ACD, *acd_day("Q1", "2025-03-02"), *acd_day("Q2", "2025-03-02")],
        "agent_interval": [AI, ai("A1", "2025-03-02 10:00"), ai("A2", "2025-03-02 10:00")],
        "agent_dim": [DIM, "A1,张三,T1,2024-01-02,", "A2,李四,T1,2024-02-01,"],
        "schedule": [SCHED, "A1,2025-03-02,D0900,2025-03-02 09:00,2025-03-02 12:00,work"],
        "csat_response": [CSAT, "S0,ivr,2025-03-02 10:00:00,2025-03-02 10:01:00,5,13900000000"],
    }
    paths = {}
    for table, lines in files.items():
        p = out / f"base_{table}.csv"
        p.write_text("\n".join(lines) + "\n", encoding="utf-8")
        paths[table] = p
    return paths


def _w(path: Path, lines: list[str], encoding: str = "utf-8", sep: str | None = None,
       newline: str = "\n", end: bool = True) -> Path:
    text = newline.join(lines) + (newline if end else "")
    if sep is not None:
        text = text.replace(",", sep)
    path.write_bytes(text.encode(encoding))
    return path


def _xlsx(path: Path, sheets: dict[str, list[list[object]]], merges: dict[str, list[str]] | None = None
          ) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
        for rng in (merges or {}).get(name, []):
            ws.merge_cells(rng)
    wb.save(path)
    return path


def _acd_rows(n: int = 3) -> list[list[object]]:
    return [[f"2025-03-03 {10 + i}:00", 30, "Q1", 10, 9, 8, 1, 9, 120, 2400] for i in range(n)]


REMARK = ("夜间话务高峰已按预案处理; 客户来电集中于账单查询与套餐变更, 值班长已复核" * 3)[:120]


def write_big(path: Path, target_bytes: int = 1 << 30) -> tuple[int, int]:
    """Stream a valid acd_interval CSV of about ``target_bytes`` whose LAST row has a negative
    ``offered``; returns (data rows, physical line of the bad row). Rows carry a free-text
    ``remark`` column (ignored by the contract, as real exports have), so a gigabyte is about
    2.6 million rows. Built by substituting queue ids into one pre-rendered block: writing 1 GB
    takes seconds and little memory."""
    import datetime as dt

    t0 = dt.datetime(2025, 1, 1)
    rows = []
    for i in range(96):  # 15-minute intervals over 8 days for queue QXXXXXX
        for d in range(8):
            ts = (t0 + dt.timedelta(days=d, minutes=15 * i)).strftime("%Y-%m-%d %H:%M:%S")
            rows.append(f"{ts},15,QXXXXXX,12,11,10,1,11,130.5,2610.0,{REMARK}\n")
    block = "".join(rows)
    block_bytes = len(block.encode("utf-8"))
    header = ACD + ",remark\n"
    n_rows = 0
    q = 0
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(header)
        written = len(header)
        while written + block_bytes < target_bytes:
            f.write(block.replace("QXXXXXX", f"Q{q:06d}"))
            written += block_bytes
            n_rows += len(rows)
            q += 1
        f.write(acd(f"Q{q:06d}", "2025-01-01 00:00:00", imin=15, offered=-12) + f",{REMARK}\n")
        n_rows += 1
    return n_rows, n_rows + 1


def make_corpus(out: str | Path, big: bool = False) -> list[Case]:
    """Write every corpus file under ``out`` and return the cases (the 1 GB one only with ``big``)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    C: list[Case] = []

    def add(case: Case) -> None:
        C.append(case)

    # --- empty, header only, wrong delimiter -------------------------------------------------
    add(Case("empty_file", "acd_interval", _w(out / "empty.csv", [], end=False), "error",
             line=1, reason="empty"))
    add(Case("blank_lines_only", "acd_interval", _w(out / "blank.csv", ["", "  ", ""]), "error",
             line=1, reason="empty|no header"))
    add(Case("header_only", "agent_interval", _w(out / "header_only.csv", [AI]), "error",
             line=2, reason="no data rows"))
    add(Case("space_delimited", "acd_interval",
             _w(out / "spaces.csv", [ACD.replace(",", " "), acd().replace(",", " ", 2)]), "error",
             column="interval_min", line=1, reason="delimiter"))
    add(Case("fullwidth_comma_delimiter", "agent_interval",
             _w(out / "fullwidth.csv", [AI, ai()], sep="，"), "error", column="interval_start",
             line=1, reason="delimiter"))
    # --- encodings ------------------------------------------------------------------------------
    add(Case("gbk_undeclared", "agent_dim",
             _w(out / "gbk.csv", [DIM, "B1,王小明,T2,2024-03-01,", "B2,赵敏,T2,2024-04-01,"],
                encoding="gbk"), "load", rows_loaded=2, extra={"names": ["王小明", "赵敏"]}))
    add(Case("gbk_chinese_headers", "agent_dim",
             _w(out / "gbk_zh.csv", ["工号,姓名,班组,入职日期", "B3,钱多多,T2,2024-05-06"],
                encoding="gbk"), "load", rows_loaded=1, profile="generic_zh",
             extra={"names": ["钱多多"]}))
    add(Case("utf8_bom", "acd_interval", _w(out / "bom.csv", [ACD, *acd_day("Q3")],
                                              encoding="utf-8-sig"), "load", rows_loaded=4))
    add(Case("utf16_excel_unicode_text", "agent_interval",
             _w(out / "utf16.txt", [AI, ai("A3"), ai("A4")], encoding="utf-16", sep="\t",
                newline="\r\n"), "load", rows_loaded=2))
    (out / "image.csv").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    add(Case("binary_not_csv", "acd_interval", out / "image.csv", "error", reason="neither UTF-8"))
    add(Case("crlf_line_endings", "agent_interval",
             _w(out / "crlf.csv", [AI, ai("A5"), ai("A6")], newline="\r\n"), "load", rows_loaded=2))
    # --- columns --------------------------------------------------------------------------------
    add(Case("renamed_column", "agent_interval",
             _w(out / "renamed.csv", [AI.replace("agent_id", "staff_no"), ai()]), "error",
             column="agent_id", line=1, reason="missing required column"))
    add(Case("missing_column", "acd_interval",
             _w(out / "missing.csv", [ACD.replace(",handled", ""),
                                      acd().rsplit(",", 3)[0] + ",120,2400"]), "error",
             column="handled", line=1, reason="missing required column"))
    add(Case("extra_columns", "acd_interval",
             _w(out / "extra.csv", [ACD + ",site,remark", *(r + ",BJ,ok" for r in acd_day("Q4"))]),
             "load", rows_loaded=4, reason="not in the contract.*site.*remark"))
    add(Case("duplicate_header", "acd_interval",
             _w(out / "dup_header.csv", [ACD + ",offered", acd() + ",11"]), "error",
             column="offered", line=1, reason="appears 2 times"))
    add(Case("title_line_above_header", "agent_interval",
             _w(out / "title.csv", ["Agent report 2025-03-03,,,,,,", AI, ai()]), "error",
             column="agent_id", line=2, reason="header"))
    add(Case("unknown_table", "agent_intervals", _w(out / "unknown_table.csv", [AI, ai()]), "error",
             reason="table"))
    # --- values ---------------------------------------------------------------------------------
    add(Case("text_in_count", "acd_interval",
             _w(out / "text_count.csv", [ACD, acd(), acd(ts="2025-03-03 10:30", offered="ten")]),
             "quarantine", column="offered", line=3, rows_loaded=1, reason="whole number"))
    add(Case("thousands_separator", "acd_interval",
             _w(out / "thousands.csv", [ACD, acd(), acd(ts="2025-03-03 10:30", offered='"1,234"')]),
             "quarantine", column="offered", line=3, rows_loaded=1))
    add(Case("impossible_date", "attendance",
             _w(out / "bad_date.csv", [ATT, "A1,2025-02-28,true,true,0", "A1,2025-02-30,true,true,0"]),
             "quarantine", column="work_date", line=3, rows_loaded=1))
    add(Case("excel_serial_date", "attendance",
             _w(out / "serial_date.csv", [ATT, "A2,2025-02-28,true,true,0", "A2,45716,true,true,0"]),
             "quarantine", column="work_date", line=3, rows_loaded=1))
    add(Case("bad_boolean", "attendance",
             _w(out / "bad_bool.csv", [ATT, "A3,2025-02-28,true,maybe,0"]), "quarantine",
             column="present_flag", line=2, rows_loaded=0))
    add(Case("unknown_code", "csat_response",
             _w(out / "bad_code.csv", [CSAT, "S1,ivr,2025-03-03 10:00:00,,,13911111111",
                                       "S2,phone,2025-03-03 10:00:00,,,13922222222"]),
             "quarantine", column="channel", line=3, rows_loaded=1))
    add(Case("negative_duration", "agent_interval",
             _w(out / "negative.csv", [AI, ai("A7"), ai("A8", talk=-5)]), "quarantine",
             column="talk_s", line=3, rows_loaded=1))
    add(Case("absurd_login", "agent_interval",
             _w(out / "absurd_login.csv", [AI, ai("A9", login=86400)]), "quarantine",
             column="login_s", line=2, rows_loaded=0))
    add(Case("absurd_aht_minutes_as_seconds", "acd_interval",
             _w(out / "absurd_aht.csv", [ACD, acd("Q5"), acd("Q6", handled=1, answered=1,
                                                               within=1, talk=99999)]),
             "quarantine", column="sum_talk_s", line=3, rows_loaded=1, reason="4 hours"))
    add(Case("answered_over_offered", "acd_interval",
             _w(out / "answered_over.csv", [ACD, acd("Q7", answered=12, within=5)]), "quarantine",
             column="answered", line=2, rows_loaded=0))
    add(Case("leave_before_hire", "agent_dim",
             _w(out / "leave_before.csv", [DIM, "C1,孙七,T3,2024-05-01,2024-04-01"]), "quarantine",
             column="leave_date", line=2, rows_loaded=0))
    add(Case("duplicate_keys", "acd_interval",
             _w(out / "dup_keys.csv", [ACD, acd("Q8"), acd("Q8", ts="2025-03-03 10:30"),
                                       acd("Q8", offered=11, answered=10)]), "quarantine",
             column="queue_id", line=4, rows_loaded=2, reason="repeats the key"))
    add(Case("off_grid_timestamp", "acd_interval",
             _w(out / "off_grid.csv", [ACD, acd("Q9"), acd("Q9", ts="2025-03-03 10:07")]),
             "quarantine", column="interval_start", line=3, rows_loaded=1, reason="grid"))
    add(Case("seconds_in_timestamp", "agent_interval",
             _w(out / "seconds.csv", [AI, ai("B1", ts="2025-03-03 10:00:30")]), "quarantine",
             column="interval_start", line=2, rows_loaded=0, reason="grid"))
    add(Case("interval_length_7", "acd_interval",
             _w(out / "len7.csv", [ACD, acd("QA", imin=7, ts="2025-03-03 10:14")]), "quarantine",
             column="interval_min", line=2, rows_loaded=0))
    add(Case("overlapping_intervals", "acd_interval",
             _w(out / "overlap.csv", [ACD, acd("QB", "2025-03-03 10:00", imin=30),
                                      acd("QB", "2025-03-03 10:15", imin=15)]), "quarantine",
             column="interval_start", line=3, rows_loaded=1, reason="overlap"))
    add(Case("overlaps_rows_already_loaded", "acd_interval",
             _w(out / "overlap_existing.csv", [ACD, acd("Q1", "2025-03-02 09:15", imin=15)]),
             "quarantine", column="interval_start", line=2, rows_loaded=0, reason="overlap"))
    add(Case("overlapping_schedule_segments", "schedule",
             _w(out / "sched_overlap.csv", [
                 SCHED, "A2,2025-03-03,D0900,2025-03-03 09:00,2025-03-03 12:00,work",
                 "A2,2025-03-03,D0900,2025-03-03 11:30,2025-03-03 11:45,break"]), "quarantine",
             column="start_at", line=3, rows_loaded=1, reason="overlap"))
    add(Case("schedule_overlaps_loaded_segment", "schedule",
             _w(out / "sched_overlap_loaded.csv", [
                 SCHED, "A1,2025-03-02,D0900,2025-03-02 11:00,2025-03-02 11:15,break",
                 "A1,2025-03-03,D0900,2025-03-03 09:00,2025-03-03 12:00,work"]), "quarantine",
             column="start_at", line=2, rows_loaded=1, reason="overlap"))
    add(Case("future_interval", "acd_interval",
             _w(out / "future.csv", [ACD, acd("QC"), acd("QC", "2099-03-03 10:00")]), "quarantine",
             column="interval_start", line=3, rows_loaded=1, reason="future"))
    add(Case("future_evaluation", "qa_evaluation",
             _w(out / "future_qa.csv", [QA, "E1,A1,QA1,2025-03-03,v1,95,false,",
                                        "E2,A1,QA1,2099-01-01,v1,90,false,"]), "quarantine",
             column="eval_date", line=3, rows_loaded=1, reason="future"))
    add(Case("conflicting_reload", "acd_interval",
             _w(out / "conflict.csv", [ACD, acd("Q1", "2025-03-02 09:00", offered=99, answered=90)]),
             "quarantine", column="queue_id", line=2, rows_loaded=0, reason="conflicts"))
    # --- truncated files ------------------------------------------------------------------------
    add(Case("truncated_mid_row", "agent_interval",
             _w(out / "truncated_row.csv", [AI, ai("B2"), "B3,2025-03-03 10:00,30,18"], end=False),
             "quarantine", column="ready_idle_s", line=3, rows_loaded=1))
    add(Case("truncated_in_quote", "complaint",
             _w(out / "truncated_quote.csv", [COMPLAINT, 'K1,2025-03-03 10:00,hotline,billing,true',
                                              'K2,2025-03-03 11:00,hotline,"billing and'], end=False),
             "error", line=3, reason="quote"))
    trunc_utf8 = _w(out / "truncated_utf8.csv", [DIM, "D1,周杰,T4,2024-01-01,", "D2,吴"])
    trunc_utf8.write_bytes(trunc_utf8.read_bytes()[:-2])  # cut inside the last character
    add(Case("truncated_inside_character", "agent_dim", trunc_utf8, "error", line=3,
             reason="truncated|cut"))
    # --- XLSX -----------------------------------------------------------------------------------
    header = ACD.split(",")
    add(Case("xlsx_merged_header", "acd_interval",
             _xlsx(out / "merged.xlsx", {"Sheet1": [
                 ["Interval", None, "Queue", "Calls", None, None, None, None, "Time", None],
                 header, *_acd_rows()]},
                 merges={"Sheet1": ["A1:B1", "D1:H1", "I1:J1"]}), "error", column="queue_id",
             line=2, reason="header"))
    add(Case("xlsx_wrong_sheet_name", "acd_interval",
             _xlsx(out / "wrong_sheet.xlsx", {"Data": [header, *_acd_rows()]}), "error",
             sheet="Sheet2", reason="no sheet 'Sheet2'.*Data"))
    add(Case("xlsx_data_on_second_sheet", "acd_interval",
             _xlsx(out / "cover.xlsx", {"Cover": [["Monthly ACD export"], ["made by", "CMS"]],
                                        "Data": [header, *_acd_rows()]}), "error",
             column="interval_start", line=1, reason="--sheet"))
    fx = _xlsx(out / "formula.xlsx", {"Sheet1": [header, *_acd_rows(2),
                                                  ["2025-03-03 13:00", 30, "Q1", "=D2+D3", 9, 8, 1,
                                                   9, 120, 2400]]})
    add(Case("xlsx_formula_without_value", "acd_interval", fx, "error", column="offered",
             line=4, reason="formula"))
    good = _xlsx(out / "good.xlsx", {"Sheet1": [header, *_acd_rows()]})
    (out / "truncated.xlsx").write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    add(Case("xlsx_truncated", "acd_interval", out / "truncated.xlsx", "error",
             reason="cannot be read as an .xlsx"))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("readme.txt", "not a workbook")
    (out / "old_format.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    add(Case("xls_legacy_format", "acd_interval", out / "old_format.xls", "error",
             reason="not supported"))
    (out / "zip_not_xlsx.xlsx").write_bytes(buf.getvalue())
    add(Case("zip_that_is_not_a_workbook", "acd_interval", out / "zip_not_xlsx.xlsx", "error",
             reason="cannot be read as an .xlsx"))
    # --- size -----------------------------------------------------------------------------------
    if big:
        path = out / "big_1gb.csv"
        n_rows, bad_line = write_big(path)
        add(Case("one_gigabyte", "acd_interval", path, "quarantine", column="offered",
                 line=bad_line, rows_loaded=n_rows - 1, big=True, extra={"n_rows": n_rows}))
    return C


def main() -> None:  # pragma: no cover - a command-line convenience
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--big", action="store_true", help="also write the 1 GB file")
    args = ap.parse_args()
    for c in make_corpus(args.out, big=args.big):
        print(f"{c.id:32} {c.table:16} {c.expect:10} {c.file.name}")


if __name__ == "__main__":  # pragma: no cover
    main()

