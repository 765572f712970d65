// The version a job is stamped with; a worker refuses jobs of any other (different code could count differently, and a
// mix would break exactly-once counting in a way no digest can repair).
import { readFileSync } from 'node:fs';

/** Bumped when a job's shape or the meaning of its slices changes without a package version change. */
const PROTOCOL = 1;

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export const VNETSIM_VERSION = `${packageVersion()}/p${PROTOCOL}`;
