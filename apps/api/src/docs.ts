/** A self-contained HTML reference of an OpenAPI document: no scripts, no CDN. */
export function renderDocs(doc: { info?: { title?: string; description?: string }; paths?: Record<string, Record<string, any>>; components?: { schemas?: Record<string, unknown> } }): string {
  const esc = (s: unknown) => String(s ?? '').replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
  const block = (v: unknown) => `<pre>${esc(JSON.stringify(v, null, 2))}</pre>`;
  const ops: string[] = [];
  const toc: string[] = [];
  for (const [path, methods] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(methods)) {
      const id = `${method}-${path}`.replace(/[^a-z0-9]+/gi, '-');
      toc.push(`<li><a href="#${id}"><code>${method.toUpperCase()} /v1${esc(path)}</code></a> ${esc(op.summary)}</li>`);
      const params = (op.parameters ?? []) as { name: string; in: string; required?: boolean; schema?: unknown; description?: string }[];
      const body = op.requestBody?.content?.['application/json']?.schema;
      const responses = Object.entries((op.responses ?? {}) as Record<string, { description?: string; content?: Record<string, { schema?: unknown }> }>);
      ops.push(`<section id="${id}">
<h2><span class="m ${method}">${method.toUpperCase()}</span> <code>/v1${esc(path)}</code></h2>
<p>${esc(op.summary)}</p>${op.description ? `<p>${esc(op.description)}</p>` : ''}
${params.length ? `<h3>Parameters</h3><table><tr><th>name</th><th>in</th><th>required</th><th>schema</th></tr>${params.map((p) => `<tr><td><code>${esc(p.name)}</code></td><td>${esc(p.in)}</td><td>${p.required ? 'yes' : 'no'}</td><td><code>${esc(JSON.stringify(p.schema))}</code></td></tr>`).join('')}</table>` : ''}
${body ? `<h3>Request body</h3>${block(body)}` : ''}
<h3>Responses</h3>${responses
        .map(([code, r]) => `<details><summary><b>${esc(code)}</b> ${esc(r.description)}</summary>${Object.entries(r.content ?? {}).map(([type, c]) => `<p><code>${esc(type)}</code></p>${block(c.schema)}`).join('')}</details>`)
        .join('')}
</section>`);
    }
  }
  const schemas = Object.entries(doc.components?.schemas ?? {}).map(([name, s]) => `<details id="schema-${esc(name)}"><summary><b>${esc(name)}</b></summary>${block(s)}</details>`);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(doc.info?.title)} reference</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#222}code,pre{font:13px ui-monospace,monospace}pre{background:#f5f5f5;padding:.8em;overflow:auto}section{border-top:1px solid #ddd;padding-top:1em}.m{display:inline-block;padding:0 .4em;border-radius:3px;color:#fff;font-size:13px}.get{background:#2a7}.post{background:#27c}.patch,.put{background:#c82}.delete{background:#c33}table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.2em .5em;text-align:left}</style></head><body>
<h1>${esc(doc.info?.title)}</h1><p>${esc(doc.info?.description)}</p>
<p>Every request takes <code>Authorization: Bearer &lt;token&gt;</code>. Errors are <code>{"error":{"code","message","details"?}}</code>. Machine-readable: <a href="/v1/openapi.json">/v1/openapi.json</a> (OpenAPI 3.1).</p>
<h2>Operations</h2><ul>${toc.join('')}</ul>${ops.join('\n')}<h2>Schemas</h2>${schemas.join('')}</body></html>`;
}
