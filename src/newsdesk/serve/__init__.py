"""`newsdesk serve`: the desk in a browser and as a JSON API, on one long-lived model.

Modules, one job each: `options` (what the command was given, checked), `security` (Host,
Origin, token, body size), `gate` (FIFO queue on the model), `articles` (parsed articles, LRU),
`routes` (task name -> request model, task function, --json record), `jobs` (one task run in a
worker thread, with progress and stop), `events` (server-sent events), `app` (the FastAPI app),
`server` (uvicorn), `mcptools` (`newsdesk mcp`); the page is `static/`.
"""
