/** A user-facing failure of an admin tool: printed as one line on stderr, exit code 1, no stack trace. */
export class ToolError extends Error {
  override readonly name = 'ToolError';

  /** `alreadyReported`: the tool printed the failure in Kafka's own words; just exit 1. */
  constructor(
    message: string,
    readonly alreadyReported = false,
  ) {
    super(message);
  }
}
