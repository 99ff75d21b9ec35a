"""The clinic's helpdesk (Chatwoot): the API client (:mod:`.chatwoot`, needs ``requests``),
webhook verification (:mod:`.webhook_auth`) and webhook parsing (:mod:`.webhook_events`),
both standard library only so the Rasa process can import them.

Importing this package imports none of its modules.
"""
