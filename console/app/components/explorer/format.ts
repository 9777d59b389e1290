// Values with their units, for axes, tooltips and legends.

/** `12.3%`, `240 ms`, `1.2k req/s`, `3.4 GiB`: short enough for an axis. */
export function formatValue(value: number | null | undefined, unit: string): string {
  if (value == null || Number.isNaN(value)) return '—';
  const abs = Math.abs(value);
  if (value === 0) return unit === 'ratio' ? '0%' : '0';
  if (unit === 'ratio') return `${(value * 100).toFixed(abs < 0.001 ? 3 : abs < 0.1 ? 2 : 1)}%`;
  if (unit === 'seconds') {
    if (abs === 0) return '0';
    if (abs < 0.001) return `${(value * 1e6).toFixed(0)} µs`;
    if (abs < 1) return `${(value * 1000).toFixed(abs < 0.01 ? 1 : 0)} ms`;
    return `${value.toFixed(2)} s`;
  }
  if (unit === 'bytes') {
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let v = value;
    let i = 0;
    while (Math.abs(v) >= 1024 && i < units.length - 1) {
      v /= 1024;
      i++;
    }
    return `${v.toFixed(v >= 100 || i === 0 ? 0 : 1)} ${units[i]}`;
  }
  const short = abs >= 1e9 ? `${(value / 1e9).toFixed(1)}G` : abs >= 1e6 ? `${(value / 1e6).toFixed(1)}M` : abs >= 1e3 ? `${(value / 1e3).toFixed(1)}k` : abs >= 100 ? value.toFixed(0) : abs >= 10 ? value.toFixed(1).replace(/\.0$/, '') : abs >= 1 ? value.toFixed(2).replace(/\.?0+$/, '') : abs === 0 ? '0' : value.toFixed(3).replace(/\.?0+$/, '');
  const shortUnit = unit.replace('requests/s', 'req/s').replace('requests', 'req');
  return `${short}${shortUnit ? ` ${shortUnit}` : ''}`;
}

/** `06:48:12.345` (UTC) for log lines. */
export function clockMs(iso: string): string {
  return iso.slice(11, 23);
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}
