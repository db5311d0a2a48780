/**
 * The one error type every decoder in protocol/ throws for bytes it cannot accept: truncated input,
 * impossible lengths, bad CRCs, unknown magic. Callers map it to CORRUPT_MESSAGE / INVALID_REQUEST
 * or close the connection; anything else escaping a decoder is a bug.
 */
export class ProtocolDecodeError extends Error {
  override readonly name = 'ProtocolDecodeError';
  /** Byte offset in the input where decoding failed, when known. */
  readonly offset: number | undefined;
  constructor(message: string, offset?: number, options?: ErrorOptions) {
    super(offset === undefined ? message : `${message} (at byte ${offset})`, options);
    this.offset = offset;
  }
}
