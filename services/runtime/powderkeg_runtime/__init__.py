"""Service plumbing shared by ingest, extractor and alerting. Nothing here knows about articles, events or alerts
beyond the contracts' envelopes.

- ``settings``, ``logs``: the settings base class and logging set-up, read and done once at an entry point;
- ``codec``: strict decoding of message values into contract models (:class:`~powderkeg_runtime.codec.DecodeError`);
- ``dlq``: dead-letter envelopes with Kafka Connect-style headers, and sending one from a faust agent;
- ``metrics``: the pipeline metric names every stage exports; ``middleware``: the stage metrics around each message;
- ``httpserver``: ``/metrics``, ``/healthz``, ``/readyz``; ``kafka_admin``: topics and group offsets (kafka-python);
- faust: ``stage`` (decode, handle, send, acknowledge), ``produce`` (awaited, counted sends), ``transport``
  (idempotent producer), ``worker`` (app factory, worker entry point), ``watchdog`` and ``replay`` (exits for a
  restart), ``lag`` (consumer lag sampler), ``faust_internals`` (the only reads of faust's private attributes).
"""
