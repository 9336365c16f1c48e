"""Who may post to /api/messages, and what the bot's own calls carry, on both SDKs (TEAMS_SDK).

The channel's keys and the login authority are served locally (tests/fakes/teams_issuer.py), so
a correctly signed token can be shown to pass and tokens that are unsigned, forged, expired, for
another bot, another issuer or another service URL to fail; and the bot's replies to be signed
with the token the authority issued for it.
"""
from __future__ import annotations

import asyncio
import logging
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import jwt
import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlmodel import Session, select

from bot.runtime.app import build
from bot.runtime.clock import ManualClock
from bot.platforms.teams.keys import CHECK_TIMEOUT, FRESH
from bot.ports import Actor, CommandRequest, ConfigError, Env
from bot.runtime.web import make_web_app
from fakes.teams_connector import MockConnector
from fakes.teams_issuer import SCOPE, ChannelKeys, HungChannelKeys, LocalAuthority, new_key
from fakes.teams_world import BOT, BOTBUILDER, TENANT, TeamsWorld, User, sdk_param
from harness import at, with_env
from storage.models import Person

APP_ID = "9a1f3c2e-5b7d-4e8a-9c0f-1d2e3f4a5b6c"
SECRET = "not-a-real-secret"
ANN = User("Ann")
SDKS = [sdk_param("agents"), sdk_param("botbuilder")]


@pytest.fixture(params=SDKS)
def sdk(request) -> str:
    return request.param


@pytest.fixture
async def authority(tmp_path, monkeypatch):
    served = await LocalAuthority(tmp_path, APP_ID, SECRET).start()
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", served.ca_file)  # MSAL's requests trust our certificate
    yield served
    await served.stop()


async def serve_with(settings, engine, sdk, keys, connector, authority, **extra):
    variables = dict(MICROSOFT_APP_ID=APP_ID, MICROSOFT_APP_PASSWORD=SECRET, TEAMS_ENABLED="", TEAMS_SDK=sdk,
                     MICROSOFT_APP_TYPE="MultiTenant", MICROSOFT_OPENID_METADATA_URL=keys.url,
                     MICROSOFT_AUTHORITY=authority.authority())
    secure = with_env(settings, **{**variables, **extra})
    app = build(secure, clock=ManualClock(at("2026-12-03 13:00")), platform_names=["teams"], engine=engine)
    client = TestClient(TestServer(make_web_app(app)))
    await client.start_server()
    world = TeamsWorld(secure, engine, at("2026-12-03 13:00"))
    world.connector = connector
    return app, client, world


@pytest.fixture
async def secured(settings, engine, sdk, authority):
    connector = await MockConnector().start()
    keys = await ChannelKeys().start()
    app, client, world = await serve_with(settings, engine, sdk, keys, connector, authority)
    assert app.platforms["teams"].sdk.name == sdk
    yield client, world, keys, app
    await client.close()
    await keys.stop()
    await connector.stop()


def signed(keys, world, **claims) -> dict:
    return {"Authorization": f"Bearer {keys.token(world.connector.url, APP_ID, **claims)}"}


def stored(engine, user: User):
    with Session(engine) as s:
        return s.exec(select(Person).where(Person.platform_user_id == user.id)).first()


def install(world):
    return world.activity(ANN, kind="installationUpdate", action="add")


async def test_request_without_a_token_is_refused_when_an_app_id_is_set(secured, engine):
    client, world, keys, app = secured
    response = await client.post("/api/messages", json=install(world))
    assert response.status == 401
    await app.platforms["teams"].idle()
    assert stored(engine, ANN) is None and world.connector.calls == []


async def test_a_correctly_signed_token_is_accepted(secured, engine):
    client, world, keys, app = secured
    response = await client.post("/api/messages", json=install(world), headers=signed(keys, world))
    assert response.status in (200, 201)
    await app.platforms["teams"].idle()
    assert stored(engine, ANN).address["tenant_id"] == TENANT  # channelData.tenant.id, read by us


