"""The one settings object: parsing, limits, production secrets, and its generated docs."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from kneeapp import settings

REPO = Path(__file__).resolve().parents[2]
CODE_DIRS = ("actions", "kneeapp", "rasa_project/connectors")


def test_defaults_when_nothing_is_set() -> None:
    config = settings.current({})
    assert config == settings.DEFAULTS
    assert config.database_url == f"sqlite:///{REPO / 'var' / 'app.db'}"
    assert (config.queue_backend, config.analysis_time_limit_s, config.rasa_base_url) == (
        "local", 240.0, "http://127.0.0.1:5005")
    assert config.clinic is None and not config.production


def test_values_are_parsed_and_raised_to_their_minimum() -> None:
    config = settings.current({"ANALYSIS_MEMORY_MB": "2048", "WORKER_POLL_S": "0",
                               "QUEUE_BACKEND": " RQ ", "RASA_PORT": "6000",
                               "MEDIA_DIR": "/srv/media", "CLINIC_NAME": "Riverside Physio"})
    assert config.analysis_memory_mb == 2048 and config.worker_poll_s == 0.05
    assert config.queue_backend == "rq" and config.media_dir == Path("/srv/media")
    assert config.rasa_base_url == "http://127.0.0.1:6000"
    assert config.clinic == {"name": "Riverside Physio"}
    assert settings.current({"RASA_URL": "http://rasa:5005/"}).rasa_base_url == "http://rasa:5005"


@pytest.mark.parametrize("environ, message", [
    ({"ANALYSIS_TIME_LIMIT_S": "four minutes"}, "ANALYSIS_TIME_LIMIT_S must be a number"),
    ({"QUEUE_BACKEND": "celery"}, "QUEUE_BACKEND must be 'local' or 'rq'"),
])
def test_an_unusable_value_names_its_variable(environ: dict[str, str], message: str) -> None:
    with pytest.raises(settings.SettingsError, match=re.escape(message)):
        settings.current(environ)


def test_production_refuses_default_or_short_secrets() -> None:
    assert settings.current({}).production_problems() == []
    missing = settings.current({"APP_ENV": "production"}).production_problems()
    assert missing == ["UPLOAD_TOKEN_SECRET is required when APP_ENV=production"]
    short = settings.current({"APP_ENV": "prod", "UPLOAD_TOKEN_SECRET": "x" * 31})
    assert short.production_problems() == ["UPLOAD_TOKEN_SECRET must be at least 32 bytes"]
    good = settings.current({"APP_ENV": "Production", "UPLOAD_TOKEN_SECRET": "x" * 32})
    assert good.production and good.production_problems() == []


def test_the_docs_table_is_generated_from_the_definitions() -> None:
    docs = settings.DOCS.read_text(encoding="utf-8")
    assert docs == settings.docs_with_table(docs), (
        "docs/settings.md is out of date: run .venv/actions/bin/python -m kneeapp.settings")
    for field in dataclasses.fields(settings.Settings):
        assert f"`{field.metadata['env']}`" in docs


def test_no_app_code_reads_a_setting_from_the_environment_itself() -> None:
    """Every app variable is read through kneeapp.settings, nowhere else."""
    names = {field.metadata["env"] for field in dataclasses.fields(settings.Settings)}
    readers = []
    for directory in CODE_DIRS:
        for path in sorted((REPO / directory).rglob("*.py")):
            if path == REPO / "kneeapp" / "settings.py":
                continue
            code = path.read_text(encoding="utf-8")
            readers += [f"{path.relative_to(REPO)}: {name}" for name in names
                        if re.search(rf"environ(?:\.get)?[\[(]\s*f?[\"']{name}", code)]
    assert readers == []


def test_each_messaging_app_fetches_videos_up_to_its_own_limit() -> None:
    config = settings.current({"UPLOAD_MAX_BYTES": str(18 * 1024 * 1024)})
    assert config.in_app_video_limit_bytes("telegram") == 18 * 1024 * 1024  # the upload cap
    assert config.in_app_video_limit_bytes("whatsapp") == 16 * 1024 * 1024
    assert config.in_app_video_limit_bytes("twilio_whatsapp") == 16 * 1024 * 1024
    assert config.in_app_video_limit_bytes("socketio") is None  # the web chat uses a link


def test_the_helpdesk_is_on_with_all_four_settings_and_needs_its_webhook_secret() -> None:
    four = {"CHATWOOT_URL": "https://desk.example", "CHATWOOT_API_TOKEN": "t",
            "CHATWOOT_ACCOUNT_ID": "1", "CHATWOOT_INBOX_ID": "2"}
    assert not settings.current({}).chatwoot_enabled
    assert settings.current({}).chatwoot_problems() == []
    for left_out in four:
        partial = settings.current({k: v for k, v in four.items() if k != left_out})
        assert not partial.chatwoot_enabled
    config = settings.current(four)
    assert config.chatwoot_enabled
    assert config.chatwoot_problems() == ["CHATWOOT_WEBHOOK_SECRET is required with CHATWOOT_URL"]
    assert settings.current(four | {"CHATWOOT_WEBHOOK_SECRET": "s"}).chatwoot_problems() == []


def test_one_number_one_unit_for_the_video_limit() -> None:
    limit = settings.DEFAULTS.upload_max_bytes
    assert settings.megabytes(limit) == 209 and settings.megabytes(1) == 1
    sources = [(REPO / path).read_text(encoding="utf-8") for path in (
        "rasa_project/connectors/upload_store.py", "rasa_project/connectors/chat_app.py",
        "actions/conversation.py")]
    assert all("1024 * 1024" not in code and "// 1_000_000" not in code for code in sources)
    assert all("megabytes(" in code for code in sources)
