"""Run prompts x providers x tests (x repeats) concurrently and grade every output.

One idea, kept whole (~600 lines): the run of one suite, from the expanded jobs to the graded
results and their summary; its parts (job expansion, one case, the summary) share the run's
state and make sense only together.
"""

from __future__ import annotations

import contextlib
import json
import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import Field, FieldSerializationInfo, computed_field, field_serializer

from newsdesk.errors import InputError, NewsdeskError
from newsdesk.evals import crossgrade, derived, jscompat, node, templates
from newsdesk.evals.assertions import (
    CaseError,
    EvalContext,
    Grade,
    apply_transform,
    grade,
    output_string,
    render_template,
)
from newsdesk.evals.assertions.core import shorten
from newsdesk.evals.assertions.model_graded import ask_grader, grading_prompt
from newsdesk.evals.derived import DerivedMetric
from newsdesk.evals.providers import (
    MODERATOR,
    ProviderPool,
    grader_for,
    openai_output,
    promptfoo_id,
)
from newsdesk.evals.scoring import apply_scoring
from newsdesk.evals.spec import AssertionSpec
from newsdesk.evals.suite import PromptSpec, ProviderSpec, Suite, TestCase
from newsdesk.evals.tasks import TaskOutput, resolve_article, run_task
from newsdesk.llm.client import LLMClient, ResponseFormat
from newsdesk.llm.usage import UsageLog
from newsdesk.schema import Record

REPORT_VERSION = 1


class AssertionResult(Record):
    type: str
    passed: bool
    score: float
    reason: str
    weight: float = 1.0
    metric: str | None = None
    line: int = 0
    assertion: dict[str, Any] = Field(default_factory=dict)  # as the suite wrote it
    children: list[AssertionResult] = Field(default_factory=list)  # an assert-set's
    named_scores: dict[str, float] = Field(default_factory=dict)  # max-score's own


class CaseResult(Record):
    case_id: str  # stable across runs: suite file name + test description
    suite: str
    test_index: int
    description: str
    prompt: str
    provider: str
    repeat: int
    passed: bool
    score: float
    error: str | None = None
    output: str = ""
    latency_ms: float = 0.0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    calls: int = 0
    cache_hits: int = 0
    cost_usd: float | None = None
    metric: str | None = None
    vars: dict[str, Any] = Field(default_factory=dict)
    asserts: list[AssertionResult] = Field(default_factory=list)
    result: dict[str, Any] = Field(default_factory=dict)
    reason: str = ""
    named_scores: dict[str, float] = Field(default_factory=dict)
    # each named score's total weight in the case (promptfoo's namedScoreWeights)
    named_weights: dict[str, float] = Field(default_factory=dict, exclude=True)
    prompt_text: str = ""  # the prompt as sent (rendered)
    prompt_id: str = ""
    provider_id: str = ""
    raw_output: Any = None  # the provider's output before coercion to text (JSON schema: parsed)

    def _status(self) -> str:
        return "error" if self.error else ("pass" if self.passed else "fail")

    status = computed_field(property(_status))  # printed last

    @field_serializer("latency_ms", "score")
    def _round(self, value: float, info: FieldSerializationInfo) -> float:
        return round(value, 1 if info.field_name == "latency_ms" else 4)


class Group(Record):
    """All repeats of one (test, prompt, provider); --json prints the number of runs."""

    case_id: str
    description: str
    prompt: str
    provider: str
    runs: list[CaseResult]
    min_pass_rate: float = Field(default=1.0, exclude=True)

    @field_serializer("runs")
    def _count(self, runs: list[CaseResult]) -> int:
        return len(runs)

    def _pass_rate(self) -> float:
        return sum(r.passed for r in self.runs) / len(self.runs)

    @property
    def passed(self) -> bool:
        return self._pass_rate() >= self.min_pass_rate - 1e-9

    @property
    def errored(self) -> bool:
        return any(r.error for r in self.runs)

    def _status(self) -> str:
        if self.passed:
            return "pass"
        return "error" if self.errored and not any(r.passed for r in self.runs) else "fail"

    def _score(self) -> float:
        return sum(r.score for r in self.runs) / len(self.runs)

    pass_rate = computed_field(property(_pass_rate))
    score = computed_field(property(_score))
    status = computed_field(property(_status))

    @field_serializer("pass_rate", "score")
    def _round(self, value: float) -> float:
        return round(value, 4)


