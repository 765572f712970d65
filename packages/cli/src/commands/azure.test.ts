import { fileURLToPath } from 'node:url';
// `vnetsim tags diff` and `vnetsim import`: arguments, output formats (the libraries are tested in @vnetsim/azure).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { main } from '../main.js';

/** The repository root: data and built files are found from here, whatever the working directory. */
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

const DIR = path.resolve(ROOT, '../shared/data/service-tags');
const OLD = path.join(DIR, 'ServiceTags_Public.cn240.json');
const NEW = path.join(DIR, 'ServiceTags_Public.cn376.json');
const QUICKSTART = path.resolve(ROOT, '../shared/data/azure-shapes/quickstart_vnet-2subnets-service-endpoints-storage-integration_azuredeploy.json');

describe(`vnetsim tags diff on the real editions cn240 -> cn376 (reads ${DIR})`, () => {
  const present = existsSync(OLD) && existsSync(NEW);

  it.skipIf(!present)('vnetsim tags diff prints the report (--json) and a table', async () => {
    const out: string[] = [], err: string[] = [];
    const io = { out: (t: string) => out.push(t), err: (t: string) => err.push(t) };
    expect(await main(['tags', 'diff', OLD, NEW, '--service', 'Storage', '--region', 'westeurope', '--json'], io)).toBe(0);
    const doc = JSON.parse(out.join('\n'));
    expect(doc.tags.map((t: { tag: string }) => t.tag)).toEqual(['Storage.WestEurope']);
    out.length = 0;
    expect(await main(['tags', 'diff', OLD, NEW, '--service', 'Storage', '--region', 'westeurope'], io)).toBe(0);
    expect(out.join('\n')).toMatch(/change 240 -> 376: 1 tag changed[\s\S]*Storage\.WestEurope\s+changed\s+22\s+0/);
  });
});

describe('vnetsim import and tags: arguments', () => {
  const run = async (argv: string[]) => {
    const out: string[] = [], err: string[] = [];
    const code = await main(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };

  it('tags needs the diff subcommand and two files; import needs a readable JSON template', async () => {
    expect((await run(['tags', 'show', 'a.json'])).code).toBe(2);
    expect((await run(['tags', 'diff', 'a.json'])).err).toMatch(/needs OLD.json and NEW.json/);
    expect((await run(['import', '/nonexistent/t.json'])).err).toMatch(/no such file or directory/);
  });

  it.skipIf(!existsSync(QUICKSTART))(`import prints a scenario YAML on stdout and warnings on stderr (reads ${QUICKSTART})`, async () => {
    const r = await run(['import', QUICKSTART, '--name', 'qs', '--location', 'northeurope']);
    expect(r.code).toBe(0);
    const doc = parse(r.out);
    expect(Object.keys(doc)).toEqual(['name', 'description', 'network', 'steps']);
    expect(doc.name).toBe('qs');
    expect(doc.steps.length).toBeGreaterThan(0); // default steps, each with the expectation that holds now
    expect(doc.network.vnets[0].region).toBe('northeurope');
    expect(r.err).toMatch(/placeholder: [a-z2-7]{13}\w* serviceAddress = /);
    const j = await run(['import', QUICKSTART, '--json']);
    expect(JSON.parse(j.out).warnings.length).toBeGreaterThan(3);
  });
});
