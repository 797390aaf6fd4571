/**
 * Errors with a stable `code`, converted at the boundary (MQTT response, HTTP status,
 * exit code) — architecture.md: Style.
 */
export class CodedError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'CodedError';
  }
}

/** One problem in a file the user gave us, located by a path (`tills[1].secret`) or a line. */
export interface Problem {
  path: string;
  message: string;
}

export const formatProblems = (problems: readonly Problem[]): string =>
  problems.map((p) => `${p.path}: ${p.message}`).join('\n');

/** A file a user wrote is wrong; every problem is listed, not just the first. */
export class ValidationError extends CodedError {
  constructor(
    readonly what: string,
    readonly problems: readonly Problem[],
  ) {
    super('INVALID', `${what} is not valid:\n${formatProblems(problems)}`);
    this.name = 'ValidationError';
  }
}
