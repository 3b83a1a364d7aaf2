// The architecture of src/ as a specification: which part may import which. The map below is
// the one place to read or change it; the tests after it only apply it to today's imports.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findCycles, moduleSpecifiers, readImportGraph, type ImportGraph } from './import-graph.ts';
import {
  folderCycles,
  forbiddenImports,
  importsEnteringProgram,
  importsLeavingProgram,
  unplacedEntries,
  upwardImports,
  type FolderCycle,
  type Layering,
} from './layering-check.ts';

/** Today's adapters sit at the root of src/; the target layout moves them under src/upstream/. */
const TGI_ADAPTER = ['src/tgi/', 'src/upstream/tgi/'];
const OPENAI_ADAPTER = ['src/openai/', 'src/upstream/openai/'];
const PROTOCOL_ADAPTERS = [...TGI_ADAPTER, ...OPENAI_ADAPTER];

const LAYERING: Layering = {
  // Top to bottom. A file imports its own layer or a lower one, never a higher one.
  layers: [
    { name: 'entry', members: ['src/main.ts', 'src/process/'] },
    { name: 'composition root', members: ['src/app.ts'] },
    { name: 'transport', members: ['src/transport/'] },
    { name: 'schema', members: ['src/schema/'] },
    { name: 'observability', members: ['src/observability/'] },
    { name: 'generation', members: ['src/generation/'] },
    { name: 'registry', members: ['src/registry/'] },
    // How a replica is chosen, on numbers and prompt hashes only: it knows no replica, no protocol.
    { name: 'routing', members: ['src/routing/'] },
    // Adapters translate a protocol onto the neutral core, so they sit above it.
    { name: 'protocol adapters', members: PROTOCOL_ADAPTERS },
    { name: 'upstream core', members: ['src/upstream/'] },
    // Shared foundations, lowest. Their order follows what each one needs:
    // access checks keys from config; rate limits need nothing; both may log;
    { name: 'caller policies', members: ['src/access/', 'src/rate-limits/'] },
    // the logger is built from config (its level) and tags lines with lib's request scope;
    { name: 'logger', members: ['src/logger.ts'] },
    // config only reads the environment, so nothing of the gateway is below it but errors and lib;
    { name: 'configuration', members: ['src/config/'] },
    { name: 'errors', members: ['src/errors.ts'] },
    // lib is the floor: it imports nothing else from src/.
    { name: 'lib', members: ['src/lib/'] },
  ],
  separatePrograms: [
    // The simulator is a program of its own (npm run simulator) standing in for model servers;
    // the gateway may start it in-process (process/builtin-simulator.ts), but sharing code with it would
    // tie the stand-in to the very code it is there to exercise. It shares only the description
    // of TGI's wire (types, no code), so that both ends name the same fields.
    { name: 'simulator', members: ['src/simulator/'], importedOnlyBy: ['entry'], shares: ['src/upstream/tgi/wire.ts'] },
    // Static files served to the browser as they are.
    { name: 'playground', members: ['src/playground/'], importedOnlyBy: [] },
  ],
  forbidden: [
    { rule: 'the TGI adapter never imports the OpenAI adapter', from: TGI_ADAPTER, to: OPENAI_ADAPTER },
    { rule: 'the OpenAI adapter never imports the TGI adapter', from: OPENAI_ADAPTER, to: TGI_ADAPTER },
    {
      rule: 'the registry is protocol-blind: it imports no protocol adapter (app.ts hands it a client factory)',
      from: ['src/registry/'],
      to: PROTOCOL_ADAPTERS,
    },
    {
      rule: 'generation is protocol-blind: it imports no protocol adapter (app.ts hands it a client factory)',
      from: ['src/generation/'],
      to: PROTOCOL_ADAPTERS,
    },
    {
      rule: "the gateway's own OpenAI-compatible API speaks the service's neutral types: it imports no protocol adapter, nor the upstream OpenAI wire",
      from: ['src/transport/v1/'],
      to: [...PROTOCOL_ADAPTERS, 'src/upstream/openai-wire/'],
    },
    { rule: "the simulator's core imports neither of its protocols", from: ['src/simulator/core/'], to: ['src/simulator/tgi/', 'src/simulator/openai/'] },
    { rule: "the simulator's TGI side never imports its OpenAI side", from: ['src/simulator/tgi/'], to: ['src/simulator/openai/'] },
    { rule: "the simulator's OpenAI side never imports its TGI side", from: ['src/simulator/openai/'], to: ['src/simulator/tgi/'] },
  ],
};

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Fails with one `from.ts -> to.ts` line per offender, so the message is the to-do list. */
function expectNone(offenders: readonly string[], headline: string): void {
  if (offenders.length > 0) expect.fail(`${headline} (${offenders.length}):\n  ${offenders.join('\n  ')}`);
}

function describeMembers(members: readonly string[]): string {
  return members.join(', ');
}

