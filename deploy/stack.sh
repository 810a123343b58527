#!/usr/bin/env bash
# Local Powderkeg infrastructure without Docker: a single-node KRaft Kafka broker (jars from Maven Central),
# Prometheus, Alertmanager and PostgreSQL 15 (Debian packages), all on 127.0.0.1. `install` also brings Debian's
# chromium for the console's browser test.
#
# Usage: deploy/stack.sh COMMAND
#   install        fetch/install what is missing (idempotent; caches live outside the repo)
#   up             install if needed, then start Kafka, Alertmanager, Prometheus, PostgreSQL; wait until each is ready
#   down           stop everything and delete the data dirs, so the next `up` starts from empty
#   status         show what is running; exit 0 only if all four are up
#   kafka-start    start the broker (keeps its data if there is any)
#   kafka-stop     stop the broker with SIGTERM (keeps data)
#   kafka-restart  kafka-stop + kafka-start: a clean broker restart for chaos tests
#   kafka-kill     SIGKILL the broker (keeps data): a crash for chaos tests; bring it back with kafka-start
#   postgres-start start PostgreSQL (keeps its data if there is any); postgres-stop stops it (keeps data)
#   env            print the environment variables that point clients at this stack
#   kafka-libs     print the folder of the Kafka jars (tests that start a broker of their own run it from there)
#
# Environment (defaults in brackets):
#   POWDERKEG_CACHE [~/.cache/powderkeg]   Maven repo and Kafka libs, keyed by version
#   POWDERKEG_RUN_DIR [$POWDERKEG_CACHE/run] pid files, logs, data dirs
#   KAFKA_VERSION [4.4.0]  KAFKA_PORT [9092]  KAFKA_CONTROLLER_PORT [9097]  KAFKA_NUM_PARTITIONS [1]
#   KAFKA_HEAP_OPTS [-Xmx1G -Xms1G]  PROMETHEUS_PORT [9090]  ALERTMANAGER_PORT [9093]
#   POSTGRES_PORT [5434]  POSTGRES_VERSION [15]
#   STACK_START_TIMEOUT [120] seconds to wait for each component
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DEPLOY="$ROOT/deploy"

CACHE=${POWDERKEG_CACHE:-$HOME/.cache/powderkeg}
RUN_DIR=${POWDERKEG_RUN_DIR:-$CACHE/run}

# Kafka 4.4.0 is the newest 4.x on Maven Central. Checked with the locked clients: kafka-python 3.0.12 and
# aiokafka 0.14.0 (admin topic creation, acks=all idempotent produce, group consume + commit; see
# tests/integration/test_stack.py), and a faust-streaming 0.15.3 worker (agent, table changelog topic, group
# commit). No older 4.x was needed. Keep in step with deploy/kafka/pom.xml and docker-compose.yml.
KAFKA_VERSION=${KAFKA_VERSION:-4.4.0}
KAFKA_PORT=${KAFKA_PORT:-9092}
# Not 9093: that is Alertmanager's port.
KAFKA_CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-9097}
KAFKA_NUM_PARTITIONS=${KAFKA_NUM_PARTITIONS:-1}
KAFKA_OFFSETS_PARTITIONS=${KAFKA_OFFSETS_PARTITIONS:-10}
# The release scripts' defaults; kafka.Kafka started by hand gets no heap settings otherwise.
KAFKA_HEAP_OPTS=${KAFKA_HEAP_OPTS:--Xmx1G -Xms1G}
KAFKA_JVM_OPTS=${KAFKA_JVM_OPTS:--server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true}
PROMETHEUS_PORT=${PROMETHEUS_PORT:-9090}
ALERTMANAGER_PORT=${ALERTMANAGER_PORT:-9093}
# Not 5432: installing Debian's postgresql package may create and start its own cluster there.
POSTGRES_PORT=${POSTGRES_PORT:-5434}
POSTGRES_VERSION=${POSTGRES_VERSION:-15}
START_TIMEOUT=${STACK_START_TIMEOUT:-120}
STOP_TIMEOUT=${STACK_STOP_TIMEOUT:-30}

