// Every suite the CLI knows, in run order. Add one line per suite.
import type { Suite } from '../suite.js';
import { lpmSuite } from './lpm.js';
import { nsgSuite } from './nsg.js';
import { pipelineSuite } from './pipeline.js';
import { controlSuite } from './control.js';
import { whatifSuite } from './whatif.js';

export const suites: Suite[] = [
  lpmSuite,
  nsgSuite,
  pipelineSuite,
  controlSuite,
  whatifSuite,
];
