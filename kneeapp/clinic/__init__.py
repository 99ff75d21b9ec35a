"""The clinic's side: its helpdesk (Chatwoot), the summaries sent there, and the PDF."""
