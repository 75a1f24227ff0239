"""Suite files: promptfoo's YAML config, loaded with line numbers so every error names its line.

    description: my prompt
    prompts:
      - "Answer in one word: {{ question }}"          # inline text, rendered with the vars
      - file://prompts/chat.json                      # a chat (a JSON/YAML list of messages)
      - ask                                           # a newsdesk task, by name
    providers:
      - id: openai:chat:gpt-4o-mini
        config: {apiBaseUrl: http://127.0.0.1:8000/v1, temperature: 0}
      - embedded                                      # the built-in model
    defaultTest:
      assert: [{type: icontains, value: "{{ expected }}"}]
    tests: file://tests.csv                           # or a list; `__expected` columns assert

The YAML is read as promptfoo's js-yaml reads it (YAML 1.2: `yes` is text, `1e3` a number).
Unknown keys and assertion types are errors (`SuiteError`, exit 2) with `file:line:`.

One idea, kept whole (~870 lines): the suite format. Every key promptfoo reads is parsed here,
with its line number, into the specs the runner takes; splitting it would scatter one format.
"""

from __future__ import annotations

import csv
import difflib
import glob
import itertools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from newsdesk.errors import InputError
from newsdesk.evals import crossgrade, derived, jscompat, node, unsupported
from newsdesk.evals.assertions import (
    ASSERTIONS,
    TASK_ONLY,
    EvalContext,
    apply_transform,
    is_js_transform,
    needs_node,
    validate,
    validate_transform,
)
from newsdesk.evals.assertions.in_promptfoo import PROMPTFOO_TYPES
from newsdesk.evals.assertions.values import file_ref_path
from newsdesk.evals.derived import DerivedMetric
from newsdesk.evals.spec import AssertionSpec
from newsdesk.evals.tasks import required_vars, resolve_article
from newsdesk.evals.templates import unsupported_construct
from newsdesk.evals.yamlfile import LineList, LineMap, SuiteError, load_js_yaml, load_yaml
from newsdesk.prompts import prompts_dir
from newsdesk.tasks import registry

TOP_KEYS = (
    "description", "prompts", "providers", "defaultTest", "tests", "scenarios", "env",
    "nunjucksFilters", "derivedMetrics",
    # promptfoo keys newsdesk reads and ignores (they change nothing a suite grades)
    "outputPath", "sharing", "tags", "metadata", "evaluateOptions", "writeLatestResults",
)  # fmt: skip
TEST_KEYS = (
    "description", "vars", "assert", "threshold", "metric", "options", "metadata", "providerOutput",
    "provider", "assertScoringFunction",
)  # fmt: skip
DEFAULT_TEST_KEYS = (
    "vars", "assert", "threshold", "metric", "options", "metadata", "assertScoringFunction",
)  # fmt: skip
SCENARIO_KEYS = ("description", "config", "tests")
OPTION_KEYS = (
    "transform", "provider", "disableVarExpansion", "disableDefaultAsserts", "prefix", "suffix",
    "transformVars", "storeOutputAs", "rubricPrompt", "factuality",
)  # fmt: skip
ASSERT_KEYS = (
    "type", "value", "threshold", "weight", "transform", "provider", "metric", "config",
    "contextTransform",
)  # fmt: skip
CONTEXT_TYPES = ("context-recall", "context-relevance", "context-faithfulness")
ASSERT_SET_KEYS = ("type", "assert", "threshold", "weight", "metric")
PROMPT_KEYS = ("id", "label", "task", "raw")
PROVIDER_KEYS = ("id", "label", "model", "config", "prompts", "transform", "delay")
PROVIDER_CONFIG_KEYS = (
    # promptfoo's openai provider
    "apiBaseUrl", "apiKeyEnvar", "apiKey", "temperature", "max_tokens", "response_format",
    "seed", "top_p", "stop", "frequency_penalty", "presence_penalty", "cost", "inputCost",
    "outputCost", "passthrough", "tools", "tool_choice", "functions", "function_call",
    # newsdesk's
    "base_url", "api_key_env", "deterministic", "prompt_budget", "timeout", "max_retries",
    "gguf", "embeddings",
)  # fmt: skip


# ---------------------------------------------------------------- the suite model


@dataclass
class PromptSpec:
    id: str  # as the suite wrote it
    label: str
    task: str | None  # a newsdesk task (ask, summarize...) or None for the user's own prompt
    template: str = ""  # the task's template: a name in prompts/ or a resolved path
    text: str = ""  # the user's prompt: a template over the vars
    chat: bool = False  # text renders to a JSON list of messages
    line: int = 0

    @property
    def kind(self) -> str:
        return "task" if self.task else ("chat" if self.chat else "text")


@dataclass
class ProviderSpec:
    id: str
    label: str
    model: str | None = None
    config: dict[str, Any] = field(default_factory=dict)
    line: int = 0
    prompts: list[str] | None = None  # promptfoo's `prompts:` on a provider: the ones it runs
    transform: str | None = None  # applied to its output before a test's transform
    delay_ms: float = 0.0  # promptfoo's `delay`: a pause before each call

    def runs(self, prompt: PromptSpec) -> bool:
        """promptfoo's doesPromptRefMatch: a label, `Group:*`, or the legacy `Group` prefix."""
        if self.prompts is None:
            return True
        return any(
            prompt.label == ref
            or (ref.endswith("*") and prompt.label.startswith(ref[:-1]))
            or prompt.label.startswith(f"{ref}:")
            for ref in self.prompts
        )

    @property
    def embedded(self) -> bool:
        return self.id == "embedded" or self.id.startswith("embedded:")

    @property
    def echo(self) -> bool:
        return self.id == "echo"


@dataclass
class TestCase:
    index: int  # 1-based, within its suite
    description: str
    vars: dict[str, Any]
    asserts: list[AssertionSpec]
    threshold: float | None = None
    metric: str | None = None
    transform: str | None = None
    grader: Any = None  # options.provider: default grader for llm-rubric / similar
    line: int = 0
    suite: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)
    prefix: str = ""  # options.prefix / suffix: around the prompt template, before rendering
    suffix: str = ""
    provider_output: str | None = None  # graded instead of calling the provider
    store_output_as: str | None = None  # options.storeOutputAs: later tests see it as a var
    rubric_prompt: str | None = None  # options.rubricPrompt (the test's, else defaultTest's)
    scoring_function: str | None = None  # assertScoringFunction: file://x.js|py[:fn]
    provider: ProviderSpec | None = None  # the test's own provider: called instead


