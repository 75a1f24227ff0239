"""Suite files: YAML in promptfoo's shape, loaded with line numbers so every error names its line.

    description: ask regressions
    prompts: [ask, prompts/variants/ask-terse.j2]      # task templates, by name or path
    providers:                                          # `embedded` = the built-in model
      - embedded
      - id: openai:gpt-4o-mini
        config: {base_url: https://api.openai.com/v1, temperature: 0}
    defaultTest:
      vars: {article: ../../examples/us-china-trade-talks.txt}
      assert: [{type: cites-valid}]
    tests:
      - description: unanswerable question
        vars: {question: Who won the 2018 World Cup?}
        assert: [{type: abstains}]

Unknown keys and assertion types are errors (`SuiteError`, exit 2) with `file:line:`.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from newsdesk.errors import InputError

TOP_KEYS = ("description", "prompts", "providers", "defaultTest", "tests")
TEST_KEYS = ("description", "vars", "assert", "threshold", "metric", "options")
DEFAULT_TEST_KEYS = ("vars", "assert", "threshold", "metric", "options")
OPTION_KEYS = ("transform", "provider")
ASSERT_KEYS = ("type", "value", "threshold", "weight", "transform", "provider", "metric")
PROMPT_KEYS = ("id", "label", "task")
PROVIDER_KEYS = ("id", "label", "model", "config")
PROVIDER_CONFIG_KEYS = (
    "base_url",
    "apiBaseUrl",
    "api_key_env",
    "apiKeyEnvar",
    "temperature",
    "seed",
    "deterministic",
    "prompt_budget",
    "timeout",
    "max_retries",
    "gguf",
    "embeddings",
)
KNOWN_TASKS = ("ask", "summarize", "stance", "brief")


class SuiteError(InputError):
    """A suite that cannot run: bad YAML, unknown key or assertion type, missing file (exit 2)."""


# ---------------------------------------------------------------- line-aware YAML


class LineMap(dict[str, Any]):
    """A YAML mapping that remembers its own line and each key's line (1-based)."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list[Any]):
    line: int = 0


