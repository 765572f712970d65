export { WhatIfEngine, whatIfOutcomeOf, OWN_ADDRESS, type WhatIfSource, type WhatIfOutcome, type ChangedCell, type WhatIfSlice, type SliceResult } from './engine.js';
export { groupChanges, type WhatIfChange } from './group.js';
export { whatIf, mergeWhatIf, resetsOf, type WhatIfResult, type WhatIfSummary, type WhatIfOptions } from './whatif.js';
export { cellsOf, protocolLabel, hasPorts, PROTOCOL_LABELS, type ProtocolLabel } from './cells.js';
export { SPACE_END, prefixInterval, intervalsToCidrs, mergeIntervals, intervalsSize, intervalsContain, type Family, type Interval } from './space.js';
export { checkAgreement, ChangeIndex, type Disagreement } from './testing.js';
