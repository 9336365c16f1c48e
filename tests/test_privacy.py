"""Privacy promises of the core: who can read an answer, export, erasure, retention, logs."""
from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest
from sqlmodel import Session, func, select

from bot.ports import ActionRequest
from harness import HELSINKI, at, make_world
from storage.models import AuditEntry, Delivery, Membership, Person, Reply

C1 = "C1"
SECRET = "PRIVATE-7f3a answer nobody else may read"
SHARED = "shared thought about feedback"


@pytest.fixture
def world(settings, engine):
    w = make_world(settings, engine)
    w.command("Mia", "new Learners <@ann|Ann> <@bob|Bob>", channel=C1)
    w.command("Mia", "schedule reflection thu 14:00", channel=C1)
    w.tick(at("2026-12-03 14:00"))
    w.submit("Ann", w.prompts("ann")[0].message, SECRET, "private")
    w.submit("Bob", w.prompts("bob")[0].message, SHARED, "circle")
    w.tick(at("2026-12-07 14:00"))
    return w


def everything_shown_to(world, name: str) -> str:
    """Every path that renders answer text, as seen by one person."""
    shown = [p.message.plain_text for p in world.inbox(name)]
    for command in ("journal", "info", "list", "mydata"):
        response = world.command(name, command, channel=C1)
        shown += [m.plain_text for m in response.to_caller + response.to_channel]
    shown.append(world.app.core.home(world.actor(name), world.now).plain_text)
    return "\n".join(shown)


def test_private_answer_is_readable_by_its_author_only(world):
    assert SECRET in everything_shown_to(world, "Ann")
    for other in ("Mia", "Bob", "Hanna", "Otto", "Zed"):  # mentor, circle mate, HR, admin, outsider
        assert SECRET not in everything_shown_to(world, other), other
    channel = "\n".join(p.message.plain_text for p in world.channel(C1))
    assert SHARED in channel and SECRET not in channel


def test_shared_answer_reaches_only_current_members(world):
    recap = world.channel(C1)[0].message.plain_text
    assert SHARED in recap
    world.command("Bob", "leave", channel=C1)
    world.tick(at("2026-12-10 14:00"))
    world.submit("Ann", world.prompts("ann")[-1].message, "second week", "circle")
    world.tick(at("2026-12-14 14:00"))
    assert SHARED not in world.channel(C1)[-1].message.plain_text


def test_admin_audit_log_never_holds_answer_text(world):
    world.command("Ann", "mydata")
    log = "\n".join(m.plain_text for m in world.command("Otto", "audit").to_caller)
    assert "export" in log and SECRET not in log and SHARED not in log


def test_mydata_exports_everything_about_me_as_json(world):
    response = world.command("Ann", "mydata")
    export = response.to_caller[0].attachment
    assert export.filename.endswith(".json") and export.mime == "application/json"
    data = json.loads(export.content)
    assert data["profile"]["name"] == "Ann"
    assert [a["text"] for a in data["answers"]] == [SECRET]
    assert data["memberships"][0]["circle"] == "Learners"
    assert {d["kind"] for d in data["deliveries"]} >= {"prompt", "welcome"}


def test_forget_me_asks_then_erases_and_keeps_anonymous_counts(world, engine):
    ask = world.command("Ann", "forget-me").to_caller[0]
    assert [b.action for b in ask.buttons] == ["forget.confirm", "forget.cancel"]
    assert "Nothing was erased" in world.press("Ann", ask, "Cancel").replace_source.plain_text
    with Session(engine) as s:
        assert s.exec(select(Person).where(Person.platform_user_id == "ann")).one()
    world.press("Ann", ask, "Yes, erase my data")
    with Session(engine) as s:
        assert s.exec(select(Person).where(Person.platform_user_id == "ann")).first() is None
        assert s.exec(select(func.count()).select_from(Reply)).one() == 2  # counts stay
        assert SECRET not in [r.text for r in s.exec(select(Reply))]
        assert s.exec(select(func.count()).select_from(Membership)).one() == 2
        erased = s.exec(select(Person).where(Person.platform_user_id.startswith("erased:"))).one()
        assert erased.name == "" and erased.address is None and not erased.is_active
        assert s.exec(select(AuditEntry).where(AuditEntry.action == "erase")).one()
    assert SECRET not in everything_shown_to(world, "Ann")  # Ann is a new, empty person now


