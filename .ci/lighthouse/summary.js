// One page's Lighthouse runs: prints each run's figures and the median, and fails (exit 1)
// when the median performance score is under the minimum or the median CLS not under the
// maximum.
//
//   node summary.js NAME MIN_PERFORMANCE MAX_CLS REPORT.json...

const fs = require('fs');

const [name, minPerformance, maxCls, ...files] = process.argv.slice(2);
const runs = files.map((file) => {
  const report = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (report.runtimeError) throw new Error(`${name}: ${report.runtimeError.message}`);
  const audit = (id) => report.audits[id].numericValue;
  return {
    performance: Math.round(report.categories.performance.score * 100),
    cls: audit('cumulative-layout-shift'),
    fcp: audit('first-contentful-paint'),
    lcp: audit('largest-contentful-paint'),
    tbt: audit('total-blocking-time'),
    si: audit('speed-index'),
    url: report.finalDisplayedUrl,
  };
});

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};
const show = (run) =>
  `performance ${run.performance}, CLS ${run.cls.toFixed(3)}, FCP ${Math.round(run.fcp)} ms, ` +
  `LCP ${Math.round(run.lcp)} ms, TBT ${Math.round(run.tbt)} ms, Speed Index ${Math.round(run.si)} ms`;

runs.forEach((run, i) => console.log(`${name} run ${i + 1} (${run.url}): ${show(run)}`));
const performance = median(runs.map((run) => run.performance));
const cls = median(runs.map((run) => run.cls));
const ok = performance >= Number(minPerformance) && cls < Number(maxCls);
console.log(
  `${name}: median performance ${performance} (at least ${minPerformance}), ` +
    `median CLS ${cls.toFixed(3)} (under ${maxCls}): ${ok ? 'met' : 'NOT MET'}`,
);
process.exit(ok ? 0 : 1);
