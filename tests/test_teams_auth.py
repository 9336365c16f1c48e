"""Who may post to /api/messages: Bot Framework JWTs whenever an app id is set.

A local OpenID endpoint publishes a signing key, so a correctly signed token can be shown to
pass and tokens that are unsigned, forged, for another bot or another service URL to fail.
"""
from __future__ import annotations

import asyncio
import logging
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import jwt
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from botframework.connector.auth import JwtTokenExtractor
from sqlmodel import Session, select

from bot.app import build
from bot.clock import ManualClock
from bot.platforms.teams.auth import CHECK_TIMEOUT, FRESH
from bot.ports import Actor, CommandRequest, ConfigError, Env
from bot.web import make_web_app
from fakes.teams_connector import MockConnector
from fakes.teams_world import TENANT, TeamsWorld, User
from harness import at, with_env
from storage.models import Person

APP_ID = "9a1f3c2e-5b7d-4e8a-9c0f-1d2e3f4a5b6c"
ISSUER = "https://api.botframework.com"
ANN = User("Ann")


class SigningKeys:
    """The channel's OpenID metadata and JWKS, served locally."""

    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = uuid.uuid4().hex
        self.url = ""
        self.fetched = {"metadata": 0, "keys": 0}

    async def start(self):
        app = web.Application()
        app.router.add_get("/v1/.well-known/openidconfiguration", self._metadata)
        app.router.add_get("/v1/.well-known/keys", self._keys)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.base = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"
        self.url = f"{self.base}/v1/.well-known/openidconfiguration"
        return self

    async def _metadata(self, request):
        self.fetched["metadata"] += 1
        return web.json_response({"issuer": ISSUER, "jwks_uri": f"{self.base}/v1/.well-known/keys",
                                  "id_token_signing_alg_values_supported": ["RS256"]})

    async def _keys(self, request):
        self.fetched["keys"] += 1
        jwk = RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return web.json_response({"keys": [{**jwk, "kid": self.kid, "use": "sig"}]})

    def token(self, service_url: str, audience: str = APP_ID, key=None, **claims) -> str:
        now = int(time.time())
        payload = {"iss": ISSUER, "aud": audience, "serviceurl": service_url, "nbf": now - 10, "exp": now + 3600,
                   **claims}
        return jwt.encode(payload, key or self.key, algorithm="RS256", headers={"kid": self.kid})


@pytest.fixture
async def secured(settings, engine):
    connector = await MockConnector().start()
    keys = await SigningKeys().start()
    secure = with_env(settings, MICROSOFT_APP_ID=APP_ID, MICROSOFT_APP_PASSWORD="not-a-real-secret",
                      TEAMS_ENABLED="", MICROSOFT_OPENID_METADATA_URL=keys.url)
    app = build(secure, clock=ManualClock(at("2026-12-03 13:00")), platform_names=["teams"], engine=engine)
    client = TestClient(TestServer(make_web_app(app)))
    await client.start_server()
    world = TeamsWorld(secure, engine, at("2026-12-03 13:00"))
    world.connector = connector
    yield client, world, keys, app
    await client.close()
    await keys.runner.cleanup()
    await connector.stop()


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
    token = keys.token(world.connector.url)
    response = await client.post("/api/messages", json=install(world), headers={"Authorization": f"Bearer {token}"})
    assert response.status in (200, 201)
    await app.platforms["teams"].idle()
    assert stored(engine, ANN).address["tenant_id"] == TENANT


@pytest.mark.parametrize("case", ["forged", "other bot", "other service", "expired", "garbage"])
async def test_bad_tokens_are_refused(secured, engine, case):
    client, world, keys, app = secured
    url = world.connector.url
    token = {
        "forged": lambda: keys.token(url, key=rsa.generate_private_key(public_exponent=65537, key_size=2048)),
        "other bot": lambda: keys.token(url, audience=str(uuid.uuid4())),
        "other service": lambda: keys.token("https://evil.example.com/"),
        "expired": lambda: keys.token(url, exp=int(time.time()) - 3600, nbf=int(time.time()) - 7200),
        "garbage": lambda: "not.a.jwt",
    }[case]()
    response = await client.post("/api/messages", json=install(world), headers={"Authorization": f"Bearer {token}"})
    assert response.status == 401
    await app.platforms["teams"].idle()
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


