// schema.graphql is what Pothos builds (regenerate with `npm run schema:print`)
// and contains the public contract of API.md.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { printedSchema } from '../src/schema/index.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const contractCheck = fileURLToPath(new URL('../../shared/tools/check-contract.mjs', import.meta.url));

describe('schema.graphql', () => {
  it('is the schema the code builds', () => {
    expect(readFileSync(`${root}/schema.graphql`, 'utf8')).toBe(printedSchema());
  });

  it.runIf(existsSync(contractCheck))('contains every type and field of the public contract', () => {
    const out = execFileSync(process.execPath, [contractCheck, '--all'], { cwd: root, encoding: 'utf8' });
    expect(out).toMatch(/ 0 failed/);
  });
});
