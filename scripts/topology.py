"""Which processes make up the assistant, and how each is started: the one source of truth.

Two native topologies, supervised by ``scripts/supervise.py``:

* ``single`` (``make run``): one action server, one worker, one Rasa, the demo site.
* ``cluster`` (``make cluster``): nginx as the only public entry (``PUBLIC_PORT``), two
  Rasa instances sharing a Redis lock store and a Redis socket.io manager, two action
  servers behind nginx's private action upstream, two RQ workers, PostgreSQL.

Every role's command is ``<python> scripts/launch.py role <role>`` (the ports and hosts
come from the environment), so ``docker-compose.yml`` runs literally the same commands
(``tests/unit/test_compose.py`` checks it against :func:`role_command`). Standard library
only.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
#: The Python roles and the virtualenv each runs in.
ROLE_VENV = {"migrate": "actions", "actions": "actions", "worker": "actions", "rasa": "rasa",
             "web": "actions", "export-site": "actions"}
#: In the containers: where the rendered nginx configuration and its prefix live.
COMPOSE_NGINX_CONF = "/etc/nginx/knee.conf"
COMPOSE_NGINX_PREFIX = "/var/lib/nginx/"
DEFAULT_CLUSTER_DATABASE = "postgresql+psycopg2://postgres@127.0.0.1:5432/knee_cluster"
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"


@dataclass(frozen=True)
class Process:
    """One process of a topology (``supervise.ProcessSpec`` without the resolved paths)."""

    name: str
    role: str
    env: Mapping[str, str]
    health_path: str = ""
    health_port: int = 0
    authenticated_health: bool = False

    def command(self, root: Path = REPO, var: Path | None = None) -> list[str]:
        """The native command: the role's command with the role's virtualenv's Python
        (nginx: its configuration and prefix under ``var``, default ``root/var``)."""
        if self.role == "nginx":
            prefix = (var or root / "var") / "nginx"
            return nginx_command(str(prefix / "nginx.conf"), f"{prefix}/")
        return role_command(self.role, str(root / ".venv" / ROLE_VENV[self.role] / "bin" /
                                           "python"))


def role_command(role: str, python: str = "python") -> list[str]:
    """The command of a Python role (``python`` is the interpreter: ``python`` in a
    container, the role's virtualenv natively)."""
    if role not in ROLE_VENV:
        raise ValueError(f"unknown role {role!r}")
    return [python, "scripts/launch.py", "role", role]


def nginx_command(conf: str, prefix: str) -> list[str]:
    """nginx in the foreground with our configuration and a writable prefix."""
    return ["nginx", "-p", prefix, "-c", conf, "-g", "daemon off;"]


@dataclass(frozen=True)
class ClusterPorts:
    """The cluster's ports: one public, the rest on loopback only."""

    public: int = 8000
    rasa: tuple[int, ...] = (5005, 5006)
    actions: tuple[int, ...] = (5056, 5057)
    actions_upstream: int = 5055   # nginx, private: what Rasa's endpoints call
    rasa_upstream: int = 5004      # nginx, private: what the workers call (HTTP API)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> ClusterPorts:
        """Ports from ``PUBLIC_PORT``, ``RASA_PORT`` and ``ACTIONS_PORT`` (consecutive)."""
        public = int(env.get("PUBLIC_PORT") or 8000)
        rasa = int(env.get("RASA_PORT") or 5005)
        actions = int(env.get("ACTIONS_PORT") or 5055)
        return cls(public=public, rasa=(rasa, rasa + 1), actions=(actions + 1, actions + 2),
                   actions_upstream=actions, rasa_upstream=rasa - 1)


def base_env(root: Path, environ: Mapping[str, str]) -> dict[str, str]:
    """What every process of both topologies gets (on top of ``environ``)."""
    env = dict(environ)
    env.update(RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="3",
               PYTHONPATH=os.pathsep.join(filter(None, [
                   str(root / "rasa_project"), str(root), environ.get("PYTHONPATH", "")])))
    env.setdefault("SANIC_HOST", "127.0.0.1")  # the action server stays private
    env.setdefault("MEDIA_DIR", str(root / "var" / "media"))
    return env


def single(root: Path, environ: Mapping[str, str]) -> list[Process]:
    """``make run``'s processes, in start order (``environ`` must hold ``RASA_TOKEN``)."""
    env = base_env(root, environ)
    env.setdefault("RASA_PORT", "5005")
    env.setdefault("ACTIONS_PORT", "5055")
    env.setdefault("WEB_PORT", "8080")
    env.setdefault("DATABASE_URL", f"sqlite:///{root / 'var' / 'app.db'}")
    env.setdefault("RASA_URL", f"http://127.0.0.1:{env['RASA_PORT']}")
    env.setdefault("BOT_URL", f"http://127.0.0.1:{env['RASA_PORT']}")
    return [
        Process("action-server", "actions", env, "/health", int(env["ACTIONS_PORT"])),
        Process("worker", "worker", env),
        Process("rasa-server", "rasa", env | {"RASA_HOST": "127.0.0.1"}, "/status",
                int(env["RASA_PORT"]), authenticated_health=True),
        Process("web", "web", env, "/widget.js", int(env["WEB_PORT"])),
    ]


def cluster_env(root: Path, environ: Mapping[str, str], ports: ClusterPorts) -> dict[str, str]:
    """The cluster's shared environment: PostgreSQL, Redis (queue, locks, socket.io)."""
    env = base_env(root, environ)
    env.setdefault("DATABASE_URL", DEFAULT_CLUSTER_DATABASE)
    env.setdefault("REDIS_URL", DEFAULT_REDIS)
    env.setdefault("LOCK_STORE_URL", env["REDIS_URL"])
    env.setdefault("SOCKETIO_REDIS_URL", env["REDIS_URL"])
    env["QUEUE_BACKEND"] = "rq"
    env["PUBLIC_PORT"] = str(ports.public)
    public = f"http://127.0.0.1:{ports.public}"
    env.setdefault("CORS_ORIGINS", f"{public},http://localhost:{ports.public}")
    env.setdefault("BOT_URL", public)
    env["RASA_URL"] = f"http://127.0.0.1:{ports.rasa_upstream}"
    env["ACTIONS_PORT"] = str(ports.actions_upstream)  # Rasa's endpoints.yml: the upstream
    return env


def cluster(root: Path, environ: Mapping[str, str], ports: ClusterPorts) -> list[Process]:
    """``make cluster``'s processes, in start order (``environ`` must hold ``RASA_TOKEN``)."""
    env = cluster_env(root, environ, ports)
    processes = [Process("nginx", "nginx", env, "/", ports.public)]
    processes += [Process(f"actions-{i}", "actions", env | {"ACTIONS_PORT": str(port)},
                          "/health", port) for i, port in enumerate(ports.actions, 1)]
    processes += [Process(f"rasa-{i}", "rasa", env | {"RASA_PORT": str(port),
                                                       "RASA_HOST": "127.0.0.1"},
                          "/status", port, authenticated_health=True)
                  for i, port in enumerate(ports.rasa, 1)]
    processes += [Process(f"worker-{i}", "worker", env) for i in (1, 2)]
    return processes
