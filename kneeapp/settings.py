"""Every setting of the app, once: environment variable, type, unit, default and meaning.

:class:`Settings` is one frozen object read from the environment by :func:`current`, which
reads ``os.environ`` on every call, so a test or a process can change a variable without
reloading modules. Standard library only: the Rasa environment's connectors import it too.
``docs/settings.md`` is generated from these definitions (``python -m kneeapp.settings``)
and a test fails when it is out of date.

Production (``APP_ENV=production``) refuses default secrets in one place:
:meth:`Settings.production_problems`.
"""

from __future__ import annotations

import dataclasses
import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
#: Shortest secret accepted in production (32 random bytes, e.g. ``openssl rand -hex 32``).
MIN_SECRET_BYTES = 32
PRODUCTION_NAMES = frozenset({"production", "prod"})
#: What Telegram accepts as a webhook's secret_token.
TELEGRAM_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")
DOCS = REPO_ROOT / "docs" / "settings.md"
DOCS_START, DOCS_END = "<!-- settings table: start -->", "<!-- settings table: end -->"
_KINDS: dict[str, type] = {"str": str, "int": int, "float": float, "Path": Path}


class SettingsError(ValueError):
    """A variable holds a value the app cannot use; the message names the variable."""


def _var(env: str, default: Any, meaning: str, *, unit: str = "", minimum: float | None = None,
         choices: tuple[str, ...] = (), used_by: str = "", shown_default: str = "") -> Any:
    """A field of :class:`Settings` with what the docs table and the parser need to know."""
    metadata = {"env": env, "meaning": meaning, "unit": unit, "minimum": minimum,
                "choices": choices, "used_by": used_by, "shown_default": shown_default}
    return dataclasses.field(default=default, metadata=metadata)


