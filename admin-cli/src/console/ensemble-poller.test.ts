import { ensembleServers, parseSrvrMode } from './ensemble-poller';

describe('ZooKeeper ensemble view', () => {
  it('numbers the servers of a connect string from 1 in order and ignores the chroot', () => {
    expect(ensembleServers('127.0.0.1:2181,127.0.0.1:2182,zk-3:2183/samsa')).toEqual([
      { id: 1, host: '127.0.0.1', port: 2181 },
      { id: 2, host: '127.0.0.1', port: 2182 },
      { id: 3, host: 'zk-3', port: 2183 },
    ]);
    expect(ensembleServers('zookeeper')).toEqual([{ id: 1, host: 'zookeeper', port: 2181 }]);
    expect(() => ensembleServers('h:99999')).toThrow("invalid ZooKeeper server 'h:99999'");
  });

  it("reads srvr's Mode line; a server not serving requests is down", () => {
    expect(parseSrvrMode('Zookeeper version: 3.8.4\nLatency min/avg/max: 0/0.0/0\nMode: leader\nNode count: 5\n')).toBe('leader');
    expect(parseSrvrMode('Mode: follower\n')).toBe('follower');
    expect(parseSrvrMode('Mode: standalone\n')).toBe('standalone');
    expect(parseSrvrMode('This ZooKeeper instance is not currently serving requests\n')).toBe('down');
  });
});
