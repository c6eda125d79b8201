import assert from "node:assert/strict";

// Consensus and state must be pure (docs/spec/consensus.md §1): no clock, randomness or I/O.
const FORBIDDEN: readonly [RegExp, string][] = [
  [/\bDate\b/, "Date"],
  [/performance\s*\.\s*now/, "performance.now"],
  [/Math\s*\.\s*random/, "Math.random"],
  [/getRandomValues/, "crypto.getRandomValues"],
  [/\bDeno\s*\./, "Deno.*"],
  [/\bsetTimeout\b|\bsetInterval\b/, "timers"],
];

// The state module's Deno KV Store adapter is its one I/O file, behind the Store interface the
// pure engine receives (its module docs say so); everything else is scanned.
const EXEMPT: readonly string[] = ["/src/state/kv_store.ts"];

function stripComments(src: string): string {
  return src.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:])\/\/.*$/gm, "$1");
}

function sources(dir: URL): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [];
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(dir)];
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return out; // module not created yet
    throw e;
  }
  for (const e of entries) {
    const u = new URL(e.name + (e.isDirectory ? "/" : ""), dir);
    if (e.isDirectory) out.push(...sources(u));
    else if (e.name.endsWith(".ts") && !/_(test|bench)\.ts$/.test(e.name)) {
      out.push({ path: u.pathname, text: Deno.readTextFileSync(u) });
    }
  }
  return out;
}

Deno.test("src/consensus and src/state use no clock, randomness or Deno APIs", () => {
  const files = [
    ...sources(new URL("./", import.meta.url)),
    ...sources(new URL("../state/", import.meta.url)),
  ];
  assert.ok(files.length > 0);
  const hits: string[] = [];
  for (const f of files) {
    if (EXEMPT.some((x) => f.path.endsWith(x))) continue;
    const code = stripComments(f.text);
    for (const [re, name] of FORBIDDEN) if (re.test(code)) hits.push(`${f.path}: ${name}`);
  }
  assert.deepEqual(hits, []);
});

Deno.test("the determinism scan catches a forbidden call", () => {
  const code = stripComments("const t = Date.now(); // fine\n/* Math.random() */");
  assert.ok(FORBIDDEN[0]![0].test(code));
  assert.ok(!FORBIDDEN[2]![0].test(code));
});
