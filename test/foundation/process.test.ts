import { describe, expect, it } from '@jest/globals';
import { runCommand, CommandNotFound } from '../../shared/process.js';

describe('runCommand', () => {
  it('captures output, streams lines as they arrive and passes standard input', async () => {
    const lines: string[] = [];
    const result = await runCommand('sh', ['-c', 'cat; echo two; printf three; echo err >&2; exit 3'], { input: 'one\n', onStdoutLine: (line) => lines.push(line) });
    expect(result).toEqual({ code: 3, stdout: 'one\ntwo\nthree', stderr: 'err\n' });
    expect(lines).toEqual(['one', 'two', 'three']);
  });

  it('says when a program is not installed', async () => {
    await expect(runCommand('definitely-not-a-program', [])).rejects.toBeInstanceOf(CommandNotFound);
  });
});
