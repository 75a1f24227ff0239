"""Suite providers -> clients (`evals.providers`): specs, settings, the pool, response_format."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from newsdesk.cli.app import app
from newsdesk.config import Settings
from newsdesk.errors import ConfigError
from newsdesk.evals.providers import ProviderPool, provider_from_ref, request_fields
from newsdesk.evals.suite import ProviderSpec, load_suite
from newsdesk.evals.yamlfile import LineMap
from newsdesk.llm.client import LLMClient, ResponseFormat
from newsdesk.llm.usage import UsageLog
from newsdesk.testing import VERDICT_SCHEMA, Reply, ScriptedServer, completion

MESSAGES = [{"role": "user", "content": "Say ok."}]
JSON_SCHEMA_FMT = {
    "type": "json_schema",
    "json_schema": {"name": "verdict", "schema": VERDICT_SCHEMA, "strict": True},
}
AS_WRITTEN = ResponseFormat(JSON_SCHEMA_FMT)


def remote(url: str = "http://127.0.0.1:9/v1", **config: Any) -> ProviderSpec:
    return ProviderSpec("openai:chat:scripted", "scripted", "scripted", {"base_url": url, **config})


def pool(tmp_path: Path, use_cache: bool = True, **base: Any) -> ProviderPool:
    settings = Settings(**{"model": "gemma-3-270m", "cache_dir": tmp_path, **base})
    return ProviderPool(use_cache=use_cache, base=settings)


# ------------------------------------------------------------------ provider_from_ref


@pytest.mark.parametrize(
    ("ref", "model"),
    [
        ("openai:gpt-4o-mini", "gpt-4o-mini"),
        ("openai:chat:gpt-4o-mini", "gpt-4o-mini"),
        ("embedded", None),
        ("embedded:qwen2.5-coder-1.5b", "qwen2.5-coder-1.5b"),
        ("echo", None),
    ],
)
def test_a_named_grader(ref: str, model: str | None) -> None:
    spec = provider_from_ref(ref)
    assert (spec.id, spec.label, spec.model, spec.config) == (ref, ref, model, {})


def test_a_grader_mapping_with_id_label_and_config() -> None:
    ref = {"id": "openai:chat:gpt-4o", "label": "judge", "config": {"temperature": 0}}
    spec = provider_from_ref(ref)
    assert (spec.id, spec.label, spec.model) == ("openai:chat:gpt-4o", "judge", "gpt-4o")
    assert spec.config == {"temperature": 0}
    spec.config["temperature"] = 1
    assert ref["config"] == {"temperature": 0}  # copied, not shared with the suite


def test_a_grader_mapping_with_only_a_model() -> None:
    spec = provider_from_ref({"model": "gpt-4o-mini"})
    assert (spec.id, spec.label, spec.model, spec.config) == (
        "openai:gpt-4o-mini",
        "openai:gpt-4o-mini",
        "gpt-4o-mini",
        {},
    )


def test_a_grader_mapping_model_wins_over_the_id() -> None:
    spec = provider_from_ref({"id": "openai:gpt-4o", "model": "gpt-4o-mini"})
    assert (spec.id, spec.model) == ("openai:gpt-4o", "gpt-4o-mini")


def test_a_grader_from_yaml_is_a_line_map() -> None:
    ref = LineMap({"id": "embedded:qwen2.5-coder-1.5b"})
    spec = provider_from_ref(ref)
    assert (spec.id, spec.model, spec.embedded) == (
        "embedded:qwen2.5-coder-1.5b",
        "qwen2.5-coder-1.5b",
        True,
    )


@pytest.mark.parametrize("ref", [3, ["openai:gpt-4o"], None])
def test_anything_else_is_a_config_error(ref: Any) -> None:
    with pytest.raises(ConfigError, match="cannot use"):
        provider_from_ref(ref)


@pytest.mark.parametrize("ref", ["anthropic:claude-3-haiku", {"id": "vertex:gemini-pro"}])
def test_an_unsupported_grader_id_is_a_config_error(ref: Any) -> None:
    with pytest.raises(ConfigError, match="newsdesk runs openai:chat:MODEL"):
        provider_from_ref(ref)


@pytest.mark.parametrize(
    "grader",
    [
        "  options: {provider: jduge}\n",  # a mistyped label of the suite's provider `judge`
        "  assert: [{type: llm-rubric, value: ok, provider: 'anthropic:claude-3-haiku'}]\n",
    ],
)
def test_check_fails_before_running_on_a_bad_grader(tmp_path: Path, grader: str) -> None:
    suite = tmp_path / "suite.yaml"
    suite.write_text(
        "prompts: ['{{ q }}']\n"
        "providers: [echo, {id: echo, label: judge}]\n"
        "tests:\n"
        "- vars: {q: hi}\n" + grader
    )
    loaded = load_suite(suite)
    with pytest.raises(ConfigError, match=r"suite\.yaml:\d+: grader provider"):
        pool(tmp_path).check([loaded])


def test_check_accepts_a_grader_named_by_the_suites_label(tmp_path: Path) -> None:
    suite = tmp_path / "suite.yaml"
    suite.write_text(
        "prompts: ['{{ q }}']\n"
        "providers: [echo, {id: echo, label: judge}]\n"
        "tests:\n"
        "- vars: {q: hi}\n"
        "  options: {provider: judge}\n"
        "  assert: [{type: llm-rubric, value: ok, provider: embedded}]\n"
    )
    pool(tmp_path).check([load_suite(suite)])


# ------------------------------------------------------------------ settings_for


def test_remote_settings_from_config(tmp_path: Path) -> None:
    spec = remote(temperature="0.3", timeout=12, seed="11", max_retries="1", deterministic=1)
    s = pool(tmp_path).settings_for(spec)
    assert (s.base_url, s.model, s.gguf) == ("http://127.0.0.1:9/v1", "scripted", None)
    assert s.api_key == "no-key"  # an endpoint without a key (vLLM, llama.cpp)
    assert (s.temperature, s.timeout, s.seed, s.max_retries) == (0.3, 12.0, 11, 1)
    assert isinstance(s.seed, int) and isinstance(s.temperature, float)
    assert s.deterministic is True
    assert s.cache_dir == tmp_path  # the rest is the run's


def test_promptfoo_spellings_of_url_and_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MY_KEY", "sk-from-env")
    spec = ProviderSpec(
        "openai:chat:m", "m", "m", {"apiBaseUrl": "http://h:1/v1", "apiKeyEnvar": "MY_KEY"}
    )
    s = pool(tmp_path).settings_for(spec)
    assert (s.base_url, s.api_key) == ("http://h:1/v1", "sk-from-env")
    inline = ProviderSpec("openai:chat:m", "m", "m", {"apiKey": "sk-inline"})
    assert pool(tmp_path).settings_for(inline).api_key == "sk-inline"
    assert pool(tmp_path).settings_for(inline).base_url is None  # OpenAI itself


def test_the_runs_endpoint_and_key_are_the_default(tmp_path: Path) -> None:
    p = pool(tmp_path, base_url="http://run:1/v1", api_key="sk-run")
    s = p.settings_for(ProviderSpec("openai:chat:m", "m", "m"))
    assert (s.base_url, s.api_key, s.model) == ("http://run:1/v1", "sk-run", "m")
    # no model in the id: the run's
    assert p.settings_for(ProviderSpec("openai:chat:", "x", None)).model == "gemma-3-270m"


def test_a_named_key_variable_that_is_unset_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_SUCH_KEY_VAR", raising=False)
    spec = remote(api_key_env="NO_SUCH_KEY_VAR")
    with pytest.raises(ConfigError, match=r"scripted: \$NO_SUCH_KEY_VAR is not set"):
        pool(tmp_path).settings_for(spec)


def test_an_endpoint_needs_a_key_or_a_url(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"needs OPENAI_API_KEY or config\.base_url"):
        pool(tmp_path).settings_for(ProviderSpec("openai:chat:m", "m", "m"))


def test_an_endpoint_needs_a_model(tmp_path: Path) -> None:
    p = ProviderPool(base=Settings(cache_dir=tmp_path))
    with pytest.raises(ConfigError, match="no model named"):
        p.settings_for(ProviderSpec("openai:chat:", "x", None, {"base_url": "http://h/v1"}))


def test_embedded_settings_drop_the_endpoint(tmp_path: Path) -> None:
    p = pool(tmp_path, base_url="http://run:1/v1", api_key="sk-run", model="gpt-4o-mini")
    s = p.settings_for(provider_from_ref("embedded:qwen2.5-coder-1.5b"))
    assert (s.base_url, s.api_key, s.model, s.embedded) == (None, None, "qwen2.5-coder-1.5b", True)
    # plain `embedded` on a remote run: the default embedded model, not the remote model's name
    assert p.settings_for(provider_from_ref("embedded")).model is None


def test_plain_embedded_is_the_model_the_run_chose(tmp_path: Path) -> None:
    s = pool(tmp_path).settings_for(provider_from_ref("embedded"))
    assert (s.model, s.embedded) == ("gemma-3-270m", True)
    gguf = ProviderSpec("embedded", "e", None, {"gguf": "/models/x.gguf"})
    assert pool(tmp_path).settings_for(gguf).gguf == "/models/x.gguf"


def test_echo_has_no_endpoint_and_no_model(tmp_path: Path) -> None:
    s = pool(tmp_path, base_url="http://run:1/v1").settings_for(provider_from_ref("echo"))
    assert (s.base_url, s.api_key, s.model) == (None, None, None)


def test_no_cache_is_passed_on(tmp_path: Path) -> None:
    p = pool(tmp_path, use_cache=False)
    assert p.cache is None
    assert p.settings_for(remote()).use_cache is False
    assert pool(tmp_path).settings_for(remote()).use_cache is True


def test_check_fails_before_running_on_a_bad_provider(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("UNSET_EVAL_KEY", raising=False)
    suite = tmp_path / "suite.yaml"
    suite.write_text(
        "prompts: ['{{ q }}']\n"
        "providers:\n"
        "  - echo\n"
        "  - id: openai:chat:m\n"
        "    label: keyed\n"
        "    config: {apiBaseUrl: 'http://127.0.0.1:9/v1', apiKeyEnvar: UNSET_EVAL_KEY}\n"
        "tests: [{vars: {q: hi}, assert: [{type: contains, value: hi}]}]\n"
    )
    loaded = load_suite(suite)
    with pytest.raises(ConfigError, match=r"keyed: \$UNSET_EVAL_KEY"):
        pool(tmp_path).check([loaded])
    monkeypatch.setenv("UNSET_EVAL_KEY", "k")
    pool(tmp_path).check([loaded])  # now it can be configured


# ------------------------------------------------------------------ the pool


def test_one_base_client_per_provider_and_a_view_per_case(tmp_path: Path) -> None:
    p = pool(tmp_path)
    spec = remote()
    first, second = p.client(spec), p.client(spec)
    assert isinstance(first, LLMClient)
    assert first is not second
    assert first.usage is not second.usage
    assert first.connection is second.connection  # one HTTP connection pool
    assert first.connection.opened  # connected once, by the pool
    assert first.cache is second.cache is p.cache
    other = p.client(remote(temperature=0.5))
    assert other.connection is not first.connection  # another config: another client
    assert len(p._clients) == 2


def test_a_repeat_sends_the_configured_seed_and_the_embedded_model_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(LLMClient, "connect", lambda self: None)  # no embedded server started
    p = pool(tmp_path)
    spec = remote(seed=100)
    assert [p.client(spec, repeat=i).settings.seed for i in range(3)] == [100, 100, 100]
    embedded = ProviderSpec("embedded", "embedded", None, {"seed": 100})
    assert [p.client(embedded, repeat=i).settings.seed for i in range(3)] == [100, 101, 102]
    assert p.client(embedded).settings.seed == 100  # the base is not changed by a repeat


def test_a_case_can_bring_its_own_usage_log(tmp_path: Path) -> None:
    log = UsageLog()
    assert pool(tmp_path).client(remote(), usage=log).usage is log


def test_echo_opens_no_connection(tmp_path: Path) -> None:
    client = pool(tmp_path).client(provider_from_ref("echo"))
    assert not client.connection.opened


@pytest.mark.parametrize(
    ("spec", "model"),
    [
        (ProviderSpec("openai:embedding:te-3-small", "e", "te-3-small"), "te-3-small"),
        (ProviderSpec("openai:embeddings:e5", "e", "e5"), "e5"),
        (ProviderSpec("openai:chat:m", "m", "m", {"embeddings": "te-3-large"}), "te-3-large"),
        (ProviderSpec("openai:chat:m", "m", "m"), None),
    ],
)
def test_embeddings_model(spec: ProviderSpec, model: str | None) -> None:
    assert ProviderPool.embeddings_model(spec) == model


# ------------------------------------------------------------------ response_format, scripted


def test_the_suites_json_schema_is_sent_as_written(tmp_path: Path) -> None:
    with ScriptedServer(Reply(body=completion('{"ok": true}'))) as srv:
        client = pool(tmp_path).client(remote(srv.url))
        out = client.chat(MESSAGES, response_format=AS_WRITTEN)
    assert out.content == '{"ok": true}'
    assert srv.requests[0]["response_format"] == JSON_SCHEMA_FMT
    assert srv.requests[0]["model"] == "scripted"


@pytest.mark.parametrize(
    ("fmt", "sent"),
    [
        ({"type": "json_object"}, {"type": "json_object"}),
        ({"type": "text"}, None),
        ("json", None),  # not a mapping: nothing sent
        (None, None),
    ],
)
def test_other_response_formats(tmp_path: Path, fmt: Any, sent: Any) -> None:
    with ScriptedServer(Reply(body=completion("{}"))) as srv:
        client = pool(tmp_path, use_cache=False).client(remote(srv.url))
        client.chat(MESSAGES, response_format=ResponseFormat.from_config(fmt))
    assert srv.requests[0].get("response_format") == sent


def test_a_response_format_keeps_the_cache_key_eval_runs_wrote(tmp_path: Path) -> None:
    """Cached answers from before the option (the format rode in the schema) are still hits."""
    with ScriptedServer(Reply(body=completion('{"ok": true}'))) as srv:
        client = pool(tmp_path).client(remote(srv.url))
        client.chat(MESSAGES, schema={"__response_format__": JSON_SCHEMA_FMT})
        again = pool(tmp_path).client(remote(srv.url))
        again.chat(MESSAGES, response_format=AS_WRITTEN)
    assert len(srv.requests) == 1
    assert [r.cached for r in again.usage.records] == [True]


def test_tasks_schemas_are_unaffected(tmp_path: Path) -> None:
    with ScriptedServer(Reply(body=completion('{"ok": true}'))) as srv:
        client = pool(tmp_path).client(remote(srv.url))
        client.chat(MESSAGES, schema=VERDICT_SCHEMA, schema_name="verdict")
    assert srv.requests[0]["response_format"] == JSON_SCHEMA_FMT


def _refuse_json_schema() -> Reply:
    return Reply(
        status=400,
        body={"error": {"message": "response_format json_schema is not supported", "type": "x"}},
    )


def test_json_schema_refused_falls_back_to_json_object(tmp_path: Path) -> None:
    with ScriptedServer(Reply(body=completion('{"ok": true}'))) as srv:
        srv.script(_refuse_json_schema())
        client = pool(tmp_path, use_cache=False).client(remote(srv.url))
        out = client.chat(MESSAGES, response_format=AS_WRITTEN)
        assert client.json_schema_supported is False
        client.chat(MESSAGES, response_format=AS_WRITTEN, max_tokens=9)
    assert out.content == '{"ok": true}'
    assert [r["response_format"] for r in srv.requests] == [
        JSON_SCHEMA_FMT,
        {"type": "json_object"},
        {"type": "json_object"},  # the same client remembers
    ]


def test_a_refusal_is_remembered_for_the_next_case(tmp_path: Path) -> None:
    p = pool(tmp_path, use_cache=False)
    with ScriptedServer(Reply(body=completion('{"ok": true}'))) as srv:
        srv.script(_refuse_json_schema())
        p.client(remote(srv.url)).chat(MESSAGES, response_format=AS_WRITTEN)
        p.client(remote(srv.url)).chat(MESSAGES, response_format=AS_WRITTEN, max_tokens=9)
    assert [r["response_format"]["type"] for r in srv.requests] == [
        "json_schema",
        "json_object",
        "json_object",
    ]


def test_cases_share_the_response_cache(tmp_path: Path) -> None:
    p = pool(tmp_path)
    with ScriptedServer(Reply(body=completion('{"ok": true}'))) as srv:
        first = p.client(remote(srv.url)).chat(MESSAGES)
        again = p.client(remote(srv.url))
        second = again.chat(MESSAGES)
    assert len(srv.requests) == 1
    assert second.content == first.content
    assert [r.cached for r in again.usage.records] == [True]


def test_a_repeat_is_its_own_sample(tmp_path: Path) -> None:
    """No seed is sent unless the config sets one (as promptfoo does), on any repeat; each repeat
    asks the endpoint anew (its own cache space)."""
    p = pool(tmp_path)
    with ScriptedServer(Reply(body=completion('{"ok": true}'))) as srv:
        p.client(remote(srv.url)).chat(MESSAGES)
        p.client(remote(srv.url), repeat=1).chat(MESSAGES)
        seeded = remote(srv.url, seed=7)
        p.client(seeded).chat(MESSAGES)
        p.client(seeded, repeat=1).chat(MESSAGES)
    assert [r.get("seed") for r in srv.requests] == [None, None, 7, 7]


def test_each_repeat_has_its_own_cache_space(tmp_path: Path) -> None:
    """A seed in passthrough is sent as written, whatever the repeat: the repeats still ask the
    endpoint each (promptfoo's cache namespace per repeat), and a repeat run again is cached."""
    p = pool(tmp_path)
    spec = remote("", passthrough={"seed": 42})
    with ScriptedServer(Reply(body=completion('{"ok": true}'))) as srv:
        spec.config["base_url"] = srv.url
        for repeat in (0, 1, 2, 1):
            p.client(spec, repeat=repeat).chat(MESSAGES)
    assert [r["seed"] for r in srv.requests] == [42, 42, 42]
    assert p.client(spec).cache_space == "" and p.client(spec, repeat=2).cache_space == "repeat:2"
    # in a run of repeats, repeat 0 has its own space too (not a run without --repeat's)
    assert p.client(spec, repeat=0, repeats=3).cache_space == "repeat:0"


# ------------------------------------------------------------------ extra fields, logprobs


def _with_logprobs(request: dict[str, Any]) -> Reply:
    body = completion("ok then")
    if request.get("logprobs"):
        tokens = [("ok", -0.25), (" then", -1.5)]
        body["choices"][0]["logprobs"] = {
            "content": [
                {"token": t, "logprob": lp, "bytes": None, "top_logprobs": []} for t, lp in tokens
            ]
        }
    return Reply(body=body)


def test_extra_fields_are_sent_keyed_and_logprobs_kept_through_the_cache(tmp_path: Path) -> None:
    with ScriptedServer(responder=_with_logprobs) as srv:
        plain = pool(tmp_path).client(remote(srv.url)).chat(MESSAGES)
        asking = remote(srv.url, top_p=0.5, passthrough={"logprobs": True})
        asked = pool(tmp_path).client(asking).chat(MESSAGES)
        again = pool(tmp_path).client(asking).chat(MESSAGES)
    assert plain.logprobs is None
    assert asked.logprobs == again.logprobs == [-0.25, -1.5]
    assert len(srv.requests) == 2  # other fields: another cache key; the same: a hit
    assert srv.requests[1]["logprobs"] is True and srv.requests[1]["top_p"] == 0.5
    assert "top_p" not in srv.requests[0]


def test_request_fields_follow_promptfoos_openai_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_TOP_P", raising=False)
    monkeypatch.setenv("OPENAI_PRESENCE_PENALTY", "0.3")
    cfg = {"top_p": 0.9, "stop": "", "passthrough": {"logprobs": True, "top_p": 0.7}}
    # passthrough last, so it wins; an empty stop is not sent; a penalty from the environment
    assert request_fields(cfg, {}) == {"top_p": 0.7, "presence_penalty": 0.3, "logprobs": True}
    # the suite's env before the process's
    assert request_fields({}, {"OPENAI_PRESENCE_PENALTY": "0.1"}) == {"presence_penalty": 0.1}
    monkeypatch.delenv("OPENAI_PRESENCE_PENALTY")
    assert request_fields({"stop": "END"}, {}) == {"stop": "END"}
    # as JavaScript reads them: [] is truthy (sent), "" is not; a null top_p is the variable's
    # value (parseFloat: its leading number), else 1
    assert request_fields({"stop": []}, {}) == {"stop": []}
    assert request_fields({"stop": ""}, {}) == {}
    assert request_fields({"top_p": None}, {}) == {"top_p": 1.0}
    assert request_fields({"top_p": None}, {"OPENAI_TOP_P": "0.5x"}) == {"top_p": 0.5}
    assert request_fields({}, {"OPENAI_TOP_P": "high"}) == {"top_p": 1.0}


def test_a_providers_fields_go_on_its_grading_calls_too(tmp_path: Path) -> None:
    """The pool's client carries the provider's request fields on every call: the case's and,
    when the provider grades, the grader's (promptfoo builds both bodies alike)."""
    with ScriptedServer(
        Reply(body=completion('{"pass": true, "score": 1, "reason": "ok"}'))
    ) as srv:
        suite = tmp_path / "suite.yaml"
        suite.write_text(
            "prompts: ['Say {{ q }}']\n"
            "providers:\n"
            f"  - id: openai:chat:scripted\n    config: {{apiBaseUrl: '{srv.url}', apiKey: k,"
            " top_p: 0.25, passthrough: {top_k: 3}}\n"
            "tests:\n"
            "  - vars: {q: hi}\n"
            "    assert: [{type: llm-rubric, value: says hi}]\n"
        )
        result = CliRunner().invoke(app, ["eval", str(suite), "--no-cache"])
    assert result.exit_code == 0, result.output
    assert len(srv.requests) == 2  # the case, then its grading
    assert all(r["top_p"] == 0.25 and r["top_k"] == 3 for r in srv.requests)
