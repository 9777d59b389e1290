// The gateway under soak, in its own process: the real startGateway (the composition root builds its runtime)
// with the `faulty` provider kind added over the registered kinds,
// configured by the OPSORCH_* environment the soak gives it. Steered over IPC: `{ type: 'faults', on }` turns
// injection on or off, `{ type: 'injected' }` answers the faults injected so far. Memory is answered by
// fuzz/memory-probe.mjs (preloaded). Prints the usual "listening" log line with its URL.
import { createLogger, startGateway } from '../gateway/src/index.ts';
import { PROVIDERS } from '../gateway/src/runtime.ts';
import { faultControl, faultyProviders } from './faults.ts';

const control = faultControl(Number(process.env.SOAK_SEED ?? 1), {
  outageEveryMs: Number(process.env.SOAK_OUTAGE_EVERY_MS ?? 20_000),
  outageMs: Number(process.env.SOAK_OUTAGE_MS ?? 5_000),
});
const logger = createLogger(process.env.OPSORCH_LOG_LEVEL ?? 'warn');
const gateway = await startGateway({ port: 0, host: '127.0.0.1', logger, extraProviders: { faulty: faultyProviders(PROVIDERS, control) } });
process.stdout.write(`${JSON.stringify({ msg: 'OpsOrch gateway listening', url: gateway.url })}\n`);

process.on('message', (message: { type?: string; id?: number; on?: boolean }) => {
  if (message?.type === 'faults') {
    if (message.on && !control.on) control.onSince = Date.now();
    control.on = Boolean(message.on);
  }
  if (message?.type === 'injected') process.send?.({ type: 'injected', id: message.id, injected: control.injected });
});
process.once('SIGTERM', () => {
  void gateway.close().finally(() => process.exit(0));
});
