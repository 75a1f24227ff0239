"""The desk: what lives as long as the server (settings, the model, the response cache, the
history, parsed articles, the gate) and how one request runs on it."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from typing import Any

from newsdesk.config import Settings
from newsdesk.history import History, article_key
from newsdesk.llm.cache import ResponseCache, default_cache_path
from newsdesk.serve.articles import Articles
from newsdesk.serve.gate import Gate
from newsdesk.serve.jobs import Report, ServeClient, Stopped
from newsdesk.serve.options import ServeOptions
from newsdesk.serve.routes import Route, TaskRequest

Emit = Callable[[dict[str, Any]], None]


class Desk:
    def __init__(self, settings: Settings, options: ServeOptions) -> None:
        self.settings = settings
        self.options = options
        path = default_cache_path(settings.cache_dir)
        self.cache = ResponseCache(path) if settings.use_cache else None
        self.history = History(path)
        self.articles = Articles()
        # the embedded model runs one request at a time (two cores): requests take turns; an
        # endpoint takes several
        self.gate = Gate(1 if settings.embedded else options.max_concurrency)
        self._read: set[str] = set()  # articles the model has read in this process

    def warm(self) -> None:
        """Start the embedded model now, so that no request pays its load."""
        if self.settings.embedded:
            ServeClient(self.settings, self.cache, lambda e: None, threading.Event()).base_url()

    def info(self) -> dict[str, Any]:
        s = self.settings
        return {
            "model": s.model_name,
            "endpoint": s.endpoint_label,  # a label: never the key
            "embedded": s.embedded,
            "max_concurrency": self.gate.limit,
            "cache": s.use_cache,
        }

    async def run(
        self, route: Route, req: TaskRequest, emit: Emit, stop: threading.Event
    ) -> dict[str, Any]:
        """Queue, then run the task in a worker thread. Cancelled (the client left): the stop
        flag is set and the thread is waited for before the model is given to the next."""
        doc = self.articles.get(req.article)
        emit({"event": "start", "task": route.name, "sentences": len(doc.sentences)})
        loop = asyncio.get_running_loop()

        def report(event: dict[str, Any]) -> None:
            loop.call_soon_threadsafe(emit, event)

        ticket = self.gate.enqueue()
        if ticket is not None:
            emit({"event": "queued", "position": self.gate.position(ticket)})
            try:
                await ticket
            except asyncio.CancelledError:
                stop.set()
                self.gate.cancel(ticket)
                raise
        try:
            key = article_key(doc.text)
            emit({"event": "reading", "known": key in self._read})
            work = loop.run_in_executor(None, self._work, route, doc, req, report, stop)
            try:
                record: dict[str, Any] = await asyncio.shield(work)
            except asyncio.CancelledError:
                stop.set()
                await asyncio.wait([work])
                failed = None if work.cancelled() else work.exception()
                if failed is not None and not isinstance(failed, Stopped):
                    # the client left, but the work failed on its own: say so in the log
                    logging.getLogger("newsdesk.serve").warning(
                        "%s stopped with an error after its client left: %s", route.name, failed
                    )
                raise
            self._read.add(key)
            return record
        finally:
            self.gate.release()

    def _work(
        self, route: Route, doc: Any, req: TaskRequest, report: Report, stop: threading.Event
    ) -> Any:
        llm = ServeClient(self.settings, self.cache, report, stop)
        record = route.run(doc, llm, req, report)
        if stop.is_set():
            raise Stopped("the client went away; the answer was not recorded")
        if self.settings.use_cache:
            self.history.add(
                route.name, self.settings.model_name, doc.text, doc.title, route.inputs(req), record
            )
        return record

    def close(self) -> None:
        self.history.close()
        if self.cache is not None:
            self.cache.close()
