"""Models and migrations on SQLite and on the real PostgreSQL."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest
from sqlalchemy import inspect, select, text

from kneeapp import settings
from kneeapp.store.db import alembic_config, dispose_engines, ensure_db, get_engine, init_db
from kneeapp.store.models import AnalysisJob, Base, Consent, Video, utcnow
from tests.store.fixtures import APP_TABLES, create_pg_database, subprocess_env


def test_upgrade_head_creates_every_table(env, db_url):
    init_db()
    tables = set(inspect(get_engine()).get_table_names())
    assert set(APP_TABLES) | {"alembic_version"} <= tables
    with get_engine().connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0007"


def test_models_match_the_migrations(env, db_url):
    from alembic import command

    init_db()
    with get_engine().connect() as conn:
        config = alembic_config(db_url)
        config.attributes["connection"] = conn
        command.check(config)  # raises when autogenerate would find a difference


def test_downgrade_then_upgrade_again(env, db_url):
    from alembic import command

    init_db()
    with get_engine().begin() as conn:
        config = alembic_config(db_url)
        config.attributes["connection"] = conn
        command.downgrade(config, "base")
    assert not set(APP_TABLES) & set(inspect(get_engine()).get_table_names())
    dispose_engines()
    init_db()
    assert set(APP_TABLES) <= set(inspect(get_engine()).get_table_names())


def test_times_come_back_timezone_aware_utc(env, db_url):
    from kneeapp.store.db import session_scope

    local = dt.datetime(2026, 5, 1, 14, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    with session_scope() as session:
        session.add(Consent(conversation_id="c1", version="v1", given_at=local))
    with session_scope() as session:
        row = session.scalars(select(Consent)).one()
    assert row.given_at == local
    assert row.given_at.utcoffset() == dt.timedelta(0)
    assert row.given_at.hour == 12


def test_check_constraint_rejects_unknown_status(env, db_url):
    from sqlalchemy.exc import IntegrityError

    from kneeapp.store.db import session_scope

    with pytest.raises(IntegrityError), session_scope() as session:
        session.add(Video(id="a" * 32, conversation_id="c", sha256="0" * 64, size_bytes=1,
                          container="mp4", status="bogus", created_at=utcnow()))


def test_foreign_key_cascade_from_video_to_jobs(env, db_url):
    from sqlalchemy import delete

    from kneeapp.store.db import session_scope

    with session_scope() as session:
        session.add(Video(id="b" * 32, conversation_id="c", sha256="0" * 64, size_bytes=1,
                          container="mp4", status="stored", created_at=utcnow()))
        session.flush()
        session.add(AnalysisJob(id="c" * 32, video_id="b" * 32, conversation_id="c",
                                status="queued", attempts=0, created_at=utcnow()))
    with session_scope() as session:
        session.execute(delete(Video).where(Video.id == "b" * 32))
    with session_scope() as session:
        assert session.get(AnalysisJob, "c" * 32) is None


def test_sqlite_runs_in_wal_mode_with_busy_timeout(env, sqlite_url, monkeypatch, tmp_path):
    url = f"sqlite:///{tmp_path / 'new' / 'folder' / 'x.db'}"  # parent folders created
    engine = ensure_db(url)
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 10_000
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_default_database_url_is_var_app_db(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert settings.current().database_url == f"sqlite:///{settings.REPO_ROOT / 'var' / 'app.db'}"


def test_metadata_lists_the_five_tables():
    assert set(Base.metadata.tables) == set(APP_TABLES)


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_concurrent_init_db_from_several_processes(kind, tmp_path):
    if kind == "sqlite":
        url, drop = f"sqlite:///{tmp_path / 'race.db'}", None
    else:
        url, drop = create_pg_database("knee_test_race")
    try:
        code = "from kneeapp.store.db import init_db; init_db()"
        procs = [subprocess.Popen([sys.executable, "-c", code],
                                  env=subprocess_env({"DATABASE_URL": url}),
                                  stderr=subprocess.PIPE) for _ in range(3)]
        errors = [p.communicate(timeout=60)[1].decode() for p in procs]
        assert [p.returncode for p in procs] == [0, 0, 0], errors
        engine = ensure_db(url)
        assert set(APP_TABLES) <= set(inspect(engine).get_table_names())
    finally:
        dispose_engines()
        if drop is not None:
            drop()
