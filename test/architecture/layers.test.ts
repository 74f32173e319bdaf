// Dependencies point inward: each layer imports only what ARCHITECTURE.md allows it to.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const SRC = fileURLToPath(new URL('../../../src', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Runtime imports only: `import type` is erased and costs nothing at start-up. */
function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const m of text.matchAll(
    /^\s*import\s+(?!type\b)[^'"]*?from\s+'([^']+)'|import\('([^']+)'\)/gm,
  )) {
    found.push((m[1] ?? m[2])!);
  }
  return found;
}

const layerOf = (file: string) => relative(SRC, file).split('/')[0]!;
const targetLayer = (file: string, spec: string) =>
  spec.startsWith('.') ? relative(SRC, join(file, '..', spec)).split('/')[0]! : null;

test('core imports nothing but itself and node:crypto', () => {
  for (const file of sources(join(SRC, 'core'))) {
    for (const spec of imports(file)) {
      const ok = spec === 'node:crypto' || targetLayer(file, spec) === 'core';
      assert.ok(ok, `${relative(SRC, file)} imports ${spec}`);
    }
  }
});

test('each layer imports only the layers inside it', () => {
  const allowed: Record<string, string[]> = {
    core: ['core'],
    store: ['store', 'core'],
    bus: ['bus', 'core'],
    config: ['config', 'core'],
    client: ['client', 'core'],
    server: ['server', 'core', 'store', 'bus', 'config', 'mcp'],
    cli: ['cli', 'client', 'config', 'core', 'bridge', 'mcp', 'hooks'],
    mcp: ['mcp', 'core'],
    bridge: ['bridge', 'mcp', 'client', 'core'],
    hooks: ['hooks', 'client', 'core'],
  };
  for (const file of sources(SRC)) {
    const layer = layerOf(file);
    // `huddle serve` is the one command that runs the server itself, and `huddle migrate` the one
    // that opens stores itself (the hub must be stopped while it copies).
    const extra =
      relative(SRC, file) === 'cli/commands/serve.ts'
        ? ['server']
        : relative(SRC, file) === 'cli/commands/migrate.ts'
          ? ['store']
          : [];
    for (const spec of imports(file)) {
      const target = targetLayer(file, spec);
      if (target === null) continue;
      assert.ok(
        [...(allowed[layer] ?? []), ...extra].includes(target),
        `${relative(SRC, file)} (${layer}) imports ${spec} (${target})`,
      );
    }
  }
});

test('the CLI loads no database driver or web server outside `huddle serve`', () => {
  for (const file of sources(join(SRC, 'cli'))) {
    if (relative(SRC, file) === 'cli/commands/serve.ts') continue;
    for (const spec of imports(file)) {
      assert.ok(
        !/better-sqlite3|^pg$|hono|zod/.test(spec),
        `${relative(SRC, file)} imports ${spec}`,
      );
    }
  }
});

test('hooks load no database driver, web server, WebSocket or MCP library', () => {
  for (const file of sources(join(SRC, 'hooks'))) {
    for (const spec of imports(file)) {
      assert.ok(
        !/better-sqlite3|^pg$|hono|zod|^ws$|@modelcontextprotocol/.test(spec),
        `${relative(SRC, file)} imports ${spec}`,
      );
    }
  }
});

test('only config/ and cli/ read process.env', () => {
  for (const file of sources(SRC)) {
    if (['config', 'cli'].includes(layerOf(file))) continue;
    assert.ok(
      !readFileSync(file, 'utf8').includes('process.env'),
      `${relative(SRC, file)} reads process.env`,
    );
  }
});

test('the built huddle command is one file: serve and migrate alone are loaded from the compiled modules', () => {
  const built = readFileSync(join(SRC, '..', 'dist', 'src', 'cli', 'huddle-code.cjs'), 'utf8');
  const loaded = [...built.matchAll(/\b(?:require|import|__huddle_import)\("([^"]+)"\)/g)].map(
    (m) => m[1]!,
  );
  for (const spec of loaded) {
    if (spec === './commands/serve.js' || spec === './commands/migrate.js') continue;
    assert.ok(
      !spec.startsWith('.'),
      `huddle-code.cjs loads the module ${spec} from outside itself`,
    );
    assert.ok(!/better-sqlite3|^pg$|hono/.test(spec), `huddle-code.cjs loads ${spec}`);
  }
  assert.ok(loaded.includes('./commands/serve.js'), 'huddle serve is no longer loaded on demand');
});

test('every room route reads its caller through one function, so a browser session works on all', () => {
  const routes = join(SRC, 'server', 'routes');
  const bypass = sources(routes).filter(
    (file) =>
      // MCP is for agents: bearer tokens only.
      !file.endsWith('mcp.ts') && /hub\.authenticate\(/.test(readFileSync(file, 'utf8')),
  );
  assert.deepEqual(
    bypass.map((f) => relative(SRC, f)),
    [],
    'use authenticate(hub, c) from server/web-auth.ts',
  );
});