@dataclasses.dataclass(frozen=True)
class Settings:
    """The app's settings (docs/settings.md). Build with :func:`current`."""

    app_env: str = _var(
        "APP_ENV", "development", "`production` refuses to run on default secrets",
        used_by="connector, actions")
    database_url: str = _var(
        "DATABASE_URL", f"sqlite:///{REPO_ROOT / 'var' / 'app.db'}",
        "the app's tables and Rasa's conversations (one database)",
        used_by="actions, worker, erase command, Rasa's tracker store",
        shown_default="sqlite:///<repo>/var/app.db")
    tracker_cache_size: int = _var(
        "TRACKER_CACHE_SIZE", 1000, "recently saved conversations Rasa keeps in memory",
        unit="conversations", minimum=0, used_by="Rasa's tracker store")
    media_dir: Path = _var(
        "MEDIA_DIR", REPO_ROOT / "var" / "media", "raw uploads and analysis results",
        used_by="connector, actions, worker", shown_default="<repo>/var/media")
    upload_token_secret: str = _var(
        "UPLOAD_TOKEN_SECRET", "",
        "signs upload links; at least 32 bytes in production",
        used_by="connector, actions",
        shown_default="development only: random, created once in var/upload_secret")
    upload_max_bytes: int = _var(
        "UPLOAD_MAX_BYTES", 200 * 1024 * 1024, "largest video accepted", unit="bytes",
        minimum=1, used_by="connector, widget offer")
    upload_token_ttl_s: int = _var(
        "UPLOAD_TOKEN_TTL_S", 1800, "how long an upload link stays valid", unit="s",
        minimum=1, used_by="actions")
    upload_token_max_uses: int = _var(
        "UPLOAD_TOKEN_MAX_USES", 3, "videos one upload link accepts; the next upload with "
        "it is refused with a friendly answer (the chat gives a fresh link)", unit="uploads",
        minimum=1, used_by="connector")
    conversation_max_uploads: int = _var(
        "CONVERSATION_MAX_UPLOADS", 10, "videos one conversation may send within "
        "`CONVERSATION_UPLOAD_WINDOW_S` (web link and messaging apps together); more are "
        "refused with a friendly answer", unit="uploads", minimum=1,
        used_by="connector, messaging-app channels")
    conversation_max_analyses: int = _var(
        "CONVERSATION_MAX_ANALYSES", 20, "analyses (first ones and re-analyses) one "
        "conversation may start within `CONVERSATION_UPLOAD_WINDOW_S`", unit="analyses",
        minimum=1, used_by="actions")
    conversation_upload_window_s: float = _var(
        "CONVERSATION_UPLOAD_WINDOW_S", 86400.0, "the window of `CONVERSATION_MAX_UPLOADS` "
        "and `CONVERSATION_MAX_ANALYSES`", unit="s", minimum=60.0,
        used_by="connector, messaging-app channels, actions")
    conversation_max_pending_jobs: int = _var(
        "CONVERSATION_MAX_PENDING_JOBS", 2, "analyses one conversation may have queued or "
        "running at once; more are refused with a friendly answer, so one runner's backlog "
        "stays short on any queue backend", unit="jobs", minimum=1, used_by="actions")
    queue_backend: str = _var(
        "QUEUE_BACKEND", "local", "where analysis jobs wait: the database or RQ on Redis",
        choices=("local", "rq"), used_by="actions, worker")
    redis_url: str = _var(
        "REDIS_URL", "redis://127.0.0.1:6379/0", "Redis for the RQ backend", used_by="RQ backend")
    rq_queue: str = _var("RQ_QUEUE", "analysis", "RQ queue name", used_by="RQ backend")
    rasa_url: str = _var(
        "RASA_URL", "", "where the worker tells Rasa a result is ready", used_by="worker",
        shown_default="http://127.0.0.1:${RASA_PORT}")
    rasa_port: int = _var("RASA_PORT", 5005, "Rasa's port on this machine", minimum=1,
                          used_by="make run, worker")
    rasa_token: str = _var(
        "RASA_TOKEN", "", "Rasa's `--auth-token`: its HTTP API refuses calls without it; our "
        "clients send it as `?token=` (redacted in logs). The launchers make a random one "
        "when neither this nor `RASA_JWT_SECRET` is set", used_by="launchers, worker, tests",
        shown_default="unset")
    rasa_jwt_secret: str = _var(
        "RASA_JWT_SECRET", "", "Rasa's `--jwt-secret` (`--jwt-method HS256`): our clients then "
        "send a short-lived HS256 bearer token with the admin role instead of `?token=`",
        used_by="launchers, worker, tests", shown_default="unset")
    web_port: int = _var("WEB_PORT", 8080, "the demo site's port on this machine", minimum=1,
                         used_by="make run, CORS_ORIGINS' default")
    cors_origins: str = _var(
        "CORS_ORIGINS", "", "comma-separated web origins whose pages may call Rasa (its "
        "`--cors`); never `*`", used_by="launchers",
        shown_default="http://127.0.0.1:${WEB_PORT},http://localhost:${WEB_PORT}")
    public_port: int = _var(
        "PUBLIC_PORT", 8000, "the only public port of `make cluster` (nginx: the demo site, "
        "socket.io and the `/webhooks/` routes; Rasa's HTTP API is refused)", minimum=1,
        used_by="make cluster, docker compose")
    public_chat_rate: int = _var(
        "PUBLIC_CHAT_RATE", 5, "chat messages and webhook calls nginx lets through per second "
        "from one client IP (bursts of 4x; more get 429)", unit="requests/s", minimum=1,
        used_by="make cluster, docker compose")
    public_upload_rate: int = _var(
        "PUBLIC_UPLOAD_RATE", 6, "video uploads nginx lets through per minute from one client "
        "IP (bursts of 5; more get 429)", unit="uploads/min", minimum=1,
        used_by="make cluster, docker compose")
    lock_store_url: str = _var(
        "LOCK_STORE_URL", "", "Redis URL of Rasa's lock store (`redis://host:port/db`), needed "
        "when several Rasa instances share conversations; unset: one instance, locks in memory",
        used_by="Rasa (launchers)", shown_default="unset")
    socketio_redis_url: str = _var(
        "SOCKETIO_REDIS_URL", "", "Redis URL through which the socket.io channels of several "
        "Rasa instances pass messages, so a push on one instance reaches a browser connected "
        "to another; unset: one instance", used_by="socket.io channel", shown_default="unset")
    rest_channel_token: str = _var(
        "REST_CHANNEL_TOKEN", "", "when set, the REST channel (`/webhooks/rest/webhook`) "
        "answers only calls with `Authorization: Bearer <it>`: in production REST is for a "
        "clinic's back end, never the public (anyone who knows a conversation id could read,"
        " write and erase it)", used_by="REST channel", shown_default="unset")
    message_max_chars: int = _var(
        "MESSAGE_MAX_CHARS", 2000, "longest runner message read; longer ones get a friendly "
        "refusal before language understanding runs (a 100 KB message stalled Rasa)",
        unit="characters", minimum=1, used_by="every chat channel")
    video_retention_s: float = _var(
        "VIDEO_RETENTION_S", 0.0, "how long a raw video is kept after its analysis (0: none)",
        unit="s", minimum=0.0, used_by="worker")
    video_clarify_s: float = _var(
        "VIDEO_CLARIFY_S", 900.0,
        "an upload whose activity or view was unclear is kept this long for a re-analysis",
        unit="s", minimum=0.0, used_by="worker")
    orphan_upload_s: float = _var(
        "ORPHAN_UPLOAD_S", 3600.0,
        "uploads never registered (or registered, never queued) are deleted after this",
        unit="s", minimum=60.0, used_by="worker")
    analysis_time_limit_s: float = _var(
        "ANALYSIS_TIME_LIMIT_S", 240.0, "wall-clock limit of one analysis", unit="s",
        minimum=1.0, used_by="worker")
    analysis_memory_mb: int = _var(
        "ANALYSIS_MEMORY_MB", 1500, "address-space limit of the analysis process", unit="MB",
        minimum=64, used_by="worker")
    worker_concurrency: int = _var(
        "WORKER_CONCURRENCY", 1, "jobs one local worker runs at once", unit="jobs", minimum=1,
        used_by="worker")
    worker_heartbeat_s: float = _var(
        "WORKER_HEARTBEAT_S", 5.0, "seconds between heartbeats of a running job", unit="s",
        minimum=0.05, used_by="worker")
    worker_stale_s: float = _var(
        "WORKER_STALE_S", 20.0, "a running job without a heartbeat this long is lost", unit="s",
        minimum=0.2, used_by="worker")
    worker_poll_s: float = _var(
        "WORKER_POLL_S", 1.0, "an idle local worker looks for queued jobs this often",
        unit="s", minimum=0.05, used_by="worker")
    notify_attempts: int = _var(
        "NOTIFY_ATTEMPTS", 5, "tries to reach Rasa before giving up", unit="tries", minimum=1,
        used_by="worker")
    notify_backoff_s: float = _var(
        "NOTIFY_BACKOFF_S", 1.0, "first wait between tries, doubled each time", unit="s",
        minimum=0.0, used_by="worker")
    telegram_bot_token: str = _var(
        "TELEGRAM_BOT_TOKEN", "", "the clinic's Telegram bot (from BotFather); the Telegram "
        "channel is active when set", used_by="Telegram connector", shown_default="unset")
    telegram_webhook_secret: str = _var(
        "TELEGRAM_WEBHOOK_SECRET", "",
        "1-256 characters A-Z a-z 0-9 _ -; Telegram sends it with every update, others get 403;"
        " required outside development", used_by="Telegram connector", shown_default="unset")
    telegram_api_url: str = _var(
        "TELEGRAM_API_URL", "https://api.telegram.org",
        "Bot API root (a clinic's own local Bot API server, or a test stand-in)",
        used_by="Telegram connector")
    telegram_download_limit_bytes: int = _var(
        "TELEGRAM_DOWNLOAD_LIMIT_BYTES", 20 * 1024 * 1024,
        "largest video fetched from Telegram (the cloud Bot API's limit; a local Bot API server"
        " lifts it); larger ones are never downloaded", unit="bytes", minimum=1,
        used_by="Telegram connector")
    whatsapp_access_token: str = _var(
        "WHATSAPP_ACCESS_TOKEN", "", "the clinic's WhatsApp Cloud API token (a permanent "
        "system-user token); the WhatsApp channel is active when set",
        used_by="WhatsApp connector", shown_default="unset")
    whatsapp_app_secret: str = _var(
        "WHATSAPP_APP_SECRET", "", "the Meta app's secret: deliveries must carry its "
        "X-Hub-Signature-256, and chat ids are stored only as a hash keyed with it",
        used_by="WhatsApp connector", shown_default="unset")
    whatsapp_verify_token: str = _var(
        "WHATSAPP_VERIFY_TOKEN", "", "the word Meta echoes when the webhook is registered",
        used_by="WhatsApp connector", shown_default="unset")
    whatsapp_phone_number_id: str = _var(
        "WHATSAPP_PHONE_NUMBER_ID", "", "the clinic's WhatsApp business number's id",
        used_by="WhatsApp connector", shown_default="unset")
    whatsapp_api_url: str = _var(
        "WHATSAPP_API_URL", "https://graph.facebook.com/v21.0", "Graph API root",
        used_by="WhatsApp connector")
    whatsapp_download_limit_bytes: int = _var(
        "WHATSAPP_DOWNLOAD_LIMIT_BYTES", 16 * 1024 * 1024,
        "largest video fetched from WhatsApp (WhatsApp's own limit is 16 MB)", unit="bytes",
        minimum=1, used_by="WhatsApp connector")
    whatsapp_template_results: str = _var(
        "WHATSAPP_TEMPLATE_RESULTS", "", "an approved message template sent when a reply "
        "falls outside WhatsApp's 24-hour window (unset: the reply waits until the runner "
        "writes again)", used_by="WhatsApp connector", shown_default="unset")
    whatsapp_checkin_template: str = _var(
        "WHATSAPP_CHECKIN_TEMPLATE", "", "the approved message template of the check-in "
        "reminder (always outside the 24-hour window; unset: WhatsApp reminders are not sent "
        "and are marked failed)", used_by="worker", shown_default="unset")
    whatsapp_template_language: str = _var(
        "WHATSAPP_TEMPLATE_LANGUAGE", "en", "the template's language code",
        used_by="WhatsApp connector")
    twilio_account_sid: str = _var(
        "TWILIO_ACCOUNT_SID", "", "the clinic's Twilio account; the Twilio WhatsApp channel is "
        "active when set", used_by="Twilio connector", shown_default="unset")
    twilio_auth_token: str = _var(
        "TWILIO_AUTH_TOKEN", "", "signs Twilio's webhook calls and authenticates ours; chat "
        "ids are stored only as a hash keyed with it", used_by="Twilio connector",
        shown_default="unset")
    twilio_whatsapp_from: str = _var(
        "TWILIO_WHATSAPP_FROM", "", "the clinic's Twilio WhatsApp sender, e.g. "
        "`whatsapp:+14155238886`", used_by="Twilio connector", shown_default="unset")
    twilio_api_url: str = _var(
        "TWILIO_API_URL", "https://api.twilio.com", "Twilio's REST API root",
        used_by="Twilio connector")
    twilio_webhook_url: str = _var(
        "TWILIO_WEBHOOK_URL", "", "the public address Twilio calls (signatures cover it; "
        "behind a proxy it differs from what Rasa sees)", used_by="Twilio connector",
        shown_default="the request's own URL")
    twilio_media_base_url: str = _var(
        "TWILIO_MEDIA_BASE_URL", "", "public HTTPS root of this assistant from which Twilio "
        "may fetch the analysis pictures (their links are unguessable, as in the web chat); "
        "unset: pictures are not sent through Twilio", used_by="Twilio connector",
        shown_default="unset")
    clinic_name: str = _var("CLINIC_NAME", "", "the clinic named in referrals",
                            used_by="actions", shown_default="unset")
    clinic_phone: str = _var("CLINIC_PHONE", "", "its phone", used_by="actions",
                             shown_default="unset")
    clinic_email: str = _var("CLINIC_EMAIL", "", "its e-mail", used_by="actions",
                             shown_default="unset")
    clinic_url: str = _var("CLINIC_URL", "", "its web address", used_by="actions",
                           shown_default="unset")
    clinic_hours: str = _var(
        "CLINIC_HOURS", "", "when the clinic answers chats, e.g. `Mon-Fri 08:00-18:00; Sat "
        "09:00-12:00` (days Mon..Sun, 24-hour times); told to a runner who asks for a person",
        used_by="actions", shown_default="unset")
    clinic_timezone: str = _var(
        "CLINIC_TIMEZONE", "UTC", "the time zone of `CLINIC_HOURS` (an IANA name such as "
        "`Europe/London`)", used_by="actions")
    clinic_offer_person_levels: str = _var(
        "CLINIC_OFFER_PERSON_LEVELS", "clinician", "comma-separated triage levels after which "
        "the bot offers to pass the chat to a person at the clinic (needs Chatwoot)",
        used_by="actions")
    clinic_call_levels: str = _var(
        "CLINIC_CALL_LEVELS", "urgent", "comma-separated triage levels after which the runner "
        "is told to phone the clinic now (`CLINIC_PHONE`); emergencies always get the "
        "emergency number", used_by="actions")
    checkin_reminder_days: int = _var(
        "CHECKIN_REMINDER_DAYS", 14, "days after the assessment that a runner who agreed to "
        "it is asked how the knee is going (Telegram and WhatsApp: a message; web: at the "
        "next visit; docs/reminders.md)", unit="days", minimum=1, used_by="actions")
    chatwoot_url: str = _var(
        "CHATWOOT_URL", "", "the clinic's Chatwoot (e.g. `https://desk.clinic.example`); "
        "summaries and the handover to a person are active when this, the token, the account "
        "and the inbox are set (docs/chatwoot.md)", used_by="worker, actions, Chatwoot webhook",
        shown_default="unset")
    chatwoot_api_token: str = _var(
        "CHATWOOT_API_TOKEN", "", "access token of the Chatwoot user that writes the notes (a "
        "user's, not an agent bot's: bots may not create contacts or set labels)",
        used_by="worker", shown_default="unset")
    chatwoot_account_id: int = _var(
        "CHATWOOT_ACCOUNT_ID", 0, "the clinic's Chatwoot account id", minimum=0,
        used_by="worker", shown_default="unset")
    chatwoot_inbox_id: int = _var(
        "CHATWOOT_INBOX_ID", 0, "the id of the API-channel inbox the runners' conversations go "
        "to", minimum=0, used_by="worker", shown_default="unset")
    chatwoot_webhook_secret: str = _var(
        "CHATWOOT_WEBHOOK_SECRET", "", "the inbox's webhook secret: Chatwoot's calls must be "
        "signed with it (`X-Chatwoot-Signature`) or carry it in the URL path; required with "
        "`CHATWOOT_URL`", used_by="Chatwoot webhook", shown_default="unset")
    chatwoot_webhook_window_s: float = _var(
        "CHATWOOT_WEBHOOK_WINDOW_S", 300.0, "how old (or how far in the future) a webhook "
        "call may be; older ones are refused as replays", unit="s", minimum=1.0,
        used_by="Chatwoot webhook")
    clinic_delivery_poll_s: float = _var(
        "CLINIC_DELIVERY_POLL_S", 1.0, "how often the worker looks for summaries and relayed "
        "messages to send to Chatwoot", unit="s", minimum=0.1, used_by="worker")

    @property
    def production(self) -> bool:
        """True with ``APP_ENV=production`` (or ``prod``)."""
        return self.app_env.lower() in PRODUCTION_NAMES

    @property
    def rasa_base_url(self) -> str:
        """``RASA_URL`` without a trailing slash, else Rasa on this machine's ``RASA_PORT``."""
        return self.rasa_url.rstrip("/") or f"http://127.0.0.1:{self.rasa_port}"

    @property
    def cors_origin_list(self) -> list[str]:
        """``CORS_ORIGINS`` as a list, else the demo site on this machine's ``WEB_PORT``."""
        origins = [origin.strip().rstrip("/") for origin in self.cors_origins.split(",")]
        return [origin for origin in origins if origin] or [
            f"http://127.0.0.1:{self.web_port}", f"http://localhost:{self.web_port}"]

    @property
    def clinic(self) -> dict[str, str] | None:
        """The running clinic's contact fields that are set, or None."""
        contact = {name: getattr(self, f"clinic_{name}") for name in ("name", "phone", "email",
                                                                       "url")}
        return {name: value for name, value in contact.items() if value} or None

    @property
    def chatwoot_enabled(self) -> bool:
        """True when the clinic's Chatwoot is configured (the handover to a person is on)."""
        return bool(self.chatwoot_url and self.chatwoot_api_token and self.chatwoot_account_id
                    and self.chatwoot_inbox_id)

    def chatwoot_problems(self) -> list[str]:
        """Why the Chatwoot link may not start with these settings."""
        if not self.chatwoot_url:
            return []
        needed = {"CHATWOOT_API_TOKEN": self.chatwoot_api_token,
                  "CHATWOOT_ACCOUNT_ID": self.chatwoot_account_id,
                  "CHATWOOT_INBOX_ID": self.chatwoot_inbox_id,
                  "CHATWOOT_WEBHOOK_SECRET": self.chatwoot_webhook_secret}
        return [f"{name} is required with CHATWOOT_URL"
                for name, value in needed.items() if not value]

    def in_app_video_limit_bytes(self, channel: str) -> int | None:
        """The largest video a messaging app's channel fetches from its chat (None: not a
        messaging app; its runners upload through the web link instead)."""
        limits = {"telegram": self.telegram_download_limit_bytes,
                  "whatsapp": self.whatsapp_download_limit_bytes,
                  "twilio_whatsapp": self.whatsapp_download_limit_bytes}
        limit = limits.get(channel)
        return None if limit is None else min(limit, self.upload_max_bytes)

    def production_problems(self) -> list[str]:
        """Why these settings may not run in production (empty outside production)."""
        if not self.production:
            return []
        problems = []
        if not self.upload_token_secret:
            problems.append("UPLOAD_TOKEN_SECRET is required when APP_ENV=production")
        elif len(self.upload_token_secret.encode("utf-8")) < MIN_SECRET_BYTES:
            problems.append(f"UPLOAD_TOKEN_SECRET must be at least {MIN_SECRET_BYTES} bytes")
        if self.telegram_bot_token and not self.telegram_webhook_secret:
            problems.append("TELEGRAM_WEBHOOK_SECRET is required when APP_ENV=production")
        if self.rasa_jwt_secret and len(self.rasa_jwt_secret.encode("utf-8")) < MIN_SECRET_BYTES:
            problems.append(f"RASA_JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes")
        if "*" in self.cors_origin_list:
            problems.append("CORS_ORIGINS must name the sites, not '*', when APP_ENV=production")
        return problems

    def twilio_problems(self) -> list[str]:
        """Why the Twilio WhatsApp channel may not start with these settings."""
        needed = {"TWILIO_AUTH_TOKEN": self.twilio_auth_token,
                  "TWILIO_WHATSAPP_FROM": self.twilio_whatsapp_from}
        return [f"{name} is required with TWILIO_ACCOUNT_SID"
                for name, value in needed.items() if not value]

    def whatsapp_problems(self) -> list[str]:
        """Why the WhatsApp Cloud API channel may not start with these settings."""
        needed = {"WHATSAPP_APP_SECRET": self.whatsapp_app_secret,
                  "WHATSAPP_VERIFY_TOKEN": self.whatsapp_verify_token,
                  "WHATSAPP_PHONE_NUMBER_ID": self.whatsapp_phone_number_id}
        return [f"{name} is required with WHATSAPP_ACCESS_TOKEN"
                for name, value in needed.items() if not value]

    def telegram_problems(self) -> list[str]:
        """Why the Telegram channel may not start with these settings."""
        secret = self.telegram_webhook_secret
        if secret and not TELEGRAM_SECRET_RE.fullmatch(secret):
            return ["TELEGRAM_WEBHOOK_SECRET must be 1-256 characters of A-Z a-z 0-9 _ -"]
        return [p for p in self.production_problems() if p.startswith("TELEGRAM_")]


