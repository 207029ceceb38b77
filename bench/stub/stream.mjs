// `stream N BYTES [RATE]`: N assistant lines of about BYTES bytes, each carrying the time it was
// written (`"ts":<ms>`) so the benchmark can measure write → SSE; then the result. With RATE
// (lines per second) the lines are paced as a steady writer would write them; without, they go
// out as fast as the pipe takes them.
import { randomUUID } from 'node:crypto';

const [, count, bytes, rate] = process.argv[2].split(' ').map(Number);
const sid = randomUUID();
const out = [];
const flush = () => new Promise((resolve) => (process.stdout.write(out.splice(0).join('')) ? resolve() : process.stdout.once('drain', resolve)));
const line = (i) => {
  const l = { type: 'assistant', ts: Date.now(), i, message: { role: 'assistant', content: [{ type: 'text', text: '' }] }, session_id: sid };
  l.message.content[0].text = 'x'.repeat(Math.max(0, bytes - JSON.stringify(l).length));
  return `${JSON.stringify(l)}\n`;
};
out.push(`${JSON.stringify({ type: 'system', subtype: 'init', session_id: sid, model: 'stub', permissionMode: 'default', tools: [] })}\n`);
const t0 = Date.now();
for (let i = 1; i <= count; ) {
  // Paced: write what is due by now, then wait a few ms; unpaced: 64 lines per write.
  const due = rate ? Math.min(count, Math.floor(((Date.now() - t0) / 1000) * rate) + 1) : Math.min(count, i + 63);
  for (; i <= due; i++) out.push(line(i));
  await flush();
  if (rate && i <= count) await new Promise((r) => setTimeout(r, 2));
}
out.push(`${JSON.stringify({ type: 'result', subtype: 'success', is_error: false, duration_ms: 1, num_turns: 1, result: 'done', session_id: sid, total_cost_usd: 0 })}\n`);
await flush();
