import type { OpenApiDocument } from './build-document.js';

const escape = (value: unknown): string =>
  String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const json = (value: unknown) => `<pre>${escape(JSON.stringify(value, null, 2))}</pre>`;

type Operation = {
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: Array<{ name: string; in: string; required?: boolean; description?: string; schema?: unknown }>;
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: unknown }> }>;
  'x-fieldhand-access'?: string;
};

function renderOperation(method: string, path: string, op: Operation): string {
  const params = (op.parameters ?? [])
    .map((p) => `<li><code>${escape(p.name)}</code> (${escape(p.in)}${p.required ? ', required' : ''}) ${escape(p.description ?? '')}</li>`)
    .join('');
  const body = op.requestBody?.content?.['application/json']?.schema;
  const responses = Object.entries(op.responses ?? {})
    .map(([status, r]) => `<li><b>${escape(status)}</b> ${escape(r.description ?? '')}</li>`)
    .join('');
  return `<section id="${escape(`${method}-${path}`)}">
<h3><span class="m ${escape(method)}">${escape(method.toUpperCase())}</span> <code>${escape(path)}</code></h3>
<p>${escape(op.summary ?? '')} <span class="access">access: ${escape(op['x-fieldhand-access'] ?? 'public')}</span></p>
${op.description ? `<p>${escape(op.description)}</p>` : ''}
${params ? `<h4>Parameters</h4><ul>${params}</ul>` : ''}
${body ? `<h4>Request body (application/json)</h4>${json(body)}` : ''}
<h4>Responses</h4><ul>${responses}</ul>
</section>`;
}

/**
 * A self-contained reference page rendered from the OpenAPI document: no
 * scripts and nothing fetched from a CDN, so it works on a closed network and
 * under the default Content-Security-Policy.
 */
export function renderDocsPage(document: OpenApiDocument): string {
  const operations = Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
    Object.entries(item as Record<string, Operation>).map(([method, op]) => ({ path, method, op })),
  );
  const toc = operations
    .map(({ path, method, op }) => `<li><a href="#${escape(`${method}-${path}`)}">${escape(method.toUpperCase())} ${escape(path)}</a> — ${escape(op.summary ?? '')}</li>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(document.info.title)}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem;color:#222}
section{border-top:1px solid #ddd;padding:.5rem 0}
pre{background:#f5f5f5;padding:.75rem;overflow:auto;font-size:.8rem}
.m{display:inline-block;min-width:4.5rem;text-align:center;border-radius:3px;color:#fff;font-size:.8rem;padding:.1rem .3rem}
.get{background:#2b7bb9}.post{background:#3a9a4a}.patch{background:#b98a2b}.put{background:#8a2bb9}.delete{background:#b93a2b}
.access{color:#666;font-size:.85rem;margin-left:.5rem}
</style></head><body>
<h1>${escape(document.info.title)} <small>v${escape(document.info.version)}</small></h1>
<p>${escape(document.info.description ?? '')}</p>
<p>Machine-readable: <a href="openapi.json">openapi.json</a></p>
<h2>Operations</h2><ul>${toc}</ul>
${operations.map(({ path, method, op }) => renderOperation(method, path, op)).join('\n')}
<h2>Schemas</h2>
${Object.entries(document.components?.schemas ?? {}).map(([name, schema]) => `<h3 id="schema-${escape(name)}">${escape(name)}</h3>${json(schema)}`).join('\n')}
</body></html>`;
}
