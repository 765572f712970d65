// Approximate JS heap size of a peer's structure: heap used after a forced GC, before and after building it.
// gc is reached without --expose-gc through V8's runtime flag (a benchmark-only trick; never in core).
import v8 from 'node:v8';
import vm from 'node:vm';

let gcFn: (() => void) | null = null;
try {
  v8.setFlagsFromString('--expose-gc');
  gcFn = vm.runInNewContext('gc') as () => void;
} catch {
  gcFn = null;
}

export function heapAvailable(): boolean {
  return gcFn !== null;
}

export function heapUsed(): number {
  if (gcFn) {
    gcFn();
    gcFn();
  }
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}
