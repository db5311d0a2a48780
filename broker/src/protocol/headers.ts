/**
 * Request and response framing around the generated bodies (docs/protocol.html "Common Request and
 * Response Structure"): which header version an (apiKey, apiVersion) uses, and whole-frame helpers.
 *
 * Header versions: requests use v1, or v2 at flexible versions, except ControlledShutdown v0 (v0 header);
 * responses use v0, or v1 at flexible versions, except ApiVersions, whose response header is always v0
 * so that a client can read it before it knows which versions the broker speaks.
 */
import { ProtocolDecodeError } from './decode-error';
import { ApiKey, apiCodec } from './generated';
import { RequestHeader, decodeRequestHeader, encodeRequestHeader } from './generated/request-header';
import { decodeResponseHeader, encodeResponseHeader } from './generated/response-header';
import { ByteReader, ByteWriter } from './primitives';

export type { RequestHeader } from './generated/request-header';

function isFlexible(apiKey: number, apiVersion: number): boolean {
  const codec = apiCodec(apiKey);
  return codec !== undefined && codec.firstFlexibleVersion >= 0 && apiVersion >= codec.firstFlexibleVersion;
}

export function requestHeaderVersion(apiKey: number, apiVersion: number): 0 | 1 | 2 {
  if (apiKey === ApiKey.ControlledShutdown && apiVersion === 0) return 0;
  return isFlexible(apiKey, apiVersion) ? 2 : 1;
}

export function responseHeaderVersion(apiKey: number, apiVersion: number): 0 | 1 {
  if (apiKey === ApiKey.ApiVersions) return 0;
  return isFlexible(apiKey, apiVersion) ? 1 : 0;
}

/** A request frame split into its header and a reader positioned at the body. */
export interface DecodedRequestFrame {
  header: RequestHeader;
  headerVersion: number;
  body: ByteReader;
}

/**
 * Decodes the header of a request frame (the bytes after the size prefix). The api key and version
 * are read first to choose the header version; an unknown key or version still yields a header
 * (v1, the layout every non-flexible request shares) so the caller can answer with its correlation id.
 */
export function decodeRequestFrame(frame: Buffer): DecodedRequestFrame {
  if (frame.length < 8) throw new ProtocolDecodeError(`request frame of ${frame.length} bytes is too short for a header`, 0);
  const apiKey = frame.readInt16BE(0);
  const apiVersion = frame.readInt16BE(2);
  const codec = apiCodec(apiKey);
  const known = codec !== undefined && apiVersion >= codec.minVersion && apiVersion <= codec.maxVersion;
  const headerVersion = known ? requestHeaderVersion(apiKey, apiVersion) : 1;
  const r = new ByteReader(frame);
  const header = decodeRequestHeader(r, headerVersion);
  return { header, headerVersion, body: r };
}

/** Builds a whole request frame, size prefix included. */
export function encodeRequestFrame(
  header: { apiKey: number; apiVersion: number; correlationId: number; clientId: string | null },
  writeBody: (w: ByteWriter) => void,
): Buffer {
  const w = new ByteWriter(256);
  const sizeAt = w.reserve(4);
  const headerVersion = requestHeaderVersion(header.apiKey, header.apiVersion);
  encodeRequestHeader(
    w,
    { requestApiKey: header.apiKey, requestApiVersion: header.apiVersion, correlationId: header.correlationId, clientId: header.clientId },
    headerVersion,
  );
  writeBody(w);
  w.patchInt32(sizeAt, w.length - 4);
  return w.finish();
}

/** Builds a whole response frame, size prefix included. */
export function encodeResponseFrame(apiKey: number, apiVersion: number, correlationId: number, writeBody: (w: ByteWriter) => void, sizeHint = 256): Buffer {
  return responseFrameWriter(apiKey, apiVersion, correlationId, writeBody, sizeHint).finish();
}

/**
 * The same frame as views for a gathering socket write: large record sets (Fetch) are not copied
 * into it (ByteWriter.finishChunks). `sizeHint` should leave those out.
 */
export function encodeResponseFrameChunks(apiKey: number, apiVersion: number, correlationId: number, writeBody: (w: ByteWriter) => void, sizeHint = 256): Buffer | Buffer[] {
  return responseFrameWriter(apiKey, apiVersion, correlationId, writeBody, sizeHint).finishChunks();
}

function responseFrameWriter(apiKey: number, apiVersion: number, correlationId: number, writeBody: (w: ByteWriter) => void, sizeHint: number): ByteWriter {
  // A right-sized buffer writes what it copies once instead of on every doubling.
  const w = new ByteWriter(Math.max(64, sizeHint));
  const sizeAt = w.reserve(4);
  encodeResponseHeader(w, { correlationId }, responseHeaderVersion(apiKey, apiVersion));
  writeBody(w);
  w.patchInt32(sizeAt, w.length - 4);
  return w;
}

/** Reads a response header (the bytes after the size prefix), leaving the reader at the body. */
export function decodeResponseFrame(frame: Buffer, apiKey: number, apiVersion: number): { correlationId: number; body: ByteReader } {
  const r = new ByteReader(frame);
  const { correlationId } = decodeResponseHeader(r, responseHeaderVersion(apiKey, apiVersion));
  return { correlationId, body: r };
}
