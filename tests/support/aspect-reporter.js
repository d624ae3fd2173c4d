// as-pect reporter: the usual per-file summary, plus one closing line
// "N passed, N failed" over every spec file, which tests/run-all.sh adds up.
// as-pect creates one TestContext per spec file but imports this module once,
// so the counts accumulate across files; the line is printed when the
// process exits (as-pect calls process.exit(1) on failure).
import { writeSync } from "node:fs";
import { SummaryReporter } from "@as-pect/core";

let passed = 0;
let failed = 0;

class CountingReporter extends SummaryReporter {
  onExit(ctx, node) {
    super.onExit(ctx, node);
    // TestNodeType.Test === 0; groups (1) are not counted.
    if (node.type !== 0) return;
    if (node.pass) passed += 1;
    else failed += 1;
  }
  onFinish(ctx) {
    super.onFinish(ctx);
    // A file whose module failed to start runs no test: count it as a failure.
    if (!ctx.rootNode.pass && ctx.testCount === 0) failed += 1;
  }
}

process.on("exit", (code) => {
  // A compile error exits non-zero before any test ran: never report 0 failed then.
  if (code !== 0 && failed === 0) failed = 1;
  writeSync(1, `\n${passed} passed, ${failed} failed\n`);
});

export default new CountingReporter();
