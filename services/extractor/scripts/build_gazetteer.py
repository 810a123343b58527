"""Compile the PETRARCH2/Phoenix dictionaries, pycountry and the hand-checked supplement into the packaged gazetteer.

Usage::

    .venv/bin/python services/extractor/scripts/build_gazetteer.py \
        [--data DIR | --dictionaries DIR]

Writes ``powderkeg_extractor/data/gazetteer.json.gz`` and prints entry counts. Entries are written in priority order
(supplement, country names, then the Phoenix files, then pycountry subdivisions): when two entries share a phrase,
the first one wins at load time. The Phoenix actor format is described in ``dictionaries-format.rst``; the parser
here is the project's own and keeps date restrictions as ISO date ranges.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pycountry
import yaml
from spacy.lang.en.stop_words import STOP_WORDS

from powderkeg_extractor.core.gazetteer import EntryKind, Gazetteer, GazetteerFile, parse_code
from powderkeg_extractor.core.keys import phrase_key
from powderkeg_extractor.core.ontology import actor_codes, is_country
from powderkeg_extractor.devdata import add_data_option, dev_data

DATA = Path(__file__).resolve().parents[1] / "powderkeg_extractor" / "data"
_BRACKET = re.compile(r"\[([^\]\}]*)[\]\}]")
_PAREN = re.compile(r"\(([^)]*)\)")
_GENERIC = {
    "north",
    "south",
    "east",
    "west",
    "central",
    "centre",
    "center",
    "northern",
    "southern",
    "eastern",
    "western",
    "capital",
    "city",
    "nord",
    "sud",
    "est",
    "ouest",
    "island",
    "islands",
    "coast",
    "upper",
    "lower",
    "river",
    "lake",
    "mountain",
    "valley",
    "district",
    "region",
    "province",
    "state",
}


@dataclass
class Block:
    """Consecutive dictionary lines that share one list of codes: primaries with their '+' synonyms."""

    groups: list[tuple[str, list[str]]] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    comment: str = ""


def _read_lines(path: Path) -> Iterator[str]:
    for raw in path.read_bytes().splitlines():
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError:
            yield raw.decode("latin-1")


def _date(text: str) -> dt.date:
    if len(text) == 6:
        year = int(text[:2])
        text = f"{2000 + year if year < 30 else 1900 + year}{text[2:]}"
    if len(text) != 8:
        raise ValueError(f"date {text!r} is neither YYMMDD nor YYYYMMDD")
    return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))


def _codes(line: str) -> list[str]:
    """Translate ``[CODE]``, ``[CODE <date]``, ``[CODE >date]``, ``[CODE d1-d2]`` into ``CODE|start|end`` strings."""
    out = []
    for inner in _BRACKET.findall(line):
        parts = inner.split()
        if not parts or parts[0].startswith("-"):
            continue
        code = parts[0]
        if len(parts) == 1:
            out.append(code)
            continue
        restriction = "".join(parts[1:])
        try:
            if restriction.startswith("<"):
                out.append(f"{code}||{_date(restriction[1:]).isoformat()}")
            elif restriction.startswith(">"):
                out.append(f"{code}|{_date(restriction[1:]).isoformat()}|")
            else:
                start, end = restriction.split("-")
                out.append(f"{code}|{_date(start).isoformat()}|{_date(end).isoformat()}")
        except ValueError:
            continue
    valid = []
    for raw in out:
        try:
            parse_code(raw)
        except ValueError:
            continue
        valid.append(raw)
    return valid


def parse_actor_file(path: Path) -> list[Block]:
    """Parse a Phoenix ``.actors`` file into blocks (a primary without codes waits for the codes that follow)."""
    blocks: list[Block] = []
    current = Block()
    for line in _read_lines(path):
        text, _, comment = line.partition("#")
        if not text.strip():
            continue
        if text.startswith("+"):
            phrase = _BRACKET.split(text[1:])[0].strip()
            if current.groups:
                current.groups[-1][1].append(phrase)
            current.codes.extend(_codes(text))
        elif text[0] in " \t":
            current.codes.extend(_codes(text))
        else:
            phrase = _BRACKET.split(text)[0].strip()
            inline = _codes(text)
            if current.codes or inline:
                if current.codes:
                    blocks.append(current)
                current = Block(comment=comment)
            current.groups.append((phrase, []))
            current.codes.extend(inline)
    if current.codes:
        blocks.append(current)
    return blocks


def _name(phrase: str) -> str:
    words = _PAREN.sub(" ", phrase).replace("_", " ").split()
    if len(words) > 1 and words[0].upper() == "THE":
        words = words[1:]
    return " ".join(w if any(c.isdigit() for c in w) else w.title() if len(w) > 3 else w.upper() for w in words)


def _keys(phrase: str) -> tuple[list[str], list[str]]:
    """Keys of a dictionary phrase, plus acronyms given in parentheses (``..._ARMY_(AAIA)_``)."""
    acronyms = [a for a in (phrase_key(p) for p in _PAREN.findall(phrase)) if a and " " not in a]
    key = phrase_key(_PAREN.sub(" ", phrase))
    return ([key] if key else []), acronyms


def _kind(path: Path, codes: list[str]) -> EntryKind:
    first = codes[0].split("|")[0]
    dated = any("|" in c for c in codes)
    if "MilNonState" in path.name:
        return EntryKind.ARMED_GROUP
    if first.startswith("IGO"):
        return EntryKind.PERSON if dated else EntryKind.IGO
    if first.startswith("NGO"):
        return EntryKind.NGO
    if first.startswith("MNC"):
        return EntryKind.COMPANY
    if dated or "ELI" in first[3:]:
        return EntryKind.PERSON
    return EntryKind.ORGANISATION


def _entry(name: str, kind: EntryKind, codes: list[str], keys: list[str], acronyms: list[str]) -> dict[str, object]:
    phrases, caps = [], list(acronyms)
    for key in keys:
        single = " " not in key
        if single and (key in STOP_WORDS or len(key) < 3 or kind in (EntryKind.COMPANY, EntryKind.NGO)):
            caps.append(key)
        else:
            phrases.append(key)
    return {
        "name": name,
        "kind": kind.value,
        "codes": list(dict.fromkeys(codes)),
        "phrases": list(dict.fromkeys(phrases)),
        "acronyms": list(dict.fromkeys(caps)),
    }


def _row(entry: dict[str, object]) -> list[object]:
    return [entry["name"], entry["kind"], entry["codes"], entry["phrases"], entry["acronyms"]]


def _country_names(alpha3: str) -> list[str]:
    country = pycountry.countries.get(alpha_3=alpha3)
    if country is None:
        return []
    return [
        n for n in (country.name, getattr(country, "official_name", None), getattr(country, "common_name", None)) if n
    ]


def _plurals(phrase: str) -> list[str]:
    last = phrase.rsplit(" ", 1)[-1]
    if last.endswith("y") and last[-2:-1] not in "aeiou":
        return [phrase[:-1] + "ies"]
    if last.endswith(("s", "x", "ch", "sh")):
        return [phrase + "es"]
    return [phrase + "s"]


def _surnames(entries: list[dict[str, object]], agent_keys: set[str]) -> list[dict[str, object]]:
    """Surname-only keys for people who held a government or military post ("President Mugabe").

    Only surnames of five letters or more that point to one country are added, and none that is also a given name,
    a word of an organisation's name or of a title, or a stop word; they come after every other entry, so that they
    never shadow a fuller name.
    """
    known = {k for e in entries for k in e["phrases"]} | agent_keys  # type: ignore[attr-defined]
    common = {w for k in agent_keys for w in k.split()}
    for entry in entries:
        words = [k.split() for k in entry["phrases"]]  # type: ignore[attr-defined]
        if entry["kind"] == EntryKind.PERSON.value:
            common.update(w[0] for w in words if len(w) > 1)
        else:
            common.update(x for w in words for x in w)
    by_surname: dict[str, set[str]] = {}
    owner: dict[str, dict[str, object]] = {}
    for entry in entries:
        if entry["kind"] != EntryKind.PERSON.value:
            continue
        codes = [str(c).split("|")[0] for c in entry["codes"]]  # type: ignore[attr-defined]
        if not any(c[3:6] in ("GOV", "MIL") for c in codes):
            continue
        for key in entry["phrases"]:  # type: ignore[attr-defined]
            words = key.split()
            if len(words) < 2:
                continue
            surname = words[-1]
            by_surname.setdefault(surname, set()).add(codes[0][:3])
            owner.setdefault(surname, entry)
    out = []
    for surname, countries in sorted(by_surname.items()):
        if (
            len(countries) == 1
            and len(surname) >= 5
            and surname not in known
            and surname not in STOP_WORDS
            and surname not in common
        ):
            entry = owner[surname]
            out.append({**entry, "kind": EntryKind.SURNAME.value, "phrases": [surname], "acronyms": []})
    return out


def parse_agents(path: Path) -> dict[str, str]:
    """Parse ``Phoenix.agents.txt`` into key -> ``~CODE``, expanding ``!MARKER!`` sets and plurals."""
    markers: dict[str, list[str]] = {}
    agents: dict[str, str] = {}
    for line in _read_lines(path):
        text = line.partition("#")[0].strip()
        if not text or text.startswith("<"):
            continue
        if text.startswith("!") and "=" in text:
            name, _, values = text.partition("=")
            markers[name.strip()] = [v.strip() for v in values.split(",") if v.strip()]
            continue
        found = _BRACKET.findall(text)
        if not found:
            continue
        code = found[0].strip()
        code = "~" + code[:-1] if code.endswith("~") else code
        try:
            parse_code(code)
        except ValueError:
            continue
        head = _BRACKET.split(text)[0]
        plural_text = re.search(r"\{([^}]*)\}", head)
        phrase = re.sub(r"\{[^}]*\}", " ", head).strip()
        variants = [phrase]
        for marker, values in markers.items():
            if marker in phrase:
                variants = [phrase.replace(marker, v) for v in values]
        keys = [phrase_key(v) for v in variants]
        if plural_text is not None:
            keys += [phrase_key(p) for p in plural_text.group(1).split()]
        elif "!" not in phrase:
            keys += _plurals(keys[0])
        for key in keys:
            if key:
                agents.setdefault(key, code)
    return agents


def build(dictionaries: Path, supplement_path: Path) -> dict[str, object]:
    """Build the gazetteer document (a dict ready for JSON) in priority order."""
    supplement = yaml.safe_load(supplement_path.read_text(encoding="utf-8"))
    drop = {phrase_key(p) for p in supplement.get("drop_phrases", [])}
    entries: list[dict[str, object]] = []
    for item in supplement.get("actors", []):
        keys = [phrase_key(p) for p in item.get("phrases", [])]
        entries.append(
            _entry(
                item["name"],
                EntryKind(item["kind"]),
                item["codes"],
                keys,
                [phrase_key(a) for a in item.get("acronyms", [])],
            )
        )
    supplement_count = len(entries)
    for alpha3, names in supplement.get("capitals", {}).items():
        country = pycountry.countries.get(alpha_3=alpha3)
        entries.append(
            _entry(
                country.name if country else alpha3,
                EntryKind.CAPITAL,
                [f"{alpha3}GOV"],
                [phrase_key(n) for n in names],
                [],
            )
        )
    country_blocks, other = [], []
    for path in (
        dictionaries / "Phoenix.Countries.actors.txt",
        dictionaries / "Phoenix.International.actors.txt",
        dictionaries / "Phoenix.MilNonState.actors.txt",
    ):
        for block in parse_actor_file(path):
            bare = [c.split("|")[0] for c in block.codes]
            country_block = (
                path.name.startswith("Phoenix.Countries")
                and any(len(b) == 3 and is_country(b) for b in bare)
                and not any(b[i : i + 3] in actor_codes().sectors for b in bare for i in range(3, len(b), 3))
            )
            (country_blocks if country_block else other).append((path, block))
    places = []
    for _, block in country_blocks:
        alpha3 = [b for b in (c.split("|")[0] for c in block.codes) if len(b) == 3 and is_country(b)][-1]
        primary = block.groups[0][0]
        names = _country_names(alpha3)
        name = names[-1] if len(names) == 3 else names[0] if names else _name(primary)
        main = [phrase_key(primary)] + [phrase_key(n) for n in names]
        entries.append(_entry(name, EntryKind.COUNTRY, [alpha3], main, []))
        rest: list[str] = []
        for head, synonyms in block.groups:
            rest += [phrase_key(p) for p in [head, *synonyms]]
        rest = [k for k in rest if k and k not in main]
        rest += [k + "s" for k in rest if " " not in k and k.endswith(("an", "i"))]
        places.append(_entry(name, EntryKind.PLACE, [alpha3], rest, []))
    entries += places
    for path, block in other:
        kind = _kind(path, block.codes)
        for head, synonyms in block.groups:
            keys, acronyms = [], []
            for phrase in [head, *synonyms]:
                k, a = _keys(phrase)
                keys += k
                acronyms += a
            entries.append(_entry(_name(head), kind, block.codes, keys, acronyms))
    ambiguous: dict[str, set[str]] = {}
    for sub in pycountry.subdivisions:
        ambiguous.setdefault(phrase_key(sub.name), set()).add(sub.country_code)
    for sub in pycountry.subdivisions:
        key = phrase_key(sub.name)
        country = pycountry.countries.get(alpha_2=sub.country_code)
        if len(ambiguous[key]) > 1 or key in _GENERIC or key in STOP_WORDS or len(key) < 4 or country is None:
            continue
        entries.append(_entry(sub.name, EntryKind.PLACE, [country.alpha_3], [key], []))
    agents = parse_agents(dictionaries / "Phoenix.agents.txt")
    for item in supplement.get("agents", []):
        for phrase in item["phrases"]:
            agents[phrase_key(phrase)] = item["code"]
    for key, code in sorted(agents.items()):
        entries.append({"name": key, "kind": EntryKind.AGENT.value, "codes": [code], "phrases": [key], "acronyms": []})
    agent_keys = set(agents)
    entries += _surnames(entries, agent_keys)
    for entry in entries[supplement_count:]:
        if entry["kind"] != EntryKind.AGENT.value:
            entry["phrases"] = [k for k in entry["phrases"] if k not in drop and k not in agent_keys]
            entry["acronyms"] = [k for k in entry["acronyms"] if k not in drop]
    entries = [e for e in entries if e["phrases"] or e["acronyms"]]
    return {
        "version": 1,
        "provenance": "PETRARCH2/Phoenix dictionaries (MIT), pycountry, supplement.yaml; see README",
        "entries": [_row(e) for e in entries],
    }


def dump(document: dict[str, object]) -> bytes:
    """Compact JSON with one entry per line, so that a validation error's line number names the entry."""
    head = {k: v for k, v in document.items() if k != "entries"}
    rows = [json.dumps(row, ensure_ascii=False, separators=(",", ":")) for row in document["entries"]]  # type: ignore[attr-defined]
    text = json.dumps(head, ensure_ascii=False, separators=(",", ":"))[:-1] + ',"entries":[\n' + ",\n".join(rows)
    return (text + "\n]}\n").encode("utf-8")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_data_option(parser)
    parser.add_argument("--dictionaries", type=Path, help="default: DATA/petrarch2_dictionaries")
    parser.add_argument("--supplement", type=Path, default=DATA / "supplement.yaml")
    parser.add_argument("--out", type=Path, default=DATA / "gazetteer.json.gz")
    args = parser.parse_args(argv)
    document = build(args.dictionaries or dev_data(args.data) / "petrarch2_dictionaries", args.supplement)
    Gazetteer(GazetteerFile.model_validate(document).entries).check()
    args.out.write_bytes(gzip.compress(dump(document), compresslevel=9, mtime=0))
    counts: dict[str, int] = {}
    for entry in document["entries"]:  # type: ignore[union-attr]
        counts[entry[1]] = counts.get(entry[1], 0) + 1
    sys.stdout.write(f"wrote {args.out} ({args.out.stat().st_size} bytes): {counts}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
