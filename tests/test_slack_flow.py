"""Slack end to end: signed requests through the real route and bolt AsyncApp, against the local Web API."""
from __future__ import annotations

import pytest
from sqlmodel import Session, select

from fakes.slack_api import Call
from fakes.slack_checks import parsed_text
from fakes.slack_world import close_world, open_world
from harness import at
from storage.models import Circle, Participation, Person, Reply

PEOPLE = {"UMIA": "Mia", "UANN": "Ann", "UAINO": "Aino", "UBEN": "Ben"}


@pytest.fixture
async def slack(settings, engine):
    world, api = await open_world(settings, engine, at("2026-11-30 09:00"))
    for uid, name in PEOPLE.items():
        api.add_user(uid, name, locale="fi-FI" if uid == "UAINO" else "en-US")
    yield world
    await close_world(world)


def rows(engine, model, *where):
    with Session(engine) as session:
        return list(session.exec(select(model).where(*where)))


async def start_circle(slack, members=("UANN", "UAINO")) -> None:
    mentions = " ".join(f"<@{m}|{PEOPLE[m].lower()}>" for m in members)
    reply = await slack.command("UMIA", f"new Learners {mentions}")
    assert reply.status == 200
    await slack.drain()  # welcomes


async def prompt_now(slack, count: int = 3) -> None:
    reply = await slack.command("UMIA", "prompt now")
    assert f"{count} member" in reply.json["text"]
    await slack.drain()


async def test_new_circle_is_announced_in_its_channel(slack, engine):
    reply = await slack.command("UMIA", "new Learners <@UANN|ann> <@UAINO|aino>")

    assert reply.status == 200 and reply.json["response_type"] == "ephemeral"
    assert "Learners" in reply.json["text"]
    announcement = slack.api.posts("CLEARN")
    assert len(announcement) == 1 and "Learners" in announcement[0].text
    assert slack.api.of("conversations.join")  # the bot joined the public channel to post there
    circle = rows(engine, Circle)[0]
    assert circle.channel_id == "CLEARN" and circle.name == "Learners"
    # people were looked up after the ack: names, locales and time zones from users.info
    names = {p.platform_user_id: (p.name, p.locale, p.timezone) for p in rows(engine, Person)}
    assert names["UAINO"] == ("Aino", "fi-FI", "Europe/Helsinki") and names["UMIA"][0] == "Mia"


async def test_bad_input_gets_an_ephemeral_usage_message_and_stores_nothing(slack, engine):
    reply = await slack.command("UMIA", "schedule reflection someday 25:99")

    assert reply.status == 200 and reply.json["response_type"] == "ephemeral"
    assert "Usage: /circle schedule" in str(reply.json["blocks"])
    reply = await slack.command("UMIA", "frobnicate")
    assert "frobnicate" in str(reply.json["blocks"])
    assert rows(engine, Circle) == [] and slack.api.posts() == []


async def test_prompt_now_sends_one_dm_per_member_with_the_buttons(slack):
    await start_circle(slack)
    await prompt_now(slack)

    for user in ("UANN", "UAINO", "UMIA"):
        prompts = slack.prompts(user)
        assert len(prompts) == 1, user
        names = [a.split(":")[1] for a in prompts[0].action_ids()]
        assert names == ["prompt.answer", "prompt.skip", "prompt.another", "prompt.snooze"]
    # Aino's Slack locale is Finnish: her prompt is in Finnish
    assert "Vastaa" in slack.prompts("UAINO")[0].text


async def test_answer_opens_a_modal_and_the_submission_is_stored_and_the_dm_updated(slack, engine):
    await start_circle(slack)
    await prompt_now(slack)
    prompt = slack.prompts("UANN")[0]

    await slack.press("UANN", prompt, "prompt.answer")
    opened = slack.api.of("views.open")
    assert len(opened) == 1 and opened[0].params["view"]["type"] == "modal"
    reply = await slack.submit("UANN", opened[0], "Opin, että kysyminen kannattaa 🌱", "circle")

    assert reply.status == 200 and reply.body == ""  # the modal closes
    stored = rows(engine, Reply)
    assert [(r.text, r.visibility) for r in stored] == [("Opin, että kysyminen kannattaa 🌱", "circle")]
    update = slack.api.of("chat.update")[-1]
    assert update.params["channel"] == "DUANN" and update.params["ts"] == prompt.result["ts"]
    assert [a.split(":")[1] for a in update.action_ids()] == ["prompt.answer", "reply.private"]  # edit, keep private
    assert "Answered" in update.text