async def test_replies_carry_the_token_the_authority_issued(secured, authority):
    client, world, keys, app = secured
    added = world.activity(ANN, kind="conversationUpdate", membersAdded=[{"id": BOT["id"]}])
    for activity in (added, world.activity(ANN, text="help")):
        response = await client.post("/api/messages", json=activity, headers=signed(keys, world))
        assert response.status == 201
        await app.platforms["teams"].idle()
    replies = world.inbox(ANN)
    assert len(replies) == 2 and all("commands" in r.text for r in replies)
    assert {r.headers["Authorization"] for r in replies} == {f"Bearer {authority.issued[0]}"}
    [asked] = authority.requests  # one token, kept for the next reply
    assert asked.tenant == "botframework.com"
    assert asked.form["grant_type"] == "client_credentials" and asked.form["client_id"] == APP_ID
    assert asked.form["scope"].split() == [SCOPE]


async def test_concurrent_sends_wait_for_one_token_request(secured, authority):
    client, world, keys, app = secured
    sdk = app.platforms["teams"].sdk
    tokens = await asyncio.gather(*(sdk.bearer(world.connector.url) for _ in range(50)))
    assert set(tokens) == {authority.issued[0]} and len(authority.requests) == 1


async def test_a_single_tenant_bot_asks_its_own_tenant(settings, engine, sdk, authority):
    connector, keys = await MockConnector().start(), await ChannelKeys().start()
    app, client, world = await serve_with(settings, engine, sdk, keys, connector, authority,
                                          MICROSOFT_AUTHORITY=authority.base, MICROSOFT_APP_TYPE="SingleTenant",
                                          MICROSOFT_APP_TENANT_ID=TENANT)
    try:
        added = world.activity(ANN, kind="conversationUpdate", membersAdded=[{"id": BOT["id"]}])
        assert (await client.post("/api/messages", json=added, headers=signed(keys, world))).status == 201
        await app.platforms["teams"].idle()
    finally:
        await client.close()
        await keys.stop()
        await connector.stop()
    assert [r.tenant for r in authority.requests] == [TENANT]  # the host given, the app's tenant added
    assert world.inbox(ANN)[0].headers["Authorization"] == f"Bearer {authority.issued[0]}"


async def test_when_the_authority_refuses_nothing_is_sent_and_the_request_is_still_answered(secured, authority,
                                                                                             caplog):
    client, world, keys, app = secured
    authority.refuse = True
    added = world.activity(ANN, kind="conversationUpdate", membersAdded=[{"id": BOT["id"]}])
    with caplog.at_level(logging.WARNING):
        response = await client.post("/api/messages", json=added, headers=signed(keys, world))
        await app.platforms["teams"].idle()
    assert response.status == 201
    assert world.connector.calls == [] and authority.requests
    assert SECRET not in caplog.text


BAD_TOKENS = {
    "forged": lambda keys, url: keys.token(url, APP_ID, key=new_key()),  # right key id, wrong signature
    "other bot": lambda keys, url: keys.token(url, str(uuid.uuid4())),
    "other issuer": lambda keys, url: keys.token(url, APP_ID, iss="https://evil.example.com"),
    "other cloud": lambda keys, url: keys.token(url, APP_ID, iss="https://api.botframework.us"),
    "other service": lambda keys, url: keys.token("https://evil.example.com/", APP_ID),
    "no service": lambda keys, url: keys.token(url, APP_ID, serviceurl=None),
    "expired": lambda keys, url: keys.token(url, APP_ID, exp=int(time.time()) - 3600, nbf=int(time.time()) - 7200),
    "unsigned": lambda keys, url: jwt.encode({"iss": "https://api.botframework.com", "aud": APP_ID,
                                              "serviceurl": url}, None, algorithm="none"),
    "garbage": lambda keys, url: "not.a.jwt",
}


@pytest.mark.parametrize("case", list(BAD_TOKENS))
async def test_bad_tokens_are_refused(secured, engine, case):
    client, world, keys, app = secured
    token = BAD_TOKENS[case](keys, world.connector.url)
    response = await client.post("/api/messages", json=install(world), headers={"Authorization": f"Bearer {token}"})
    assert response.status == 401
    await app.platforms["teams"].idle()
    assert stored(engine, ANN) is None


@pytest.mark.parametrize("header", ["", "Basic abc", "Bearer", "bearer a b"])
async def test_requests_without_a_bearer_token_are_refused(secured, header):
    client, world, keys, app = secured
    response = await client.post("/api/messages", json=install(world), headers={"Authorization": header})
    assert response.status == 401


