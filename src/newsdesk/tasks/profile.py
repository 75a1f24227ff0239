"""Which prompt profile the tasks give the model being served: a task's decision, made from
the model registry's facts (`modelfiles`), not a setting."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from newsdesk.config import Settings


def small_model(settings: Settings) -> bool:
    """The tiny base model is served embedded, so the tasks use their small-model prompts
    (example-first templates, a few sentences shown, one short call at a time).

    False for --gguf files and remote models, whatever their name: newsdesk has not measured
    them, and an endpoint's 'gemma-3-270m' may be another model."""
    spec = settings.embedded_spec
    return spec is not None and spec.small