class RunOptions(Record):
    repeat: int
    min_pass_rate: float
    max_concurrency: int
    cache: bool


class RunReport(Record):
    """The --json report. The run's options print as one object; notes and results print after
    the computed summary and groups, so they are excluded fields shown again as computed ones."""

    version: int = REPORT_VERSION
    description: str
    suites: list[str]
    started: str
    duration_s: float
    results: list[CaseResult] = Field(exclude=True)
    repeat: int = Field(default=1, exclude=True)
    min_pass_rate: float = Field(default=1.0, exclude=True)
    max_concurrency: int = Field(default=4, exclude=True)
    cache: bool = Field(default=True, exclude=True)
    notes: list[str] = Field(default_factory=list, exclude=True)
    grading_calls: int = Field(default=0, exclude=True)
    # each prompt column's (prompt, provider) named scores with its derived metrics (promptfoo's
    # prompts[].metrics.namedScores); a column absent here sums its cases' (derived.sums)
    prompt_scores: dict[tuple[str, str], dict[str, Any]] = Field(default_factory=dict, exclude=True)

    @field_serializer("duration_s")
    def _round(self, seconds: float) -> float:
        return round(seconds, 3)

    def groups(self) -> list[Group]:
        out: dict[tuple[str, str, str], Group] = {}
        for r in self.results:
            key = (r.case_id, r.prompt, r.provider)
            if key not in out:
                out[key] = Group(
                    case_id=r.case_id,
                    description=r.description,
                    prompt=r.prompt,
                    provider=r.provider,
                    runs=[],
                    min_pass_rate=self.min_pass_rate,
                )
            out[key].runs.append(r)
        return list(out.values())

    def _passed(self) -> bool:
        return all(g.passed for g in self.groups())

    def summary(self) -> dict[str, Any]:
        groups = self.groups()
        calls = sum(r.calls for r in self.results)
        hits = sum(r.cache_hits for r in self.results)
        costs = [r.cost_usd for r in self.results if r.cost_usd is not None]
        # named metrics, as promptfoo totals them: each case's weighted mean score per metric
        # (namedScores), summed and averaged over the cases that have it
        metrics: dict[str, dict[str, float]] = {}
        for r in self.results:
            for name, value in r.named_scores.items():
                m = metrics.setdefault(name, {"passed": 0, "total": 0, "score_sum": 0.0})
                m["total"] += 1
                m["score_sum"] += value
                m["passed"] += int(r.passed)
            if r.metric and r.metric not in r.named_scores:
                m = metrics.setdefault(r.metric, {"passed": 0, "total": 0, "score_sum": 0.0})
                m["total"] += 1
                m["score_sum"] += r.score
                m["passed"] += int(r.passed)
        for m in metrics.values():
            m["score"] = round(m["score_sum"] / m["total"], 4) if m["total"] else 0.0
            m["score_sum"] = round(m["score_sum"], 4)
        return {
            "cases": len(groups),
            "runs": len(self.results),
            "passed": sum(g.passed for g in groups),
            "failed": sum(g.status == "fail" for g in groups),
            "errors": sum(g.status == "error" for g in groups),
            "pass_rate": round(sum(r.passed for r in self.results) / len(self.results), 4)
            if self.results
            else 0.0,
            "calls": calls,
            "cache_hits": hits,
            "prompt_tokens": sum(r.prompt_tokens for r in self.results),
            "completion_tokens": sum(r.completion_tokens for r in self.results),
            "cost_usd": round(sum(costs), 6) if costs else None,
            "grading_calls": self.grading_calls,
            "metrics": metrics,
        }

    def _options(self) -> RunOptions:
        return RunOptions(
            repeat=self.repeat,
            min_pass_rate=self.min_pass_rate,
            max_concurrency=self.max_concurrency,
            cache=self.cache,
        )

    def _notes(self) -> list[str]:
        return self.notes

    def _results(self) -> list[CaseResult]:
        return self.results

    options = computed_field(property(_options))
    passed = computed_field(property(_passed))
    summary_ = computed_field(alias="summary")(property(summary))
    notes_ = computed_field(alias="notes")(property(_notes))
    groups_ = computed_field(alias="groups")(property(groups))
    results_ = computed_field(alias="results")(property(_results))


