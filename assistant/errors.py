"""Errors in the OpenAI format, so every usual client shows the message as it is."""

from __future__ import annotations


class ApiError(Exception):
    """An answer for the caller: ``{"error": {"message", "type", "param", "code"}}`` with its status."""

    def __init__(self, status: int, message: str, code: str, *, kind: str | None = None,
                 retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.code = status, message, code
        self.kind = kind or ("rate_limit_error" if status == 429 else "invalid_request_error" if status < 500
                             else "server_error")
        self.retry_after = retry_after

    def body(self) -> dict:
        return {"error": {"message": self.message, "type": self.kind, "param": None, "code": self.code}}
