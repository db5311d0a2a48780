import { choosePartition, murmur2 } from './record-panel';

describe('producer panel partitioning', () => {
  it("hashes keys with Kafka's murmur2 (Utils.murmur2 test vectors)", () => {
    expect(murmur2(Buffer.from('21'))).toBe(-973932308);
    expect(murmur2(Buffer.from('foobar'))).toBe(-790332482);
    expect(murmur2(Buffer.from('a-little-bit-long-string'))).toBe(-985981536);
    expect(murmur2(Buffer.from('a-little-bit-longer-string'))).toBe(-1486304829);
    expect(murmur2(Buffer.from('lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8'))).toBe(-58897971);
    expect(murmur2(Buffer.from('abc'))).toBe(479470107);
  });

  it('keyed records go to toPositive(murmur2(key)) % partitions, keyless ones round robin', () => {
    expect(choosePartition(Buffer.from('foobar'), 3, 0)).toBe((-790332482 & 0x7fffffff) % 3);
    expect([0, 1, 2, 3].map((n) => choosePartition(null, 3, n))).toEqual([0, 1, 2, 0]);
  });
});
