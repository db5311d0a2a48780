import { createLogger } from '../common/logger';
import { ErrorCode } from '../protocol';
import type { ControlledShutdownRequest } from '../protocol/generated/controlled-shutdown-request';
import type { ControlledShutdownResponse } from '../protocol/generated/controlled-shutdown-response';
import { type ControllerChannel, type ControllerNode, controlledShutdown, findControllerNode } from './controlled-shutdown';

const logger = createLogger('test');
const node1: ControllerNode = { id: 1, host: 'h1', port: 9091 };
const node2: ControllerNode = { id: 2, host: 'h2', port: 9092 };

type Answer = ControlledShutdownResponse | Error;

function harness(answers: Answer[], controllers: (ControllerNode | null)[]) {
  const sent: { node: ControllerNode; request: ControlledShutdownRequest }[] = [];
  const connects: ControllerNode[] = [];
  const closes: ControllerNode[] = [];
  const sleeps: number[] = [];
  let epoch = 40n;
  const run = (maxRetries = 3) =>
    controlledShutdown({
      brokerId: 3,
      brokerEpoch: () => epoch++,
      findController: () => Promise.resolve(controllers.length > 1 ? controllers.shift()! : controllers[0]!),
      connect: (node): ControllerChannel => {
        connects.push(node);
        return {
          controlledShutdown: (request) => {
            sent.push({ node, request });
            const a = answers.shift() ?? { errorCode: 0, remainingPartitions: [] };
            return a instanceof Error ? Promise.reject(a) : Promise.resolve(a);
          },
          close: () => {
            closes.push(node);
            return Promise.resolve();
          },
        };
      },
      maxRetries,
      retryBackoffMs: 5000,
      logger,
      sleep: (ms) => {
        sleeps.push(ms);
        return Promise.resolve();
      },
    });
  return { run, sent, connects, closes, sleeps };
}

const remaining = (...ps: string[]): ControlledShutdownResponse => ({ errorCode: 0, remainingPartitions: ps.map((topicName) => ({ topicName, partitionIndex: 0 })) });

describe('controlled shutdown (KafkaServer.controlledShutdown)', () => {
  it('sends ControlledShutdown with the broker id and epoch until no partition remains, backing off between attempts', async () => {
    const h = harness([remaining('t'), { errorCode: ErrorCode.NOT_CONTROLLER, remainingPartitions: [] }, remaining()], [node1]);
    expect(await h.run()).toBe(true);
    expect(h.sent.map((s) => s.request)).toEqual([
      { brokerId: 3, brokerEpoch: 40n },
      { brokerId: 3, brokerEpoch: 41n },
      { brokerId: 3, brokerEpoch: 42n },
    ]);
    expect(h.sleeps).toEqual([5000, 5000]);
    expect(h.connects).toEqual([node1]);
    expect(h.closes).toEqual([node1]);
  });

  it('gives up after controlled.shutdown.max.retries attempts (an unclean shutdown follows)', async () => {
    const h = harness([remaining('t'), remaining('t'), remaining('t'), remaining()], [node1]);
    expect(await h.run(3)).toBe(false);
    expect(h.sent).toHaveLength(3);
    expect(h.sleeps).toEqual([5000, 5000]);
  });

  it('reconnects when the controller moves or the previous attempt failed on the connection', async () => {
    const h = harness([new Error('connection reset'), remaining('t'), remaining()], [node1, node1, node2]);
    expect(await h.run()).toBe(true);
    expect(h.connects).toEqual([node1, node1, node2]);
    expect(h.sent.map((s) => s.node.id)).toEqual([1, 1, 2]);
    expect(h.closes).toEqual([node1, node1, node2]);
  });

  it('keeps trying while no controller is known', async () => {
    const h = harness([remaining()], [null, null, node2]);
    expect(await h.run()).toBe(true);
    expect(h.sent.map((s) => s.node)).toEqual([node2]);
    expect(h.sleeps).toEqual([5000, 5000]);
  });

  it('finds the controller in the metadata cache, else in /controller and its registration', async () => {
    const zk = {
      getControllerId: () => Promise.resolve(2),
      getBroker: (id: number) =>
        Promise.resolve({
          id,
          epoch: 1n,
          registration: { version: 5, endpoints: [{ listenerName: 'INTERNAL', securityProtocol: 'PLAINTEXT' as const, host: 'h2', port: 9092 }], jmxPort: -1, rack: null, features: {}, timestamp: 0 },
        }),
    };
    const cached = { controllerId: 1, aliveBroker: () => ({ id: 1, rack: null, endpoints: [{ listener: 'INTERNAL', host: 'h1', port: 9091, securityProtocol: 0 }] }) };
    expect(await findControllerNode(cached, zk, 'INTERNAL')()).toEqual(node1);
    const empty = { controllerId: null, aliveBroker: () => undefined };
    expect(await findControllerNode(empty, zk, 'INTERNAL')()).toEqual(node2);
    expect(await findControllerNode(empty, zk, 'OTHER')()).toBeNull();
  });
});
