/** A user-facing failure of an admin tool: printed as one line on stderr, exit code 1, no stack trace. */
export class ToolError extends Error {
  override readonly name = 'ToolError';
}
