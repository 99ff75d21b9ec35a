"""docker-compose.yml runs the native cluster's processes (``scripts/topology.py``): the same
services, the same commands, only nginx published, no default secrets."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))
import topology  # noqa: E402

COMPOSE = REPO / "docker-compose.yml"
SECRETS = ("POSTGRES_PASSWORD", "UPLOAD_TOKEN_SECRET", "RASA_TOKEN")
ONE_SHOT = {"migrate"}


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    return dict(yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))["services"])


def _cluster() -> list[topology.Process]:
    return topology.cluster(REPO, {"RASA_TOKEN": "x"}, topology.ClusterPorts())


def test_every_native_process_is_a_service_with_the_same_command(
        services: dict[str, Any]) -> None:
    for process in _cluster():
        assert process.name in services, f"{process.name} is missing from docker-compose.yml"
        if process.role == "nginx":
            expected = topology.nginx_command(topology.COMPOSE_NGINX_CONF,
                                              topology.COMPOSE_NGINX_PREFIX)
        else:
            expected = topology.role_command(process.role, "python")
        assert services[process.name]["command"] == expected, process.name
    assert services["migrate"]["command"] == topology.role_command("migrate", "python")
    expected_names = {p.name for p in _cluster()} | ONE_SHOT | {"db", "redis"}
    assert set(services) == expected_names


def test_only_nginx_is_published(services: dict[str, Any]) -> None:
    published = sorted(name for name, service in services.items() if "ports" in service)
    assert published == ["nginx"]
    assert services["nginx"]["ports"] == ["${PUBLIC_PORT:-8000}:8000"]


def test_long_running_services_restart_and_migrations_run_first(
        services: dict[str, Any]) -> None:
    for name, service in services.items():
        expected = "no" if name in ONE_SHOT else "unless-stopped"
        assert service.get("restart") == expected, name
    for process in _cluster():
        if process.role in ("rasa", "actions", "worker"):
            depends = services[process.name]["depends_on"]
            assert depends["migrate"] == {"condition": "service_completed_successfully"}


def test_secrets_have_no_defaults() -> None:
    text = COMPOSE.read_text(encoding="utf-8")
    for secret in SECRETS:
        uses = re.findall(r"\$\{" + secret + r"([^}]*)\}", text)
        assert uses, f"{secret} is not used"
        assert all(use.startswith(":?") for use in uses), f"{secret} must be ${{{secret}:?…}}"
    for name, default in re.findall(r"\$\{(\w*(?:SECRET|TOKEN|PASSWORD)\w*):-([^}]*)\}", text):
        assert default == "", f"{name} has a default value"


def test_the_cluster_services_share_redis_and_postgres(services: dict[str, Any]) -> None:
    for name in ("rasa-1", "rasa-2"):
        env = services[name]["environment"]
        assert env["LOCK_STORE_URL"].startswith("redis://redis:")
        assert env["SOCKETIO_REDIS_URL"].startswith("redis://redis:")
        assert env["ACTIONS_HOST"] == "nginx"
    for name in ("worker-1", "worker-2"):
        env = services[name]["environment"]
        assert env["QUEUE_BACKEND"] == "rq" and env["RASA_URL"] == "http://nginx:5004"
        assert env["DATABASE_URL"].startswith("postgresql+psycopg2://")


def test_docker_compose_accepts_the_file(tmp_path: Path) -> None:
    docker = shutil.which("docker")
    if docker is None:
        pytest.skip("`docker compose config` is unavailable: no docker CLI on this machine "
                    "(the checks above parse the file with PyYAML instead)")
    probe = subprocess.run([docker, "compose", "version"], capture_output=True, text=True,
                           check=False)
    if probe.returncode != 0:
        pytest.skip("`docker compose config` is unavailable: the docker CLI has no compose "
                    "plugin here (the checks above parse the file with PyYAML instead)")
    env = {"POSTGRES_PASSWORD": "p" * 32, "UPLOAD_TOKEN_SECRET": "u" * 32,
           "RASA_TOKEN": "r" * 32, "PATH": "/usr/bin:/bin"}
    result = subprocess.run([docker, "compose", "-f", str(COMPOSE), "config", "--quiet"],
                            env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
