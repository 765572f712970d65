import { describe, expect, it } from 'vitest';
import { ArmExprError, DEFAULT_DEPLOYMENT, evaluateString, parseResourceId, resourceId } from './arm-expr.js';
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
    bad: '[uniqueString(resourceGroup().id)]',
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
    expect(() => ev('[uniqueString(resourceGroup().id)]')).toThrow(/uniqueString\(\) is not supported/);
    expect(() => ev("[reference('x').ipAddress]")).toThrow(ArmExprError);
    expect(() => ev("[variables('bad')]")).toThrow(/variables\('bad'\) \(variables.bad\): uniqueString\(\) is not supported/);
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
