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

/**
 * A whole response frame, size prefix included: one Buffer, or its pieces in order for one
 * gathering write (a Fetch response's record sets, sent as the log read them, uncopied).
 */
export type ResponseFrame = Buffer | readonly Buffer[];

/** Bytes in a response frame. */
export function responseFrameLength(frame: ResponseFrame): number {
  if (Buffer.isBuffer(frame)) return frame.length;
  let n = 0;
  for (const chunk of frame) n += chunk.length;
  return n;
}

export interface RequestHandler {
  /**
   * Handles one request. Returns the whole response frame or null to send nothing. Requests of one
   * connection are never handed over concurrently.
   */
  handle(request: NetworkRequest): Promise<ResponseFrame | null>;
}

/** Thrown by a handler to close the connection without a response (Kafka's CloseConnectionResponse). */
export class CloseConnection extends Error {
  override readonly name = 'CloseConnection';
  constructor(reason = 'handler asked to close the connection') {
    super(reason);
  }
}
