"""The team-leader app: its builder on the demo workspace, and the real app in Voila + chromium
(select an agent, record a coaching session, see it in the history, nothing leaves the machine)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from browser import AppServer, assert_offline, browser_session, open_app

from ccomkit.apps.team_leader import build_team_leader
from ccomkit.store import Workspace
from ccomkit.teamlead import coaching, tasks


def _sessions(path: Path):
    with Workspace.open_read(path) as ws:
        return coaching.read_sessions(ws)


def test_builder_profile_plan_save_and_language(demo_workspace_copy: Path) -> None:
    app = build_team_leader(demo_workspace_copy, lang="en")
    assert app.frame.error.value == ""
    assert app.team.value == "T01" and app.agent.value == app.profiles["agent_id"].iloc[0]
    first = app.agent.value
    assert first in app.profile_box.value and "Development type" in app.profile_box.value
    assert "on floor" in app.profile_box.value  # the stage, labelled
    app.metric.value = "aht_s"  # a suggested AHT target is 5 % under the 30-day baseline
    base = app.baseline.value
    assert "n = " in base and 100 < app.target_value.value < 1000
    app.metric.value = app.metric.options[0][1]
    assert "max_item_repeats" in app.evidence.value  # every rule tried is shown with its value
    assert app.chart.n_draws == 1
    # team needs concern the profiled agents only (T01's leader A10001 takes calls too)
    listed = set("|".join(app.team_need_table["agents"]).split("|"))
    assert listed and listed <= set(app.profiles["agent_id"]) and "A10001" not in listed
    # the plan is pre-filled from the evidence: the top improvement item is the first target
    top = app.profiles.set_index("agent_id").loc[first, "improve_items"].split("|")[0]
    assert app.metric.value == f"qa_item:{top}"
    # a plan without the agent's own commitment is not SMART: the page says so, nothing written
    app.commitment.value = ""
    app.frame.run(app.save_session)
    assert "agent_commitment is empty" in app.frame.error.value
    assert _sessions(demo_workspace_copy).empty
    app.commitment.value = "I replay one of my calls every day"
    app.frame.run(app.save_session)
    assert app.frame.error.value == ""
    saved = _sessions(demo_workspace_copy)
    assert saved["agent_id"].tolist() == [first] and saved["status"].tolist() == ["open"]
    assert saved["session_id"].iloc[0] in app.history.value
    assert "I replay one of my calls every day" in app.history.value
    # close it with a follow-up note
    app.new_status.value = "closed"
    app.followup_note.value = "reviewed"
    app.frame.run(app.update_session)
    assert app.frame.error.value == ""
    assert _sessions(demo_workspace_copy)["status"].tolist() == ["closed"]
    # another agent has no history; the language switch relabels through the same widgets
    second = app.profiles["agent_id"].iloc[1]
    app.agent.value = second
    assert "No coaching session yet" in app.history.value
    n = app.chart.n_draws
    app.frame.set_lang("zh")
    assert "发展类型" in app.profile_box.value and app.agent.description == "座席"
    assert app.chart.n_draws == n + 1
    app.team.value = "T02"
    assert app.frame.error.value == "" and app.agent.value in set(app.profiles["agent_id"])


# ------------------------------------------------------------------------------------------------
# the real app: Voila + chromium
# ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def writable_workspace(demo_workspace: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("tl-ws") / "workspace.duckdb"
    shutil.copyfile(demo_workspace, dest)
    return dest


@pytest.fixture(scope="module")
def team_leader_page(writable_workspace: Path):
    with AppServer("team_leader", workspace=writable_workspace) as server, \
            browser_session() as browser:
        app = open_app(browser, server.url, charts=("trend",))
        yield app, server


@pytest.mark.browser
def test_team_leader_in_browser(team_leader_page, writable_workspace: Path) -> None:
    app, server = team_leader_page
    assert app.error_text().strip() == "", server.log[-2000:]
    assert "Traceback" not in app.page.content()
    assert app.chart_marks("trend") > 5
    options = app.options(".ccom-agent")
    assert len(options) >= 3
    profile = app.text(".ccom-profile")
    assert options[0].split()[0] in profile and "发展类型" in profile

    # select another agent: the profile and the plan follow
    agent_label = options[2]
    agent_id = agent_label.split()[0]
    app.select(".ccom-agent", agent_label)
    profile = app.wait_text_change(".ccom-profile", profile)
    app.wait_idle()
    assert agent_id in profile
    history = app.text(".ccom-history")
    assert "暂无辅导记录" in history

    # record a coaching session in the agent's own words and save it
    app.page.locator(".ccom-commitment textarea").first.fill("每天复听一通自己的录音")
    app.page.locator(".ccom-improvement textarea").first.fill("开场语气更温和")
    app.click(".ccom-save")
    history = app.wait_text_change(".ccom-history", history)
    app.wait_idle()
    assert app.error_text().strip() == ""
    assert "每天复听一通自己的录音" in history and "CS" in history and agent_id in history
    assert "已保存" in app.text(".ccom-save-msg")

    # it went through the workspace writer into rec_coaching_session
    saved = _sessions(writable_workspace)
    assert saved["agent_id"].tolist() == [agent_id]
    assert saved["agent_commitment"].tolist() == ["每天复听一通自己的录音"]
    assert saved["improvement_agreed"].tolist() == ["开场语气更温和"]
    assert saved["session_id"].iloc[0] in history
    assert_offline(app)


def test_builder_task_tracker(demo_workspace_copy: Path) -> None:
    # a Wednesday: the week shown is Mon 2026-11-02 .. Sun 2026-11-08
    app = build_team_leader(demo_workspace_copy, lang="en", today="2026-11-04")
    assert "No task yet" in app.task_list.value
    assert app.task_owner.value == "A10001"  # T01's team leader, from agent_dim
    assert app.task_due.value == "2026-11-11"
    app.task_title.value = "Relay the new refund policy"
    app.task_source.value = "above"
    app.task_due.value = "2026-11-03"  # before today's creation date: refused
    app.frame.run(app.add_task)
    assert "due_date 2026-11-03 is before created_date 2026-11-04" in app.frame.error.value
    app.task_due.value = "2026-11-06"
    app.frame.run(app.add_task)
    app.task_title.value = "Pass up: the CRM freezes at peak"
    app.task_source.value = "floor"
    app.task_due.value = "2026-11-12"
    app.frame.run(app.add_task)
    assert app.frame.error.value == ""
    with Workspace.open_read(demo_workspace_copy) as ws:
        saved = tasks.read_tasks(ws, team_id="T01")
    assert saved["task_id"].tolist() == ["TK20261104-1", "TK20261104-2"]
    assert saved["source"].tolist() == ["above", "floor"]
    assert "Relay the new refund policy" in app.task_list.value
    app.task_pick.value = "TK20261104-1"
    app.frame.run(app.mark_task_done)
    assert app.frame.error.value == ""
    with Workspace.open_read(demo_workspace_copy) as ws:
        saved = tasks.read_tasks(ws, team_id="T01").set_index("task_id")
    assert saved.loc["TK20261104-1", "status"] == "done"
    assert saved.loc["TK20261104-1", "done_date"] == pd.Timestamp("2026-11-04")
    assert app.task_pick.options == (("TK20261104-2 Pass up: the CRM freezes at peak",
                                      "TK20261104-2"),)
    # this week: 2 created, 1 done on time, 1 open, due next week (11-12)
    w = tasks.weekly_summary(app.tasks, "2026-11-02").set_index("source")
    assert w.loc["total"].tolist() == [2, 1, 1, 1, 0, 1]
    assert "This week" not in app.week.value and "2026-11-02 – 2026-11-08" in app.week.value
    app.frame.set_lang("zh")
    assert "上级下达" in app.task_list.value and "按期完成" in app.week.value


def test_builder_limited_to_one_team(demo_workspace_copy: Path, monkeypatch) -> None:
    """A team leader's view: with a team (argument or $CCOM_TEAM) the app lists only that team's
    agents and the team cannot be changed; an unknown team is a readable error, not a crash."""
    with Workspace.open_read(demo_workspace_copy) as ws:
        ad = ws.read("agent_dim")
    app = build_team_leader(demo_workspace_copy, lang="en", team_id="T02")
    assert app.team.options == ("T02",) and app.team.disabled
    own = set(ad.loc[ad["team_id"] == "T02", "agent_id"])
    assert set(app.profiles["agent_id"]) <= own and len(app.profiles) > 0
    assert app.agent.value in own
    read = app.team_frames("T02")["agent_dim"]  # nothing else read: the team and its leader
    leaders = set(ad.loc[ad["team_id"] == "T02", "team_leader_id"].dropna())
    assert set(read["agent_id"]) <= own | leaders and own <= set(read["agent_id"])
    monkeypatch.setenv("CCOM_TEAM", "T03")
    assert build_team_leader(demo_workspace_copy, lang="en").team.options == ("T03",)
    wrong = build_team_leader(demo_workspace_copy, team_id="T99")  # shown in the page
    assert "team &#x27;T99&#x27; has no active agent" in wrong.frame.error.value
    assert wrong.team.options == () and wrong.profiles.empty
