"""A circle speaks its mentor's language, or the language(s) its mentor sets; a bilingual circle's
channel posts carry both."""
from __future__ import annotations

from sqlmodel import Session, select

from bot.common.i18n import t
from harness import at, make_world
from storage.models import Circle

C1 = "C1"


def channel_text(world) -> list[str]:
    return [p.message.plain_text for p in world.channel(C1)]


def test_a_circle_follows_its_finnish_mentors_language_even_when_learnt_after_new(settings, engine):
    world = make_world(settings, engine)
    world.command("Maija", "uusi Oppijat <@ann|Ann>", channel=C1)  # no locale known yet
    world.locales["maija"] = "fi-FI"
    world.command("Maija", "lista")  # now the platform told it
    world.command("Maija", "kahvi nyt", channel=C1)
    posts = channel_text(world)
    assert posts and t("fi", "coffee.heading", circle="Oppijat") in posts[-1]
    with Session(engine) as s:
        assert s.exec(select(Circle)).one().language is None  # follows the mentor


def test_the_mentor_sets_the_circles_language_in_its_channel(settings, engine):
    world = make_world(settings, engine)
    world.command("Mia", "new Learners <@ann|Ann>", channel=C1)
    said = world.command("Mia", "kieli sv", channel=C1).to_caller[0].plain_text
    assert "in Swedish" in said
    world.command("Mia", "coffee now", channel=C1)
    assert t("sv", "coffee.heading", circle="Learners") in channel_text(world)[-1]
    # Ann is not the mentor: in the channel, `language` is her own language
    assert "suomeksi" in world.command("Ann", "language fi", channel=C1).to_caller[0].plain_text
    refused = world.command("Ann", "language fi+sv").to_caller[0].plain_text
    assert "Kaksi kieltä yhtä aikaa voi olla vain piirillä" in refused  # she now reads Finnish


def test_a_bilingual_circle_posts_in_both_languages_with_each_answer_once(settings, engine):
    world = make_world(settings, engine)
    world.command("Maija", "uusi Oppijat <@ann|Ann> <@stina|Stina>", channel=C1)
    world.command("Maija", "kieli suomi ja ruotsi", channel=C1)
    world.command("Maija", "kahvi nyt", channel=C1)
    coffee = channel_text(world)[-1]
    assert t("fi", "coffee.heading", circle="Oppijat") in coffee and t("sv", "coffee.heading", circle="Oppijat") in coffee

    world.command("Maija", "kysymys nyt", channel=C1)
    prompt = world.prompts("ann")[0].message
    world.submit("Ann", prompt, "Kysyin apua aiemmin kuin yleensä.", "circle")
    world.tick(at("2026-12-07 14:00"))
    recap = world.channel(C1)[-1].message
    text = recap.plain_text
    assert t("fi", "recap.heading", circle="Oppijat") in text and t("sv", "recap.heading", circle="Oppijat") in text
    assert text.count("Kysyin apua aiemmin kuin yleensä.") == 1
    assert t("fi", "recap.starter") in recap.follow_up.plain_text and t("sv", "recap.starter") in recap.follow_up.plain_text


async def test_a_slack_circle_started_by_a_finnish_mentor_speaks_finnish_from_the_first_message(settings, engine):
    from fakes.slack_world import close_world, open_world

    slack, api = await open_world(settings, engine, at("2026-11-30 09:00"))
    api.add_user("UMAIJA", "Maija", locale="fi-FI")
    api.add_user("UANN", "Ann", locale="en-US")
    try:
        reply = await slack.command("UMAIJA", "uusi Oppijat <@UANN|ann>")  # Kipinä has never met Maija
        assert t("fi", "circle.created", circle="Oppijat") in reply.json["text"]
        [announcement] = api.posts("CLEARN")
        assert "perusti tälle kanavalle oppimispiirin Oppijat" in announcement.text  # with her name, not her handle
        assert announcement.text.startswith("Maija")
        await slack.command("UMAIJA", "kahvi nyt")
        await slack.drain()
        coffee = api.posts("CLEARN")[-1]
        assert t("fi", "coffee.heading", circle="Oppijat") in coffee.text
    finally:
        await close_world(slack)
