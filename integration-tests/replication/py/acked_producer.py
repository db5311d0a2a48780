"""acks=all producer for the replication tests (librdkafka through confluent-kafka).

Writes unique values 'v<n>' round-robin over the topic's partitions until the stop file exists, then
flushes and prints one JSON line: every acked value (with partition/offset), every delivery error
string (the final outcome librdkafka reports after its own retries), and client-level errors.
usage: acked_producer.py BOOTSTRAP TOPIC PARTITIONS STOP_FILE
"""
import json
import os
import sys
import time

from confluent_kafka import Producer

bootstrap, topic, partitions, stop_file = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
acked = []
failed = []
client_errors = []


def on_delivery(err, msg):
    value = msg.value().decode()
    if err is None:
        acked.append([value, msg.partition(), msg.offset()])
    else:
        failed.append([value, str(err)])


producer = Producer({
    'bootstrap.servers': bootstrap,
    'acks': 'all',
    'enable.idempotence': False,
    'linger.ms': 5,
    'message.timeout.ms': 60000,
    'retry.backoff.ms': 100,
    'topic.metadata.refresh.interval.ms': 1000,
    'error_cb': lambda err: client_errors.append(str(err)),
})
n = 0
while not os.path.exists(stop_file):
    for _ in range(30):
        try:
            producer.produce(topic, value=f'v{n}'.encode(), partition=n % partitions, on_delivery=on_delivery)
            n += 1
        except BufferError:
            producer.poll(0.05)
    producer.poll(0.01)
    time.sleep(0.01)
remaining = producer.flush(90)
print(json.dumps({'sent': n, 'acked': acked, 'failed': failed, 'clientErrors': client_errors, 'unflushed': remaining}))
