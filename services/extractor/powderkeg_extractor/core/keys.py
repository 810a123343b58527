"""Words of a text as lookup keys: the one tokenisation the gazetteer's builder and its matchers share.

A key is a word lowercased, with dots and accents removed, so that "U.S.", "us" written in capitals and "US" meet,
and a sentence-final period never changes a key. A phrase's key is its words' keys joined by single spaces, so
matching a phrase is one dictionary lookup.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_TOKEN = re.compile(r"[^\W_]+(?:\.[^\W_]+)*\.?")


@dataclass(frozen=True, slots=True)
class Token:
    """One word of a text: its key (lowercase, dots removed), its surface form and character offsets."""

    key: str
    text: str
    start: int
    end: int

    @property
    def is_upper(self) -> bool:
        """True for all-caps words (``US``, ``U.S.``, ``TTP``): acronym-only entries need this."""
        letters = [c for c in self.text if c.isalpha()]
        return bool(letters) and all(c.isupper() for c in letters)

    @property
    def is_capitalised(self) -> bool:
        return self.text[:1].isupper() or self.text[:1].isdigit()


def _fold(word: str) -> str:
    """Lowercase, drop dots and accents (``İstanbul`` -> ``istanbul``, ``Erdoğan`` -> ``erdogan``)."""
    word = word.replace(".", "").lower()
    if word.isascii():
        return word
    decomposed = unicodedata.normalize("NFKD", word.replace("ı", "i"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def tokenize(text: str) -> list[Token]:
    """Split text into word tokens; hyphens, apostrophes and other punctuation separate words.

    Dots inside a word are kept together and dropped from the key (``U.S.`` -> ``us``, ``Oct.`` -> ``oct``), so that
    a sentence-final period never changes a key.
    """
    tokens = []
    for m in _TOKEN.finditer(text):
        key = _fold(m.group())
        if key:
            tokens.append(Token(key, m.group(), m.start(), m.end()))
    return tokens


def phrase_key(phrase: str) -> str:
    """The lookup key of a phrase: its token keys joined by spaces (underscores count as spaces)."""
    return " ".join(t.key for t in tokenize(phrase.replace("_", " ")))
