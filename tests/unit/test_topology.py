"""The native topologies (``scripts/topology.py``), the launcher's pieces that need no server
(``scripts/launch.py``) and nginx's rendered configuration (``scripts/nginx_conf.py``)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))
import launch  # noqa: E402
import nginx_conf  # noqa: E402
import topology  # noqa: E402

ENV = {"RASA_TOKEN": "ab" * 32, "PATH": "/usr/bin"}


def test_make_run_starts_one_of_each_with_the_rasa_api_locked() -> None:
    processes = topology.single(REPO, ENV)
    assert [(p.name, p.role) for p in processes] == [
        ("action-server", "actions"), ("worker", "worker"), ("rasa-server", "rasa"),
        ("web", "web")]
    rasa = processes[2]
    assert rasa.authenticated_health and rasa.health_port == 5005
    assert rasa.command(REPO) == [str(REPO / ".venv/rasa/bin/python"), "scripts/launch.py",
                                  "role", "rasa"]
    endpoints = REPO / "rasa_project" / "endpoints.yml"
    command = launch.rasa_command(rasa.env, endpoints)
    assert command[command.index("--auth-token") + 1] == ENV["RASA_TOKEN"]
    assert "*" not in command[command.index("--cors") + 1:command.index("--auth-token")]


def test_rasa_refuses_to_start_with_an_open_api() -> None:
    with pytest.raises(SystemExit, match="RASA_TOKEN or RASA_JWT_SECRET"):
        launch.rasa_command({}, Path("endpoints.yml"))


def test_a_generated_token_is_hex_and_an_operators_token_is_kept() -> None:
    token = launch.with_token({})["RASA_TOKEN"]
    assert re.fullmatch(r"[0-9a-f]{64}", token)
    assert launch.with_token({"RASA_TOKEN": "mine"})["RASA_TOKEN"] == "mine"
    assert "RASA_TOKEN" not in launch.with_token({"RASA_JWT_SECRET": "s" * 32})


def test_the_cluster_runs_two_of_each_behind_nginx_on_shared_redis_and_postgres() -> None:
    ports = topology.ClusterPorts.from_env({"PUBLIC_PORT": "9000", "RASA_PORT": "7005",
                                            "ACTIONS_PORT": "7055"})
    processes = topology.cluster(REPO, ENV, ports)
    roles = [p.role for p in processes]
    assert roles.count("rasa") == roles.count("actions") == roles.count("worker") == 2
    assert roles[0] == "nginx" and roles.count("nginx") == 1
    rasa = [p for p in processes if p.role == "rasa"]
    assert [p.env["RASA_PORT"] for p in rasa] == ["7005", "7006"]
    for process in processes:
        env = process.env
        assert env["QUEUE_BACKEND"] == "rq"
        assert env["DATABASE_URL"].startswith("postgresql+psycopg2://")
        assert env["LOCK_STORE_URL"] and env["SOCKETIO_REDIS_URL"]
        assert env["RASA_URL"] == "http://127.0.0.1:7004"
    assert all(p.env["ACTIONS_PORT"] == "7055" for p in rasa), "Rasa calls nginx's upstream"
    assert {p.env["ACTIONS_PORT"] for p in processes if p.role == "actions"} == {"7056",
                                                                                 "7057"}
    assert len({ports.public, *ports.rasa, *ports.actions, ports.actions_upstream,
                ports.rasa_upstream}) == 7


def test_with_a_lock_store_rasa_gets_the_redis_lock_store(tmp_path: Path) -> None:
    base = REPO / "rasa_project" / "endpoints.yml"
    assert launch.rasa_endpoints({}, base, tmp_path) == base
    written = launch.rasa_endpoints({"LOCK_STORE_URL": "redis://127.0.0.1:6379/1",
                                     "ACTIONS_HOST": "nginx"}, base, tmp_path)
    text = written.read_text()
    assert "type: connectors.lock_store.RedisUrlLockStore" in text
    assert "url: http://nginx:${ACTIONS_PORT}/webhook" in text


def _native_conf(tmp_path: Path, env: dict[str, str] | None = None) -> str:
    values = nginx_conf.native_values(tmp_path, tmp_path / "www", env or {}, 8000,
                                      (5005, 5006), (5056, 5057), 5055, 5004)
    return nginx_conf.render(values)


def test_nginx_proxies_only_the_public_routes(tmp_path: Path) -> None:
    conf = _native_conf(tmp_path)
    assert "{{" not in conf
    public = conf[conf.index("listen 127.0.0.1:8000;"):conf.index("# private listeners")]
    assert "rasa_internal" not in public and "action_servers" not in public
    proxied = re.findall(r"location ([^{]+)\{[^}]*proxy_pass http://(rasa_\w+)", public)
    assert sorted((p.strip(), u) for p, u in proxied) == [
        ("/socket.io/", "rasa_sticky"), ("/webhooks/", "rasa_public"),
        ("= /webhooks/video/upload", "rasa_public")]
    assert re.search(r"upstream rasa_sticky \{\s*ip_hash;", conf), "socket.io needs stickiness"
    assert "listen 127.0.0.1:8000;" in conf
    assert "listen 127.0.0.1:5055;" in conf and "listen 127.0.0.1:5004;" in conf
    assert str(tmp_path) in conf and "/var/log" not in conf and "/run/" not in conf


def test_nginx_limits_follow_the_app_settings(tmp_path: Path) -> None:
    conf = _native_conf(tmp_path, {"UPLOAD_MAX_BYTES": "1000000", "MESSAGE_MAX_CHARS": "100",
                                   "PUBLIC_CHAT_RATE": "3"})
    upload = re.search(r"location = /webhooks/video/upload \{[^}]*\}", conf)
    assert upload is not None
    assert f"client_max_body_size {1000000 + nginx_conf.UPLOAD_ENVELOPE_BYTES};" in upload[0]
    assert "limit_req zone=upload" in upload[0]
    assert f"client_max_body_size {100 * 6 + nginx_conf.ENVELOPE_BYTES};" in conf
    assert "zone=chat:10m rate=3r/s" in conf and "limit_req_status 429;" in conf


def test_the_compose_nginx_configuration_is_rendered_from_the_template() -> None:
    committed = nginx_conf.COMPOSE_CONF.read_text(encoding="utf-8")
    assert committed == nginx_conf.render(nginx_conf.compose_values()), (
        "run: python scripts/nginx_conf.py --compose > deploy/nginx.compose.conf")


def test_make_run_prints_the_same_addresses_as_before() -> None:
    banner = launch.RUN_BANNER.format(web=8080, rasa=5005)
    for line in (
        "    Demo site with the chat widget: http://127.0.0.1:8080/",
        "    Video upload:      POST http://127.0.0.1:5005/webhooks/video/upload (token from "
        "the bot)",
        '    REST channel:      POST http://127.0.0.1:5005/webhooks/rest/webhook  {"sender": '
        '"<random id>", "message": "hi"}',
        "    socket.io channel: http://127.0.0.1:5005/socket.io",
        "    HTTP API:          http://127.0.0.1:5005/ (status: /status)",
    ):
        assert line in banner.splitlines()


def test_an_instance_can_be_marked_down_in_the_upstreams() -> None:
    lines = nginx_conf.servers(["127.0.0.1:1", "127.0.0.1:2"], down={"127.0.0.1:2"})
    assert lines.splitlines() == [
        "        server 127.0.0.1:1 max_fails=1 fail_timeout=5s;",
        "        server 127.0.0.1:2 max_fails=1 fail_timeout=5s down;"]


def test_a_chat_message_in_flight_on_a_dead_rasa_is_sent_once_more_to_the_other(
        tmp_path: Path) -> None:
    for conf in (_native_conf(tmp_path), nginx_conf.render(nginx_conf.compose_values())):
        public = conf[conf.index("listen "):conf.index("# private listeners")]
        chat = re.search(r"location /webhooks/ \{[^}]*\}", public)
        assert chat is not None
        retry = re.search(r"proxy_next_upstream ([^;]*);", chat[0])
        assert retry is not None and {"error", "http_502", "non_idempotent"} <= set(
            retry[1].split()), "a POST whose instance died is passed on"
        assert "proxy_next_upstream_tries 2;" in chat[0], "once more, not around the ring"
        within = re.search(r"proxy_next_upstream_timeout (\d+)s;", chat[0])
        read = re.search(r"proxy_read_timeout (\d+)s;", public)
        assert within is not None and read is not None
        assert int(within[1]) < int(read[1]), "a turn that is only slow is never sent twice"
        connect = re.search(r"proxy_connect_timeout (\d+)s;", public)
        assert connect is not None and int(connect[1]) <= 5
        # uploads are streamed (no copy of the body to resend) and start analyses: no retry
        upload = re.search(r"location = /webhooks/video/upload \{[^}]*\}", public)
        assert upload is not None and "non_idempotent" not in upload[0]
        assert public.count("non_idempotent") == 1


def test_nginx_logs_where_each_request_went_and_how_long_it_waited(tmp_path: Path) -> None:
    conf = _native_conf(tmp_path)
    log_format = re.search(r"log_format knee ((?:'[^']*'\s*)+);", conf)
    assert log_format is not None
    fields = "".join(re.findall(r"'([^']*)'", log_format[1])).split()
    assert {"$upstream_status", "$upstream_response_time", "$request_time"} <= set(fields)
    assert fields[-1] == "$upstream_addr", "tests/e2e/cluster_stack.py reads the address last"
    assert "$request_uri" not in fields and "$args" not in fields
