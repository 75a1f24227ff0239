"""Prompts: Jinja files in prompts/ (shipped inside the wheel as newsdesk/prompts_data), and the
one `Prompt` type every task builds from them.

StrictUndefined turns a missing variable into an error instead of a silently empty prompt.
Autoescape is off: prompts are plain text, and article text is delimited, not escaped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import BaseModel

from newsdesk.schema import output_schema
from newsdesk.tokens import count_tokens

if TYPE_CHECKING:
    import jinja2

Out = TypeVar("Out", bound=BaseModel)
Message = dict[str, str]


_FAKE_ID = re.compile(r"\[\s*(S\d+(?:\s*,\s*S\d+)*)\s*\]", re.IGNORECASE)
_DELIMITER = re.compile(r"</?\s*(article|sentences?|question|data|claims?)\b[^>]*>", re.IGNORECASE)


def as_data(text: str) -> str:
    """Article text made inert inside a prompt.

    Sentence markers like "[S3]" and the template's own <article> delimiters are rewritten, so
    text in the article cannot pose as another sentence or close the data block early.
    """
    text = _FAKE_ID.sub(lambda m: "(" + m.group(1) + ")", text)
    return _DELIMITER.sub(lambda m: m.group(0).replace("<", "‹").replace(">", "›"), text)


def prompts_dir() -> Path:
    """The source tree's prompts/ when running from a checkout, else the copy in the wheel."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent.parent / "prompts", here / "prompts_data"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("newsdesk prompts folder not found (broken install?)")


@lru_cache(maxsize=4)
def environment(extra_dir: str | None = None) -> jinja2.Environment:
    import jinja2

    search = [str(prompts_dir())] + ([extra_dir] if extra_dir else [])
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(search),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["as_data"] = as_data
    return env


def get_template(name: str) -> jinja2.Template:
    """A template by name (`ask` or `ask.j2`) or by path (`prompts/variants/ask-terse.j2`)."""
    path = Path(name)
    if path.suffix and path.is_file():
        return environment(str(path.resolve().parent)).get_template(path.name)
    if not path.suffix:
        name = f"{name}.j2"
    return environment().get_template(name)


def render(name: str, **variables: Any) -> str:
    return get_template(name).render(**variables)


def render_messages(name: str, **variables: Any) -> list[dict[str, str]]:
    """Chat messages from a template.

    A template that defines a `system` and a `user` block becomes those two messages (what an
    instruction-tuned model's chat template expects: rules as the system turn, the article and
    the question as the user's); text outside the blocks (a variant's addition, say) is added
    to the end of the user turn. Any other template becomes one user message.
    """
    template = get_template(name)
    if "system" in template.blocks and "user" in template.blocks:
        context = template.new_context(dict(variables))
        system, user = ("".join(template.blocks[b](context)).strip() for b in ("system", "user"))
        rest = template.render(**variables).replace(system, "", 1).replace(user, "", 1).strip()
        if rest:
            user = f"{user}\n\n{rest}"
        return [{"role": "system", "content": system}, {"role": "user", "content": user}]
    return [{"role": "user", "content": template.render(**variables)}]


def messages_text(messages: list[dict[str, str]]) -> str:
    """The messages' contents as one text: what a prompt's token count is taken over."""
    return "\n".join(m["content"] for m in messages)


@dataclass
class Prompt(Generic[Out]):
    """One model call, built the same way by every task and sent by `LLMClient.structured`.

    `name` names the call (the response_format's schema name: letters, digits, `_`); `output`
    is the pydantic model the answer parses into, and `schema` the JSON schema generated from
    it (`schema.output_schema`) with its ids limited to `shown`, the sentence ids in the prompt.
    """

    name: str
    messages: list[Message]
    output: type[Out]
    schema: dict[str, Any]
    shown: list[str] = field(default_factory=list)
    tokens: int = 0
    max_tokens: int = 512
    top_logprobs: int = 0  # > 0: the reply's likeliest tokens, to read the model's certainty

    @property
    def text(self) -> str:
        return messages_text(self.messages)


def build_prompt(
    name: str,
    template: str,
    output: type[Out],
    *,
    shown: list[str],
    max_tokens: int,
    model: str | None = None,
    limits: dict[str, dict[str, Any] | None] | None = None,
    top_logprobs: int = 0,
    **variables: Any,
) -> Prompt[Out]:
    """Render `template` into messages, count their tokens, and derive the schema from `output`
    (ids limited to `shown`, with the prompt's own `limits`)."""

    messages = render_messages(template, **variables)
    return Prompt(
        name,
        messages,
        output,
        output_schema(output, shown, limits),
        list(shown),
        count_tokens(messages_text(messages), model),
        max_tokens,
        top_logprobs,
    )
