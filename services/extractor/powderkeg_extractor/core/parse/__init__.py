"""What the dependency parse says: pure readings of one parsed sentence, no decisions.

``triggers`` finds the words that report an event and their CAMEO codes, ``heads`` the noun phrases that can be an
event's parties, ``clauses`` what the clauses above a trigger say about whether it happened, ``syntax`` the
dependency-label sets they share. The stages (``core/stages/``) decide from these readings.
"""
