/** A mistake in how the command was called: exit 2 with the message, no stack trace. */
export class UsageError extends Error {
  override name = 'UsageError';
}
