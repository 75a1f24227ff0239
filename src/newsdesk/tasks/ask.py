"""`ask`: answer a question from the article, with citations checked against what was shown."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field

from newsdesk.article import Article, Sentence
from newsdesk.citations import Citation, check_ids, resolve
from newsdesk.llm.client import LLMClient, Message
from newsdesk.prompts import render
from newsdesk.tasks.evidence import select_evidence
from newsdesk.tokens import count_tokens

NOT_SAID = "The article does not say."
MAX_CITATIONS = 3


class AskOutput(BaseModel):
    """What the model must return (field order = generation order: evidence first)."""

    citations: list[str] = Field(default_factory=list)
    answer: str
    answerable: bool


def ask_schema(shown_ids: list[str]) -> dict[str, Any]:
    """JSON schema whose citation ids are limited to the sentences shown to the model."""
    return {
        "type": "object",
        "properties": {
            "citations": {
                "type": "array",
                "items": {"type": "string", "enum": shown_ids},
                "maxItems": MAX_CITATIONS,
            },
            "answer": {"type": "string"},
            "answerable": {"type": "boolean"},
        },
        "required": ["citations", "answer", "answerable"],
        "additionalProperties": False,
    }


@dataclass
class AskPrompt:
    question: str
    messages: list[Message]
    shown: list[str]
    schema: dict[str, Any]
    tokens: int


@dataclass
class AskResult:
    question: str
    answer: str
    answerable: bool
    citations: list[Citation] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # ids the model gave that were not valid

    @property
    def supported(self) -> bool:
        """An answer counts as fact only when a valid citation backs it."""
        return not self.answerable or bool(self.citations)

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answer": self.answer,
            "answerable": self.answerable,
            "supported": self.supported,
            "citations": [c.to_dict() for c in self.citations],
            "dropped_citations": self.dropped,
        }


def build_prompt(
    article: Article, question: str, budget: int, model: str | None = None
) -> AskPrompt:
    shown: list[Sentence] = select_evidence(article, question, budget, model)
    text = render("ask.j2", sentences=shown, question=question)
    ids = [s.id for s in shown]
    return AskPrompt(
        question=question,
        messages=[{"role": "user", "content": text}],
        shown=ids,
        schema=ask_schema(ids),
        tokens=count_tokens(text, model),
    )


def interpret(output: AskOutput, prompt: AskPrompt, article: Article) -> AskResult:
    """Turn the model's output into a result a reader can trust (pure: no LLM here)."""
    if not output.answerable:
        dropped = list(output.citations)  # citations on a non-answer support nothing
        return AskResult(prompt.question, NOT_SAID, False, [], dropped)
    check = check_ids(output.citations, article, prompt.shown)
    answer = output.answer.strip() or NOT_SAID
    return AskResult(prompt.question, answer, True, resolve(check.valid, article), check.dropped)


def ask(article: Article, question: str, llm: LLMClient) -> AskResult:
    prompt = build_prompt(article, question, llm.settings.article_budget, llm.model)

    def problems(out: AskOutput) -> str | None:
        bad = check_ids(out.citations, article, prompt.shown).dropped
        return f"citations {bad} are not sentence ids shown in the article" if bad else None

    output = llm.structured(
        prompt.messages,
        AskOutput,
        prompt.schema,
        check=problems,
        max_tokens=200,
        schema_name="answer",
    )
    return interpret(output, prompt, article)