@dataclass
class Suite:
    path: Path
    description: str
    prompts: list[PromptSpec]
    providers: list[ProviderSpec]
    tests: list[TestCase]
    env: dict[str, Any] = field(default_factory=dict)  # `env`: the templates' `env` global
    nunjucks_filters: dict[str, str] = field(default_factory=dict)  # name -> a JavaScript file
    derived_metrics: list[DerivedMetric] = field(default_factory=list)  # `derivedMetrics`

    @property
    def base_dir(self) -> Path:
        return self.path.parent

    def needs_node(self) -> list[tuple[int, str]]:
        out: list[tuple[int, str]] = []
        for pr in self.prompts:
            construct = None if pr.task else unsupported_construct(pr.text)
            if construct:
                out.append((pr.line, f"the Nunjucks template {construct!r}"))
        for t in self.tests:
            scoring = (
                file_ref_path(t.scoring_function, self.base_dir)[0] if t.scoring_function else None
            )
            if scoring is not None and scoring.suffix != ".py":
                out.append((t.line, "a JavaScript assertScoringFunction"))
            for value in t.vars.values():
                construct = unsupported_construct(value) if isinstance(value, str) else None
                if construct:
                    out.append((t.line, f"the Nunjucks template {construct!r}"))
            if t.transform and is_js_transform(t.transform):
                out.append((t.line, "a JavaScript transform"))
            for a in _flat(t.asserts):
                why = needs_node(a)
                if why:
                    out.append((a.line, why))
                for text in (a.raw.get("value"), a.metric):
                    construct = unsupported_construct(text) if isinstance(text, str) else None
                    if construct and a.type not in ("javascript", "python"):
                        out.append((a.line, f"the Nunjucks template {construct!r}"))
        return out

    def graders(self) -> list[tuple[int, Any]]:
        """Each grader its tests name (options.provider, an assertion's `provider`), with its
        line: checked before a run as the providers are (ProviderPool.check)."""
        out: list[tuple[int, Any]] = []
        for t in self.tests:
            if t.grader is not None:
                out.append((t.line, t.grader))
            out.extend((a.line, a.provider) for a in _flat(t.asserts) if a.provider is not None)
        return out


def _flat(specs: list[AssertionSpec]) -> list[AssertionSpec]:
    out: list[AssertionSpec] = []
    for s in specs:
        out.extend(_flat(s.children) if s.type == "assert-set" else [s])
    return out


# ---------------------------------------------------------------- parsing

_TEXT_SUFFIXES = (".txt", ".j2", ".jinja", ".jinja2", ".md", ".njk", ".nunjucks", ".prompt")
_CHAT_SUFFIXES = (".json", ".yaml", ".yml", ".jsonl")
_SCRIPT_SUFFIXES = (".py", ".js", ".mjs", ".cjs", ".ts")


