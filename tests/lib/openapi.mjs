// The API contract (web/openapi.yaml) as a validator for test responses.
//
//   validateResponse('GET', '/api/v1/posts/p_3?x=1', 200, body) -> throws when
//   the method/path/status is not in the contract or the body breaks its schema.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { ROOT } from './paths.mjs';

export const CONTRACT_PATH = path.join(ROOT, 'web/openapi.yaml');
export const contract = YAML.parse(readFileSync(CONTRACT_PATH, 'utf8'));

const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
// Register the whole document so '#/components/...' refs resolve inside it.
ajv.addSchema(contract, 'openapi');

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head'];

// Path templates as regexes, most specific (fewest parameters) first.
const routes = Object.keys(contract.paths)
  .map((template) => {
    const names = [];
    const source = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{([^}]+)\}/g, (_, n) => {
      names.push(n);
      return '([^/]+)';
    });
    return { template, names, re: new RegExp(`^${source}$`) };
  })
  .sort((a, b) => a.names.length - b.names.length);

/** The template ("/api/v1/posts/{post_id}") a URL or path belongs to, or null. */
export function matchPath(pathOrUrl) {
  let p = pathOrUrl;
  if (/^https?:/.test(p)) p = new URL(p).pathname;
  p = p.split('?')[0];
  if (contract.paths[p]) return p;
  for (const r of routes) if (r.re.test(p)) return r.template;
  return null;
}

const escapePointer = (s) => s.replace(/~/g, '~0').replace(/\//g, '~1');
const compiled = new Map();

function validatorFor(pointer) {
  let v = compiled.get(pointer);
  if (!v) {
    v = ajv.compile({ $ref: `openapi#${pointer}` });
    compiled.set(pointer, v);
  }
  return v;
}

function deref(obj) {
  let o = obj;
  while (o && o.$ref) {
    const parts = o.$ref.replace(/^#\//, '').split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    o = parts.reduce((acc, k) => acc[k], contract);
  }
  return o;
}

/** Pointer to the response object for (method, path, status), following $refs. */
function responsePointer(method, template, status) {
  const m = method.toLowerCase() === 'head' ? 'get' : method.toLowerCase();
  const op = contract.paths[template]?.[m];
  if (!op) return null;
  const base = `/paths/${escapePointer(template)}/${m}/responses`;
  const key = op.responses[String(status)] ? String(status) : status >= 400 && op.responses.default ? 'default' : null;
  if (!key) return { missing: `${method} ${template} has no ${status} response in the contract` };
  let ptr = `${base}/${key}`;
  let r = op.responses[key];
  if (r.$ref) {
    ptr = r.$ref.slice(1);
    r = deref(r);
  }
  return { ptr, response: r };
}

const ERROR_PTR = '/components/schemas/Error';

/**
 * Throws an Error saying what is wrong when the response is not what the
 * contract allows. body is the parsed JSON (or undefined for non-JSON bodies).
 * Returns the template matched (or null for unknown routes answered with an error).
 */
export function validateResponse(method, pathTemplateOrUrl, status, body, contentType) {
  const where = `${method} ${pathTemplateOrUrl} -> ${status}`;
  const template = pathTemplateOrUrl.includes('{') ? pathTemplateOrUrl : matchPath(pathTemplateOrUrl);
  let schemaPtr = null;
  if (!template) {
    // Not in the contract: only the error shape is allowed (404 and friends).
    if (status < 400) throw new Error(`${where}: path is not in the contract`);
    schemaPtr = ERROR_PTR;
  } else {
    const m = method.toLowerCase() === 'head' ? 'get' : method.toLowerCase();
    const ops = contract.paths[template];
    if (!ops[m]) {
      if (status !== 405 && status !== 404) throw new Error(`${where}: ${method} not in the contract`);
      schemaPtr = ERROR_PTR;
    } else {
      const r = responsePointer(method, template, status);
      if (r.missing) throw new Error(`${where}: ${r.missing}`);
      const content = r.response.content;
      if (!content) return template; // e.g. 304: no body
      if (!content['application/json']) {
        if (contentType && !Object.keys(content).some((t) => contentType.startsWith(t)))
          throw new Error(`${where}: content-type ${contentType} not in ${Object.keys(content)}`);
        return template;
      }
      schemaPtr = `${r.ptr}/content/application~1json/schema`;
    }
  }
  if (method.toUpperCase() === 'HEAD') return template;
  if (contentType !== undefined && contentType !== 'application/json; charset=utf-8')
    throw new Error(`${where}: content-type ${contentType}`);
  const validate = validatorFor(schemaPtr);
  if (!validate(body)) {
    const errs = validate.errors.slice(0, 8).map((e) => `${e.instancePath || '/'} ${e.message}`);
    throw new Error(`${where}: response breaks the contract:\n  ${errs.join('\n  ')}\nbody: ${JSON.stringify(body).slice(0, 600)}`);
  }
  return template;
}

/** Every (method, template) the contract lists, for coverage checks. */
export function operations() {
  const out = [];
  for (const [template, item] of Object.entries(contract.paths))
    for (const m of METHODS) if (item[m]) out.push(`${m.toUpperCase()} ${template}`);
  return out;
}
