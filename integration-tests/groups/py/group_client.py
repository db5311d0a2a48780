"""librdkafka (confluent-kafka 1.7 / librdkafka 2.0.2) consumer-group scenarios for issue 6's proofs.

usage: group_client.py SCENARIO BOOTSTRAP TOPIC PARTITIONS GROUP
  rebalance  two dynamic members: subscribe, rebalance between them, manual commit, committed(),
             AdminClient.list_groups() and librdkafka's ListConsumerGroups/DescribeConsumerGroups; then the second leaves and the first takes everything back.
  static     two static members (group.instance.id); the first is closed and restarted under the
             same instance id within the session timeout: no rebalance must follow.
  records    a static and a dynamic member commit chosen offsets, then wait (stdin) so the test can
             read __consumer_offsets while the group is live.
Prints one JSON line (the scenario's observations); 'records' then waits for stdin to close.

confluent-kafka 1.7 has no memberid() and no generation accessor: both are read from librdkafka's
own 'cgrp' debug log ("JoinGroup response: GenerationId N, Protocol P, LeaderId L, my MemberId M").
AdminClient in 1.7 offers list_groups() only (list_consumer_groups/describe_consumer_groups came in 2.0);
rdkafka_admin.py calls the librdkafka 2.0.2 functions those 2.0 methods wrap.
"""
import json
import logging
import re
import sys
import time

from confluent_kafka import Consumer, TopicPartition
from confluent_kafka.admin import AdminClient
from rdkafka_admin import RdKafkaAdmin

scenario, bootstrap, topic, partitions, group = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
JOIN_RE = re.compile(r'JoinGroup response: GenerationId (-?\d+), Protocol (\S*), LeaderId (\S*?)(?: \(me\))?, my MemberId (\S*), '
                     r'member metadata count (\d+): (.*)$')


class JoinLog(logging.Handler):
    """Collects the JoinGroup responses one consumer received, in order."""

    def __init__(self):
        super().__init__()
        self.joins = []

    def emit(self, record):
        m = JOIN_RE.search(record.getMessage())
        if m:
            self.joins.append({'generation': int(m.group(1)), 'protocol': m.group(2), 'leader': m.group(3),
                               'memberId': m.group(4), 'memberCount': int(m.group(5)), 'error': m.group(6)})


class Member:
    def __init__(self, name, extra):
        self.name = name
        self.join_log = JoinLog()
        logger = logging.getLogger('rdkafka-' + name + '-' + str(time.time()))
        logger.setLevel(logging.DEBUG)
        logger.propagate = False
        logger.addHandler(self.join_log)
        conf = {
            'bootstrap.servers': bootstrap,
            'group.id': group,
            'client.id': name,
            'enable.auto.commit': False,
            'auto.offset.reset': 'earliest',
            'session.timeout.ms': 10000,
            'heartbeat.interval.ms': 500,
            'topic.metadata.refresh.interval.ms': 2000,
            'debug': 'cgrp',
            'logger': logger,
        }
        conf.update(extra)
        self.consumer = Consumer(conf)
        self.assigns = []
        self.revokes = 0
        self.assignment = []
        self.records = []

    def subscribe(self):
        def on_assign(consumer, parts):
            self.assignment = sorted(p.partition for p in parts)
            self.assigns.append(self.assignment)

        def on_revoke(consumer, parts):
            self.revokes += 1
            self.assignment = []

        self.consumer.subscribe([topic], on_assign=on_assign, on_revoke=on_revoke)

    def poll(self, timeout=0.1):
        msg = self.consumer.poll(timeout)
        if msg is not None and msg.error() is None:
            self.records.append([msg.partition(), msg.offset(), msg.value().decode()])

    def join(self):
        """The last JoinGroup response that succeeded."""
        ok = [j for j in self.join_log.joins if j['generation'] >= 0]
        return ok[-1] if ok else None


