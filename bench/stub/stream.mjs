// `stream N BYTES`: N assistant lines of about BYTES bytes, each carrying the time it was written
// (`"ts":<ms>`) so the benchmark can measure write → SSE; then the result.
import { randomUUID } from 'node:crypto';

const [, count, bytes] = process.argv[2].split(' ').map(Number);
const sid = randomUUID();
const out = [];
const flush = () => new Promise((resolve) => (process.stdout.write(out.splice(0).join('')) ? resolve() : process.stdout.once('drain', resolve)));
out.push(`${JSON.stringify({ type: 'system', subtype: 'init', session_id: sid, model: 'stub', permissionMode: 'default', tools: [] })}\n`);
for (let i = 1; i <= count; i++) {
  const line = { type: 'assistant', ts: Date.now(), i, message: { role: 'assistant', content: [{ type: 'text', text: '' }] }, session_id: sid };
  const pad = Math.max(0, bytes - JSON.stringify(line).length);
  line.message.content[0].text = 'x'.repeat(pad);
  out.push(`${JSON.stringify(line)}\n`);
  if (out.length >= 64) await flush();
}
out.push(`${JSON.stringify({ type: 'result', subtype: 'success', is_error: false, duration_ms: 1, num_turns: 1, result: 'done', session_id: sid, total_cost_usd: 0 })}\n`);
await flush();
