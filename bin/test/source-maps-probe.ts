// Run by source-maps.test.ts as `node --import tsx --import bin/source-maps.mjs`, the order bin/opsorch.mjs loads them
// in: prints whether Node kept a package's source map and which line of this file an error's stack names.
import { createRequire, findSourceMap } from 'node:module';

const require = createRequire(import.meta.url);
const packageModule = require.resolve('@apollo/gateway');
require(packageModule);

interface Where {
  line: number;
}

function whereAmI(): Where {
  const frame = new Error('probe').stack!.split('\n')[1]!;
  return { line: Number(/:(\d+):\d+\)?$/.exec(frame)![1]) };
}

console.log(JSON.stringify({ packageMapKept: findSourceMap(packageModule) !== undefined, errorLine: whereAmI().line }));
