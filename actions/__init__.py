"""The action server's actions (``python -m rasa_sdk --actions actions``).

rasa-sdk imports this package at start: importing it makes every log line of the action
server free of message text, tracker dumps and ids (``kneeapp/log_privacy.py``).
"""

from kneeapp import log_privacy

log_privacy.install()
