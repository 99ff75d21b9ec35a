"""Asynchronous video analysis: the job rows and their state machine (:mod:`.queue`), the
queue backends (:mod:`.backends`: local database queue, RQ on Redis), the job function
(:mod:`.run`) and its limited child process (:mod:`.limits`, :mod:`.child`), the worker
(:mod:`.worker`), the probe used before enqueueing (:mod:`.probe`), notifying Rasa
(:mod:`.notify`) and retention of raw uploads (:mod:`.retention`).

Importing this package has no side effects; the analysis library is imported only in the
child process.
"""
