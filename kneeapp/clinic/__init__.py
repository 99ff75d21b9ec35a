"""The clinic's side: its helpdesk (Chatwoot), the summaries sent there, and the PDF.

What the clinic reads about an assessment is put into words once
(:mod:`kneeapp.clinic.summary_words`) and laid out as a printable clinician summary
(:mod:`kneeapp.clinic.summary_pdf`, with the analysis's key pictures from
:mod:`kneeapp.clinic.pictures`) and as a note for the helpdesk
(:mod:`kneeapp.clinic.summary_note`). Those four are made in both environments (the Rasa
server serves and sends the PDF, the worker attaches it in the helpdesk): no database, no
video library, no Rasa.
"""