async def test_too_long_or_empty_answer_keeps_the_modal_open_with_the_reason(slack, engine):
    await start_circle(slack)
    await prompt_now(slack)
    await slack.press("UANN", slack.prompts("UANN")[0], "prompt.answer")

    reply = await slack.submit("UANN", slack.api.of("views.open")[0], "\u200b\u200b", "circle")

    assert reply.json["response_action"] == "errors" and "empty" in reply.json["errors"]["answer"]
    assert rows(engine, Reply) == []


async def test_a_thread_reply_to_the_prompt_is_the_answer(slack, engine):
    await start_circle(slack)
    await prompt_now(slack)
    prompt = slack.prompts("UAINO")[0]

    reply = await slack.event(slack.dm_event("UAINO", "Luotin tiimiin &amp; se kannatti", thread_ts=prompt.result["ts"]))

    assert reply.status == 200
    assert [r.text for r in rows(engine, Reply)] == ["Luotin tiimiin & se kannatti"]
    thanks = slack.api.posts("DUAINO")
    assert len(thanks) == 1 and thanks[0].params.get("thread_ts") == prompt.result["ts"]
    assert any(a.startswith("kipina:reply.private") for a in thanks[0].action_ids())


async def test_a_redelivered_event_stores_nothing_twice(slack, engine):
    await start_circle(slack)
    await prompt_now(slack)
    event = slack.dm_event("UANN", "Retried answer", thread_ts=slack.prompts("UANN")[0].result["ts"])

    first = await slack.event(event, event_id="Ev0RETRY")
    again = await slack.event(event, event_id="Ev0RETRY", retry=1)

    assert first.status == again.status == 200
    assert len(rows(engine, Reply)) == 1
    assert len(slack.api.posts("DUANN")) == 1  # one thank-you


async def test_thread_replies_to_a_coffee_starter_count_as_taking_part(slack, engine):
    await start_circle(slack)
    await slack.command("UMIA", "coffee now")
    await slack.drain()
    starter = [c for c in slack.api.posts("CLEARN") if "Coffee" in c.text][-1]

    await slack.event({"type": "message", "channel_type": "channel", "channel": "CLEARN", "user": "UANN",
                       "text": "Kahvilla puhuimme palautteesta", "ts": "1900000999.000100",
                       "thread_ts": starter.result["ts"]})

    taken = rows(engine, Participation)
    assert len(taken) == 1 and taken[0].text is None  # counted, text not kept


async def test_names_and_answers_that_look_like_mentions_never_ping_anyone(slack, engine):
    # Slack escapes what people type: a circle literally named "<!channel>" arrives as &lt;!channel&gt;
    reply = await slack.command("UMIA", "new &lt;!channel&gt; <@UANN|ann>")
    assert rows(engine, Circle)[0].name == "<!channel>"
    await slack.drain()
    await prompt_now(slack, 2)
    await slack.press("UANN", slack.prompts("UANN")[0], "prompt.answer")
    await slack.submit("UANN", slack.api.of("views.open")[0], "Kiitos <!here> ja <@UMIA> 🙏", "circle")
    await slack.tick(at("2026-12-02 09:30"))  # window closed: the recap

    posted = [c for c in slack.api.calls if c.method in ("chat.postMessage", "chat.update", "response_url")]
    everything = "\n".join(parsed_text(c.params) for c in posted) + parsed_text(reply.json)
    for live in ("<!channel>", "<!here>", "<@UMIA>"):
        assert live not in everything
    # shown as typed, in plain_text and rich text, which Slack does not parse
    shown = "\n".join(c.text for c in posted)
    assert "<!channel>" in shown and "Kiitos <!here> ja <@UMIA> 🙏" in shown
    assert any("Recap" in c.text for c in slack.api.posts("CLEARN"))


async def test_help_and_journal_are_ephemeral_and_valid_block_kit(slack):
    reply = await slack.command("UANN", "help")
    assert reply.json["response_type"] == "ephemeral" and "/circle new" in str(reply.json["blocks"])

    await start_circle(slack)
    await prompt_now(slack)
    long_answer = ("Pitkä pohdinta luottamuksesta ja epävarmuudesta 🌱 " * 60)[:3000]
    await slack.press("UANN", slack.prompts("UANN")[0], "prompt.answer")
    await slack.submit("UANN", slack.api.of("views.open")[0], long_answer, "private")
    reply = await slack.command("UANN", "journal")
    assert reply.json["response_type"] == "ephemeral" and "Pitkä pohdinta" in str(reply.json["blocks"])