/** The cycle, then each step with the imports behind it, so the cheapest cut is visible. */
function describeFolderCycle(cycle: FolderCycle): string {
  const steps = cycle.steps.map(({ step, via }) => `\n    ${step}, ${via.length} import(s):\n      ${via.join('\n      ')}`);
  return cycle.cycle + steps.join('');
}

describe('the architecture of src/', () => {
  const graph = readImportGraph(REPO_ROOT, 'src');

  describe('every file has a place in the map', () => {
    it('places every top-level entry of src/ in a layer or a separate program', () => {
      expectNone(unplacedEntries(LAYERING, graph.files).map((entry) => `place ${entry} in a layer`), 'unplaced entries');
    });

    it('lets a separate program be imported only by layers the map has', () => {
      const layerNames = new Set(LAYERING.layers.map((layer) => layer.name));
      const unknown = LAYERING.separatePrograms.flatMap((program) => program.importedOnlyBy.filter((name) => !layerNames.has(name)));
      expectNone(unknown, 'unknown layer names');
    });

    it('resolves every relative import to a file', () => {
      expectNone(graph.unresolved.map(({ from, specifier }) => `${from} -> ${specifier}`), 'imports of missing files');
    });
  });

  describe('imports go down the layers, never up', () => {
    LAYERING.layers.forEach((layer, index) => {
      it(`${layer.name} (${describeMembers(layer.members)}) imports only its own layer and the ones below it`, () => {
        expectNone(upwardImports(LAYERING, graph.edges, index), `imports from ${layer.name} into a higher layer`);
      });
    });
  });

  describe('forbidden imports', () => {
    for (const rule of LAYERING.forbidden) {
      it(rule.rule, () => expectNone(forbiddenImports(rule, graph.edges), 'forbidden imports'));
    }
  });

  describe('separate programs', () => {
    for (const program of LAYERING.separatePrograms) {
      const shared = program.shares?.length ? ` but what it shares (${program.shares.join(', ')})` : '';
      it(`${program.name} (${describeMembers(program.members)}) imports nothing outside itself${shared}`, () => {
        expectNone(importsLeavingProgram(LAYERING, program, graph.edges), `imports leaving ${program.name}`);
      });

      const importers = program.importedOnlyBy.length > 0 ? `only by ${program.importedOnlyBy.join(' and ')}` : 'by nothing';
      it(`${program.name} is imported ${importers}`, () => {
        expectNone(importsEnteringProgram(LAYERING, program, graph.edges), `imports of ${program.name}`);
      });
    }
  });

  describe('no import cycles', () => {
    it('among files', () => expectNone(findCycles(graph.edges), 'file cycles'));

    it('among folders (src/X, and src/X/Y for a sub-folder)', () => {
      expectNone(folderCycles(graph.edges).map(describeFolderCycle), 'folder cycles');
    });
  });
});

// --- The checker itself, proven on small trees written to a temporary folder. ---

type Tree = Readonly<Record<string, string>>;

