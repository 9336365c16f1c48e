"""The permission table of the README, walked command by command and role by role.

Permissions live in the core, so every platform gets the same answers.
"""
from __future__ import annotations

import pytest

from harness import make_world

C1 = "C1"
ROLES = ("member", "outsider", "hr", "admin", "mentor")  # the mentor last: archive ends the circle
WHO = {"member": "Ann", "mentor": "Mia", "outsider": "Zed", "hr": "Hanna", "admin": "Otto"}

ALL = set(ROLES)
MENTOR = {"mentor"}
# command → roles allowed; everyone else gets the refusal text on the right.
TABLE = [
    ("help", ALL, None),
    ("new Another", ALL, None),  # anyone may start a circle (in a channel without one)
    ("add <@cy|Cy>", MENTOR, "Only the mentor"),
    ("remove <@bob|Bob>", MENTOR, "Only the mentor"),
    ("schedule reflection thu 14:00", MENTOR, "Only the mentor"),
    ("schedule off", MENTOR, "Only the mentor"),
    ("prompt now", MENTOR, "Only the mentor"),
    ("prompt add What helped you?", MENTOR, "Only the mentor"),
    ("coffee now", MENTOR, "Only the mentor"),
    ("archive", MENTOR, "Only the mentor"),
    ("leave", {"member"}, None),  # the mentor archives instead; outsiders are not in it
    ("list", ALL, None),
    ("info", ALL, None),
    ("pause 1w", ALL, None),
    ("resume", ALL, None),
    ("journal", ALL, None),
    ("mydata", ALL, None),
    ("forget-me", ALL, None),  # asks for confirmation first
    ("language fi", ALL, None),
    ("audit", {"admin"}, "only for admins"),
    ("pairs on every 3w", MENTOR, "Only the mentor"),
    ("pairs now", MENTOR, "Only the mentor"),
    ("pairs off", MENTOR, "Only the mentor"),
    ("pairs history", ALL, None),  # one's own history only
    ("pairs skip", {"member", "mentor"}, "You aren't in Learners"),
    ("pairs join", {"member", "mentor"}, "You aren't in Learners"),
    ("report", {"hr", "mentor"}, "only for HR"),
    ("dashboard", ALL, None),  # a link for everyone; what the pages show depends on the role (test_dashboard.py)
    ("programme", set(), "hub installation"),  # leads only, and only at a hub (test_programme.py)
]
REFUSALS = ("Only the mentor", "only for admins", "only for HR", "archive it", "You aren't in Learners", "There is no circle",
            "already has the circle", "hub installation")


@pytest.fixture
def world(settings, engine):
    w = make_world(settings, engine)
    w.command("Mia", "new Learners <@ann|Ann> <@bob|Bob>", channel=C1)
    return w


def said(response) -> str:
    return "\n".join(m.plain_text for m in response.to_caller)


@pytest.mark.parametrize("command,allowed,refusal", TABLE, ids=[row[0].split()[0] + "-" + str(i)
                                                                for i, row in enumerate(TABLE)])
def test_every_command_as_every_role(world, command, allowed, refusal):
    for role in ROLES:
        channel = "C-new-" + role if command.startswith("new") else C1
        text = said(world.command(WHO[role], command, channel=channel))
        refused = any(marker in text for marker in REFUSALS)
        assert refused == (role not in allowed), f"{command!r} as {role}: {text}"
        if refused and refusal:
            assert refusal in text


def test_mentor_cannot_leave_and_outsider_is_told_they_are_not_in(world):
    assert "archive it" in said(world.command("Mia", "leave", channel=C1))
    assert "You aren't in Learners" in said(world.command("Zed", "leave", channel=C1))


def test_admin_reads_the_audit_log_of_membership_changes_and_exports(world):
    world.command("Mia", "add <@cy|Cy>", channel=C1)
    world.command("Ann", "mydata")
    log = said(world.command("Otto", "audit"))
    assert "new circle" in log and "member added · Cy" in log and "Ann · data export" in log
    assert "circle.new" not in log and "T" not in log.split(" · ")[0]  # words and local time, not codes and ISO


@pytest.mark.parametrize("locale, first, added", [
    ("fi-FI", "30.11.2026 klo 9.00 · Mia · uusi piiri · Learners", "jäsen lisätty · Cy · Learners"),
    ("sv-FI", "30.11.2026 kl. 9.00 · Mia · ny cirkel · Learners", "medlem tillagd · Cy · Learners"),
    ("en-GB", "30 Nov 2026 9:00 · Mia · new circle · Learners", "member added · Cy · Learners"),
])
def test_the_audit_log_reads_in_local_time_and_words(world, locale, first, added):
    world.command("Mia", "add <@cy|Cy>", channel=C1)
    world.locales["otto"] = locale
    lines = said(world.command("Otto", "audit")).splitlines()[1:]  # under the heading, latest first
    assert len(lines) == 2 and lines[-1] == first  # created 9.00 Helsinki time, stored 7.00 UTC
    assert any(line.endswith(added) for line in lines)
    assert not [line for line in lines if "member.add" in line or "circle.new" in line or "+00:00" in line]
