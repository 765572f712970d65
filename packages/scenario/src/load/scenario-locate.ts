// Maps a path (`network.vnets[0].subnets[1].prefix`) back to a position in the YAML file, so that problems found on
// the plain data (validateNetwork, reference checks) point at the line that caused them.

import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter } from 'yaml';

/** Splits `a.b[0].c` into ['a', 'b', 0, 'c']. */
export function splitPath(path: string): Array<string | number> {
  const out: Array<string | number> = [];
  const re = /([^.[\]]+)|\[(\d+)\]/g;
  for (let m = re.exec(path); m !== null; m = re.exec(path)) out.push(m[2] !== undefined ? Number(m[2]) : m[1]!);
  return out;
}

/**
 * Line and column (1-based) of the deepest node of `path` present in the file: the value of the last key found, or
 * the map/list that lacks the next segment (a default-filled key points at its owner).
 */
export function locate(doc: Document, lc: LineCounter, path: string): { line: number; column: number } {
  let node: unknown = doc.contents;
  let at: unknown = node;
  for (const seg of splitPath(path)) {
    for (let i = 0; isAlias(node) && i < 100; i++) node = node.resolve(doc);
    let next: unknown;
    if (typeof seg === 'number' && isSeq(node)) next = node.items[seg];
    else if (typeof seg === 'string' && isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && p.key.value === seg);
      if (pair !== undefined) next = pair.value ?? pair.key;
    }
    if (next === undefined || next === null) break;
    node = next;
    at = next;
  }
  const range = (at as { range?: [number, number, number] } | null)?.range;
  if (range === undefined) return { line: 1, column: 1 };
  const p = lc.linePos(range[0]);
  return { line: p.line, column: p.col };
}
