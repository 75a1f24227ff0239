"""One openai client for every backend: retries, clear errors, cache, structured output.

One idea (~650 lines): a model call as every task makes it. Retrying, error wording, caching and
parsing are steps of that one call and read best in order.
"""

from __future__ import annotations

import json
import random
import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ValidationError

from newsdesk.config import Settings
from newsdesk.errors import LLMError, ModelOutputError
from newsdesk.llm import embedded  # called as embedded.x(): a test may stand in for them
from newsdesk.llm.cache import ResponseCache, cache_key, default_cache_path
from newsdesk.llm.kvstate import StateStore, default_state_dir, slot_for
from newsdesk.llm.salvage import salvage_json
from newsdesk.llm.usage import Usage, UsageLog
from newsdesk.prompts import Message, Prompt, render

if TYPE_CHECKING:
    import openai

    from newsdesk.llm.kvstate import SlotStates

T = TypeVar("T", bound=BaseModel)
MAX_RETRY_AFTER = 60.0  # never sleep longer than this on a server's say-so


@dataclass(frozen=True)
class TokenChoices:
    """One output token, and the endpoint's likeliest tokens for its place with their log
    probabilities (the model's distribution before sampling): how sure the model was."""

    token: str
    top: tuple[tuple[str, float], ...] = ()


@dataclass
class Completion:
    content: str
    finish_reason: str | None
    usage: Usage
    logprobs: list[float] | None = None  # each output token's, when the endpoint gave them
    # the message as the endpoint sent it, when it calls tools or a function (content may be
    # null there; promptfoo's openai provider makes its output of the calls)
    message: dict[str, Any] | None = None
    alternatives: list[TokenChoices] | None = None  # asked for with top_logprobs


@dataclass(frozen=True)
class ResponseFormat:
    """A `response_format` the caller wrote itself, sent in place of one made from a task's
    schema: an eval provider's config ({type: json_object}, {type: json_schema, json_schema:
    {name, schema}}, or {type: text}, which sends none). A json_schema the endpoint has refused
    is sent as json_object, as a task's schema is."""

    body: Mapping[str, Any]

    @classmethod
    def from_config(cls, value: Any) -> ResponseFormat | None:
        """promptfoo's config.response_format; None (send none) unless it is a mapping."""
        return cls(dict(value)) if value and isinstance(value, Mapping) else None

    def sent(self, json_schema_refused: bool) -> dict[str, Any] | None:
        """The request's `response_format` (None: the request has none)."""
        kind = self.body.get("type")
        if kind == "text":
            return None
        if kind == "json_schema" and json_schema_refused:
            return {"type": "json_object"}
        return dict(self.body)

    def key(self) -> dict[str, Any]:
        """Its part of the cache key: the one eval runs have always written (the format rode in
        the schema under this name), so their cached answers stay valid."""
        return {"__response_format__": dict(self.body)}


