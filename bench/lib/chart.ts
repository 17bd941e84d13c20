/**
 * An SVG chart of the table's ratios (`--svg <file>`): one horizontal bar per row that has a
 * ratio, on a log scale centred on "same as the peer". Bars point right when the project is
 * better (faster, smaller, more msg/s or MB/s) and left when it is worse, so every row reads the
 * same way whatever its unit. Red marks a row whose goal is missed.
 */
import * as fs from 'node:fs';
import type { Row } from './report';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function writeChart(file: string, rows: Row[], title: string): void {
  const bars = rows.filter((r) => r.ratio !== null && r.ratio > 0);
  const labelW = 520;
  const half = 260;
  const rowH = 18;
  const maxLog = 3; // 1000× either way fills the half-width
  const x0 = labelW + half;
  const height = 50 + bars.length * rowH;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${labelW + 2 * half + 80}" height="${height}" font-family="monospace" font-size="11">`,
    `<text x="8" y="18" font-size="13">${esc(title)}</text>`,
    `<text x="${x0 - half}" y="36">← project worse</text><text x="${x0 + 8}" y="36">project better →   (log scale, 10× per ${Math.round(half / maxLog)} px; red: goal missed)</text>`,
    `<line x1="${x0}" y1="40" x2="${x0}" y2="${height}" stroke="#888"/>`,
  ];
  bars.forEach((r, i) => {
    const better = r.unit === 'msg/s' || r.unit === 'MB/s' || r.unit === '%' || r.unit === 'MRR' ? r.ratio! : 1 / r.ratio!;
    const lg = Math.max(-maxLog, Math.min(maxLog, Math.log10(better)));
    const w = (Math.abs(lg) / maxLog) * half;
    const y = 44 + i * rowH;
    const colour = r.goalMet === false ? '#d9534f' : lg >= 0 ? '#5cb85c' : '#f0ad4e';
    out.push(`<text x="8" y="${y + 12}">${esc(`${r.name} vs ${r.peer} [${r.corpus}]`.slice(0, 84))}</text>`);
    out.push(`<rect x="${lg >= 0 ? x0 : x0 - w}" y="${y + 2}" width="${Math.max(1, w)}" height="${rowH - 5}" fill="${colour}"/>`);
    out.push(`<text x="${lg >= 0 ? x0 + w + 4 : x0 + 4}" y="${y + 12}">${better >= 1 ? `${better.toFixed(better >= 10 ? 0 : 1)}× better` : `${(1 / better).toFixed(1)}× worse`}</text>`);
  });
  out.push('</svg>');
  fs.writeFileSync(file, out.join('\n') + '\n');
}
