// What a job carries: descriptions and content hashes, never packets.
import type { ReplayShape } from '../replay/shard.js';

export interface InputRef {
  /** sha256 of the scenario text. */
  scenario: string;
  /** The file name as the user gave it (results and messages name it). */
  file: string;
  /** sha256 of the service tags file in use, or null for the built-in set. */
  tags: string | null;
}

export interface RunJob {
  kind: 'run';
  version: string;
  input: InputRef;
}

export interface ReplayJob {
  kind: 'replay';
  version: string;
  run: string;
  shard: number;
  shape: ReplayShape;
  input: InputRef;
}

export type AnyJob = RunJob | ReplayJob | { kind: string; version: string };

/** The clear message a worker gives for a job of another version. */
export function versionMismatch(jobId: string | undefined, jobVersion: unknown, mine: string): string {
  return `job ${jobId ?? '?'} was built by vnetsim ${String(jobVersion)}, this worker is vnetsim ${mine}: ` +
    'refusing it (run workers of the same version as the command that queued it)';
}
