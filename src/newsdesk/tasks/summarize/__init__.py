"""`summarize`: a summary whose every line cites the article sentences it rests on.

How (one direction, no back and forth):

1. **Rank** the sentences deterministically (`ranking.rank_sentences`): news puts the point
   first, so the lede weighs most; a mild centrality term (words the sentence shares with the
   rest of the article) breaks ties; page furniture ("Scroll down for video", bylines) and
   fragments are skipped.
2. **Show** the model candidates (`prompts`): the whole article when it fits the prompt budget
   (an instruction-tuned model chooses and writes each line itself), but the small bundled model
   (a 270M base model that copies rather than condenses) sees only the best `n + 1` sentences,
   best first, and picks ids. Whether a model is asked at all is `run.
   model_writes_summaries`: yes for an endpoint or a --gguf file; for the embedded models, no,
   as measured on summ-frank (`bench/summary_quality.py`, 20 records, same run): Qwen's own
   grounded lines scored ROUGE-1 0.359 and the 270M model's picks 0.391 against the ranking
   alone's 0.394 (lead-3 0.381), so their summaries quote the ranking's lines
   (`use_model=True` forces the call).
   An article over the budget is summarised **map-reduce** (`run`): each token chunk
   (`chunking.chunk_article`) is summarised the same way, then one final pass summarises the
   sentences the chunk summaries cited.
3. **Interpret** (`interpret`, pure): grounded wording kept, the rest quoted from the cited
   sentence, lines without a valid citation flagged, missing lines filled from the ranking.

`outputs` holds what the model returns and its schema, `results` what `summarize` returns,
`render` how it is shown, `task` the registered task (`TASK`).
"""

from newsdesk.tasks.summarize.interpret import interpret
from newsdesk.tasks.summarize.outputs import (
    MAX_IDS_PER_LINE,
    PickLineOutput,
    PicksOutput,
    SummaryLineOutput,
    SummaryOutput,
    summary_schema,
)
from newsdesk.tasks.summarize.prompts import SummaryPrompt, build_prompt, plan, shown_sentences
from newsdesk.tasks.summarize.ranking import (
    LENGTHS,
    clean_text,
    grounded,
    is_material,
    line_count,
    rank_sentences,
)
from newsdesk.tasks.summarize.results import SummaryLine, SummaryResult
from newsdesk.tasks.summarize.run import extractive, summarize
from newsdesk.tasks.summarize.task import TASK, SummarizeTask

__all__ = [
    "LENGTHS",
    "MAX_IDS_PER_LINE",
    "TASK",
    "PickLineOutput",
    "PicksOutput",
    "SummarizeTask",
    "SummaryLine",
    "SummaryLineOutput",
    "SummaryOutput",
    "SummaryPrompt",
    "SummaryResult",
    "build_prompt",
    "clean_text",
    "extractive",
    "grounded",
    "interpret",
    "is_material",
    "line_count",
    "plan",
    "rank_sentences",
    "shown_sentences",
    "summarize",
    "summary_schema",
]
