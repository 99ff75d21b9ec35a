"""Renders deploy/nginx.conf.template for the native cluster and for docker compose.

``{{name}}`` placeholders are replaced; nginx's ``$variables`` are left alone. The body
limits follow the app's settings: uploads ``UPLOAD_MAX_BYTES`` (plus room for the multipart
envelope), everything else ``MESSAGE_MAX_CHARS`` at up to 6 bytes a character (JSON's
``\\uXXXX``) plus the envelope, so an over-long message still reaches Rasa's friendly
refusal while a megabyte of text is cut off at nginx (413).

    python scripts/nginx_conf.py --compose > deploy/nginx.compose.conf

Standard library only (plus ``kneeapp.settings``, itself stdlib only).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from kneeapp import settings  # noqa: E402

TEMPLATE = REPO / "deploy" / "nginx.conf.template"
COMPOSE_CONF = REPO / "deploy" / "nginx.compose.conf"
ENVELOPE_BYTES = 4096
UPLOAD_ENVELOPE_BYTES = 64 * 1024
PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


def render(values: Mapping[str, object], template: str | None = None) -> str:
    """The template with every ``{{name}}`` filled in.

    Raises:
        KeyError: A placeholder has no value.
    """
    text = TEMPLATE.read_text(encoding="utf-8") if template is None else template
    return PLACEHOLDER.sub(lambda match: str(values[match.group(1)]), text)


def servers(addresses: Sequence[str], down: Collection[str] = ()) -> str:
    """``server`` lines of an upstream block (those in ``down`` get no requests)."""
    return "\n".join(f"        server {address} max_fails=1 fail_timeout=5s"
                     f"{' down' if address in down else ''};" for address in addresses)


def limits(env: Mapping[str, str]) -> dict[str, object]:
    """The size and rate limits, from the app's settings."""
    config = settings.current(env)
    return {"chat_body_max": config.message_max_chars * 6 + ENVELOPE_BYTES,
            "upload_body_max": config.upload_max_bytes + UPLOAD_ENVELOPE_BYTES,
            "chat_rate": config.public_chat_rate, "chat_burst": config.public_chat_rate * 4,
            "upload_rate": config.public_upload_rate}


def native_values(prefix: Path, site: Path, env: Mapping[str, str], public: int,
                  rasa: Sequence[int], actions: Sequence[int], actions_upstream: int,
                  rasa_upstream: int) -> dict[str, object]:
    """Values for nginx run by ``make cluster`` as the current user, all on this host."""
    return {"pid_file": prefix / "nginx.pid", "error_log": prefix / "logs" / "error.log",
            "access_log": prefix / "logs" / "access.log", "temp_dir": prefix / "tmp",
            "public_listen": f"127.0.0.1:{public}" if env.get("PUBLIC_HOST") in (None, "",
                                                                                 "127.0.0.1")
            else f"{env['PUBLIC_HOST']}:{public}",
            "site_root": site, "rasa_servers": servers([f"127.0.0.1:{p}" for p in rasa]),
            "actions_servers": servers([f"127.0.0.1:{p}" for p in actions]),
            "actions_listen": f"127.0.0.1:{actions_upstream}",
            "rasa_internal_listen": f"127.0.0.1:{rasa_upstream}", **limits(env)}


def compose_values() -> dict[str, object]:
    """Values for the ``nginx`` service of docker-compose.yml (default limits)."""
    prefix = "/var/lib/nginx"
    return {"pid_file": "/tmp/nginx.pid", "error_log": "/dev/stderr",
            "access_log": "/dev/stdout", "temp_dir": prefix,
            "public_listen": "8000", "site_root": "/srv/site",
            "rasa_servers": servers(["rasa-1:5005", "rasa-2:5005"]),
            "actions_servers": servers(["actions-1:5055", "actions-2:5055"]),
            "actions_listen": "5055", "rasa_internal_listen": "5004", **limits({})}


if __name__ == "__main__":
    if sys.argv[1:] != ["--compose"]:
        sys.exit("usage: python scripts/nginx_conf.py --compose > deploy/nginx.compose.conf")
    sys.stdout.write(render(compose_values()))