def test_forget_me_of_a_mentor_archives_their_circles(world, engine):
    ask = world.command("Mia", "forget-me").to_caller[0]
    assert "Learners" in ask.plain_text  # the warning names the circles
    world.press("Mia", ask, "Yes, erase my data")
    assert world.tick(at("2026-12-10 14:00"))["runs"] == 0


def test_pending_prompts_to_an_erased_person_are_cancelled(world, engine):
    world.set_time(at("2026-12-05 10:00"))  # Saturday: the prompt waits in the outbox
    world.command("Mia", "prompt now", channel=C1)
    ask = world.command("Bob", "forget-me").to_caller[0]
    world.press("Bob", ask, "Yes, erase my data")
    world.tick(at("2026-12-07 10:00"))
    with Session(engine) as s:
        bob_rows = s.exec(select(Delivery).where(Delivery.person_id == 3, Delivery.kind == "prompt")).all()
    assert bob_rows[-1].status == "cancelled"


def test_retention_clears_old_answer_text(world, engine):
    a_year_on = world.now.astimezone(HELSINKI).replace(hour=3, minute=29) + timedelta(days=366)
    assert world.tick(a_year_on)["retention"] is None  # the nightly job runs from 03:30
    assert world.tick(a_year_on + timedelta(minutes=1))["retention"] == 2
    assert world.tick(a_year_on + timedelta(hours=5))["retention"] is None  # once a day
    with Session(engine) as s:
        assert {r.text for r in s.exec(select(Reply))} == {""}
    assert "journal is empty" in world.command("Ann", "journal").to_caller[0].plain_text


