"""Renderers: results to terminal text, Markdown, HTML and JSON. No I/O beyond the console given."""
