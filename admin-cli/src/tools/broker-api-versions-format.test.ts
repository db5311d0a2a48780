import { apiVersionToText, formatNodeApiVersions, nodeText } from './broker-api-versions-format';

test('NodeApiVersions text: name(key): range [usable: min(client, broker)], a single version without "to"', () => {
  expect(apiVersionToText({ apiKey: 0, minVersion: 0, maxVersion: 9 })).toBe('Produce(0): 0 to 9 [usable: 9]');
  expect(apiVersionToText({ apiKey: 0, minVersion: 3, maxVersion: 3 })).toBe('Produce(0): 3 [usable: 3]');
  expect(apiVersionToText({ apiKey: 1, minVersion: 0, maxVersion: 99 })).toBe('Fetch(1): 0 to 99 [usable: 12]');
  expect(apiVersionToText({ apiKey: 1, minVersion: 50, maxVersion: 99 })).toBe('Fetch(1): 50 to 99 [unusable: node too new]');
  expect(apiVersionToText({ apiKey: 999, minVersion: 0, maxVersion: 1 })).toBe('UNKNOWN(999): 0 to 1');
});

test('APIs the client knows and the broker lacks are UNSUPPORTED, all in key order, one per line', () => {
  expect(formatNodeApiVersions([{ apiKey: 3, minVersion: 0, maxVersion: 11 }, { apiKey: 0, minVersion: 0, maxVersion: 9 }], [0, 1, 3])).toBe(
    '(\n\tProduce(0): 0 to 9 [usable: 9],\n\tFetch(1): UNSUPPORTED,\n\tMetadata(3): 0 to 11 [usable: 11]\n)',
  );
});

test('brokers are named as Kafka Node.toString names them', () => {
  expect(nodeText({ nodeId: 1, host: 'h', port: 9092, rack: null })).toBe('h:9092 (id: 1 rack: null)');
});
