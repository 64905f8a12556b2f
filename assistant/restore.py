"""The learner's own values put back in the answer they read, in place of the surrogates the
model saw: a learner who asked for a letter to "Jean Dupont" reads "Jean Dupont", not the
invented name the model was given. Only the learner who wrote the values gets them back; the
model and the usage log never see them.

A streamed answer arrives in pieces, and a surrogate may be cut between two of them: the end
of the text that could still be the beginning of a surrogate is held back until the next piece
(or the end) says what it is.
"""

from __future__ import annotations

import re

MIN_CHARS = 3  # shorter surrogates would match inside ordinary words


class Restorer:
    def __init__(self, originals: dict[str, str]) -> None:
        self.originals = {surrogate: text for surrogate, text in originals.items() if len(surrogate) >= MIN_CHARS}
        ordered = sorted(self.originals, key=len, reverse=True)  # the longest first: a full name before its part
        self.pattern = re.compile("|".join(map(re.escape, ordered))) if ordered else None
        self.longest = len(ordered[0]) if ordered else 0
        self.held = ""

    def __bool__(self) -> bool:
        return self.pattern is not None

    def text(self, text: str) -> str:
        """A whole text, every surrogate in it replaced by the learner's value."""
        return self.pattern.sub(lambda found: self.originals[found.group()], text) if self.pattern else text

    def feed(self, piece: str) -> str:
        """One piece of a stream: what can be shown now, restored."""
        if self.pattern is None:
            return piece
        self.held += piece
        keep = self._open_end(self.held)
        ready, self.held = self.held[:len(self.held) - keep], self.held[len(self.held) - keep:]
        return self.text(ready)

    def flush(self) -> str:
        """The end of the stream: whatever was held back."""
        ready, self.held = self.held, ""
        return self.text(ready)

    def _open_end(self, text: str) -> int:
        """How many characters at the end of ``text`` could begin a surrogate."""
        for length in range(min(self.longest - 1, len(text)), 0, -1):
            tail = text[-length:]
            if any(surrogate.startswith(tail) for surrogate in self.originals):
                return length
        return 0
