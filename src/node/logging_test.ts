import assert from "node:assert/strict";
import { nodeLogger, setupLogging, teardownLogging } from "./logging.ts";

Deno.test("setupLogging() writes JSON lines with structured properties and per-module levels", async () => {
  const lines: string[] = [];
  await setupLogging({
    level: "info",
    format: "json",
    modules: ["rpc=debug", "state=error"],
    write: (l) => lines.push(l),
  });
  try {
    nodeLogger("node").info("Anchor finalized", { anchor: "ab12", height: 7 });
    nodeLogger("node").debug("Hidden by the default level");
    nodeLogger("rpc").debug("Shown by the module override");
    nodeLogger("state").warn("Hidden by the module override");
  } finally {
    await teardownLogging();
  }
  const recs = lines.map((l) => JSON.parse(l));
  assert.equal(recs.length, 2);
  assert.equal(recs[0].message, "Anchor finalized");
  assert.equal(recs[0].anchor, "ab12");
  assert.equal(recs[0].height, 7);
  assert.equal(recs[0].logger, "phantom.node");
  assert.equal(recs[1].logger, "phantom.rpc");
  assert.equal(recs[1].level, "DEBUG");
});

Deno.test("setupLogging() pretty format appends properties as key=value", async () => {
  const lines: string[] = [];
  await setupLogging({ level: "info", format: "pretty", write: (l) => lines.push(l) });
  try {
    nodeLogger("node").info("Anchor finalized", { anchor: "ab12", note: "two words" });
  } finally {
    await teardownLogging();
  }
  assert.equal(lines.length, 1);
  assert.match(
    lines[0] ?? "",
    /\[INF\] phantom·node: Anchor finalized anchor=ab12 note="two words"\n$/,
  );
});