async def test_a_key_endorsed_for_other_channels_is_refused(secured, engine):
    client, world, keys, app = secured
    keys.endorsements = ["webchat"]
    response = await client.post("/api/messages", json=install(world), headers=signed(keys, world))
    assert response.status == 401
    assert stored(engine, ANN) is None


def test_teams_refuses_to_start_without_an_app_id_or_teams_enabled(settings, engine):
    with pytest.raises(ConfigError, match="MICROSOFT_APP_ID"):
        build(with_env(settings, TEAMS_ENABLED="", MICROSOFT_APP_ID=""), platform_names=["teams"], engine=engine)


def test_single_tenant_needs_its_tenant(settings, engine):
    single = with_env(settings, MICROSOFT_APP_ID=APP_ID, MICROSOFT_APP_PASSWORD="pw", MICROSOFT_APP_TYPE="SingleTenant")
    with pytest.raises(ConfigError, match="MICROSOFT_APP_TENANT_ID"):
        build(single, platform_names=["teams"], engine=engine)
    app = build(with_env(single, MICROSOFT_APP_TENANT_ID=TENANT), platform_names=["teams"], engine=engine)
    assert "teams" in app.platforms


def test_teams_sdk_and_the_authority_are_checked(settings, engine):
    from bot.platforms.teams.settings import read

    assert read(Env({})).sdk == "agents" and read(Env({"TEAMS_SDK": "BotBuilder"})).sdk == "botbuilder"
    with pytest.raises(ConfigError, match="TEAMS_SDK"):
        read(Env({"TEAMS_SDK": "bf4"}))
    with pytest.raises(ConfigError, match="MICROSOFT_AUTHORITY"):
        read(Env({"MICROSOFT_AUTHORITY": "http://login.example.org/tenant"}))  # MSAL takes HTTPS only
    assert read(Env({"MICROSOFT_AUTHORITY": "https://login.microsoftonline.us/t/"})).authority == \
        "https://login.microsoftonline.us/t"


def test_national_cloud_endpoints():
    from bot.platforms.teams.tokens import endpoints
    from bot.platforms.teams.settings import read

    public = endpoints(read(Env({"MICROSOFT_APP_ID": APP_ID})))
    assert public.authority == "https://login.microsoftonline.com/botframework.com" and not public.custom
    assert public.scope == SCOPE and public.cloud.issuer == "https://api.botframework.com"
    gov = endpoints(read(Env({"MICROSOFT_APP_ID": APP_ID, "MICROSOFT_APP_TYPE": "SingleTenant",
                              "MICROSOFT_APP_TENANT_ID": TENANT,
                              "MICROSOFT_AUTHORITY": "https://login.microsoftonline.us"})))
    assert gov.authority == f"https://login.microsoftonline.us/{TENANT}"
    assert gov.scope == "https://api.botframework.us/.default" and gov.cloud.issuer == "https://api.botframework.us"
    assert gov.openid_metadata_url == "https://login.botframework.azure.us/v1/.well-known/openidconfiguration"


def test_teams_is_configured_by_an_app_id_or_teams_enabled():
    from bot.platforms import enabled

    assert enabled(Env({"MICROSOFT_APP_ID": APP_ID})) == ["teams"]
    assert enabled(Env({"TEAMS_ENABLED": "true"})) == ["teams"]
    assert enabled(Env({})) == []


async def test_serving_without_an_app_id_warns_loudly_and_checks_nothing(settings, engine, sdk, caplog):
    connector = await MockConnector().start()
    app = build(with_env(settings, TEAMS_ENABLED="true", TEAMS_SDK=sdk), platform_names=["teams"], engine=engine)
    world = TeamsWorld(settings, engine, at("2026-12-03 13:00"))
    world.connector = connector
    try:
        with caplog.at_level(logging.WARNING, logger="kipina.teams"):
            async with TestClient(TestServer(make_web_app(app))) as client:
                added = world.activity(ANN, kind="conversationUpdate", membersAdded=[{"id": BOT["id"]}])
                response = await client.post("/api/messages", json=added, headers={"Authorization": "Bearer x.y.z"})
                await app.platforms["teams"].idle()
    finally:
        await connector.stop()
    assert any("UNAUTHENTICATED" in r.getMessage() for r in caplog.records)
    assert response.status == 201
    assert "Authorization" not in world.inbox(ANN)[0].headers  # and no token asked for


