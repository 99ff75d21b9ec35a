"""Persistence for the app's own data: consents, assessments, videos, analysis jobs, results.

SQLAlchemy 2 models (:mod:`actions.store.models`), Alembic migrations
(``actions/store/migrations``, configuration ``actions/store/alembic.ini``), a small
repository API (:mod:`actions.store.repo`), the media store layout
(:mod:`actions.store.media`) and the erase command (:mod:`actions.store.erase`).
Settings come from the environment (:mod:`actions.store.settings`). No Rasa imports here.
"""
