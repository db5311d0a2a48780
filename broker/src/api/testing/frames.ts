/** Test helpers for api/: real request frames through the RequestHandler surface, and response decoding. */
import { API_CODECS, decodeRequestFrame, decodeResponseFrame, encodeRequestFrame, type ApiMessages, type ByteWriter } from '../../protocol';
import type { NetworkRequest, RequestHandler } from '../../network/request-handler';

/** A NetworkRequest as the SocketServer builds it from a whole frame (size prefix included). */
export function networkRequest(frameWithSize: Buffer): NetworkRequest {
  const frame = frameWithSize.subarray(4);
  const { header, headerVersion, body } = decodeRequestFrame(frame);
  return { frame, header, headerVersion, body, connectionId: '127.0.0.1:9092-127.0.0.1:50000-0', listenerName: 'PLAINTEXT', clientAddress: '127.0.0.1:50000' };
}

/** A handler's response to `req` as one Buffer (a Fetch response may come in pieces for a gathering write). */
export async function handleWhole(handler: RequestHandler, req: NetworkRequest): Promise<Buffer | null> {
  const frame = await handler.handle(req);
  return frame === null || Buffer.isBuffer(frame) ? frame : Buffer.concat(frame);
}

/** A request frame for a known api key, its body encoded by the generated codec. */
export function requestFrame<K extends keyof ApiMessages>(apiKey: K, apiVersion: number, request: ApiMessages[K]['request'], correlationId = 7): Buffer {
  return encodeRequestFrame({ apiKey, apiVersion, correlationId, clientId: 'test-client' }, (w) => API_CODECS[apiKey].encodeRequest(w, request, apiVersion));
}

/** A request frame with a hand-written body (unknown keys, unsupported versions, truncated bodies). */
export function rawRequestFrame(apiKey: number, apiVersion: number, writeBody: (w: ByteWriter) => void, correlationId = 7): Buffer {
  return encodeRequestFrame({ apiKey, apiVersion, correlationId, clientId: 'test-client' }, writeBody);
}

/** Decodes a whole response frame (size prefix included); checks the size prefix and that every byte is read. */
export function decodeResponse<K extends keyof ApiMessages>(
  apiKey: K,
  apiVersion: number,
  frameWithSize: Buffer,
): { correlationId: number; response: ApiMessages[K]['response'] } {
  if (frameWithSize.readInt32BE(0) !== frameWithSize.length - 4) throw new Error('bad size prefix');
  const { correlationId, body } = decodeResponseFrame(frameWithSize.subarray(4), apiKey, apiVersion);
  const response = API_CODECS[apiKey].decodeResponse(body, apiVersion);
  if (body.remaining !== 0) throw new Error(`${body.remaining} trailing bytes`);
  return { correlationId, response };
}