class _Parser:
    def __init__(self, label: str, base_dir: Path) -> None:
        self.label = label
        self.base_dir = base_dir

    def error(self, line: int, message: str) -> SuiteError:
        return SuiteError(f"{self.label}:{line}: {message}")

    def check_keys(self, data: LineMap, allowed: tuple[str, ...], where: str) -> None:
        for key in data:
            refused = (
                unsupported.reason(unsupported.SUITE_KEYS, key) if where == "the suite" else None
            )
            if refused:
                raise self.error(data.line_of(key), refused)
            if key not in allowed:
                hint = difflib.get_close_matches(key, allowed, n=1)
                did = f" (did you mean {hint[0]!r}?)" if hint else ""
                raise self.error(
                    data.line_of(key),
                    f"unknown key {key!r} in {where}{did}; allowed: {', '.join(allowed)}",
                )

    def mapping(self, value: Any, line: int, where: str) -> LineMap:
        if not isinstance(value, LineMap):
            raise self.error(getattr(value, "line", line), f"{where} must be a mapping")
        return value

    def listing(self, value: Any, line: int, where: str) -> list[Any]:
        if isinstance(value, LineList):
            return value
        if value is None:
            return []
        raise self.error(getattr(value, "line", line), f"{where} must be a list")

    def nonempty_list(self, top: LineMap, key: str, what: str, default: Any = None) -> list[Any]:
        """The suite's `key` as a list of at least one `what`; one string is a list of one."""
        items = top.get(key, default)
        if isinstance(items, str):
            items = LineList([items])
            items.line = top.line_of(key)
        items = self.listing(items, top.line_of(key), key)
        if not items:
            raise self.error(top.line_of(key), f"`{key}` must list at least one {what}")
        return items

    def number(self, data: LineMap, key: str, where: str) -> float | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(data.line_of(key), f"{where}: {key} must be a number, got {value!r}")
        return float(value)

    def text(self, data: LineMap, key: str, where: str) -> str | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.error(data.line_of(key), f"{where}: {key} must be text, got {value!r}")
        return value

    def path(self, ref: str) -> Path | None:
        raw = ref[len("file://") :] if ref.startswith("file://") else ref
        path = Path(raw).expanduser()
        for candidate in (self.base_dir / path, Path.cwd() / path, path):
            if candidate.is_file():
                return candidate.resolve()
        return None

    # ------------------------------------------------------------ prompts

    def prompts(self, item: Any, line: int) -> list[PromptSpec]:
        """One suite entry -> its prompts (a .txt file may hold several, split by `---`)."""
        task: str | None = None
        label: str | None = None
        if isinstance(item, LineMap):
            self.check_keys(item, PROMPT_KEYS, "a prompt")
            ident = self.text(item, "id", "prompt")
            raw = self.text(item, "raw", "prompt")
            label = self.text(item, "label", "prompt")
            task = self.text(item, "task", "prompt")
            line = item.line
            if raw is not None:
                if ident or task:
                    raise self.error(line, "a prompt has `raw` text or an `id`, not both")
                return [PromptSpec(raw, label or raw, None, text=raw, line=line)]
            if not ident:
                raise self.error(line, "a prompt needs an `id` (a file or task) or `raw` text")
        elif isinstance(item, str) and item.strip():
            ident = item if "\n" in item else item.strip()
        else:
            raise self.error(line, f"a prompt must be text, a file or a task, got {item!r}")
        if task is not None:
            return [self.task_prompt(ident, task, label, line)]
        if registry.is_task(ident):  # runs the task, not the literal text
            return [self.task_prompt(ident, ident, label, line)]
        explicit = ident.startswith("file://")
        looks_like_file = explicit or (
            "\n" not in ident
            and " " not in ident
            and Path(ident).suffix in (*_TEXT_SUFFIXES, *_CHAT_SUFFIXES, *_SCRIPT_SUFFIXES)
        )
        if not looks_like_file:
            return [PromptSpec(ident, label or ident, None, text=ident, line=line)]
        path = self.path(ident)
        if path is None:
            inside = prompts_dir() / Path(ident.removeprefix("file://")).name
            if inside.is_file() and Path(ident).parent.name in ("", "prompts"):
                path = inside.resolve()
            else:
                raise self.error(line, f"prompt {ident!r} not found")
        shipped = self.shipped_task(path)
        if shipped:
            return [self.task_prompt(ident, shipped, label, line)]
        if path.suffix in _SCRIPT_SUFFIXES:
            raise self.error(
                line, f"prompt {ident!r}: prompt functions ({path.suffix}) are not supported"
            )
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise self.error(line, f"prompt {ident!r}: cannot read: {exc}") from None
        if path.suffix == ".jsonl":  # promptfoo: one chat per line
            chats = [t for t in text.splitlines() if t.strip()]
            return [
                self.chat_prompt(ident, f"{label or ident}: {k + 1}", path, chat, line)
                for k, chat in enumerate(chats)
            ]
        if path.suffix in _CHAT_SUFFIXES:
            return [self.chat_prompt(ident, label, path, text, line)]
        parts = [text] if path.suffix != ".txt" else _split_txt(text)
        out = []
        for k, part in enumerate(parts):
            name = label or ident
            if len(parts) > 1:
                name = f"{name}: {part.strip()[:40]}" if not label else f"{label} #{k + 1}"
            out.append(PromptSpec(ident, name, None, text=part, line=line))
        return out

    def chat_prompt(
        self, ident: str, label: str | None, path: Path, text: str, line: int
    ) -> PromptSpec:
        if path.suffix in (".yaml", ".yml"):
            try:
                data = load_js_yaml(text)
            except yaml.YAMLError as exc:
                raise self.error(line, f"prompt {ident!r}: invalid YAML: {exc}") from None
            text = json.dumps(data, ensure_ascii=False)
        else:
            data = None
            try:
                data = json.loads(text)
            except json.JSONDecodeError:
                data = None  # a template that becomes JSON once rendered: checked per case
        if data is not None and not _is_chat(data):
            raise self.error(
                line, f"prompt {ident!r}: a chat prompt is a list of {{role, content}} messages"
            )
        return PromptSpec(ident, label or ident, None, text=text, chat=True, line=line)

    @staticmethod
    def shipped_task(path: Path) -> str | None:
        """prompts/ask.j2 (the shipped template) names the `ask` task itself."""
        for task in registry.names():
            if path == (prompts_dir() / f"{task}.j2").resolve():
                return task
        return None

    def task_prompt(self, ident: str, task: str, label: str | None, line: int) -> PromptSpec:
        if not registry.is_task(task):
            raise self.error(
                line, f"prompt {ident!r}: no task {task!r} (known: {', '.join(registry.names())})"
            )
        template = f"{task}.j2"
        if ident != task:
            path = self.path(ident)
            if path is None:
                raise self.error(line, f"prompt template {ident!r} not found")
            if self.shipped_task(path) != task:  # every task takes a variant template
                template = str(path)
        return PromptSpec(ident, label or ident, task, template=template, line=line)

    # ------------------------------------------------------------ providers

    def provider(self, item: Any, line: int) -> ProviderSpec:
        if isinstance(item, str) and item.strip():
            name = item.strip()
            self.check_provider_id(name, line)
            return ProviderSpec(name, name, model_from_id(name), {}, line)
        data = self.mapping(item, line, "a provider")
        self.check_keys(data, PROVIDER_KEYS, "a provider")
        ident = self.text(data, "id", "provider")
        model = self.text(data, "model", "provider")
        if not ident and not model:
            raise self.error(data.line, "a provider needs an `id` (e.g. embedded) or a `model`")
        ident = ident or f"openai:chat:{model}"
        self.check_provider_id(ident, data.line_of("id"))
        config_raw = data.get("config")
        config: dict[str, Any] = {}
        if config_raw is not None:
            cfg = self.mapping(config_raw, data.line_of("config"), "provider config")
            self.check_keys(cfg, PROVIDER_CONFIG_KEYS, "provider config")
            config = _plain(cfg)
            fmt = config.get("response_format")
            if fmt is not None and not (
                isinstance(fmt, dict) and fmt.get("type") in ("text", "json_object", "json_schema")
            ):
                raise self.error(
                    cfg.line_of("response_format"),
                    "response_format is {type: json_object} or {type: json_schema, json_schema: "
                    "{name, schema}}",
                )
            if "passthrough" in cfg:
                self.mapping(cfg["passthrough"], cfg.line_of("passthrough"), "passthrough")
            for key in ("tools", "functions"):
                if key in cfg and (problem := _inline_tools_problem(key, config[key])):
                    raise self.error(cfg.line_of(key), problem)
        label = self.text(data, "label", "provider") or ident
        spec = ProviderSpec(ident, label, model or model_from_id(ident), config, data.line)
        if "prompts" in data:
            refs = self.listing(data["prompts"], data.line_of("prompts"), "provider prompts")
            spec.prompts = [str(r) for r in refs]
        spec.transform = self.text(data, "transform", "provider")
        if spec.transform is not None:
            problem = validate_transform(spec.transform, self.base_dir)
            if problem:
                raise self.error(data.line_of("transform"), problem)
        spec.delay_ms = self.number(data, "delay", "provider") or 0.0
        return spec

    def check_provider_id(self, ident: str, line: int) -> None:
        problem = provider_id_problem(ident)
        if ident.startswith("openai:moderation"):  # it grades; it answers no prompt
            problem = f"provider {ident!r}: a moderation provider grades `moderation` assertions"
        if problem:
            raise self.error(line, problem)

    # ------------------------------------------------------------ assertions

    def assertion(self, item: Any, line: int) -> AssertionSpec:
        data = self.mapping(item, line, "an assertion")
        raw_type = data.get("type")
        if raw_type == "assert-set":
            self.check_keys(data, ASSERT_SET_KEYS, "an assert-set")
            children = self.listing(data.get("assert"), data.line_of("assert"), "assert-set assert")
            if not children:
                raise self.error(data.line, "an assert-set needs a list of assertions in `assert`")
            spec = AssertionSpec(
                type="assert-set",
                threshold=self.number(data, "threshold", "assert-set"),
                metric=self.text(data, "metric", "assert-set"),
                line=data.line,
                children=[self.assertion(c, data.line_of("assert")) for c in children],
                raw=_plain(data),
            )
            if any(c.type == "assert-set" for c in spec.children):
                raise self.error(data.line, "an assert-set cannot hold another assert-set")
            if compared := next(filter(crossgrade.is_comparison, spec.children), None):
                raise self.error(
                    compared.line,
                    f"{compared.label} inside an assert-set is never run by promptfoo 0.123.1 "
                    "(it compares a test's own assertions only); move it to the test's `assert`",
                )
            self.weight(spec, data, "assert-set")
            return spec
        self.check_keys(data, ASSERT_KEYS, "an assertion")
        raw_type = self.text(data, "type", "assertion")
        if not raw_type:
            raise self.error(data.line, "an assertion needs a `type`")
        negate = raw_type.startswith("not-")
        kind = raw_type[4:] if negate else raw_type
        refused = unsupported.reason(unsupported.ASSERTION_TYPES, kind)
        if refused:
            raise self.error(data.line_of("type"), refused)
        if kind not in ASSERTIONS and kind not in crossgrade.COMPARISON_TYPES:
            names = [*ASSERTIONS, *crossgrade.COMPARISON_TYPES, "assert-set"]
            hint = difflib.get_close_matches(kind, names, n=1)
            did = f" (did you mean {('not-' if negate else '') + hint[0]!r}?)" if hint else ""
            raise self.error(data.line_of("type"), f"unknown assertion type {raw_type!r}{did}")
        spec = AssertionSpec(
            type=kind,
            negate=negate,
            value=_plain(data.get("value")),
            threshold=self.number(data, "threshold", raw_type),
            weight=1.0,
            transform=self.text(data, "transform", raw_type),
            provider=_plain(data.get("provider")),
            metric=self.text(data, "metric", raw_type),
            line=data.line,
            raw=_plain(data),
            context_transform=self.text(data, "contextTransform", raw_type),
        )
        self.weight(spec, data, raw_type)
        if spec.context_transform is not None and kind not in CONTEXT_TYPES:
            raise self.error(
                data.line_of("contextTransform"),
                f"{raw_type}: contextTransform applies only to {', '.join(CONTEXT_TYPES)} "
                "(promptfoo ignores it elsewhere)",
            )

        problem = validate(spec, self.base_dir)
        if problem:
            raise self.error(data.line_of("value") if "value" in data else data.line, problem)
        if kind in TASK_ONLY:
            spec.raw["__task_only"] = True
        return spec

    def weight(self, spec: AssertionSpec, data: LineMap, where: str) -> None:
        weight = self.number(data, "weight", where)
        if weight is not None:
            if weight < 0:
                raise self.error(data.line_of("weight"), "weight must be >= 0")
            spec.weight = weight

    def asserts(self, data: LineMap) -> list[AssertionSpec]:
        items = self.listing(data.get("assert"), data.line_of("assert"), "assert")
        line = getattr(items, "line", data.line)
        return [self.assertion(item, line) for item in items]

    def options(self, data: LineMap) -> tuple[str | None, Any, dict[str, Any]]:
        if "options" not in data or data["options"] is None:
            return None, None, {}
        opts = self.mapping(data["options"], data.line_of("options"), "options")
        self.check_keys(opts, OPTION_KEYS, "options")
        transform = self.text(opts, "transform", "options")
        if transform is not None:
            problem = validate_transform(transform, self.base_dir)
            if problem:
                raise self.error(opts.line_of("transform"), problem)
        flags: dict[str, Any] = {
            k: bool(opts[k]) for k in ("disableVarExpansion", "disableDefaultAsserts") if k in opts
        }
        for k in ("prefix", "suffix", "transformVars", "storeOutputAs"):
            flags[k] = self.text(opts, k, "options") or ""
        if opts.get("rubricPrompt") is not None:
            flags["rubricPrompt"] = self.rubric_prompt(
                opts["rubricPrompt"], opts.line_of("rubricPrompt")
            )
        return transform, _plain(opts.get("provider")), flags

    def scoring_function(self, data: LineMap) -> str | None:
        """assertScoringFunction: a `file://` JavaScript or Python file (checked to exist)."""
        ref = self.text(data, "assertScoringFunction", "test")
        if ref is None:
            return None

        path, fn = file_ref_path(ref, self.base_dir)
        if not ref.startswith("file://") or path.suffix not in (".js", ".cjs", ".mjs", ".py"):
            raise self.error(
                data.line_of("assertScoringFunction"),
                "assertScoringFunction is file://x.js or file://x.py (optionally :function)",
            )
        if not path.is_file():
            raise self.error(data.line_of("assertScoringFunction"), f"{path}: no such file")
        return f"file://{path.resolve()}" + (f":{fn}" if fn else "")

    def data_file(self, ref: str, line: int, what: str) -> Path:
        """A `file://` reference to data (not a script: those are refused here)."""
        path = self.path(ref)
        if path is None:
            raise self.error(line, f"{what} {ref}: no such file")
        if path.suffix in _SCRIPT_SUFFIXES:
            raise self.error(line, f"{what} {ref}: scripts ({path.suffix}) are not supported here")
        return path

    def rubric_prompt(self, value: Any, line: int) -> str:
        """promptfoo's loadRubricPrompt: text, a `file://` text file, or messages (as JSON)."""
        if isinstance(value, str) and value.startswith("file://"):
            return self.data_file(value, line, "rubricPrompt").read_text(encoding="utf-8")
        if isinstance(value, str):
            return value
        if isinstance(value, dict) and value and set(value) <= {"steps", "evaluate"}:
            # g-eval's two prompts, each loaded as promptfoo's loadRubricPrompt loads one
            return jscompat.js_stringify(
                {k: self.rubric_prompt(v, line) for k, v in value.items() if v}
            )
        return jscompat.js_stringify(_plain(value))

    def vars(self, data: LineMap, where: str) -> dict[str, Any]:
        if "vars" not in data or data["vars"] is None:
            return {}
        value = data["vars"]
        if isinstance(value, str) or (
            isinstance(value, list) and value and all(isinstance(v, str) for v in value)
        ):
            return self.vars_files(value, data.line_of("vars"), where)
        mapping = self.mapping(value, data.line_of("vars"), f"{where} vars")
        return {k: self.var_value(v, mapping.line_of(k)) for k, v in mapping.items()}

    def vars_files(self, refs: str | list[str], line: int, where: str) -> dict[str, Any]:
        """promptfoo's readTestFiles: vars from YAML/JSON files, a path or glob or a list of them
        (relative to the suite), merged in order."""
        out: dict[str, Any] = {}
        for ref in [refs] if isinstance(refs, str) else refs:
            for path in _test_files(ref, line, self, f"{where} vars"):
                loaded = load_js_yaml(path.read_text(encoding="utf-8"))
                if not isinstance(loaded, dict):
                    raise self.error(line, f"{where} vars: {path} is no mapping")
                out.update(loaded)
        return out

    def var_value(self, value: Any, line: int) -> Any:
        """promptfoo reads `file://` vars: a text file's contents, JSON/YAML parsed."""
        if isinstance(value, str) and value.startswith("file://"):
            return _file_var(self.data_file(value, line, "var"))
        if isinstance(value, list):
            return [self.var_value(v, line) for v in value]
        return _plain(value)


