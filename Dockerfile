# One image for the three Powderkeg services (ingest, extractor, alerting); docker-compose.yml picks the
# command. Dependencies come only from the hash-locked runtime lock, requirements.lock (no test or lint tools: those
# are in requirements-dev.lock); the project itself adds none.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first, in their own layer: code changes do not reinstall spaCy.
COPY requirements-pip.lock requirements.lock ./
RUN pip install --require-hashes -r requirements-pip.lock \
    && pip install --require-hashes -r requirements.lock

COPY pyproject.toml README.md ./
COPY contracts ./contracts
COPY services ./services
RUN pip install --no-deps . \
    && useradd --system --uid 10001 --no-create-home powderkeg \
    && mkdir -p /var/lib/powderkeg \
    && chown powderkeg /var/lib/powderkeg

COPY seeds ./seeds

USER powderkeg
# Metrics/health servers must listen on all interfaces inside a container so Prometheus can scrape them.
# /app is not writable by the service user: faust's local data goes where the user may write.
ENV POWDERKEG_METRICS_HOST=0.0.0.0 \
    POWDERKEG_FAUST_DATA_DIR=/var/lib/powderkeg/faust
ENTRYPOINT ["powderkeg"]
CMD ["--help"]
