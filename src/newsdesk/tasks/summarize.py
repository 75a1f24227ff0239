"""`summarize`: a summary whose every line cites the article sentences it rests on.

How (one direction, no back and forth):

1. **Rank** the sentences deterministically (`rank_sentences`): news puts the point first, so
   the lede weighs most; a mild centrality term (words the sentence shares with the rest of the
   article) breaks ties; page furniture ("Scroll down for video", bylines) and fragments are
   skipped.
2. **Show** the model candidates: the whole article when it fits the prompt budget (an
   instruction-tuned model chooses and writes each line itself), but the small bundled model (a
   270M base model that copies rather than condenses) sees only the best `n + 1` sentences,
   best first, and picks ids. Whether a model is asked at all is `Settings.
   model_writes_summaries`: yes for an endpoint or a --gguf file; for the embedded models, no,
   as measured on summ-frank (`bench/summary_quality.py`, 20 records, same run): Qwen's own
   grounded lines scored ROUGE-1 0.359 and the 270M model's picks 0.391 against the ranking
   alone's 0.394 (lead-3 0.381), so their summaries quote the ranking's lines
   (`use_model=True` forces the call).
   An article over the budget is summarised **map-reduce**: each token chunk
   (`chunking.chunk_article`) is summarised the same way, then one final pass summarises the
   sentences the chunk summaries cited.
3. **Interpret** (pure): a line keeps the model's wording only when `grounding.ground` finds it
   in the sentences it cites (or re-cites it to the shown sentence whose words it copies);
   otherwise the line becomes the best cited sentence itself, lightly cleaned. A line left with
   no valid citation is kept but flagged unsupported. Lines short of the requested count are
   filled from the ranking; lines are printed in article order.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from newsdesk.article import Article, Sentence
from newsdesk.chunking import chunk_article, sentence_line
from newsdesk.citations import Citation, check_ids, resolve
from newsdesk.errors import InputError, ModelOutputError
from newsdesk.grounding import Grounded, ground
from newsdesk.prompts import messages_text, render_messages
from newsdesk.retrieval import tokenize
from newsdesk.tokens import count_tokens

if TYPE_CHECKING:
    from newsdesk.config import Settings
    from newsdesk.llm.client import LLMClient, Message
    from newsdesk.llm.usage import Usage

LENGTHS: dict[str, int] = {"headline": 1, "short": 3, "bullets": 5, "long": 8}
MAX_IDS_PER_LINE = 3
TOKENS_PER_LINE = 70  # output budget per summary line (ids + one sentence of text)
TOKENS_PER_IDS_LINE = 14  # output budget per line when the model only picks ids

Progress = Callable[[int, int], None]

# Page furniture and teasers that are not news: skipped as summary material.
_JUNK = re.compile(
    r"^(?:scroll down|click here|follow\b|published:|updated:|last updated|by \.|read more|"
    r"watch\b|video\b|photo\b|sign up|subscribe|share this|advertisement)",
    re.IGNORECASE,
)
# Leading dateline/credit noise inside the first sentence: "(CNN)", "Scroll down for video".
_PREFIX = re.compile(
    r"^(?:\((?:cnn|ew\.com|[a-z .]{2,30})\)\s*|scroll down for video\s*[:.-]?\s*)",
    re.IGNORECASE,
)
MIN_WORDS = 6


class SummaryLineOutput(BaseModel):
    ids: list[str] = Field(default_factory=list)
    text: str = ""


class SummaryOutput(BaseModel):
    """What the model returns (per line: evidence ids first, then the text)."""

    lines: list[SummaryLineOutput] = Field(default_factory=list)


@dataclass
class SummaryLine:
    text: str
    citations: list[Citation] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # ids the model gave that were not valid
    supported: bool = True
    # "model": the model's wording; "picked": a sentence the model chose, quoted;
    # "extract": a sentence from the deterministic ranking (the model gave too few lines)
    source: str = "model"

    @property
    def ids(self) -> list[str]:
        return [c.id for c in self.citations]

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "citations": [c.to_dict() for c in self.citations],
            "supported": self.supported,
            "source": self.source,
            "dropped_citations": self.dropped,
        }


@dataclass
class SummaryResult:
    length: str
    lines: list[SummaryLine] = field(default_factory=list)
    central: str | None = None  # the gist in one line: the first line's text
    chunks: int = 1  # >1: summarised map-reduce over that many chunks
    method: str = "ranking"  # "model": the model chose/wrote the lines; "ranking": no model call
    usage: Usage | None = None

    @property
    def unsupported(self) -> list[SummaryLine]:
        return [line for line in self.lines if not line.supported]

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "length": self.length,
            "central": self.central,
            "chunks": self.chunks,
            "method": self.method,
            "lines": [line.to_dict() for line in self.lines],
        }
        if self.usage is not None:
            data["usage"] = self.usage.to_dict()
        return data


@dataclass
class SummaryPrompt:
    messages: list[Message]
    shown: list[str]
    schema: dict[str, Any]
    tokens: int
    max_tokens: int
    lines: int


# ---------------------------------------------------------------- deterministic part


def line_count(length: str) -> int:
    try:
        return LENGTHS[length]
    except KeyError:
        raise InputError(f"--length must be one of {', '.join(LENGTHS)}, not {length!r}") from None


def clean_text(text: str) -> str:
    """A sentence as a summary line: dateline/credit prefixes such as "(CNN)" removed."""
    previous = None
    while previous != text:
        previous = text
        text = _PREFIX.sub("", text).strip()
    return text


def is_material(sentence: Sentence) -> bool:
    """Not page furniture and not a fragment."""
    text = clean_text(sentence.text)
    return len(text.split()) >= MIN_WORDS and not _JUNK.match(text)


def rank_sentences(article: Article, sentences: list[Sentence] | None = None) -> list[Sentence]:
    """Summary material, best first: the lede weighs most, centrality breaks near-ties."""
    pool = article.sentences if sentences is None else sentences
    tokens = {s.id: set(tokenize(s.text)) for s in article.sentences}
    df: Counter[str] = Counter()
    for words in tokens.values():
        df.update(words)
    n = max(1, len(article.sentences))

    def centrality(s: Sentence) -> float:
        words = tokens[s.id]
        if not words:
            return 0.0
        return sum(df[w] - 1 for w in words) / math.sqrt(len(words)) / n

    scores = {s.id: centrality(s) for s in pool}
    top = max(scores.values(), default=0.0) or 1.0
    material = [s for s in pool if is_material(s)] or list(pool)
    return sorted(material, key=lambda s: (-(1.0 / s.index + 0.2 * scores[s.id] / top), s.index))


MIN_LINE_WORDS = 3  # a summary line is a sentence, not a phrase


def grounded(text: str, ids: list[str], article: Article, shown: list[str]) -> Grounded | None:
    """The line's wording checked by the one grounding rule (`grounding.ground`): its verdict
    when the line keeps its wording (ids corrected to the shown sentences whose words it
    uses), None when it does not (too short to be a line, or not in the sentences' words)."""
    if len(text.split()) < MIN_LINE_WORDS:
        return None
    verdict = ground(text, ids, article, shown)
    return verdict if verdict.supported else None


# ---------------------------------------------------------------- prompts


def summary_schema(shown_ids: list[str], lines: int, write: bool = True) -> dict[str, Any]:
    """JSON schema: at most `lines` lines, each citing 1-3 of the ids that were shown (and,
    when `write`, with its own text)."""
    item: dict[str, Any] = {
        "ids": {
            "type": "array",
            "items": {"type": "string", "enum": shown_ids},
            "minItems": 1,
            "maxItems": MAX_IDS_PER_LINE,
        }
    }
    if write:
        item["text"] = {"type": "string"}
    return {
        "type": "object",
        "properties": {
            "lines": {
                "type": "array",
                "minItems": 1,
                "maxItems": lines,
                "items": {
                    "type": "object",
                    "properties": item,
                    "required": list(item),
                    "additionalProperties": False,
                },
            }
        },
        "required": ["lines"],
        "additionalProperties": False,
    }


def shown_sentences(
    article: Article,
    pool: list[Sentence],
    lines: int,
    budget: int,
    model: str | None = None,
    small: bool = False,
) -> list[Sentence]:
    """What one prompt shows: everything that fits the budget, in article order; for the
    small model (`Settings.small_model`: a 270M base model that copies rather than condenses)
    the best n+1 candidates, best first (it mostly keeps the first ones it sees)."""
    ranked = rank_sentences(article, pool)
    keep = lines + 1 if small else len(ranked)
    chosen: list[Sentence] = []
    used = 0
    for s in ranked[:keep]:
        cost = count_tokens(sentence_line(s) + "\n", model)
        if chosen and used + cost > budget:
            continue
        chosen.append(s)
        used += cost
    return chosen if small else sorted(chosen, key=lambda s: s.index)


def build_prompt(
    article: Article,
    pool: list[Sentence],
    lines: int,
    budget: int,
    model: str | None = None,
    stage: str = "article",
    write: bool | None = None,
    small: bool = False,
) -> SummaryPrompt:
    """The small model (measured: its own wording was mostly ungrounded or looping) only picks
    sentences from a short list, with its own base-model template, and the lines quote them;
    an instruction-tuned model writes its own lines, which grounding then checks."""
    if write is None:
        write = not small
    shown = shown_sentences(article, pool, lines, budget, model, small)
    template = "summarize-base.j2" if small else "summarize.j2"
    messages = render_messages(template, sentences=shown, lines=lines, stage=stage, write=write)
    text = messages_text(messages)
    ids = [s.id for s in shown]
    per_line = TOKENS_PER_LINE if write else TOKENS_PER_IDS_LINE
    return SummaryPrompt(
        messages=messages,
        shown=ids,
        schema=summary_schema(ids, lines, write),
        tokens=count_tokens(text, model),
        max_tokens=per_line * lines + 20,
        lines=lines,
    )


def over_budget(article: Article, budget: int, model: str | None = None) -> bool:
    return count_tokens(article.numbered(), model) > budget


def plan(article: Article, length: str, settings: Settings) -> list[SummaryPrompt]:
    """The prompts a run sends first (for --dry-run): one, or one per chunk (map stage; the
    final pass is built from what they return)."""
    n = line_count(length)
    budget, model, small = settings.article_budget, settings.model_name, settings.small_model
    if not over_budget(article, budget, model):
        return [build_prompt(article, article.sentences, n, budget, model, small=small)]
    return [
        build_prompt(article, _chunk_sentences(article, ids), n, budget, model, "part", small=small)
        for ids in _chunk_ids(article, budget, model)
    ]


def _chunk_ids(article: Article, budget: int, model: str | None) -> list[list[str]]:
    return [c.sentence_ids for c in chunk_article(article, max_tokens=budget, model=model)]


def _chunk_sentences(article: Article, ids: list[str]) -> list[Sentence]:
    return [article.by_id[i] for i in ids]


# ---------------------------------------------------------------- interpretation (pure)


def interpret(
    output: SummaryOutput | None, prompt: SummaryPrompt, article: Article, length: str
) -> SummaryResult:
    """The model's lines made trustworthy: grounded wording kept, the rest replaced by the
    cited sentence; lines without valid citations flagged; missing lines filled from the
    ranking. `output` None (the model failed twice) gives the extractive summary."""
    n = prompt.lines
    shown = [article.by_id[i] for i in prompt.shown]
    rank = {s.id: r for r, s in enumerate(rank_sentences(article, shown))}
    lines: list[SummaryLine] = []
    used: set[str] = set()
    for raw in output.lines[:n] if output is not None else []:
        check = check_ids(raw.ids, article, prompt.shown)
        text = " ".join(raw.text.split())
        if not check.valid:
            if text:
                lines.append(SummaryLine(text, [], check.dropped, supported=False))
            continue
        sources = [article.by_id[i] for i in check.valid]
        verdict = grounded(text, check.valid, article, prompt.shown)
        if verdict is not None:
            if used.issuperset(verdict.ids):
                continue  # says again what an earlier line already cites
            lines.append(SummaryLine(text, resolve(verdict.ids, article), check.dropped))
            used.update(verdict.ids)
            continue
        best = min(sources, key=lambda s: rank.get(s.id, len(rank) + s.index))
        if best.id in used:
            continue
        lines.append(
            SummaryLine(
                clean_text(best.text), resolve([best.id], article), check.dropped, source="picked"
            )
        )
        used.add(best.id)
    for s in sorted(shown, key=lambda s: rank.get(s.id, len(rank) + s.index)):
        if len(lines) >= n:
            break
        if s.id in used or s.id not in rank:
            continue
        lines.append(SummaryLine(clean_text(s.text), resolve([s.id], article), source="extract"))
        used.add(s.id)

    def position(line: SummaryLine) -> int:
        return line.citations[0].start if line.citations else len(article.text)

    lines.sort(key=position)
    return SummaryResult(length, lines, central=lines[0].text if lines else None)


# ---------------------------------------------------------------- the LLM part


def _run(
    prompt: SummaryPrompt, article: Article, llm: LLMClient, length: str, use_model: bool
) -> SummaryResult:
    if not use_model:
        return interpret(None, prompt, article, length)

    def problems(out: SummaryOutput) -> str | None:
        if not out.lines:
            return "no summary lines"
        bad = [i for line in out.lines for i in check_ids(line.ids, article, prompt.shown).dropped]
        return f"citations {bad} are not sentence ids shown in the article" if bad else None

    try:
        output: SummaryOutput | None = llm.structured(
            prompt.messages,
            SummaryOutput,
            prompt.schema,
            check=problems,
            max_tokens=prompt.max_tokens,
            schema_name="summary",
        )
    except ModelOutputError:
        output = None  # junk twice (e.g. a small model looping): the extractive summary stands
    return interpret(output, prompt, article, length)


def summarize(
    article: Article,
    llm: LLMClient,
    length: str = "bullets",
    progress: Progress | None = None,
    *,
    use_model: bool | None = None,
) -> SummaryResult:
    """Summarise `article` in `length` (headline | short | bullets | long), every line cited.

    `progress(done, total)` is called as the map-reduce stages finish (total 1 when the article
    fits the prompt budget). `use_model` None: ask the model where `Settings.
    model_writes_summaries` says (not the embedded models, whose lines measured worse than the
    ranking alone); True forces the call (its picks, or its own
    wording)."""
    n = line_count(length)
    budget, model, small = llm.settings.article_budget, llm.model, llm.settings.small_model
    if use_model is None:
        use_model = llm.settings.model_writes_summaries
    before = len(llm.usage.records)
    if not over_budget(article, budget, model):
        if progress:
            progress(0, 1)
        result = _run(
            build_prompt(article, article.sentences, n, budget, model, small=small),
            article,
            llm,
            length,
            use_model,
        )
        if progress:
            progress(1, 1)
    else:
        chunks = _chunk_ids(article, budget, model)
        total = len(chunks) + 1
        if progress:
            progress(0, total)
        cited: set[str] = set()
        for done, ids in enumerate(chunks, start=1):
            sents = _chunk_sentences(article, ids)
            part = build_prompt(article, sents, n, budget, model, "part", small=small)
            cited.update(
                i for line in _run(part, article, llm, length, use_model).lines for i in line.ids
            )
            if progress:
                progress(done, total)
        pool = [s for s in article.sentences if s.id in cited] or article.sentences
        final = build_prompt(article, pool, n, budget, model, small=small)
        result = _run(final, article, llm, length, use_model)
        result.chunks = len(chunks)
        if progress:
            progress(total, total)
    from newsdesk.llm.usage import UsageLog

    result.usage = UsageLog(llm.usage.records[before:]).total()
    result.method = "model" if use_model else "ranking"
    return result


def extractive(article: Article, length: str = "short") -> SummaryResult:
    """The summary with no model at all: the top-ranked sentences, in article order (the
    fallback, and the bench's ablation of what the model adds)."""
    n = line_count(length)
    prompt = SummaryPrompt([], [s.id for s in article.sentences], {}, 0, 0, n)
    return interpret(None, prompt, article, length)
