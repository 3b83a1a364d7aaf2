// Reads the import graph of a source tree: which file imports which, as repository-relative
// posix paths ("src/app.ts"). Each file is only tokenized, never type-checked, so reading all of
// src/ takes milliseconds.
//
// Why the scanner and not a parser: TypeScript 7 (our devDependency) no longer ships an
// in-process parser in its JavaScript API (no createSourceFile or preProcessFile; parsing goes
// through a spawned tsgo project). Its scanner is still exported, and a scanner is what
// preProcessFile always used: it knows comments, strings, templates and regular expressions,
// so `// import x from './y.ts'` or a string that looks like an import never becomes an edge.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import { createScanner, SyntaxKind, tokenIsIdentifierOrKeyword } from 'typescript/unstable/ast';

export interface Token {
  readonly kind: SyntaxKind;
  readonly value: string;
}

export interface ImportEdge {
  readonly from: string;
  readonly to: string;
}

export interface UnresolvedImport {
  readonly from: string;
  readonly specifier: string;
}

export interface ImportGraph {
  /** Every file under the source folder (any extension), so non-TypeScript folders are mapped too. */
  readonly files: readonly string[];
  readonly edges: readonly ImportEdge[];
  readonly unresolved: readonly UnresolvedImport[];
}

/** All files under `dir` (relative to `root`), sorted, as posix paths starting with `dir`. */
export function listFiles(root: string, dir: string): string[] {
  const entries = readdirSync(join(root, dir), { recursive: true, withFileTypes: true });
  const files = entries.filter((entry) => entry.isFile()).map((entry) => relative(root, join(entry.parentPath, entry.name)).split(sep).join('/'));
  return files.sort();
}

// Keywords after which a `/` starts a regular expression rather than a division
// (`return /x/.test(s)`); after any other word, a `/` divides.
const KEYWORDS_BEFORE_EXPRESSION = new Set<SyntaxKind>([
  SyntaxKind.ReturnKeyword,
  SyntaxKind.TypeOfKeyword,
  SyntaxKind.InstanceOfKeyword,
  SyntaxKind.InKeyword,
  SyntaxKind.OfKeyword,
  SyntaxKind.NewKeyword,
  SyntaxKind.DeleteKeyword,
  SyntaxKind.VoidKeyword,
  SyntaxKind.ThrowKeyword,
  SyntaxKind.CaseKeyword,
  SyntaxKind.DoKeyword,
  SyntaxKind.ElseKeyword,
  SyntaxKind.YieldKeyword,
  SyntaxKind.AwaitKeyword,
]);

// Punctuation that ends an operand, so a `/` after it divides (`f(x) / 2`, `a[i] / 2`, `i++ / 2`).
const PUNCTUATION_ENDING_OPERAND = new Set<SyntaxKind>([
  SyntaxKind.CloseParenToken,
  SyntaxKind.CloseBracketToken,
  SyntaxKind.CloseBraceToken,
  SyntaxKind.PlusPlusToken,
  SyntaxKind.MinusMinusToken,
]);

function isPunctuation(kind: SyntaxKind): boolean {
  return kind >= SyntaxKind.FirstPunctuation && kind <= SyntaxKind.LastPunctuation;
}

/**
 * The scanner sees only `/`; a parser would know from context whether a regex starts here. We
 * guess from the previous token, as lexers without a parser do: after `)` or `}` it divides,
 * which is right for our code (no regex literal follows an `if (…)` or a block directly).
 */
function slashStartsRegex(previous: SyntaxKind | undefined): boolean {
  if (previous === undefined) return true;
  if (isPunctuation(previous)) return !PUNCTUATION_ENDING_OPERAND.has(previous);
  return KEYWORDS_BEFORE_EXPRESSION.has(previous);
}

/**
 * The file's tokens, with the two re-scans a parser would ask for: a `}` that closes a
 * template's `${`, and a `/` that starts a regular expression. Without them, the text after a
 * template substitution or inside /'/ would be read as code.
 */
export function tokenize(text: string): Token[] {
  const scanner = createScanner(true, undefined, text);
  // One entry per open `${` (true) or `{` inside a substitution (false).
  const openBraces: boolean[] = [];
  const tokens: Token[] = [];
  for (let kind = scanner.scan(); kind !== SyntaxKind.EndOfFile; kind = scanner.scan()) {
    if (kind === SyntaxKind.SlashToken || kind === SyntaxKind.SlashEqualsToken) {
      if (slashStartsRegex(tokens.at(-1)?.kind)) kind = scanner.reScanSlashToken();
    } else if (kind === SyntaxKind.TemplateHead) {
      openBraces.push(true);
    } else if (kind === SyntaxKind.OpenBraceToken && openBraces.length > 0) {
      openBraces.push(false);
    } else if (kind === SyntaxKind.CloseBraceToken && openBraces.length > 0) {
      if (openBraces.at(-1) === true) {
        kind = scanner.reScanTemplateToken(false);
        if (kind === SyntaxKind.TemplateTail) openBraces.pop();
      } else {
        openBraces.pop();
      }
    }
    tokens.push({ kind, value: scanner.getTokenValue() });
  }
  return tokens;
}

