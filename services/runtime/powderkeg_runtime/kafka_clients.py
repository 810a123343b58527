"""Client options from :class:`~powderkeg_runtime.kafka_config.KafkaSettings`, for both Kafka clients.

faust (over aiokafka) gets ``broker_credentials``; kafka-python (the synchronous ingest producer, the store consumer,
topic administration, the dead-letter tools) gets keyword arguments. Both wrap connections in one
:class:`ssl.SSLContext` built here, so TLS behaves the same in every client.
"""

from __future__ import annotations

import logging
import ssl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from powderkeg_runtime.kafka_config import KafkaSettings, local_defaults

if TYPE_CHECKING:
    from faust.auth import SASLCredentials, SSLCredentials

T = TypeVar("T")


class KafkaAuthError(RuntimeError):
    """The broker refused this client's credentials or its TLS handshake: retrying will not help."""


def ssl_context(kafka: KafkaSettings) -> ssl.SSLContext | None:
    """The TLS context of every client (None for PLAINTEXT and SASL_PLAINTEXT)."""
    if not kafka.uses_tls:
        return None
    cafile = str(kafka.kafka_ssl_cafile) if kafka.kafka_ssl_cafile is not None else None
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=cafile)
    context.check_hostname = kafka.kafka_ssl_check_hostname
    if kafka.kafka_ssl_certfile is not None and kafka.kafka_ssl_keyfile is not None:
        context.load_cert_chain(str(kafka.kafka_ssl_certfile), str(kafka.kafka_ssl_keyfile))
    return context


def kafka_python_options(kafka: KafkaSettings | None) -> dict[str, Any]:
    """Keyword arguments for kafka-python's ``KafkaProducer``, ``KafkaConsumer`` and ``KafkaAdminClient``.

    ``None`` is a local plaintext broker (the tests' shared stack).
    """
    kafka = kafka if kafka is not None else local_defaults()
    options: dict[str, Any] = {"security_protocol": kafka.kafka_security_protocol}
    context = ssl_context(kafka)
    if context is not None:
        options["ssl_context"] = context
        options["ssl_check_hostname"] = kafka.kafka_ssl_check_hostname
    if kafka.uses_sasl:
        options["sasl_mechanism"] = kafka.kafka_sasl_mechanism
        options["sasl_plain_username"] = kafka.kafka_sasl_username
        options["sasl_plain_password"] = _password(kafka)
    return options


def faust_credentials(kafka: KafkaSettings) -> SASLCredentials | SSLCredentials | None:
    """faust's ``broker_credentials`` (None: plaintext). faust hands them to every aiokafka client it builds."""
    from faust.auth import SASLCredentials, SSLCredentials  # the kafka-python-only services never load faust

    context = ssl_context(kafka)
    if kafka.uses_sasl:
        return SASLCredentials(
            username=kafka.kafka_sasl_username,
            password=_password(kafka),
            ssl_context=context,
            mechanism=kafka.kafka_sasl_mechanism,
        )
    if context is not None:
        return SSLCredentials(context)
    return None


def describe_failure(kafka: KafkaSettings | None, bootstrap: str, exc: BaseException) -> str:
    """One line for an operator: what failed reaching ``bootstrap``, naming the user and mechanism on auth errors."""
    kafka = kafka if kafka is not None else local_defaults()
    text = f"{type(exc).__name__}: {exc}"
    kind = _auth_kind(exc)
    if kind == "tls":
        return f"Kafka at {bootstrap} refused the TLS handshake: {text}"
    if kind == "sasl":
        who = f"user {kafka.kafka_sasl_username!r} ({kafka.kafka_sasl_mechanism})"
        return f"Kafka at {bootstrap} refused {who} over {kafka.kafka_security_protocol}: {text}"
    return f"Kafka at {bootstrap} ({kafka.kafka_security_protocol}): {text}"


def is_auth_failure(exc: BaseException) -> bool:
    """Whether ``exc`` (or its cause) is a refused SASL authentication or a failed TLS handshake."""
    return _auth_kind(exc) is not None


