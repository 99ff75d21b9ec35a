"""Persistence for the app's own data: consents, assessments, videos, analysis jobs, results.

SQLAlchemy 2 models (:mod:`kneeapp.store.models`), Alembic migrations
(``kneeapp/store/migrations``, configuration ``kneeapp/store/alembic.ini``), a small
repository API (:mod:`kneeapp.store.repo`), the media store layout
(:mod:`kneeapp.store.media`) and the erase command (:mod:`kneeapp.store.erase`).
Settings come from the environment (:mod:`kneeapp.settings`). No Rasa imports here.
"""
