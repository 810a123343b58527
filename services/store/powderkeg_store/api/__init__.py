"""The query API (``/v1/``) and the web console, served by the store process."""
