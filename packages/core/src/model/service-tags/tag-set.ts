import type { ServiceTag, ServiceTagSet } from './types.js';

/** A ServiceTagSet over an array of tags; names are looked up case-insensitively. */
export class ServiceTagMap implements ServiceTagSet {
  private readonly byName = new Map<string, ServiceTag>();

  constructor(
    readonly source: string,
    readonly changeNumber: number,
    readonly cloud: string,
    private readonly tags: readonly ServiceTag[],
  ) {
    for (const t of tags) this.byName.set(t.name.toLowerCase(), t);
  }

  get(name: string): ServiceTag | undefined {
    return this.byName.get(String(name).toLowerCase());
  }

  has(name: string): boolean {
    return this.byName.has(String(name).toLowerCase());
  }

  all(): readonly ServiceTag[] {
    return this.tags;
  }
}
