"""Speaking like a colleague: each defect found in a language is tested in that language; the dead
ends (a typo, a schedule as people type it, a greeting while a prompt is open) in all three."""
from __future__ import annotations

import pytest
from sqlmodel import Session, select

from bot.common.i18n import listing, t
from bot.domain.circles.chatter import is_chatter
from harness import at, make_world
from storage.models import Reply, Schedule

C1, C2 = "C1", "C2"


def said(response) -> str:
    return "\n".join(m.plain_text for m in response.to_caller)


def replies(engine) -> list[str]:
    with Session(engine) as s:
        return [r.text for r in s.exec(select(Reply).order_by(Reply.id))]


def world_in(settings, engine, lang: str, start: str = "2026-11-30 09:00"):
    world = make_world(settings, engine, at(start))
    for name in ("mia", "ann", "bob", "aino", "ville", "anna", "dag", "erik"):
        world.locales[name] = lang
    return world


@pytest.mark.parametrize("lang, names, joined", [
    ("fi", ["Aino", "Ville"], "Aino ja Ville"), ("sv", ["Anna", "Dag"], "Anna och Dag"),
    ("en", ["Ann", "Dag", "Eve"], "Ann, Dag, and Eve"), ("fi", ["Aino"], "Aino"), ("fi", [], ""),
])
def test_lists_are_joined_as_each_language_joins_them(lang, names, joined):
    assert listing(lang, names) == joined


def test_fi_a_new_circle_names_its_members_with_ja_and_no_co_founding(settings, engine):
    world = world_in(settings, engine, "fi")
    announced = world.command("Mia", "uusi Oppijat <@aino|Aino> <@ville|Ville>", channel=C1).to_channel[0].plain_text
    assert "Ensimmäiset jäsenet: Aino ja Ville." in announced and "mukana" not in announced


def test_sv_a_new_circle_names_its_members_with_och_not_tillsammans_med(settings, engine):
    world = world_in(settings, engine, "sv")
    announced = world.command("Mia", "ny Lärare <@anna|Anna> <@dag|Dag>", channel=C1).to_channel[0].plain_text
    assert "Första medlemmar: Anna och Dag." in announced and "tillsammans med" not in announced


def test_fi_a_member_of_two_circles_asking_for_a_mentors_command_gets_the_plural(settings, engine):
    world = world_in(settings, engine, "fi")
    world.command("Mia", "uusi Kehittäjät <@aino|Aino>", channel=C1)
    world.command("Mia", "uusi Oppijat <@aino|Aino>", channel=C2)
    refused = said(world.command("Aino", "kysymys nyt"))  # in a DM: no channel to send her to
    assert "Olet jäsen piireissä Kehittäjät ja Oppijat, et niiden mentori." in refused
    skipped = said(world.command("Aino", "parit ohita"))
    assert "piireissä Kehittäjät ja Oppijat" in skipped


def test_fi_a_mentor_removing_themselves_is_given_the_archive_command(settings, engine):
    world = world_in(settings, engine, "fi")
    world.command("Mia", "uusi Oppijat <@aino|Aino>", channel=C1)
    refused = said(world.command("Mia", "poista <@mia|Mia>", channel=C1))
    assert "arkistoi se komennolla ”/circle arkistoi”" in refused


def test_sv_every_other_week_on_mondays_and_finland_swedish_dates(settings, engine):
    world = world_in(settings, engine, "sv")
    world.command("Mia", "ny Kaffe <@anna|Anna> <@dag|Dag>", channel=C1)
    on = said(world.command("Mia", "par på", channel=C1))
    assert "en ny omgång varannan vecka, mån kl. 10.00" in on and "mån 30.11 kl. 10.00" in on
    assert "var 2:" not in on and " dec " not in on and " nov " not in on
    help_text = said(world.command("Mia", "hjälp"))
    assert "varannan vecka på måndagar kl. 10" in help_text


def test_sv_a_schedule_typed_as_people_say_it(settings, engine):
    world = world_in(settings, engine, "sv")
    world.command("Mia", "ny Lärare <@anna|Anna>", channel=C1)
    set_to = said(world.command("Mia", "schema reflektion varje tisdag 14.30", channel=C1))
    assert "tis kl. 14.30" in set_to and "Nästa: tis 1.12 kl. 14.30" in set_to
    with Session(engine) as s:
        assert [(x.days, x.time) for x in s.exec(select(Schedule))] == [("tue", "14:30")]


