"""The FastAPI app: the page, the task routes (JSON and server-sent events), the history and
the OpenAPI document, behind the security guard."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse

from newsdesk import __version__
from newsdesk.errors import NewsdeskError
from newsdesk.serve.desk import Desk
from newsdesk.serve.events import error_event, error_message, error_status, sse
from newsdesk.serve.routes import ROUTES, Route, TaskRequest
from newsdesk.serve.security import Guard

STATIC = resources.files("newsdesk.serve") / "static"
PAGE_FILES = {"app.js": "text/javascript", "app.css": "text/css"}


def create_app(desk: Desk) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await asyncio.to_thread(desk.warm)  # the model loads once, before the first request
        yield
        desk.close()

    app = FastAPI(
        title="newsdesk",
        version=__version__,
        description="Answers for a news article, every statement checked against the "
        "sentences it cites. Each task returns the record its command prints with --json.",
        docs_url=None,  # the interactive docs load scripts from a CDN: not here
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.desk = desk

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or "body"
        return JSONResponse({"error": f"{where}: {first.get('msg', 'invalid')}"}, 422)

    @app.exception_handler(NewsdeskError)
    async def failed(request: Request, exc: NewsdeskError) -> JSONResponse:
        return JSONResponse({"error": error_message(exc)}, error_status(exc))

    @app.get("/", include_in_schema=False)
    async def page() -> Response:
        return Response((STATIC / "index.html").read_bytes(), media_type="text/html")

    @app.get("/static/{name}", include_in_schema=False)
    async def static(name: str) -> Response:
        if name not in PAGE_FILES:
            return JSONResponse({"error": f"no such file: {name}"}, 404)
        return Response((STATIC / name).read_bytes(), media_type=PAGE_FILES[name])

    @app.get("/api/info", summary="The model and endpoint the desk answers with.")
    async def info() -> dict[str, Any]:
        return desk.info()

    @app.post("/api/article", summary="The article's numbered sentences (no model call).")
    async def article(req: TaskRequest) -> dict[str, Any]:
        doc = desk.articles.get(req.article)
        return {
            "title": doc.title,
            "sentences": [
                {"id": s.id, "text": s.text, "paragraph": s.paragraph} for s in doc.sentences
            ],
        }

    @app.get("/api/history", summary="Past answers (terminal and browser), newest first.")
    async def history(limit: int = 100) -> dict[str, Any]:
        entries = await asyncio.to_thread(desk.history.entries, max(1, min(limit, 500)))
        return {"entries": [e.to_dict() for e in entries]}

    @app.get("/api/history/{entry_id}", summary="One past answer, with its article.")
    async def history_entry(entry_id: int) -> JSONResponse:
        entry = await asyncio.to_thread(desk.history.get, entry_id)
        if entry is None:
            return JSONResponse({"error": f"no history entry {entry_id}"}, 404)
        return JSONResponse(entry)

    for route in ROUTES.values():
        _add_task(app, desk, route)
    app.add_middleware(Guard, options=desk.options)
    return app


def _add_task(app: FastAPI, desk: Desk, route: Route) -> None:
    async def run(req: TaskRequest) -> JSONResponse:
        record = await desk.run(route, req, lambda e: None, threading.Event())
        return JSONResponse(record)

    async def stream(req: TaskRequest, request: Request) -> StreamingResponse:
        desk.articles.get(req.article)  # bad input: a 400 before the stream, not an event in it
        return StreamingResponse(_events(desk, route, req, request), media_type="text/event-stream")

    # FastAPI reads the body's type from the annotation: each route's own request model
    run.__annotations__["req"] = stream.__annotations__["req"] = route.request

    app.post(
        f"/api/{route.name}",
        summary=route.summary,
        description=f"The record `newsdesk {route.name} --json` prints.",
    )(run)
    app.post(
        f"/api/{route.name}/stream",
        summary=f"{route.summary} As server-sent events.",
        description="Events: start, queued, reading, call (after each model call), progress "
        f"(summaries), then done (with the record of `newsdesk {route.name} --json`) or error.",
    )(stream)


async def _events(
    desk: Desk, route: Route, req: TaskRequest, request: Request
) -> AsyncIterator[bytes]:
    queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
    stop = threading.Event()

    async def watch() -> None:
        # uvicorn reports a client that left only here (a send to it may not fail at once)
        while (await request.receive())["type"] != "http.disconnect":
            pass
        stop.set()
        task.cancel()

    async def work() -> None:
        try:
            record = await desk.run(route, req, queue.put_nowait, stop)
            queue.put_nowait({"event": "done", "record": record})
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            queue.put_nowait(error_event(exc))
        finally:
            queue.put_nowait(None)

    task = asyncio.create_task(work())
    watcher = asyncio.create_task(watch())
    try:
        while (event := await queue.get()) is not None:
            yield sse(event)
    finally:
        # the client left (or the stream ended): stop the work at its next model call
        watcher.cancel()
        stop.set()
        if not task.done():
            task.cancel()
            await asyncio.wait([task])
