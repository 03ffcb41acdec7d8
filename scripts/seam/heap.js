// The one place JavaScript copies into and out of a WASM module's heap (the
// generated seam modules use it; nothing else should). Copied into the site as
// seam/heap.js by scripts/seam/gen-seam.mjs.
const enc = new TextEncoder();

// A status the core returned, with its printable message. status: the
// pa_status code; statusName: its name ('syntax'); fault: a refusal's reason
// where the module has one ('replay').
export class PaError extends Error {
  constructor(message, status, statusName, fault = '') {
    super(message);
    this.status = status;
    this.statusName = statusName;
    this.fault = fault;
  }
}

const helpers = new WeakMap();

// The helpers for module instance M. statusName(code) -> pointer to the
// core's name of a status (or null); wipe: zero input copies before freeing
// them (the chat module's plaintext and keys).
export function seam(M, statusName, wipe) {
  let h = helpers.get(M);
  if (h) return h;
  const str = (p) => (p ? M.UTF8ToString(p) : '');
  const nameOf = (code) => (statusName ? str(statusName(code)) : `status ${code}`);
  const error = (what, code, text, fault = '') => {
    const name = nameOf(code);
    // Texts the core already formats as the CLI does ("error (syntax): ...") stay as they are.
    const msg = /^error \(/.test(text) ? text : text ? `error (${name}): ${text}` : `error (${name})`;
    return new PaError(`${what}: ${msg}`, code, name, fault);
  };
  h = {
    str,
    error,
    // A malloc'd C string: read, then freed; NULL stays null.
    take(p) {
      if (!p) return null;
      try {
        return M.UTF8ToString(p);
      } finally {
        M._free(p);
      }
    },
    bytes: (p, n) => (p && n > 0 ? M.HEAPU8.slice(p, p + n) : new Uint8Array(0)),
    i32: (p) => new DataView(M.HEAPU8.buffer).getInt32(p, true),
    f64: (p) => new DataView(M.HEAPU8.buffer).getFloat64(p, true),
    // An in/out buffer: the bytes the core left are copied back into it.
    inout: (bytes) => ({ inout: bytes }),
    // Copies each value into the heap for one call of fn(a), a[i] = {p, n}:
    // strings as NUL-terminated UTF-8 (n without the NUL), Uint8Arrays as they
    // are, null/undefined as a NULL pointer; frees them all afterwards.
    with(values, fn) {
      const a = values.map((v) => {
        if (v === null || v === undefined) return { p: 0, n: 0 };
        const back = v.inout;
        const bytes = back ?? (typeof v === 'string' ? enc.encode(`${v}\0`) : v);
        const n = typeof v === 'string' ? bytes.length - 1 : bytes.length;
        const p = M._malloc(bytes.length || 1);
        if (!p) throw error('heap', 2, 'out of memory');
        M.HEAPU8.set(bytes, p);
        return { p, n, back };
      });
      try {
        const r = fn(a);
        for (const x of a) if (x.back) x.back.set(M.HEAPU8.subarray(x.p, x.p + x.n));
        return r;
      } finally {
        for (const x of a) {
          if (!x.p) continue;
          if (wipe) M.HEAPU8.fill(0, x.p, x.p + x.n);
          M._free(x.p);
        }
      }
    },
    // rc is 0 or a status (negative: < 0 is -status); throws a PaError with
    // the module's message and fault name for the call, else returns rc.
    check(rc, what, negative, message, fault) {
      const code = negative ? (rc < 0 ? -rc : 0) : rc;
      if (!code) return rc;
      throw error(what, code, message ? message() : '', fault ? fault() : '');
    },
  };
  helpers.set(M, h);
  return h;
}
