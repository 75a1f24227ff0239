"""newsdesk's own checks, over a built-in task's citations and parties: `cites`,
`cites-valid`, `abstains` and `parties-include`."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from newsdesk.article import normalise_ws
from newsdesk.evals.assertions.core import (
    WORD_PATTERN,
    EvalContext,
    Grade,
    as_items,
    as_text,
    binary_grade,
)

if TYPE_CHECKING:
    from newsdesk.evals.spec import AssertionSpec

_ID = re.compile(r"^S\d+$", re.IGNORECASE)
_INLINE_ID = re.compile(r"\[(S\d+(?:\s*,\s*S\d+)*)\]")
_ABSTAIN = re.compile(
    r"\b(?:does\s*n[o']t|doesn't|did\s*n[o']t|didn't|do\s*n[o']t)\s+"
    r"(?:say|mention|state|specify|report|tell|include|give|provide)"
    r"|\bnot\s+(?:mentioned|stated|specified|reported|given|said|in\s+the\s+article)"
    r"|\bno\s+(?:information|mention|details?)\b"
    r"|\b(?:cannot|can't|can\s+not)\s+be\s+(?:determined|answered)",
    re.IGNORECASE,
)


def _graded(result: Grade, inv: bool) -> Grade:
    if inv:
        return Grade(not result.passed, 1.0 - result.score, f"not: {result.reason}")
    return result


def _cited(ctx: EvalContext) -> tuple[list[str], dict[str, str]]:
    task = ctx.task
    if task is None:
        return [], {}
    return [c.id for c in task.citations], {c.id: c.text for c in task.citations}


def _cite_item(item: Any, ids: list[str], texts: dict[str, str]) -> bool:
    if isinstance(item, dict):
        return any(_cite_item(i, ids, texts) for i in item.get("any", []))
    text = as_text(item).strip()
    if _ID.match(text):
        return text.upper() in ids
    phrase = normalise_ws(text).casefold()
    return any(phrase in normalise_ws(t).casefold() for t in texts.values())


def check_cites(output: str, value: Any, spec: AssertionSpec, ctx: EvalContext, inv: bool) -> Grade:
    ids, texts = _cited(ctx)
    items = value if isinstance(value, list) else [value]
    ok = [i for i in items if _cite_item(i, ids, texts)]
    missing = [i for i in items if i not in ok]
    cited = ", ".join(ids) or "nothing"
    if missing:
        return _graded(
            Grade(False, len(ok) / len(items), f"cited {cited}; not satisfied: {missing}"), inv
        )
    return _graded(Grade(True, 1.0, f"cited {cited}"), inv)


def check_cites_valid(
    output: str, value: Any, spec: AssertionSpec, ctx: EvalContext, inv: bool
) -> Grade:
    task = ctx.task
    if task is None or task.article is None:
        return binary_grade(False, inv, "this prompt produced no citations to check")
    problems: list[str] = []
    if task.invalid:
        problems.append(f"invented or unshown ids {task.invalid}")
    article = task.article
    for c in task.citations:
        sentence = article.by_id.get(c.id)
        if sentence is None:
            problems.append(f"{c.id} is not in the article")
        elif normalise_ws(article.text[c.start : c.end]) != c.text or c.text != sentence.text:
            problems.append(f"{c.id} does not quote the article verbatim")
    for group in _INLINE_ID.findall(output):
        for sid in re.split(r"\s*,\s*", group):
            if sid.upper() not in article.by_id:
                problems.append(f"output mentions [{sid}], which is not in the article")
    if problems:
        return binary_grade(False, inv, "; ".join(problems))
    n = len(task.citations)
    ok_reason = f"{n} citation(s), all verbatim" if n else "no citations (none invalid)"
    return binary_grade(True, inv, f"not: {ok_reason}") if inv else Grade(True, 1.0, ok_reason)


def check_abstains(
    output: str, value: Any, spec: AssertionSpec, ctx: EvalContext, inv: bool
) -> Grade:
    if ctx.task is not None and ctx.task.abstained is not None:
        said = ctx.task.abstained
        why = "answered that the article does not say" if said else "gave an answer"
    else:
        said = _ABSTAIN.search(output) is not None
        why = "says the article does not say" if said else "does not abstain"
    passed = said != inv
    return Grade(passed, 1.0 if passed else 0.0, why)


def _party_names(party: Any) -> list[str]:
    if isinstance(party, str):
        return [party]
    if isinstance(party, dict):
        names = [party.get("name", "")]
        aliases = party.get("aliases") or []
        names += [a for a in aliases if isinstance(a, str)]
        return [n for n in names if isinstance(n, str) and n]
    return []


def check_parties_include(
    output: str, value: Any, spec: AssertionSpec, ctx: EvalContext, inv: bool
) -> Grade:
    parties = ctx.task.parties if ctx.task is not None else None
    if parties is None:
        try:
            data = json.loads(output)
            parties = data.get("parties") if isinstance(data, dict) else None
        except json.JSONDecodeError:
            parties = None
    if not isinstance(parties, list):
        return _graded(Grade(False, 0.0, "the output lists no parties"), inv)
    found = [_party_names(p) for p in parties]

    def match(expected: str) -> bool:
        want = set(WORD_PATTERN.findall(expected.casefold()))
        for names in found:
            for name in names:
                have = set(WORD_PATTERN.findall(name.casefold()))
                # "Trump" matches "Donald Trump"; "President Donald Trump" matches a party
                # named "Donald Trump"; but a lone surname never stands for a full name
                # ("Cheney" is not "Mary Cheney").
                if want and have and (want <= have or (len(have) >= 2 and have <= want)):
                    return True
        return False

    expected = as_items(value)
    missing = [e for e in expected if not match(e)]
    names = ", ".join(n[0] for n in found if n) or "none"
    if missing:
        return _graded(
            Grade(False, 1 - len(missing) / len(expected), f"missing {missing}; found {names}"), inv
        )
    return _graded(Grade(True, 1.0, f"found {names}"), inv)
