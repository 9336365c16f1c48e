"""Files on Slack: the data export and the summary chart are uploaded (files_upload_v2); where an
upload is refused, a text file comes as text instead and nothing is lost."""
from __future__ import annotations

import json

import pytest

from bot.ports import Attachment, Block, Message, Target
from fakes.slack_api import TEAM
from fakes.slack_world import close_world, open_world
from harness import at


@pytest.fixture
async def slack(settings, engine):
    world, api = await open_world(settings, engine, at("2026-11-30 09:00"))
    api.add_user("UMIA", "Mia")
    api.add_user("UANN", "Ann")
    yield world
    await close_world(world)


async def ann_has_an_answer(slack) -> None:
    await slack.command("UMIA", "new Learners <@UANN|ann>")
    await slack.command("UMIA", "prompt now")
    await slack.drain()
    prompt = slack.prompts("UANN")[0]
    await slack.event(slack.dm_event("UANN", "My answer about feedback", thread_ts=prompt.result["ts"]))
    await slack.drain()


async def test_mydata_is_a_json_file_in_my_dm_and_the_answer_says_where(slack):
    await ann_has_an_answer(slack)
    reply = await slack.command("UANN", "mydata")

    assert reply.json["response_type"] == "ephemeral" and "JSON" in reply.json["text"]
    files = slack.api.files()
    assert len(files) == 1 and files[0]["channel"] == "DUANN" and files[0]["filename"] == "kipina-my-data.json"
    export = json.loads(files[0]["content"])
    assert [a["text"] for a in export["answers"]] == ["My answer about feedback"]
    told = [c for c in slack.api.of("response_url") if "direct messages" in c.text]
    assert len(told) == 1 and told[0].params["response_type"] == "ephemeral"
    # the export itself never goes through a channel, not even ephemerally
    assert not any("My answer about feedback" in c.text for c in slack.api.of("response_url"))


async def test_without_files_write_the_export_comes_as_text_to_me_alone(slack):
    await ann_has_an_answer(slack)
    slack.api.fail("files.getUploadURLExternal", error="missing_scope", times=5)
    await slack.command("UANN", "mydata")

    assert slack.api.files() == []
    chunks = [c for c in slack.api.of("response_url") if c.params["blocks"][0]["type"] == "rich_text"]
    assert chunks and all(c.params["response_type"] == "ephemeral" for c in chunks)
    assert "My answer about feedback" in "".join(c.text for c in chunks)


async def test_a_message_with_a_chart_uploads_it_in_the_same_dm(slack):
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    summary = Message(blocks=(Block("text", "Weekly summary"),), summary="Weekly summary",
                      attachment=Attachment("kipina-summary-2026-W49.png", png, "image/png", title="Trend"))
    sent = await slack.platform.send(Target("dm", TEAM, user_id="UANN"), summary)

    assert sent.channel_id == "DUANN" and slack.api.posts("UANN")[0].params["text"] == "Weekly summary"
    files = slack.api.files("DUANN")
    assert [(f["filename"], f["title"], f["content"]) for f in files] == [("kipina-summary-2026-W49.png", "Trend", png)]


async def test_an_image_that_will_not_upload_is_left_out_and_the_message_still_goes(slack):
    slack.api.fail("files.completeUploadExternal", error="not_in_channel")
    chart = Attachment("c.png", b"\x89PNG", "image/png")
    sent = await slack.platform.send(Target("dm", TEAM, user_id="UANN"),
                                     Message(blocks=(Block("text", "Summary"),), summary="Summary", attachment=chart))
    assert sent.message_id and slack.api.files() == []
    assert [c.params["text"] for c in slack.api.of("chat.postMessage")] == ["Summary"]  # no empty text post
