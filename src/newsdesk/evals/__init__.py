"""Prompt regression tests: `newsdesk eval` (suite loading, assertions, runner, reports)."""
