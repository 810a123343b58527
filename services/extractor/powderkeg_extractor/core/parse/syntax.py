"""The dependency-label sets the parse-reading rules share, each defined once here, and the subject of a verb.

The labels are spaCy's English (ClearNLP) scheme. Sets that look alike answer different questions, so each has
its own name: the clause embeddings that count towards a trigger's depth are not the phrase boundaries a verb
pattern may not cross.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Token

EMBEDDING_DEPS = frozenset({"ccomp", "xcomp", "advcl", "relcl", "acl", "pcomp", "csubj", "conj"})
"""A clause embedded under its head: each one between a trigger and the root adds to its depth (factuality)."""

CLAUSE_BOUNDARY_DEPS = frozenset({"ccomp", "advcl", "conj", "relcl", "parataxis", "punct", "cc", "acl"})
"""Children that start another clause or phrase: a verb pattern's words must not be found beyond them (detect)."""

ATTRIBUTIVE_DEPS = frozenset({"amod", "compound", "nmod", "npadvmod"})
"""A verb in one of these positions is a modifier ("escalating tensions"), not a trigger (detect)."""

NOMINAL_DEPS = frozenset({"dobj", "pobj", "nsubj", "nsubjpass", "attr", "dative", "conj"})
"""A past participle in one of these positions is a noun ("evacuated *the wounded*"), not a trigger (detect)."""

ARGUMENT_DEPS = frozenset(
    {"dobj", "pobj", "attr", "oprd", "dative", "nsubjpass", "prep", "compound", "amod", "npadvmod"}
)
"""Children whose words a supplement verb's ``objects`` condition looks at (detect)."""

NOUN_MODIFIER_DEPS = frozenset({"amod", "compound", "poss", "nmod", "case", "det"})
"""Modifiers climbed through to reach the noun a mention modifies ("Afghanistan's decision") (arguments)."""

PHRASE_STOP_DEPS = frozenset({"relcl", "acl", "advcl", "appos", "punct", "cc", "conj", "prep", "ccomp", "xcomp"})
"""Children left out of a party's noun phrase, except "of" phrases ("leaders of Hamas") (arguments)."""

INHERIT_DEPS = frozenset({"xcomp", "advcl", "conj", "ccomp", "pcomp", "acomp"})
"""A verb attached by one of these inherits its head's subject ("vowed to take", "said ..., accusing") (arguments)."""


def subject_of(verb: Token) -> Token | None:
    """The nominal subject of ``verb`` (or the agent of a passive), if the parse gives one."""
    for child in verb.children:
        if child.dep_ in ("nsubj", "csubj"):
            return child
    for child in verb.children:
        if child.dep_ == "agent":
            for grandchild in child.children:
                if grandchild.dep_ == "pobj":
                    return grandchild
    return None


def hyphen_head(token: Token) -> Token | None:
    """The first part of the word ``token`` ends, when spaCy split that word at its hyphen ("sit - in", "cease - fire"),
    else None."""
    if token.i < token.sent.start + 2:
        return None
    hyphen, first = token.doc[token.i - 1], token.doc[token.i - 2]
    if hyphen.text != "-" or hyphen.whitespace_ or first.whitespace_:
        return None
    return first