KAFKA_LIBS="$CACHE/kafka/$KAFKA_VERSION/libs"
KAFKA_RUN="$RUN_DIR/kafka"
PROM_RUN="$RUN_DIR/prometheus"
AM_RUN="$RUN_DIR/alertmanager"
PG_RUN="$RUN_DIR/postgres"
PG_BIN="/usr/lib/postgresql/$POSTGRES_VERSION/bin"
CHROMIUM_BIN=/usr/bin/chromium
PROMETHEUS_BIN=/usr/bin/prometheus
ALERTMANAGER_BIN=/usr/bin/prometheus-alertmanager

log() { printf '[stack] %s\n' "$*" >&2; }
die() { printf '[stack] ERROR: %s\n' "$*" >&2; exit 1; }

# --- helpers -----------------------------------------------------------------------------------------------

port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

# port_busy PORT: die naming the process that listens on PORT (ss shows it when we may see it).
port_busy() {
  local holder
  holder=$(ss -Hltnp "sport = :$1" 2>/dev/null | head -n 1 | tr -s ' ') || holder=""
  die "port $1 is already in use by another process (not started by this script): ${holder:-unknown listener}"
}

# pid_alive PIDFILE PATTERN: the pid in PIDFILE is alive and its command line matches PATTERN
# (so a recycled pid never gets signalled).
pid_alive() {
  local pidfile=$1 pattern=$2 pid cmdline
  [[ -f $pidfile ]] || return 1
  pid=$(<"$pidfile")
  [[ -n $pid ]] || return 1
  # No `tr | grep -q` pipe: grep -q exits at the first match, tr gets SIGPIPE, and pipefail makes it "dead".
  cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  [[ $cmdline == *"$pattern"* ]]
}

# spawn PIDFILE LOGFILE CMD...: start CMD in its own session (so Ctrl-C in a test run or the end of the
# calling shell does not take it down), stdout+stderr appended to LOGFILE.
spawn() {
  local pidfile=$1 logfile=$2
  shift 2
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "$@" >>"$logfile" 2>&1 </dev/null &
  local i
  for i in $(seq 50); do [[ -s $pidfile ]] && return 0; sleep 0.1; done
  die "could not start $1"
}

# stop_pid NAME PIDFILE PATTERN SIGNAL: send SIGNAL, wait up to STOP_TIMEOUT, then SIGKILL.
stop_pid() {
  local name=$1 pidfile=$2 pattern=$3 sig=$4 pid i
  if ! pid_alive "$pidfile" "$pattern"; then
    rm -f "$pidfile"
    return 0
  fi
  pid=$(<"$pidfile")
  log "stopping $name (pid $pid, SIG$sig)"
  kill "-$sig" "$pid" 2>/dev/null || true
  for i in $(seq $((STOP_TIMEOUT * 5))); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name did not stop within ${STOP_TIMEOUT}s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  fi
  rm -f "$pidfile"
}

fail_start() {
  local name=$1 logfile=$2 msg=$3
  log "$name: $msg; last lines of $logfile:"
  tail -n 40 "$logfile" >&2 || true
  exit 1
}

http_ready() { curl -fsS -o /dev/null --max-time 2 "$1" 2>/dev/null; }

# --- install -----------------------------------------------------------------------------------------------

apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  # Try with the current package lists first; refresh them only if that fails (stale or empty lists).
  if ! apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1; then
    log "apt-get update"
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "$@" >/dev/null
  fi
}