def test_admin_can_erase_a_person_from_the_command_line(world, engine, tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {**os.environ, "DATABASE_URL": world.app.settings.database_url,
           "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    done = subprocess.run([sys.executable, "-m", "bot", "forget", "test:ann"], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=60)
    assert done.returncode == 0 and "erased test:ann" in done.stdout
    with Session(engine) as s:
        assert SECRET not in [r.text for r in s.exec(select(Reply))]
    audit = subprocess.run([sys.executable, "-m", "bot", "audit"], capture_output=True, text=True, env=env,
                           cwd=tmp_path, timeout=60)
    assert '"action": "erase"' in audit.stdout and SECRET not in audit.stdout


def test_logs_carry_no_answer_text(settings, engine, caplog):
    caplog.set_level(logging.DEBUG)
    w = make_world(settings, engine)
    w.command("Mia", "new Learners <@ann|Ann>", channel=C1)
    w.command("Mia", "prompt now", channel=C1)
    w.submit("Ann", w.prompts("ann")[0].message, SECRET, "private")
    w.dm("Ann", SECRET + " again")
    assert SECRET not in caplog.text


def test_button_of_someone_else_does_nothing(world, engine):
    prompt = world.prompts("ann")[0].message
    edit = next(b for b in prompt.buttons if b.action == "prompt.answer")
    response = world.app.core.action(ActionRequest(world.actor("Bob"), "prompt.answer", edit.value), world.now)
    assert response.open_form is None and "isn't yours" in response.to_caller[0].plain_text


def test_a_platform_without_files_gets_the_export_spelled_out(world):
    from bot.ports import spelled_out

    parts = spelled_out(world.command("Ann", "mydata").to_caller[0])
    assert parts[0].attachment is None and all(p.blocks[0].kind == "code" for p in parts[1:])
    assert json.loads("".join(p.blocks[0].text for p in parts[1:]))["answers"][0]["text"] == SECRET


@pytest.mark.parametrize("lang, locale, word, kept", [
    ("en", "en-GB", "privacy", "Answers lose their text after 90 days"),
    ("fi", "fi-FI", "tietosuoja", "Vastaukset menettävät tekstinsä 90 päivän kuluttua"),
    ("sv", "sv-SE", "integritet", "Svaren förlorar sin text efter 90 dagar"),
])
def test_privacy_notice_in_each_language_with_the_retention_days(settings, engine, lang, locale, word, kept):
    from dataclasses import replace

    from bot.domain.commands import spelled, usage_in
    from bot.common.i18n import t

    w = make_world(replace(settings, reply_retention_days=90), engine)
    w.locales["ann"] = locale
    notice = w.command("Ann", word).to_caller[0]
    text = notice.plain_text
    assert notice.summary == t(lang, "privacy.heading") and kept in text
    assert t(lang, "privacy.readers", min=5) in text  # who reads what, with the group size
    for command in ("mydata", "forget-me"):  # how to export and erase, as typed on this platform
        assert spelled("test", usage_in(lang, command)) in text
    assert t(lang, "privacy.no_model") in text and t(lang, "privacy.model") not in text
    with_model = make_world(replace(settings, openai_api_key="sk-test"), engine)
    with_model.locales["ann"] = locale
    text = with_model.command("Ann", word).to_caller[0].plain_text
    assert t(lang, "privacy.model") in text and t(lang, "privacy.no_model") not in text


def test_the_welcome_and_help_point_to_the_privacy_notice(world):
    from bot.domain.commands import typed

    welcome = [p.message.plain_text for p in world.inbox("ann") if p.message.summary == "Welcome to Learners"]
    assert len(welcome) == 1 and f'"{typed("test", "en", "privacy")}"' in welcome[0]
    assert "privacy – what is kept about you" in world.command("Ann", "help").to_caller[0].plain_text


@pytest.mark.parametrize("lang, locale, word", [("fi", "fi-FI", "tietosuoja"), ("sv", "sv-FI", "integritet"),
                                                ("en", "en-GB", "privacy")])
def test_privacy_names_the_controller_dpo_legal_basis_and_complaint_route(settings, engine, lang, locale, word):
    from dataclasses import replace

    from bot.common.i18n import t

    kit = replace(settings, organisation_name="Virasto", organisation_names=(("sv", "Ämbetsverket"),),
                  data_protection_officer="Maija Meikäläinen, tietosuoja@virasto.fi",
                  privacy_notice_url="https://virasto.fi/tietosuoja", public_url="https://kipina.virasto.fi")
    w = make_world(kit, engine)
    w.locales["ann"] = locale
    text = w.command("Ann", word).to_caller[0].plain_text
    organisation = "Ämbetsverket" if lang == "sv" else "Virasto"
    for line in (t(lang, "privacy.controller", organisation=organisation),
                 t(lang, "privacy.dpo", dpo="Maija Meikäläinen, tietosuoja@virasto.fi"),
                 t(lang, "privacy.basis", basis=t(lang, "privacy.basis_default")),
                 t(lang, "privacy.channels"), t(lang, "privacy.rights"), t(lang, "privacy.complaint")):
        assert line in text, line
    assert "759/2004" in text
    links = [b.text for b in w.command("Ann", word).to_caller[0].blocks if b.kind == "link"]
    assert links == [t(lang, "privacy.complaint_url"), "https://virasto.fi/tietosuoja",
                     f"https://kipina.virasto.fi/privacy?lang={lang}", "https://kipina.virasto.fi/accessibility"]
    assert links[0].startswith("https://tietosuoja.fi")

    bare = make_world(replace(settings, privacy_legal_bases=(("", "Art. 6(1)(c) and our own act."),)), engine)
    bare.locales["ann"] = locale
    text = bare.command("Ann", word).to_caller[0].plain_text
    assert t(lang, "privacy.controller_missing") in text and "Art. 6(1)(c) and our own act." in text
    assert t(lang, "privacy.dpo", dpo="x").split(":")[0] not in text and t(lang, "privacy.basis_default") not in text
