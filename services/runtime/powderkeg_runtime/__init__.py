"""Service plumbing shared by ingest, extractor and alerting: settings, metrics/health server, decoding, dead letters,
Kafka topic administration and faust helpers. Nothing here knows about articles, events or alerts beyond the
contracts' envelopes."""
