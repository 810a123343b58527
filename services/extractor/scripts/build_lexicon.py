"""Compile the PETRARCH2 CAMEO verb dictionary into the extractor's packaged lexicon (JSON).

Why a build step: the TABARI/PETRARCH format (synsets, verb blocks, five-part patterns) is awkward to parse at
run time and mixes syntax with data. This script turns it once into plain, pydantic-validated data: for every verb
block its verbs (lemmas and irregular forms), the block's default CAMEO code and its patterns flattened into
"slots" (each slot a set of alternative words; a pattern matches when every slot is found on its side of the verb).
PETRARCH's source/target markers ($, +, %, ^) and verb-verb transformations (~) are dropped: the extractor takes
actor and recipient from the dependency parse instead.

Usage:
    python services/extractor/scripts/build_lexicon.py [--data DIR | --source CAMEO.2.0.txt] [--output cameo_verbs.json]

``--source`` defaults to ``petrarch2_dictionaries/CAMEO.2.0.txt`` in the development-data folder
(``powderkeg_extractor/devdata.py``).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from powderkeg_extractor.core.lexicon import LexiconFile, Pattern, VerbBlock, VerbEntry
from powderkeg_extractor.devdata import add_data_option, dev_data

DEFAULT_OUTPUT = Path(__file__).resolve().parents[1] / "powderkeg_extractor" / "data" / "lexicon" / "cameo_verbs.json"
_CODE = re.compile(r"\[([^\]]*)\]")
_MARKERS = str.maketrans("", "", "$+%^")


def _code(raw: str) -> str | None:
    """PETRARCH code strings ('042:043', ':110', '080!', '---') -> one CAMEO code or None (no event)."""
    parts = [p.strip().rstrip("!") for p in raw.split(":")]
    for part in parts:
        if re.fullmatch(r"[0-2][0-9]{1,3}", part):
            return part
    return None


def _plurals(phrase: str) -> list[str]:
    words = phrase.split(" ")
    last = words[-1]
    if last.endswith("ss"):
        plural = last + "es"
    elif last.endswith("y") and len(last) > 1 and last[-2] not in "aeiou":
        plural = last[:-1] + "ies"
    else:
        plural = last + "s"
    return [phrase, " ".join([*words[:-1], plural])]


def _synsets(lines: list[str]) -> dict[str, list[str]]:
    sets: dict[str, list[str]] = {}
    current: str | None = None
    plural = True
    for raw in lines:
        line = raw.split("#", 1)[0].strip()
        if line.startswith("####### VERB PATTERNS"):
            break
        if line.startswith("&"):
            current = line[1:].strip().rstrip("_")
            plural = not line.strip().endswith("_")
            sets[current] = []
        elif line.startswith("+") and current is not None:
            word = line[1:].strip()
            no_plural = word.endswith("_")
            phrase = word.strip("_").replace("_", " ").lower()
            sets[current].extend(_plurals(phrase) if plural and not no_plural else [phrase])
        elif not line:
            current = None if raw.strip() == "" and current and sets.get(current) else current
    return sets


def _slots(text: str, synsets: dict[str, list[str]]) -> list[list[str]]:
    """Flatten one side of a pattern into slots; each word, brace word or synset is one slot."""
    text = text.translate(_MARKERS).replace("{", " ").replace("}", " ").replace("(", " ").replace(")", " ")
    slots: list[list[str]] = []
    for token in text.split():
        if token.startswith("&"):
            alternatives = synsets.get(token[1:].rstrip("_"))
            if alternatives:
                slots.append(sorted(set(alternatives)))
            continue
        word = token.strip("_").replace("_", " ").lower()
        if word and re.fullmatch(r"[a-z][a-z' .-]*", word):
            slots.append(sorted(set(_plurals(word))))
    return slots


def _verb(line: str) -> VerbEntry | None:
    body = line.split("#", 1)[0]
    code_match = _CODE.search(body)
    code = _code(code_match.group(1)) if code_match else None
    has_code = code_match is not None
    body = _CODE.sub("", body)
    forms_match = re.search(r"\{([^}]*)\}", body)
    forms = forms_match.group(1).split() if forms_match else []
    head = re.sub(r"\{[^}]*\}", "", body).strip()
    if not head:
        return None
    words = head.lower().split("_")
    verb_index = next((i for i, w in enumerate(words) if w.startswith("+")), 0)
    words = [w.lstrip("+") for w in words]
    irregular = sorted({f.lower().split("_")[verb_index].lstrip("+") for f in forms if f.strip("_")})
    return VerbEntry(
        lemma=words[verb_index],
        particles=[w for i, w in enumerate(words) if i != verb_index],
        forms=[f for f in irregular if f],
        code=code,
        null_code=has_code and code is None,
    )


def build(source: Path) -> LexiconFile:
    """Parse ``source`` (PETRARCH verb dictionary format) into a :class:`LexiconFile`."""
    lines = source.read_text(encoding="utf-8", errors="replace").splitlines()
    synsets = _synsets(lines)
    start = next(i for i, line in enumerate(lines) if line.startswith("####### VERB PATTERNS"))
    blocks: list[VerbBlock] = []
    name, code, verbs, patterns = "", None, [], []  # type: ignore[var-annotated]

    def flush() -> None:
        if name and verbs:
            blocks.append(VerbBlock(name=name, code=code, verbs=list(verbs), patterns=list(patterns)))

    for raw in lines[start + 1 :]:
        line = raw.rstrip()
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or stripped.startswith("~"):
            continue
        if stripped.startswith("---"):
            flush()
            header = stripped.strip("- ")
            code_match = _CODE.search(header)
            name = _CODE.sub("", header).strip().lower() or "unnamed"
            code = _code(code_match.group(1)) if code_match else None
            verbs, patterns = [], []
        elif stripped.startswith("-"):
            body = stripped[1:].split("#", 1)[0]
            code_match = _CODE.search(body)
            if code_match is None:
                continue
            text = _CODE.sub("", body)
            if "*" not in text:
                continue
            pre, post = text.split("*", 1)
            patterns.append(
                Pattern(pre=_slots(pre, synsets), post=_slots(post, synsets), code=_code(code_match.group(1)))
            )
        else:
            entry = _verb(stripped)
            if entry is not None:
                verbs.append(entry)
    flush()
    return LexiconFile(source="petrarch2 CAMEO.2.0.txt (MIT, Open Event Data Alliance)", blocks=blocks)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_data_option(parser)
    parser.add_argument("--source", type=Path, help="default: DATA/petrarch2_dictionaries/CAMEO.2.0.txt")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    lexicon = build(args.source or dev_data(args.data) / "petrarch2_dictionaries" / "CAMEO.2.0.txt")
    args.output.write_text(json.dumps(lexicon.model_dump(mode="json"), indent=0, sort_keys=True) + "\n")
    n_patterns = sum(len(b.patterns) for b in lexicon.blocks)
    n_verbs = sum(len(b.verbs) for b in lexicon.blocks)
    sys.stderr.write(f"{args.output}: {len(lexicon.blocks)} blocks, {n_verbs} verbs, {n_patterns} patterns\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