async def test_skip_replaces_the_prompt_in_the_dm(slack, engine):
    await start_circle(slack)
    await prompt_now(slack)
    prompt = slack.prompts("UANN")[0]

    await slack.press("UANN", prompt, "prompt.skip")

    update = slack.api.of("chat.update")[-1]
    assert update.params["ts"] == prompt.result["ts"] and update.action_ids() == []
    assert "Skipped" in update.text


async def test_buttons_on_an_ephemeral_message_answer_through_its_response_url(slack, engine):
    reply = await slack.command("UBEN", "forget-me", channel="CRANDOM", channel_name="random")
    assert reply.json["response_type"] == "ephemeral"
    shown = Call("ack", {"blocks": reply.json["blocks"]}, result={"channel": "CRANDOM", "ts": "1800000077.000100"})

    await slack.press("UBEN", shown, "forget.cancel", ephemeral=True)

    replaced = [c for c in slack.api.of("response_url") if c.params.get("replace_original")]
    assert len(replaced) == 1 and "Nothing was erased" in replaced[0].text
    assert slack.api.of("chat.update") == []
    assert [p.platform_user_id for p in rows(engine, Person)] == ["UBEN"]  # not erased


async def test_a_private_channel_the_bot_is_not_in_gets_an_invite_hint(slack, engine):
    await slack.command("UMIA", "new Secret circle", channel="GSECRET", channel_name="secret")

    assert slack.api.posts("GSECRET") == []
    answer, *hints = slack.api.of("response_url")
    assert "Secret circle" in answer.text  # the caller's answer, then the hint
    assert len(hints) == 1 and "/invite @Kipinä" in hints[0].text
    assert rows(engine, Circle)[0].channel_id == "GSECRET"


async def test_the_app_home_shows_my_circles_and_pauses_me(slack, engine):
    await start_circle(slack)
    await slack.event({"type": "app_home_opened", "user": "UANN", "channel": "DUANN", "tab": "home"})

    home = slack.api.of("views.publish")[-1]
    assert home.params["user_id"] == "UANN" and home.params["view"]["type"] == "home"
    assert "Learners" in home.text and "Pause prompts" in home.text

    await slack.press_home("UANN", home, "home.pause")

    again = slack.api.of("views.publish")[-1]
    assert again is not home and "Resume prompts" in again.text
    ann = [p for p in rows(engine, Person) if p.platform_user_id == "UANN"][0]
    assert ann.paused_until is not None
    await prompt_now(slack, 2)  # Ann is paused: Mia and Aino only
    assert slack.prompts("UANN") == []


async def test_a_workspace_that_types_piiri_is_told_piiri_in_usage_and_did_you_mean(slack):
    await start_circle(slack)
    typo = await slack.command("UAINO", "listaa", slash="/piiri")
    assert "Tarkoititko /piiri lista?" in str(typo.json)
    unknown = await slack.command("UAINO", "banaani", slash="/piiri")
    text = str(unknown.json)
    assert "En tunne komentoa ”banaani”" in text and "Kirjoita /piiri apua" in text and "/circle" not in text
    usage = await slack.command("UAINO", "tauko ikuisesti", slash="/piiri")
    assert "Käyttö: /piiri tauko" in str(usage.json)


async def test_a_greeting_while_a_prompt_is_open_is_asked_about_and_not_stored(slack, engine):
    await start_circle(slack)
    await prompt_now(slack)
    prompt = slack.prompts("UANN")[0]

    await slack.event(slack.dm_event("UANN", "hi! :wave:", thread_ts=prompt.result["ts"]))
    await slack.drain()
    assert rows(engine, Reply) == []  # not an answer, not in any recap
    asked = slack.api.posts("DUANN")[-1]
    assert "looks like a greeting" in asked.text
    assert [a.split(":")[1] for a in asked.action_ids()] == ["chat.save", "chat.dismiss"]
    await slack.press("UANN", asked, "chat.dismiss")
    assert rows(engine, Reply) == []
    assert "Your prompt is still open" in slack.api.of("chat.update")[-1].text

    await slack.event(slack.dm_event("UAINO", "kiitos", thread_ts=slack.prompts("UAINO")[0].result["ts"]))
    await slack.drain()
    asked = slack.api.posts("DUAINO")[-1]
    assert "tervehdykseltä" in asked.text  # in Aino's Finnish
    await slack.press("UAINO", asked, "chat.save")  # she meant it: her answer after all
    assert [r.text for r in rows(engine, Reply)] == ["kiitos"]
    assert "Kiitos! Vastauksesi on tallennettu" in slack.api.of("chat.update")[-1].text
