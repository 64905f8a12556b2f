"""The AI assistant inside the sandbox: an OpenAI-compatible gateway between learners and a model."""
