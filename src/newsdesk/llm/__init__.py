"""The LLM layer: one openai client for every backend, the embedded server, cache and usage."""