@dataclass
class Job:
    order: int
    suite: Suite
    test: TestCase
    prompt: PromptSpec
    provider: ProviderSpec
    repeat: int
    case_id: str
    repeats: int = 1  # how many repeats the run makes of each case


class PromptError(Exception):
    """The user's prompt could not be rendered into messages (reported on the case)."""


def render_prompt(
    prompt: PromptSpec,
    variables: dict[str, Any],
    prefix: str = "",
    suffix: str = "",
    env: dict[str, Any] | None = None,
    filters: dict[str, str] | None = None,
) -> tuple[str, list[dict[str, Any]], dict[str, Any]]:
    """(the prompt as rendered, its messages, the vars as promptfoo grades with them): text is one
    user message; a chat prompt renders to a JSON list of {role, content} messages."""
    try:
        rendered, graded_vars = templates.render_prompt(
            prefix + prompt.text + suffix, variables, env, filters
        )
    except templates.TemplateError as exc:
        raise PromptError(f"prompt {prompt.label!r}: cannot render: {exc}") from None
    if not prompt.chat:
        return rendered, [{"role": "user", "content": rendered}], graded_vars
    try:
        messages = json.loads(rendered)
    except json.JSONDecodeError as exc:
        raise PromptError(
            f"prompt {prompt.label!r}: not a JSON chat once rendered: {exc}"
        ) from None
    if not isinstance(messages, list) or not all(
        isinstance(m, dict) and "role" in m and "content" in m for m in messages
    ):
        raise PromptError(f"prompt {prompt.label!r}: a chat is a list of {{role, content}}")
    return rendered, messages, graded_vars


def _configured_cost(provider: ProviderSpec, cost: float | None, total: Any) -> float | None:
    """promptfoo's calculateCost: config `inputCost`/`outputCost` (else `cost`) per token replace
    the model's prices, for a model that has prices (else the cost stays unknown)."""
    cfg = provider.config
    if cost is None or not any(k in cfg for k in ("cost", "inputCost", "outputCost")):
        return cost
    per_in = cfg.get("inputCost", cfg.get("cost"))
    per_out = cfg.get("outputCost", cfg.get("cost"))
    if per_in is None or per_out is None:  # one side from config, the other from the model
        return cost
    return float(per_in) * int(total.prompt_tokens) + float(per_out) * int(total.completion_tokens)


def _test_dict(test: TestCase) -> dict[str, Any]:
    out = dict(test.raw)
    out["vars"] = test.vars
    out["assert"] = [a.raw for a in test.asserts]
    if test.description:
        out.setdefault("description", test.description)
    return out


def grade_all(specs: list[Any], output: Any, ctx: EvalContext) -> list[tuple[Any, Grade]]:
    """Each assertion's grade; an assert-set is graded as promptfoo grades a test (its own
    threshold over its children's weighted scores). Comparisons wait for the test's every case
    (Runner.compare)."""
    out: list[tuple[Any, Grade]] = []
    for spec in specs:
        if crossgrade.is_comparison(spec):
            continue
        if spec.type == "assert-set":
            children = grade_all(spec.children, output, ctx)
            passed, score, reason, named, _ = aggregate(children, spec.threshold, ctx.vars, ctx.env)
            out.append(
                (spec, Grade(passed, score, reason, named_scores=named, components=children))
            )
        else:
            out.append((spec, grade(output, spec, ctx)))
    return out


