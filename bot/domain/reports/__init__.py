"""The weekly summary: figures counted by the database, the group-size rule, themes (offline or by a
language model), rendering as a message, text, JSON, CSV and a chart, and the jobs that plan it.

Everything outside this package uses only what is named here.
"""
from bot.domain.reports.chart import chart_png
from bot.domain.reports.chat import report_command
from bot.domain.reports.figures import Week, parse_week, week_at, weeks_until
from bot.domain.reports.jobs import pick_workspace, plan_weekly, plan_workspace, summary_for
from bot.domain.reports.llm import configured as model_configured
from bot.domain.reports.summary import compute, timezone_of
from bot.domain.reports.spreadsheet import to_csv
from bot.domain.reports.view import delivery_message, render, to_json

__all__ = [
    "Week", "chart_png", "compute", "delivery_message", "model_configured", "parse_week", "pick_workspace",
    "plan_weekly", "plan_workspace", "render", "report_command", "summary_for", "timezone_of", "to_csv",
    "to_json", "week_at", "weeks_until",
]
