// IPv4/IPv6 longest-prefix match: vnetsim's compiled trie vs a plain DIR-24-8 and npm peers (filled in below).
import type { Suite, SuiteResult } from '../suite.js';

export const lpmSuite: Suite = {
  name: 'lpm',
  description: 'IPv4/IPv6 longest-prefix match: lookupBatch M lookups/s, bytes, build time vs DIR-24-8 and npm peers',
  async run(): Promise<SuiteResult> {
    return { name: 'lpm', rows: [], notes: ['not implemented yet'] };
  },
};
