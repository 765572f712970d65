// Expectations (SCENARIOS.md `expect:`): each compares what a step produced with what the file expects and adds one
// line per difference to `failures`. The step handlers produce; these judge.
import { DISPOSITION_NAMES, type DispositionName } from '@vnetsim/core';
import type { ChangeResult, PacketOutcome } from '@vnetsim/dataplane';
import type { Expect } from '../load/scenario-schema.js';

export function expectEq(failures: string[], key: string, want: unknown, got: unknown): void {
  if (want === undefined) return;
  if (String(want) !== String(got ?? 'null')) failures.push(`${key}: expected ${String(want)}, got ${got === null || got === undefined ? 'none' : String(got)}`);
}

export function checkPacket(e: Expect, o: PacketOutcome, failures: string[]): void {
  expectEq(failures, 'disposition', e.disposition, o.disposition);
  expectEq(failures, 'reason', e.reason, o.reason);
  expectEq(failures, 'rule', e.rule, o.rule);
  expectEq(failures, 'nextHopType', e.nextHopType, o.nextHopType);
  expectEq(failures, 'nextHopIp', e.nextHopIp, o.nextHopIp);
  expectEq(failures, 'routeTable', e.routeTable, o.routeTable);
  expectEq(failures, 'sourceSeenByService', e.sourceSeenByService, o.sourceSeenByService);
  expectEq(failures, 'sourceSeenByDestination', e.sourceSeenByDestination, o.sourceSeenByDestination);
  if (e.serviceError !== undefined) {
    const got = o.serviceError ?? '';
    const want = String(e.serviceError);
    // `403` matches `403 AuthorizationFailure`; the full text matches too.
    if (!(got === want || got.startsWith(`${want} `) || got.split(' ')[0] === want))
      failures.push(`serviceError: expected ${want}, got ${got === '' ? 'none' : got}`);
  }
  if (e.counts !== undefined) {
    for (const name of DISPOSITION_NAMES as DispositionName[]) {
      const want = e.counts[name] ?? 0;
      const got = o.disposition === name ? 1 : 0;
      if (want !== got) failures.push(`counts.${name}: expected ${want}, got ${got}`);
    }
  }
}

/** contains / notContains: an entry matches a row when every key equals the row's value; `prefix` matches any prefix. */
function rowMatches(entry: Record<string, string | number>, row: Record<string, string | number>): boolean {
  return Object.entries(entry).every(([k, v]) => {
    const have = row[k];
    if (have === undefined) return false;
    if (k === 'prefix' || k === 'sourcePrefix' || k === 'destinationPrefix') return String(have).split(',').includes(String(v));
    return String(have) === String(v);
  });
}

export function checkRows(e: Expect, rows: Array<Record<string, string | number>>, failures: string[]): void {
  for (const want of e.contains ?? [])
    if (!rows.some((r) => rowMatches(want, r))) failures.push(`contains: no row matches ${JSON.stringify(want)}`);
  for (const bad of e.notContains ?? [])
    if (rows.some((r) => rowMatches(bad, r))) failures.push(`notContains: a row matches ${JSON.stringify(bad)}`);
}

/** A traffic step's per-disposition counts (`counts`, every disposition; `disposition`, every packet). */
export function checkCounts(e: Expect, counts: Record<string, number>, packets: number, failures: string[]): void {
  if (e.counts !== undefined) {
    for (const name of DISPOSITION_NAMES) {
      const want = e.counts[name] ?? 0;
      const got = counts[name] ?? 0;
      if (want !== got) failures.push(`counts.${name}: expected ${want}, got ${got}`);
    }
  }
  if (e.disposition !== undefined) {
    const other = Object.keys(counts).filter((k) => k !== e.disposition);
    if (other.length > 0 || packets === 0) failures.push(`disposition: expected every packet ${e.disposition}, got ${JSON.stringify(counts)}`);
  }
}

/** A control-plane change: applied or refused with the expected `error`, and the connections it reset. */
export function checkChange(e: Expect, r: ChangeResult, resetConnections: string[], failures: string[]): void {
  if (e.error !== undefined) {
    if (r.ok) failures.push(`error: expected ${e.error}, but the change was applied`);
    else if (r.error!.code !== e.error) failures.push(`error: expected ${e.error}, got ${r.error!.code} (${r.error!.message})`);
  } else if (!r.ok) failures.push(`the change was refused: ${r.error!.code}: ${r.error!.message}`);
  if (e.resetConnections !== undefined) {
    const want = [...e.resetConnections].sort();
    const got = [...resetConnections].sort();
    if (want.join(',') !== got.join(',')) failures.push(`resetConnections: expected [${want.join(', ')}], got [${got.join(', ')}]`);
  }
}
