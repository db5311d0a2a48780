/**
 * Kafka's GroupState: the five states of a classic group and which state each may be entered from
 * (GroupMetadata.validPreviousStates), as a transition table.
 */
export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

export const GROUP_STATES: readonly GroupState[] = ['Empty', 'PreparingRebalance', 'CompletingRebalance', 'Stable', 'Dead'];

/** target state → the states it may be entered from. */
export const VALID_PREVIOUS_STATES: Readonly<Record<GroupState, readonly GroupState[]>> = {
  Dead: ['Stable', 'PreparingRebalance', 'CompletingRebalance', 'Empty', 'Dead'],
  CompletingRebalance: ['PreparingRebalance'],
  Stable: ['CompletingRebalance'],
  PreparingRebalance: ['Stable', 'CompletingRebalance', 'Empty'],
  Empty: ['PreparingRebalance'],
};

export function canTransition(from: GroupState, to: GroupState): boolean {
  return VALID_PREVIOUS_STATES[to].includes(from);
}

/** Thrown for an illegal transition: a coordinator bug, never a client's fault. */
export class IllegalGroupStateTransition extends Error {
  constructor(groupId: string, from: GroupState, to: GroupState) {
    super(`Group ${groupId} should be in the ${VALID_PREVIOUS_STATES[to].join(',')} states before moving to ${to} state. Instead it is in ${from} state`);
    this.name = 'IllegalGroupStateTransition';
  }
}
