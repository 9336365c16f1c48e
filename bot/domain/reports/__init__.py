"""The weekly summary: figures counted by the database, the group-size rule, themes (offline or by a
language model), rendering as a message, text, JSON, CSV and a chart, and the jobs that plan it.

Everything outside this package uses only what is named here.
"""
from bot.domain.reports.chart import chart_png
from bot.domain.reports.chat import report_command
from bot.domain.reports.coffees import compute as coffee_figures
from bot.domain.reports.figures import Week, active_by_week, parse_week, shared_answers, week_at, weeks_until
from bot.domain.reports.figures import circles as live_circles
from bot.domain.reports.figures import empty as no_figures
from bot.domain.reports.figures import figures as count_figures
from bot.domain.reports.lexicon import build as build_lexicon
from bot.domain.reports.jobs import pick_workspace, plan_weekly, plan_workspace, summary_for
from bot.domain.reports.llm import configured as model_configured
from bot.domain.reports.summary import compute, present, timezone_of
from bot.domain.reports.spreadsheet import to_csv
from bot.domain.reports.themes import extract as extract_themes
from bot.domain.reports.view import delivery_message, number, percent, render, sparkline, to_json

__all__ = [
    "Week", "active_by_week", "build_lexicon", "chart_png", "coffee_figures", "compute", "count_figures", "delivery_message",
    "extract_themes", "live_circles", "model_configured", "no_figures", "number", "parse_week", "percent",
    "pick_workspace", "plan_weekly", "plan_workspace", "present", "render", "report_command", "shared_answers",
    "sparkline", "summary_for", "timezone_of", "to_csv", "to_json", "week_at", "weeks_until",
]