def _inline_tools_problem(key: str, value: Any) -> str | None:
    """newsdesk sends `tools` and `functions` as written: a list of objects, with no `file://`
    reference or template (promptfoo would load or render those)."""
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        return f"{key} is a list of definitions (objects), written inline"
    text = json.dumps(value)
    if "file://" in text or "{{" in text or "{%" in text:
        return (
            f"{key}: a `file://` reference or a template in it is not supported by newsdesk "
            "eval; write the definitions inline"
        )
    return None


def _split_txt(text: str) -> list[str]:
    """promptfoo's processTxtFile: split at lines that are `---` once trimmed; each prompt
    trimmed, empty ones dropped."""
    parts: list[str] = []
    buffer: list[str] = []
    for line in [*re.split(r"\r?\n", text), "---"]:
        if jscompat.js_trim(line) != "---":
            buffer.append(line)
            continue
        raw = jscompat.js_trim("\n".join(buffer))
        if raw:
            parts.append(raw)
        buffer = []
    return parts


def _file_var(path: Path) -> str:
    """A `file://` var as promptfoo's renderPrompt reads it: YAML as compact JSON text, any other
    file (JSON too) its text, trimmed."""
    text = path.read_text(encoding="utf-8")
    if path.suffix in (".yaml", ".yml"):
        return jscompat.js_stringify(load_js_yaml(text))
    return jscompat.js_trim(text)


