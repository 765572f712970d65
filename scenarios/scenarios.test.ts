// The scenario library is a test suite: every file under scenarios/ loads strictly and every expectation holds.
import { describe, expect, it } from 'vitest';
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
    it(`${name}: every expectation holds`, () => {
      let scenario: Scenario;
      try {
        scenario = loadScenarioFile(file);
      } catch (e) {
        if (!(e instanceof MissingDataError)) throw e;
        console.warn(`${name}: ${e.message}`);
        return;
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
