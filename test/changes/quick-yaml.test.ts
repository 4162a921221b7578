import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { quickParse } from '../../shared/manifest/quick-yaml.js';

// The fast reader must never read a manifest differently from the yaml package: it either agrees
// exactly or gives up (undefined) so the yaml package reads it.
const DOCUMENTS = [
  'a: 1\nb: -12\nc: +7\nd: 012\ne: 0o17\nf: 0x1F\ng: 0b11\nh: 1_000\ni: -0x1\n',
  'a: 1.5\nb: .5\nc: 1.\nd: 1e3\ne: -2.5E-2\nf: .inf\ng: -.Inf\nh: .nan\ni: 1.2.3\n',
  'a: true\nb: True\nc: TRUE\nd: yes\ne: on\nf: false\ng: No\nh: off\n',
  'a: ~\nb: null\nc: Null\nd: NULL\ne:\nf: "null"\ng: nul\n',
  'a: "1"\nb: \'true\'\nc: !!str 12\nd: 2026-01-01\ne: 12:30\nf: 1:20:30\n',
  'services:\n  api:\n    paths: [apps/api/**, "!apps/api/**/*.md"]\n    build: { args: { A: 1, B: x } }\n',
  'anchors:\n  base: &base { a: 1 }\n  copy: *base\nlist: [&x 1, *x]\n',
  'anchored: &only { a: 1 }\nflow: [&x 1, 2]\n',
  'services:\n  api:\n    migrate: { command: ["sh", "-c", "cd apps/api && npx prisma migrate deploy"] }\n    note: a && b & c\n',
  'multi: |\n  line one\n  line two\nfolded: >\n  a\n  b\n',
  'services:\n  null:\n    paths: [x]\n',
  'services:\n  ~:\n    paths: [x]\n',
  'services:\n  true: {}\n  12: {}\n',
  'merge:\n  <<: { a: 1 }\n',
  '%YAML 1.1\n---\na: yes\n',
  'a: 1\na: 2\n',
  'a: [1, 2\n',
  '- a\n- b\n',
  '',
  '# only a comment\n',
];

describe('the fast manifest reader', () => {
  it.each(DOCUMENTS.map((text) => [JSON.stringify(text).slice(0, 60), text]))('%s reads as the yaml package reads it, or not at all', (_, text) => {
    const quick = quickParse(text);
    if (quick === undefined) return;
    expect(quick).toEqual(parse(text));
  });

  it('reads an ordinary manifest itself', () => {
    expect(quickParse(DOCUMENTS[5]!)).toEqual({ services: { api: { paths: ['apps/api/**', '!apps/api/**/*.md'], build: { args: { A: 1, B: 'x' } } } } });
  });

  it('reads a migration command joined with && and an unused anchor itself, and leaves aliases to the yaml package', () => {
    expect(quickParse(DOCUMENTS[8]!)).toEqual({ services: { api: { migrate: { command: ['sh', '-c', 'cd apps/api && npx prisma migrate deploy'] }, note: 'a && b & c' } } });
    expect(quickParse(DOCUMENTS[7]!)).toEqual({ anchored: { a: 1 }, flow: [1, 2] });
    expect(quickParse(DOCUMENTS[6]!)).toBeUndefined();
  });

  it('leaves directives, null keys, duplicate keys and syntax errors to the yaml package', () => {
    for (const text of ['%YAML 1.1\n---\na: yes\n', 'services:\n  null:\n    paths: [x]\n', 'a: 1\na: 2\n', 'a: [1, 2\n']) expect(quickParse(text)).toBeUndefined();
  });
});
