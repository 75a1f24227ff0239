"""`stance` run end to end: the calls, in the order they are made.

An instruction-tuned model gets one call over the article (the central issue, then each chosen
party's position, stance label and evidence ids, and the parties it adds); the 270M base model
(`profile.small_model`) an overview call and one small call per party, from that party's
sentences only. Then the disagreements the rules find are named by one short call each.

A prompt variant (`template`, from `newsdesk eval`) replaces the call that asks for the
positions: `stance_parties.j2` for an instruction-tuned model, `stance_party.j2` for the small
one; the overview and topic calls keep their own templates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from newsdesk.article import Article
from newsdesk.errors import ModelOutputError
from newsdesk.parties import PartyMap, analyse_parties, quoted_spans
from newsdesk.tasks.profile import small_model
from newsdesk.tasks.stance.checking import check_parties
from newsdesk.tasks.stance.interpret import (
    apply,
    apply_role,
    apply_topic,
    central_issue,
    merge_proposals,
    problems,
)
from newsdesk.tasks.stance.outputs import PartiesOutput, PartyOutput
from newsdesk.tasks.stance.prompts import (
    overview_prompt,
    parties_prompt,
    party_prompt,
    topic_prompt,
)
from newsdesk.tasks.stance.results import StanceResult
from newsdesk.tasks.stance.rules import (
    DEFAULT_MAX_PARTIES,
    Spans,
    base_party,
    find_disagreements,
    found_by,
    occurrence,
    quoted,
    select_parties,
)

if TYPE_CHECKING:
    from newsdesk.llm.client import LLMClient
    from newsdesk.prompts import Prompt


@dataclass
class _Run:
    """One run's inputs, shared by both ways of asking."""

    article: Article
    llm: LLMClient
    pm: PartyMap
    spans: Spans
    party: str | None
    max_parties: int
    quoted: set[int]  # always analysed (quoted directly)
    template: str | None
    det_count: int  # candidates found by rule; those after them the model added


_Outcome = tuple[StanceResult, list[int], set[int]]  # the result, chosen and confirmed indices


def analyse_stance(
    article: Article,
    llm: LLMClient,
    party: str | None = None,
    max_parties: int = DEFAULT_MAX_PARTIES,
    template: str | None = None,
) -> StanceResult:
    """Every party's position, stance and evidence. An instruction-tuned model gets one call
    for all the parties; the bundled 270M base model (`profile.small_model`) one overview
    call and one short call per party, which is what it can follow."""
    pm = analyse_parties(article)
    spans = quoted_spans(article)
    if party and occurrence(article, party) is None:
        select_parties(pm, set(), max_parties, party)  # raises InputError when nothing matches
    always = quoted(article, pm, spans) if not party else set()
    run = _Run(article, llm, pm, spans, party, max_parties, always, template, len(pm.candidates))
    result, chosen, confirmed = (_per_party if small_model(llm.settings) else _together)(run)
    check_parties(article, llm, result)

    result.others = [
        base_party(article, i, pm, spans, found_by(i, run.det_count, confirmed))
        for i in range(len(pm.candidates))
        if i not in chosen and not party
    ]

    # disagreements between the analysed parties, each named by a short model call
    if not party:
        result.disagreements = find_disagreements(article, pm, chosen)
        for d in result.disagreements:
            try:
                named = llm.structured(topic_prompt(article, d.sides[0], d.sides[1]))
            except ModelOutputError:
                continue
            apply_topic(d, named.topic, article)
    return result


def _together(run: _Run) -> _Outcome:
    """One call: the central issue, every chosen party's position, and parties it adds."""
    article, llm, pm = run.article, run.llm, run.pm
    if run.party:  # named in the article (checked) though not found by rule: a candidate now
        merge_proposals(article, pm, [run.party])
    chosen = select_parties(pm, set(), run.max_parties, run.party, run.quoted)
    asked = [pm.candidates[i] for i in chosen if pm.candidates[i].sentence_ids]
    # One call even when no party was found by rule: the model names the issue and the others.
    prompt = parties_prompt(article, asked, llm.settings.article_budget, llm.model, run.template)
    names = {c.name for c in asked}

    def check(o: PartiesOutput) -> str | None:
        unknown = [q.name for q in o.parties if q.name not in names]
        if unknown:
            return f"parties {unknown} are not among the names listed"
        return problems(o.parties, article, prompt.shown)

    out: PartiesOutput | None
    try:
        out = llm.structured(prompt, check=check)
    except ModelOutputError:
        out = None
    issue = central_issue(out.issue if out else "", article)
    kept, rejected, confirmed = merge_proposals(article, pm, out.others if out else [])
    result = StanceResult(
        central_issue=issue,
        model_proposed=kept,
        model_rejected=rejected,
        failures=0 if out else 1,
    )
    given = {q.name: q for q in out.parties} if out else {}
    for idx in chosen:
        cand = pm.candidates[idx]
        p = base_party(article, idx, pm, run.spans, found_by(idx, run.det_count, confirmed))
        if cand.name in given:
            apply(p, given[cand.name], cand, issue, prompt.shown, article, result)
        result.parties.append(p)
    return result, chosen, confirmed


def _party_check(article: Article, shown: list[str]) -> Callable[[PartyOutput], str | None]:
    return lambda o: problems([o], article, shown)


def _per_party(run: _Run) -> _Outcome:
    """The small base model: an overview call (issue + its own party list), then one short
    call per chosen party, from that party's sentences only."""
    article, llm, pm = run.article, run.llm, run.pm
    issue = article.title
    proposed: list[str] = []
    try:
        out = llm.structured(overview_prompt(article, llm.settings.article_budget, llm.model))
        issue = central_issue(out.issue, article)
        proposed = out.parties
    except ModelOutputError:
        pass
    kept, rejected, confirmed = merge_proposals(article, pm, proposed)

    chosen = select_parties(pm, confirmed, run.max_parties, run.party, run.quoted)
    result = StanceResult(central_issue=issue, model_proposed=kept, model_rejected=rejected)
    for idx in chosen:
        cand = pm.candidates[idx]
        p = base_party(article, idx, pm, run.spans, found_by(idx, run.det_count, confirmed))
        result.parties.append(p)
        if not cand.sentence_ids:
            continue
        prompt = party_prompt(article, cand, issue, run.template)
        try:
            po = llm.structured(prompt, check=_party_check(article, prompt.shown))
        except ModelOutputError:
            result.failures += 1
            continue
        apply_role(p, po.role, prompt.shown, article)
        apply(p, po, cand, issue, prompt.shown, article, result)
    return result, chosen, confirmed


def dry_run_prompts(
    article: Article,
    budget: int,
    model: str | None,
    party: str | None,
    max_parties: int,
    small: bool = False,
    template: str | None = None,
) -> list[Prompt[Any]]:
    """The prompts a run would send: the one call of an instruction-tuned model; for the small
    model, per-party ones for the deterministic choice, since the model's proposals are not
    known without calling it."""
    pm = analyse_parties(article)
    always = quoted(article, pm, quoted_spans(article)) if not party else set()
    chosen = select_parties(pm, set(), max_parties, party, always)
    if not small:
        asked = [pm.candidates[i] for i in chosen if pm.candidates[i].sentence_ids]
        return [parties_prompt(article, asked, budget, model, template)]
    issue = "(the central issue the first call returns)"
    return [
        overview_prompt(article, budget, model),
        *(party_prompt(article, pm.candidates[i], issue, template) for i in chosen),
    ]
