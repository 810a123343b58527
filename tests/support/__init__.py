"""Helpers shared by several test tiers (unit, contract, deploy, integration, chaos); no tests live here."""
