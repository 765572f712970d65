/** An argument the LPM tables reject: host bits set, length out of range, a value that is not an int 0..2^31-1. */
export class LpmArgumentError extends RangeError {
  override readonly name = 'LpmArgumentError';
}

/** A table outgrew a fixed limit (builder nodes, compiled array sizes). The message names the limit. */
export class LpmCapacityError extends Error {
  override readonly name = 'LpmCapacityError';
  constructor(
    readonly limit: number,
    message: string,
  ) {
    super(message);
  }
}

/** Largest value a table stores: compiled entries keep values and node pointers apart by sign. */
export const LPM_MAX_VALUE = 0x7fffffff;

/** Throws unless value is an integer 0..LPM_MAX_VALUE; `where` builds the message only on failure. */
export function checkValue(value: number, where: () => string): void {
  if (!Number.isInteger(value) || value < 0 || value > LPM_MAX_VALUE)
    throw new LpmArgumentError(`${where()}: value ${String(value)} is not an integer from 0 to ${LPM_MAX_VALUE}`);
}

export function checkLength(length: number, max: number, where: string): void {
  if (!Number.isInteger(length) || length < 0 || length > max)
    throw new LpmArgumentError(`${where}: prefix length ${String(length)} is not an integer from 0 to ${max}`);
}

/** Checks a batch call once (never per address). */
export function checkBatch(addrsLen: number, wordsPerAddr: number, outLen: number, count: number): void {
  if (!Number.isInteger(count) || count < 0 || count * wordsPerAddr > addrsLen || count > outLen)
    throw new LpmArgumentError(
      `lookupBatch: count ${String(count)} must be an integer from 0 to min(addrs.length/${wordsPerAddr}=${Math.floor(addrsLen / wordsPerAddr)}, out.length=${outLen})`,
    );
}
