#!/usr/bin/python3
"""confluent-kafka (librdkafka) AdminClient driver for the integration tests.

Usage: admin_client.py <bootstrap> <command> [json-argument]
Prints one JSON document on stdout; errors are reported as {"code", "name", "str"} objects.

Commands:
  create            [{"topic", "partitions", "replication_factor", "config"?}, ...] (+ "validate_only" via create-validate)
  create-validate   same, with validate_only=True
  list              cluster metadata: brokers, controller id, cluster id, topics
  describe-topic    "name": metadata of one topic
  delete            ["name", ...]
  create-partitions {"topic", "total", "validate_only"?}
  describe-configs  {"type": "topic"|"broker", "name"}
  alter-configs     {"type": "topic"|"broker", "name", "config": {...}}
"""
import json
import sys

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient, ConfigResource, ConfigSource, NewPartitions, NewTopic

TIMEOUT = 30


def error_json(err):
    if isinstance(err, KafkaException) and err.args and isinstance(err.args[0], KafkaError):
        err = err.args[0]
    if isinstance(err, KafkaError):
        return {"code": err.code(), "name": err.name(), "str": err.str()}
    return {"code": None, "name": type(err).__name__, "str": str(err)}


def wait_all(futures):
    out = {}
    for key, future in futures.items():
        try:
            future.result(timeout=TIMEOUT)
            out[str(key)] = None
        except Exception as err:  # each future reports its own error
            out[str(key)] = error_json(err)
    return out


def topic_json(t):
    return {
        "error": None if t.error is None else error_json(t.error),
        "partitions": {
            str(p.id): {
                "leader": p.leader,
                "replicas": list(p.replicas),
                "isrs": list(p.isrs),
                "error": None if p.error is None else error_json(p.error),
            }
            for p in t.partitions.values()
        },
    }


def metadata_json(md):
    return {
        "cluster_id": md.cluster_id,
        "controller_id": md.controller_id,
        "brokers": {str(b.id): "%s:%d" % (b.host, b.port) for b in md.brokers.values()},
        "topics": {name: topic_json(t) for name, t in md.topics.items()},
    }


def resource(spec):
    restype = ConfigResource.Type.TOPIC if spec["type"] == "topic" else ConfigResource.Type.BROKER
    return ConfigResource(restype, spec["name"], set_config=spec.get("config"))


def source_name(source):
    try:
        return ConfigSource(source).name
    except ValueError:
        return str(source)


def main():
    bootstrap, command = sys.argv[1], sys.argv[2]
    arg = json.loads(sys.argv[3]) if len(sys.argv) > 3 else None
    admin = AdminClient({"bootstrap.servers": bootstrap, "socket.timeout.ms": 20000})

    if command in ("create", "create-validate"):
        topics = [
            NewTopic(t["topic"], t["partitions"], t["replication_factor"], config=t.get("config", {}))
            for t in arg
        ]
        result = wait_all(admin.create_topics(topics, operation_timeout=TIMEOUT, validate_only=command == "create-validate"))
    elif command == "list":
        result = metadata_json(admin.list_topics(timeout=TIMEOUT))
    elif command == "describe-topic":
        md = admin.list_topics(topic=arg, timeout=TIMEOUT)
        result = topic_json(md.topics[arg])
    elif command == "delete":
        result = wait_all(admin.delete_topics(arg, operation_timeout=TIMEOUT))
    elif command == "create-partitions":
        futures = admin.create_partitions(
            [NewPartitions(arg["topic"], arg["total"])],
            operation_timeout=TIMEOUT,
            validate_only=arg.get("validate_only", False),
        )
        result = wait_all(futures)
    elif command == "describe-configs":
        futures = admin.describe_configs([resource(arg)])
        result = {}
        for res, future in futures.items():
            try:
                entries = future.result(timeout=TIMEOUT)
                result = {
                    "error": None,
                    "configs": {
                        name: {
                            "value": e.value,
                            "source": source_name(e.source),
                            "is_default": e.is_default,
                            "is_read_only": e.is_read_only,
                            "is_sensitive": e.is_sensitive,
                        }
                        for name, e in entries.items()
                    },
                }
            except Exception as err:
                result = {"error": error_json(err), "configs": {}}
    elif command == "alter-configs":
        futures = admin.alter_configs([resource(arg)])
        result = {}
        for res, future in futures.items():
            try:
                future.result(timeout=TIMEOUT)
                result = {"error": None}
            except Exception as err:
                result = {"error": error_json(err)}
    else:
        raise SystemExit("unknown command %s" % command)

    json.dump(result, sys.stdout, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
