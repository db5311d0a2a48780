/**
 * Jest's default order, except that suites which kill and restart ZooKeeper servers run last: after
 * such a restart the jest process's own ZooKeeper client (the harness's) can be refused for a minute
 * or more (session expired on every new session), which would fail the suites that follow.
 */
const Sequencer = require('@jest/test-sequencer').default;

const LAST = /zookeeper-failure|long-run/;

class SamsaSequencer extends Sequencer {
  async sort(tests) {
    const sorted = await super.sort(tests);
    return [...sorted.filter((t) => !LAST.test(t.path)), ...sorted.filter((t) => LAST.test(t.path))];
  }
}

module.exports = SamsaSequencer;
