#!/usr/bin/env node
// Prints the test files that run a built dist/index.js: those that call runAction() or startAction()
// of standins/run-action.ts, directly or through a test helper that does (deploy() of
// test/deploy/fixtures.ts, for example). `.ci/run` runs them again with the bundles on Node 24.
// Usage: node scripts/dist-tests.mjs [test file ...]   (default: every test/**/*.test.ts)
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const HARNESS = join(root, 'standins', 'run-action.ts');
const RUNNERS = new Set(['runAction', 'startAction']);

/** Names of the functions a module exports that run a bundle when called. */
const runnersOf = new Map([[HARNESS, RUNNERS]]);

function parse(file) {
  return ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
}

/** Local name → true when calling it runs a bundle, from the module's relative imports. */
function importedRunners(source) {
  const names = new Set();
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || statement.importClause?.isTypeOnly) continue;
    const specifier = statement.moduleSpecifier.text;
    const bindings = statement.importClause?.namedBindings;
    if (!specifier.startsWith('.') || !bindings || !ts.isNamedImports(bindings)) continue;
    const runners = moduleRunners(resolve(dirname(source.fileName), specifier.replace(/\.js$/, '.ts')));
    for (const element of bindings.elements) {
      if (!element.isTypeOnly && runners.has((element.propertyName ?? element.name).text)) names.add(element.name.text);
    }
  }
  return names;
}

function calls(node, names) {
  let found = false;
  const visit = (child) => {
    if (found) return;
    if (ts.isCallExpression(child) && ts.isIdentifier(child.expression) && names.has(child.expression.text)) found = true;
    else ts.forEachChild(child, visit);
  };
  visit(node);
  return found;
}

/** Top-level functions and constants of the module, by name. */
function declarations(source) {
  const found = new Map();
  for (const statement of source.statements) {
    if (ts.isFunctionDeclaration(statement) && statement.name) found.set(statement.name.text, statement);
    if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) if (ts.isIdentifier(declaration.name)) found.set(declaration.name.text, declaration);
    }
  }
  return found;
}

function moduleRunners(file) {
  if (runnersOf.has(file)) return runnersOf.get(file);
  runnersOf.set(file, new Set()); // an import cycle resolves to "none" rather than looping
  let source;
  try {
    source = parse(file);
  } catch {
    return runnersOf.get(file);
  }
  const running = importedRunners(source);
  const local = declarations(source);
  // A helper that calls another helper of the same module that runs a bundle runs one too.
  for (let grew = true; grew;) {
    grew = false;
    for (const [name, node] of local) {
      if (!running.has(name) && calls(node, running)) {
        running.add(name);
        grew = true;
      }
    }
  }
  const exported = new Set([...running].filter((name) => local.has(name) && isExported(local.get(name))));
  runnersOf.set(file, exported);
  return exported;
}

function isExported(node) {
  const statement = ts.isVariableDeclaration(node) ? node.parent.parent : node;
  return Boolean(ts.getCombinedModifierFlags(statement) & ts.ModifierFlags.Export);
}

/** True when the test file calls a function that runs a bundle. */
export function runsBundles(file) {
  const source = parse(file);
  return calls(source, importedRunners(source));
}

function testFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? testFiles(join(dir, entry.name)) : entry.name.endsWith('.test.ts') ? [join(dir, entry.name)] : []));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const given = process.argv.slice(2).map((file) => resolve(file));
  const files = (given.length ? given : testFiles(join(root, 'test'))).sort();
  for (const file of files.filter(runsBundles)) console.log(relative(root, file));
}
