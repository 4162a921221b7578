/**
 * Globs that cannot mean what was written: an unbalanced `[`, `{` or `(`. picomatch would read such
 * a glob as literal characters and match no file without a word; here it is an error on its line.
 */
import picomatch from 'picomatch';

const OPENER: Record<string, string> = { ']': '[', '}': '{', ')': '(' };
const CLOSER: Record<string, string> = { '[': ']', '{': '}', '(': ')' };

/** What is wrong with `glob`, with the fix, or undefined when it is well formed. */
export function globProblem(glob: string): string | undefined {
  const pattern = glob.replace(/^!/, '');
  if (!/[[\]{}()]/.test(pattern)) return undefined;
  try {
    picomatch.makeRe(pattern, { strictBrackets: true, dot: true });
    return undefined;
  } catch (error) {
    const message = (error as Error).message;
    const missing = /Missing (closing|opening): "(.)"/.exec(message);
    if (!missing) return `${message}.`;
    const [, side, bracket] = missing;
    const open = side === 'closing' ? OPENER[bracket!]! : bracket!;
    const close = CLOSER[open]!;
    const example = open === '[' ? '"[ab]" matches a or b' : open === '{' ? '"{a,b}" matches a or b' : '"@(a|b)" matches a or b';
    return side === 'closing'
      ? `its "${open}" is never closed. Close it with "${close}" (${example}), or write "\\${open}" to match the character "${open}" itself.`
      : `its "${close}" closes nothing. Remove it, open it with "${open}" (${example}), or write "\\${close}" to match the character "${close}" itself.`;
  }
}
