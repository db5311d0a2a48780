/**
 * Controller election on ZooKeeper: Kafka's KafkaZkClient.registerControllerAndIncrementControllerEpoch,
 * done without ZooKeeper multi (README), so each step is fenced by its own znode (the ephemeral
 * /controller, then /controller_epoch's zkVersion). Apart from kafka-zk-client.ts for size; it works
 * through KafkaZkClient's own reads (getControllerEpoch, getControllerId, deleteController).
 */
import { isZkError } from './errors';
import type { KafkaZkClient } from './kafka-zk-client';
import { ControllerMovedError } from './kafka-zk-types';
import { ControllerEpochZNode, ControllerZNode } from './znodes';

/**
 * Kafka's registerControllerAndIncrementControllerEpoch without multi: read /controller_epoch
 * (creating it with 0), create the ephemeral /controller, then set /controller_epoch to epoch + 1
 * conditionally on the zkVersion read. Returns the new epoch and its zkVersion. Losing either step
 * to another broker throws ControllerMovedError (a won /controller is given back first).
 */
export async function registerControllerAndIncrementControllerEpoch(
  kafkaZkClient: KafkaZkClient,
  controllerId: number,
  nowMs: number,
): Promise<{ epoch: number; epochZkVersion: number }> {
  let current = await kafkaZkClient.getControllerEpoch();
  if (current === null) {
    try {
      await kafkaZkClient.zk.create(ControllerEpochZNode.path, ControllerEpochZNode.encode(0));
    } catch (err) {
      if (!isZkError(err, 'NODEEXISTS')) throw err;
    }
    current = await kafkaZkClient.getControllerEpoch();
    if (current === null) throw new ControllerMovedError('/controller_epoch vanished during controller election');
  }
  const newEpoch = current.epoch + 1;
  try {
    await kafkaZkClient.zk.create(ControllerZNode.path, ControllerZNode.encode(controllerId, nowMs), { mode: 'ephemeral' });
  } catch (err) {
    if (!isZkError(err, 'NODEEXISTS')) throw err;
    const stat = await kafkaZkClient.zk.exists(ControllerZNode.path);
    // Our own create, resent after a lost connection, is still ours.
    if (stat === null || stat.ephemeralOwner !== kafkaZkClient.zk.sessionId || (await kafkaZkClient.getControllerId()) !== controllerId) {
      throw new ControllerMovedError(`broker ${await kafkaZkClient.getControllerId()} is the controller`);
    }
  }
  try {
    const stat = await kafkaZkClient.zk.set(ControllerEpochZNode.path, ControllerEpochZNode.encode(newEpoch), current.zkVersion);
    return { epoch: newEpoch, epochZkVersion: stat.version };
  } catch (err) {
    if (!isZkError(err, 'BADVERSION')) throw err;
    const now = await kafkaZkClient.getControllerEpoch();
    if (now !== null && now.epoch === newEpoch && now.zkVersion === current.zkVersion + 1) {
      return { epoch: newEpoch, epochZkVersion: now.zkVersion };
    }
    await kafkaZkClient.deleteController(controllerId);
    throw new ControllerMovedError(`/controller_epoch moved to ${now?.epoch ?? 'nothing'} while electing epoch ${newEpoch}`);
  }
}
