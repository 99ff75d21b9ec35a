"""Starts the assistant: ``make run`` (one of each) and ``make cluster`` (scaled), or one role.

    python scripts/launch.py run [--shell]    # make run / make shell
    python scripts/launch.py cluster          # make cluster: nginx on PUBLIC_PORT (8000)
    python scripts/launch.py role ROLE        # one process, as topology.py and compose run it

The stacks are supervised (``scripts/supervise.py``): logs in ``var/log/``, pid files in
``var/run/``, a crashed process is restarted, Ctrl-C or SIGTERM stops everything. Rasa is
always started with its HTTP API locked (``kneeapp.rasa_api.rasa_security_args``): when
neither ``RASA_TOKEN`` nor ``RASA_JWT_SECRET`` is set a random hex ``RASA_TOKEN`` is made
and given to every process, so the worker's ``trigger_intent`` gets in.

Runs in either virtualenv: standard library plus ``kneeapp``'s stdlib modules (the
``migrate`` role imports the database code, in the actions environment only).
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parent
REPO = SCRIPTS.parent
for _path in (str(REPO), str(SCRIPTS)):
    if _path not in sys.path:
        sys.path.insert(0, _path)

import nginx_conf  # noqa: E402
import supervise  # noqa: E402
import topology  # noqa: E402

from kneeapp import rasa_api, settings  # noqa: E402

RASA_HEALTH_TIMEOUT_S = 600.0


# --- one role --------------------------------------------------------------------------

def _exec(command: Sequence[str], cwd: Path = REPO) -> None:
    os.chdir(cwd)
    os.execv(command[0], list(command))


def rasa_endpoints(env: Mapping[str, str], base: Path, out_dir: Path) -> Path:
    """Rasa's endpoints file for this environment: ``base`` as is, plus the Redis lock
    store when ``LOCK_STORE_URL`` is set and the action server's host from ``ACTIONS_HOST``
    (compose: the nginx service; natively 127.0.0.1)."""
    text = base.read_text(encoding="utf-8")
    host = env.get("ACTIONS_HOST", "")
    if not host and not env.get("LOCK_STORE_URL"):
        return base
    if host:
        text = text.replace("http://127.0.0.1:${ACTIONS_PORT}", f"http://{host}:${{ACTIONS_PORT}}")
    if env.get("LOCK_STORE_URL"):
        text += "\n# several Rasa instances: LOCK_STORE_URL (scripts/launch.py)\n"
        text += "lock_store:\n  type: connectors.lock_store.RedisUrlLockStore\n"
    out = out_dir / "endpoints.yml"
    out.write_text(text, encoding="utf-8")
    return out


def rasa_command(env: Mapping[str, str], endpoints: Path) -> list[str]:
    """``rasa run`` with the HTTP API locked (refuses to run without a token or JWT secret)."""
    options = rasa_api.rasa_security_options(env)
    if not (options["auth_token"] or options["jwt_secret"]):
        raise SystemExit("RASA_TOKEN or RASA_JWT_SECRET must be set: Rasa's HTTP API is never "
                         "left open (scripts/launch.py run/cluster make a token)")
    rasa = str(Path(sys.executable).with_name("rasa"))
    return [rasa, "run", "--enable-api", "-i", env.get("RASA_HOST", "127.0.0.1"),
            "-p", env.get("RASA_PORT", "5005"), *rasa_api.rasa_security_args(env),
            "--credentials", "credentials.yml", "--endpoints", str(endpoints),
            "-m", env.get("RASA_MODEL", "models/current.tar.gz")]


def create_database(url: str) -> None:
    """Creates a PostgreSQL database named by ``url`` if it does not exist yet."""
    if not url.startswith("postgresql"):
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                    {"name": target.database}).first()
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


def export_site(out: Path, env: Mapping[str, str]) -> None:
    """Writes the demo site and the widget bundle into ``out`` for nginx to serve, with the
    pages filled in as ``web/serve.py`` does (the bot behind the same public address)."""
    sys.path.insert(0, str(REPO / "web"))
    import build  # web/build.py

    build.build()
    public = env.get("BOT_URL", "").rstrip("/")
    values = {"BOT_URL": public, "WIDGET_URL": f"{public}/widget.js",
              "CLINIC_NAME": env.get("CLINIC_NAME") or "Riverside Physio"}
    out.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(build.OUT, out / "widget.js")
    for page in (REPO / "web" / "demo").iterdir():
        if page.suffix == ".html":
            text = page.read_text(encoding="utf-8")
            for key, value in values.items():
                text = text.replace("{{" + key + "}}", _html_escape(value))
            (out / page.name).write_text(text, encoding="utf-8")
        elif page.is_file():
            shutil.copyfile(page, out / page.name)


def _html_escape(value: str) -> str:
    import html

    return html.escape(value, quote=True)


def run_role(role: str, args: Sequence[str]) -> None:
    """Becomes the process of ``role`` (exec), or does a one-shot role's work."""
    env = dict(os.environ)
    python = sys.executable
    if role == "migrate":
        create_database(settings.current(env).database_url)
        from kneeapp.store.db import init_db

        init_db()
    elif role == "actions":
        _exec([python, "-m", "rasa_sdk", "--actions", "actions",
               "-p", env.get("ACTIONS_PORT", "5055"), "--quiet"])
    elif role == "worker":
        _exec([python, "-m", "kneeapp.jobs.worker"])
    elif role == "web":
        _exec([python, "web/serve.py"])
    elif role == "rasa":
        project = REPO / "rasa_project"
        endpoints = rasa_endpoints(env, project / "endpoints.yml",
                                   Path(tempfile.mkdtemp(prefix="knee-rasa-")))
        _exec(rasa_command(env, endpoints), project)
    elif role == "export-site":
        export_site(Path(args[0]) if args else REPO / "var" / "www", env)
    else:
        raise SystemExit(f"unknown role {role!r}")


