import { BROKER_V8_FLAGS, brokerV8FlagsToSet } from './heap-tuning';

describe('broker V8 heap flags', () => {
  it('sets the broker heap growing factor when the operator has not chosen one', () => {
    expect(brokerV8FlagsToSet(['--import', '/x/loader.mjs'], undefined)).toEqual([...BROKER_V8_FLAGS]);
    expect(BROKER_V8_FLAGS).toContain('--heap-growing-percent=300');
  });

  it("leaves a flag the operator set on the command line or in NODE_OPTIONS alone, in either of V8's spellings", () => {
    expect(brokerV8FlagsToSet(['--heap-growing-percent=50'], undefined)).toEqual([]);
    expect(brokerV8FlagsToSet([], '--max-old-space-size=512 --heap_growing_percent=20')).toEqual([]);
  });

  it('is not fooled by a flag value or an unrelated flag with a similar prefix', () => {
    expect(brokerV8FlagsToSet(['--heap-growing', 'heap-growing-percent'], '--heap-growing-percentage=1')).toEqual([...BROKER_V8_FLAGS]);
  });
});