def aggregate(
    grades: list[tuple[Any, Grade]],
    threshold: float | None,
    variables: dict[str, Any],
    env: dict[str, Any] | None = None,
) -> tuple[bool, float, str, dict[str, float], dict[str, float]]:
    """promptfoo's AssertionsResult: the score is the weighted mean (0 when every weight is 0,
    or when nothing was graded yet: a test of comparisons only); the test passes when no
    assertion failed, or, with a threshold, when the score reaches it. Named metrics are
    weighted means of their assertions' scores; their total weights come last (promptfoo's
    namedScoreWeights, which its per-prompt sums multiply the means by)."""
    total = weights = 0.0
    named: dict[str, float] = {}
    named_w: dict[str, float] = {}
    failed: str | None = None
    for spec, g in grades:
        w = spec.weight
        total += g.score * w
        weights += w
        metric = render_template(spec.metric, variables, env) if spec.metric else None
        if metric:
            named[metric] = named.get(metric, 0.0) + g.score * w
            named_w[metric] = named_w.get(metric, 0.0) + w
        for name, value in g.named_scores.items():
            if name != metric:
                named[name] = named.get(name, 0.0) + float(value) * w
                named_w[name] = named_w.get(name, 0.0) + w
        if not g.passed:
            failed = g.reason
    score = total / weights if weights > 0 else 0.0
    passed = failed is None
    reason = failed or "All assertions passed"
    if threshold is not None:
        passed = score >= threshold
        # JavaScript's toFixed and String(): 0.625 shows as 0.63 (Python's format: 0.62)
        shown, limit = jscompat.js_to_fixed(score, 2), jscompat.js_str(threshold)
        reason = f"Aggregate score {shown} {'≥' if passed else '<'} {limit} threshold"
    return (
        passed,
        score,
        reason,
        {k: (v / named_w[k] if named_w[k] > 0 else 0.0) for k, v in named.items()},
        named_w,
    )


def _assertion_result(spec: Any, g: Grade) -> AssertionResult:
    return AssertionResult(
        type=spec.label,
        passed=g.passed,
        score=g.score,
        reason=g.reason,
        weight=spec.weight,
        metric=spec.metric,
        line=spec.line,
        assertion={k: v for k, v in spec.raw.items() if not k.startswith("__")},
        children=[_assertion_result(s, c) for s, c in g.components],
    )


def plan(suites: list[Suite], repeat: int = 1, pattern: str | None = None) -> list[Job]:
    """Every (test, prompt, provider, repeat) to run, in report order; `pattern` filters tests
    by description (a case-insensitive regular expression, or plain text if it is not one)."""
    match: Callable[[str], bool] = lambda _: True  # noqa: E731
    if pattern:
        try:
            rx = re.compile(pattern, re.IGNORECASE)
            match = lambda d: rx.search(d) is not None  # noqa: E731
        except re.error:
            match = lambda d: pattern.casefold() in d.casefold()  # noqa: E731
    jobs: list[Job] = []
    for suite in suites:
        seen: dict[str, int] = {}
        for test in suite.tests:
            if not match(test.description):
                continue
            case_id = f"{suite.path.name}::{test.description}"
            seen[case_id] = seen.get(case_id, 0) + 1
            if seen[case_id] > 1:
                case_id += f" #{test.index}"
            # promptfoo's order: each provider, then each prompt it runs
            for provider in suite.providers:
                for prompt in filter(provider.runs, suite.prompts):
                    for i in range(repeat):
                        job = Job(len(jobs), suite, test, prompt, provider, i, case_id, repeat)
                        jobs.append(job)
    return jobs


def _describe_vars(variables: dict[str, Any]) -> dict[str, Any]:
    """Vars for reports: inline article text shortened (a path stays as written)."""
    out: dict[str, Any] = {}
    for k, v in variables.items():
        if isinstance(v, str) and len(v) > 200:
            v = v[:197] + "…"
        out[k] = v
    return out