# --- whole stacks ---------------------------------------------------------------------

def with_token(environ: Mapping[str, str]) -> dict[str, str]:
    """``environ`` plus a fresh hex ``RASA_TOKEN`` when no way into Rasa's API is set (hex:
    a token starting with ``-`` would be read as an option by ``rasa run``)."""
    env = dict(environ)
    if not (env.get("RASA_TOKEN") or env.get("RASA_JWT_SECRET")):
        env["RASA_TOKEN"] = secrets.token_hex(32)
    return env


def spec_of(process: topology.Process, var: Path) -> supervise.ProcessSpec:
    """A topology process as the supervisor starts it."""
    command = process.command(REPO, var)
    if process.role == "nginx":
        command[0] = find_nginx()
    url, headers = "", {}
    if process.health_port:
        url = f"http://127.0.0.1:{process.health_port}{process.health_path}"
        if process.authenticated_health:
            credentials = rasa_api.auth(settings.current(process.env))
            if credentials.params:
                url += "?" + "&".join(f"{k}={v}" for k, v in credentials.params.items())
            headers = credentials.headers
    return supervise.ProcessSpec(process.name, command, REPO, process.env, url, headers)


def find_nginx() -> str:
    """nginx's path (Debian puts it in /usr/sbin, often not on a user's PATH)."""
    found = shutil.which("nginx", path=os.pathsep.join([os.environ.get("PATH", ""),
                                                        "/usr/sbin", "/usr/local/sbin"]))
    if not found:
        raise SystemExit("nginx is not installed: run scripts/setup_nginx.sh")
    return found


def migrate(env: Mapping[str, str]) -> None:
    """Runs the database migrations once, before any process starts."""
    command = topology.role_command("migrate", str(REPO / ".venv" / "actions" / "bin" /
                                                   "python"))
    subprocess.run(command, cwd=REPO, env=dict(env), check=True)


def start(supervisor: supervise.Supervisor, processes: Sequence[topology.Process],
          var: Path) -> None:
    """Starts ``processes`` in order; those in a row with the same role start together and
    are waited for together (the two Rasa instances load their model side by side)."""
    batch: list[supervise.ProcessSpec] = []
    for index, process in enumerate(processes):
        spec = spec_of(process, var)
        supervisor.start(spec)
        batch.append(spec)
        following = processes[index + 1] if index + 1 < len(processes) else None
        if following is None or following.role != process.role:
            for started in batch:
                if started.health_url:
                    supervisor.wait_healthy(started.name, RASA_HEALTH_TIMEOUT_S)
            batch = []