async def test_tokens_and_secrets_stay_out_of_the_logs(secured, engine, caplog):
    client, world, keys, app = secured
    token = keys.token("https://evil.example.com/", APP_ID)
    with caplog.at_level(logging.DEBUG):
        await client.post("/api/messages", json=install(world), headers={"Authorization": f"Bearer {token}"})
        await app.platforms["teams"].idle()
    assert "rejected" in caplog.text
    assert token not in caplog.text and token.split(".")[1] not in caplog.text
    assert "not-a-real-secret" not in caplog.text


# -- the signing keys: fetched with time-outs, cached, never on the core's threads ---------------


async def test_a_hung_key_endpoint_gives_503_quickly_and_stalls_no_core_work(settings, engine, sdk, authority):
    # The core's pool as `serve` sizes it: a check run there would let a hung fetch take it all.
    asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(max_workers=8))
    connector, keys = await MockConnector().start(), await HungChannelKeys().start()
    app, client, world = await serve_with(settings, engine, sdk, keys, connector, authority)
    header = {"Authorization": f"Bearer {keys.token(connector.url, APP_ID)}"}
    try:
        started = time.perf_counter()
        posts = [asyncio.ensure_future(client.post("/api/messages", json=install(world), headers=header))
                 for _ in range(12)]
        await asyncio.sleep(0.2)  # every check is waiting for the keys now
        core_started = time.perf_counter()
        for _ in range(5):  # what a Slack command or a console line asks of the core meanwhile
            await asyncio.wait_for(asyncio.to_thread(app.core.command, CommandRequest(
                Actor("slack", "T1", "UMIA", "Mia"), "help"), app.clock.now()), 3)
        core_took = time.perf_counter() - core_started
        statuses = [r.status for r in await asyncio.wait_for(asyncio.gather(*posts), CHECK_TIMEOUT + 5)]
        took = time.perf_counter() - started
    finally:
        keys.release.set()
        await client.close()
        await keys.stop()
        await connector.stop()
    assert statuses == [503] * 12
    assert took < CHECK_TIMEOUT + 1, took  # FETCH_TIMEOUT (3 s) for the first, the rest at once
    assert core_took < 1.0, core_took
    assert keys.fetched["metadata"] == 1  # one fetch tried; the others waited for it, then 503
    assert stored(engine, ANN) is None


async def test_signing_keys_are_fetched_once_and_kept(settings, engine, sdk, authority):
    connector, keys = await MockConnector().start(), await ChannelKeys().start()
    app, client, world = await serve_with(settings, engine, sdk, keys, connector, authority)
    try:
        for _ in range(3):
            response = await client.post("/api/messages", json=install(world), headers=signed(keys, world))
            assert response.status in (200, 201)
        # a key we don't know: refused, and not fetched again within minutes of the last fetch
        stranger = keys.token(connector.url, APP_ID, kid="not-published")
        response = await client.post("/api/messages", json=install(world),
                                     headers={"Authorization": f"Bearer {stranger}"})
        assert response.status == 401
        assert keys.fetched == {"metadata": 1, "keys": 1}

        # a day later the endpoint is down: the keys we have still check tokens (and it is logged)
        cached = app.platforms["teams"].sdk.keys[keys.url]
        await keys.stop()
        cached.fetched_at -= FRESH + 1
        response = await client.post("/api/messages", json=install(world), headers=signed(keys, world))
        assert response.status in (200, 201)
    finally:
        await client.close()
        await connector.stop()
    await app.platforms["teams"].idle()
    assert stored(engine, ANN) is not None


def test_the_sdk_parts_set_by_hand_were_checked_against_the_installed_versions():
    """seam.py lists what of each SDK is set that the SDK does not offer publicly, for the versions
    in SDK_CHECKED; another version installed means looking at that list again."""
    import importlib.metadata

    from bot.platforms.teams.seam import SDK_CHECKED
    from microsoft_agents.hosting.core.authorization.jwt import JwtTokenValidator

    installed = [name for name in SDK_CHECKED if BOTBUILDER or not name.startswith("botbuilder")]
    assert "microsoft-agents-hosting-core" in installed
    assert {name: importlib.metadata.version(name) for name in installed} == {n: SDK_CHECKED[n] for n in installed}
    assert hasattr(JwtTokenValidator, "_jwk_client_manager")
