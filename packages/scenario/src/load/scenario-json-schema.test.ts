// The generated JSON Schema, checked with a real validator (ajv, draft 2020-12): every scenario of the library is
// valid against it, files the loader refuses for their shape are invalid, and docs/scenario.schema.json (the file the
// README's yaml-language-server line points at) is the schema as generated now.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { findScenarioFiles } from './scenario-files.js';
import { scenarioJsonSchema } from './scenario-json-schema.js';
import { parseScenario } from './scenario-load.js';
import { ScenarioError } from './scenario-error.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const schema = scenarioJsonSchema();
const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
const validate = ajv.compile(schema);

const VALID = `name: tiny
network:
  vnets:
    - name: hub
      region: westeurope
      addressSpace: [10.0.0.0/16]
      subnets: [{ name: app, prefix: 10.0.1.0/24, serviceEndpoints: [Microsoft.Storage, { service: Microsoft.Sql, locations: ['*'] }] }]
  vms:
    - { name: vm1, subnet: hub/app, privateIp: 10.0.1.4 }
steps:
  - connect: { id: c1, from: vm1, to: 8.8.8.8, protocol: Tcp, port: 443 }
    expect: { disposition: Delivered }
  - send: { flow: c1 }
  - traffic: { from: vm1, to: 8.8.8.8, protocol: Udp, port: 53, packets: 10 }
    expect: { counts: { Delivered: 10 } }
`;

function check(text: string): boolean {
  return validate(parse(text)) as boolean;
}

describe('vnetsim schema (JSON Schema draft 2020-12)', () => {
  it('compiles in strict mode', () => {
    expect(schema['$schema']).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(typeof validate).toBe('function');
  });

  const files = findScenarioFiles(path.join(ROOT, 'scenarios'));
  it(`every scenario of scenarios/ (${files.length} files) is valid against it`, () => {
    expect(files.length).toBeGreaterThan(20);
    const invalid: string[] = [];
    for (const f of files) if (!validate(parse(readFileSync(f, 'utf8')))) invalid.push(`${f}: ${ajv.errorsText(validate.errors)}`);
    expect(invalid).toEqual([]);
  });

  it('a small valid file (both send forms, both service endpoint forms, both whatif forms) is valid', () => {
    expect(check(VALID)).toBe(true);
    const whatif = `${VALID}  - whatif: { change: { disableServiceEndpoint: { subnet: hub/app, service: Microsoft.Storage } } }
    expect: { changes: { contains: [{ source: vm1, after: { disposition: Delivered } }] } }
  - whatif:
      changes:
        - removeRule: { nsg: x, name: y }
        - setRoute: { routeTable: rt, route: { name: r, prefix: 0.0.0.0/0, nextHopType: Internet } }
`;
    expect(validate(parse(whatif)), ajv.errorsText(validate.errors)).toBe(true);
  });

  // Each is refused by the loader for its shape, and by the schema.
  const INVALID: Array<[string, string]> = [
    ['an unknown top-level key', VALID.replace('name: tiny', 'name: tiny\nnetwrok: {}')],
    ['a missing network', 'name: x\nsteps: []\n'],
    ['an unknown step kind', VALID.replace('  - send: { flow: c1 }', '  - sned: { flow: c1 }')],
    ['two kinds in one step', VALID.replace('  - send: { flow: c1 }', '  - send: { flow: c1 }\n    resolve: { hostname: x }')],
    ['an expect key of another kind', VALID.replace('expect: { disposition: Delivered }', 'expect: { address: 10.0.0.1 }')],
    ['an unknown protocol', VALID.replace('protocol: Udp', 'protocol: Sctp')],
    ['a port out of range', VALID.replace('port: 443', 'port: 70000')],
    ['an unknown disposition in counts', VALID.replace('Delivered: 10', 'Deliverd: 10')],
    ['a VM without privateIp', VALID.replace(', privateIp: 10.0.1.4', '')],
    ['an empty addressSpace', VALID.replace('[10.0.0.0/16]', '[]')],
    ['a whatif step with an unknown key', `${VALID}  - whatif: { chnage: { disableServiceEndpoint: { subnet: hub/app, service: Microsoft.Storage } } }\n`],
    ['a whatif change that is not a control-plane change', `${VALID}  - whatif: { change: { resolve: { hostname: x } } }\n`],
  ];
  for (const [what, text] of INVALID) {
    it(`refuses ${what} (and so does the loader)`, () => {
      expect(check(text)).toBe(false);
      expect(() => parseScenario(text, 'x.yaml')).toThrow(ScenarioError);
    });
  }

  it('docs/scenario.schema.json is the schema as generated (run `vnetsim schema > docs/scenario.schema.json`)', () => {
    const committed = JSON.parse(readFileSync(path.join(ROOT, 'docs/scenario.schema.json'), 'utf8')) as unknown;
    expect(committed).toEqual(schema);
  });
});
