/** network/: the broker's socket server (listeners, framing, muting, size and idle limits). */
export { SocketServer } from './socket-server';
export type { SocketServerConfig, ListenerConfig, SocketServerMetrics } from './socket-server';
export { CloseConnection } from './request-handler';
export type { NetworkRequest, RequestHandler } from './request-handler';
export { BrokerClient, BrokerClientError } from './broker-client';
export type { BrokerClientOptions } from './broker-client';
