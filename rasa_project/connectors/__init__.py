"""Our Rasa input channels, tracker store and routes (credentials.yml, endpoints.yml).

Rasa imports this package at start, before it handles any message: importing it makes
every log line of the Rasa process free of message text, tracker dumps and ids
(``kneeapp/log_privacy.py``).
"""

from kneeapp import log_privacy

log_privacy.install()
