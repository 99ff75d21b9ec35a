"""The app's infrastructure, shared by the action server, the analysis worker and the CLI
tools: settings (:mod:`kneeapp.settings`), persistence (:mod:`kneeapp.store`) and
asynchronous video analysis (:mod:`kneeapp.jobs`). No Rasa imports here; ``actions/``
keeps the Rasa glue and the domain logic.
"""
