// GoRules ZEN (npm @gorules/zen-engine) on the synthetic table and records that rules_bench
// wrote (--write-peer-data): checks that ZEN's outputs agree with ours on every record, times
// one `await decision.evaluate(record)` after another, and prints the ratios.
//
//   node bench.mjs DATA_DIR [--runs 5] [--ours ours.json]
// ours.json is rules_bench's --benchmark_format=json output (with aggregates) from the same run.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

const require = createRequire(import.meta.url);
const { ZenEngine } = require('@gorules/zen-engine');
const zenVersion = require('@gorules/zen-engine/package.json').version;

// ZEN's own published figure for a native evaluation of a decision table, in µs.
const ZEN_PUBLISHED_US = 6.7;

const options = { '--runs': '5', '--ours': null };
let dir = null;
for (const argv = process.argv.slice(2); argv.length > 0; ) {
  const a = argv.shift();
  if (a in options) options[a] = argv.shift();
  else dir = a;
}
if (!dir) {
  console.error('usage: node bench.mjs DATA_DIR [--runs 5] [--ours ours.json]');
  process.exit(2);
}
const runs = Number(options['--runs']);
const oursPath = options['--ours'];

const readLines = (file) =>
  readFileSync(path.join(dir, file), 'utf8').split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l));
const records = readLines('records.jsonl');
const expected = readLines('expected.jsonl');
const graph = readFileSync(path.join(dir, 'synthetic.jdm.json'));

const engine = new ZenEngine();
const decision = engine.createDecision(graph);

// Agreement, record by record (this pass also warms ZEN up).
let mismatches = 0;
for (let i = 0; i < records.length; i++) {
  const { result } = await decision.evaluate(records[i]);
  const want = expected[i];
  const same =
    want === null
      ? result == null || Object.keys(result).length === 0
      : result != null && result.orientation === want.orientation && Number(result.intensity) === want.intensity;
  if (!same) {
    if (mismatches < 5)
      console.error(`mismatch on record ${i}: ${JSON.stringify(records[i])}\n  ZEN ${JSON.stringify(result)}\n  ours ${JSON.stringify(want)}`);
    mismatches++;
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

// Wall time per evaluation, and CPU time of the whole process (ZEN evaluates on its own
// threads): on a busy machine the wall time also counts waiting for those threads.
const perEvalUs = [];
const perEvalCpuUs = [];
for (let r = 0; r < runs; r++) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < records.length; i++) await decision.evaluate(records[i]);
  perEvalUs.push(((performance.now() - t0) * 1000) / records.length);
  const c = process.cpuUsage(c0);
  perEvalCpuUs.push((c.user + c.system) / records.length);
}
const zenUs = median(perEvalUs);
const zenCpuUs = median(perEvalCpuUs);

// ZEN's best throughput from JavaScript: many evaluations in flight at once.
const inFlightUs = [];
for (let r = 0; r < runs; r++) {
  const t0 = performance.now();
  for (let i = 0; i < records.length; i += 1000)
    await Promise.all(records.slice(i, i + 1000).map((rec) => decision.evaluate(rec)));
  inFlightUs.push(((performance.now() - t0) * 1000) / records.length);
}
const zenInFlightUs = median(inFlightUs);

// The floor: a one-rule table, to tell the cost of calling into ZEN from the cost of the table.
const trivial = engine.createDecision({
  nodes: [
    { id: 'in', type: 'inputNode', name: 'Request', position: { x: 0, y: 0 } },
    {
      id: 't',
      type: 'decisionTableNode',
      name: 'trivial',
      position: { x: 300, y: 0 },
      content: {
        hitPolicy: 'first',
        inputs: [{ id: 'i', name: 'age', field: 'age' }],
        outputs: [{ id: 'o', name: 'ok', field: 'ok' }],
        rules: [{ _id: 'r1', i: '', o: 'true' }],
      },
    },
    { id: 'out', type: 'outputNode', name: 'Response', position: { x: 600, y: 0 } },
  ],
  edges: [
    { id: 'e1', sourceId: 'in', targetId: 't', type: 'edge' },
    { id: 'e2', sourceId: 't', targetId: 'out', type: 'edge' },
  ],
});
const floorUs = [];
for (let r = 0; r < runs; r++) {
  const t0 = performance.now();
  for (let i = 0; i < records.length; i++) await trivial.evaluate(records[i]);
  floorUs.push(((performance.now() - t0) * 1000) / records.length);
}
const zenFloorUs = median(floorUs);

const fmt = (x, d = 1) => x.toFixed(d);
console.log(`ZEN ${zenVersion} (node ${process.version}), ${records.length} records, ${runs} runs`);
console.log(`mismatches (ZEN vs aiguillage outputs): ${mismatches}`);
console.log(`ZEN per evaluation: median ${fmt(zenUs, 2)} µs wall (runs: ${perEvalUs.map((x) => fmt(x, 2)).join(', ')})`);
console.log(`                    median ${fmt(zenCpuUs, 2)} µs CPU, all threads (runs: ${perEvalCpuUs.map((x) => fmt(x, 2)).join(', ')})`);
console.log(`ZEN floor, a one-rule table on the same records: median ${fmt(zenFloorUs, 2)} µs wall per awaited evaluation`);
console.log(`ZEN with 1000 evaluations in flight: median ${fmt(zenInFlightUs, 2)} µs wall per evaluation (runs: ${inFlightUs.map((x) => fmt(x, 2)).join(', ')})`);

if (oursPath) {
  const report = JSON.parse(readFileSync(oursPath, 'utf8'));
  const ns = (run) => {
    const b = report.benchmarks.find((x) => x.run_name === run && x.aggregate_name === 'median');
    return b ? b.per_record * 1e9 : NaN;
  };
  const ours = {
    'batch, full trace': ns('BM_BatchFirstTable/trace:1'),
    'batch, no trace': ns('BM_BatchFirstTable/trace:0'),
    'JSON Lines end to end': ns('BM_JsonLinesEndToEnd'),
  };
  console.log('');
  // Google Benchmark's per-record figures are CPU time of the one evaluating thread.
  console.log(
    '| aiguillage path | ns/record (CPU) | ZEN npm await, wall / ours | ZEN npm await, CPU / ours | ZEN npm in flight / ours | ZEN published 6.7 µs / ours |',
  );
  console.log('|---|---:|---:|---:|---:|---:|');
  const ratio = (zenNs, v) => `${fmt(zenNs / v)}×`;
  for (const [name, v] of Object.entries(ours))
    console.log(
      `| ${name} | ${fmt(v)} | ${ratio(zenUs * 1000, v)} | ${ratio(zenCpuUs * 1000, v)} | ${ratio(zenInFlightUs * 1000, v)} | ${ratio(ZEN_PUBLISHED_US * 1000, v)} |`,
    );
}
process.exit(mismatches === 0 ? 0 : 1);
