"""The archive's user query language, parsed into engine-neutral clauses (pure functions).

    臺北 廠商          words: documents with more of them rank higher
    "評選委員會 決議"   a phrase: the characters must appear contiguously (spaces ignored)
    +得標 / a AND b    required text           -流標 / NOT 流標   excluded text
    a OR b             either (the default between words)

Anything else (unbalanced quotes, brackets, colons, wildcards) is ordinary text: user input never
reaches an engine's own query parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Occur = Literal["should", "must", "must_not"]

_TOKEN = re.compile(r'(?P<sign>[-+]?)"(?P<phrase>[^"]*)"?|(?P<word>\S+)')


@dataclass(frozen=True)
class Clause:
    text: str
    occur: Occur = "should"
    phrase: bool = False


@dataclass(frozen=True)
class ParsedQuery:
    clauses: tuple[Clause, ...]

    @property
    def positive(self) -> tuple[Clause, ...]:
        return tuple(c for c in self.clauses if c.occur != "must_not")

    @property
    def is_empty(self) -> bool:
        return not self.positive


def parse_query(text: str) -> ParsedQuery:
    """Split user text into clauses. Never raises: odd syntax degrades to plain text."""
    raw: list[tuple[str, str, bool]] = []  # (sign/keyword, text, phrase)
    for match in _TOKEN.finditer(text or ""):
        if match.group("word") is not None:
            word = match.group("word")
            if word in ("AND", "OR", "NOT"):
                raw.append((word, "", False))
                continue
            sign = ""
            if len(word) > 1 and word[0] in "+-":
                sign, word = word[0], word[1:]
            raw.append((sign, word, False))
        else:
            raw.append((match.group("sign"), match.group("phrase") or "", True))

    clauses: list[Clause] = []
    pending_not = False
    pending_and = False
    for index, (sign, body, phrase) in enumerate(raw):
        if sign == "NOT":
            pending_not = True
            continue
        if sign == "AND":
            if clauses and clauses[-1].occur == "should":
                last = clauses[-1]
                clauses[-1] = Clause(last.text, "must", last.phrase)
            pending_and = True
            continue
        if sign == "OR":
            pending_and = False
            continue
        if not body.strip() or not any(ch.isalnum() for ch in body):
            pending_not = pending_and = False
            continue
        occur: Occur = "should"
        if sign == "-" or pending_not:
            occur = "must_not"
        elif sign == "+" or pending_and:
            occur = "must"
        clauses.append(Clause(body.strip(), occur, phrase))
        pending_not = pending_and = False
    return ParsedQuery(tuple(clauses))
