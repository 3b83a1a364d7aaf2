// Checks an import graph against a layering (the rules themselves live, as data, at the top of
// layering.test.ts). Every check returns the offending imports as `from.ts -> to.ts` lines, so a
// failing test names exactly what to change and an empty list means the rule holds.
import { findCycles, formatEdge, type ImportEdge } from './import-graph.ts';

/**
 * A named part of the tree. A member ending in `/` is a folder and holds everything below it;
 * any other member is one file. The longest matching member wins, so `src/upstream/tgi/` can
 * sit in another layer than `src/upstream/`.
 */
export interface Area {
  readonly name: string;
  readonly members: readonly string[];
}

/** A program of its own inside src/: it imports only itself (and what it `shares`), and only the named layers import it. */
export interface SeparateProgram extends Area {
  readonly importedOnlyBy: readonly string[];
  /** Files outside it that it may read too: descriptions of a wire, never code that runs. */
  readonly shares?: readonly string[];
}

/** An import the layer order would allow but the architecture rules out. */
export interface ForbiddenImport {
  readonly rule: string;
  readonly from: readonly string[];
  readonly to: readonly string[];
}

export interface Layering {
  /** Top to bottom: a file may import its own layer or any layer after it, never one before it. */
  readonly layers: readonly Area[];
  readonly separatePrograms: readonly SeparateProgram[];
  readonly forbidden: readonly ForbiddenImport[];
}

interface Placement {
  readonly area: Area;
  /** Position in `layers`, or undefined for a separate program. */
  readonly layer: number | undefined;
  readonly matched: number;
}

function matchLength(member: string, file: string): number {
  const matches = member.endsWith('/') ? file.startsWith(member) : file === member;
  return matches ? member.length : -1;
}

function bestMatch(area: Area, file: string): number {
  return Math.max(-1, ...area.members.map((member) => matchLength(member, file)));
}

function isIn(members: readonly string[], file: string): boolean {
  return members.some((member) => matchLength(member, file) >= 0);
}

/** The layer or separate program a file belongs to, by its longest matching member. */
export function placeOf(layering: Layering, file: string): Placement | undefined {
  const candidates: Placement[] = [
    ...layering.layers.map((area, layer) => ({ area, layer, matched: bestMatch(area, file) })),
    ...layering.separatePrograms.map((area) => ({ area, layer: undefined, matched: bestMatch(area, file) })),
  ];
  const placed = candidates.filter((candidate) => candidate.matched >= 0);
  return placed.sort((a, b) => b.matched - a.matched)[0];
}

/** `src/X` for every file no layer or program holds: the top-level entries the map is missing. */
export function unplacedEntries(layering: Layering, files: readonly string[]): string[] {
  const unplaced = files.filter((file) => placeOf(layering, file) === undefined);
  return [...new Set(unplaced.map((file) => file.split('/').slice(0, 2).join('/')))].sort();
}

function offenders(edges: readonly ImportEdge[], offends: (edge: ImportEdge) => boolean): string[] {
  return edges.filter(offends).map(formatEdge).sort();
}

/** Imports from the given layer into a layer above it. */
export function upwardImports(layering: Layering, edges: readonly ImportEdge[], layer: number): string[] {
  return offenders(edges, ({ from, to }) => {
    const target = placeOf(layering, to)?.layer;
    return placeOf(layering, from)?.layer === layer && target !== undefined && target < layer;
  });
}

export function forbiddenImports(rule: ForbiddenImport, edges: readonly ImportEdge[]): string[] {
  return offenders(edges, ({ from, to }) => isIn(rule.from, from) && isIn(rule.to, to));
}

function isInProgram(layering: Layering, program: SeparateProgram, file: string): boolean {
  return placeOf(layering, file)?.area === program;
}

/** Imports from inside the program to any file outside it. */
export function importsLeavingProgram(layering: Layering, program: SeparateProgram, edges: readonly ImportEdge[]): string[] {
  return offenders(edges, ({ from, to }) => isInProgram(layering, program, from) && !isInProgram(layering, program, to) && !(program.shares ?? []).includes(to));
}

/** Imports of the program from any file outside it that is not in one of its `importedOnlyBy` layers. */
export function importsEnteringProgram(layering: Layering, program: SeparateProgram, edges: readonly ImportEdge[]): string[] {
  return offenders(edges, ({ from, to }) => {
    if (!isInProgram(layering, program, to) || isInProgram(layering, program, from)) return false;
    return !program.importedOnlyBy.includes(placeOf(layering, from)?.area.name ?? '');
  });
}

/**
 * The folder-graph node of a file: `src/X` for anything in src/X/, `src/X/Y` for anything in a
 * sub-folder (so `src/upstream/tgi` is a node of its own), a file at the root of src/ itself.
 */
export function folderNodeOf(file: string): string {
  const parts = file.split('/');
  if (parts.length <= 2) return file;
  return parts.slice(0, Math.min(3, parts.length - 1)).join('/');
}

export interface FolderStep {
  readonly step: string;
  /** The file imports that make up this step. */
  readonly via: readonly string[];
}

export interface FolderCycle {
  readonly cycle: string;
  /** Fewest imports first: the step that is cheapest to cut. */
  readonly steps: readonly FolderStep[];
}

function folderEdge(edge: ImportEdge): ImportEdge {
  return { from: folderNodeOf(edge.from), to: folderNodeOf(edge.to) };
}

function stepsOf(cycle: string, crossing: readonly ImportEdge[]): FolderStep[] {
  const nodes = cycle.split(' -> ');
  const steps = nodes.slice(0, -1).map((node, i) => {
    const step = `${node} -> ${nodes[i + 1] ?? ''}`;
    return { step, via: offenders(crossing, (edge) => formatEdge(folderEdge(edge)) === step) };
  });
  return steps.sort((a, b) => a.via.length - b.via.length || a.step.localeCompare(b.step));
}

/** Cycles among folders (imports within one folder do not count), each with the imports behind it. */
export function folderCycles(edges: readonly ImportEdge[]): FolderCycle[] {
  const crossing = edges.filter((edge) => folderNodeOf(edge.from) !== folderNodeOf(edge.to));
  return findCycles(crossing.map(folderEdge)).map((cycle) => ({ cycle, steps: stepsOf(cycle, crossing) }));
}
