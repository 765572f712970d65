// Compiled inputs (scenario text, service tag files) stored once, content-addressed by sha256. Jobs carry the hash; a
// worker fetches the text and checks it against the hash before it trusts it.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { KEEP_SECONDS } from './connection.js';

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const blobKey = (sha: string) => `vnetsim:blob:${sha}`;

/** Stores `text` once (SET NX) and returns its sha256. */
export async function putBlob(redis: Redis, text: string): Promise<string> {
  const sha = sha256(text);
  await redis.set(blobKey(sha), text, 'EX', KEEP_SECONDS, 'NX');
  await redis.expire(blobKey(sha), KEEP_SECONDS);
  return sha;
}

export async function getBlob(redis: Redis, sha: string): Promise<string> {
  const text = await redis.get(blobKey(sha));
  if (text === null) throw new Error(`input ${sha.slice(0, 12)} is not in Redis (expired or flushed): run the command again`);
  if (sha256(text) !== sha) throw new Error(`input ${sha.slice(0, 12)} in Redis does not match its hash: refusing it`);
  return text;
}

/** A blob as a local file (the scenario loader reads tag files by path), cached by hash. */
export async function blobFile(redis: Redis, sha: string, ext: string): Promise<string> {
  const dir = path.join(tmpdir(), 'vnetsim-blobs');
  const file = path.join(dir, `${sha}${ext}`);
  if (!existsSync(file)) {
    const text = await getBlob(redis, sha);
    mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, text);
    // rename is atomic: two workers on one machine never read half a file
    renameSync(tmp, file);
  }
  return file;
}
