"""The English word lists the parse-reading rules use, loaded and validated from ``data/lexicon/words.yaml``.

Grammar words (prepositions, modals, pronouns) and the common nouns that are never a party are data, like the
lexicon's trigger words: a newcomer changes what a rule accepts by editing one list, and a typo (a list entry
that YAML reads as a boolean, an upper-case word) fails at start-up naming the line.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

Word = Annotated[str, Field(pattern=r"^[a-z'][a-z' -]*$")]
"""One lower-case word or short phrase."""
WordSet = Annotated[frozenset[Word], Field(min_length=1)]


class Words(BaseModel):
    """One set per use; the file's comments say what each one is for."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    function_words: WordSet
    not_parties: WordSet
    border_words: WordSet
    personal_pronouns: WordSet
    free_relatives: WordSet
    modals: WordSet
    possibility_modals: WordSet
    conditional_marks: WordSet
    question_verbs: WordSet
    question_marks: WordSet
    obligation_modals: WordSet
    recipient_prepositions: WordSet
    party_prepositions: WordSet
    noun_recipient_prepositions: WordSet
    place_prepositions: WordSet
    partner_prepositions: WordSet
    reciprocal_words: WordSet
    exchange_verbs: WordSet
    undergoer_verbs: WordSet
    responsibility_nouns: WordSet
    performance_verbs: WordSet
    judicial_words: WordSet
    judicial_prepositions: WordSet
    history_nouns: WordSet
    habitual_adverbs: WordSet
    span_verbs: WordSet
    long_units: WordSet
    ongoing_objects: WordSet
    criticism_verbs: WordSet
    criticism_prepositions: WordSet
    time_units: WordSet
    continuation_verbs: WordSet
    speech_verbs: WordSet
    denial_verbs: WordSet
    dismissal_verbs: WordSet
    report_nouns: WordSet
    settlement_verbs: WordSet
    mutual_verbs: WordSet
    mutual_nouns: WordSet
    representative_nouns: WordSet
    settlement_prepositions: WordSet
    ending_verbs: WordSet
    military_strike_modifiers: WordSet
    labour_strike_modifiers: WordSet
    labour_words: WordSet
    strike_harm_verbs: WordSet
    grievance_nouns: WordSet
    showing_verbs: WordSet
    release_verbs: WordSet
    released_things: WordSet
    standing_measures: WordSet
    observer_nouns: WordSet
    ceremony_words: WordSet
    institution_nouns: WordSet


class AgencyWords(BaseModel):
    """What makes a coded conflict event no political act (``data/lexicon/agency.yaml`` says what each is for)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    hazards: WordSet
    animals: WordSet
    vehicles: WordSet
    accident_verbs: WordSet
    weapon_nouns: WordSet
    relic_modifiers: WordSet
    accident_sites: WordSet
    weapon_modifiers: WordSet
    accidental_heads: WordSet
    accident_modifiers: WordSet
    markets: WordSet
    contest_verbs: WordSet
    sports_words: WordSet
    effort_verbs: WordSet
    abstract_foes: WordSet
    relief_words: WordSet
    perpetrators: WordSet
    mine_modifiers: WordSet
    conditions: WordSet
    eruption_verbs: WordSet
    volcanic_words: WordSet
    works: WordSet
    sports_violent_verbs: WordSet
    difficulty_verbs: WordSet
    calamities: WordSet
    mistake_adverbs: WordSet
    mistake_nouns: WordSet
    drill_words: WordSet
    ordnance_work: WordSet
    handling_nouns: WordSet
    handling_verbs: WordSet
    proposals: WordSet
