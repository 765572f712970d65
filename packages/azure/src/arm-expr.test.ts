import { describe, expect, it } from 'vitest';
import { ArmExprError, DEFAULT_DEPLOYMENT, evaluateString, murmurHash64, parseResourceId, resourceId, uniqueString } from './arm-expr.js';
import { readParameterValues, templateScope } from './arm-scope.js';

const template = {
  parameters: {
    vnetName: { type: 'string', defaultValue: 'hub' },
    prefix: { type: 'string', defaultValue: '10.0.0.0/16' },
    location: { type: 'string', defaultValue: '[resourceGroup().location]' },
    noDefault: { type: 'string' },
    selfRef: { type: 'string', defaultValue: "[parameters('selfRef')]" },
  },
  variables: {
    subnetIds: ["[resourceId('Microsoft.Network/virtualNetworks/subnets', parameters('vnetName'), 'app')]", 'literal'],
    name: "[concat(parameters('vnetName'), '-', 'nsg')]",
    obj: { a: { b: "[parameters('vnetName')]" } },
    bad: '[newGuid()]',
    loopA: "[variables('loopB')]",
    loopB: "[variables('loopA')]",
  },
};

function scope(given: Record<string, unknown> = {}) {
  const assumed: string[] = [];
  const s = templateScope(template, new Map(Object.entries(given).map(([k, v]) => [k.toLowerCase(), v])), DEFAULT_DEPLOYMENT, (w) => assumed.push(w));
  return { s, assumed };
}
const ev = (text: string, given?: Record<string, unknown>) => evaluateString(text, scope(given).s);

describe('ARM expressions', () => {
  it('evaluates literals, nested calls, concat and format', () => {
    expect(ev("[concat('a', parameters('vnetName'), 'b')]")).toBe('ahubb');
    expect(ev("[format('{0}-{1}', 'x', parameters('vnetName'))]")).toBe('x-hub');
    expect(ev("[concat(createArray, 'a')]".replace('createArray', "'q'"))).toBe('qa');
    expect(ev("['it''s']")).toBe("it's");
    expect(ev("[variables('name')]")).toBe('hub-nsg');
    expect(ev('plain text')).toBe('plain text');
    expect(ev('[[not an expression]')).toBe('[not an expression]');
  });

  it('parameter and variable names are case-insensitive, values from --parameters win over defaults', () => {
    expect(ev("[parameters('VNETNAME')]")).toBe('hub');
    expect(ev("[parameters('vnetName')]", { vnetname: 'spoke' })).toBe('spoke');
    expect(ev("[variables('NAME')]", { vnetName: 'spoke' })).toBe('spoke-nsg');
  });

  it('property access and indexing', () => {
    expect(ev("[variables('subnetIds')[0]]")).toBe('/subscriptions/default/resourceGroups/vnetsim/providers/Microsoft.Network/virtualNetworks/hub/subnets/app');
    expect(ev("[variables('subnetIds')[1]]")).toBe('literal');
    expect(ev("[variables('obj').a.b]")).toBe('hub');
    expect(ev("[variables('obj')['a'].b]")).toBe('hub');
    expect(ev('[subscription().subscriptionId]')).toBe('default');
    expect(ev('[resourceGroup().name]')).toBe('vnetsim');
  });

  it('resourceGroup().location is assumed from the deployment, and that is reported', () => {
    const { s, assumed } = scope();
    expect(evaluateString("[parameters('location')]", s)).toBe('westeurope');
    expect(assumed).toHaveLength(1);
    expect(assumed[0]).toMatch(/known only at deployment/);
  });

  it('resourceId with and without subscription and resource group, trailing slash tolerated', () => {
    const d = { ...DEFAULT_DEPLOYMENT, subscriptionId: 'sub1', resourceGroup: 'rg1' };
    expect(resourceId(['Microsoft.Network/networkSecurityGroups', 'nsg1'], d)).toBe('/subscriptions/sub1/resourceGroups/rg1/providers/Microsoft.Network/networkSecurityGroups/nsg1');
    expect(resourceId(['other', 'Microsoft.Network/virtualNetworks/', 'v'], d)).toBe('/subscriptions/sub1/resourceGroups/other/providers/Microsoft.Network/virtualNetworks/v');
    expect(resourceId(['s2', 'rg2', 'Microsoft.Network/virtualNetworks/subnets', 'v', 's'], d)).toBe(
      '/subscriptions/s2/resourceGroups/rg2/providers/Microsoft.Network/virtualNetworks/v/subnets/s',
    );
    expect(() => resourceId(['Microsoft.Network/virtualNetworks/subnets', 'v'], d)).toThrow(/needs 2 names, found 1/);
  });

  it('parses resource ids (resources, resource groups, subscriptions)', () => {
    expect(parseResourceId('/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/a')).toEqual({
      subscription: 's', resourceGroup: 'rg', type: 'Microsoft.Network/virtualNetworks/subnets', names: ['v', 'a'],
    });
    expect(parseResourceId('/subscriptions/s/resourceGroups/rg')).toEqual({ subscription: 's', resourceGroup: 'rg', type: '', names: [] });
    expect(parseResourceId('not an id')).toBeUndefined();
  });

  it('anything else is an error naming the function (never guessed)', () => {
    expect(() => ev('[newGuid()]')).toThrow(/newGuid\(\) is not supported/);
    expect(() => ev("[reference('x').ipAddress]")).toThrow(ArmExprError);
    expect(() => ev("[variables('bad')]")).toThrow(/variables\('bad'\) \(variables.bad\): newGuid\(\) is not supported/);
    expect(() => ev("[parameters('noDefault')]")).toThrow(/has no defaultValue; give it in --parameters/);
    expect(() => ev("[parameters('missing')]")).toThrow(/declares no such parameter/);
    expect(() => ev("[parameters('selfRef')]")).toThrow(/refers to itself/);
    expect(() => ev("[variables('loopA')]")).toThrow(/refers to itself/);
    expect(() => ev("[concat('a']")).toThrow(/expected "\)"/);
    expect(() => ev('[copyIndex()]')).toThrow(/outside a resource copy loop/);
  });

  it('copyIndex inside a copy loop, with an offset', () => {
    const s = scope().s.withCopyIndex(2);
    expect(evaluateString("[concat('nic', copyIndex())]", s)).toBe('nic2');
    expect(evaluateString('[copyIndex(1)]', s)).toBe(3);
  });

  it('reads a deploymentParameters document (and reports Key Vault references)', () => {
    const r = readParameterValues({ $schema: 'x', contentVersion: '1.0.0.0', parameters: { a: { value: 1 }, B: { value: 'x' }, k: { reference: {} } } });
    expect([...r.values]).toEqual([['a', 1], ['b', 'x']]);
    expect(r.problems).toEqual(['parameters.k: a Key Vault reference is not supported (give the value); left out']);
  });
});