def _is_chat(data: Any) -> bool:
    return (
        isinstance(data, list)
        and bool(data)
        and all(isinstance(m, dict) and "role" in m and "content" in m for m in data)
    )


def _plain(value: Any) -> Any:
    """LineMap/LineList back to plain dict/list (for values handed to assertions and tasks)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def provider_id_problem(ident: str) -> str | None:
    """Why newsdesk cannot run the provider `ident` (None: it can): for a suite's providers and
    for graders named inline alike."""
    if ident in ("embedded", "echo") or ident.startswith("embedded:"):
        return None
    if ident.startswith("openai:") and model_from_id(ident):
        return None
    return (
        f"provider {ident!r}: newsdesk runs openai:chat:MODEL (any OpenAI-compatible "
        "endpoint, config.apiBaseUrl), embedded[:MODEL] and echo"
    )


def model_from_id(ident: str) -> str | None:
    """`openai:gpt-4o-mini` / `openai:chat:gpt-4o-mini` -> gpt-4o-mini; `embedded` -> None;
    `embedded:qwen2.5-coder-1.5b` -> qwen2.5-coder-1.5b."""
    if ident in ("embedded", "echo"):
        return None
    parts = ident.split(":")
    if parts[0] == "embedded":
        return ":".join(parts[1:]) or None
    if parts[0] == "openai":
        parts = parts[1:]
        if parts == ["moderation"]:  # promptfoo's default moderation model
            return "omni-moderation-latest"
        if parts and parts[0] in ("chat", "embedding", "embeddings", "moderation"):
            parts = parts[1:]
    return ":".join(parts) or None


# ---------------------------------------------------------------- tests: lists, files, CSV


@dataclass
class _RawTest:
    data: LineMap
    label: str  # the file it came from, for errors
    line: int


def _csv_assertion(expected: str, line: int, p: _Parser) -> LineMap:
    """promptfoo's assertionFromString: `contains: x`, `not-regex: ...`, `similar(0.8): ...`,
    `javascript: ...`, `python: ...`, `grade: ...`; anything else is `equals`."""
    out = LineMap()
    out.line = line
    out.key_lines = {}

    def put(**kw: Any) -> LineMap:
        for k, v in kw.items():
            if v is not None:
                out[k] = v
                out.key_lines[k] = line
        return out

    for prefix, kind in (
        ("javascript:", "javascript"),
        ("fn:", "javascript"),
        ("eval:", "javascript"),
    ):
        if expected.startswith(prefix):
            return put(type=kind, value=expected[len(prefix) :].strip())
    if expected.startswith("file://") and expected.split(":")[1].endswith((".js", ".mjs", ".cjs")):
        return put(type="javascript", value=expected)
    if expected.startswith(("grade:", "llm-rubric:")):
        return put(type="llm-rubric", value=expected.split(":", 1)[1])
    if expected.startswith("python:") or (
        expected.startswith("file://") and (expected.endswith(".py") or ".py:" in expected)
    ):
        value = expected[7:].strip() if expected.startswith("python:") else expected
        return put(type="python", value=value)
    names = "|".join(sorted(map(re.escape, ASSERTIONS), key=len, reverse=True))
    m = re.match(rf"^(not-)?({names})(?:\((\d+(?:\.\d+)?)\))?(?::([\s\S]*))?$", expected)
    if not m:
        return put(type="equals", value=expected)
    neg, kind, thr, value = m.groups()
    full = f"not-{kind}" if neg else kind
    if kind in ("contains-all", "contains-any", "icontains-all", "icontains-any"):
        return put(type=full, value=jscompat.comma_values(value) if value else value)
    if kind in ("contains-json", "is-json"):
        return put(type=full, value=value)
    if kind in ("cost", "latency", "levenshtein", "rouge-n", "similar", "starts-with"):
        default = 0.8 if kind == "similar" else 0.75
        return put(
            type=full,
            value=value.strip() if value else None,
            threshold=float(thr) if thr else default,
        )
    return put(type=full, value=value.strip() if value else value)


def _csv_tests(path: Path, p: _Parser) -> list[_RawTest]:
    label = str(path)
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        rows = list(reader)
    out: list[_RawTest] = []
    for k, row in enumerate(rows):
        line = k + 2  # the header is line 1 (rows spanning lines are rare in test files)
        data = LineMap()
        data.line, data.key_lines = line, {}
        variables = LineMap()
        variables.line, variables.key_lines = line, {}
        asserts = LineList()
        asserts.line = line
        metric: str | None = None
        configs: dict[int, dict[str, float]] = {}
        for key, value in row.items():
            if key is None:
                raise SuiteError(f"{label}:{line}: more cells than columns")
            key = key.strip()
            value = value or ""
            number = re.fullmatch(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", value.strip())
            if key.startswith("__expected"):
                if value.strip():
                    asserts.append(_csv_assertion(value.strip(), line, p))
            elif key == "__description":
                data["description"] = value
            elif key == "__metric":
                metric = value  # promptfoo: the metric of every assertion of the row
            elif key == "__threshold":
                if number:
                    data["threshold"] = float(value)
            elif key.startswith("__config:"):
                m = re.fullmatch(r"__config:__expected(\d*):threshold", key)
                if not m or not number:
                    raise SuiteError(
                        f"{label}:{line}: column {key!r}: __config:__expected[N]:threshold and a "
                        "number"
                    )
                index = int(m.group(1)) - 1 if m.group(1) else 0
                configs.setdefault(index, {})["threshold"] = float(value)
            elif key in ("__prefix", "__suffix"):
                if value:
                    options = data.setdefault("options", LineMap())
                    options.line, options.key_lines = line, {}
                    options[key[2:]] = value
            elif key == "__providerOutput":
                if value:
                    data["providerOutput"] = value
            elif key.startswith("__"):
                continue  # __metadata:*: not read by newsdesk
            else:
                variables[key] = value
                variables.key_lines[key] = line
        for k, assertion in enumerate(asserts):
            if metric:
                assertion["metric"] = metric
                assertion.key_lines["metric"] = line
            for name, number_value in configs.get(k, {}).items():
                assertion[name] = number_value
                assertion.key_lines[name] = line
        data["vars"] = variables
        if asserts:
            data["assert"] = asserts
        for key in data:
            data.key_lines[key] = line
        out.append(_RawTest(data, label, line))
    return out


def _test_items(value: Any, line: int, p: _Parser) -> list[_RawTest]:
    """`tests:` as a list of tests and/or `file://` references, or one reference."""
    if isinstance(value, str):
        value_list: list[Any] = [value]
        list_line = line
    else:
        value_list = p.listing(value, line, "tests")
        list_line = getattr(value, "line", line)
    out: list[_RawTest] = []
    for item in value_list:
        if isinstance(item, str):
            for path in _test_files(item, list_line, p):
                out.extend(_file_tests(path, item, list_line, p))
            continue
        out.append(_RawTest(item, p.label, getattr(item, "line", list_line)))
    return out


def _test_files(ref: str, line: int, p: _Parser, what: str = "tests") -> list[Path]:
    """A `tests:` (or `vars:`) file reference, or a glob of them (sorted: promptfoo takes the file
    system's order, which only changes test numbers)."""
    raw = ref.removeprefix("file://")
    if any(c in raw for c in "*?["):
        found = sorted(Path(f) for f in glob.glob(str(p.base_dir / raw), recursive=True))
        if not found:
            raise p.error(line, f"{what} {ref!r}: no file matches")
        return found
    path = p.path(ref)
    if path is None:
        raise p.error(line, f"{what} {ref!r}: no such file")
    return [path]


def _file_tests(path: Path, item: str, list_line: int, p: _Parser) -> list[_RawTest]:
    """The tests in one file: CSV rows, JSON Lines, or a YAML/JSON list (or one test)."""
    if path.suffix == ".csv":
        return _csv_tests(path, p)
    sub = _Parser(str(path), path.parent)
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".jsonl":
        out: list[_RawTest] = []
        for k, text_line in enumerate(text.splitlines()):
            if not text_line.strip():
                continue
            t = load_yaml(text_line, f"{path}:{k + 1}")
            if not isinstance(t, LineMap):
                raise sub.error(k + 1, "a test must be an object")
            t.line = k + 1
            out.append(_RawTest(t, str(path), k + 1))
        return out
    if path.suffix not in (".yaml", ".yml", ".json"):
        raise p.error(list_line, f"tests {item!r}: a .yaml, .json, .jsonl or .csv file")
    data = load_yaml(text, str(path))
    items = data if isinstance(data, LineList) else [data]
    for t in items:
        if not isinstance(t, LineMap):
            raise sub.error(getattr(t, "line", 1), "a test must be a mapping")
    return [_RawTest(t, str(path), t.line) for t in items]


def _derived_metrics(top: LineMap, p: _Parser) -> list[DerivedMetric]:
    """derivedMetrics: [{name, value: a mathjs expression}], run by promptfoo's mathjs in node."""
    line = top.line_of("derivedMetrics")
    items = p.listing(top.get("derivedMetrics"), line, "derivedMetrics")
    for item in items:
        why = derived.problem(item)
        if why:
            raise p.error(getattr(item, "line", line), why)
    if items and (missing := node.promptfoo_missing()):
        version = node.PROMPTFOO_VERSION
        raise p.error(
            line,
            f"derivedMetrics are mathjs expressions run by promptfoo {version}'s mathjs under "
            f"node, and {missing}: install node >= 18 and promptfoo (npm install "
            f"promptfoo@{version}); NEWSDESK_NODE and NEWSDESK_PROMPTFOO name them",
        )
    return [DerivedMetric(str(i["name"]), str(i["value"])) for i in items]


def _filters(top: LineMap, p: _Parser) -> dict[str, str]:
    """nunjucksFilters: {name: a JavaScript file}, resolved from the suite's folder."""
    if not top.get("nunjucksFilters"):
        return {}

    line = top.line_of("nunjucksFilters")
    if node.node_version() is None:
        raise p.error(line, "nunjucksFilters are JavaScript, run with node >= 18: install node")
    mapping = p.mapping(top["nunjucksFilters"], line, "nunjucksFilters")
    out: dict[str, str] = {}
    for name, ref in mapping.items():
        path = p.path(str(ref)) if isinstance(ref, str) else None
        if path is None or path.suffix not in (".js", ".cjs", ".mjs"):
            raise p.error(
                mapping.line_of(name), f"nunjucksFilters {name}: no JavaScript file {ref!r}"
            )
        out[str(name)] = str(path)
    return out


def _transform_vars(code: str, variables: dict[str, Any], p: _Parser, line: int) -> dict[str, Any]:
    """promptfoo's transformVars: JavaScript (or file://) over the test's vars, once per test
    before list vars expand; the object it returns is merged over them."""
    ctx = EvalContext(vars=variables, base_dir=p.base_dir)
    try:
        value = apply_transform(code, variables, ctx, kind="vars")
    except Exception as exc:  # the user's JavaScript threw: the suite cannot run
        raise p.error(line, f"transformVars raised {type(exc).__name__}: {exc}") from None
    if not isinstance(value, dict):
        raise p.error(line, "transformVars must return an object")
    return {**variables, **value}


def _expand_vars(variables: dict[str, Any]) -> list[dict[str, Any]]:
    """promptfoo's generateVarCombinations: a var holding a list makes one test per item."""
    keys = list(variables)
    choices = [v if isinstance(v, list) and v else [v] for v in variables.values()]
    if all(len(c) == 1 for c in choices):
        return [variables]
    return [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*choices)]


