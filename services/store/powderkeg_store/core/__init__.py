"""The store's pure parts: rows from contract models, the escalation index series, cursors and query filters.

No database, no Kafka, no environment, no clock: everything here is a function of its arguments.
"""
