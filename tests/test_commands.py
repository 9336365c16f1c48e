"""The command grammar: every sub-command, mentions in every platform's form, wrong input."""
from __future__ import annotations

import pytest

from bot.domain.commands import Mention, UsageError, parse


@pytest.mark.parametrize("text,name,check", [
    ("help", "help", {}),
    ("", "help", {}),
    ("/circle new Learning Lab <@U1|ann> <@U2> @bob", "new",
     {"circle_name": "Learning Lab", "mentions": (Mention("U1", "ann"), Mention("U2", None), Mention(None, "bob"))}),
    ("circle new Oppimispiiri", "new", {"circle_name": "Oppimispiiri"}),
    ("add <@29:1abc-DEF_9|Ann Smith>", "add", {"mentions": (Mention("29:1abc-DEF_9", "Ann Smith"),)}),
    ("add <@U1> <@U1|ann>", "add", {"mentions": (Mention("U1", None),)}),
    ("remove @ann", "remove", {"mentions": (Mention(None, "ann"),)}),
    ("schedule reflection thu 14:00", "schedule", {"sub": "reflection", "days": "thu", "time": "14:00"}),
    ("schedule coffee ma,to 9.30", "schedule", {"sub": "coffee", "days": "mon,thu", "time": "09:30"}),
    ("schedule reflection mån-fre 08:15", "schedule", {"days": "mon,tue,wed,thu,fri"}),
    ("schedule reflection fri-mon 10:00", "schedule", {"days": "mon,fri,sat,sun"}),
    ("schedule off", "schedule", {"sub": "off", "text": ""}),
    ("schedule off coffee", "schedule", {"sub": "off", "text": "coffee"}),
    ("prompt now", "prompt", {"sub": "now"}),
    ("prompt add Mitä opit tänään?", "prompt", {"sub": "add", "text": "Mitä opit tänään?"}),
    ("coffee now", "coffee", {"sub": "now"}),
    ("pause", "pause", {"pause_days": None}),
    ("pause 2w", "pause", {"pause_days": 14}),
    ("pause 3d", "pause", {"pause_days": 3}),
    ("language SV", "language", {"language": "sv"}),
    ("FORGET-ME", "forget-me", {}),
    ("journal", "journal", {}),
    ("report", "report", {}),
    # Finnish and Swedish words, and days and times as people type them
    ("uusi Oppimispiiri @aino", "new", {"circle_name": "Oppimispiiri", "mentions": (Mention(None, "aino"),)}),
    ("ny Lärcirkel", "new", {"circle_name": "Lärcirkel"}),
    ("lisää @aino", "add", {"mentions": (Mention(None, "aino"),)}),
    ("lägg till @stina", "add", {"mentions": (Mention(None, "stina"),)}),
    ("ta-bort @stina", "remove", {}),
    ("kahvi nyt", "coffee", {"sub": "now"}),
    ("kaffe nu", "coffee", {"sub": "now"}),
    ("kysymys nyt", "prompt", {"sub": "now"}),
    ("kysymys lisää Mitä opit?", "prompt", {"sub": "add", "text": "Mitä opit?"}),
    ("fråga lägg-till Vad lärde du dig?", "prompt", {"sub": "add", "text": "Vad lärde du dig?"}),
    ("aikataulu pohdinta ma–pe 9.00", "schedule", {"sub": "reflection", "days": "mon,tue,wed,thu,fri", "time": "09:00"}),
    ("aikataulu kahvi ma, to klo 14", "schedule", {"sub": "coffee", "days": "mon,thu", "time": "14:00"}),
    ("aikataulu pohdinta torstaisin 14", "schedule", {"days": "thu", "time": "14:00"}),
    ("schema reflektion må-fr kl. 9", "schedule", {"sub": "reflection", "days": "mon,tue,wed,thu,fri", "time": "09:00"}),
    ("schema kaffe må, on, fr 9.30", "schedule", {"days": "mon,wed,fri", "time": "09:30"}),
    ("schema reflektion lö, sö 10", "schedule", {"days": "sat,sun", "time": "10:00"}),
    ("schedule reflection mon, thu 9:30", "schedule", {"days": "mon,thu", "time": "09:30"}),
    ("schedule reflection thursdays at 14", "schedule", {"days": "thu", "time": "14:00"}),
    ("aikataulu pois kahvi", "schedule", {"sub": "off", "text": "coffee"}),
    ("schema av", "schedule", {"sub": "off", "text": ""}),
    ("tauko 2 vk", "pause", {"pause_days": 14}),
    ("tauko 3 päivää", "pause", {"pause_days": 3}),
    ("paus 2 veckor", "pause", {"pause_days": 14}),
    ("jatka", "resume", {}),
    ("fortsätt", "resume", {}),
    ("päiväkirja", "journal", {}),
    ("dagbok", "journal", {}),
    ("omat-tiedot", "mydata", {}),
    ("mina data", "mydata", {}),
    ("unohda-minut", "forget-me", {}),
    ("glöm-mig", "forget-me", {}),
    ("kieli suomi", "language", {"language": "fi"}),
    ("språk svenska", "language", {"language": "sv"}),
    ("raportti", "report", {}),
    ("arkistoi", "archive", {}),
    ("loki", "audit", {}),
    ("apua", "help", {}),
    ("hjälp", "help", {}),
    ("piiri eroa", "leave", {}),
    ("/cirkel lämna", "leave", {}),
    # schedules as people type them, with or without every/joka/varje, plural days, klo/kl./at, 2pm
    ("schema reflektion varje tisdag 14.30", "schedule", {"days": "tue", "time": "14:30"}),
    ("schema reflektion på tisdagar kl. 14.30", "schedule", {"days": "tue", "time": "14:30"}),
    ("schema reflektion tisdagar kl 9", "schedule", {"days": "tue", "time": "09:00"}),
    ("schema kaffe varje dag 9", "schedule", {"days": "mon,tue,wed,thu,fri,sat,sun", "time": "09:00"}),
    ("aikataulu pohdinta joka päivä 9", "schedule", {"days": "mon,tue,wed,thu,fri,sat,sun", "time": "09:00"}),
    ("aikataulu pohdinta joka tiistai klo 14.30", "schedule", {"days": "tue", "time": "14:30"}),
    ("aikataulu pohdinta tiistaisin 14:30", "schedule", {"days": "tue", "time": "14:30"}),
    ("aikataulu kahvi maanantaisin ja torstaisin klo 9", "schedule", {"days": "mon,thu", "time": "09:00"}),
    ("schedule reflection every tuesday 2pm", "schedule", {"days": "tue", "time": "14:00"}),
    ("schedule reflection every tuesday at 2 pm", "schedule", {"days": "tue", "time": "14:00"}),
    ("schedule reflection tuesdays at 9:30am", "schedule", {"days": "tue", "time": "09:30"}),
    ("schedule reflection on tuesdays at 12pm", "schedule", {"days": "tue", "time": "12:00"}),
    ("schedule reflection thu 2.30 p.m.", "schedule", {"days": "thu", "time": "14:30"}),
    ("schedule coffee every day at 9", "schedule", {"days": "mon,tue,wed,thu,fri,sat,sun", "time": "09:00"}),
    ("parit päälle joka tiistai klo 10", "pairs", {"days": "tue", "time": "10:00"}),
    ("pairs on every tuesday at 10am", "pairs", {"days": "tue", "time": "10:00"}),
    ("par på varannan vecka på måndagar kl. 10", "pairs", {"weeks": 2, "days": "mon", "time": "10:00"}),
    # learning coffees
    ("pairs on", "pairs", {"sub": "on", "weeks": None, "days": "", "time": ""}),
    ("pairs on every 3w thu 9:30", "pairs", {"sub": "on", "weeks": 3, "days": "thu", "time": "09:30"}),
    ("pairs on mon 10:00 every 1 week", "pairs", {"weeks": 1, "days": "mon", "time": "10:00"}),
    ("pairs on weekly", "pairs", {"weeks": 1}),
    ("parit päälle joka 2 vk ma klo 10", "pairs", {"sub": "on", "weeks": 2, "days": "mon", "time": "10:00"}),
    ("kahviparit päälle 3 viikon välein torstaisin 14", "pairs", {"weeks": 3, "days": "thu", "time": "14:00"}),
    ("parit päälle joka toinen viikko", "pairs", {"weeks": 2}),
    ("par på var 3:e vecka mån 10.00", "pairs", {"sub": "on", "weeks": 3, "days": "mon", "time": "10:00"}),
    ("par på varannan vecka", "pairs", {"weeks": 2}),
    ("pairs off", "pairs", {"sub": "off"}),
    ("parit pois", "pairs", {"sub": "off"}),
    ("par av", "pairs", {"sub": "off"}),
    ("pairs now", "pairs", {"sub": "now"}),
    ("parit nyt", "pairs", {"sub": "now"}),
    ("kaffepar nu", "pairs", {"sub": "now"}),
    ("pairs history", "pairs", {"sub": "history"}),
    ("parit historia", "pairs", {"sub": "history"}),
    ("par historik", "pairs", {"sub": "history"}),
    ("pairs skip", "pairs", {"sub": "skip"}),
    ("parit ohita", "pairs", {"sub": "skip"}),
    ("par hoppa över", "pairs", {"sub": "skip"}),
    ("pairs join", "pairs", {"sub": "join"}),
    ("parit mukaan", "pairs", {"sub": "join"}),
    ("par med", "pairs", {"sub": "join"}),
])
def test_good_input(text, name, check):
    command = parse(text)
    assert command.name == name
    for attr, value in check.items():
        assert getattr(command, attr) == value


