"""Powderkeg ingest: news from files, stdin, HTTP pushes and RSS/Atom feeds -> ``Article`` on powderkeg.articles.v1.

``core`` is pure (normalisation, ids, exact and near de-duplication: ``core.pipeline.IngestCore``, which the embedded
mode calls in-process); ``sources`` reads inputs; ``service.main`` is ``powderkeg ingest``. See docs/ingest.md.
Nothing is re-exported here, so that ``powderkeg ingest --help`` imports as little as possible.
"""