class Runner:
    def __init__(self, pool: ProviderPool) -> None:
        self.pool = pool
        self.notes: list[str] = []
        self.registers: dict[str, Any] = {}  # storeOutputAs: name -> a test's output

    def _grader_spec(self, job: Job, ref: Any, kind: str) -> ProviderSpec:
        """The grader a ref names (the test's options.provider when None; the case's provider
        when neither), for `kind` (a {text, embedding} map's entry)."""
        ref = ref if ref is not None else job.test.grader
        return job.provider if ref is None else grader_for(ref, kind, job.suite.providers)

    def _grading_client(self, job: Job, spec: ProviderSpec) -> LLMClient:
        """A grader's client for this case: its repeat's, its usage in the grading log."""
        return self.pool.client(
            spec, job.repeat, usage=self.pool.grading_usage, env=job.suite.env, repeats=job.repeats
        )

    def _grader(self, job: Job) -> Callable[[Any], tuple[LLMClient, str | None]]:
        def resolve(ref: Any) -> tuple[LLMClient, str | None]:
            spec = self._grader_spec(job, ref, "text")
            client = self._grading_client(job, spec)
            return client, self.pool.embeddings_model(spec)

        return resolve

    def _embedder(self, job: Job) -> Callable[[Any], tuple[LLMClient, str | None, str]]:
        def resolve(ref: Any) -> tuple[LLMClient, str | None, str]:
            spec = self._grader_spec(job, ref, "embedding")
            client = self._grading_client(job, spec)
            return client, self.pool.embeddings_model(spec), spec.id

        return resolve

    def _grader_id(self, job: Job) -> Callable[[Any, str], str]:
        def resolve(ref: Any, kind: str) -> str:
            ref = ref if ref is not None else job.test.grader
            if ref is None:  # newsdesk grades with the case's provider (promptfoo: its default)
                return job.provider.id
            return promptfoo_id(ref, kind, job.suite.providers)

        return resolve

    def _moderator(self, job: Job) -> Callable[[Any], tuple[LLMClient, str, str]]:
        def resolve(ref: Any) -> tuple[LLMClient, str, str]:
            ref = ref if ref is not None else job.test.grader
            # no grader named: promptfoo's default moderation provider, not the case's own
            spec = MODERATOR if ref is None else grader_for(ref, "moderation", job.suite.providers)
            client = self._grading_client(job, spec)
            return client, spec.model or "", spec.id

        return resolve

    def run_job(self, job: Job) -> CaseResult:
        usage = UsageLog()
        # a test's own `provider` is called in place of the suite's (the row keeps the suite's)
        provider = job.test.provider or job.provider
        llm = self.pool.client(
            provider, job.repeat, usage=usage, env=job.suite.env, repeats=job.repeats
        )
        result = CaseResult(
            case_id=job.case_id,
            suite=str(job.suite.path),
            test_index=job.test.index,
            description=job.test.description,
            prompt=job.prompt.label,
            provider=job.provider.label,
            repeat=job.repeat,
            passed=False,
            score=0.0,
            metric=job.test.metric,
            vars=_describe_vars(job.test.vars),
            prompt_id=job.prompt.id,
            provider_id=job.provider.id,
        )
        task: TaskOutput | None = None
        output: Any = None
        # promptfoo: outputs stored by earlier tests (storeOutputAs) override the test's vars
        variables = {**job.test.vars, **self.registers}
        graded_vars = variables
        finish_reason: str | None = None
        logprobs: list[float] | None = None
        try:
            if job.prompt.task is None:
                result.prompt_text, messages, graded_vars = render_prompt(
                    job.prompt,
                    variables,
                    job.test.prefix,
                    job.test.suffix,
                    job.suite.env,
                    job.suite.nunjucks_filters,
                )
                if job.test.provider_output is not None:  # promptfoo: graded, no call made
                    output = job.test.provider_output
                else:
                    output, finish_reason, logprobs = self._complete(
                        job, llm, result.prompt_text, messages
                    )
                task = TaskOutput(output=output_string(output), article=None)
            else:
                article = resolve_article(job.test.vars["article"], job.suite.base_dir)
                if job.provider.embedded:
                    with self.pool.embedded_lock:
                        task = run_task(
                            job.prompt.task, article, job.test.vars, llm, job.prompt.template
                        )
                else:
                    task = run_task(
                        job.prompt.task, article, job.test.vars, llm, job.prompt.template
                    )
                output = task.output
                result.prompt_text = job.prompt.template
        except NewsdeskError as exc:
            result.error = str(exc)
        except PromptError as exc:
            result.error = str(exc)
        except Exception as exc:  # a bug in a task: reported on the case, the run goes on
            result.error = f"internal error: {type(exc).__name__}: {exc}"
        total = usage.total()
        result.calls = total.calls
        result.cache_hits = sum(1 for r in usage.records if r.cached)
        result.prompt_tokens = total.prompt_tokens
        result.completion_tokens = total.completion_tokens
        result.latency_ms = sum(r.seconds for r in usage.records if not r.cached) * 1000
        # promptfoo prices a cached response at 0 (calculateOpenAIUsageCost): what was spent
        spent = total.cost_usd
        fresh = UsageLog([r for r in usage.records if not r.cached]).total()
        result.cost_usd = 0.0 if (job.provider.embedded or job.provider.echo) else spent
        result.cost_usd = _configured_cost(
            job.test.provider or job.provider, result.cost_usd, fresh
        )
        if task is None:
            return result
        result.output = output_string(output)
        result.raw_output = output
        result.result = task.result
        ctx = EvalContext(
            vars=graded_vars,
            task=task,
            latency_ms=result.latency_ms,
            cached=bool(usage.records) and result.cache_hits == len(usage.records),
            cost=result.cost_usd,
            prompt_tokens=result.prompt_tokens,
            completion_tokens=result.completion_tokens,
            prompt=result.prompt_text,
            prompt_label=job.prompt.label,
            provider=job.provider.label,
            provider_id=job.provider.id,
            base_dir=job.suite.base_dir,
            test=_test_dict(job.test),
            metadata={"result": task.result} if job.prompt.task else {},
            grader=self._grader(job),
            embedder=self._embedder(job),
            moderator=self._moderator(job),
            grader_id=self._grader_id(job),
            notes=self.notes,
            finish_reason=finish_reason,
            logprobs=logprobs,
            env=job.suite.env,
            rubric_prompt=job.test.rubric_prompt,
            provider_output=output,
            provider_config=(job.test.provider or job.provider).config,
        )
        # promptfoo: the provider's transform, then the test's; -o holds the transformed output
        for what, code in (("provider", job.provider.transform), ("test", job.test.transform)):
            if not code:
                continue
            try:
                output = apply_transform(code, output, ctx)
            except Exception as exc:
                result.error = f"{what} transform raised {type(exc).__name__}: {exc}"
                return result
            result.output = output_string(output)
            result.raw_output = output
            task.output = result.output
            if what == "provider":
                ctx.provider_output = output
        if job.test.store_output_as and output:
            self.registers[job.test.store_output_as] = output
        try:
            grades = grade_all(job.test.asserts, output, ctx)
        except CaseError as exc:
            result.error = str(exc)
            return result
        result.asserts = [_assertion_result(spec, g) for spec, g in grades]
        passed, score, reason, named, result.named_weights = (
            aggregate(grades, job.test.threshold, graded_vars, job.suite.env)
            if job.test.asserts
            else (True, 1.0, "No assertions", {}, {})
        )
        if job.test.scoring_function:
            passed, score, reason = apply_scoring(
                job.test.scoring_function, job.suite.base_dir, named, job.test.threshold, grades
            )
        result.passed, result.score, result.reason, result.named_scores = (
            passed,
            score,
            reason,
            named,
        )
        return result

    def _complete(
        self, job: Job, llm: LLMClient, rendered: str, messages: list[dict[str, Any]]
    ) -> tuple[Any, str | None, list[float] | None]:
        """The provider's output for the user's prompt, its finish reason and its tokens'
        log-probabilities (when the endpoint gave them): the completion's text, unchanged (a
        json_schema response_format parses it, as promptfoo's openai provider does)."""
        provider = job.test.provider or job.provider
        if provider.echo:
            return rendered, None, None
        if provider.delay_ms > 0:
            time.sleep(provider.delay_ms / 1000)
        cfg = provider.config
        fmt = cfg.get("response_format")
        kwargs: dict[str, Any] = {
            "max_tokens": int(cfg.get("max_tokens", 1024)),
            "response_format": ResponseFormat.from_config(fmt),
        }
        if "temperature" in cfg:
            kwargs["temperature"] = float(cfg["temperature"])
        if provider.embedded:
            with self.pool.embedded_lock:
                completion = llm.chat(messages, **kwargs)
        else:
            completion = llm.chat(messages, **kwargs)
        content: Any = completion.content
        if completion.message is not None:
            content = openai_output(completion.message)
        if isinstance(fmt, dict) and fmt.get("type") == "json_schema" and isinstance(content, str):
            with contextlib.suppress(json.JSONDecodeError):
                content = json.loads(content)
        return content, completion.finish_reason, completion.logprobs

    def run(
        self,
        jobs: list[Job],
        max_concurrency: int = 4,
        on_result: Callable[[CaseResult], None] | None = None,
    ) -> list[CaseResult]:
        results: list[tuple[int, CaseResult]] = []

        def work(job: Job) -> tuple[int, CaseResult]:
            r = self.run_job(job)
            if on_result is not None and not crossgrade.comparisons(job.test.asserts):
                on_result(r)
            return job.order, r

        if any(j.test.store_output_as for j in jobs):
            max_concurrency = 1  # as promptfoo: later tests read what earlier ones stored
        if max_concurrency <= 1 or len(jobs) <= 1:
            results = [work(j) for j in jobs]
        else:
            with ThreadPoolExecutor(max_workers=min(max_concurrency, len(jobs))) as ex:
                results = list(ex.map(work, jobs))
        ordered = [r for _, r in sorted(results, key=lambda x: x[0])]
        compared = self.compare(sorted(jobs, key=lambda j: j.order), ordered)
        if on_result is not None:
            for r in compared:
                on_result(r)
        return ordered

    def compare(self, jobs: list[Job], results: list[CaseResult]) -> list[CaseResult]:
        """promptfoo's comparison pass, once every case ran: each test's select-best, then its
        max-score, over the outputs of its every prompt and provider (in their order), folded
        into each case. Returns the cases it graded."""
        groups: dict[tuple[str, int, int], list[tuple[Job, CaseResult]]] = {}
        for job, r in zip(jobs, results, strict=True):
            if crossgrade.comparisons(job.test.asserts):
                key = (str(job.suite.path), job.test.index, job.repeat)
                groups.setdefault(key, []).append((job, r))
        for group in groups.values():
            job = group[0][0]
            for spec in crossgrade.comparisons(job.test.asserts):
                cases = [r for _, r in group]
                if spec.type == crossgrade.SELECT_BEST:
                    grades = self._select_best(job, spec, cases)
                    merge = crossgrade.merge_select_best
                else:
                    grades = _max_score(job, spec, cases)
                    merge = crossgrade.merge_max_score
                for r, g in zip(cases, grades, strict=True):
                    if r.error:  # promptfoo's errored case stays an error
                        continue
                    v = merge(crossgrade.Verdict(r.passed, r.score, r.reason), g)
                    r.passed, r.score, r.reason = v.passed, v.score, v.reason
                    r.asserts.append(
                        _assertion_result(spec, Grade(g.passed, g.score, g.reason)).model_copy(
                            update={"named_scores": g.named_scores}
                        )
                    )
        return [r for group in groups.values() for _, r in group]

    def _select_best(
        self, job: Job, spec: AssertionSpec, cases: list[CaseResult]
    ) -> list[crossgrade.Comparison]:
        """matchesSelectBest: the grader is shown every output (promptfoo's SELECT_BEST_PROMPT,
        or the test's rubricPrompt) and answers the best one's index."""
        outputs = [crossgrade.shown_output(None if r.error else r.raw_output) for r in cases]
        ctx = EvalContext(
            vars=job.test.vars, grader=self._grader(job), env=job.suite.env, notes=self.notes
        )
        template = job.test.rubric_prompt or grading_prompt("SELECT_BEST_PROMPT")
        context = {**job.test.vars, "criteria": spec.value, "outputs": outputs}
        try:
            answer: str | None = ask_grader(spec, ctx, template, context)
        except NewsdeskError as exc:  # promptfoo: the grader's error fails every output
            return [crossgrade.Comparison(False, 0.0, str(exc)) for _ in cases]
        except Exception as exc:  # a suite's own rubric or script: fails, as grade() does
            reason = f"{spec.label} raised {type(exc).__name__}: {shorten(str(exc))}"
            return [crossgrade.Comparison(False, 0.0, reason) for _ in cases]
        return crossgrade.select_best(answer, len(cases), spec.value)


