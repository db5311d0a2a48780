#!/usr/bin/env bash
# The Samsa broker image's entrypoint: writes server.properties from the environment, then `exec`s
# bin/samsa-broker so that it is the container's main process and `docker stop`'s SIGTERM reaches it
# (SIGTERM = controlled shutdown). Any other command (samsa-console, kafka-topics, bash, …) is exec'd
# as given, so one image serves the brokers, the console and the admin tools.
#
# Environment → server.properties (later rules win for the same key):
#   1. defaults: listeners=PLAINTEXT://0.0.0.0:9092, advertised.listeners=PLAINTEXT://<hostname>:9092,
#      log.dirs=/var/lib/samsa/data, broker.id.generation.enable=true, and no broker.id, so every
#      new broker takes its id from /brokers/seqid (Kafka: reserved.broker.max.id + 1, + 2, …) and keeps
#      it in <log.dirs>/meta.properties.
#   2. named variables: SAMSA_ZOOKEEPER_CONNECT (required) → zookeeper.connect, SAMSA_LISTENERS →
#      listeners, SAMSA_ADVERTISED_LISTENERS → advertised.listeners, SAMSA_LOG_DIRS → log.dirs,
#      SAMSA_BROKER_ID → broker.id.
#   3. KAFKA_CFG_<NAME>, then SAMSA_CFG_<NAME> (the latter wins): NAME lower-cased, then `___` → `-`,
#      `__` → `_`, `_` → `.`; e.g. SAMSA_CFG_ZOOKEEPER_SESSION_TIMEOUT_MS=6000 →
#      zookeeper.session.timeout.ms=6000, SAMSA_CFG_LISTENER_SECURITY_PROTOCOL_MAP=… →
#      listener.security.protocol.map=….
# Arguments that start with `-` are passed to samsa-broker (e.g. `--override num.partitions=3`).
#
# SAMSA_ENTRYPOINT_DRY_RUN=1 prints the properties to stdout (and the command to stderr) instead of
# writing and running them; the compose tests use it to pin this mapping.
# SAMSA_HOME (default: the checkout this script sits in) and SAMSA_CONFIG_FILE (default
# $SAMSA_HOME/config/server.properties) let the same script run outside a container.
set -euo pipefail

SAMSA_HOME="${SAMSA_HOME:-$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)}"
SAMSA_CONFIG_FILE="${SAMSA_CONFIG_FILE:-$SAMSA_HOME/config/server.properties}"

# Another command than the broker: run it (PATH carries $SAMSA_HOME/bin in the image).
if [ "$#" -gt 0 ] && [ "${1#-}" = "$1" ] && [ "$1" != "samsa-broker" ]; then
  exec "$@"
fi
[ "${1:-}" = "samsa-broker" ] && shift

# "NAME" (after the prefix) → "name.with.dots", per rule 3.
env_name_to_key() {
  local name="${1,,}"
  name="${name//___/-}"
  name="${name//__/$'\x01'}"
  name="${name//_/.}"
  printf '%s' "${name//$'\x01'/_}"
}

# Java properties escaping for a value: backslashes doubled, line breaks as \n (keys are plain).
escape_value() {
  local v="${1//\\/\\\\}"
  v="${v//$'\n'/\\n}"
  printf '%s' "${v//$'\r'/\\r}"
}

declare -A props=()
set_prop() { props["$1"]="$2"; }

advertised_host="${HOSTNAME:-$(hostname)}"
set_prop listeners 'PLAINTEXT://0.0.0.0:9092'
set_prop advertised.listeners "PLAINTEXT://${advertised_host}:9092"
set_prop log.dirs /var/lib/samsa/data
set_prop broker.id.generation.enable true

[ -n "${SAMSA_ZOOKEEPER_CONNECT:-}" ] && set_prop zookeeper.connect "$SAMSA_ZOOKEEPER_CONNECT"
[ -n "${SAMSA_LISTENERS:-}" ] && set_prop listeners "$SAMSA_LISTENERS"
[ -n "${SAMSA_ADVERTISED_LISTENERS:-}" ] && set_prop advertised.listeners "$SAMSA_ADVERTISED_LISTENERS"
[ -n "${SAMSA_LOG_DIRS:-}" ] && set_prop log.dirs "$SAMSA_LOG_DIRS"
[ -n "${SAMSA_BROKER_ID:-}" ] && set_prop broker.id "$SAMSA_BROKER_ID"

for prefix in KAFKA_CFG_ SAMSA_CFG_; do
  while IFS= read -r var; do
    [ -n "$var" ] || continue
    set_prop "$(env_name_to_key "${var#"$prefix"}")" "${!var}"
  done < <(compgen -e | grep "^${prefix}." | sort || true)
done

if [ -z "${props[zookeeper.connect]:-}" ]; then
  echo "docker-entrypoint: SAMSA_ZOOKEEPER_CONNECT is not set (e.g. zk1:2181,zk2:2181,zk3:2181)" >&2
  exit 1
fi

render_properties() {
  echo "# Written by docker-entrypoint.sh from the container's environment; edits are overwritten on restart."
  local key
  while IFS= read -r key; do
    printf '%s=%s\n' "$key" "$(escape_value "${props[$key]}")"
  done < <(printf '%s\n' "${!props[@]}" | LC_ALL=C sort)
}

if [ -n "${SAMSA_ENTRYPOINT_DRY_RUN:-}" ] && [ "${SAMSA_ENTRYPOINT_DRY_RUN}" != "0" ]; then
  render_properties
  echo "exec $SAMSA_HOME/bin/samsa-broker $SAMSA_CONFIG_FILE $*" >&2
  exit 0
fi

# The log dirs must exist and be ours before the broker reads meta.properties in them.
IFS=',' read -r -a log_dirs <<<"${props[log.dirs]}"
for dir in "${log_dirs[@]}"; do
  mkdir -p "$dir"
done
mkdir -p "$(dirname "$SAMSA_CONFIG_FILE")"
render_properties >"$SAMSA_CONFIG_FILE"

exec "$SAMSA_HOME/bin/samsa-broker" "$SAMSA_CONFIG_FILE" "$@"