def supervise_until_stopped(supervisor: supervise.Supervisor, body: object) -> int:
    """Runs ``body()`` (start-up and waiting) and always stops the processes after it."""
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        body()  # type: ignore[operator]
        return 0
    except KeyboardInterrupt:
        return 0
    except (supervise.GaveUp, TimeoutError) as problem:
        sys.stderr.write(f"{problem}\n")
        return 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        supervisor.stop()


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


RUN_BANNER = """
  The knee assistant is running.
    Demo site with the chat widget: http://127.0.0.1:{web}/
    Video upload:      POST http://127.0.0.1:{rasa}/webhooks/video/upload (token from the bot)
    REST channel:      POST http://127.0.0.1:{rasa}/webhooks/rest/webhook  {{"sender": "<random id>", "message": "hi"}}
    socket.io channel: http://127.0.0.1:{rasa}/socket.io
    HTTP API:          http://127.0.0.1:{rasa}/ (status: /status)
    Chat in a terminal instead: make shell
  Logs in var/log/. Press Ctrl-C to stop.
"""  # noqa: E501

CLUSTER_BANNER = """
  The knee assistant cluster is running (nginx, 2 Rasa, 2 action servers, 2 RQ workers).
    Public entry (demo site, chat widget, socket.io, /webhooks/): http://127.0.0.1:{public}/
    Rasa's HTTP API is private: http://127.0.0.1:{rasa_api}/ for the workers only.
  Logs in {logs}/. Press Ctrl-C to stop.
"""


def run_single(var: Path, shell: bool) -> int:
    """``make run``: one of each process, the demo site on ``WEB_PORT``."""
    env = with_token(os.environ)
    processes = topology.single(REPO, env)
    shared = processes[0].env
    supervisor = supervise.Supervisor(var / "log", var / "run")

    def body() -> None:
        migrate(shared)
        subprocess.run([str(REPO / ".venv" / "actions" / "bin" / "python"), "web/build.py"],
                       cwd=REPO, env=dict(shared), check=True, stdout=subprocess.DEVNULL)
        start(supervisor, processes, var)
        sys.stdout.write(RUN_BANNER.format(web=shared["WEB_PORT"], rasa=shared["RASA_PORT"]))
        sys.stdout.flush()
        if shell:
            chat = [str(REPO / ".venv" / "rasa" / "bin" / "python"), "scripts/chat.py",
                    f"http://127.0.0.1:{shared['RASA_PORT']}"]
            subprocess.run(chat, cwd=REPO, check=False)
            return
        supervisor.run_until(lambda: False)

    return supervise_until_stopped(supervisor, body)


class RasaGate:
    """Keeps a Rasa instance that crashed out of nginx's upstreams until it answers again.

    The gate marks the instance ``down`` and reloads nginx as soon as the supervisor shows
    a new pid (or none), and lifts it when ``/status`` answers. Measured (2026-12-01,
    ``bench/cluster.py --kill rasa-1``): a restarted Rasa with one Sanic worker, as here,
    binds its port only once its model is loaded (Sanic 21.12 runs Rasa's
    ``before_server_start`` model loading first), so meanwhile nginx's connects are refused
    and passed to the other instance anyway; the gate spares each nginx worker those failed
    connects, and it is what keeps requests off an instance that listens before it can
    answer (with ``SANIC_WORKERS`` > 1 Sanic binds the socket before its workers load).
    A message in flight on the instance that died is nginx's ``proxy_next_upstream`` and
    the lock store's business (deploy/nginx.conf.template, connectors/lock_store.py).
    """

    def __init__(self, supervisor: supervise.Supervisor, var: Path,
                 values: dict[str, object], rasa: Mapping[str, str]) -> None:
        self.supervisor, self.var, self.values, self.rasa = supervisor, var, values, rasa
        self.ready = {name: supervisor.pid(name) for name in rasa}
        self.down: set[str] = set()

    def apply(self) -> None:
        """Renders the configuration with the instances that are down, and reloads nginx."""
        addresses = list(self.rasa.values())
        self.values["rasa_servers"] = nginx_conf.servers(
            addresses, {self.rasa[name] for name in self.down})
        write_nginx_conf(self.var, self.values)
        prefix = self.var / "nginx"
        subprocess.run([find_nginx(), "-p", f"{prefix}/", "-c", str(prefix / "nginx.conf"),
                        "-s", "reload"], check=False, capture_output=True)

    def check(self) -> None:
        """One look at every instance."""
        for name in self.rasa:
            pid = self.supervisor.pid(name)
            if name not in self.down and pid != self.ready[name]:
                self.down.add(name)
                self.supervisor.say(f"{name} is out of nginx's upstreams until it answers")
                self.apply()
            elif name in self.down and pid is not None:
                spec = self.supervisor.children[name].spec
                if supervise.http_ok(spec.health_url, spec.health_headers):
                    self.ready[name] = pid
                    self.down.discard(name)
                    self.supervisor.say(f"{name} is back in nginx's upstreams")
                    self.apply()

    def watch(self, interval_s: float = 0.5) -> None:
        """Checks forever (run in a daemon thread)."""
        while not self.supervisor.stopping:
            self.check()
            time.sleep(interval_s)