def test_teams_is_configured_by_an_app_id_or_teams_enabled():
    from bot.platforms import enabled

    assert enabled(Env({"MICROSOFT_APP_ID": APP_ID})) == ["teams"]
    assert enabled(Env({"TEAMS_ENABLED": "true"})) == ["teams"]
    assert enabled(Env({})) == []


async def test_serving_without_an_app_id_warns_loudly(settings, engine, caplog):
    app = build(with_env(settings, TEAMS_ENABLED="true"), platform_names=["teams"], engine=engine)
    with caplog.at_level(logging.WARNING, logger="kipina.teams"):
        async with TestClient(TestServer(make_web_app(app))):
            pass
    assert any("UNAUTHENTICATED" in r.getMessage() for r in caplog.records)


async def test_tokens_and_secrets_stay_out_of_the_logs(secured, engine, caplog):
    client, world, keys, app = secured
    token = keys.token("https://evil.example.com/")
    with caplog.at_level(logging.DEBUG):
        await client.post("/api/messages", json=install(world), headers={"Authorization": f"Bearer {token}"})
        await app.platforms["teams"].idle()
    assert "rejected" in caplog.text
    assert token not in caplog.text and token.split(".")[1] not in caplog.text
    assert "not-a-real-secret" not in caplog.text


# -- the signing keys: fetched with time-outs, cached, never on the core's threads ---------------


class HungKeys(SigningKeys):
    """An issuer whose OpenID endpoint accepts the connection and never answers."""

    def __init__(self):
        super().__init__()
        self.release = asyncio.Event()

    async def _metadata(self, request):
        self.fetched["metadata"] += 1
        await self.release.wait()
        return web.json_response({})


async def serve_with(settings, engine, keys, connector):
    secure = with_env(settings, MICROSOFT_APP_ID=APP_ID, MICROSOFT_APP_PASSWORD="not-a-real-secret",
                      TEAMS_ENABLED="", MICROSOFT_OPENID_METADATA_URL=keys.url)
    app = build(secure, clock=ManualClock(at("2026-12-03 13:00")), platform_names=["teams"], engine=engine)
    client = TestClient(TestServer(make_web_app(app)))
    await client.start_server()
    world = TeamsWorld(secure, engine, at("2026-12-03 13:00"))
    world.connector = connector
    return app, client, world


async def test_a_hung_key_endpoint_gives_503_quickly_and_stalls_no_core_work(settings, engine):
    # The core's pool as `serve` sizes it: the old check ran there and a hung fetch took it all.
    asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(max_workers=8))
    connector, keys = await MockConnector().start(), await HungKeys().start()
    app, client, world = await serve_with(settings, engine, keys, connector)
    header = {"Authorization": f"Bearer {keys.token(connector.url)}"}
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
        await keys.runner.cleanup()
        await connector.stop()
    assert statuses == [503] * 12
    assert took < CHECK_TIMEOUT + 1, took  # FETCH_TIMEOUT (3 s) for the first, the rest at once
    assert core_took < 1.0, core_took
    assert keys.fetched["metadata"] == 1  # one fetch tried; the others waited for it, then 503
    assert stored(engine, ANN) is None


async def test_signing_keys_are_fetched_once_and_kept(settings, engine):
    connector, keys = await MockConnector().start(), await SigningKeys().start()
    app, client, world = await serve_with(settings, engine, keys, connector)
    try:
        for _ in range(3):
            token = keys.token(connector.url)
            response = await client.post("/api/messages", json=install(world), headers={"Authorization": f"Bearer {token}"})
            assert response.status in (200, 201)
        # a key we don't know: refused, and not fetched again within minutes of the last fetch
        stranger = jwt.encode({"iss": ISSUER, "aud": APP_ID, "serviceurl": connector.url, "exp": int(time.time()) + 60},
                              keys.key, algorithm="RS256", headers={"kid": "not-published"})
        response = await client.post("/api/messages", json=install(world), headers={"Authorization": f"Bearer {stranger}"})
        assert response.status == 401
        assert keys.fetched == {"metadata": 1, "keys": 1}

        # a day later the endpoint is down: the keys we have still check tokens (and it is logged)
        cached = JwtTokenExtractor.metadataCache[keys.url]
        await keys.runner.cleanup()
        cached.fetched_at -= FRESH + 1
        token = keys.token(connector.url)
        response = await client.post("/api/messages", json=install(world), headers={"Authorization": f"Bearer {token}"})
        assert response.status in (200, 201)
    finally:
        await client.close()
        await connector.stop()
    await app.platforms["teams"].idle()
    assert stored(engine, ANN) is not None