@pytest.mark.parametrize("lang, typed, expected", [
    ("fi", "aikataulu pohdinta joka päivä 9", "klo 9.00"),
    ("en", "schedule reflection every tuesday 2pm", "Tue at 14:00"),
    ("en", "schedule reflection tuesdays at 2 pm", "Tue at 14:00"),
])
def test_schedules_typed_as_people_say_them_are_understood(settings, engine, lang, typed, expected):
    world = world_in(settings, engine, lang)
    world.command("Mia", "new Learners <@ann|Ann>", channel=C1)
    assert expected in said(world.command("Mia", typed, channel=C1))


@pytest.mark.parametrize("lang, typed, shown", [
    ("fi", "aikataulu pohdinta joskus 14", ("tiistaisin", "ma–pe")),
    ("sv", "schema reflektion någon gång 14", ("tisdagar", "må–fr")),
    ("en", "schedule reflection someday 2pm", ("tuesdays", "mon-fri")),
    ("en", "schedule reflection every tuesday", ("every tuesday at 2pm", "thu 14:00")),
])
def test_a_schedule_not_understood_shows_forms_that_work(settings, engine, lang, typed, shown):
    world = world_in(settings, engine, lang)
    world.command("Mia", "new Learners <@ann|Ann>", channel=C1)
    refused = said(world.command("Mia", typed, channel=C1))
    assert all(form in refused for form in shown), refused


def test_fi_joka_13_vk_says_the_range_not_13(settings, engine):
    world = world_in(settings, engine, "fi")
    world.command("Mia", "uusi Oppijat <@aino|Aino>", channel=C1)
    refused = said(world.command("Mia", "parit päälle joka 13 vk", channel=C1))
    assert "1–12 viikon välein" in refused and "En ymmärtänyt" not in refused


@pytest.mark.parametrize("lang, typed, meant", [
    ("fi", "listaa", "Tarkoititko /circle lista?"), ("fi", "lsita", "Tarkoititko /circle lista?"),
    ("sv", "hjälpp", "Menade du /circle hjälp?"), ("sv", "schmea", "Menade du /circle schema?"),
    ("en", "hlep", "Did you mean /circle help?"), ("en", "jurnal", "Did you mean /circle journal?"),
])
def test_a_typo_gets_a_did_you_mean_in_the_readers_words(settings, engine, lang, typed, meant):
    world = world_in(settings, engine, lang)
    assert meant in said(world.command("Ann", typed))
    assert meant in said(world.dm("Ann", typed))  # typed as a plain chat line with nothing open, too


def test_a_typo_with_more_words_keeps_them_in_the_suggestion(settings, engine):
    world = world_in(settings, engine, "fi")
    assert "Tarkoititko /circle tauko 2 vk?" in said(world.command("Aino", "tuako 2 vk"))


def test_en_prompt_now_when_everyone_is_off_hours_says_so_not_sent_to_0(settings, engine):
    world = world_in(settings, engine, "en", start="2026-12-05 20:00")  # a Saturday evening
    world.command("Mia", "new Learners <@ann|Ann> <@bob|Bob>", channel=C1)
    told = said(world.command("Mia", "prompt now", channel=C1))
    assert "0 members" not in told and "sent to" not in told
    assert "goes to all 3 members of Learners at their next working time (Mon 7 Dec 8:00)" in told


def test_en_pairs_now_counts_introductions_once(settings, engine):
    world = world_in(settings, engine, "en", start="2026-12-05 20:00")
    world.command("Mia", "new Coffee <@ann|Ann> <@bob|Bob> <@aino|Aino>", channel=C1)
    world.command("Mia", "pairs on", channel=C1)
    told = said(world.command("Mia", "pairs now", channel=C1))
    assert "2 learning-coffee groups made in Coffee." in told
    assert "on its way" not in told and "on their way" not in told  # all wait for Monday
    assert "introductions wait for working hours (the first Mon 7 Dec 8:00)" in told
    world.set_time(at("2026-12-14 10:00"))
    told = said(world.command("Mia", "pairs now", channel=C1))
    assert "wait" not in told and "The introductions are on their way." in told


@pytest.mark.parametrize("lang, expected", [
    ("en", "Answer the question above, or skip it."), ("fi", "Vastaa yllä olevaan kysymykseen tai ohita se."),
    ("sv", "Svara på frågan ovan eller hoppa över den."),
])
def test_another_question_to_its_end_points_at_the_one_shown(settings, engine, lang, expected):
    world = world_in(settings, engine, lang)
    world.command("Mia", "new Learners <@ann|Ann>", channel=C1)
    world.command("Mia", "prompt now", channel=C1)
    message = world.prompts("ann")[0].message
    another = message.buttons[2].label
    for _ in range(3):
        message = world.press("Ann", message, another).replace_source
    last = said(world.press("Ann", message, another))
    assert expected in last and "whichever" not in last and "mihin niistä" not in last


