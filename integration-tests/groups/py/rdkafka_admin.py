"""librdkafka's own AdminClient group APIs, called through ctypes.

confluent-kafka 1.7 (Debian's python3-confluent-kafka) wraps librdkafka 2.0.2 but predates the Python
list_consumer_groups()/describe_consumer_groups() of confluent-kafka 2.0. Those Python methods are thin
wrappers over rd_kafka_ListConsumerGroups / rd_kafka_DescribeConsumerGroups, which the installed
librdkafka 2.0.2 already exports; this module calls them directly so the test exercises exactly the
client code an AdminClient.list_consumer_groups()/describe_consumer_groups() call runs.
"""
import ctypes
import ctypes.util

_lib = ctypes.CDLL(ctypes.util.find_library('rdkafka') or 'librdkafka.so.1')
_p = ctypes.c_void_p
_size = ctypes.c_size_t


class _TopicPartition(ctypes.Structure):
    _fields_ = [('topic', ctypes.c_char_p), ('partition', ctypes.c_int32), ('offset', ctypes.c_int64),
                ('metadata', _p), ('metadata_size', _size), ('opaque', _p), ('err', ctypes.c_int), ('_private', _p)]


class _TopicPartitionList(ctypes.Structure):
    _fields_ = [('cnt', ctypes.c_int), ('size', ctypes.c_int), ('elems', ctypes.POINTER(_TopicPartition))]


def _fn(name, restype, *argtypes):
    f = getattr(_lib, name)
    f.restype = restype
    f.argtypes = list(argtypes)
    return f


_str = ctypes.c_char_p
_conf_new = _fn('rd_kafka_conf_new', _p)
_conf_set = _fn('rd_kafka_conf_set', ctypes.c_int, _p, _str, _str, _str, _size)
_new = _fn('rd_kafka_new', _p, ctypes.c_int, _p, _str, _size)
_destroy = _fn('rd_kafka_destroy', None, _p)
_queue_new = _fn('rd_kafka_queue_new', _p, _p)
_queue_destroy = _fn('rd_kafka_queue_destroy', None, _p)
_queue_poll = _fn('rd_kafka_queue_poll', _p, _p, ctypes.c_int)
_event_destroy = _fn('rd_kafka_event_destroy', None, _p)
_event_error = _fn('rd_kafka_event_error', ctypes.c_int, _p)
_event_error_string = _fn('rd_kafka_event_error_string', _str, _p)
_err2name = _fn('rd_kafka_err2name', _str, ctypes.c_int)
_error_code = _fn('rd_kafka_error_code', ctypes.c_int, _p)
_error_string = _fn('rd_kafka_error_string', _str, _p)
_state_name = _fn('rd_kafka_consumer_group_state_name', _str, ctypes.c_int)

_list = _fn('rd_kafka_ListConsumerGroups', None, _p, _p, _p)
_list_result = _fn('rd_kafka_event_ListConsumerGroups_result', _p, _p)
_list_valid = _fn('rd_kafka_ListConsumerGroups_result_valid', ctypes.POINTER(_p), _p, ctypes.POINTER(_size))
_list_errors = _fn('rd_kafka_ListConsumerGroups_result_errors', ctypes.POINTER(_p), _p, ctypes.POINTER(_size))
_listing_group_id = _fn('rd_kafka_ConsumerGroupListing_group_id', _str, _p)
_listing_simple = _fn('rd_kafka_ConsumerGroupListing_is_simple_consumer_group', ctypes.c_int, _p)
_listing_state = _fn('rd_kafka_ConsumerGroupListing_state', ctypes.c_int, _p)

_describe = _fn('rd_kafka_DescribeConsumerGroups', None, _p, ctypes.POINTER(_str), _size, _p, _p)
_describe_result = _fn('rd_kafka_event_DescribeConsumerGroups_result', _p, _p)
_describe_groups = _fn('rd_kafka_DescribeConsumerGroups_result_groups', ctypes.POINTER(_p), _p, ctypes.POINTER(_size))
_desc_group_id = _fn('rd_kafka_ConsumerGroupDescription_group_id', _str, _p)
_desc_error = _fn('rd_kafka_ConsumerGroupDescription_error', _p, _p)
_desc_simple = _fn('rd_kafka_ConsumerGroupDescription_is_simple_consumer_group', ctypes.c_int, _p)
_desc_assignor = _fn('rd_kafka_ConsumerGroupDescription_partition_assignor', _str, _p)
_desc_state = _fn('rd_kafka_ConsumerGroupDescription_state', ctypes.c_int, _p)
_desc_coordinator = _fn('rd_kafka_ConsumerGroupDescription_coordinator', _p, _p)
_desc_member_count = _fn('rd_kafka_ConsumerGroupDescription_member_count', _size, _p)
_desc_member = _fn('rd_kafka_ConsumerGroupDescription_member', _p, _p, _size)
_member_client_id = _fn('rd_kafka_MemberDescription_client_id', _str, _p)
_member_instance_id = _fn('rd_kafka_MemberDescription_group_instance_id', _str, _p)
_member_consumer_id = _fn('rd_kafka_MemberDescription_consumer_id', _str, _p)
_member_host = _fn('rd_kafka_MemberDescription_host', _str, _p)
_member_assignment = _fn('rd_kafka_MemberDescription_assignment', _p, _p)
_assignment_partitions = _fn('rd_kafka_MemberAssignment_partitions', ctypes.POINTER(_TopicPartitionList), _p)
_node_id = _fn('rd_kafka_Node_id', ctypes.c_int, _p)
_node_host = _fn('rd_kafka_Node_host', _str, _p)
_node_port = _fn('rd_kafka_Node_port', ctypes.c_uint16, _p)

