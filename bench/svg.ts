// A dependency-free SVG bar chart and line chart for the benchmark results (issue 7): bench/run.ts writes
// bench/results/w1.svg with them.

export interface BarGroup {
  label: string;
  bars: Array<{ series: string; value: number }>;
}

const COLORS: Record<string, string> = { native: '#1f77b4', fallback: '#ff7f0e', reference: '#7f7f7f' };
const color = (s: string): string => COLORS[s] ?? '#2ca02c';
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Grouped horizontal bars with a log-scaled axis (values span 10 ns to 1000 ns). */
export function barChart(title: string, unit: string, groups: BarGroup[]): string {
  const rowH = 16;
  const left = 220;
  const width = 760;
  const plotW = width - left - 80;
  const all = groups.flatMap((g) => g.bars.map((b) => b.value)).filter((v) => v > 0);
  const lo = Math.pow(10, Math.floor(Math.log10(Math.max(Math.min(...all), 1e-3))));
  const hi = Math.pow(10, Math.ceil(Math.log10(Math.max(...all, 10))));
  const x = (v: number): number => left + (plotW * (Math.log10(Math.max(v, lo)) - Math.log10(lo))) / (Math.log10(hi) - Math.log10(lo));
  let y = 40;
  const parts: string[] = [];
  for (const g of groups) {
    parts.push(`<text x="${left - 8}" y="${y + rowH * g.bars.length / 2 + 4}" text-anchor="end" font-size="12">${esc(g.label)}</text>`);
    for (const b of g.bars) {
      parts.push(`<rect x="${left}" y="${y}" width="${Math.max(1, x(b.value) - left).toFixed(1)}" height="${rowH - 3}" fill="${color(b.series)}"/>`);
      parts.push(`<text x="${(x(b.value) + 4).toFixed(1)}" y="${y + rowH - 5}" font-size="10">${b.value.toFixed(b.value < 100 ? 1 : 0)}</text>`);
      y += rowH;
    }
    y += 8;
  }
  const ticks: string[] = [];
  for (let t = lo; t <= hi; t *= 10) {
    ticks.push(`<line x1="${x(t)}" y1="34" x2="${x(t)}" y2="${y}" stroke="#ddd"/><text x="${x(t)}" y="${y + 14}" font-size="10" text-anchor="middle">${t}</text>`);
  }
  const series = [...new Set(groups.flatMap((g) => g.bars.map((b) => b.series)))];
  const legend = series.map((s, i) => `<rect x="${left + i * 110}" y="${y + 24}" width="10" height="10" fill="${color(s)}"/><text x="${left + i * 110 + 14}" y="${y + 33}" font-size="11">${esc(s)}</text>`).join('');
  const h = y + 44;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${h}" font-family="sans-serif">` +
    `<rect width="100%" height="100%" fill="white"/><text x="10" y="20" font-size="14" font-weight="bold">${esc(title)}</text>` +
    `<text x="${width - 10}" y="${y + 33}" font-size="11" text-anchor="end">${esc(unit)} (log scale)</text>` +
    ticks.join('') + parts.join('') + legend + '</svg>\n';
}

export interface Line { series: string; points: Array<{ x: number; y: number }>; dashed?: boolean }

/** Lines over a log-scaled x axis (number of dimensions) and a linear y axis (ns per dimension). */
export function lineChart(title: string, xLabel: string, yLabel: string, lines: Line[]): string {
  const width = 760, height = 320, left = 60, right = 190, top = 36, bottom = 40;
  const xs = lines.flatMap((l) => l.points.map((p) => p.x));
  const ys = lines.flatMap((l) => l.points.map((p) => p.y));
  const x0 = Math.log10(Math.min(...xs)), x1 = Math.log10(Math.max(...xs)) || x0 + 1;
  const y1 = Math.max(...ys, 1) * 1.1;
  const px = (v: number): number => left + ((Math.log10(v) - x0) / Math.max(x1 - x0, 1e-9)) * (width - left - right);
  const py = (v: number): number => height - bottom - (v / y1) * (height - top - bottom);
  const parts: string[] = [];
  for (const v of [...new Set(xs)]) parts.push(`<line x1="${px(v)}" y1="${top}" x2="${px(v)}" y2="${height - bottom}" stroke="#eee"/><text x="${px(v)}" y="${height - bottom + 14}" font-size="10" text-anchor="middle">${v.toLocaleString('en-US')}</text>`);
  for (let i = 0; i <= 4; i++) { const v = (y1 * i) / 4; parts.push(`<text x="${left - 6}" y="${py(v) + 3}" font-size="10" text-anchor="end">${v.toFixed(0)}</text><line x1="${left}" y1="${py(v)}" x2="${width - right}" y2="${py(v)}" stroke="#eee"/>`); }
  lines.forEach((l, i) => {
    const d = l.points.map((p, j) => `${j ? 'L' : 'M'}${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(' ');
    parts.push(`<path d="${d}" fill="none" stroke="${color(l.series.split(' ')[0])}" stroke-width="2" ${l.dashed ? 'stroke-dasharray="5,3"' : ''}/>`);
    for (const p of l.points) parts.push(`<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="3" fill="${color(l.series.split(' ')[0])}"/>`);
    parts.push(`<text x="${width - right + 8}" y="${top + 14 * i + 10}" font-size="11" fill="${color(l.series.split(' ')[0])}">${esc(l.series)}</text>`);
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif"><rect width="100%" height="100%" fill="white"/>` +
    `<text x="10" y="20" font-size="14" font-weight="bold">${esc(title)}</text>` +
    `<text x="${(left + width - right) / 2}" y="${height - 6}" font-size="11" text-anchor="middle">${esc(xLabel)}</text>` +
    `<text x="14" y="${top - 8}" font-size="11">${esc(yLabel)}</text>` + parts.join('') + '</svg>\n';
}

/** Several SVG documents one below the other, as one document. */
export function stack(docs: string[]): string {
  let y = 0;
  let width = 0;
  const parts: string[] = [];
  for (const d of docs) {
    const w = Number(/width="(\d+)"/.exec(d)?.[1] ?? 0);
    const h = Number(/height="(\d+)"/.exec(d)?.[1] ?? 0);
    parts.push(d.trim().replace('<svg ', `<svg x="0" y="${y}" `));
    y += h;
    width = Math.max(width, w);
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}">` + parts.join('') + '</svg>\n';
}