describe('functions Bicep emits', () => {
  const scope2 = {
    parameter: (n: string) => ({ subnets: [{ name: 'a', on: true }, { name: 'b', on: false }], flag: false } as Record<string, unknown>)[n],
    variable: () => {
      throw new ArmExprError('no variables');
    },
    deployment: DEFAULT_DEPLOYMENT,
  };
  const ev = (s: string) => evaluateString(`[${s}]`, scope2);

  it('uniqueString: Azure\'s outputs (public known values: "hello","world" -> a7wkljktk6wne; "tyeth" -> zcztcwvu6iyg6)', () => {
    expect(uniqueString('hello', 'world')).toBe('a7wkljktk6wne');
    expect(murmurHash64(new TextEncoder().encode('hello-world'))).toBe(571013382255652050n);
    expect(uniqueString('tyeth')).toBe('zcztcwvu6iyg6');
    expect(ev("uniqueString('hello', 'world')")).toBe('a7wkljktk6wne');
    // Every tail length (0-7 bytes after the 8-byte blocks) gives 13 characters of a-z2-7.
    for (let n = 0; n < 20; n++) expect(uniqueString('x'.repeat(n))).toMatch(/^[a-z2-7]{13}$/);
  });

  it('if (only the chosen branch is evaluated), equals, not, and, or, length, empty, contains', () => {
    expect(ev("if(equals(1, 1), 'yes', parameters('nope').x)")).toBe('yes');
    expect(ev("if(not(parameters('flag')), 1, 2)")).toBe(1);
    expect(ev("and(true(), or(false(), equals('a', 'a')))")).toBe(true);
    expect(ev("length(parameters('subnets'))")).toBe(2);
    expect(ev("length('abc')")).toBe(3);
    expect(ev('empty(createArray())')).toBe(true);
    expect(ev("contains(createArray('a', 'b'), 'b')")).toBe(true);
    expect(ev("contains('Hello', 'ELL')")).toBe(true);
    expect(ev("contains(createObject('Key', 1), 'key')")).toBe(true);
    expect(ev("parameters('subnets')[1].on")).toBe(false);
  });

  it('createArray, createObject, union, toLower, toUpper, format', () => {
    expect(ev("createArray(1, 'a', createObject('k', 'v'))")).toEqual([1, 'a', { k: 'v' }]);
    expect(ev("union(createObject('a', 1, 'b', 2), createObject('b', 3))")).toEqual({ a: 1, b: 3 });
    expect(ev("union(createArray(1, 2), createArray(2, 3))")).toEqual([1, 2, 3]);
    expect(ev("toLower(format('ST{0}{1}', 'A', 1))")).toBe('sta1');
    expect(ev("toUpper('ab')")).toBe('AB');
    expect(() => ev("createObject('a')")).toThrow(/key, value pairs/);
    expect(() => ev("union(createArray(1), createObject('a', 1))")).toThrow(/all arrays or all objects/);
  });
});