def poll_until(members, condition, what, timeout=60.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        for m in members:
            m.poll(0.05)
        if condition():
            return
    raise SystemExit('timed out waiting for ' + what + ': ' + json.dumps(
        {m.name: {'assignment': m.assignment, 'assigns': m.assigns, 'joins': m.join_log.joins} for m in members}))


def split_evenly(members):
    owned = sorted(p for m in members for p in m.assignment)
    return all(m.assignment for m in members) and owned == list(range(partitions)) and all(m.join() for m in members)


def list_group():
    admin = AdminClient({'bootstrap.servers': bootstrap})
    groups = admin.list_groups(group, timeout=10)
    out = []
    for g in groups:
        out.append({'id': g.id, 'error': str(g.error) if g.error is not None else None, 'state': g.state,
                    'protocolType': g.protocol_type, 'protocol': g.protocol, 'broker': g.broker.id,
                    'members': [{'id': m.id, 'clientId': m.client_id, 'clientHost': m.client_host,
                                 'metadata': bytes(m.metadata).hex(), 'assignment': bytes(m.assignment).hex()} for m in g.members]})
    return out


def member_report(m):
    return {'name': m.name, 'assignment': m.assignment, 'assigns': m.assigns, 'revokes': m.revokes,
            'joins': m.join_log.joins, 'records': m.records}


def stable_list(expected_members):
    deadline = time.time() + 30
    while True:
        listed = list_group()
        if listed and listed[0]['state'] == 'Stable' and len(listed[0]['members']) == expected_members:
            return listed
        if time.time() > deadline:
            return listed
        time.sleep(0.3)


def rebalance():
    a = Member('rk-a', {})
    b = Member('rk-b', {})
    a.subscribe()
    poll_until([a], lambda: split_evenly([a]), 'the first member to own every partition')
    first_join = a.join()
    b.subscribe()
    poll_until([a, b], lambda: split_evenly([a, b]) and a.join()['generation'] > first_join['generation'], 'a rebalance between two members')
    both_join = {'a': a.join(), 'b': b.join()}
    shares = {'a': a.assignment, 'b': b.assignment}
    total = sum(1 for _ in range(partitions)) * 10
    poll_until([a, b], lambda: len({r[2] for r in a.records + b.records}) >= total, 'every record consumed')
    # Manual commit by each member of its own partitions; chosen offsets (4 + partition).
    commits = {}
    for m in (a, b):
        offsets = [TopicPartition(topic, p, 4 + p) for p in m.assignment]
        result = m.consumer.commit(offsets=offsets, asynchronous=False)
        commits[m.name] = [[tp.partition, tp.offset, str(tp.error) if tp.error else None] for tp in result]
    committed_a = [[tp.partition, tp.offset] for tp in a.consumer.committed([TopicPartition(topic, p) for p in range(partitions)], timeout=10)]
    listed = stable_list(2)
    # librdkafka's ListConsumerGroups / DescribeConsumerGroups (what AdminClient.list_consumer_groups()
    # and describe_consumer_groups() call), with an unknown group alongside.
    admin = RdKafkaAdmin(bootstrap)
    try:
        admin_listed = admin.list_consumer_groups()
        admin_described = admin.describe_consumer_groups([group, group + '-unknown'])
    finally:
        admin.close()
    # The second member leaves (close sends LeaveGroup): the first takes every partition back.
    b.consumer.close()
    poll_until([a], lambda: split_evenly([a]) and a.join()['generation'] > both_join['a']['generation'], 'the first member to take back every partition')
    after_leave = a.join()
    committed_after = [[tp.partition, tp.offset] for tp in a.consumer.committed([TopicPartition(topic, p) for p in range(partitions)], timeout=10)]
    listed_after = stable_list(1)
    result = {'firstJoin': first_join, 'bothJoin': both_join, 'shares': shares, 'afterLeave': after_leave, 'commits': commits, 'committed': committed_a,
              'committedAfterLeave': committed_after, 'listed': listed, 'listedAfterLeave': listed_after,
              'adminListed': admin_listed, 'adminDescribed': admin_described,
              'a': member_report(a), 'b': member_report(b)}
    a.consumer.close()
    return result


def static():
    extra = lambda iid: {'group.instance.id': iid, 'session.timeout.ms': 15000}
    s1 = Member('st-1', extra('static-1'))
    s2 = Member('st-2', extra('static-2'))
    s1.subscribe()
    s2.subscribe()
    poll_until([s1, s2], lambda: split_evenly([s1, s2]) and s1.join()['generation'] == s2.join()['generation'], 'two static members to share the partitions')
    # Let the group settle, then note what the untouched member has seen so far.
    end = time.time() + 2
    while time.time() < end:
        s1.poll(0.05)
        s2.poll(0.05)
    before = {'generation': s2.join()['generation'], 's1': s1.join(), 's2Joins': len(s2.join_log.joins), 's2Assigns': len(s2.assigns),
              's1Assignment': s1.assignment, 's2Assignment': s2.assignment, 'listed': stable_list(2)}
    closed_at = time.time()
    s1.consumer.close()  # a static member sends no LeaveGroup
    s1b = Member('st-1', extra('static-1'))
    s1b.subscribe()
    poll_until([s1b, s2], lambda: bool(s1b.assignment) and s1b.join() is not None, 'the restarted static member to get its partitions back', 30)
    restarted_ms = int((time.time() - closed_at) * 1000)
    # Watch the untouched member for a while: it must see no new JoinGroup and no new assignment.
    end = time.time() + 5
    while time.time() < end:
        s1b.poll(0.05)
        s2.poll(0.05)
    after = {'s1b': s1b.join(), 's1bJoins': s1b.join_log.joins, 's1bAssignment': s1b.assignment, 's2Joins': len(s2.join_log.joins),
             's2Assigns': len(s2.assigns), 's2Revokes': s2.revokes, 's2Assignment': s2.assignment, 's2Join': s2.join(),
             'listed': stable_list(2), 'restartedMs': restarted_ms}
    s1b.consumer.close()
    s2.consumer.close()
    return {'before': before, 'after': after, 's2JoinLog': s2.join_log.joins}


def records():
    a = Member('rec-a', {'group.instance.id': 'rec-static', 'session.timeout.ms': 12000, 'max.poll.interval.ms': 45000})
    b = Member('rec-b', {'session.timeout.ms': 9000, 'max.poll.interval.ms': 40000})
    a.subscribe()
    poll_until([a], lambda: split_evenly([a]), 'the static member to own every partition')
    first = a.join()
    b.subscribe()
    poll_until([a, b], lambda: split_evenly([a, b]) and a.join()['generation'] > first['generation'], 'a rebalance between two members')
    commits = []
    for m in (a, b):
        offsets = [TopicPartition(topic, p, 3 + p) for p in m.assignment]
        before_ms = int(time.time() * 1000)
        result = m.consumer.commit(offsets=offsets, asynchronous=False)
        after_ms = int(time.time() * 1000)
        commits.append({'member': m.name, 'offsets': [[tp.partition, tp.offset] for tp in result], 'from': before_ms, 'to': after_ms})
    listed = stable_list(2)
    print(json.dumps({'first': first, 'a': member_report(a), 'b': member_report(b), 'commits': commits, 'listed': listed}), flush=True)
    # Keep both members in the group (heartbeating) until the test has read the log.
    import select
    while True:
        ready, _, _ = select.select([sys.stdin], [], [], 0.05)
        if ready and sys.stdin.readline() == '':
            break
        a.poll(0)
        b.poll(0)
    b.consumer.close()
    a.consumer.close()
    return None


out = {'rebalance': rebalance, 'static': static, 'records': records}[scenario]()
if out is not None:
    print(json.dumps(out), flush=True)