def load_suite(path: str | Path) -> Suite:
    """Parse and validate a suite file. Raises SuiteError naming the file and line."""
    path = Path(path)
    label = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SuiteError(f"{label}: no such suite file") from None
    except IsADirectoryError:
        raise SuiteError(f"{label}: is a directory, not a suite file") from None
    except UnicodeDecodeError:
        raise SuiteError(f"{label}: not UTF-8 text") from None
    except OSError as exc:
        raise SuiteError(f"{label}: cannot read ({exc.strerror or exc})") from None
    data = load_yaml(text, label)
    p = _Parser(label, path.resolve().parent)
    if data is None:
        raise SuiteError(f"{label}: the suite is empty")
    top = p.mapping(data, 1, "the suite")
    p.check_keys(top, TOP_KEYS, "the suite")

    prompt_items = p.nonempty_list(top, "prompts", "template")
    prompts = [
        spec
        for item in prompt_items
        for spec in p.prompts(item, getattr(item, "line", getattr(prompt_items, "line", 1)))
    ]

    provider_items = p.nonempty_list(top, "providers", "provider", LineList(["embedded"]))
    providers = [p.provider(item, getattr(provider_items, "line", 1)) for item in provider_items]
    _check_unique([pr.label for pr in prompts], "prompt", p, [pr.line for pr in prompts])
    _check_unique([pv.label for pv in providers], "provider", p, [pv.line for pv in providers])

    dt = LineMap()
    dt.line, dt.key_lines = top.line_of("defaultTest"), {}
    dp = p  # defaultTest's parser: errors name its own file when it is `file://`
    if "defaultTest" in top:
        raw_dt = top["defaultTest"]
        if isinstance(raw_dt, str) and raw_dt.startswith("file://"):
            dt_path = p.path(raw_dt)
            if dt_path is None:
                raise p.error(top.line_of("defaultTest"), f"defaultTest {raw_dt!r}: no such file")
            dp = _Parser(str(dt_path), p.base_dir)
            raw_dt = load_yaml(dt_path.read_text(encoding="utf-8"), str(dt_path))
        dt = dp.mapping(raw_dt, top.line_of("defaultTest"), "defaultTest")
        dp.check_keys(dt, DEFAULT_TEST_KEYS, "defaultTest")
    default_vars = dp.vars(dt, "defaultTest")
    default_asserts = dp.asserts(dt)
    default_threshold = dp.number(dt, "threshold", "defaultTest")
    default_metric = dp.text(dt, "metric", "defaultTest")
    default_transform, default_grader, default_flags = dp.options(dt)
    default_metadata = _plain(dt.get("metadata") or {})

    raw_tests: list[tuple[_RawTest, dict[str, Any], list[AssertionSpec], str | None]] = []
    if "tests" in top and top["tests"] is not None:
        for rt in _test_items(top["tests"], top.line_of("tests"), p):
            raw_tests.append((rt, {}, [], None))
    for s_idx, scenario in enumerate(
        p.listing(top.get("scenarios"), top.line_of("scenarios"), "scenarios")
    ):
        sc = p.mapping(scenario, top.line_of("scenarios"), f"scenario {s_idx + 1}")
        p.check_keys(sc, SCENARIO_KEYS, f"scenario {s_idx + 1}")
        sc_desc = p.text(sc, "description", "scenario")
        configs = p.listing(sc.get("config"), sc.line_of("config"), "scenario config")
        if not configs:
            raise p.error(sc.line, "a scenario needs a `config` list of vars")
        sc_tests = _test_items(sc.get("tests"), sc.line_of("tests"), p) if sc.get("tests") else []
        if not sc_tests:
            empty = LineMap()
            empty.line, empty.key_lines = sc.line, {}
            sc_tests = [_RawTest(empty, label, sc.line)]
        for cfg in configs:
            c = p.mapping(cfg, sc.line_of("config"), "a scenario config")
            p.check_keys(
                c, ("vars", "assert", "description", "metadata", "options"), "a scenario config"
            )
            cvars = p.vars(c, "scenario config")
            casserts = p.asserts(c)
            cdesc = p.text(c, "description", "scenario config")
            for rt in sc_tests:
                raw_tests.append((rt, cvars, casserts, cdesc or sc_desc))
    if not raw_tests:
        raise p.error(top.line_of("tests"), "`tests` must list at least one test")

    tests: list[TestCase] = []
    for rt, scenario_vars, scenario_asserts, scenario_desc in raw_tests:
        i = len(tests) + 1
        tp = p if rt.label == label else _Parser(rt.label, Path(rt.label).resolve().parent)
        t = tp.mapping(rt.data, rt.line, f"test {i}")
        tp.check_keys(t, TEST_KEYS, f"test {i}")
        transform, grader, flags = tp.options(t)
        desc = tp.text(t, "description", f"test {i}")
        own_asserts = tp.asserts(t)
        merged_vars = {**default_vars, **scenario_vars, **tp.vars(t, f"test {i}")}
        transform_vars = flags.get("transformVars") or default_flags.get("transformVars")
        if transform_vars:
            merged_vars = _transform_vars(transform_vars, merged_vars, tp, t.line)
        own_provider = (
            tp.provider(t["provider"], t.line_of("provider")) if "provider" in t else None
        )
        asserts = [
            *([] if flags.get("disableDefaultAsserts") else default_asserts),
            *scenario_asserts,
            *own_asserts,
        ]
        combos = [merged_vars] if flags.get("disableVarExpansion") else _expand_vars(merged_vars)
        for variables in combos:
            i = len(tests) + 1
            case = TestCase(
                index=i,
                description=desc or scenario_desc or _describe(variables, i),
                vars=variables,
                asserts=asserts,
                threshold=_first(tp.number(t, "threshold", f"test {i}"), default_threshold),
                metric=tp.text(t, "metric", f"test {i}") or default_metric,
                transform=transform or default_transform,
                grader=grader if grader is not None else default_grader,
                line=t.line,
                suite=label,
                metadata={**default_metadata, **_plain(t.get("metadata") or {})},
                raw={k: _plain(v) for k, v in t.items() if k != "assert"},
                # promptfoo: the test's prefix, else defaultTest's (`||`: "" counts as unset)
                prefix=flags.get("prefix") or default_flags.get("prefix") or "",
                suffix=flags.get("suffix") or default_flags.get("suffix") or "",
                provider_output=tp.text(t, "providerOutput", f"test {i}") or None,
                store_output_as=flags.get("storeOutputAs") or None,
                rubric_prompt=flags.get("rubricPrompt") or default_flags.get("rubricPrompt"),
                scoring_function=tp.scoring_function(t) or dp.scoring_function(dt),
                provider=own_provider,
            )
            for prompt in prompts:
                _check_vars(case, prompt, tp)
            _check_comparisons(case, prompts, providers, tp)
            tests.append(case)
    suite = Suite(
        path=path,
        description=str(top.get("description")) if top.get("description") else path.stem,
        prompts=prompts,
        providers=providers,
        tests=tests,
        env=_plain(p.mapping(top["env"], top.line_of("env"), "env")) if top.get("env") else {},
        nunjucks_filters=_filters(top, p),
        derived_metrics=_derived_metrics(top, p),
    )
    _check_node(suite, p)
    return suite