class _Loader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineMap:
    loader.flatten_mapping(node)
    out = LineMap()
    out.line = node.start_mark.line + 1
    out.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if not isinstance(key, str):
            raise yaml.MarkedYAMLError(
                problem=f"keys must be text, got {key!r}", problem_mark=key_node.start_mark
            )
        if key in out:
            raise yaml.MarkedYAMLError(
                problem=f"duplicate key {key!r} (first on line {out.key_lines[key]})",
                problem_mark=key_node.start_mark,
            )
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[key] = line
    return out


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    out = LineList(loader.construct_object(child, deep=True) for child in node.value)
    out.line = node.start_mark.line + 1
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def load_yaml(text: str, label: str) -> Any:
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = f"{mark.line + 1}:" if mark is not None else ""
        raise SuiteError(f"{label}:{line} invalid YAML: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise SuiteError(f"{label}: invalid YAML: {exc}") from None


# ---------------------------------------------------------------- the suite model


@dataclass
class AssertionSpec:
    type: str  # without the `not-` prefix
    negate: bool = False
    value: Any = None
    threshold: float | None = None
    weight: float = 1.0
    transform: str | None = None
    provider: Any = None  # a grader provider for llm-rubric / similar
    metric: str | None = None
    line: int = 0

    @property
    def label(self) -> str:
        return ("not-" if self.negate else "") + self.type


@dataclass
class PromptSpec:
    id: str  # template name or path, as the suite wrote it
    label: str
    task: str
    template: str  # what the task renders: a name in prompts/ or a resolved path
    line: int = 0


@dataclass
class ProviderSpec:
    id: str
    label: str
    model: str | None = None
    config: dict[str, Any] = field(default_factory=dict)
    line: int = 0

    @property
    def embedded(self) -> bool:
        return self.id == "embedded"


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


@dataclass
class Suite:
    path: Path
    description: str
    prompts: list[PromptSpec]
    providers: list[ProviderSpec]
    tests: list[TestCase]

    @property
    def base_dir(self) -> Path:
        return self.path.parent


# ---------------------------------------------------------------- parsing


class _Parser:
    def __init__(self, label: str, base_dir: Path) -> None:
        self.label = label
        self.base_dir = base_dir

    def error(self, line: int, message: str) -> SuiteError:
        return SuiteError(f"{self.label}:{line}: {message}")

    def check_keys(self, data: LineMap, allowed: tuple[str, ...], where: str) -> None:
        for key in data:
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

    # ------------------------------------------------------------ parts

    def prompt(self, item: Any, line: int) -> PromptSpec:
        task: str | None = None
        label: str | None = None
        if isinstance(item, LineMap):
            self.check_keys(item, PROMPT_KEYS, "a prompt")
            ident = self.text(item, "id", "prompt")
            if not ident:
                raise self.error(item.line, "a prompt needs an `id` (a template name or path)")
            label = self.text(item, "label", "prompt")
            task = self.text(item, "task", "prompt")
            line = item.line
        elif isinstance(item, str) and item.strip():
            ident = item.strip()
        else:
            raise self.error(line, f"a prompt must be a template name or path, got {item!r}")
        template = self.template(ident, line)
        if task is None:
            stem = Path(ident).name.split(".")[0]
            task = re.split(r"[-_.]", stem)[0]
        if task not in KNOWN_TASKS:
            raise self.error(
                line,
                f"prompt {ident!r}: no task {task!r} (known: {', '.join(KNOWN_TASKS)}); "
                "name the template after its task (ask-terse.j2) or add `task:`",
            )
        from newsdesk.evals.tasks import available

        if not available(task):
            raise self.error(line, f"prompt {ident!r}: task {task!r} is not available yet")
        if template != f"{task}.j2":
            from newsdesk.evals.tasks import supports_variants

            if not supports_variants(task):
                raise self.error(
                    line, f"prompt {ident!r}: task {task!r} cannot run template variants yet"
                )
        return PromptSpec(ident, label or ident, task, template, line)

    def template(self, ident: str, line: int) -> str:
        """A template name in prompts/ (`ask`, `ask.j2`) or a path (relative to the suite)."""
        from newsdesk.prompts import prompts_dir

        path = Path(ident).expanduser()
        looks_like_path = "/" in ident or "\\" in ident
        if looks_like_path or path.suffix:
            for candidate in (self.base_dir / path, Path.cwd() / path, path):
                if candidate.is_file():
                    if candidate.resolve() == (prompts_dir() / candidate.name).resolve():
                        return candidate.name  # the shipped template itself, not a variant
                    return str(candidate.resolve())
            # `prompts/ask.j2` and `ask.j2` also name templates in the prompts folder
            inside = prompts_dir() / path.name
            if inside.is_file() and (not looks_like_path or path.parent.name == "prompts"):
                return path.name
            raise self.error(line, f"prompt template {ident!r} not found")
        name = f"{ident}.j2"
        if ident in KNOWN_TASKS:
            return name  # a task's own prompt(s): stance and brief use several templates
        if not (prompts_dir() / name).is_file():
            raise self.error(line, f"prompt template {ident!r} not found in {prompts_dir()}")
        return name

    def provider(self, item: Any, line: int) -> ProviderSpec:
        if isinstance(item, str) and item.strip():
            name = item.strip()
            return ProviderSpec(name, name, _model_from_id(name), {}, line)
        data = self.mapping(item, line, "a provider")
        self.check_keys(data, PROVIDER_KEYS, "a provider")
        ident = self.text(data, "id", "provider")
        model = self.text(data, "model", "provider")
        if not ident and not model:
            raise self.error(data.line, "a provider needs an `id` (e.g. embedded) or a `model`")
        ident = ident or f"openai:{model}"
        config_raw = data.get("config")
        config: dict[str, Any] = {}
        if config_raw is not None:
            cfg = self.mapping(config_raw, data.line_of("config"), "provider config")
            self.check_keys(cfg, PROVIDER_CONFIG_KEYS, "provider config")
            config = dict(cfg)
        label = self.text(data, "label", "provider") or ident
        return ProviderSpec(ident, label, model or _model_from_id(ident), config, data.line)

    def assertion(self, item: Any, line: int) -> AssertionSpec:
        from newsdesk.evals.assertions import ASSERTIONS

        data = self.mapping(item, line, "an assertion")
        self.check_keys(data, ASSERT_KEYS, "an assertion")
        raw_type = self.text(data, "type", "assertion")
        if not raw_type:
            raise self.error(data.line, "an assertion needs a `type`")
        negate = raw_type.startswith("not-")
        kind = raw_type[4:] if negate else raw_type
        if kind not in ASSERTIONS:
            hint = difflib.get_close_matches(kind, list(ASSERTIONS), n=1)
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
        )
        weight = self.number(data, "weight", raw_type)
        if weight is not None:
            if weight < 0:
                raise self.error(data.line_of("weight"), "weight must be >= 0")
            spec.weight = weight
        from newsdesk.evals.assertions import validate

        problem = validate(spec, self.base_dir)
        if problem:
            raise self.error(data.line_of("value") if "value" in data else data.line, problem)
        return spec

    def asserts(self, data: LineMap) -> list[AssertionSpec]:
        items = self.listing(data.get("assert"), data.line_of("assert"), "assert")
        line = getattr(items, "line", data.line)
        return [self.assertion(item, line) for item in items]

    def options(self, data: LineMap) -> tuple[str | None, Any]:
        if "options" not in data:
            return None, None
        opts = self.mapping(data["options"], data.line_of("options"), "options")
        self.check_keys(opts, OPTION_KEYS, "options")
        return self.text(opts, "transform", "options"), _plain(opts.get("provider"))

    def vars(self, data: LineMap, where: str) -> dict[str, Any]:
        if "vars" not in data or data["vars"] is None:
            return {}
        mapping = self.mapping(data["vars"], data.line_of("vars"), f"{where} vars")
        return {k: _plain(v) for k, v in mapping.items()}