def _auth_kind(exc: BaseException) -> str | None:
    from kafka.errors import SaslAuthenticationFailedError

    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, (SaslAuthenticationFailedError, KafkaAuthError)):
            return "sasl"
        if isinstance(seen, ssl.SSLError):
            return "tls"
        seen = seen.__cause__ or seen.__context__
    return None


class _AuthFailures(logging.Handler):
    """Collects the exceptions kafka-python logs while it retries a bootstrap, keeping the authentication ones.

    kafka-python retries a refused SASL login like an unreachable broker until its bootstrap timeout and then raises
    a bare "Unable to bootstrap"; the refusal itself only reaches its log, as the record's argument.
    """

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.failures: list[BaseException] = []

    def emit(self, record: logging.LogRecord) -> None:
        args = record.args if isinstance(record.args, tuple) else ()
        self.failures.extend(a for a in args if isinstance(a, BaseException) and is_auth_failure(a))


@contextmanager
def _watching_auth() -> Iterator[_AuthFailures]:
    handler = _AuthFailures()
    logger = logging.getLogger("kafka")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


def connect(kafka: KafkaSettings | None, bootstrap: str, build: Callable[[dict[str, Any]], T]) -> T:
    """Build a kafka-python client with ``build(options)``, bounded by ``kafka_timeout_seconds``.

    Raises :class:`KafkaAuthError` naming the user and mechanism when the broker refused the credentials or the TLS
    handshake, and lets other failures (unreachable broker: ``KafkaTimeoutError``) through.
    """
    kafka = kafka if kafka is not None else local_defaults()
    options = kafka_python_options(kafka)
    options["bootstrap_servers"] = bootstrap
    options.setdefault("bootstrap_timeout_ms", int(kafka.kafka_timeout_seconds * 1000))
    with _watching_auth() as watcher:
        try:
            return build(options)
        except Exception as exc:
            refused = next(iter(watcher.failures), None)
            if refused is not None or is_auth_failure(exc):
                raise KafkaAuthError(describe_failure(kafka, bootstrap, refused or exc)) from exc
            reason = _handshake_problem(kafka, bootstrap) if kafka.uses_tls or kafka.uses_sasl else None
            if reason is None:
                raise
            raise KafkaAuthError(reason) from exc


def _handshake_problem(kafka: KafkaSettings, bootstrap: str) -> str | None:
    """Why a bootstrap that timed out failed, if the broker is reachable: TLS refused, or the SASL login never done.

    kafka-python often sees a refused SASL login only as "socket disconnected" (the broker closes the connection
    right after its error response), so the refusal does not always reach :class:`_AuthFailures`. A broker that
    accepts the connection and completes TLS but gives no metadata within the timeout has refused the login.
    """
    import socket

    host, _, port = bootstrap.split(",")[0].strip().rpartition(":")
    timeout = min(kafka.kafka_timeout_seconds, 5.0)
    try:
        sock = socket.create_connection((host, int(port)), timeout=timeout)
    except (OSError, ValueError):
        return None  # unreachable: the caller's own error says so
    try:
        context = ssl_context(kafka)
        if context is not None:
            try:
                sock = context.wrap_socket(sock, server_hostname=host)
            except (ssl.SSLError, OSError) as exc:
                return f"Kafka at {bootstrap} refused the TLS handshake: {type(exc).__name__}: {exc}"
    finally:
        sock.close()
    if not kafka.uses_sasl:
        return None
    return (
        f"Kafka at {bootstrap} accepts connections but did not complete the SASL login of user "
        f"{kafka.kafka_sasl_username!r} ({kafka.kafka_sasl_mechanism}) over {kafka.kafka_security_protocol} within "
        f"{kafka.kafka_timeout_seconds:.0f}s: wrong user name or password, or a mechanism the broker does not enable"
    )


def _password(kafka: KafkaSettings) -> str | None:
    return kafka.kafka_sasl_password.get_secret_value() if kafka.kafka_sasl_password is not None else None