class Connection:
    """One endpoint as the clients sharing it see it: the HTTP client (and its connection pool),
    the embedded server's URL and saved-state slots, and what the endpoint refused. A client's
    views (`LLMClient.view`) share it, so what one learns (a json_schema refusal) the next knows.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()  # views on several threads start the endpoint once
        self.http: openai.OpenAI | None = None
        self.base_url: str | None = None
        self.slots: SlotStates | None = None  # saved KV states, for an embedded server
        self.json_schema_supported = True
        self.logprobs_supported = True

    @property
    def opened(self) -> bool:
        return self.http is not None


def redact(text: str, secret: str | None) -> str:
    """Remove an API key (and any visible part of it) from text bound for the user."""
    if secret:
        text = text.replace(secret, "***")
        if len(secret) > 12:
            text = text.replace(secret[-6:], "***")
    return text


def retry_after_seconds(headers: Any) -> float | None:
    """Seconds from a Retry-After (or retry-after-ms) header: a number or an HTTP date."""
    if headers is None:
        return None
    raw_ms = headers.get("retry-after-ms")
    if raw_ms:
        try:
            return min(float(raw_ms) / 1000, MAX_RETRY_AFTER)
        except ValueError:
            pass
    raw = headers.get("retry-after")
    if not raw:
        return None
    try:
        return min(max(float(raw), 0.0), MAX_RETRY_AFTER)
    except ValueError:
        try:
            return min(
                max(parsedate_to_datetime(raw).timestamp() - time.time(), 0.0), MAX_RETRY_AFTER
            )
        except (TypeError, ValueError):
            return None


def _malformed(resp: Any) -> str | None:
    """What is wrong with a 200 answer that should be a chat completion (None: nothing)."""
    if not hasattr(resp, "choices"):
        return "a body that is not JSON"
    try:
        if resp.choices and resp.choices[0].message is not None:
            return None
    except (AttributeError, TypeError, IndexError):
        return "a body that is not a chat completion"
    return "no choices"


class LLMClient:
    """Chat completions against the configured endpoint (the embedded model by default)."""

    def __init__(
        self,
        settings: Settings,
        usage: UsageLog | None = None,
        cache: ResponseCache | None = None,
        sleep: Callable[[float], None] = time.sleep,
        *,
        connection: Connection | None = None,
        fields: Mapping[str, Any] | None = None,
        cache_space: str = "",
    ) -> None:
        self.settings = settings
        # a part of the cache of its own (an eval repeat's, as promptfoo keeps one per repeat):
        # its calls neither read nor fill another space's entries, whatever they send
        self.cache_space = cache_space
        # request fields sent with every call, last (an eval provider's top_p, penalties, stop
        # and passthrough, as promptfoo's openai provider sends them)
        self.fields = dict(fields or {})
        self.usage = usage if usage is not None else UsageLog()
        if cache is None and settings.use_cache:
            cache = ResponseCache(default_cache_path(settings.cache_dir))
        self.cache = cache if settings.use_cache else None
        self._sleep = sleep
        self.connection = connection if connection is not None else Connection()

    def view(
        self,
        usage: UsageLog | None = None,
        *,
        seed_offset: int = 0,
        fields: Mapping[str, Any] | None = None,
        cache_space: str | None = None,
    ) -> LLMClient:
        """A client for one piece of work (an eval case) on this client's endpoint: its own usage
        log, and this one's connection, cache and settings. `seed_offset` k makes it sample k of
        the same calls (seed + k); `fields` replace its request fields; `cache_space` its part of
        the cache. A plain LLMClient, whatever this is.
        """
        settings = self.settings
        if seed_offset:
            settings = replace(settings, seed=(settings.seed or 0) + seed_offset)
        return LLMClient(
            settings,
            usage if usage is not None else UsageLog(),
            self.cache,
            self._sleep,
            connection=self.connection,
            fields=self.fields if fields is None else fields,
            cache_space=self.cache_space if cache_space is None else cache_space,
        )

    @property
    def json_schema_supported(self) -> bool:
        """False once the endpoint refused a json_schema response_format (then: json_object)."""
        return self.connection.json_schema_supported

    # ------------------------------------------------------------ endpoint

    @property
    def model(self) -> str:
        return self.settings.model_name

    @property
    def endpoint(self) -> str:
        """A label for messages: never contains the key."""
        return self.settings.endpoint_label

    def base_url(self) -> str:
        with self.connection.lock:
            return self._start()

    def _start(self) -> str:
        conn = self.connection
        if conn.base_url is None:
            if self.settings.embedded:
                s = self.settings
                name = s.gguf or s.model_name
                limit = int(s.kv_cache_mb * 1_000_000)
                store = StateStore(default_state_dir(s.cache_dir), limit) if limit > 0 else None
                conn.base_url = embedded.server_url(
                    name,
                    s.context_size,
                    model_dir=s.embedded_model_dir,
                    states=store,
                    speculative=s.speculative,
                )
                # Saved states restore the article's KV in a later process. Not with
                # --deterministic: its requests do not reuse any cached prefix.
                conn.slots = (
                    None if s.deterministic or store is None else embedded.slot_states(name)
                )
            else:
                conn.base_url = self.settings.base_url or "https://api.openai.com/v1"
        return conn.base_url

    def connect(self) -> None:
        """Start the endpoint now rather than at the first call: the embedded server, if it is
        one, and the HTTP client; this client's views reuse both."""
        self._openai()

    def _openai(self) -> openai.OpenAI:
        with self.connection.lock:
            if self.connection.http is None:
                import openai

                self.connection.http = openai.OpenAI(
                    base_url=self._start(),
                    api_key=self.settings.api_key or "no-key",
                    timeout=self.settings.request_timeout,
                    max_retries=0,  # retries are ours: counted, logged, and bounded
                )
            return self.connection.http

    def embed(self, model: str, texts: Sequence[str]) -> list[list[float]]:
        """Each text's embedding from the endpoint's /embeddings (one request a text, as
        promptfoo's `similar` asks for them). Not cached; the openai client's errors as raised.
        """
        client = self._openai()
        return [
            list(client.embeddings.create(model=model, input=text).data[0].embedding)
            for text in texts
        ]

    def moderate(self, model: str, given: Any) -> tuple[int, str, str]:
        """POST {model, input} to the endpoint's /moderations: (status, reason phrase, body), an
        error status returned as one, not raised (its body is the caller's to read). Not
        cached; a connection that fails raises as the openai client raises it."""
        import openai

        try:
            raw = self._openai().moderations.with_raw_response.create(model=model, input=given)
            return raw.status_code, raw.http_response.reason_phrase, raw.text
        except openai.APIStatusError as exc:
            return exc.status_code, exc.response.reason_phrase, exc.response.text

    # ------------------------------------------------------------ calls

    def _params(
        self, max_tokens: int, temperature: float | None, top_logprobs: int = 0
    ) -> dict[str, Any]:
        params: dict[str, Any] = {
            "max_tokens": max_tokens,
            "temperature": self.settings.temperature if temperature is None else temperature,
        }
        if self.settings.seed is not None:  # None: an eval provider whose config sets none
            params["seed"] = self.settings.seed
        if top_logprobs:
            params["logprobs"] = True
            params["top_logprobs"] = top_logprobs
        return params

    def _response_format(
        self, schema: dict[str, Any] | None, name: str, own: ResponseFormat | None
    ) -> dict[str, Any] | None:
        if own is not None:
            return own.sent(json_schema_refused=not self.json_schema_supported)
        if schema is None:
            return None
        if not self.json_schema_supported:
            return {"type": "json_object"}
        return {
            "type": "json_schema",
            "json_schema": {"name": name, "schema": schema, "strict": True},
        }

    def _key(
        self, messages: list[Message], schema: dict[str, Any] | None, params: dict[str, Any]
    ) -> str:
        endpoint = f"embedded:{self.model}" if self.settings.embedded else self.base_url()
        sent = {**params, **self.fields}  # the client's request fields change the answer too
        space = {"space": self.cache_space} if self.cache_space else {}  # none: keys as before
        return cache_key(
            endpoint=endpoint,
            model=self.model,
            messages=messages,
            schema=schema,
            params=sent,
            **space,
        )

    def chat(
        self,
        messages: list[Message],
        *,
        max_tokens: int = 512,
        schema: dict[str, Any] | None = None,
        schema_name: str = "result",
        temperature: float | None = None,
        use_cache: bool = True,
        response_format: ResponseFormat | None = None,
        top_logprobs: int = 0,
    ) -> Completion:
        """One completion. Cached only when it finished normally. `response_format`: the
        caller's own, sent in place of the one made from `schema`; `top_logprobs` > 0 asks for
        each output token's likeliest alternatives (`Completion.alternatives`)."""
        params = self._params(max_tokens, temperature, top_logprobs)
        keyed = response_format.key() if response_format is not None else schema
        # structured() keys and caches its own calls (use_cache=False): no hash here for them
        key = self._key(messages, keyed, params) if use_cache else ""
        hit = self._from_cache(key) if use_cache else None
        if hit is not None:
            return hit
        self.base_url()  # starts the embedded server, if it is one, and sets its slots
        slots = self.connection.slots

        def request() -> Completion:
            return self._request(messages, params, schema, schema_name, response_format)

        completion = slots.run(messages, request) if slots is not None else request()
        self.usage.add(completion.usage)
        if use_cache and self.cache is not None and completion.finish_reason != "length":
            self.cache.put(key, self._cache_value(completion))
        return completion

    def _from_cache(self, key: str) -> Completion | None:
        """A cached completion (recorded in the usage log as a cache hit), or None."""
        hit = self.cache.get(key) if self.cache is not None else None
        if hit is None:
            return None
        usage = Usage(
            model=self.model,
            prompt_tokens=hit.get("prompt_tokens", 0),
            completion_tokens=hit.get("completion_tokens", 0),
            cached=True,
            calls=1,
        )
        self.usage.add(usage)
        alternatives = hit.get("alternatives")
        return Completion(
            hit["content"],
            hit.get("finish_reason"),
            usage,
            hit.get("logprobs"),
            hit.get("message"),
            None
            if alternatives is None
            else [TokenChoices(t, tuple((a, lp) for a, lp in top)) for t, top in alternatives],
        )

    @staticmethod
    def _cache_value(c: Completion) -> dict[str, Any]:
        value: dict[str, Any] = {
            "content": c.content,
            "finish_reason": c.finish_reason,
            "prompt_tokens": c.usage.prompt_tokens,
            "completion_tokens": c.usage.completion_tokens,
        }
        if c.logprobs is not None:
            value["logprobs"] = c.logprobs
        if c.message is not None:
            value["message"] = c.message
        if c.alternatives is not None:
            value["alternatives"] = [[t.token, [list(a) for a in t.top]] for t in c.alternatives]
        return value

    def _request(
        self,
        messages: list[Message],
        params: dict[str, Any],
        schema: dict[str, Any] | None,
        schema_name: str,
        response_format: ResponseFormat | None = None,
    ) -> Completion:
        import openai
        from openai.types.chat import ChatCompletion

        client = self._openai()
        extra: dict[str, Any] = {}
        if self.settings.embedded:
            # the check's prompts on a slot of their own, so each keeps its prefix (kvstate)
            extra["extra_body"] = {"id_slot": slot_for(messages)}
            if self.settings.deterministic:
                extra["extra_body"]["cache_prompt"] = False  # KV reuse changes the numerics
        tries = 0
        start = time.perf_counter()
        while True:
            tries += 1
            malformed: str | None = None
            fmt = self._response_format(schema, schema_name, response_format)
            try:
                body: dict[str, Any] = {"model": self.model, "messages": messages, **params}
                if not self.connection.logprobs_supported:
                    body.pop("logprobs", None)
                    body.pop("top_logprobs", None)
                if fmt is not None:
                    body["response_format"] = fmt
                body.update(self.fields)  # last, as promptfoo's passthrough: they win
                body.update(extra.get("extra_body", {}))
                # The same request `chat.completions.create` sends, minus its per-call walk over
                # the typed parameters (~5 ms a call, a batch's main CPU cost after the task's).
                resp = client.post("/chat/completions", body=body, cast_to=ChatCompletion)
            except openai.BadRequestError as exc:
                if fmt and fmt["type"] == "json_schema" and "response_format" in str(exc):
                    # older servers: plain JSON mode, for every client on this connection
                    self.connection.json_schema_supported = False
                    continue
                if (
                    self.connection.logprobs_supported
                    and "logprobs" in params
                    and "logprobs" in str(exc)
                ):
                    # a server without log-probabilities: the answer without its certainty.
                    # Once: logprobs asked in the request's own fields (an eval's passthrough)
                    # are sent as asked, so their refusal is the error below.
                    self.connection.logprobs_supported = False
                    continue
                raise self._error(exc, "rejected the request (400)") from None
            except openai.AuthenticationError as exc:
                raise self._error(exc, "rejected the API key (401); check OPENAI_API_KEY") from None
            except openai.PermissionDeniedError as exc:
                raise self._error(
                    exc, "refused access (403); check the key's permissions"
                ) from None
            except openai.NotFoundError as exc:
                raise self._error(
                    exc, f"has no model {self.model!r} (404); check --model"
                ) from None
            except (
                openai.RateLimitError,
                openai.InternalServerError,
                openai.APIConnectionError,
                openai.APIStatusError,
            ) as exc:
                status = getattr(exc, "status_code", None)
                retryable = status is None or status == 429 or status >= 500
                if not retryable:
                    raise self._error(exc, f"answered HTTP {status}") from None
                # A local model that timed out will time out again: retrying multiplies the wait.
                local_timeout = self.settings.embedded and isinstance(exc, openai.APITimeoutError)
                if tries > self.settings.max_retries or local_timeout:
                    raise self._error(
                        exc, self._cause(exc) + f" (gave up after {tries} tries)"
                    ) from None
                response = getattr(exc, "response", None)
                self._backoff(tries, response.headers if response is not None else None)
                continue
            except openai.APIResponseValidationError:
                malformed = "a body that is not a chat completion"
            except openai.OpenAIError as exc:
                raise self._error(exc, "failed") from None
            else:
                # A 200 that is not a chat completion is what an overloaded proxy or gateway
                # sends: retried like a 502, within the same bound.
                malformed = _malformed(resp)
                if malformed is None:
                    break
            if tries > self.settings.max_retries:
                what = f"returned {malformed} (gave up after {tries} tries)"
                raise ModelOutputError(
                    redact(f"endpoint {self.endpoint} {what}", self.settings.api_key)
                )
            self._backoff(tries, None)
        seconds = time.perf_counter() - start
        choice = resp.choices[0]
        usage = Usage(
            model=self.model,
            prompt_tokens=getattr(resp.usage, "prompt_tokens", 0) or 0,
            completion_tokens=getattr(resp.usage, "completion_tokens", 0) or 0,
            cached_prompt_tokens=getattr(
                getattr(resp.usage, "prompt_tokens_details", None), "cached_tokens", 0
            )
            or 0,
            seconds=seconds,
            calls=1,
            tries=tries,
        )
        tokens = getattr(getattr(choice, "logprobs", None), "content", None)
        # a null logprob counts 0, as JavaScript's sum in promptfoo's perplexity counts it
        logprobs = [float(t.logprob or 0.0) for t in tokens] if tokens else None
        alternatives = (
            [
                TokenChoices(
                    t.token,
                    tuple((a.token, float(a.logprob)) for a in (t.top_logprobs or ())),
                )
                for t in tokens
            ]
            if tokens and params.get("top_logprobs")
            else None
        )
        message = choice.message
        calls = message.tool_calls is not None or message.function_call is not None
        return Completion(
            message.content or "",
            choice.finish_reason,
            usage,
            logprobs,
            message.to_dict() if calls else None,
            alternatives,
        )

    def _backoff(self, tries: int, headers: Any) -> None:
        """Sleep before try `tries + 1`: the server's Retry-After, else exponential with jitter."""
        wait = retry_after_seconds(headers)
        if wait is None:
            wait = self.settings.backoff * (2 ** (tries - 1)) * (0.5 + random.random())
        self._sleep(wait)

    @staticmethod
    def _cause(exc: Exception) -> str:
        import openai

        if isinstance(exc, openai.APITimeoutError):
            return "timed out"
        if isinstance(exc, openai.APIConnectionError):
            causes: set[str] = set()
            link: BaseException | None = exc
            while link is not None and len(causes) < 10:
                causes.add(type(link).__name__)
                link = link.__cause__ or link.__context__
            if causes & {"RemoteProtocolError", "ReadError", "WriteError"}:
                return "dropped the connection"
            return "is unreachable"
        status = getattr(exc, "status_code", None)
        return f"answered HTTP {status}" if status else "failed"

    def _error(self, exc: Exception, what: str) -> LLMError:
        detail = str(getattr(exc, "message", "") or "").splitlines()[0:1]
        # openai prefixes "Error code: 429 - ": the status is already in `what`
        text = re.sub(r"^Error code: \d+ - ", "", detail[0]).strip() if detail else ""
        tail = f": {text[:200]}" if text else ""
        if any(w in what for w in ("unreachable", "timed out", "dropped")):
            tail = ""
        return LLMError(redact(f"endpoint {self.endpoint} {what}{tail}", self.settings.api_key))

    # ------------------------------------------------------------ structured output

    def structured(
        self,
        prompt: Prompt[T],
        *,
        check: Callable[[T], str | None] | None = None,
        reask: bool = True,
        partial: bool = False,
        notes: list[str] | None = None,
        replies: list[Completion] | None = None,
    ) -> T:
        """Send `prompt`, parse the JSON answer into `prompt.output`, re-ask once on errors.

        `check` returns a problem (e.g. a citation that was not shown) or None. `reask=False`
        for a task that has a fallback of its own (a re-ask costs a whole prompt again).
        `partial=True` keeps the complete part of an answer cut off at the token limit, and
        says so in `notes`. `replies` gets the completion the answer came from (with its
        log-probabilities, when the prompt asks for them: `Prompt.top_logprobs`). Only a valid
        answer is cached (one key: endpoint, model, messages, schema, parameters), so a bad
        one is never served again. Raises ModelOutputError, whose `problem` says what was
        wrong.
        """
        messages, schema, max_tokens = prompt.messages, prompt.schema, prompt.max_tokens
        key = self._key(messages, schema, self._params(max_tokens, None, prompt.top_logprobs))
        convo = list(messages)
        problem = ""
        for attempt in range(2 if reask else 1):
            completion = (self._from_cache(key) if attempt == 0 else None) or self.chat(
                convo,
                max_tokens=max_tokens,
                schema=schema,
                schema_name=prompt.name,
                use_cache=False,
                top_logprobs=prompt.top_logprobs,
            )
            parsed, problem = self._parse(completion, prompt.output, check, partial)
            if parsed is not None:
                if self.cache is not None and not completion.usage.cached:
                    self.cache.put(key, self._cache_value(completion))
                if partial and completion.finish_reason == "length" and notes is not None:
                    notes.append(
                        f"{prompt.name}: the model's answer was cut off at the token limit"
                    )
                if replies is not None:
                    replies.append(completion)
                return parsed

            convo = [
                *messages,
                {"role": "assistant", "content": completion.content},
                {"role": "user", "content": render("reask.j2", problem=problem)},
            ]
        times = "twice" if reask else "once"
        raise ModelOutputError(
            redact(
                f"model {self.model} at {self.endpoint} returned invalid output {times}: {problem}",
                self.settings.api_key,
            ),
            problem,
        )

    @staticmethod
    def _parse(
        completion: Completion,
        result_type: type[T],
        check: Callable[[T], str | None] | None,
        partial: bool = False,
    ) -> tuple[T | None, str]:
        cut_off = completion.finish_reason == "length"
        if cut_off and not partial:
            return None, "the answer was cut off at the token limit; answer more briefly"
        if cut_off:
            data = salvage_json(completion.content)
        else:
            try:
                data = json.loads(completion.content)
            except json.JSONDecodeError as exc:
                return None, f"not valid JSON ({exc.msg} at char {exc.pos})"
        try:
            parsed = result_type.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "top level"
            return None, f"{where}: {first['msg']}"
        if check is not None:
            issue = check(parsed)
            if issue:
                return None, issue
        return parsed, ""
