// Which source maps Node keeps (decision 028): OpsOrch's own, so stack traces name its .ts lines, and never the
// packages', whose maps (@apollo/* and @opentelemetry/* ship theirs, with their sources inside) Node would read and
// hold for the life of the process: about 12 MB of an idle gateway's 80 MB of heap. Import it after tsx registers
// (which turns every source map on) and before any package.
import module from 'node:module';
import { sep } from 'node:path';

const MAGIC = '//# sourceMappingURL=';
const PACKAGES = `${sep}node_modules${sep}`;

/** `source` without its source map comment, when that comment is its last line (the only place a compiler puts it). */
export function withoutSourceMapComment(source) {
  const end = source.trimEnd();
  const lastLine = end.lastIndexOf('\n') + 1;
  return end.startsWith(MAGIC, lastLine) ? end.slice(0, lastLine) : source;
}

if (module.setSourceMapsSupport) {
  // Node 22.14 and later.
  module.setSourceMapsSupport(true, { nodeModules: false, generatedCode: false });
} else {
  // Node 20 has no such switch and reads the map named by any module it compiles. A package's CommonJS module
  // (882 of them in a started gateway, nearly all of what those 12 MB were) is compiled without the comment that
  // names its map; its stack frames then name its .js lines, as they would without source maps at all.
  const compile = module.prototype._compile;
  module.prototype._compile = function (content, filename, ...rest) {
    return compile.call(this, filename.includes(PACKAGES) ? withoutSourceMapComment(content) : content, filename, ...rest);
  };
}