@pytest.mark.parametrize("text,reason,usage", [
    ("frobnicate", "usage.unknown", None),
    ("new", "usage.new_needs_name", "new"),
    ("new <@U1>", "usage.new_needs_name", "new"),
    ("new " + "x" * 81, "usage.name_too_long", "new"),
    ("new !!!", "usage.name_needs_letters", "new"),
    ("add", "usage.needs_mentions", "add"),
    ("add ann", "usage.not_a_mention", "add"),
    ("schedule", "usage.schedule_what", "schedule"),
    ("schedule weekly thu 14:00", "usage.schedule_what", "schedule"),
    ("schedule reflection thu", "usage.schedule_days_time", "schedule"),
    ("aikataulu pohdinta joskus 14", "usage.bad_days", "schedule"),
    ("aikataulu pohdinta to 25.00", "usage.bad_time", "schedule"),
    ("tauko ikuisesti", "usage.bad_pause", "pause"),
    ("kahvi myöhemmin", "usage.coffee_what", "coffee"),
    ("schedule reflection someday 14:00", "usage.bad_days", "schedule"),
    ("schedule reflection thu 25:00", "usage.bad_time", "schedule"),
    ("schedule reflection thu 13pm", "usage.bad_time", "schedule"),
    ("schedule reflection every tuesday", "usage.schedule_days_time", "schedule"),
    ("parit päälle joka 13 vk", "usage.pairs_every_range", "pairs"),
    ("schedule off forever", "usage.schedule_what", "schedule"),
    ("prompt", "usage.prompt_what", "prompt"),
    ("prompt later", "usage.prompt_what", "prompt"),
    ("prompt add", "usage.prompt_needs_text", "prompt"),
    ("prompt add " + "q" * 501, "usage.prompt_too_long", "prompt"),
    ("coffee", "usage.coffee_what", "coffee"),
    ("pause forever", "usage.bad_pause", "pause"),
    ("pause 0d", "usage.bad_pause", "pause"),
    ("pause 60w", "usage.bad_pause", "pause"),
    ("language de", "usage.bad_language", "language"),
    ("list everything", "usage.no_args", "list"),
    ("x" * 5000, "usage.too_long", None),
    ("pairs", "usage.pairs_what", "pairs"),
    ("parit joskus", "usage.pairs_what", "pairs"),
    ("pairs on every 3d", "usage.pairs_every", "pairs"),
    ("pairs on every 13w", "usage.pairs_every_range", "pairs"),
    ("pairs on mon, thu 10:00", "usage.pairs_one_day", "pairs"),
    ("pairs on mon", "usage.pairs_day_time", "pairs"),
    ("pairs on someday 10:00", "usage.bad_days", "pairs"),
    ("parit päälle ma 25.00", "usage.bad_time", "pairs"),
    ("pairs now please", "usage.no_args", "pairs"),
])
def test_wrong_input_says_what_was_wrong(text, reason, usage):
    with pytest.raises(UsageError) as caught:
        parse(text)
    assert caught.value.reason == reason
    assert caught.value.command == usage


