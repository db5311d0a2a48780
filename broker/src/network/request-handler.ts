/**
 * What the network layer hands to the request path (Kafka's RequestChannel.Request) and what it
 * expects back: a whole response frame, null for no response (acks=0 produce), or a thrown
 * CloseConnection to drop the connection (acks=0 produce that failed).
 */
import type { ByteReader, RequestHeader } from '../protocol';

export interface NetworkRequest {
  /** The request frame without its size prefix (header + body); the body may be used in place. */
  frame: Buffer;
  header: RequestHeader;
  headerVersion: number;
  /** Positioned at the first byte of the body. */
  body: ByteReader;
  /** Kafka-style `localHost:localPort-remoteHost:remotePort-index`, unique for this server. */
  connectionId: string;
  listenerName: string;
  /** `host:port` of the client. */
  clientAddress: string;
}

export interface RequestHandler {
  /**
   * Handles one request. Returns the whole response frame (size prefix included) or null to send
   * nothing. Requests of one connection are never handed over concurrently.
   */
  handle(request: NetworkRequest): Promise<Buffer | null>;
}

/** Thrown by a handler to close the connection without a response (Kafka's CloseConnectionResponse). */
export class CloseConnection extends Error {
  override readonly name = 'CloseConnection';
  constructor(reason = 'handler asked to close the connection') {
    super(reason);
  }
}