def megabytes(limit_bytes: int) -> int:
    """A byte limit as the runner reads it: whole megabytes (10^6 bytes), rounded down, so
    the offer ("up to N MB") and the refusal ("up to N MB") name the same number."""
    return max(1, limit_bytes // 1_000_000)


#: The settings with no variable set (constructor defaults elsewhere refer to these).
DEFAULTS = Settings()


def _parse(field: dataclasses.Field[Any], raw: str) -> Any:
    meta = field.metadata
    kind = _KINDS[str(field.type)]
    if kind is Path:
        return Path(raw)
    if kind is str:
        value = raw.lower() if meta["choices"] else raw
        if meta["choices"] and value not in meta["choices"]:
            choices = " or ".join(f"'{choice}'" for choice in meta["choices"])
            raise SettingsError(f"{meta['env']} must be {choices}")
        return value
    try:
        number = float(raw)
    except ValueError as exc:
        raise SettingsError(f"{meta['env']} must be a number") from exc
    if meta["minimum"] is not None:
        number = max(float(meta["minimum"]), number)
    return int(number) if kind is int else number


def current(environ: Mapping[str, str] | None = None) -> Settings:
    """The settings as the environment says now (unset or blank variables take defaults).

    Raises:
        SettingsError: A number that is not a number, or a value outside its choices.
    """
    environ = os.environ if environ is None else environ
    values = {}
    for field in dataclasses.fields(Settings):
        raw = environ.get(field.metadata["env"], "").strip()
        if raw:
            values[field.name] = _parse(field, raw)
    return Settings(**values)


def markdown_table() -> str:
    """docs/settings.md's table, generated from :class:`Settings`."""
    rows = ["| variable | default | unit | meaning | used by |", "|---|---|---|---|---|"]
    for field in dataclasses.fields(Settings):
        meta = field.metadata
        default = meta["shown_default"] or str(field.default)
        choices = f" (`{'` or `'.join(meta['choices'])}`)" if meta["choices"] else ""
        rows.append(f"| `{meta['env']}` | `{default}` | {meta['unit']} | "
                    f"{meta['meaning']}{choices} | {meta['used_by']} |")
    return "\n".join(rows) + "\n"


def docs_with_table(docs: str) -> str:
    """``docs`` with the text between the table markers replaced by :func:`markdown_table`."""
    head, rest = docs.split(DOCS_START, 1)
    _, tail = rest.split(DOCS_END, 1)
    return f"{head}{DOCS_START}\n{markdown_table()}{DOCS_END}{tail}"


if __name__ == "__main__":
    DOCS.write_text(docs_with_table(DOCS.read_text(encoding="utf-8")), encoding="utf-8")
    sys.stdout.write(f"wrote {DOCS.relative_to(REPO_ROOT)}\n")
