"""What the clinic receives about an assessment, in words: a printable clinician summary
(:mod:`kneeapp.clinic.summary_pdf`) and a note for the clinic's helpdesk
(:mod:`kneeapp.clinic.summary_note`), both laid out from the same words
(:mod:`kneeapp.clinic.summary_words`), with the analysis's key pictures
(:mod:`kneeapp.clinic.pictures`).

Imported by both environments (the Rasa server serves and sends the PDF, the worker
attaches it in the helpdesk): no database, no video library, no Rasa.
"""
