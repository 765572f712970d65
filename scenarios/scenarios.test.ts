// The scenario library is a test suite: every file under scenarios/ loads strictly and every expectation holds.
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { findScenarioFiles, loadScenarioFile, MissingDataError, runScenario, type Scenario } from '@vnetsim/scenario';

const dir = fileURLToPath(new URL('.', import.meta.url));
const files = findScenarioFiles(dir);

describe('scenario library', () => {
  it('has scenarios', () => {
    expect(files.length).toBeGreaterThan(0);
  });
  for (const file of files) {
    const name = file.slice(dir.length);
    it(`${name}: every expectation holds`, (ctx) => {
      let scenario: Scenario;
      try {
        scenario = loadScenarioFile(file);
      } catch (e) {
        if (!(e instanceof MissingDataError)) throw e;
        return ctx.skip(`data absent: ${e.missing}`);
      }
      const result = runScenario(scenario);
      const failed = result.steps.filter((s) => !s.passed).map((s) => `step ${s.index} (${s.kind}, line ${s.line}): ${s.failures.join('; ')}`);
      expect(failed).toEqual([]);
      // Conservation: every packet that entered has exactly one disposition.
      const sum = Object.values(result.counters.dispositions).reduce((a, b) => a + b, 0);
      expect(sum).toBe(result.counters.packetsIn);
    });
  }
});

// The README's flagship example holds with Microsoft's own tags too (its addresses are real Storage.WestEurope ones).
const realTags = fileURLToPath(new URL('../../shared/data/service-tags/ServiceTags_Public.cn376.json', import.meta.url));
describe('quickstart with the real service-tag file', () => {
  it.skipIf(!existsSync(realTags))('quickstart.yaml passes with ServiceTags_Public.cn376.json (reads ../shared/data/service-tags; skipped when absent)', () => {
    const s = loadScenarioFile(`${dir}quickstart.yaml`, { serviceTagsFile: realTags });
    expect(s.serviceTags.changeNumber).toBe(376);
    const result = runScenario(s);
    const failed = result.steps.filter((x) => !x.passed).map((x) => `step ${x.index} (${x.kind}, line ${x.line}): ${x.failures.join('; ')}`);
    expect(failed).toEqual([]);
    expect(result.counters.packetsIn).toBeGreaterThan(100_000);
  });
});