def _max_score(
    job: Job, spec: AssertionSpec, cases: list[CaseResult]
) -> list[crossgrade.Comparison]:
    """selectMaxScore over each case's own assertions' scores."""
    try:
        return crossgrade.max_score(
            [[] if r.error else crossgrade.flat_scores(r.asserts) for r in cases], spec.value
        )
    except ValueError as exc:  # promptfoo's eval stops here
        raise NewsdeskError(
            f"{job.case_id}: {exc} (a case errored); promptfoo 0.123.1 stops the whole eval here"
        ) from None


def run_suites(
    suites: list[Suite],
    *,
    max_concurrency: int = 4,
    use_cache: bool = True,
    repeat: int = 1,
    pattern: str | None = None,
    min_pass_rate: float = 1.0,
    pool: ProviderPool | None = None,
    on_result: Callable[[CaseResult], None] | None = None,
) -> RunReport:
    pool = pool if pool is not None else ProviderPool(use_cache=use_cache)
    pool.check(suites)
    jobs = plan(suites, repeat, pattern)
    started = datetime.now(UTC).isoformat(timespec="seconds")
    t0 = time.perf_counter()
    runner = Runner(pool)
    if any(s.needs_node() for s in suites):
        runner.notes.append(f"JavaScript ran on node {node.node_version()} ({node.node_binary()})")
    results = runner.run(jobs, max_concurrency, on_result)
    metrics = [m for s in suites for m in s.derived_metrics]  # promptfoo concatenates them
    descriptions = [s.description for s in suites]
    return RunReport(
        suites=[str(s.path) for s in suites],
        description="; ".join(descriptions),
        started=started,
        duration_s=time.perf_counter() - t0,
        results=results,
        repeat=repeat,
        min_pass_rate=min_pass_rate,
        max_concurrency=max_concurrency,
        cache=pool.use_cache,
        notes=runner.notes,
        grading_calls=len(pool.grading_usage.records),
        prompt_scores=derived_scores(results, metrics) if metrics else {},
    )


