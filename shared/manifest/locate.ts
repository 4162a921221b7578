/** Places in a manifest's text, for problems found after loading (checks against the repository). */
import type { FileProblem } from '../errors.js';
import { offsetOf } from './load.js';

/**
 * Returns a function that turns a key path such as ['services', 'api', 'paths', 2] into a problem
 * at that line. `key` points at the key rather than its value.
 */
export async function manifestLocator(text: string, file: string): Promise<(segments: (string | number)[], message: string, key?: boolean) => FileProblem> {
  const yaml = await import('yaml');
  const lines = new yaml.LineCounter();
  const doc = yaml.parseDocument(text, { lineCounter: lines });
  return (segments, message, key = false) => {
    const { line, col } = lines.linePos(offsetOf(yaml, doc, segments.map(String), key));
    return { file, line, column: col, message };
  };
}
