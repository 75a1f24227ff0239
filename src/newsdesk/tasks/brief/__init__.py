"""`brief`: a briefing on one or more articles, each statement tied to sentences a reader can check.

Per article, three model calls (one prompt prefix: the article) give the headline and key
points, each party's position, and disagreements plus open questions. Who is who (names, kinds,
roles) and what is unknown or unconfirmed (claims only from unnamed sources, denials, "gave no
details") are found deterministically, without a model.

- `outputs`: what the model returns (pydantic), and each prompt's schema limits;
- `results`: the briefing newsdesk prints (`schema.Record`s);
- `rules`: what is found without a model, and the worked-example copy check;
- `interpret`: the model's answers through the grounding check into statements (pure);
- `run`: prompts, the model calls;
- `render`: the briefing as Markdown, HTML and JSON;
- `task`: `brief` as one registered task (`TASK`).
"""

from newsdesk.tasks.brief.interpret import (
    interpret_article,
    interpret_debate,
    interpret_parties,
    interpret_points,
    interpret_synthesis,
)
from newsdesk.tasks.brief.outputs import (
    ClaimOut,
    DebateOut,
    PartiesOut,
    PartyOut,
    PointOut,
    PointsOut,
    SynthesisOut,
)
from newsdesk.tasks.brief.results import (
    ArticleBrief,
    ArticleSentence,
    Briefing,
    PartyView,
    Ref,
    Statement,
    Synthesis,
    Unknown,
)
from newsdesk.tasks.brief.rules import find_unknowns
from newsdesk.tasks.brief.run import (
    brief,
    brief_article,
    build_prompts,
    dry_run_prompts,
    party_candidates,
    synthesis_prompt,
)
from newsdesk.tasks.brief.task import TASK, BriefTask

__all__ = [
    "TASK",
    "ArticleBrief",
    "ArticleSentence",
    "BriefTask",
    "Briefing",
    "ClaimOut",
    "DebateOut",
    "PartiesOut",
    "PartyOut",
    "PartyView",
    "PointOut",
    "PointsOut",
    "Ref",
    "Statement",
    "Synthesis",
    "SynthesisOut",
    "Unknown",
    "brief",
    "brief_article",
    "build_prompts",
    "dry_run_prompts",
    "find_unknowns",
    "interpret_article",
    "interpret_debate",
    "interpret_parties",
    "interpret_points",
    "interpret_synthesis",
    "party_candidates",
    "synthesis_prompt",
]