/** Writes `tree` (paths under src/) to a fresh folder and reads its import graph back. */
function graphOf(tree: Tree): ImportGraph {
  const root = mkdtempSync(join(tmpdir(), 'layering-'));
  try {
    for (const [path, text] of Object.entries(tree)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    return readImportGraph(root, 'src');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

// A tree that keeps every rule, with decoys that would break some if they were read as imports.
const GOOD_TREE: Tree = {
  'src/main.ts': "import { start } from './app.ts';\nstart();\n",
  'src/app.ts': "import { serve } from './transport/server.ts';\nimport { tgiClient } from './tgi/client.ts';\nexport const start = () => serve(tgiClient);\n",
  'src/transport/server.ts': "import type { Client } from '../upstream/http.ts';\nexport const serve = (client: Client) => client;\n",
  'src/tgi/client.ts': "import { request, type Client } from '../upstream/http.ts';\nexport const tgiClient: Client = { request };\n",
  'src/upstream/http.ts': [
    "export * from '../lib/deadline.ts';",
    '// import { start } from "../app.ts";',
    "/* export { start } from '../app.ts'; */",
    "const quoted = \"import '../app.ts'\";",
    'const nested = `${ { a: 1 }.a } import("../app.ts") ${`${quoted}`}`;',
    "const apostrophe = /'/g;",
    "export interface Client { request: () => string }",
    "export const request = () => nested.replace(apostrophe, '') + ' / ' + 'from \"../app.ts\"';",
  ].join('\n'),
  'src/lib/deadline.ts': 'export const deadline = 1 / 2;\n',
  'src/playground/index.html': '<!doctype html>\n',
};

describe('the layering checker', () => {
  it('reads static, type-only, re-exported, side-effect and dynamic imports, and nothing in comments or strings', () => {
    const text = [
      "import a, { b } from './a.ts';",
      "import type { C } from './c.ts';",
      "import * as d from './d.ts';",
      "import './e.ts';",
      "export { f } from './f.ts';",
      "export type { G } from './g.ts';",
      "export * as h from './h.ts';",
      "export { local };",
      "const i = await import('./i.ts');",
      "type J = typeof import('./j.ts');",
      "const notLiteral = await import(i.name);",
      "// import k from './k.ts';",
      "const l = 'import m from \"./m.ts\"';",
      'const n = `${ { o: 1 }.o } from "./p.ts"`;',
      "const q = /from './r.ts'/;",
    ].join('\n');
    expect(moduleSpecifiers(text)).toEqual(['./a.ts', './c.ts', './d.ts', './e.ts', './f.ts', './g.ts', './h.ts', './i.ts', './j.ts']);
  });

  it('passes a tree that keeps every rule', () => {
    const graph = graphOf(GOOD_TREE);
    expect(graph.edges.length).toBe(6);
    expect(unplacedEntries(LAYERING, graph.files)).toEqual([]);
    expect(graph.unresolved).toEqual([]);
    LAYERING.layers.forEach((_, index) => expect(upwardImports(LAYERING, graph.edges, index)).toEqual([]));
    for (const rule of LAYERING.forbidden) expect(forbiddenImports(rule, graph.edges)).toEqual([]);
    expect(findCycles(graph.edges)).toEqual([]);
    expect(folderCycles(graph.edges)).toEqual([]);
  });

  it('catches an upward import, naming the importing and the imported file', () => {
    const graph = graphOf({ ...GOOD_TREE, 'src/lib/deadline.ts': "import '../upstream/http.ts';\n" });
    const lib = LAYERING.layers.findIndex((layer) => layer.name === 'lib');
    expect(upwardImports(LAYERING, graph.edges, lib)).toEqual(['src/lib/deadline.ts -> src/upstream/http.ts']);
  });

  it('catches the neutral upstream core importing an adapter, in either layout', () => {
    const graph = graphOf({ ...GOOD_TREE, 'src/upstream/redact.ts': "import '../tgi/client.ts';\nimport './openai/errors.ts';\n", 'src/upstream/openai/errors.ts': '' });
    const core = LAYERING.layers.findIndex((layer) => layer.name === 'upstream core');
    expect(upwardImports(LAYERING, graph.edges, core)).toEqual(['src/upstream/redact.ts -> src/tgi/client.ts', 'src/upstream/redact.ts -> src/upstream/openai/errors.ts']);
  });

  it('catches one protocol adapter importing the other, in either layout', () => {
    const graph = graphOf({
      ...GOOD_TREE,
      'src/openai/client.ts': "import { tgiClient } from '../tgi/client.ts';\n",
      'src/upstream/tgi/wire.ts': "export type { Chat } from '../openai/chat.ts';\n",
      'src/upstream/openai/chat.ts': 'export type Chat = string;\n',
    });
    expect(LAYERING.forbidden.flatMap((rule) => forbiddenImports(rule, graph.edges))).toEqual([
      'src/upstream/tgi/wire.ts -> src/upstream/openai/chat.ts',
      'src/openai/client.ts -> src/tgi/client.ts',
    ]);
  });

  it('catches a cycle, among files and among their folders', () => {
    const graph = graphOf({ ...GOOD_TREE, 'src/lib/deadline.ts': "import './clock.ts';\n", 'src/lib/clock.ts': "import './deadline.ts';\n" });
    expect(findCycles(graph.edges)).toEqual(['src/lib/clock.ts -> src/lib/deadline.ts -> src/lib/clock.ts']);
    const folders = graphOf({ ...GOOD_TREE, 'src/lib/deadline.ts': "import '../upstream/http.ts';\n" });
    expect(folderCycles(folders.edges)).toEqual([
      {
        cycle: 'src/lib -> src/upstream -> src/lib',
        steps: [
          { step: 'src/lib -> src/upstream', via: ['src/lib/deadline.ts -> src/upstream/http.ts'] },
          { step: 'src/upstream -> src/lib', via: ['src/upstream/http.ts -> src/lib/deadline.ts'] },
        ],
      },
    ]);
  });

  it('asks for a new top-level folder to be placed in a layer', () => {
    const graph = graphOf({ ...GOOD_TREE, 'src/plugins/cache.ts': 'export {};\n' });
    expect(unplacedEntries(LAYERING, graph.files)).toEqual(['src/plugins']);
  });

  it('keeps the simulator apart from the gateway', () => {
    const simulator = LAYERING.separatePrograms.find((program) => program.name === 'simulator');
    if (simulator === undefined) throw new Error('the map has no simulator');
    const graph = graphOf({
      ...GOOD_TREE,
      'src/process/builtin-simulator.ts': "import '../simulator/server.ts';\n",
      'src/simulator/server.ts': "import '../tgi/client.ts';\n",
      'src/transport/server.ts': "import '../simulator/server.ts';\n",
    });
    expect(importsLeavingProgram(LAYERING, simulator, graph.edges)).toEqual(['src/simulator/server.ts -> src/tgi/client.ts']);
    expect(importsEnteringProgram(LAYERING, simulator, graph.edges)).toEqual(['src/transport/server.ts -> src/simulator/server.ts']);
  });
});
