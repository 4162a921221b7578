/** Places in a manifest's text, for problems found after loading (checks against the repository). */
import type { FileProblem } from '../errors.js';
import { offsetOf } from './load.js';
import yamlOnDemand from './yaml-on-demand.cjs';

/**
 * Returns a function that turns a key path such as ['services', 'api', 'paths', 2] into a problem
 * at that line. `key` points at the key rather than its value.
 */
export function manifestLocator(text: string, file: string): (segments: (string | number)[], message: string, key?: boolean) => FileProblem {
  const { LineCounter, parseDocument } = yamlOnDemand();
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  return (segments, message, key = false) => {
    const { line, col } = lines.linePos(offsetOf(doc, segments.map(String), key));
    return { file, line, column: col, message };
  };
}