def _check_promptfoo(suite: Suite, p: _Parser) -> None:
    """The assertion types promptfoo itself runs need node and promptfoo: refused, never
    guessed at, where they are missing."""
    asserts = (a for t in suite.tests for a in _flat(t.asserts))
    first = next((a for a in asserts if a.type in PROMPTFOO_TYPES), None)
    why = node.promptfoo_missing() if first is not None else None
    if first is not None and why:
        version = node.PROMPTFOO_VERSION
        raise p.error(
            first.line,
            f"{first.label} is run by promptfoo {version} itself under node, and {why}: "
            f"install node >= 18 and promptfoo (npm install promptfoo@{version}); "
            "NEWSDESK_NODE and NEWSDESK_PROMPTFOO name them",
        )


def _check_node(suite: Suite, p: _Parser) -> None:
    _check_promptfoo(suite, p)
    needs = suite.needs_node()
    if not needs:
        return

    if node.node_version() is None:
        line, why = needs[0]
        if why.startswith("the Nunjucks template"):
            raise p.error(
                line,
                f"{why} is rendered by nunjucks under node >= 18, and no node was found (install "
                "node or set NEWSDESK_NODE; without node only plain `{{ name }}` substitutions "
                "render)",
            )
        # a contextTransform's check runs in node whatever the transform is written in
        hint = (
            ""
            if why.startswith("a contextTransform")
            else "; a transform can be `file://x.py` or `python: EXPRESSION`"
        )
        raise p.error(
            line,
            f"{why} is JavaScript, which newsdesk runs with node >= 18, and no node was found "
            f"(install node or set NEWSDESK_NODE{hint})",
        )


