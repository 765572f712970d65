// Public surface of scenario loading (SCENARIOS.md).
export { MissingDataError, ScenarioError, suggest, type ScenarioProblem } from './load/scenario-error.js';
export { loadScenarioFile, parseScenario, parseChanges, MAX_SCENARIO_BYTES, type LoadOptions, type Scenario } from './load/scenario-load.js';
export { findScenarioFiles } from './load/scenario-files.js';
export { scenarioJsonSchema, type JsonSchema } from './load/scenario-json-schema.js';
export {
  STEP_KINDS,
  EXPECT_KEYS,
  PACKET_PROTOCOLS,
  splitIpPort,
  type Expect,
  type PacketArgs,
  type PacketProtocol,
  type Step,
  type StepKind,
  type ConnectStep,
  type SendStep,
  type TrafficStep,
  type EnableServiceEndpointStep,
  type DisableServiceEndpointStep,
  type VirtualNetworkRuleStep,
  type IpRuleStep,
  type SetRuleStep,
  type RemoveRuleStep,
  type SetRouteStep,
  type RemoveRouteStep,
  type EffectiveRoutesStep,
  type EffectiveSecurityRulesStep,
  type NextHopStep,
  type IpFlowVerifyStep,
  type ResolveStep,
  type AdvanceTimeStep,
  type WhatIfStep,
  type ChangeMatch,
  WHATIF_CHANGE_KINDS,
} from './load/scenario-schema.js';
export * from './run/runner.js';
export { tracePacket } from './drive/trace-packet.js';
export { resolveSource, resolveTarget } from './drive/resolve.js';
export { tagsFromFile } from './load/scenario-tags.js';
export { formatScenarioYaml } from './load/scenario-write.js';
export { packetEnds, pushPacket, pushPacketBetween, type PacketEnds, type PacketFields } from './drive/packet.js';
export { StepBugError, StepError } from './step-error.js';
export { applyChange, CHANGE_KINDS } from './run/apply-change.js';
export { whatIfOf, checkWhatIf, changeMatches, WhatIfChangeError, type WhatIfQuestion, type WhatIfReport } from './run/whatif.js';
