// The API reference page (/api/docs): renders /api/openapi.json, operation by operation.
// Hand-written rather than Swagger UI, Redoc or Scalar: those are fetched from other
// origins (a CDN, or GitHub at build time), and this page loads nothing from another origin
// under the same strict Content-Security-Policy as the app. It builds the page with DOM
// calls only, so no text from the document is ever parsed as HTML.

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== undefined && value !== null && value !== false) element.setAttribute(name, value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/** Text with `code` spans, one paragraph per blank-line-separated block. */
function prose(text, tag = 'p') {
  if (!text) return null;
  return text.split(/\n\s*\n/).map((block) => {
    const parts = block.replace(/\n/g, ' ').split('`');
    return h(tag, { class: 'prose' }, parts.map((part, i) => (i % 2 ? h('code', {}, part) : part)));
  });
}

function refName(ref) {
  return ref.split('/').pop();
}

function schemaAnchor(name) {
  return `schema-${name}`;
}

/** A short name for a schema: its component's name (a link), or its type. */
function typeOf(schema) {
  if (!schema) return 'any';
  if (schema.$ref) {
    const name = refName(schema.$ref);
    return h('a', { href: `#${schemaAnchor(name)}` }, name);
  }
  for (const key of ['oneOf', 'anyOf', 'allOf']) {
    if (schema[key]) {
      const options = schema[key].filter((s) => s.type !== 'null').map(typeOf);
      const joined = [];
      options.forEach((option, i) => joined.push(...(i ? [key === 'allOf' ? ' and ' : ' or '] : []), option));
      return h('span', {}, joined, schema[key].some((s) => s.type === 'null') ? ' or null' : '');
    }
  }
  if (schema.enum) return h('span', {}, 'one of ', schema.enum.map((v, i) => [i ? ', ' : '', h('code', {}, v)]));
  const types = [].concat(schema.type || 'object');
  if (types.includes('array')) return h('span', {}, 'array of ', typeOf(schema.items));
  return types.join(' or ') + (schema.format ? ` (${schema.format})` : '');
}

/** An object schema's properties as a table; other schemas as their type. */
function schemaTable(schema) {
  if (!schema) return null;
  const properties = schema.properties || {};
  if (schema.type !== 'object' || !Object.keys(properties).length) {
    return h('p', { class: 'type' }, typeOf(schema));
  }
  const required = new Set(schema.required || []);
  return h('table', { class: 'fields' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Field'), h('th', {}, 'Type'), h('th', {}, 'About'))),
    h('tbody', {}, Object.entries(properties).map(([name, property]) => h('tr', {},
      h('td', {}, h('code', {}, name), required.has(name) ? '' : h('span', { class: 'optional' }, ' optional')),
      h('td', {}, typeOf(property)),
      h('td', {}, prose(property.description || '', 'span'))))));
}

function parameters(operation) {
  const list = operation.parameters || [];
  if (!list.length) return null;
  return h('section', {},
    h('h4', {}, 'Parameters'),
    h('table', { class: 'fields' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Name'), h('th', {}, 'In'), h('th', {}, 'Type'), h('th', {}, 'About'))),
      h('tbody', {}, list.map((p) => h('tr', {},
        h('td', {}, h('code', {}, p.name), p.required ? '' : h('span', { class: 'optional' }, ' optional')),
        h('td', {}, p.in),
        h('td', {}, typeOf(p.schema)),
        h('td', {}, prose(p.description || '', 'span')))))));
}

function requestBody(operation) {
  const body = operation.requestBody;
  if (!body) return null;
  return h('section', {},
    h('h4', {}, 'Request body'),
    Object.entries(body.content || {}).map(([type, content]) => [
      h('p', { class: 'media' }, h('code', {}, type)),
      schemaTable(content.schema),
    ]));
}

function responses(operation) {
  return h('section', {},
    h('h4', {}, 'Responses'),
    h('dl', { class: 'responses' }, Object.entries(operation.responses || {}).map(([status, response]) => [
      h('dt', { class: `status status-${status[0]}xx` }, status),
      h('dd', {},
        (response.description || '').split('\n').map((line) => prose(line)),
        Object.entries(response.content || {}).map(([type, content]) => h('p', { class: 'media' },
          h('code', {}, type), ': ', typeOf(content.schema))),
        Object.keys(response.headers || {}).length
          ? h('p', { class: 'media' }, 'Headers: ', Object.keys(response.headers).map((name, i) => [i ? ', ' : '', h('code', {}, name)]))
          : null),
    ])));
}

/** Who may call it: the schemes it needs, and the roles allowed. */
function security(operation) {
  const requirements = operation.security || [];
  if (!requirements.length) return h('p', { class: 'security' }, 'No session needed.');
  const optional = requirements.some((r) => !Object.keys(r).length);
  const needed = requirements.find((r) => Object.keys(r).length) || {};
  const parts = Object.entries(needed).map(([scheme, roles]) => [
    h('code', {}, scheme),
    roles.length ? ` (${roles.join(', ')})` : '',
  ]);
  return h('p', { class: 'security' }, optional ? 'Uses, when sent: ' : 'Needs: ',
    parts.map((part, i) => [i ? ' and ' : '', part]));
}

function operationCard(path, method, operation) {
  const id = `op-${operation.operationId || `${method}-${path}`}`;
  return h('article', { class: 'operation', id },
    h('h3', {},
      h('span', { class: `method method-${method}` }, method.toUpperCase()), ' ',
      h('code', { class: 'path' }, path)),
    prose(operation.summary),
    prose(operation.description),
    security(operation),
    parameters(operation),
    requestBody(operation),
    responses(operation));
}

function operationsByTag(spec) {
  const tags = new Map((spec.tags || []).map((tag) => [tag.name, { tag, operations: [] }]));
  for (const [path, item] of Object.entries(spec.paths || {})) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const name = (operation.tags || ['other'])[0];
      if (!tags.has(name)) tags.set(name, { tag: { name }, operations: [] });
      tags.get(name).operations.push([path, method, operation]);
    }
  }
  return [...tags.values()].filter((group) => group.operations.length);
}

function securitySchemes(spec) {
  const schemes = spec.components?.securitySchemes || {};
  return h('section', { id: 'security' },
    h('h2', {}, 'Signing in'),
    h('dl', {}, Object.entries(schemes).map(([name, scheme]) => [
      h('dt', {}, h('code', {}, name)),
      h('dd', {}, `${scheme.type} in ${scheme.in}: `, h('code', {}, scheme.name), '. ', prose(scheme.description || '', 'span')),
    ])));
}

function schemas(spec) {
  const all = spec.components?.schemas || {};
  return h('section', { id: 'schemas' },
    h('h2', {}, 'Schemas'),
    Object.entries(all).map(([name, schema]) => h('article', { class: 'schema', id: schemaAnchor(name) },
      h('h3', {}, h('code', {}, name)),
      prose(schema.description),
      schema.allOf
        ? schema.allOf.map((part) => (part.$ref ? h('p', { class: 'type' }, 'With every field of ', typeOf(part)) : schemaTable(part)))
        : schemaTable(schema))));
}

function contents(groups) {
  return h('nav', { 'aria-label': 'Operations' },
    h('ul', {}, groups.map(({ tag, operations }) => h('li', {},
      h('a', { href: `#tag-${tag.name.replace(/\W+/g, '-')}` }, tag.name),
      ` (${operations.length})`)),
    h('li', {}, h('a', { href: '#schemas' }, 'Schemas'))));
}

function render(spec) {
  const main = document.getElementById('reference');
  const groups = operationsByTag(spec);
  main.replaceChildren(...[
    h('header', {},
      h('h1', {}, spec.info?.title || 'API reference'),
      h('p', { class: 'version' }, `Version ${spec.info?.version || ''} · OpenAPI ${spec.openapi} · `,
        h('a', { href: '/api/openapi.json' }, 'the document itself')),
      prose(spec.info?.description)),
    contents(groups),
    securitySchemes(spec),
    groups.map(({ tag, operations }) => h('section', { class: 'tag', id: `tag-${tag.name.replace(/\W+/g, '-')}` },
      h('h2', {}, tag.name),
      prose(tag.description),
      operations.map(([path, method, operation]) => operationCard(path, method, operation)))),
    schemas(spec),
  ].flat(Infinity));
  main.removeAttribute('aria-busy');
  if (location.hash) document.getElementById(location.hash.slice(1))?.scrollIntoView();
}

async function start() {
  const main = document.getElementById('reference');
  try {
    const response = await fetch('/api/openapi.json', { headers: { Accept: 'application/json' } });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    render(await response.json());
  } catch (error) {
    main.removeAttribute('aria-busy');
    main.append(h('p', { class: 'error', role: 'alert' }, `The OpenAPI document could not be loaded (${error.message}).`));
  }
}

start();
