/**
 * Golden bytes written by hand from docs/protocol.html and the 2.8 schemas, field by field, so the
 * generated codecs are checked against the documented layout rather than against themselves.
 */
import { decodeApiVersionsRequest } from './generated/api-versions-request';
import { ApiVersionsResponse, decodeApiVersionsResponse, encodeApiVersionsResponse } from './generated/api-versions-response';
import { ControlledShutdownRequest, decodeControlledShutdownRequest } from './generated/controlled-shutdown-request';
import { FetchRequest, decodeFetchRequest, encodeFetchRequest } from './generated/fetch-request';
import { MetadataRequest, decodeMetadataRequest, encodeMetadataRequest } from './generated/metadata-request';
import { MetadataResponse, decodeMetadataResponse, encodeMetadataResponse } from './generated/metadata-response';
import { ProduceRequest, decodeProduceRequest, encodeProduceRequest } from './generated/produce-request';
import { decodeRequestFrame, encodeRequestFrame, encodeResponseFrame } from './headers';
import { ByteReader, ByteWriter, ZERO_UUID } from './primitives';

/** Hex with spaces, newlines and `# comments` allowed. */
function hex(text: string): Buffer {
  return Buffer.from(text.replace(/#.*$/gm, '').replace(/\s+/g, ''), 'hex');
}

function encoded(write: (w: ByteWriter) => void): Buffer {
  const w = new ByteWriter();
  write(w);
  return Buffer.from(w.finish());
}

describe('request header', () => {
  it('v0 (ControlledShutdown v0): api key, version, correlation id and no client id', () => {
    const frame = hex(`
      0007 0000 00000001   # ControlledShutdown, v0, correlation 1
      00000003             # broker_id 3
    `);
    const { header, headerVersion, body } = decodeRequestFrame(frame);
    expect(headerVersion).toBe(0);
    expect(header).toEqual({ requestApiKey: 7, requestApiVersion: 0, correlationId: 1, clientId: '' });
    const req: ControlledShutdownRequest = decodeControlledShutdownRequest(body, 0);
    expect(req.brokerId).toBe(3);
  });

  it('v1 (Metadata v1): adds a nullable int16-length client id', () => {
    const frame = hex(`
      0003 0001 0a0b0c0d   # Metadata, v1, correlation 0x0a0b0c0d
      0005 73616d7361      # client_id "samsa"
      ffffffff             # topics: null (all topics)
    `);
    const { header, headerVersion, body } = decodeRequestFrame(frame);
    expect(headerVersion).toBe(1);
    expect(header).toEqual({ requestApiKey: 3, requestApiVersion: 1, correlationId: 0x0a0b0c0d, clientId: 'samsa' });
    expect(decodeMetadataRequest(body, 1).topics).toBeNull();
    const built = encodeRequestFrame({ apiKey: 3, apiVersion: 1, correlationId: 0x0a0b0c0d, clientId: 'samsa' }, (w) =>
      encodeMetadataRequest(w, { topics: null, allowAutoTopicCreation: true, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false }, 1),
    );
    expect(built).toEqual(Buffer.concat([hex('00000013'), frame]));
  });

  it('v2 (ApiVersions v3): keeps the classic client id string and adds tagged fields', () => {
    const frame = hex(`
      0012 0003 00000007   # ApiVersions, v3, correlation 7
      0004 6b636174        # client_id "kcat": int16 length even in header v2
      00                   # header tagged fields: none
      0b 6c6962726466616b6b61   # client_software_name compact "librdfakka" (10 + 1)
      06 322e302e32        # client_software_version compact "2.0.2"
      00                   # body tagged fields: none
    `);
    const { header, headerVersion, body } = decodeRequestFrame(frame);
    expect(headerVersion).toBe(2);
    expect(header.clientId).toBe('kcat');
    expect(decodeApiVersionsRequest(body, 3)).toEqual({ clientSoftwareName: 'librdfakka', clientSoftwareVersion: '2.0.2' });
    expect(body.remaining).toBe(0);
  });

  it('v2 skips unknown tagged fields in the header and the body', () => {
    const frame = hex(`
      0012 0003 00000007 0004 6b636174
      01 05 02 abcd        # header: one tagged field, tag 5, 2 bytes, skipped
      02 61 02 7a          # client_software_name "a", client_software_version "z" (compact)
      02 00 01 ff 09 00    # body: two unknown tags (0: 1 byte, 9: 0 bytes)
    `);
    const { body } = decodeRequestFrame(frame);
    expect(decodeApiVersionsRequest(body, 3)).toEqual({ clientSoftwareName: 'a', clientSoftwareVersion: 'z' });
    expect(body.remaining).toBe(0);
  });
});

describe('ApiVersions v3 response (flexible body, v0 response header)', () => {
  const message: ApiVersionsResponse = {
    errorCode: 0,
    apiKeys: [
      { apiKey: 0, minVersion: 0, maxVersion: 9 },
      { apiKey: 18, minVersion: 0, maxVersion: 3 },
    ],
    throttleTimeMs: 0,
    supportedFeatures: [],
    finalizedFeaturesEpoch: 5n,
    finalizedFeatures: [],
  };
  const golden = hex(`
    0000                 # error_code
    03                   # api_keys: compact array of 2
    0000 0000 0009 00    # Produce 0-9, no tags
    0012 0000 0003 00    # ApiVersions 0-3, no tags
    00000000             # throttle_time_ms
    01                   # one tagged field (defaults are omitted)
    01 08 0000000000000005  # tag 1 finalized_features_epoch = 5
  `);

  it('encodes the documented bytes and omits tagged fields left at their defaults', () => {
    expect(encoded((w) => encodeApiVersionsResponse(w, message, 3))).toEqual(golden);
  });

  it('decodes them back', () => {
    expect(decodeApiVersionsResponse(new ByteReader(golden), 3)).toEqual(message);
  });

  it('frames it with a v0 response header: the correlation id and no tagged-field byte', () => {
    const frame = encodeResponseFrame(18, 3, 42, (w) => encodeApiVersionsResponse(w, message, 3));
    expect(frame.subarray(0, 8)).toEqual(hex('00000024 0000002a'));
    expect(frame.subarray(8)).toEqual(golden);
  });
});

describe('Metadata v9 (first flexible version)', () => {
  it('request', () => {
    const golden = hex(`
      02 07 6f7264657273 00   # topics: compact array of 1: name "orders", no tags
      01                      # allow_auto_topic_creation true
      00                      # include_cluster_authorized_operations false
      01                      # include_topic_authorized_operations true
      00                      # tags
    `);
    const message: MetadataRequest = {
      topics: [{ topicId: ZERO_UUID, name: 'orders' }],
      allowAutoTopicCreation: true,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: true,
    };
    expect(decodeMetadataRequest(new ByteReader(golden), 9)).toEqual(message);
    expect(encoded((w) => encodeMetadataRequest(w, message, 9))).toEqual(golden);
  });

  it('response', () => {
    const golden = hex(`
      00000000                # throttle_time_ms
      02                      # brokers: 1
      00000001 0a 3132372e302e302e31 00002384 00 00   # node 1, "127.0.0.1", 9092, rack null, tags
      09 73616d73612d636c    # cluster_id "samsa-cl" (compact, 8 + 1)
      00000001                # controller_id 1
      02                      # topics: 1
      0000 07 6f7264657273 00 # error 0, "orders", is_internal false
      02                      # partitions: 1
      0000 00000000 00000001 00000004   # error 0, partition 0, leader 1, leader_epoch 4
      03 00000001 00000002    # replica_nodes [1, 2]
      02 00000001             # isr_nodes [1]
      01                      # offline_replicas []
      00                      # partition tags
      80000000 00             # topic_authorized_operations (unset), topic tags
      80000000                # cluster_authorized_operations (unset)
      00                      # tags
    `);
    const message: MetadataResponse = {
      throttleTimeMs: 0,
      brokers: [{ nodeId: 1, host: '127.0.0.1', port: 9092, rack: null }],
      clusterId: 'samsa-cl',
      controllerId: 1,
      topics: [
        {
          errorCode: 0,
          name: 'orders',
          topicId: ZERO_UUID,
          isInternal: false,
          partitions: [{ errorCode: 0, partitionIndex: 0, leaderId: 1, leaderEpoch: 4, replicaNodes: [1, 2], isrNodes: [1], offlineReplicas: [] }],
          topicAuthorizedOperations: -2147483648,
        },
      ],
      clusterAuthorizedOperations: -2147483648,
    };
    expect(decodeMetadataResponse(new ByteReader(golden), 9)).toEqual(message);
    expect(encoded((w) => encodeMetadataResponse(w, message, 9))).toEqual(golden);
  });
});

describe('Produce v3 carrying a RecordBatch v2', () => {
  // One record, key null, value "hi", CreateTime 1600000000000; CRC-32C over attributes..end.
  const batch = hex(`
    0000000000000000         # base_offset 0
    0000003a                 # batch_length 58
    ffffffff                 # partition_leader_epoch -1
    02                       # magic 2
    4f474f62                 # crc32c
    0000                     # attributes: no compression, CreateTime
    00000000                 # last_offset_delta 0
    00000174876e8000         # first_timestamp
    00000174876e8000         # max_timestamp
    ffffffffffffffff ffff ffffffff   # producer id, epoch, base sequence: none
    00000001                 # records: 1
    10 00 00 00 01 04 6869 00   # length 8, attrs, ts delta 0, offset delta 0, key null, value "hi", 0 headers
  `);
  const golden = Buffer.concat([
    hex(`
      ffff                   # transactional_id null
      ffff                   # acks -1
      00007530               # timeout_ms 30000
      00000001 0006 6f7264657273   # topics: 1, "orders"
      00000001 00000002      # partitions: 1, index 2
      00000046               # records: 70 bytes
    `),
    batch,
  ]);
  const message: ProduceRequest = { transactionalId: null, acks: -1, timeoutMs: 30000, topicData: [{ name: 'orders', partitionData: [{ index: 2, records: batch }] }] };

  it('decodes the request with the batch bytes untouched', () => {
    const decoded = decodeProduceRequest(new ByteReader(golden), 3);
    expect(decoded).toEqual(message);
  });

  it('encodes the documented bytes', () => {
    expect(encoded((w) => encodeProduceRequest(w, message, 3))).toEqual(golden);
  });
});

describe('Fetch v11 request', () => {
  const golden = hex(`
    ffffffff                 # replica_id -1 (consumer)
    000001f4                 # max_wait_ms 500
    00000001                 # min_bytes 1
    03200000                 # max_bytes 52428800
    01                       # isolation_level READ_COMMITTED
    00000000                 # session_id 0
    ffffffff                 # session_epoch -1 (full fetch, no session)
    00000001 0006 6f7264657273   # topics: 1, "orders"
    00000001                 # partitions: 1
    00000000                 # partition 0
    00000004                 # current_leader_epoch 4
    000000000000000a         # fetch_offset 10
    ffffffffffffffff         # log_start_offset -1
    00100000                 # partition_max_bytes 1048576
    00000000                 # forgotten_topics_data: none
    0006 7261636b2d31        # rack_id "rack-1"
  `);
  const message: FetchRequest = {
    clusterId: null,
    replicaId: -1,
    maxWaitMs: 500,
    minBytes: 1,
    maxBytes: 52428800,
    isolationLevel: 1,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [{ topic: 'orders', partitions: [{ partition: 0, currentLeaderEpoch: 4, fetchOffset: 10n, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1048576 }] }],
    forgottenTopicsData: [],
    rackId: 'rack-1',
  };

  it('decodes', () => {
    expect(decodeFetchRequest(new ByteReader(golden), 11)).toEqual(message);
  });

  it('encodes', () => {
    expect(encoded((w) => encodeFetchRequest(w, message, 11))).toEqual(golden);
  });

  it('refuses to write a field v11 cannot carry (last_fetched_epoch is v12+ and not ignorable)', () => {
    const v12Only: FetchRequest = { ...message, topics: [{ topic: 'orders', partitions: [{ ...message.topics[0].partitions[0], lastFetchedEpoch: 3 }] }] };
    expect(() => encoded((w) => encodeFetchRequest(w, v12Only, 11))).toThrow(/LastFetchedEpoch cannot be written at version 11/);
  });
});