def write_nginx_conf(var: Path, values: Mapping[str, object]) -> None:
    """nginx's configuration from ``values``, into ``var/nginx/nginx.conf``."""
    (var / "nginx" / "nginx.conf").write_text(nginx_conf.render(values), encoding="utf-8")


def prepare_nginx(var: Path, env: Mapping[str, str],
                  ports: topology.ClusterPorts) -> dict[str, object]:
    """Exports the site and renders nginx's configuration into ``var/``; returns the
    values it was rendered from."""
    prefix = var / "nginx"
    for folder in (prefix / "tmp", var / "log", var / "www"):
        folder.mkdir(parents=True, exist_ok=True)
    for log in ("nginx-access.log", "nginx-error.log"):
        path = var / "log" / log
        path.touch(mode=supervise.LOG_MODE, exist_ok=True)
        path.chmod(supervise.LOG_MODE)
    export_site(var / "www", env)
    values = nginx_conf.native_values(prefix, var / "www", env, ports.public, ports.rasa,
                                      ports.actions, ports.actions_upstream,
                                      ports.rasa_upstream)
    values |= {"access_log": var / "log" / "nginx-access.log",
               "error_log": var / "log" / "nginx-error.log"}
    write_nginx_conf(var, values)
    return values


def run_cluster(var: Path) -> int:
    """``make cluster``: nginx in front of two of each, PostgreSQL and Redis behind."""
    env = with_token(os.environ)
    ports = topology.ClusterPorts.from_env(env)
    processes = topology.cluster(REPO, env, ports)
    shared = topology.cluster_env(REPO, env, ports)
    shared.setdefault("MEDIA_DIR", str(var / "media"))
    supervisor = supervise.Supervisor(var / "log", var / "run")

    def body() -> None:
        find_nginx()
        migrate(shared)
        values = prepare_nginx(var, shared, ports)
        start(supervisor, processes, var)
        rasa = {p.name: f"127.0.0.1:{p.health_port}" for p in processes if p.role == "rasa"}
        gate = RasaGate(supervisor, var, values, rasa)
        threading.Thread(target=gate.watch, daemon=True).start()
        sys.stdout.write(CLUSTER_BANNER.format(public=ports.public, logs=var / "log",
                                               rasa_api=ports.rasa_upstream))
        sys.stdout.flush()
        supervisor.run_until(lambda: False)

    return supervise_until_stopped(supervisor, body)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(prog="scripts/launch.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--var", type=Path, default=REPO / "var",
                        help="logs, pid files, nginx's prefix and the site (default var/)")
    sub = parser.add_subparsers(dest="what", required=True)
    run = sub.add_parser("run", help="one of each process (make run)")
    run.add_argument("--shell", action="store_true", help="chat in this terminal")
    sub.add_parser("cluster", help="the scaled topology behind nginx (make cluster)")
    role = sub.add_parser("role", help="one process of a topology")
    role.add_argument("role")
    role.add_argument("args", nargs="*")
    args = parser.parse_args(argv)
    var = args.var.resolve()
    if args.what == "role":
        run_role(args.role, args.args)
        return 0
    if args.what == "run":
        return run_single(var, args.shell)
    return run_cluster(var)


if __name__ == "__main__":
    sys.exit(main())
