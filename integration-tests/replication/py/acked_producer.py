"""acks=all producer for the no-acked-write-lost test (librdkafka through confluent-kafka).

Writes unique values 'v<n>' to one topic until the stop file exists, then flushes and prints one JSON
line: every value with its delivery outcome (acked with partition/offset, or the error).
usage: acked_producer.py BOOTSTRAP TOPIC STOP_FILE
"""
import json
import os
import sys
import time

from confluent_kafka import Producer

bootstrap, topic, stop_file = sys.argv[1:4]
acked = []
failed = []


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
    'retry.backoff.ms': 200,
    'topic.metadata.refresh.interval.ms': 1000,
})
n = 0
while not os.path.exists(stop_file):
    for _ in range(50):
        try:
            producer.produce(topic, value=f'v{n}'.encode(), on_delivery=on_delivery)
            n += 1
        except BufferError:
            producer.poll(0.05)
    producer.poll(0.01)
    time.sleep(0.01)
remaining = producer.flush(90)
print(json.dumps({'sent': n, 'acked': acked, 'failed': failed, 'unflushed': remaining}))
