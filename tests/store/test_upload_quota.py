"""Upload bounds in the database (SQLite and PostgreSQL): per upload link, per conversation
within the window, given back when a video is not kept, and exact under concurrency."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text

from kneeapp.store import plain_sql, upload_quota
from kneeapp.store.db import init_db
from kneeapp.store.upload_quota import Limits, QuotaExceeded


@pytest.fixture
def tables(env):
    init_db()
    yield
    plain_sql.dispose()


def _refusal(conversation: str, token: str | None, limits: Limits) -> str:
    with pytest.raises(QuotaExceeded) as refused:
        upload_quota.reserve(conversation, token, limits)
    return refused.value.reason


def test_a_link_takes_its_uses_and_a_fresh_link_more(tables):
    limits = Limits(token_max_uses=3, conversation_max=10, window_s=3600)
    for _ in range(3):
        upload_quota.reserve("conv-a", "link-1", limits)
    assert _refusal("conv-a", "link-1", limits) == "token_used_up"
    upload_quota.reserve("conv-a", "link-2", limits)


def test_a_conversation_takes_its_uploads_within_the_window(tables):
    limits = Limits(token_max_uses=3, conversation_max=4, window_s=3600)
    for index in range(4):
        upload_quota.reserve("conv-b", None if index % 2 else f"link-{index}", limits)
    assert _refusal("conv-b", None, limits) == "conversation_limit"
    assert _refusal("conv-b", "link-new", limits) == "conversation_limit"
    upload_quota.reserve("conv-other", None, limits)
    with plain_sql.engine().begin() as connection:  # the window moves on: a day later
        connection.execute(text("UPDATE upload_uses SET created_at = '2000-01-01 00:00:00' "
                                "WHERE conversation_id = 'conv-b'"))
    upload_quota.reserve("conv-b", None, limits)


def test_a_released_use_is_given_back(tables):
    limits = Limits(token_max_uses=1, conversation_max=1, window_s=3600)
    reservation = upload_quota.reserve("conv-c", "link", limits)
    assert _refusal("conv-c", "link", limits) == "token_used_up"
    upload_quota.release(reservation)
    upload_quota.reserve("conv-c", "link", limits)


def test_concurrent_uploads_never_exceed_the_bounds(tables):
    limits = Limits(token_max_uses=3, conversation_max=5, window_s=3600)

    def upload(token: str) -> str:
        try:
            upload_quota.reserve("conv-d", token, limits)
        except QuotaExceeded as exceeded:
            return exceeded.reason
        return token

    with ThreadPoolExecutor(max_workers=10) as pool:
        outcomes = list(pool.map(upload, [f"link-{i % 2}" for i in range(10)]))
    granted = [o for o in outcomes if o.startswith("link-")]
    assert len(granted) == 5
    assert max(granted.count("link-0"), granted.count("link-1")) == 3


def test_the_token_is_never_stored(tables):
    upload_quota.reserve("conv-e", "the-secret-upload-link")
    with plain_sql.engine().connect() as connection:
        rows = connection.execute(text("SELECT * FROM upload_uses")).all()
    assert rows and not any("the-secret-upload-link" in str(cell) for row in rows for cell in row)
