"""Presentation of the domain's values without Textual: text, CSV, JSON, HTML with inline SVG,
and the printed summary. Pure string building: no I/O, no database, no terminal."""
