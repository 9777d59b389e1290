// Preloaded into an OpsOrch process under test (`node --expose-gc --import ./fuzz/memory-probe.mjs`): answers
// the test's `memory` message with process.memoryUsage(), after a full garbage collection when asked, so a
// run can compare the heap before and after without counting garbage that is merely not collected yet.
if (process.send) {
  process.on('message', (message) => {
    if (message?.type !== 'memory') return;
    if (message.collect) globalThis.gc?.();
    process.send({ type: 'memory', id: message.id, ...process.memoryUsage() });
  });
}