@pytest.mark.parametrize("text", ["hej", "Hei!", "kiitos 🙂", "ok", "👍", ":wave:", "tack så mycket",
                                  "thanks!", "good morning", "oletko botti?", "vad gör du?", "what is this?"])
def test_small_talk_is_not_an_answer(text):
    assert is_chatter(text)


@pytest.mark.parametrize("text", ["Ei.. en ehtinyt kysyä apua ajoissa, ensi kerralla kysyn heti aamulla.",
                                  "Jag bad om hjälp tidigare än vanligt.", "Asked for help", "Luottamus",
                                  "📎 board.jpg", "📎", "Why do we never talk about mistakes in our team meetings?"])
def test_a_real_answer_or_a_file_is_an_answer(text):
    assert not is_chatter(text)


@pytest.mark.parametrize("lang, greeting, question_word, save, no", [
    ("sv", "hej", "hälsning", "Spara som mitt svar", "Nej"),
    ("fi", "moi", "tervehdykseltä", "Tallenna vastaukseksi", "Ei"),
    ("en", "hello", "greeting", "Save as my answer", "No"),
])
def test_a_greeting_while_a_prompt_is_open_is_not_stored_nor_recapped(settings, engine, lang, greeting,
                                                                        question_word, save, no):
    world = world_in(settings, engine, lang)
    world.command("Mia", "new Learners <@erik|Erik> <@ann|Ann>", channel=C1)
    world.command("Mia", "schedule reflection thu 14:00", channel=C1)
    world.tick(at("2026-12-03 14:00"))
    asked = world.dm("Erik", greeting).to_caller[0]
    assert question_word in asked.plain_text and [b.label for b in asked.buttons] == [save, no]
    assert replies(engine) == []
    assert world.press("Erik", asked, no).replace_source.plain_text == t(lang, "chat.not_saved")
    world.dm("Ann", "I asked for help earlier than I usually would.")
    world.tick(at("2026-12-07 14:00"))  # the window closed: the recap
    recap = "\n".join(p.message.plain_text for p in world.channel(C1))
    assert "asked for help earlier" in recap and greeting not in recap.lower().split()
    assert replies(engine) == ["I asked for help earlier than I usually would."]


def test_fi_a_mistyped_command_while_a_prompt_is_open_is_asked_about_with_the_right_word(settings, engine):
    world = world_in(settings, engine, "fi")
    world.command("Mia", "uusi Oppijat <@aino|Aino>", channel=C1)
    world.command("Mia", "kysymys nyt", channel=C1)
    asked = world.dm("Aino", "tuako 2 vk").to_caller[0]
    assert "Tarkoititko /circle tauko 2 vk?" in asked.plain_text and asked.buttons
    assert replies(engine) == []
    assert "Tauko" in said(world.dm("Aino", "tauko 2 vk"))  # the command itself works from a plain line
    world.dm("Aino", "parit")  # a real command word, not a typo: taken as the answer as before
    assert replies(engine) == ["parit"]


def test_save_as_my_answer_after_the_prompt_was_answered_changes_nothing(settings, engine):
    world = world_in(settings, engine, "en")
    world.command("Mia", "new Learners <@ann|Ann>", channel=C1)
    world.command("Mia", "prompt now", channel=C1)
    asked = world.dm("Ann", "thanks").to_caller[0]
    world.dm("Ann", "I asked for help earlier than I usually would.")
    refused = world.press("Ann", asked, "Save as my answer")
    assert refused.refused and "already answered" in said(refused)
    assert replies(engine) == ["I asked for help earlier than I usually would."]


def test_a_greeting_with_nothing_open_is_greeted_back(settings, engine):
    world = world_in(settings, engine, "sv")
    hello = said(world.dm("Erik", "hej"))
    assert hello.startswith("Hej!") and replies(engine) == []


def test_a_message_with_no_text_while_a_prompt_is_open_is_no_error(settings, engine):
    """Teams and Slack send a file or a card alone with empty text: no word to check for a typo."""
    world = world_in(settings, engine, "en")
    world.command("Mia", "new Learners <@erik|Erik>", channel=C1)
    world.command("Mia", "prompt now", channel=C1)
    for text in ("", "   "):
        response = world.dm("Erik", text)  # before: an IndexError, "something went wrong"
        assert said(response) == "Your answer is empty, so nothing was saved.", said(response)
