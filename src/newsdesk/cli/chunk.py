"""`newsdesk chunk`: how the article is cut, with token counts."""

from __future__ import annotations

from typing import Annotated

import typer

from newsdesk.article import load_article
from newsdesk.chunking import chunk_article
from newsdesk.cli.options import ArticleArg, Common, common_options
from newsdesk.cli.runtime import guarded, print_json, settings_from, stdout_console
from newsdesk.render.terminal import print_chunks


@common_options("model", "json")
def chunk(
    article: ArticleArg,
    max_tokens: Annotated[int, typer.Option("--max-tokens", min=8, help="Tokens per chunk.")] = 512,
    overlap: Annotated[
        int, typer.Option("--overlap", min=0, help="Sentences repeated between chunks.")
    ] = 0,
    *,
    opts: Common,
) -> None:
    """Show how the article is split into token-aware chunks on sentence boundaries."""

    def run() -> None:

        settings = settings_from(opts)
        doc = load_article(article)
        chunks = chunk_article(doc, max_tokens, overlap, settings.model_name)
        if opts.json:
            print_json(
                {
                    "sentences": len(doc.sentences),
                    "max_tokens": max_tokens,
                    "overlap": overlap,
                    "chunks": [
                        {
                            "id": c.id,
                            "first": c.first,
                            "last": c.last,
                            "sentence_ids": c.sentence_ids,
                            "tokens": c.tokens,
                            "split": c.split,
                        }
                        for c in chunks
                    ],
                }
            )
            return
        print_chunks(stdout_console(), chunks)
        split = sum(c.split for c in chunks)
        if split:
            typer.echo(
                f"note: {split} sentence(s) longer than {max_tokens} tokens were cut on tokens",
                err=True,
            )

    guarded(run)
