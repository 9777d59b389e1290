// Summarizes a V8 CPU profile (`node --cpu-prof`): where the self time went, by package and by function.
// `tsx gateway/bench/load/profile.ts <file.cpuprofile> [top]`; bench:load prints it for every --cpu-prof.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** `graphql`, `@apollo/gateway`, `opsorch:gateway/src` or `node:internal`: where a frame's code lives. */
function packageOf(url: string, name: string): string {
  if (!url) return name.startsWith('(') ? name : '(native)';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const [scope, pkg] = url.slice(modules + '/node_modules/'.length).split('/');
    return scope!.startsWith('@') ? `${scope}/${pkg}` : scope!;
  }
  if (url.startsWith('node:')) return 'node:internal';
  const inRepo = /\/(adapters|subgraphs|gateway|schema|mcp)\/(.*)\/[^/]+$/.exec(url);
  return inRepo ? `opsorch:${inRepo[1]}/${inRepo[2]}` : url;
}

function frameName(frame: ProfileNode['callFrame']): string {
  const pkg = packageOf(frame.url, frame.functionName);
  const where = pkg.startsWith('opsorch:') ? `${frame.url.split('/').pop()}:${frame.lineNumber + 1}:${frame.columnNumber + 1}` : `${pkg}:${frame.lineNumber + 1}`;
  return `${frame.functionName || '(anonymous)'} ${where}`;
}

/**
 * `windows`: only samples within these [from, to] spans, in ms since the profile started (the measured load,
 * without start-up and warm-up); all samples when absent.
 */
export function summarizeProfile(file: string, options: { top?: number; windows?: [number, number][] } = {}): string {
  const top = options.top ?? 25;
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<number, number>();
  let at = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    const ms = at / 1000;
    if (options.windows && !options.windows.some(([from, to]) => ms >= from && ms <= to)) return;
    self.set(id, (self.get(id) ?? 0) + delta);
  });
  let total = 0;
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  for (const [id, micros] of self) {
    const { callFrame } = byId.get(id)!;
    total += micros;
    if (callFrame.functionName === '(idle)') continue;
    const pkg = packageOf(callFrame.url, callFrame.functionName);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + micros);
    const fn = frameName(callFrame);
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + micros);
  }
  // Inclusive time: a sample counts once for every distinct function on its stack.
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const inclusive = new Map<string, number>();
  for (const [id, micros] of self) {
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)!.callFrame;
      if (frame.functionName === '(root)' || frame.functionName === '(idle)') continue;
      seen.add(frameName(frame));
    }
    for (const name of seen) inclusive.set(name, (inclusive.get(name) ?? 0) + micros);
  }
  const idle = [...self].filter(([id]) => byId.get(id)!.callFrame.functionName === '(idle)').reduce((sum, [, m]) => sum + m, 0);
  const pct = (micros: number) => `${((100 * micros) / total).toFixed(1).padStart(5)} %`;
  const rank = (map: Map<string, number>) =>
    [...map].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, micros]) => `  ${pct(micros)}  ${name}`);
  return [
    `${file}: ${(total / 1e6).toFixed(1)} s sampled, idle ${pct(idle)}`,
    'self time by package:',
    ...rank(byPackage),
    'self time by function:',
    ...rank(byFunction),
    'inclusive time by function:',
    ...rank(inclusive),
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // tsx profile.ts <file> [top] [fromMs-toMs ...]
  const windows = process.argv.slice(4).map((w) => w.split('-').map(Number) as [number, number]);
  console.log(summarizeProfile(process.argv[2]!, { top: Number(process.argv[3] ?? 25), windows: windows.length > 0 ? windows : undefined }));
}
