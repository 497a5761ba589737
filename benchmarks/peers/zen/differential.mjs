// The ZEN side of the differential test (differential.py): reads JSON Lines cases
// {"graph": JDM, "records": [...]} and prints, per case, one JSON line
// {"results": [...]} with ZEN's result for each record ({"error": "..."} when ZEN fails).
//   node differential.mjs CASES.jsonl > zen.jsonl
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { ZenEngine } = require('@gorules/zen-engine');

const file = process.argv[2];
if (!file) {
  console.error('usage: node differential.mjs CASES.jsonl');
  process.exit(2);
}
const engine = new ZenEngine();
const out = [];
for (const line of readFileSync(file, 'utf8').split('\n')) {
  if (line.length === 0) continue;
  const { graph, records } = JSON.parse(line);
  const results = [];
  let decision = null;
  try {
    decision = engine.createDecision(Buffer.from(JSON.stringify(graph)));
  } catch (e) {
    out.push(JSON.stringify({ error: String(e).slice(0, 300) }));
    continue;
  }
  for (const record of records) {
    try {
      const { result } = await decision.evaluate(record);
      results.push(result === undefined ? null : result);
    } catch (e) {
      results.push({ error: String(e).slice(0, 300) });
    }
  }
  out.push(JSON.stringify({ results }));
}
process.stdout.write(out.join('\n') + '\n');
