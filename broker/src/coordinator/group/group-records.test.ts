import { MockTime } from '../../common/time';
import { GroupMetadata } from './group-metadata';
import { groupMetadataKey, groupMetadataValue, offsetCommitKey, offsetCommitValue, readGroupMessageValue, readMessageKey, readOffsetMessageValue } from './group-records';
import { MemberMetadata } from './member-metadata';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('__consumer_offsets records (Kafka 2.8 GroupMetadataManager formats)', () => {
  test('offset keys are written as version 1: int16 1, group, topic, int32 partition', () => {
    expect(offsetCommitKey('g', 'orders', 7)).toEqual(hex('0001 0001 67 0006 6f7264657273 00000007'));
    expect(readMessageKey(hex('0000 0001 67 0001 74 00000002'))).toEqual({ kind: 'offset', group: 'g', topic: 't', partition: 2 });
  });

  test('group keys are version 2 and any other key version is refused', () => {
    expect(groupMetadataKey('grp')).toEqual(hex('0002 0003 677270'));
    expect(readMessageKey(groupMetadataKey('grp'))).toEqual({ kind: 'group', group: 'grp' });
    expect(() => readMessageKey(hex('0003 0001 67'))).toThrow(/unknown message key version 3/);
  });

  test('offset values are version 3 (offset, leader epoch, metadata, commit timestamp) unless an expire timestamp was given (then v1)', () => {
    const v3 = offsetCommitValue({ offset: 42n, leaderEpoch: 5, metadata: 'm', commitTimestamp: 1000n, expireTimestamp: null });
    expect(v3).toEqual(hex('0003 000000000000002a 00000005 0001 6d 00000000000003e8'));
    expect(readOffsetMessageValue(v3)).toEqual({ offset: 42n, leaderEpoch: 5, metadata: 'm', commitTimestamp: 1000n, expireTimestamp: null });
    const v1 = offsetCommitValue({ offset: 1n, leaderEpoch: 5, metadata: '', commitTimestamp: 10n, expireTimestamp: 20n });
    expect(v1).toEqual(hex('0001 0000000000000001 0000 000000000000000a 0000000000000014'));
    expect(readOffsetMessageValue(v1)).toEqual({ offset: 1n, leaderEpoch: -1, metadata: '', commitTimestamp: 10n, expireTimestamp: 20n });
    expect(readOffsetMessageValue(null)).toBeNull();
  });

  test('group values are version 3 with every member field, and read back as a Stable group with the same members', () => {
    const time = new MockTime(5000);
    const group = new GroupMetadata('g', 'Empty', time);
    const m = new MemberMetadata('c-1', 'inst', 'c', '/127.0.0.1', 20000, 10000, 'consumer', [{ name: 'range', metadata: Buffer.from('sub') }]);
    group.add(m, null);
    group.transitionTo('PreparingRebalance');
    group.initNextGeneration();
    const bytes = groupMetadataValue(group, new Map([['c-1', Buffer.from('asg')]]));
    expect(bytes.readInt16BE(0)).toBe(3);
    const back = readGroupMessageValue('g', bytes, time);
    expect(back?.state).toBe('Stable');
    expect(back?.generationId).toBe(1);
    expect(back?.protocolType).toBe('consumer');
    expect(back?.protocolName).toBe('range');
    expect(back?.leaderId).toBe('c-1');
    expect(back?.currentStateTimestamp).toBe(5000);
    const member = back?.get('c-1');
    expect([member?.groupInstanceId, member?.clientHost, member?.rebalanceTimeoutMs, member?.sessionTimeoutMs]).toEqual(['inst', '/127.0.0.1', 20000, 10000]);
    expect(member?.assignment.toString()).toBe('asg');
    expect(member?.metadata('range').toString()).toBe('sub');
    expect(back?.currentStaticMemberId('inst')).toBe('c-1');
  });

  test('an empty group is written with its protocol type and no members, and reads back Empty', () => {
    const time = new MockTime();
    const group = new GroupMetadata('g', 'Empty', time);
    group.protocolType = 'consumer';
    group.generationId = 4;
    const back = readGroupMessageValue('g', groupMetadataValue(group, new Map()), time);
    expect(back?.state).toBe('Empty');
    expect(back?.generationId).toBe(4);
    expect(back?.protocolType).toBe('consumer');
    expect(readGroupMessageValue('g', null, time)).toBeNull();
  });
});