_RD_KAFKA_PRODUCER = 0


def _text(b):
    return None if b is None else b.decode()


class RdKafkaAdmin:
    """One librdkafka handle with a result queue, like confluent-kafka's AdminClient."""

    def __init__(self, bootstrap):
        errstr = ctypes.create_string_buffer(512)
        conf = _conf_new()
        if _conf_set(conf, b'bootstrap.servers', bootstrap.encode(), errstr, 512) != 0:
            raise RuntimeError(errstr.value.decode())
        self._rk = _new(_RD_KAFKA_PRODUCER, conf, errstr, 512)
        if not self._rk:
            raise RuntimeError(errstr.value.decode())
        self._queue = _queue_new(self._rk)

    def close(self):
        _queue_destroy(self._queue)
        _destroy(self._rk)

    def _await(self, result_of, timeout_s):
        """Polls the queue for the admin result event; returns (event, result)."""
        ev = _queue_poll(self._queue, int(timeout_s * 1000))
        if not ev:
            raise RuntimeError('no admin result within %ss' % timeout_s)
        err = _event_error(ev)
        if err != 0:
            msg = _text(_event_error_string(ev))
            _event_destroy(ev)
            raise RuntimeError('%s: %s' % (_text(_err2name(err)), msg))
        return ev, result_of(ev)

    def list_consumer_groups(self, timeout_s=20):
        """rd_kafka_ListConsumerGroups: ListGroups sent to every broker, merged."""
        _list(self._rk, None, self._queue)
        ev, result = self._await(_list_result, timeout_s)
        try:
            cnt = _size()
            valid = _list_valid(result, ctypes.byref(cnt))
            groups = [{'groupId': _text(_listing_group_id(valid[i])), 'isSimple': bool(_listing_simple(valid[i])),
                       'state': _text(_state_name(_listing_state(valid[i])))} for i in range(cnt.value)]
            ecnt = _size()
            errors = _list_errors(result, ctypes.byref(ecnt))
            errs = [{'code': _text(_err2name(_error_code(errors[i]))), 'message': _text(_error_string(errors[i]))} for i in range(ecnt.value)]
            return {'valid': groups, 'errors': errs}
        finally:
            _event_destroy(ev)

    def describe_consumer_groups(self, group_ids, timeout_s=20):
        """rd_kafka_DescribeConsumerGroups: FindCoordinator then DescribeGroups per group."""
        arr = (_str * len(group_ids))(*[g.encode() for g in group_ids])
        _describe(self._rk, arr, len(group_ids), None, self._queue)
        ev, result = self._await(_describe_result, timeout_s)
        try:
            cnt = _size()
            descs = _describe_groups(result, ctypes.byref(cnt))
            out = []
            for i in range(cnt.value):
                d = descs[i]
                error = _desc_error(d)
                coordinator = _desc_coordinator(d)
                members = []
                for j in range(_desc_member_count(d)):
                    m = _desc_member(d, j)
                    parts = []
                    assignment = _member_assignment(m)
                    if assignment:
                        tpl = _assignment_partitions(assignment)
                        if tpl:
                            parts = sorted([_text(tpl.contents.elems[k].topic), tpl.contents.elems[k].partition] for k in range(tpl.contents.cnt))
                    members.append({'consumerId': _text(_member_consumer_id(m)), 'clientId': _text(_member_client_id(m)),
                                    'groupInstanceId': _text(_member_instance_id(m)), 'host': _text(_member_host(m)),
                                    'assignment': parts})
                out.append({'groupId': _text(_desc_group_id(d)),
                            'error': None if not error else {'code': _text(_err2name(_error_code(error))), 'message': _text(_error_string(error))},
                            'isSimple': bool(_desc_simple(d)), 'partitionAssignor': _text(_desc_assignor(d)),
                            'state': _text(_state_name(_desc_state(d))),
                            'coordinator': None if not coordinator else {'id': _node_id(coordinator), 'host': _text(_node_host(coordinator)),
                                                                         'port': _node_port(coordinator)},
                            'members': members})
            return out
        finally:
            _event_destroy(ev)