function isWord(token: Token | undefined): boolean {
  return token !== undefined && tokenIsIdentifierOrKeyword(token.kind) && token.kind !== SyntaxKind.ImportKeyword && token.kind !== SyntaxKind.ExportKeyword;
}

// Tokens an import or export clause is made of: names and keywords (`type`, `as`, `default`),
// braces, commas and `*`.
function isClauseToken(token: Token | undefined): boolean {
  if (isWord(token)) return true;
  const kind = token?.kind;
  return kind === SyntaxKind.OpenBraceToken || kind === SyntaxKind.CloseBraceToken || kind === SyntaxKind.CommaToken || kind === SyntaxKind.AsteriskToken;
}

function isKind(token: Token | undefined, kind: SyntaxKind): boolean {
  return token?.kind === kind;
}

/**
 * Index of the string in `… from 'x'` (or `x = require('y')`) for the clause starting at
 * `start`, walking only over tokens a clause can hold, so it never runs into the next statement.
 */
function clauseSpecifier(tokens: readonly Token[], start: number): number | undefined {
  for (let i = start; isClauseToken(tokens[i]) || isKind(tokens[i], SyntaxKind.EqualsToken); i++) {
    if (isKind(tokens[i], SyntaxKind.FromKeyword) && isKind(tokens[i + 1], SyntaxKind.StringLiteral)) return i + 1;
    if (isKind(tokens[i], SyntaxKind.EqualsToken)) {
      const isRequire = tokens[i + 1]?.value === 'require' && isKind(tokens[i + 2], SyntaxKind.OpenParenToken);
      return isRequire && isKind(tokens[i + 3], SyntaxKind.StringLiteral) ? i + 3 : undefined;
    }
  }
  return undefined;
}

function isLiteralString(token: Token | undefined): boolean {
  return isKind(token, SyntaxKind.StringLiteral) || isKind(token, SyntaxKind.NoSubstitutionTemplateLiteral);
}

/** `import('x')` as an expression or as a type (`typeof import('x')`); `import(name)` is not counted. */
function dynamicSpecifier(tokens: readonly Token[], at: number): number | undefined {
  const closes = isKind(tokens[at + 3], SyntaxKind.CloseParenToken) || isKind(tokens[at + 3], SyntaxKind.CommaToken);
  return isLiteralString(tokens[at + 2]) && closes ? at + 2 : undefined;
}

function importSpecifier(tokens: readonly Token[], at: number): number | undefined {
  const next = tokens[at + 1];
  if (isKind(next, SyntaxKind.OpenParenToken)) return dynamicSpecifier(tokens, at);
  if (isKind(next, SyntaxKind.StringLiteral)) return at + 1; // import './side-effect.ts'
  return clauseSpecifier(tokens, at + 1);
}

function exportSpecifier(tokens: readonly Token[], at: number): number | undefined {
  // Only `export *`, `export {` and `export type {`/`export type *` can re-export from a module.
  const next = tokens[at + 1];
  const afterType = isKind(next, SyntaxKind.TypeKeyword) ? tokens[at + 2] : next;
  const reExports = isKind(afterType, SyntaxKind.AsteriskToken) || isKind(afterType, SyntaxKind.OpenBraceToken);
  return reExports ? clauseSpecifier(tokens, at + 1) : undefined;
}

/**
 * Module specifiers of a file, in order: static imports and re-exports (type-only ones too),
 * side-effect imports, and `import('…')` with a literal argument.
 */
export function moduleSpecifiers(text: string): string[] {
  const tokens = tokenize(text);
  const specifiers: string[] = [];
  tokens.forEach((token, at) => {
    let found: number | undefined;
    if (token.kind === SyntaxKind.ImportKeyword) found = importSpecifier(tokens, at);
    else if (token.kind === SyntaxKind.ExportKeyword) found = exportSpecifier(tokens, at);
    const specifier = found === undefined ? undefined : tokens[found];
    if (specifier !== undefined) specifiers.push(specifier.value);
  });
  return specifiers;
}

