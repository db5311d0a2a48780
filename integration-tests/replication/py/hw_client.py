"""confluent-kafka client for the high-watermark test.

produce BOOTSTRAP TOPIC ACKS FIRST COUNT: writes 'v<FIRST>'..'v<FIRST+COUNT-1>' to partition 0 with the
  given acks, flushes, prints {"acked": [[value, offset], ...], "failed": [[value, error], ...]}.
consume BOOTSTRAP TOPIC: assigns partition 0 from the beginning, polls until partition EOF, prints
  {"values": [...], "offsets": [...], "low": L, "high": H} (high = ListOffsets latest, uncached).
"""
import json
import sys

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, Producer, TopicPartition

mode, bootstrap, topic = sys.argv[1:4]

if mode == 'produce':
    acks, first, count = sys.argv[4], int(sys.argv[5]), int(sys.argv[6])
    acked, failed = [], []

    def on_delivery(err, msg):
        if err is None:
            acked.append([msg.value().decode(), msg.offset()])
        else:
            failed.append([msg.value().decode(), str(err)])

    producer = Producer({'bootstrap.servers': bootstrap, 'acks': acks, 'enable.idempotence': False,
                         'linger.ms': 0, 'message.timeout.ms': 20000})
    for i in range(first, first + count):
        producer.produce(topic, value=f'v{i}'.encode(), partition=0, on_delivery=on_delivery)
        producer.flush(20)  # one record per request: each is acked on its own
    producer.flush(20)
    print(json.dumps({'acked': acked, 'failed': failed}))
elif mode == 'consume':
    consumer = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'hw-test', 'enable.auto.commit': False,
                         'enable.partition.eof': True, 'fetch.wait.max.ms': 100})
    consumer.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
    values, offsets = [], []
    while True:
        msg = consumer.poll(20)
        if msg is None:
            raise SystemExit('no message and no EOF within 20 s')
        if msg.error() is not None:
            if msg.error().code() == KafkaError._PARTITION_EOF:
                break
            raise SystemExit(f'consumer error: {msg.error()}')
        values.append(msg.value().decode())
        offsets.append(msg.offset())
    low, high = consumer.get_watermark_offsets(TopicPartition(topic, 0), timeout=10, cached=False)
    consumer.close()
    print(json.dumps({'values': values, 'offsets': offsets, 'low': low, 'high': high}))
else:
    raise SystemExit(f'unknown mode {mode}')
