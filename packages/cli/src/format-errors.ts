// Problems of scenario files for a terminal: `file:line:col path: message`, then the offending source line and a
// caret under the column when the source is known.

import type { ScenarioError, ScenarioProblem } from '@vnetsim/scenario';

export function formatProblem(p: ScenarioProblem, source?: string): string {
  const where = p.line > 0 ? `${p.file}:${p.line}:${p.column}` : p.file;
  const head = `${where}${p.path ? ` ${p.path}` : ''}: ${p.message}`;
  if (source === undefined || p.line <= 0) return head;
  const text = source.split(/\r?\n/)[p.line - 1];
  if (text === undefined) return head;
  const num = String(p.line);
  const shown = text.length > 160 ? `${text.slice(0, 157)}...` : text;
  const caret = p.column > 0 && p.column <= shown.length + 1 ? `\n${' '.repeat(num.length + 1)} | ${' '.repeat(p.column - 1)}^` : '';
  return `${head}\n ${num} | ${shown}${caret}`;
}

/** Every problem of a ScenarioError, one block each. */
export function formatScenarioError(e: ScenarioError): string {
  return e.problems.map((p) => formatProblem(p, e.source)).join('\n');
}
