"""`stance`: every party of an article, its position, its own words, and where parties disagree.

Discovery does not rest on the model alone: `parties.find_parties` (deterministic: names,
titles, "X said" attributions, unnamed sources) gives candidates, and the model may add parties
(kept only when the name occurs in the article). The chosen parties (the most-mentioned, capped,
and every party quoted directly) are analysed by the model (`run`).

The parts, by job:

- `outputs`: what the model returns (pydantic models) and their schemas, with per-prompt limits;
- `prompts`: the `Prompt` of each kind of call (overview, party, parties, topic);
- `rules`: what is found without a model, and therefore exact (quotes, claims, own-words
  positions, the parties chosen, disagreements);
- `interpret`: what is kept of the model's answers (the one grounding check);
- `results`: the result types (`--json` is their `to_dict()`);
- `run`: the calls in order (`analyse_stance`, `dry_run_prompts`);
- `render`: the terminal view and the JSON;
- `task`: `stance` as one registered task (`TASK`).
"""

from newsdesk.tasks.stance.interpret import merge_proposals
from newsdesk.tasks.stance.outputs import (
    STANCES,
    OverviewOutput,
    PartiesOutput,
    PartyOutput,
    PartyPosition,
    TopicOutput,
)
from newsdesk.tasks.stance.results import (
    Claim,
    Disagreement,
    Party,
    Quote,
    Side,
    StanceResult,
)
from newsdesk.tasks.stance.rules import (
    DEFAULT_MAX_PARTIES,
    base_party,
    find_disagreements,
    own_position,
    select_parties,
)
from newsdesk.tasks.stance.run import analyse_stance, dry_run_prompts
from newsdesk.tasks.stance.task import TASK, StanceTask

__all__ = [
    "DEFAULT_MAX_PARTIES",
    "STANCES",
    "TASK",
    "Claim",
    "Disagreement",
    "OverviewOutput",
    "PartiesOutput",
    "Party",
    "PartyOutput",
    "PartyPosition",
    "Quote",
    "Side",
    "StanceResult",
    "StanceTask",
    "TopicOutput",
    "analyse_stance",
    "base_party",
    "dry_run_prompts",
    "find_disagreements",
    "merge_proposals",
    "own_position",
    "select_parties",
]
