// Public surface of scenario loading (SCENARIOS.md).
export { MissingDataError, ScenarioError, type ScenarioProblem } from './scenario-error.js';
export { loadScenarioFile, parseScenario, MAX_SCENARIO_BYTES, type LoadOptions, type Scenario } from './scenario-load.js';
export { findScenarioFiles } from './scenario-files.js';
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
} from './scenario-schema.js';
