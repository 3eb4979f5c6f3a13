/** A refusal a hosted page answers with its own status and message (an unreadable form, a CSRF mismatch). */
export class PageError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
