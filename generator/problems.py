"""Located problems: what went wrong, where (file, JSON pointer, line), and how bad."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int | None
    pointer: str
    message: str
    source: str = "generator"  # which check found it
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        """One line: `file:line: severity: /pointer: message [source]`."""
        where = f"{self.file}:{self.line}" if self.line else self.file
        message = re.sub(r"\s*\n\s*", " ", self.message.strip())
        return f"{where}: {self.severity.value}: {self.pointer or '/'}: {message} [{self.source}]"


class SpecError(Exception):
    """Raised with every problem collected by a stage; the CLI prints them and exits 2."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.file, p.line or 0, p.pointer, p.message))
        super().__init__("\n".join(str(p) for p in self.problems))


def escape_pointer_token(token: object) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def join_pointer(base: str, *tokens: object) -> str:
    return base + "".join("/" + escape_pointer_token(t) for t in tokens)


def split_pointer(pointer: str) -> list[str]:
    if pointer in ("", "#"):
        return []
    pointer = pointer.lstrip("#")
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]
