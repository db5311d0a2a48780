import { describeStart, diffClusterState, emptyClusterState, mergeBrokers, partitionView, Timeline, type ClusterState, type ZooKeeperMode } from './cluster-model';

function state(patch: Partial<ClusterState>): ClusterState {
  return { ...emptyClusterState(), ...patch };
}

function brokers(...alive: number[]): ClusterState['brokers'] {
  return alive.map((id) => ({ id, alive: true, endpoints: [`PLAINTEXT://127.0.0.1:${9091 + id}`], rack: null }));
}

function orders(leader: number, isr: number[], leaderEpoch = 0): ClusterState['topics'] {
  return [{ name: 'orders', partitions: [partitionView('orders', 0, [1, 2, 3], { leader, isr, leaderEpoch })] }];
}

function zk(...modes: ZooKeeperMode[]): ClusterState['zookeepers'] {
  return modes.map((mode, i) => ({ id: i + 1, host: '127.0.0.1', port: 2181 + i, mode }));
}

const texts = (prev: ClusterState, next: ClusterState): string[] => diffClusterState(prev, next).map((e) => e.text);

describe('ClusterModel timeline', () => {
  it('a broker registering in /brokers/ids reads as joined, its ephemeral vanishing as its session ending', () => {
    expect(texts(state({ brokers: brokers(1, 3) }), state({ brokers: brokers(1, 2, 3) }))).toEqual(['broker 2 joined']);
    const gone = mergeBrokers(brokers(1, 2, 3), new Map([[1, { endpoints: [], rack: null }], [3, { endpoints: [], rack: null }]]));
    expect(gone.find((b) => b.id === 2)).toMatchObject({ alive: false, endpoints: ['PLAINTEXT://127.0.0.1:9093'] });
    expect(texts(state({ brokers: brokers(1, 2, 3) }), state({ brokers: gone }))).toEqual(['broker 2 left: its ZooKeeper session ended']);
  });

  it('a new /controller after the old one expired reads as the controller moving, with the new controller epoch', () => {
    const before = state({ controller: 1, lastController: 1, controllerEpoch: 6 });
    const between = state({ controller: null, lastController: 1, controllerEpoch: 6 });
    const after = state({ controller: 3, lastController: 3, controllerEpoch: 7 });
    expect(texts(before, between)).toEqual([]);
    expect(texts(between, after)).toEqual(['controller moved from broker 1 to broker 3 (epoch 7)']);
    expect(texts(before, after)).toEqual(['controller moved from broker 1 to broker 3 (epoch 7)']);
  });

  it('the first controller of a cluster reads as a broker becoming controller', () => {
    expect(texts(state({}), state({ controller: 3, lastController: 3, controllerEpoch: 1 }))).toEqual(['broker 3 became controller (epoch 1)']);
  });

  it('a leader election shows the old and new leader and the ISR change in one line', () => {
    expect(texts(state({ topics: orders(2, [1, 2, 3]) }), state({ topics: orders(3, [1, 3], 1) }))).toEqual(['orders-0: leader 2 → 3, ISR [1,2,3] → [1,3]']);
    expect(texts(state({ topics: orders(2, [2, 3]) }), state({ topics: orders(3, [2, 3], 1) }))).toEqual(['orders-0: leader 2 → 3']);
    expect(texts(state({ topics: orders(2, [2]) }), state({ topics: orders(-1, [2], 1) }))).toEqual(['orders-0: leader 2 → none']);
  });

  it('an ISR change without an election reads as the ISR shrinking or expanding', () => {
    expect(texts(state({ topics: orders(1, [1, 2, 3]) }), state({ topics: orders(1, [1, 3]) }))).toEqual(['ISR of orders-0 shrank to [1,3]']);
    expect(texts(state({ topics: orders(1, [1, 3]) }), state({ topics: orders(1, [1, 3, 2]) }))).toEqual(['ISR of orders-0 expanded to [1,3,2]']);
  });

  it('under-replicated (ISR < replicas) and offline (leader -1) partitions are flagged', () => {
    expect(partitionView('t', 0, [1, 2, 3], { leader: 1, isr: [1, 2, 3], leaderEpoch: 0 })).toMatchObject({ underReplicated: false, offline: false });
    expect(partitionView('t', 0, [1, 2, 3], { leader: 1, isr: [1, 3], leaderEpoch: 0 })).toMatchObject({ underReplicated: true, offline: false });
    expect(partitionView('t', 0, [1, 2], { leader: -1, isr: [2], leaderEpoch: 3 })).toMatchObject({ underReplicated: true, offline: true });
    expect(partitionView('t', 0, [1, 2], null)).toMatchObject({ hasState: false, underReplicated: false, offline: false });
  });

  it('topic creation and deletion read with partition count and replication factor', () => {
    const created = state({ topics: orders(1, [1, 2, 3]) });
    expect(texts(state({}), created)).toEqual(['topic orders created (1 partition, RF 3)']);
    expect(texts(created, state({}))).toEqual(['topic orders deleted']);
  });

  it("an internal topic's many partition changes read as one line", () => {
    const offsets = (leader: number, isr: number[]): ClusterState['topics'] => [
      { name: '__consumer_offsets', partitions: [0, 1, 2].map((p) => partitionView('__consumer_offsets', p, [1, 2, 3], { leader: p === 0 ? leader : 1, isr, leaderEpoch: 0 })) },
    ];
    expect(texts(state({ topics: offsets(3, [1, 2, 3]) }), state({ topics: offsets(1, [1, 2]) }))).toEqual(['__consumer_offsets: new leader for 1 partition, ISR changed for 2 partitions']);
    expect(texts(state({ topics: offsets(3, [1, 2, 3]) }), state({ topics: offsets(1, [1, 2, 3]) }))).toEqual(['__consumer_offsets-0: leader 3 → 1']);
  });

  it('a partition getting its first state after creation is not a leader change', () => {
    const fresh = state({ topics: [{ name: 'orders', partitions: [partitionView('orders', 0, [1, 2, 3], null)] }] });
    expect(texts(fresh, state({ topics: orders(1, [1, 2, 3]) }))).toEqual([]);
  });

  it('ZooKeeper servers going down, coming back and a new ZooKeeper leader are told', () => {
    expect(texts(state({ zookeepers: zk('follower', 'leader', 'follower') }), state({ zookeepers: zk('follower', 'down', 'leader') }))).toEqual([
      'ZooKeeper server 2 is down',
      'ZooKeeper leader is now server 3',
    ]);
    expect(texts(state({ zookeepers: zk('follower', 'down', 'leader') }), state({ zookeepers: zk('follower', 'follower', 'leader') }))).toEqual(['ZooKeeper server 2 is up (follower)']);
    expect(texts(state({ zookeepers: zk('unknown', 'unknown', 'unknown') }), state({ zookeepers: zk('follower', 'leader', 'follower') }))).toEqual([]);
  });

  it('consumer group state transitions are told', () => {
    const g = (s: string): ClusterState['groups'] => [{ groupId: 'g1', state: s, protocolType: 'consumer', members: [], partitions: [] }];
    expect(texts(state({}), state({ groups: g('Stable') }))).toEqual(['consumer group g1 appeared (Stable)']);
    expect(texts(state({ groups: g('Stable') }), state({ groups: g('PreparingRebalance') }))).toEqual(['consumer group g1: Stable → PreparingRebalance (0 members)']);
  });

  it('the timeline numbers events and keeps only the newest', () => {
    const t = new Timeline(2);
    t.add([{ kind: 'broker-joined', text: 'a' }, { kind: 'broker-joined', text: 'b' }], 1);
    const added = t.add([{ kind: 'broker-left', text: 'c' }], 2);
    expect(added).toEqual([{ kind: 'broker-left', text: 'c', seq: 3, time: 2 }]);
    expect(t.all().map((e) => e.text)).toEqual(['b', 'c']);
  });
});

describe('ClusterModel start entry', () => {
  it('tells what the console found when it started', () => {
    expect(describeStart(state({ brokers: brokers(1, 2, 3), controller: 2, controllerEpoch: 4, topics: orders(1, [1, 2, 3]) })).text).toBe(
      'console started: brokers [1,2,3] registered, controller broker 2 (epoch 4), 1 topics',
    );
  });
});
