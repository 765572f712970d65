// The errors a scenario step may end with by design. Anything else a step throws is a bug in vnetsim.

/** A step that cannot run as written (a name that resolves to nothing, a sender without an address of the
 * destination's family, an unknown connection): the step fails with this message, the run goes on. */
export class StepError extends Error {
  override readonly name = 'StepError';
}

/** A bug met while running a step: carries where (file, step, line); the original error is the `cause`. */
export class StepBugError extends Error {
  override readonly name = 'StepBugError';
  constructor(
    readonly file: string,
    readonly step: number,
    readonly line: number,
    cause: unknown,
  ) {
    super(`${file}: step ${step} (line ${line}): ${(cause as Error)?.message ?? String(cause)}`, { cause });
  }
}
