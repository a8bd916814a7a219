/**
 * Charts drawn on the server as inline SVG: no script, no CDN, readable on a projector and in
 * print (black text, thick marks, a caption the screen reader gets as the title).
 */
export interface SeriesPoint {
  label: string;
  value: number;
}

export interface ChartOptions {
  title: string;
  /** Formats an axis value (compact: "13 triệu"). */
  formatValue: (n: number) => string;
  /** Labels of the x axis shown every `labelEvery` points. */
  labelEvery?: number;
  /** A vertical marker (e.g. the deadline) at this point's label. */
  markerAt?: string;
  markerLabel?: string;
  width?: number;
  height?: number;
}

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * A round upper bound for an axis of four steps, each step 1, 2 or 5 × 10^k (whole numbers when
 * counting entries), so every tick label is exact.
 */
export function niceMax(max: number, whole = false): number {
  if (max <= 0) return 4;
  const raw = max / 4;
  const p = 10 ** Math.floor(Math.log10(raw));
  let step = 10 * p;
  for (const m of [1, 2, 5]) {
    if (m * p >= raw) {
      step = m * p;
      break;
    }
  }
  if (whole) step = Math.max(1, Math.ceil(step));
  return step * 4;
}

function frame(o: ChartOptions, max: number, inner: string, points: SeriesPoint[], x: (i: number) => number): string {
  const W = o.width ?? 1000;
  const H = o.height ?? 300;
  const L = 96;
  const B = H - 40;
  const T = 30;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const y = B - f * (B - T);
    return `<line x1="${L}" x2="${W - 8}" y1="${y}" y2="${y}" class="grid"/><text x="${L - 6}" y="${y + 4}" class="axis" text-anchor="end">${esc(o.formatValue(max * f))}</text>`;
  });
  const every = o.labelEvery ?? Math.max(1, Math.ceil(points.length / 10));
  const labels = points
    .map((p, i) => {
      const last = i === points.length - 1;
      // The last label ends at its point, so it never runs off the chart; a tick too close to it yields.
      if (!last && (i % every !== 0 || points.length - 1 - i < every)) return '';
      return `<text x="${x(i)}" y="${B + 26}" class="axis" text-anchor="${last && points.length > 1 ? 'end' : 'middle'}">${esc(p.label)}</text>`;
    })
    .join('');
  let marker = '';
  const mi = o.markerAt ? points.findIndex((p) => p.label === o.markerAt) : -1;
  if (mi >= 0) {
    marker = `<line x1="${x(mi)}" x2="${x(mi)}" y1="${T}" y2="${B}" class="marker"/><text x="${x(mi)}" y="${T - 10}" class="marker-label" text-anchor="end">${esc(o.markerLabel ?? '')}</text>`;
  }
  return `<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(o.title)}" xmlns="http://www.w3.org/2000/svg"><title>${esc(o.title)}</title>${ticks.join('')}${inner}${marker}<line x1="${L}" x2="${W - 8}" y1="${B}" y2="${B}" class="baseline"/>${labels}</svg>`;
}

export function barChart(points: SeriesPoint[], o: ChartOptions): string {
  const W = o.width ?? 1000;
  const H = o.height ?? 300;
  const L = 96;
  const B = H - 40;
  const T = 30;
  const max = niceMax(Math.max(0, ...points.map((p) => p.value)), true);
  const slot = (W - 8 - L) / Math.max(1, points.length);
  const x = (i: number) => L + slot * (i + 0.5);
  const bars = points
    .map((p, i) => {
      const h = ((B - T) * p.value) / max;
      return `<rect x="${(x(i) - slot * 0.4).toFixed(1)}" y="${(B - h).toFixed(1)}" width="${(slot * 0.8).toFixed(1)}" height="${h.toFixed(1)}" class="bar"><title>${esc(p.label)}: ${esc(o.formatValue(p.value))}</title></rect>`;
    })
    .join('');
  return frame(o, max, bars, points, x);
}

export function lineChart(points: SeriesPoint[], o: ChartOptions): string {
  const W = o.width ?? 1000;
  const H = o.height ?? 300;
  const L = 96;
  const B = H - 40;
  const T = 30;
  const max = niceMax(Math.max(0, ...points.map((p) => p.value)));
  const step = points.length > 1 ? (W - 8 - L - 16) / (points.length - 1) : 0;
  const x = (i: number) => L + 8 + step * i;
  const y = (v: number) => B - ((B - T) * v) / max;
  const path = points.map((p, i) => `${i ? 'L' : 'M'}${x(i).toFixed(1)},${y(p.value).toFixed(1)}`).join(' ');
  const area = points.length ? `<path d="${path} L${x(points.length - 1).toFixed(1)},${B} L${x(0).toFixed(1)},${B} Z" class="area"/>` : '';
  const dots = points.map((p, i) => `<circle cx="${x(i).toFixed(1)}" cy="${y(p.value).toFixed(1)}" r="3" class="dot"><title>${esc(p.label)}: ${esc(o.formatValue(p.value))}</title></circle>`).join('');
  return frame(o, max, `${area}<path d="${path}" class="line"/>${dots}`, points, x);
}

/** Every day from `from` to `to` (YYYY-MM-DD, inclusive), at most `maxDays`. */
export function daysBetween(from: string, to: string, maxDays = 400): string[] {
  const out: string[] = [];
  let t = Date.parse(`${from}T00:00:00Z`);
  const end = Date.parse(`${to}T00:00:00Z`);
  while (t <= end && out.length < maxDays) {
    out.push(new Date(t).toISOString().slice(0, 10));
    t += 86400_000;
  }
  return out;
}

/** Values per day with gaps as zero (counts) or carried forward (running totals). */
export function fillDays(days: string[], values: Map<string, number>, mode: 'zero' | 'carry'): number[] {
  let last = 0;
  return days.map((d) => {
    const v = values.get(d);
    if (v !== undefined) last = v;
    return v ?? (mode === 'carry' ? last : 0);
  });
}
