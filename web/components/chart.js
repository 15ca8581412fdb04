// Line charts drawn as SVG: the mood chart (daily averages, 1–10) and questionnaire
// trends (each response's total, or the C-SSRS risk level), on one drawing routine.

import { h, s } from './dom.js';
import { formatter } from './format.js';

const DAY = 86400000;
let chartCounter = 0;

function parseDay(text) {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(text || '');
  return m ? new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : null;
}

function startOfToday() {
  const now = new Date();
  return new Date(now.getFullYear(), now.getMonth(), now.getDate());
}

function dayLabel(date) {
  return formatter({ day: 'numeric', month: 'short' }).format(date);
}

function round1(n) {
  return Math.round(n * 10) / 10;
}

/**
 * daily: [{date: 'YYYY-MM-DD', average, count}] oldest first; days: the period length.
 * who: 'your' or a person's name, for the text alternative.
 */
export function moodChart({ daily, days, who = 'Your' }) {
  const points = (daily || [])
    .map((d) => ({ date: parseDay(d.date), average: Number(d.average), count: Number(d.count) || 0 }))
    .filter((d) => d.date && Number.isFinite(d.average))
    .sort((a, b) => a.date - b.date);
  const period = Math.max(1, Number(days) || 30);
  let end = startOfToday();
  if (points.length && points[points.length - 1].date > end) end = points[points.length - 1].date;
  const start = new Date(end.getTime() - (period - 1) * DAY);
  const last = points[points.length - 1];
  const average = points.length ? round1(points.reduce((sum, p) => sum + p.average, 0) / points.length) : null;
  return lineChart({
    testid: 'mood-chart',
    className: 'mood-chart',
    title: `${who} mood over the last ${period} days`,
    desc: points.length
      ? `Daily average mood on a scale of 1 (very low) to 10 (very good). ${points.length} days with check-ins; ` +
        `average ${average}; most recent ${round1(last.average)} on ${dayLabel(last.date)}.`
      : `No check-ins in the last ${period} days.`,
    empty: 'No check-ins in this period yet',
    start,
    end,
    min: 1,
    max: 10,
    ticks: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((v) => [v, String(v)]),
    midline: 5,
    points: points.map((p) => ({
      date: p.date,
      value: p.average,
      key: p.date.toISOString().slice(0, 10),
      label: `${dayLabel(p.date)}: ${round1(p.average)} out of 10 (${p.count} check-in${p.count === 1 ? '' : 's'})`,
    })),
  });
}

/**
 * A questionnaire's trend. points: [{date: Date, value, label}] in any order; ticks:
 * [[value, label]] for the y axis; title/desc: the text alternative.
 */
export function trendChart({ points, days, min, max, ticks, title, desc, testid, empty, axisWidth }) {
  const end = new Date();
  const start = new Date(end.getTime() - Math.max(1, days) * DAY);
  const sorted = [...points].sort((a, b) => a.date - b.date);
  return lineChart({
    testid, className: 'mood-chart trend-chart', title, desc, empty, start, end, min, max, ticks,
    axisWidth, points: sorted.map((p) => ({ ...p, key: p.date.toISOString() })),
  });
}

function lineChart(options) {
  const { points, start, end, min, max, ticks } = options;
  const wrap = h('div', { class: 'chart-wrap' });
  chartCounter += 1;
  const ids = { title: `chart-title-${chartCounter}`, desc: `chart-desc-${chartCounter}` };
  const span = Math.max(1, end - start);

  let drawnWidth = 0;
  const draw = () => {
    const width = Math.max(300, Math.round(wrap.clientWidth || 640));
    if (Math.abs(width - drawnWidth) < 8 && wrap.firstChild) return;
    drawnWidth = width;
    wrap.replaceChildren(build(width));
  };

  function build(width) {
    const height = width < 480 ? 220 : 260;
    const m = { left: options.axisWidth || 34, right: 14, top: 12, bottom: 30 };
    const plotW = width - m.left - m.right;
    const plotH = height - m.top - m.bottom;
    const single = end - start < DAY / 2;
    const x = (date) => m.left + (single ? plotW / 2 : ((date - start) / span) * plotW);
    const y = (value) => m.top + ((max - value) / (max - min)) * plotH;

    const svg = s('svg', {
      viewBox: `0 0 ${width} ${height}`,
      width,
      height,
      role: 'img',
      'aria-labelledby': `${ids.title} ${ids.desc}`,
      'data-testid': options.testid,
      'data-points': points.length,
      class: options.className,
    });
    svg.append(
      s('title', { id: ids.title, text: options.title }),
      s('desc', { id: ids.desc, text: options.desc }),
      s('rect', { x: m.left, y: m.top, width: plotW, height: plotH, fill: '#fbfcfc', stroke: '#c9d3d3' }),
    );
    for (const [value, label] of ticks) {
      const yy = y(value);
      svg.append(
        s('line', { x1: m.left, x2: m.left + plotW, y1: yy, y2: yy, stroke: value === options.midline ? '#c3cfcf' : '#e6ecec', 'stroke-width': 1 }),
        s('text', { x: m.left - 8, y: yy + 4, 'text-anchor': 'end', class: 'chart-axis-label', fill: '#48585d', 'font-size': 12, text: label }),
      );
    }
    const dayTicks = single ? [end] : [start, new Date(start.getTime() + Math.floor(span / DAY / 2) * DAY), end];
    dayTicks.forEach((date, i) => {
      const anchor = dayTicks.length === 1 ? 'middle' : ['start', 'middle', 'end'][i];
      svg.append(
        s('text', { x: x(date), y: height - 8, 'text-anchor': anchor, class: 'chart-axis-label', fill: '#48585d', 'font-size': 12, text: dayLabel(date) }),
      );
    });
    if (!points.length) {
      svg.append(
        s('text', {
          x: m.left + plotW / 2,
          y: m.top + plotH / 2,
          'text-anchor': 'middle',
          class: 'chart-empty',
          fill: '#48585d',
          'font-size': 14,
          text: options.empty,
        }),
      );
      return svg;
    }
    const visible = points.filter((p) => p.date >= start && p.date <= end);
    if (visible.length > 1) {
      const d = visible.map((p, i) => `${i ? 'L' : 'M'}${x(p.date).toFixed(1)},${y(p.value).toFixed(1)}`).join(' ');
      svg.append(s('path', { d, fill: 'none', stroke: '#3f8f80', 'stroke-width': 2.5, 'stroke-linejoin': 'round', 'stroke-linecap': 'round' }));
    }
    for (const p of visible) {
      svg.append(
        s(
          'circle',
          { cx: x(p.date).toFixed(1), cy: y(p.value).toFixed(1), r: 5, fill: '#1d5866', stroke: '#ffffff', 'stroke-width': 2, 'data-date': p.key, 'data-value': p.value },
          s('title', { text: p.label }),
        ),
      );
    }
    return svg;
  }

  draw();
  if (typeof ResizeObserver === 'function') {
    new ResizeObserver(() => draw()).observe(wrap);
  }
  return wrap;
}
