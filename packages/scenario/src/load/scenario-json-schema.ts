// The JSON Schema (draft 2020-12) of the scenario format, generated from the schemas the loader reads files with
// (scenario-schema.ts), so the two cannot drift: `vnetsim schema`, and editors through yaml-language-server.
//
// What it cannot say, the loader still checks: address and prefix syntax (given as descriptions), cross-field rules
// (a Tcp packet needs a port, source or sourceAsgs), and references between names. A file valid against the schema
// may still be refused by the loader; a file the loader accepts is always valid against the schema.

import type { Field, Schema } from './scenario-read.js';
import { expectSchema, STEP_ARGS, STEP_KINDS, TOP_FIELDS } from './scenario-schema.js';

export type JsonSchema = Record<string, unknown>;

function toJson(s: Schema): JsonSchema {
  switch (s.k) {
    case 'str':
      if (s.enum) return { type: 'string', enum: [...s.enum] };
      return s.what === undefined ? { type: 'string' } : { type: 'string', minLength: 1, description: s.what };
    case 'int':
      return { type: 'integer', minimum: s.min, maximum: s.max, ...(s.what ? { description: s.what } : {}) };
    case 'bool':
      return { type: 'boolean' };
    case 'list':
      return { type: 'array', items: toJson(s.of), ...(s.min !== undefined ? { minItems: s.min } : {}), ...(s.what ? { description: s.what } : {}) };
    case 'strs': {
      const one: JsonSchema = s.numbers ? { type: ['string', 'integer'] } : { type: 'string' };
      return { description: s.what, anyOf: [one, { type: 'array', items: one, minItems: 1 }] };
    }
    case 'strnum':
      return { type: ['string', 'number'], description: s.what };
    case 'obj': {
      const properties: Record<string, JsonSchema> = {};
      const required: string[] = [];
      for (const [name, f] of Object.entries(s.fields)) {
        properties[name] = field(f);
        if (f.req === true) required.push(name);
      }
      return { type: 'object', description: s.what, properties, ...(required.length > 0 ? { required } : {}), additionalProperties: false };
    }
    case 'map':
      return { type: 'object', description: s.what, propertyNames: { enum: [...s.keys] }, additionalProperties: toJson(s.value) };
    case 'alt':
      return { anyOf: s.forms.map(toJson) };
    case 'custom':
      return s.json?.(toJson) ?? {};
  }
}

function field(f: Field): JsonSchema {
  const j = toJson(f.s);
  if (f.def === undefined) return j;
  const d = f.def();
  // Only plain defaults are worth showing (an editor offers them); [] and {} objects are too.
  return d === undefined ? j : { ...j, default: d };
}

/** A step: exactly one kind key with its arguments, and an optional expect with the keys of that kind. */
function stepSchema(): JsonSchema {
  return {
    description: `a step: one of ${STEP_KINDS.join(', ')}, and an optional expect`,
    oneOf: STEP_KINDS.map((kind) => ({
      type: 'object',
      title: kind,
      properties: { [kind]: toJson(STEP_ARGS[kind]), expect: toJson(expectSchema(kind)) },
      required: [kind],
      additionalProperties: false,
    })),
  };
}

/** The JSON Schema of a scenario file. */
export function scenarioJsonSchema(): JsonSchema {
  const top = toJson({ k: 'obj', what: 'a vnetsim scenario (SCENARIOS.md)', fields: TOP_FIELDS }) as {
    properties: Record<string, JsonSchema>;
  } & JsonSchema;
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'vnetsim scenario',
    ...top,
    properties: { ...top.properties, steps: { type: 'array', items: stepSchema(), default: [] } },
  };
}
