"""The brief task's prompts and model calls, and the task as `newsdesk eval` runs it.

Per article, three calls share one prompt prefix and differ only in their last part, so the
backend's prompt cache reuses the prefix (llama.cpp keeps the KV cache of the shared tokens,
OpenAI discounts a cached prefix). Several articles add one cross-article call on their key
points. Each call is made once, never re-asked: every part of a briefing has a fallback by rule,
and a re-ask costs a whole prompt and answer again (a small model that looped once loops again).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel

from newsdesk.article import Article, Sentence
from newsdesk.chunking import sentence_line
from newsdesk.errors import ModelOutputError
from newsdesk.parties import PartyCandidate, find_parties
from newsdesk.prompts import Prompt, build_prompt
from newsdesk.tasks.brief.checking import check_statements
from newsdesk.tasks.brief.interpret import interpret_article, interpret_synthesis
from newsdesk.tasks.brief.outputs import (
    DebateOut,
    Limits,
    PartiesOut,
    PointsOut,
    SynthesisOut,
    debate_limits,
    parties_limits,
    points_limits,
    synthesis_limits,
)
from newsdesk.tasks.brief.results import ArticleBrief, Briefing, Ref
from newsdesk.tasks.profile import small_model
from newsdesk.tokens import count_tokens

if TYPE_CHECKING:
    from newsdesk.llm.client import LLMClient

Out = TypeVar("Out", bound=BaseModel)

MAX_PARTIES = 6  # in "who is who" (found by rule)
MODEL_PARTIES = 4  # of which the model is asked for a position: generated tokens cost most
MAX_TOKENS = {"points": 200, "parties": 200, "debate": 180, "synthesis": 200}


def shown_sentences(article: Article, budget: int, model: str | None = None) -> list[Sentence]:
    """The whole article when it fits the budget, else its lead: one selection for every call,
    so all of them share the same prefix (news puts what matters first)."""
    out: list[Sentence] = []
    total = 0
    for s in article.sentences:
        cost = count_tokens(sentence_line(s), model) + 1
        if out and total + cost > budget:
            break
        out.append(s)
        total += cost
    return out


def party_candidates(article: Article) -> list[PartyCandidate]:
    return find_parties(article)[:MAX_PARTIES]


def build_prompts(
    article: Article,
    budget: int,
    model: str | None = None,
    small: bool = False,
    template: str | None = None,
) -> tuple[list[Sentence], list[PartyCandidate], list[Prompt[Any]]]:
    """The calls for one article: instruct templates (system + user turns), or for the 270M
    base model (`profile.small_model`) its example-first `-base` templates. `template`, a
    variant, replaces the first call's (headline and key points)."""
    shown = shown_sentences(article, budget, model)
    ids = [s.id for s in shown]
    parties = party_candidates(article)
    names = [p.name for p in parties[:MODEL_PARTIES]]
    suffix = "-base.j2" if small else ".j2"

    def make(
        name: str, output: type[BaseModel], limits: Limits, own: str | None = None, **extra: Any
    ) -> Prompt[Any]:
        return build_prompt(
            name,
            own or f"brief_{name}{suffix}",
            output,
            shown=ids,
            max_tokens=MAX_TOKENS[name],
            model=model,
            limits=limits,
            sentences=shown,
            **extra,
        )

    made = [make("points", PointsOut, points_limits(), template)]
    if names:
        made.append(make("parties", PartiesOut, parties_limits(names), parties=names))
    made.append(make("debate", DebateOut, debate_limits()))
    return shown, parties, made


def synthesis_prompt(
    briefs: list[ArticleBrief], model: str | None = None
) -> tuple[Prompt[SynthesisOut], dict[str, Ref]]:
    """The cross-article call: each article's key points with qualified ids (A2:S5)."""
    lines: dict[str, Ref] = {}
    blocks = []
    for b in briefs:
        lines_: list[dict[str, str]] = []
        for st in [b.headline, *b.points]:
            for c in st.citations[:1]:
                qid = c.label(True)
                if qid not in lines:
                    lines[qid] = c
                    lines_.append({"id": qid, "text": c.text})
        blocks.append({"index": b.index, "lines": lines_})
    prompt = build_prompt(
        "synthesis",
        "brief_synthesis.j2",
        SynthesisOut,
        shown=list(lines),
        max_tokens=MAX_TOKENS["synthesis"],
        model=model,
        limits=synthesis_limits(),
        articles=blocks,
    )
    return prompt, lines


def ask_model(llm: LLMClient, prompt: Prompt[Out], notes: list[str]) -> Out | None:
    """One call, no re-ask; a cut-off answer keeps its complete items. None (and a note) when
    the answer is unusable: that part of the briefing then comes from the article by rule."""
    try:
        return llm.structured(prompt, reask=False, partial=True, notes=notes)
    except ModelOutputError as exc:
        why = f"the model's answer was invalid ({exc.problem})" if exc.problem else str(exc)
        notes.append(f"{prompt.name}: {why}; shown from the article by rule instead")
        return None


def _answer(answers: dict[str, BaseModel | None], name: str, kind: type[Out]) -> Out | None:
    got = answers.get(name)
    return got if isinstance(got, kind) else None


def brief_article(
    article: Article, llm: LLMClient, index: int = 1, template: str | None = None
) -> ArticleBrief:
    mark = llm.usage.mark()
    settings = llm.settings
    shown_s, candidates, prompts = build_prompts(
        article, settings.article_budget, llm.model, small_model(settings), template
    )
    shown = [s.id for s in shown_s]
    notes: list[str] = []
    if len(shown) < len(article.sentences):
        notes.append(
            f"the model saw sentences {shown[0]}–{shown[-1]} of {len(article.sentences)} "
            "(prompt budget); the rest is found by rule only"
        )
    answers: dict[str, BaseModel | None] = {p.name: ask_model(llm, p, notes) for p in prompts}
    result = interpret_article(
        article,
        candidates,
        shown,
        index,
        _answer(answers, "points", PointsOut),
        _answer(answers, "parties", PartiesOut),
        _answer(answers, "debate", DebateOut),
    )
    result.notes = notes
    check_statements(article, llm, result, shown_s)
    result.usage = llm.usage.since(mark)
    return result


def brief(articles: list[Article], llm: LLMClient, template: str | None = None) -> Briefing:
    """A briefing on `articles`; with several, one more call connects them."""
    mark = llm.usage.mark()
    briefs = [brief_article(a, llm, i, template) for i, a in enumerate(articles, start=1)]
    synthesis = None
    if len(briefs) > 1:
        prompt, lines = synthesis_prompt(briefs, llm.model)
        out = ask_model(llm, prompt, [])  # its notes are not printed: no section to hold them
        synthesis = interpret_synthesis(out, lines, briefs)
    return Briefing(
        model=llm.model, articles=briefs, synthesis=synthesis, usage=llm.usage.since(mark)
    )


def dry_run_prompts(
    articles: list[Article],
    budget: int,
    model: str | None,
    small: bool = False,
    template: str | None = None,
) -> list[Prompt[Any]]:
    out: list[Prompt[Any]] = []
    for a in articles:
        out.extend(build_prompts(a, budget, model, small, template)[2])
    return out
