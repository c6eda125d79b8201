import assert from "node:assert/strict";

const ROOT = new URL("..", import.meta.url).pathname;

/** A running phantom-node child with its stderr collected line by line. */
interface NodeProcess {
  readonly child: Deno.ChildProcess;
  /** Resolves with the stderr text so far once a line matches. Rejects if stderr ends first. */
  waitFor(pattern: RegExp): Promise<string>;
  /** Resolves with the exit status and all stderr text when the process has ended. */
  finished(): Promise<{ code: number; stderr: string }>;
}

/**
 * Spawns `deno run -A phantom-node.ts ...args` from the repository root.
 * @param args phantom-node arguments
 * @param env extra environment variables
 * @returns the running process
 */
function spawnNode(args: string[], env: Record<string, string> = {}): NodeProcess {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", `${ROOT}phantom-node.ts`, ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let text = "";
  const waiters: { pattern: RegExp; resolve: (s: string) => void; reject: (e: Error) => void }[] =
    [];
  const check = () => {
    for (const w of [...waiters]) {
      if (w.pattern.test(text)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(text);
      }
    }
  };
  const pump = (async () => {
    for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
      text += chunk;
      check();
    }
    for (const w of waiters.splice(0)) {
      w.reject(new Error(`stderr ended before ${w.pattern} matched:\n${text}`));
    }
  })();
  const stdoutDone = child.stdout.cancel();
  return {
    child,
    waitFor(pattern) {
      return new Promise((resolve, reject) => {
        waiters.push({ pattern, resolve, reject });
        check();
      });
    },
    async finished() {
      const [status] = await Promise.all([child.status, pump, stdoutDone]);
      return { code: status.code, stderr: text };
    },
  };
}

function nodeArgs(dir: string): string[] {
  return [
    "run",
    "--data-dir",
    dir,
    "--network",
    "devnet",
    "--rpc-port",
    "0",
    "--log-format",
    "json",
  ];
}

Deno.test("phantom-node run refuses a data dir held by another live process, then shuts down on SIGTERM", async () => {
  const dir = await Deno.makeTempDir();
  const a = spawnNode(nodeArgs(dir));
  await a.waitFor(/"message":"Node started"/);
  const b = spawnNode(nodeArgs(dir));
  const bDone = await b.finished();
  assert.equal(bDone.code, 3, bDone.stderr);
  assert.match(bDone.stderr, new RegExp(`is in use: locked by running process ${a.child.pid}`));
  a.child.kill("SIGTERM");
  const aDone = await a.finished();
  assert.equal(aDone.code, 0, aDone.stderr);
  const order = ["Shutdown requested", "Stopping node", "Node stopped"].map((m) =>
    aDone.stderr.indexOf(m)
  );
  assert.ok(order.every((i, k) => i > 0 && (k === 0 || i > (order[k - 1] ?? 0))), aDone.stderr);
  assert.equal(await Deno.readTextFile(`${dir}/devnet/LOCK`), "", "PID cleared on clean shutdown");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("phantom-node run takes over the lock of a killed process (stale PID)", async () => {
  const dir = await Deno.makeTempDir();
  const a = spawnNode(nodeArgs(dir));
  await a.waitFor(/"message":"Node started"/);
  a.child.kill("SIGKILL");
  await a.finished();
  assert.equal((await Deno.readTextFile(`${dir}/devnet/LOCK`)).trim(), String(a.child.pid));
  const b = spawnNode(nodeArgs(dir));
  const text = await b.waitFor(/"message":"Node started"/);
  assert.match(
    text,
    new RegExp(`"message":"Replaced stale data directory lock".*"stale_pid":${a.child.pid}`),
  );
  b.child.kill("SIGINT");
  assert.equal((await b.finished()).code, 0);
  await Deno.remove(dir, { recursive: true });
});