def _plain(value: Any) -> Any:
    """LineMap/LineList back to plain dict/list (for values handed to assertions and tasks)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _model_from_id(ident: str) -> str | None:
    """`openai:gpt-4o-mini` / `openai:chat:gpt-4o-mini` -> gpt-4o-mini; `embedded` -> None."""
    if ident == "embedded":
        return None
    parts = ident.split(":")
    if parts[0] == "openai":
        parts = parts[1:]
        if parts and parts[0] == "chat":
            parts = parts[1:]
    return ":".join(parts) or None


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

    prompt_items = p.listing(top.get("prompts"), top.line_of("prompts"), "prompts")
    if not prompt_items:
        raise p.error(top.line_of("prompts"), "`prompts` must list at least one template")
    prompts = [p.prompt(item, getattr(prompt_items, "line", 1)) for item in prompt_items]

    provider_items = (
        p.listing(top.get("providers"), top.line_of("providers"), "providers")
        if "providers" in top
        else ["embedded"]
    )
    if not provider_items:
        raise p.error(top.line_of("providers"), "`providers` must list at least one provider")
    providers = [p.provider(item, getattr(provider_items, "line", 1)) for item in provider_items]
    _check_unique([pr.label for pr in prompts], "prompt", p, [pr.line for pr in prompts])
    _check_unique([pv.label for pv in providers], "provider", p, [pv.line for pv in providers])

    default_vars: dict[str, Any] = {}
    default_asserts: list[AssertionSpec] = []
    default_threshold: float | None = None
    default_metric: str | None = None
    default_transform: str | None = None
    default_grader: Any = None
    if "defaultTest" in top:
        dt = p.mapping(top["defaultTest"], top.line_of("defaultTest"), "defaultTest")
        p.check_keys(dt, DEFAULT_TEST_KEYS, "defaultTest")
        default_vars = p.vars(dt, "defaultTest")
        default_asserts = p.asserts(dt)
        default_threshold = p.number(dt, "threshold", "defaultTest")
        default_metric = p.text(dt, "metric", "defaultTest")
        default_transform, default_grader = p.options(dt)

    test_items = p.listing(top.get("tests"), top.line_of("tests"), "tests")
    if not test_items:
        raise p.error(top.line_of("tests"), "`tests` must list at least one test")
    tests: list[TestCase] = []
    for i, item in enumerate(test_items, start=1):
        t = p.mapping(item, getattr(test_items, "line", 1), f"test {i}")
        p.check_keys(t, TEST_KEYS, f"test {i}")
        transform, grader = p.options(t)
        desc = p.text(t, "description", f"test {i}")
        variables = {**default_vars, **p.vars(t, f"test {i}")}
        case = TestCase(
            index=i,
            description=desc or _describe(variables, i),
            vars=variables,
            asserts=[*default_asserts, *p.asserts(t)],
            threshold=_first(p.number(t, "threshold", f"test {i}"), default_threshold),
            metric=p.text(t, "metric", f"test {i}") or default_metric,
            transform=transform or default_transform,
            grader=grader if grader is not None else default_grader,
            line=t.line,
            suite=label,
        )
        if not case.asserts:
            raise p.error(t.line, f"test {i} ({case.description}) has no assertions")
        for prompt in prompts:
            _check_vars(case, prompt, p)
        tests.append(case)
    descriptions = top.get("description")
    return Suite(
        path=path,
        description=str(descriptions) if descriptions else path.stem,
        prompts=prompts,
        providers=providers,
        tests=tests,
    )


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
    from newsdesk.evals.tasks import REQUIRED_VARS, resolve_article

    for name in REQUIRED_VARS.get(prompt.task, ()):
        if case.vars.get(name) in (None, ""):
            raise p.error(
                case.line, f"test {case.index}: task {prompt.task!r} needs the var {name!r}"
            )
    if "article" in case.vars:
        try:
            resolve_article(case.vars["article"], p.base_dir)
        except InputError as exc:
            raise p.error(case.line, f"test {case.index}: article: {exc}") from None
