// Port specifications of security rules (R-NSG-1): `*`, a single port, a range `a-b`, or a list of those.

/** Inclusive port ranges, sorted and merged. `*` is [[0, 65535]]. */
export type PortRanges = Array<[number, number]>;

export class PortSpecError extends Error {
  override readonly name = 'PortSpecError';
}

function parseOne(item: string): [number, number] {
  const t = item.trim();
  if (t === '*') return [0, 65535];
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(t);
  if (m === null) throw new PortSpecError(`"${item}" is not a port, a range a-b or *`);
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  if (lo > 65535 || hi > 65535) throw new PortSpecError(`"${item}": ports go from 0 to 65535`);
  if (lo > hi) throw new PortSpecError(`"${item}": range start is above its end`);
  return [lo, hi];
}

/** Parses `'*'`, `'443'`, `'1000-2000'`, `'80,443'` or a list of those into merged ranges. */
export function parsePorts(spec: string | number | ReadonlyArray<string | number>): PortRanges {
  const items: string[] = [];
  const add = (x: unknown) => {
    if (typeof x === 'number') items.push(String(x));
    else if (typeof x === 'string') items.push(...x.split(','));
    else throw new PortSpecError(`expected a port string or number, got ${typeof x}`);
  };
  if (Array.isArray(spec)) for (const x of spec) add(x);
  else add(spec);
  if (items.length === 0) throw new PortSpecError('empty port list');
  const ranges = items.map(parseOne).sort((a, b) => a[0] - b[0]);
  const out: PortRanges = [];
  for (const r of ranges) {
    const last = out[out.length - 1];
    if (last !== undefined && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else out.push([r[0], r[1]]);
  }
  return out;
}
