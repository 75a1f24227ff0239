"""Tasks: each builds its prompt (pure), calls the LLM, validates, and returns a typed result."""