function isRelative(specifier: string): boolean {
  return specifier === '.' || specifier === '..' || specifier.startsWith('./') || specifier.startsWith('../');
}

function isFile(root: string, path: string): boolean {
  try {
    return statSync(posix.join(root, path)).isFile();
  } catch {
    return false;
  }
}

/**
 * The file a relative specifier names, the way our tsconfig lets us write it: with its `.ts`
 * extension, or with `.js` standing for `.ts`, or bare (a file or a folder's index.ts).
 */
export function resolveRelative(root: string, from: string, specifier: string): string | undefined {
  const base = posix.normalize(posix.join(posix.dirname(from), specifier));
  const candidates = [base, base.replace(/\.js$/, '.ts'), `${base}.ts`, `${base}/index.ts`];
  return candidates.find((candidate) => isFile(root, candidate));
}

/** Imports of every `.ts` file under `dir`; packages and `node:` modules are not part of the graph. */
export function readImportGraph(root: string, dir: string): ImportGraph {
  const files = listFiles(root, dir);
  const edges = new Map<string, ImportEdge>();
  const unresolved: UnresolvedImport[] = [];
  for (const from of files.filter((file) => file.endsWith('.ts'))) {
    for (const specifier of moduleSpecifiers(readFileSync(posix.join(root, from), 'utf8')).filter(isRelative)) {
      const to = resolveRelative(root, from, specifier);
      if (to === undefined) unresolved.push({ from, specifier });
      else edges.set(`${from} -> ${to}`, { from, to });
    }
  }
  return { files, edges: [...edges.values()], unresolved };
}

/** `a -> b` for the messages: the form a developer can search for in the failing file. */
export function formatEdge(edge: ImportEdge): string {
  return `${edge.from} -> ${edge.to}`;
}

function successorsOf(edges: readonly ImportEdge[]): Map<string, string[]> {
  const successors = new Map<string, string[]>();
  for (const { from, to } of edges) successors.set(from, [...(successors.get(from) ?? []), to]);
  for (const list of successors.values()) list.sort();
  return successors;
}

/** Strongly connected components (Tarjan): the node sets in which every node reaches every other. */
function stronglyConnected(successors: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const lowLink = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, index.size);
    lowLink.set(node, index.get(node) ?? 0);
    stack.push(node);
    onStack.add(node);
    for (const next of successors.get(node) ?? []) {
      if (!index.has(next)) visit(next);
      if (onStack.has(next)) lowLink.set(node, Math.min(lowLink.get(node) ?? 0, lowLink.get(next) ?? 0, index.get(next) ?? 0));
    }
    if (lowLink.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string | undefined;
    do {
      member = stack.pop();
      if (member !== undefined) {
        onStack.delete(member);
        component.push(member);
      }
    } while (member !== undefined && member !== node);
    components.push(component.sort());
  };
  for (const node of [...successors.keys()].sort()) if (!index.has(node)) visit(node);
  return components;
}

/** The shortest way from `start` back to itself through `members` (breadth first), as a node list. */
function shortestCycleThrough(start: string, members: ReadonlySet<string>, successors: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const cameFrom = new Map<string, string>();
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const node = queue[head] ?? start;
    for (const next of successors.get(node) ?? []) {
      if (next === start) return [...pathTo(node, start, cameFrom), start];
      if (members.has(next) && !cameFrom.has(next)) {
        cameFrom.set(next, node);
        queue.push(next);
      }
    }
  }
  return undefined;
}

function pathTo(node: string, start: string, cameFrom: ReadonlyMap<string, string>): string[] {
  const path = [node];
  for (let at = node; at !== start; ) {
    at = cameFrom.get(at) ?? start;
    path.unshift(at);
  }
  return path;
}

/** The same cycle written from its alphabetically first node, so each is reported once. */
function canonical(cycle: readonly string[]): string {
  const ring = cycle.slice(0, -1);
  const first = ring.indexOf([...ring].sort()[0] ?? '');
  const rotated = [...ring.slice(first), ...ring.slice(0, first)];
  return [...rotated, rotated[0]].join(' -> ');
}

/**
 * Import cycles as `a -> b -> a`: for each node caught in a cycle, the shortest cycle through it.
 * That names every file of a knot without listing the (exponentially many) longer loops.
 */
export function findCycles(edges: readonly ImportEdge[]): string[] {
  const successors = successorsOf(edges);
  const cycles = new Set<string>();
  for (const component of stronglyConnected(successors)) {
    const members = new Set(component);
    for (const node of component) {
      const cycle = shortestCycleThrough(node, members, successors);
      if (cycle !== undefined) cycles.add(canonical(cycle));
    }
  }
  return [...cycles].sort();
}
