"""A programme across organisations (docs/programme.md): each organisation sends the hub a week's
aggregates (payload, push); the hub checks them (schema), keeps one copy per organisation and week
(hub), and shows them to the programme's leads side by side (view, chat).

Everything outside this package uses only what is named here.
"""
from bot.domain.programme.chat import is_lead, programme_command, rows
from bot.domain.programme.hub import add_organisation, organisation_for, store_week
from bot.domain.programme.hub import leave as leave_hub
from bot.domain.programme.payload import build as build_payload
from bot.domain.programme.push import Result, configured, due_weeks, has_left, leave, plan, push_week
from bot.domain.programme.schema import MAX_BYTES, problems
from bot.domain.programme.view import compute as compute_view

__all__ = ["MAX_BYTES", "Result", "add_organisation", "build_payload", "compute_view", "configured", "due_weeks",
           "has_left", "is_lead", "leave", "leave_hub", "organisation_for", "plan", "problems", "programme_command",
           "push_week", "rows", "store_week"]
