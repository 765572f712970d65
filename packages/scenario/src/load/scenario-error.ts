// Errors of scenario files: every problem of a file at once, each located (file, line, column, path).

/** One located problem. `line`/`column` are 1-based; 0 when the problem concerns the whole file. */
export interface ScenarioProblem {
  file: string;
  line: number;
  column: number;
  /** `steps[3].expect.disposition`, `network.vnets[0].subnets[1].prefix`, '' for the whole file. */
  path: string;
  message: string;
}

/** A scenario file that cannot be run. `problems` lists every problem found, sorted by position. */
export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
  constructor(
    readonly problems: ScenarioProblem[],
    /** The file's text, for showing the offending line (absent when the file could not be read). */
    readonly source?: string,
  ) {
    const first = problems[0];
    const where = first === undefined ? '' : `${first.file}:${first.line}:${first.column}${first.path ? ` ${first.path}` : ''}: `;
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
    super(`${where}${first?.message ?? 'invalid scenario'}${more}`);
  }
}

/**
 * A scenario that reads the project's public data (`.../shared/data/...`, e.g. Microsoft's service-tag file) on a
 * machine where that data is absent: not an invalid file; runners report it as skipped and say why.
 */
export class MissingDataError extends ScenarioError {
  constructor(
    readonly file: string,
    readonly missing: string,
  ) {
    super([{ file, line: 0, column: 0, path: 'serviceTags', message: `data absent: ${missing} (the scenario needs it; skipped)` }]);
  }
}

/** Levenshtein distance, case-insensitive (names differ by case are the closest of all). */
export function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  if (x === y) return a === b ? 0 : 0.5;
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    for (let j = 1; j <= y.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[y.length]!;
}

/** The closest candidate when it is close enough to be a likely typo, else undefined. */
export function suggest(found: string, candidates: readonly string[]): string | undefined {
  if (found.length > 200) return undefined;
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(found, c);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  const limit = Math.max(2, Math.floor((best?.length ?? 0) / 3));
  return bestD <= limit ? best : undefined;
}

/** ` (did you mean X?)` or ''. */
export function didYouMean(found: string, candidates: readonly string[]): string {
  const s = suggest(found, candidates);
  return s === undefined ? '' : `; did you mean ${s}?`;
}
