"""The store: Powderkeg's history. Consumes events, alerts and outcomes from Kafka into PostgreSQL (or SQLite in the
embedded mode), keeps them for a retention period, and serves the query API (``/v1/``) and the web console."""
