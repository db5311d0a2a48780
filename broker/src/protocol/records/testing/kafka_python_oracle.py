#!/usr/bin/env python3
"""Independent record-format oracle for Samsa's tests: kafka-python 2.0.2's own encoders and
decoders (Debian: python3-kafka python3-snappy python3-lz4 python3-zstandard python3-xxhash).

stdin: a JSON list of operations; stdout: a JSON list of results, one per operation.
  {"op": "encode_v2", "compression": 0-4, "is_transactional": bool, "producer_id": int,
   "producer_epoch": int, "base_sequence": int,
   "records": [{"offset": int, "timestamp": int, "key": hex|null, "value": hex|null,
                "headers": [[str, hex|null], ...]}]}                      -> {"hex": ...}
  {"op": "encode_legacy", "magic": 0|1, "compression": 0-3, "records": [...]} -> {"hex": ...}
  {"op": "decode", "hex": ...} -> {"batches": [{magic, base_offset?, compression, crc_ok,
                                   records: [{offset, timestamp, timestamp_type, key, value, headers}]}]}
"""
import json
import sys

from kafka.record.default_records import DefaultRecordBatchBuilder
from kafka.record.legacy_records import LegacyRecordBatchBuilder
from kafka.record.memory_records import MemoryRecords


def unhex(v):
    return None if v is None else bytes.fromhex(v)


def tohex(v):
    return None if v is None else bytes(v).hex()


def encode_v2(op):
    b = DefaultRecordBatchBuilder(
        magic=2, compression_type=op["compression"], is_transactional=op.get("is_transactional", False),
        producer_id=op.get("producer_id", -1), producer_epoch=op.get("producer_epoch", -1),
        base_sequence=op.get("base_sequence", -1), batch_size=1 << 30)
    for r in op["records"]:
        headers = [(k, unhex(v)) for k, v in r.get("headers", [])]
        b.append(r["offset"], r["timestamp"], unhex(r["key"]), unhex(r["value"]), headers)
    return {"hex": bytes(b.build()).hex()}


def encode_legacy(op):
    b = LegacyRecordBatchBuilder(magic=op["magic"], compression_type=op["compression"], batch_size=1 << 30)
    for r in op["records"]:
        b.append(r["offset"], r["timestamp"], unhex(r["key"]), unhex(r["value"]))
    return {"hex": bytes(b.build()).hex()}


def decode(op):
    records = MemoryRecords(bytes.fromhex(op["hex"]))
    batches = []
    while True:
        batch = records.next_batch()
        if batch is None:
            break
        magic = batch.magic if hasattr(batch, "magic") else batch._magic
        out = {"magic": magic, "compression": batch.compression_type, "records": [], "crc_ok": batch.validate_crc()}
        if magic == 2:
            out["base_offset"] = batch.base_offset
            out["is_control"] = batch.is_control_batch
            out["is_transactional"] = batch.is_transactional
        for rec in batch:
            out["records"].append({
                "offset": rec.offset, "timestamp": rec.timestamp, "timestamp_type": rec.timestamp_type,
                "key": tohex(rec.key), "value": tohex(rec.value),
                "headers": [[k, tohex(v)] for k, v in rec.headers],
            })
        batches.append(out)
    return {"batches": batches}


OPS = {"encode_v2": encode_v2, "encode_legacy": encode_legacy, "decode": decode}

if __name__ == "__main__":
    results = []
    for op in json.load(sys.stdin):
        try:
            results.append(OPS[op["op"]](op))
        except Exception as e:  # reported per operation so one failure does not hide the rest
            results.append({"error": "%s: %s" % (type(e).__name__, e)})
    json.dump(results, sys.stdout)
