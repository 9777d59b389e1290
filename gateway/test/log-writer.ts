// A process that logs through OpsOrch's stdout logger and then ends as told (logger.test.ts):
//   log-writer.ts <lines> crash|exit|stay
import { createLogger } from '../src/logger.ts';

const [count, ending] = process.argv.slice(2);
const logger = createLogger('info');
for (let i = 0; i < Number(count); i++) logger.info({ i }, 'line');
if (ending === 'crash') setImmediate(() => {
  throw new Error('crashed after logging');
});
else if (ending === 'exit') process.exit(3);
// 'stay': keeps running until killed; its lines must arrive without an exit.
else setInterval(() => {}, 1_000);