@pytest.mark.parametrize("typed,meant", [
    ("listaa", "list"), ("lsita", "list"), ("hlep", "help"), ("hjälpp", "help"), ("tuako", "pause"),
    ("aikatalu", "schedule"), ("schedul", "schedule"), ("dagbk", "journal"), ("raport", "report"),
])
def test_a_typo_of_a_command_is_told_what_was_meant(typed, meant):
    with pytest.raises(UsageError) as caught:
        parse(typed)
    assert caught.value.reason == "usage.did_you_mean"
    assert caught.value.params["meant"] == meant


@pytest.mark.parametrize("typed", ["frobnicate", "xyz", "banaani"])
def test_a_word_far_from_every_command_is_just_unknown(typed):
    with pytest.raises(UsageError) as caught:
        parse(typed)
    assert caught.value.reason == "usage.unknown"


def test_control_characters_are_dropped_from_names():
    assert parse("new Learn\u0000ers\u202e").circle_name == "Learners"


def test_usage_message_is_localised(settings, engine):
    from harness import make_world

    world = make_world(settings, engine)
    world.locales["aino"] = "fi"
    said = world.command("Aino", "schedule reflection thu 25:00").to_caller[0].plain_text
    assert "25:00" in said and "/circle aikataulu pohdinta|kahvi" in said
    assert said != world.command("Bob", "schedule reflection thu 25:00").to_caller[0].plain_text
