"""A briefing as newsdesk returns and prints it (`brief --json`, schema "newsdesk.brief/1").

Every part is a `schema.Record`: `to_dict()` is the printed shape and `Briefing.json_schema()` its
JSON Schema, both from the fields (aliases give the printed names: `key_points`, `shown_ids`,
`rejected_statements`, `schema`). Unknown keys are rejected when a printed briefing is read
back (`Briefing.model_validate`), so the schema cannot drift from what is printed.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field

from newsdesk.article import Article
from newsdesk.attribution import NARRATION, Source, sources_of
from newsdesk.citations import Citation
from newsdesk.llm.usage import Usage
from newsdesk.schema import Record

Origin = Literal["model", "extract", "rule"]
UnknownKind = Literal["anonymous source", "denial", "unconfirmed"]


class _Part(Record):
    model_config = ConfigDict(extra="forbid")


class Ref(_Part):
    """A cited sentence: which article (1-based), its id, and the sentence verbatim."""

    model_config = ConfigDict(frozen=True)

    article: int
    id: str
    text: str
    start: int
    end: int
    source: Source = NARRATION  # who says the sentence

    def anchor(self, several: bool) -> str:
        return f"a{self.article}-{self.id}" if several else self.id

    def label(self, several: bool) -> str:
        return f"A{self.article}:{self.id}" if several else self.id


def refs(ids: list[str], article: Article, index: int) -> list[Ref]:
    """Refs to the ids that are sentences of `article`, in article order, each once."""
    chosen = sorted(
        (article.by_id[i] for i in set(ids) if i in article.by_id), key=lambda s: s.index
    )
    table = sources_of(article)
    return [
        Ref(article=index, id=s.id, text=s.text, start=s.start, end=s.end, source=table[s.id])
        for s in chosen
    ]


class Statement(_Part):
    """One line of the briefing. `origin`: "model" (passed the grounding check), "extract" (the
    cited sentence itself, where the model's text failed the check), or "rule" (found without a
    model)."""

    text: str
    origin: Origin = "model"
    citations: list[Ref] = Field(default_factory=list)

    @property
    def verbatim(self) -> bool:
        """The text is a cited sentence of the article, word for word (print it as a quote)."""
        return any(self.text == c.text for c in self.citations)


class _Kind(_Part):
    kind: UnknownKind


class Unknown(Statement, _Kind):
    """A statement of something unconfirmed, found by rule. Printed with its kind first (the
    bases' fields come in reverse order of inheritance: `kind`, then the statement's)."""

    @property
    def statement(self) -> Statement:
        return self


class PartyView(_Part):
    name: str
    kind: str
    role: str
    aliases: list[str]
    speaks: bool  # quoted or paraphrased as the speaker somewhere in the article
    position: Statement


class ArticleSentence(Citation):
    """A sentence of the article (all of them are printed, for the text under an HTML briefing)."""

    paragraph: int


def _printed(name: str) -> Any:
    # Read back by its printed name too (validation_alias); built by field name in code.
    return Field(default_factory=list, validation_alias=name, serialization_alias=name)


class ArticleBrief(_Part):
    index: int  # 1-based
    source: str
    headline: Statement
    points: list[Statement] = _printed("key_points")
    parties: list[PartyView] = Field(default_factory=list)
    disagreements: list[Statement] = Field(default_factory=list)
    unknowns: list[Unknown] = Field(default_factory=list)
    questions: list[Statement] = Field(default_factory=list)
    sentences: list[ArticleSentence] = Field(default_factory=list)
    shown: list[str] = _printed("shown_ids")  # ids the model saw
    dropped: list[str] = _printed("rejected_statements")  # statements that failed the check
    notes: list[str] = Field(default_factory=list)
    usage: Usage = Field(default_factory=Usage)

    def cited_ids(self) -> set[str]:
        out: set[str] = set()
        for st in self.statements():
            out.update(c.id for c in st.citations)
        return out

    def statements(self) -> list[Statement]:
        return [
            self.headline,
            *self.points,
            *(p.position for p in self.parties),
            *self.disagreements,
            *(u.statement for u in self.unknowns),
            *self.questions,
        ]


def article_sentences(article: Article) -> list[ArticleSentence]:
    table = sources_of(article)
    return [
        ArticleSentence(
            id=s.id,
            text=s.text,
            start=s.start,
            end=s.end,
            source=table[s.id],
            paragraph=s.paragraph,
        )
        for s in article.sentences
    ]


class Synthesis(_Part):
    points: list[Statement]
    shared_parties: list[Statement]  # parties that more than one article names


class Briefing(_Part):
    """`newsdesk brief --json` (and `-o brief.json`)."""

    schema_id: Literal["newsdesk.brief/1"] = Field(default="newsdesk.brief/1", alias="schema")
    model: str
    articles: list[ArticleBrief]
    synthesis: Synthesis | None
    usage: Usage = Field(default_factory=Usage)

    @property
    def several(self) -> bool:
        return len(self.articles) > 1
