"""The dashboard: web pages served by the bot itself for HR, mentors and every member.

`/circle dashboard` answers with a personal, single-use sign-in link (links.py); opening it
starts a browser session kept in the database (sessions.py); the pages (routes.py, pages.py,
templates/) show what bot/domain/reports computes for the weekly summary, under the same group-size
rule, with charts drawn as inline SVG (charts.py). Summaries are kept a few minutes so that a
page is quick however large the organisation (summaries.py).

Everything outside this package uses only what is named here.
"""
from bot.domain.personal.signin import command
from bot.dashboard.routes import add_routes

__all__ = ["add_routes", "command"]
