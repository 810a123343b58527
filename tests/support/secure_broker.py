"""A second, throw-away KRaft broker whose only client listener is SASL_SSL, for the Kafka security tests.

The harness makes a self-signed CA and a broker certificate for 127.0.0.1 with openssl, formats KRaft storage with
SCRAM users (``--add-scram``), and runs ``kafka.Kafka`` from the same Maven jars as ``deploy/stack.sh`` on free
loopback ports (never the shared stack's), in a temporary folder. It is stopped, by its own pid, when the test module
ends. Users: PLAIN ``alice``, SCRAM-SHA-256 ``bob``, SCRAM-SHA-512 ``carol``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pydantic import SecretStr

from powderkeg_runtime.kafka_config import KafkaSettings, SaslMechanism
from tests.support.net import free_port

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 60.0
KEYSTORE_PASSWORD = uuid.uuid4().hex
USERS: dict[str, tuple[SaslMechanism, str]] = {
    "alice": ("PLAIN", "alice-" + uuid.uuid4().hex[:12]),
    "bob": ("SCRAM-SHA-256", "bob-" + uuid.uuid4().hex[:12]),
    "carol": ("SCRAM-SHA-512", "carol-" + uuid.uuid4().hex[:12]),
}
INTER_BROKER = ("broker", "broker-" + uuid.uuid4().hex[:12])


@dataclass(frozen=True)
class SecureBroker:
    """Where the broker listens and the CA its certificate is signed by."""

    bootstrap: str
    cafile: Path
    log: Path

    def settings(self, user: str, password: str | None = None, **extra: object) -> KafkaSettings:
        """Client settings for ``user`` (its own mechanism; ``password`` replaces the right one)."""
        mechanism, right = USERS[user]
        return KafkaSettings(
            kafka_security_protocol="SASL_SSL",
            kafka_sasl_mechanism=mechanism,
            kafka_sasl_username=user,
            kafka_sasl_password=SecretStr(password if password is not None else right),
            kafka_ssl_cafile=self.cafile,
            **extra,  # type: ignore[arg-type]
        )

    def env(self, user: str) -> dict[str, str]:
        """The environment variables that point a service at this broker as ``user``."""
        mechanism, password = USERS[user]
        return {
            "POWDERKEG_KAFKA_BOOTSTRAP": self.bootstrap,
            "POWDERKEG_KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
            "POWDERKEG_KAFKA_SASL_MECHANISM": mechanism,
            "POWDERKEG_KAFKA_SASL_USERNAME": user,
            "POWDERKEG_KAFKA_SASL_PASSWORD": password,
            "POWDERKEG_KAFKA_SSL_CAFILE": str(self.cafile),
        }


def _run(*args: str, cwd: Path) -> None:
    subprocess.run(args, cwd=cwd, check=True, capture_output=True, timeout=60)


def make_certificates(folder: Path) -> tuple[Path, Path]:
    """A self-signed CA (``ca.pem``) and a PKCS12 keystore for a broker at 127.0.0.1 / localhost signed by it."""
    _run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=powderkeg-test-ca",
         "-keyout", "ca.key", "-out", "ca.pem", cwd=folder)
    _run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
         "-keyout", "broker.key", "-out", "broker.csr", cwd=folder)
    (folder / "san.ext").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    _run("openssl", "x509", "-req", "-in", "broker.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
         "-days", "2", "-extfile", "san.ext", "-out", "broker.pem", cwd=folder)
    _run("openssl", "pkcs12", "-export", "-in", "broker.pem", "-inkey", "broker.key", "-certfile", "ca.pem",
         "-name", "broker", "-out", "broker.p12", "-passout", f"pass:{KEYSTORE_PASSWORD}", cwd=folder)
    return folder / "ca.pem", folder / "broker.p12"


def _properties(folder: Path, port: int, controller: int, cafile: Path, keystore: Path) -> str:
    user, password = INTER_BROKER
    plain_users = " ".join(f'user_{name}="{pw}"' for name, (mech, pw) in USERS.items() if mech == "PLAIN")
    plain = (
        f'org.apache.kafka.common.security.plain.PlainLoginModule required username="{user}" password="{password}" '
        f'user_{user}="{password}" {plain_users};'
    )
    scram = "org.apache.kafka.common.security.scram.ScramLoginModule required;"
    lines = {
        "process.roles": "broker,controller",
        "node.id": "1",
        "controller.quorum.bootstrap.servers": f"127.0.0.1:{controller}",
        "controller.listener.names": "CONTROLLER",
        "listeners": f"SASL_SSL://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller}",
        "advertised.listeners": f"SASL_SSL://127.0.0.1:{port}",
        "inter.broker.listener.name": "SASL_SSL",
        "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL",
        "sasl.enabled.mechanisms": "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512",
        "sasl.mechanism.inter.broker.protocol": "PLAIN",
        "listener.name.sasl_ssl.plain.sasl.jaas.config": plain,
        "listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config": scram,
        "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config": scram,
        "ssl.keystore.type": "PKCS12",
        "ssl.keystore.location": str(keystore),
        "ssl.keystore.password": KEYSTORE_PASSWORD,
        "ssl.key.password": KEYSTORE_PASSWORD,
        "ssl.truststore.type": "PEM",
        "ssl.truststore.location": str(cafile),
        "log.dirs": str(folder / "data"),
        "offsets.topic.replication.factor": "1",
        "offsets.topic.num.partitions": "3",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "share.coordinator.state.topic.replication.factor": "1",
        "share.coordinator.state.topic.min.isr": "1",
        "group.initial.rebalance.delay.ms": "0",
        "auto.create.topics.enable": "false",
        "message.max.bytes": "1048576",
    }
    return "".join(f"{key}={value}\n" for key, value in lines.items())


def _kafka_libs() -> Path:
    out = subprocess.run(["bash", str(ROOT / "deploy" / "stack.sh"), "kafka-libs"], check=True, capture_output=True,
                         text=True, timeout=30)
    return Path(out.stdout.strip())


@contextmanager
def secure_broker(folder: Path) -> Iterator[SecureBroker]:
    """Start the SASL_SSL broker in ``folder``; stop it (SIGTERM, then SIGKILL) on exit."""
    folder.mkdir(parents=True, exist_ok=True)
    cafile, keystore = make_certificates(folder)
    port, controller = free_port(), free_port()
    config = folder / "server.properties"
    config.write_text(_properties(folder, port, controller, cafile, keystore))
    log4j = ROOT / "deploy" / "kafka" / "log4j2.properties"
    java = ["java", "-Xmx384m", "-Xms128m", "-XX:+UseSerialGC", "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={log4j}", "-cp", f"{_kafka_libs()}/*"]
    scram = [arg for name, (mech, pw) in USERS.items() if mech != "PLAIN"
             for arg in ("--add-scram", f"{mech}=[name={name},password={pw}]")]
    log = folder / "kafka.log"
    cluster_id = "pk" + uuid.uuid4().hex[:20]
    with log.open("ab") as out:
        subprocess.run([*java, "kafka.tools.StorageTool", "format", "-t", cluster_id, "-c", str(config),
                        "--standalone", *scram], check=True, stdout=out, stderr=subprocess.STDOUT, timeout=60)
        proc = subprocess.Popen([*java, "kafka.Kafka", str(config)], stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while "Kafka Server started" not in log.read_text(errors="replace"):
            assert proc.poll() is None, f"the SASL_SSL broker exited: {log.read_text()[-3000:]}"
            assert time.monotonic() < deadline, f"the SASL_SSL broker did not start: {log.read_text()[-3000:]}"
            time.sleep(0.3)
        yield SecureBroker(bootstrap=f"127.0.0.1:{port}", cafile=cafile, log=log)
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