install_java_tools() {
  local need=()
  command -v java >/dev/null || need+=(openjdk-17-jre-headless)
  command -v mvn >/dev/null || need+=(maven)
  command -v curl >/dev/null || need+=(curl)
  # The Kafka security tests make their CA and broker certificate with it (tests/support/secure_broker.py).
  command -v openssl >/dev/null || need+=(openssl)
  if ((${#need[@]})); then
    log "installing ${need[*]} from Debian"
    apt_install "${need[@]}"
  fi
}

install_kafka() {
  if [[ -f $KAFKA_LIBS/.complete ]]; then
    return 0
  fi
  log "fetching Kafka $KAFKA_VERSION jars with Maven into $KAFKA_LIBS"
  local tmp="$KAFKA_LIBS.tmp.$$"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  if ! mvn -q -B -Dstyle.color=never -f "$DEPLOY/kafka/pom.xml" \
      -Dmaven.repo.local="$CACHE/m2" -Dkafka.version="$KAFKA_VERSION" \
      dependency:copy-dependencies -DoutputDirectory="$tmp" >"$tmp.log" 2>&1; then
    cat "$tmp.log" >&2
    rm -rf "$tmp" "$tmp.log"
    die "mvn could not fetch Kafka $KAFKA_VERSION"
  fi
  rm -f "$tmp.log"
  [[ -f $tmp/kafka_2.13-$KAFKA_VERSION.jar ]] || die "kafka_2.13-$KAFKA_VERSION.jar missing after mvn"
  touch "$tmp/.complete"
  rm -rf "$KAFKA_LIBS"
  mv "$tmp" "$KAFKA_LIBS"
}

install_prometheus() {
  if [[ -x $PROMETHEUS_BIN && -x $ALERTMANAGER_BIN ]]; then
    return 0
  fi
  log "installing prometheus and prometheus-alertmanager from Debian"
  apt_install prometheus prometheus-alertmanager
  [[ -x $PROMETHEUS_BIN && -x $ALERTMANAGER_BIN ]] || die "prometheus packages installed but binaries missing"
}

install_postgres() {
  if [[ -x $PG_BIN/postgres && -x $PG_BIN/initdb ]]; then
    return 0
  fi
  log "installing postgresql-$POSTGRES_VERSION from Debian"
  apt_install "postgresql-$POSTGRES_VERSION"
  [[ -x $PG_BIN/postgres ]] || die "postgresql-$POSTGRES_VERSION installed but $PG_BIN/postgres missing"
}

install_chromium() {
  # The console's browser test drives Debian's chromium (never a browser downloaded by a test tool).
  if [[ -x $CHROMIUM_BIN ]]; then
    return 0
  fi
  log "installing chromium from Debian"
  apt_install chromium fonts-dejavu-core
  [[ -x $CHROMIUM_BIN ]] || die "chromium installed but $CHROMIUM_BIN missing"
}

cmd_install() {
  install_java_tools
  install_kafka
  install_prometheus
  install_postgres
  install_chromium
  log "installed: Kafka $KAFKA_VERSION ($KAFKA_LIBS), $($PROMETHEUS_BIN --version 2>&1 | sed -n 1p)," \
    "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}'), $("$CHROMIUM_BIN" --version 2>/dev/null)"
}

# --- kafka -------------------------------------------------------------------------------------------------

KAFKA_PIDFILE="$KAFKA_RUN/kafka.pid"
KAFKA_LOG="$KAFKA_RUN/kafka.log"
KAFKA_PATTERN="kafka.Kafka"

kafka_render_config() {
  sed -e "s|@KAFKA_PORT@|$KAFKA_PORT|g" \
      -e "s|@KAFKA_CONTROLLER_PORT@|$KAFKA_CONTROLLER_PORT|g" \
      -e "s|@KAFKA_DATA_DIR@|$KAFKA_RUN/data|g" \
      -e "s|@KAFKA_NUM_PARTITIONS@|$KAFKA_NUM_PARTITIONS|g" \
      -e "s|@KAFKA_OFFSETS_PARTITIONS@|$KAFKA_OFFSETS_PARTITIONS|g" \
      "$DEPLOY/kafka/server.properties.template" >"$KAFKA_RUN/server.properties"
}

# The JVM command line shared by StorageTool and the broker.
kafka_java_cmd() {
  local heap jvm
  read -ra heap <<<"$KAFKA_HEAP_OPTS"
  read -ra jvm <<<"$KAFKA_JVM_OPTS"
  KAFKA_JAVA=(java "${heap[@]}" "${jvm[@]}" -Dlog4j2.configurationFile="$DEPLOY/kafka/log4j2.properties"
    -cp "$KAFKA_LIBS/*")
}

cmd_kafka_start() {
  [[ -f $KAFKA_LIBS/.complete ]] || die "Kafka $KAFKA_VERSION not installed: run deploy/stack.sh install"
  if pid_alive "$KAFKA_PIDFILE" "$KAFKA_PATTERN"; then
    log "kafka already running (pid $(<"$KAFKA_PIDFILE")) on 127.0.0.1:$KAFKA_PORT"
    return 0
  fi
  local port
  for port in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"; do
    port_open "$port" && port_busy "$port"
  done
  mkdir -p "$KAFKA_RUN"
  kafka_render_config
  kafka_java_cmd
  if [[ ! -f $KAFKA_RUN/data/meta.properties ]]; then
    # A Kafka Uuid is 16 random bytes in URL-safe base64 without padding (what `random-uuid` prints). Like Kafka's
    # own Uuid.randomUuid, draw again when it starts with '-': the storage tool would read it as an option (1 in 64
    # fresh stacks failed to start before this).
    local cluster_id=-
    while [[ $cluster_id == -* ]]; do
      cluster_id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
    done
    : >"$KAFKA_LOG"
    log "formatting fresh KRaft storage (cluster id $cluster_id)"
    "${KAFKA_JAVA[@]}" kafka.tools.StorageTool format -t "$cluster_id" -c "$KAFKA_RUN/server.properties" \
      --standalone >>"$KAFKA_LOG" 2>&1 || fail_start kafka "$KAFKA_LOG" "storage format failed"
  fi
  local offset
  offset=$(stat -c %s "$KAFKA_LOG" 2>/dev/null || echo 0)
  log "starting Kafka $KAFKA_VERSION on 127.0.0.1:$KAFKA_PORT (controller :$KAFKA_CONTROLLER_PORT)"
  spawn "$KAFKA_PIDFILE" "$KAFKA_LOG" "${KAFKA_JAVA[@]}" kafka.Kafka "$KAFKA_RUN/server.properties"
  local deadline=$((SECONDS + START_TIMEOUT))
  while ((SECONDS < deadline)); do
    pid_alive "$KAFKA_PIDFILE" "$KAFKA_PATTERN" || fail_start kafka "$KAFKA_LOG" "broker process exited"
    # grep without -q reads to the end, so tail never dies of SIGPIPE (which pipefail would turn into "no").
    if tail -c +$((offset + 1)) "$KAFKA_LOG" | grep -F "Kafka Server started" >/dev/null && port_open "$KAFKA_PORT"; then
      log "kafka ready on 127.0.0.1:$KAFKA_PORT (pid $(<"$KAFKA_PIDFILE"))"
      return 0
    fi
    sleep 0.5
  done
  fail_start kafka "$KAFKA_LOG" "not ready after ${START_TIMEOUT}s"
}

cmd_kafka_stop() { stop_pid kafka "$KAFKA_PIDFILE" "$KAFKA_PATTERN" TERM; }
cmd_kafka_kill() { stop_pid kafka "$KAFKA_PIDFILE" "$KAFKA_PATTERN" KILL; }
cmd_kafka_restart() { cmd_kafka_stop; cmd_kafka_start; }

# --- prometheus / alertmanager -----------------------------------------------------------------------------

PROM_PIDFILE="$PROM_RUN/prometheus.pid"
AM_PIDFILE="$AM_RUN/alertmanager.pid"

# start_http_service NAME RUNDIR PIDFILE PORT BINARY ARGS...: start and wait for GET /-/ready.
start_http_service() {
  local name=$1 rundir=$2 pidfile=$3 port=$4 bin=$5
  shift 5
  [[ -x $bin ]] || die "$bin missing: run deploy/stack.sh install"
  if pid_alive "$pidfile" "$bin"; then
    log "$name already running (pid $(<"$pidfile")) on 127.0.0.1:$port"
    return 0
  fi
  port_open "$port" && port_busy "$port"
  mkdir -p "$rundir/data"
  local logfile="$rundir/$name.log"
  : >"$logfile"
  log "starting $name on 127.0.0.1:$port"
  spawn "$pidfile" "$logfile" "$bin" "$@"
  local deadline=$((SECONDS + START_TIMEOUT))
  while ((SECONDS < deadline)); do
    # /proc/PID/cmdline reads empty for an instant while the spawned shell execs the binary: look twice.
    pid_alive "$pidfile" "$bin" || { sleep 0.2; pid_alive "$pidfile" "$bin"; } ||
      fail_start "$name" "$logfile" "process exited"
    if http_ready "http://127.0.0.1:$port/-/ready"; then
      log "$name ready on http://127.0.0.1:$port"
      return 0
    fi
    sleep 0.3
  done
  fail_start "$name" "$logfile" "not ready after ${START_TIMEOUT}s"
}

start_alertmanager() {
  # --cluster.listen-address= (empty) turns off the gossip cluster: one local instance, no port 9094.
  start_http_service alertmanager "$AM_RUN" "$AM_PIDFILE" "$ALERTMANAGER_PORT" "$ALERTMANAGER_BIN" \
    --config.file="$DEPLOY/alertmanager/alertmanager.yml" \
    --storage.path="$AM_RUN/data" \
    --web.listen-address="127.0.0.1:$ALERTMANAGER_PORT" \
    --cluster.listen-address=
}

start_prometheus() {
  if [[ $ALERTMANAGER_PORT != 9093 ]]; then
    log "warning: deploy/prometheus/prometheus.yml sends alerts to 127.0.0.1:9093, not :$ALERTMANAGER_PORT"
  fi
  start_http_service prometheus "$PROM_RUN" "$PROM_PIDFILE" "$PROMETHEUS_PORT" "$PROMETHEUS_BIN" \
    --config.file="$DEPLOY/prometheus/prometheus.yml" \
    --storage.tsdb.path="$PROM_RUN/data" \
    --web.listen-address="127.0.0.1:$PROMETHEUS_PORT" \
    --web.enable-lifecycle
}

# --- postgresql ----------------------------------------------------------------------------------------------

PG_PIDFILE="$PG_RUN/postgres.pid"
PG_DATA="$PG_RUN/data"
PG_LOG="$PG_RUN/postgres.log"
PG_PATTERN="-D $PG_DATA"
PG_URL="postgresql+psycopg://powderkeg@127.0.0.1:$POSTGRES_PORT/powderkeg"

# The prefix that runs a command as the `postgres` OS user when we are root (PostgreSQL refuses to run as root);
# setpriv execs in place, so a pid written before it is the server's own.
AS_POSTGRES=()
((EUID == 0)) && AS_POSTGRES=(setpriv --reuid=postgres --regid=postgres --init-groups --)

# The postgres user must be able to reach its data dir. Under root's home it cannot: grant it search permission
# only (no listing, nobody else) on each directory in the way, with an ACL.
pg_reach_run_dir() {
  ((EUID == 0)) || return 0
  id postgres >/dev/null 2>&1 || die "no 'postgres' OS user: is postgresql-$POSTGRES_VERSION installed?"
  local dir="" part
  local IFS=/
  for part in ${PG_RUN#/}; do
    dir="$dir/$part"
    "${AS_POSTGRES[@]}" test -x "$dir" && continue
    command -v setfacl >/dev/null || apt_install acl
    log "granting the postgres user search permission (ACL u:postgres:x) on $dir"
    setfacl -m u:postgres:x "$dir"
  done
}

pg_ready() { "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$POSTGRES_PORT" -t 2 >/dev/null 2>&1; }

cmd_postgres_start() {
  [[ -x $PG_BIN/postgres ]] || die "PostgreSQL $POSTGRES_VERSION not installed: run deploy/stack.sh install"
  if pid_alive "$PG_PIDFILE" "$PG_PATTERN"; then
    log "postgres already running (pid $(<"$PG_PIDFILE")) on 127.0.0.1:$POSTGRES_PORT"
    return 0
  fi
  port_open "$POSTGRES_PORT" && port_busy "$POSTGRES_PORT"
  mkdir -p "$PG_RUN"
  pg_reach_run_dir
  local fresh=0
  if [[ ! -f $PG_DATA/PG_VERSION ]]; then
    fresh=1
    rm -rf "$PG_DATA"
    mkdir -p "$PG_DATA"
    ((EUID == 0)) && chown postgres:postgres "$PG_DATA"
    chmod 700 "$PG_DATA"
    : >"$PG_LOG"
    log "initialising a PostgreSQL cluster in $PG_DATA"
    # Loopback only, trust authentication: a throwaway development and test database.
    "${AS_POSTGRES[@]}" "$PG_BIN/initdb" -D "$PG_DATA" -U powderkeg --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
      >>"$PG_LOG" 2>&1 || fail_start postgres "$PG_LOG" "initdb failed"
  fi
  log "starting PostgreSQL $POSTGRES_VERSION on 127.0.0.1:$POSTGRES_PORT"
  spawn "$PG_PIDFILE" "$PG_LOG" "${AS_POSTGRES[@]}" "$PG_BIN/postgres" -D "$PG_DATA" -p "$POSTGRES_PORT" \
    -c listen_addresses=127.0.0.1 -c unix_socket_directories= -c max_connections=50
  local deadline=$((SECONDS + START_TIMEOUT))
  while ((SECONDS < deadline)); do
    pid_alive "$PG_PIDFILE" "$PG_PATTERN" || fail_start postgres "$PG_LOG" "server process exited"
    if pg_ready; then
      if ((fresh)); then
        "$PG_BIN/createdb" -h 127.0.0.1 -p "$POSTGRES_PORT" -U powderkeg powderkeg >>"$PG_LOG" 2>&1 \
          || fail_start postgres "$PG_LOG" "createdb powderkeg failed"
      fi
      log "postgres ready on 127.0.0.1:$POSTGRES_PORT (pid $(<"$PG_PIDFILE"))"
      return 0
    fi
    sleep 0.3
  done
  fail_start postgres "$PG_LOG" "not ready after ${START_TIMEOUT}s"
}

# SIGINT is PostgreSQL's fast shutdown (SIGTERM would wait for every client to disconnect).
cmd_postgres_stop() { stop_pid postgres "$PG_PIDFILE" "$PG_PATTERN" INT; }

# --- top-level commands ------------------------------------------------------------------------------------

cmd_up() {
  cmd_install
  cmd_kafka_start
  start_alertmanager
  start_prometheus
  cmd_postgres_start
  cmd_env
}

cmd_down() {
  stop_pid prometheus "$PROM_PIDFILE" "$PROMETHEUS_BIN" TERM
  stop_pid alertmanager "$AM_PIDFILE" "$ALERTMANAGER_BIN" TERM
  cmd_kafka_stop
  cmd_postgres_stop
  rm -rf "$KAFKA_RUN/data" "$PROM_RUN/data" "$AM_RUN/data" "$PG_DATA"
  log "stack down; data removed (logs kept in $RUN_DIR)"
}

cmd_status() {
  local ok=0
  report() {
    local name=$1 pidfile=$2 pattern=$3 where=$4
    if pid_alive "$pidfile" "$pattern"; then
      printf '%-13s running  pid %-7s %s\n' "$name" "$(<"$pidfile")" "$where"
    else
      printf '%-13s stopped\n' "$name"
      ok=1
    fi
  }
  report kafka "$KAFKA_PIDFILE" "$KAFKA_PATTERN" "127.0.0.1:$KAFKA_PORT (Kafka $KAFKA_VERSION)"
  report alertmanager "$AM_PIDFILE" "$ALERTMANAGER_BIN" "http://127.0.0.1:$ALERTMANAGER_PORT"
  report prometheus "$PROM_PIDFILE" "$PROMETHEUS_BIN" "http://127.0.0.1:$PROMETHEUS_PORT"
  report postgres "$PG_PIDFILE" "$PG_PATTERN" "127.0.0.1:$POSTGRES_PORT (PostgreSQL $POSTGRES_VERSION)"
  return $ok
}

cmd_env() {
  echo "export POWDERKEG_KAFKA_BOOTSTRAP=127.0.0.1:$KAFKA_PORT"
  echo "export POWDERKEG_PROMETHEUS_URL=http://127.0.0.1:$PROMETHEUS_PORT"
  echo "export POWDERKEG_ALERTMANAGER_URL=http://127.0.0.1:$ALERTMANAGER_PORT"
  echo "export POWDERKEG_STORE_DATABASE_URL=$PG_URL"
}

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'; }

case "${1:-}" in
  install) cmd_install ;;
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  kafka-start) cmd_kafka_start ;;
  kafka-stop) cmd_kafka_stop ;;
  kafka-restart) cmd_kafka_restart ;;
  kafka-kill) cmd_kafka_kill ;;
  postgres-start) cmd_postgres_start ;;
  postgres-stop) cmd_postgres_stop ;;
  env) cmd_env ;;
  kafka-libs) echo "$KAFKA_LIBS" ;;
  -h | --help | help) usage ;;
  *) usage >&2; exit 2 ;;
esac
