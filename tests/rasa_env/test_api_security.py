"""Rasa's HTTP API is private and CORS is limited, with the options our launchers pass
(``kneeapp/rasa_api.py``'s ``rasa_security_args``) and the credentials our clients send
(``kneeapp/rasa_api.py``), on Rasa's own server code (``rasa.server.create_app``)."""

from __future__ import annotations

import pytest

pytest.importorskip("rasa", reason="needs the Rasa virtualenv (.venv/rasa)")

import requests
from connectors.rest_channel import RestWithHeldReplies
from rasa import server
from rasa.core.channels import channel
from sanic import Sanic

from kneeapp import rasa_api, settings
from kneeapp.rasa_api import rasa_security_args, rasa_security_options
from tests.rasa_env.sanic_server import serving

pytestmark = pytest.mark.rasa_env

SECRET = "jwt-secret-for-tests-" + "k" * 24
TOKEN = "token-for-tests-" + "t" * 24
#: What a probe of the open API did (issue 14): read, inject, take the bot down, SSRF.
PROBES = [
    ("GET", "/conversations/someone/tracker", None),
    ("POST", "/conversations/someone/tracker/events?output_channel=latest",
     {"event": "bot", "text": "click http://evil.example"}),
    ("POST", "/conversations/someone/trigger_intent", {"name": "greet"}),
    ("DELETE", "/model", None),
    ("PUT", "/model", {"model_server": {"url": "http://127.0.0.1:1/x"}}),
    ("GET", "/status", None),
    ("GET", "/domain", None),
]


def _app(env: dict[str, str]) -> Sanic:
    """Rasa's API app with the options the launchers pass for ``env``, and our REST channel."""
    app = server.create_app(**rasa_security_options(env))
    channel.register([RestWithHeldReplies()], app, route="/webhooks/")
    return app


@pytest.mark.parametrize("env", [{"RASA_TOKEN": TOKEN}, {"RASA_JWT_SECRET": SECRET}],
                         ids=["token", "jwt"])
def test_the_api_refuses_strangers_and_lets_our_clients_in(env: dict[str, str]) -> None:
    ours = rasa_api.auth(settings.current(env))
    assert ours.params or ours.headers
    with serving(_app(env)) as base:
        for method, path, body in PROBES:
            stranger = requests.request(method, base + path, json=body, timeout=10)
            assert stranger.status_code == 401, (method, path, stranger.status_code)
            forged = requests.request(method, base + path, json=body, timeout=10, headers={
                "Authorization": f"Bearer {rasa_api.admin_jwt('not-' + SECRET)}"})
            assert forged.status_code == 401, (method, path, forged.status_code)
            client = requests.request(method, base + path, json=body, timeout=10,
                                      params=ours.params, headers=ours.headers)
            # Past the authentication: Rasa now complains that no model is loaded.
            assert client.status_code not in (401, 403), (method, path, client.text)


def test_an_expired_jwt_is_refused() -> None:
    stale = rasa_api.admin_jwt(SECRET, now=1_000_000)
    with serving(_app({"RASA_JWT_SECRET": SECRET})) as base:
        answer = requests.get(f"{base}/conversations/x/tracker", timeout=10,
                              headers={"Authorization": f"Bearer {stale}"})
    assert answer.status_code == 401


def test_cors_allows_the_configured_sites_only() -> None:
    env = {"RASA_TOKEN": TOKEN, "CORS_ORIGINS": "https://clinic.example, https://www.clinic.example"}
    assert settings.current(env).cors_origin_list == ["https://clinic.example",
                                                      "https://www.clinic.example"]
    preflight = {"Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type"}
    with serving(_app(env)) as base:
        for path in ("/webhooks/rest/webhook", "/conversations/x/tracker", "/"):
            evil = requests.options(base + path, timeout=10,
                                    headers={"Origin": "https://evil.example", **preflight})
            assert "Access-Control-Allow-Origin" not in evil.headers, path
            good = requests.options(base + path, timeout=10,
                                    headers={"Origin": "https://clinic.example", **preflight})
            assert good.headers.get("Access-Control-Allow-Origin") == "https://clinic.example"


def test_the_default_origins_are_the_demo_site() -> None:
    assert settings.current({"WEB_PORT": "9090"}).cors_origin_list == [
        "http://127.0.0.1:9090", "http://localhost:9090"]
    assert "*" not in rasa_security_args({})