def _check_comparisons(
    case: TestCase, prompts: list[PromptSpec], providers: list[ProviderSpec], p: _Parser
) -> None:
    """select-best and max-score compare the outputs of the test's every prompt and provider."""
    outputs = sum(provider.runs(prompt) for provider in providers for prompt in prompts)
    for spec in crossgrade.comparisons(case.asserts):
        if problem := crossgrade.load_problem(spec, case.asserts, outputs):
            raise p.error(spec.line, f"test {case.index}: {problem}")


def _first(value: float | None, default: float | None) -> float | None:
    return default if value is None else value


def _describe(variables: dict[str, Any], index: int) -> str:
    question = variables.get("question")
    if isinstance(question, str) and question:
        return question
    return f"test {index}"


def _check_unique(labels: list[str], what: str, p: _Parser, lines: list[int]) -> None:
    seen: set[str] = set()
    for label, line in zip(labels, lines, strict=True):
        if label in seen:
            raise p.error(line, f"two {what}s are labelled {label!r}; give one a `label`")
        seen.add(label)


def _check_vars(case: TestCase, prompt: PromptSpec, p: _Parser) -> None:
    if prompt.task is None:
        return
    for name in required_vars(prompt.task):
        if case.vars.get(name) in (None, ""):
            raise p.error(
                case.line, f"test {case.index}: task {prompt.task!r} needs the var {name!r}"
            )
    if "article" in case.vars:
        try:
            resolve_article(case.vars["article"], p.base_dir)
        except InputError as exc:
            raise p.error(case.line, f"test {case.index}: article: {exc}") from None