def derived_scores(
    results: list[CaseResult], metrics: list[DerivedMetric]
) -> dict[tuple[str, str], dict[str, Any]]:
    """Each prompt column's named scores with `metrics`, computed by promptfoo's mathjs in the
    node worker, one call per column (the suite was refused at load without node)."""
    cols = derived.columns(
        ((r.prompt, r.provider), derived.row_contributions(r.named_scores, r.named_weights))
        for r in results
    )
    arg_metrics = [{"name": m.name, "value": m.value} for m in metrics]
    entry, _ = node.promptfoo_entry()
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for column, rows in cols.items():
        try:
            value, _ = node.worker().call(
                "derived_metrics", {"metrics": arg_metrics, "rows": rows}, {}, file=str(entry)
            )
        except node.JSError as exc:  # node itself failed (a failing expression does not raise)
            raise NewsdeskError(f"derivedMetrics could not be computed: {exc}") from None
        out[column] = dict(value)
    return out


def load_report(path: str | Path) -> dict[str, Any]:
    """A --json report written by an earlier run (for --compare)."""
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{p}: no such report file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{p}: not a newsdesk eval JSON report ({exc})") from None
    if not isinstance(data, dict) or data.get("version") != REPORT_VERSION or "groups" not in data:
        raise InputError(f"{p}: not a newsdesk eval JSON report (written by `eval --json`)")
    return data
