// The steps an imported scenario starts with, so `run` on it shows the network's behaviour: the effective routes of
// each subnet, and from each VM (not the appliances) the next hop and a connection to each service and to the
// Internet. Each step's expectation is what the imported network does now: a later edit that changes a verdict fails
// the step and shows the difference.

import type { NetworkSpec } from '@vnetsim/core';
import { formatScenarioYaml, parseScenario, runScenario, type ScenarioResult } from '@vnetsim/scenario';

/** A stand-in for "the Internet": a public address no Azure service tag holds in the built-in set. */
export const INTERNET_PROBE = '8.8.8.8';
/** More steps than this make the file hard to read; the rest are said in the description. */
export const MAX_DEFAULT_STEPS = 300;

const SERVICE_PORT: Record<string, number> = { 'Microsoft.Sql': 1433 };

/** Steps without expectations (filled by `withSnapshotExpectations`). */
export function defaultSteps(net: NetworkSpec): { steps: Array<Record<string, unknown>>; left: number } {
  const steps: Array<Record<string, unknown>> = [];
  for (const v of net.vnets) for (const s of v.subnets) steps.push({ effectiveRoutes: { subnet: `${v.name}/${s.name}` } });
  for (const vm of net.vms) {
    if (vm.ipForwarding || vm.appliance !== undefined) continue;
    for (const svc of net.services) {
      steps.push({ nextHop: { from: vm.name, to: svc.address } });
      steps.push({ connect: { from: vm.name, to: svc.name, protocol: 'Tcp', port: SERVICE_PORT[svc.type] ?? 443 } });
    }
    steps.push({ nextHop: { from: vm.name, to: INTERNET_PROBE } });
    steps.push({ connect: { from: vm.name, to: INTERNET_PROBE, protocol: 'Tcp', port: 443 } });
  }
  const left = Math.max(0, steps.length - MAX_DEFAULT_STEPS);
  return { steps: steps.slice(0, MAX_DEFAULT_STEPS), left };
}

/** The expectation that holds for one step's result now. */
function expectationOf(kind: string, result: Record<string, unknown>): Record<string, unknown> | undefined {
  switch (kind) {
    case 'effectiveRoutes': {
      const rows = (result['routes'] as Array<Record<string, unknown>>) ?? [];
      // The rows that say where traffic goes: user routes and whatever holds the default route.
      const keep = rows.filter((r) => r['source'] === 'User' || r['prefix'] === '0.0.0.0/0' || String(r['prefix']).split(',').includes('0.0.0.0/0'));
      const contains = keep.map((r) => ({ prefix: String(r['prefix']).split(',')[0], source: r['source'], state: r['state'], nextHopType: r['nextHopType'] }));
      return contains.length === 0 ? undefined : { contains };
    }
    case 'nextHop':
      return { nextHopType: result['nextHopType'], ...(typeof result['nextHopIp'] === 'string' ? { nextHopIp: result['nextHopIp'] } : {}) };
    case 'connect':
      return {
        disposition: result['disposition'],
        ...(typeof result['sourceSeenByService'] === 'string' ? { sourceSeenByService: result['sourceSeenByService'] } : {}),
      };
    default:
      return undefined;
  }
}

export interface SnapshotResult {
  steps: Array<Record<string, unknown>>;
  /** The run of the steps (each passes by construction). */
  run?: ScenarioResult;
  /** Why the steps carry no expectations (the network did not load). */
  problem?: string;
}

/** Runs the steps on the imported network and writes what each found as its expectation. */
export function withSnapshotExpectations(doc: Record<string, unknown>, steps: Array<Record<string, unknown>>, file: string): SnapshotResult {
  let scenario;
  try {
    scenario = parseScenario(formatScenarioYaml({ ...doc, steps }), file);
  } catch (e) {
    return { steps, problem: (e as Error).message.split('\n').slice(0, 4).join('; ') };
  }
  const run = runScenario(scenario);
  const out = steps.map((s, i) => {
    const r = run.steps[i];
    const e = r === undefined ? undefined : expectationOf(r.kind, r.result);
    return e === undefined ? s : { ...s, expect: e };
  });
  return { steps: out, run };
}

/** One line per step result, for `--then-run`. */
export function describeStep(kind: string, step: Record<string, unknown>, result: Record<string, unknown>): string {
  const args = (step[kind] ?? {}) as Record<string, unknown>;
  switch (kind) {
    case 'effectiveRoutes': {
      const rows = (result['routes'] as Array<Record<string, unknown>>) ?? [];
      const def = rows.find((r) => r['state'] === 'Active' && String(r['prefix']).split(',').includes('0.0.0.0/0'));
      const user = rows.filter((r) => r['source'] === 'User').length;
      return `effective routes of ${String(args['subnet'])}: ${rows.length} rows (${user} user); 0.0.0.0/0 -> ${def === undefined ? 'none active' : `${String(def['nextHopType'])}${def['nextHopIp'] ? ` ${String(def['nextHopIp'])}` : ''}`}`;
    }
    case 'nextHop':
      return `next hop ${String(args['from'])} -> ${String(args['to'])}: ${String(result['nextHopType'])}${result['nextHopIp'] ? ` ${String(result['nextHopIp'])}` : ''} (${String(result['routeTable'])})`;
    case 'connect': {
      const seen = result['sourceSeenByService'];
      const err = result['serviceError'];
      return `connect ${String(args['from'])} -> ${String(args['to'])} ${String(args['protocol'])}/${String(args['port'])}: ${String(result['disposition'])}${result['reason'] ? ` (${String(result['reason'])})` : ''}${typeof seen === 'string' ? `, the service sees ${seen}` : ''}${typeof err === 'string' ? `, ${err}` : ''}`;
    }
    default:
      return kind;
  }
}
