"""Use cases: issue, call, serve, book, remind, report. No Textual here."""
