'use strict';
/**
 * Stands in for `json-stable-stringify` (1.3, the copy cdktf 0.21 depends on) in the fast synth
 * bundle (scripts/synth/fast-synth.cjs). cdktf writes every stack with `stringify(json, { space: 2 })`
 * (lib/synthesize/synthesizer.js) and the manifest likewise (lib/manifest.js).
 *
 * Same bytes, less memory: the package renders each object and array as an array of its members'
 * texts and joins it, so a document's text is built once per level of nesting, and the
 * intermediate strings of a 12 MB stack (1,000 hosts) were about 90 MiB of heap at the write, the
 * peak of the whole synth. Here the text is appended to one buffer in a single pass.
 *
 * The output rules are the package's, including its quirks:
 * - keys in `Array.prototype.sort` order (UTF-16 code units);
 * - `toJSON()` is called when a value has one; members whose value renders to nothing (undefined,
 *   functions, symbols) are left out of objects and rendered as `null` in arrays;
 * - an empty object or array still spans two lines (`{` newline, indent, `}`), since the package
 *   adds the closing line whether or not there were members;
 * - a cycle throws `TypeError: Converting circular structure to JSON`.
 * Only the `space` option is supported (all cdktf passes); any other option throws, rather than
 * being ignored. `__tests__/bench/stable-stringify.test.ts` compares the two on generated values.
 */

const CHUNK = 1 << 20;

/** Appends strings to a list of UTF-8 buffers; `toString` decodes them once. */
class Sink {
  constructor() {
    this.buffers = [];
    this.buf = Buffer.allocUnsafe(CHUNK);
    this.off = 0;
    this.pending = '';
    this.total = 0;
  }

  add(s) {
    // Long pieces (script bodies) go to the buffer as they are: appending them to the pending
    // text would copy them once more when it is flattened.
    if (s.length >= 1024) {
      this.flush();
      this.put(s);
      return;
    }
    this.pending += s;
    if (this.pending.length >= 8192) this.flush();
  }

  flush() {
    const s = this.pending;
    this.pending = '';
    if (s.length > 0) this.put(s);
  }

  put(s) {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit; a piece that may not fit is measured.
    if (this.off + s.length * 3 > this.buf.length && this.off + Buffer.byteLength(s) > this.buf.length) {
      this.buffers.push(this.buf.subarray(0, this.off));
      this.total += this.off;
      this.buf = Buffer.allocUnsafe(Math.max(CHUNK, Buffer.byteLength(s)));
      this.off = 0;
    }
    this.off += this.buf.write(s, this.off);
  }

  toString() {
    this.flush();
    this.buffers.push(this.buf.subarray(0, this.off));
    this.total += this.off;
    const all = this.buffers.length === 1 ? this.buffers[0] : Buffer.concat(this.buffers, this.total);
    this.buffers = [];
    return all.toString('utf8');
  }
}

/** `s` repeated while the count stays below `n` (the package's loop: 2.5 spaces are 3). */
function repeat(n, s) {
  let out = '';
  for (let i = 0; i < n; i += 1) out += s;
  return out;
}

/** `Object.keys(o).sort()`, without sorting (a copy) when they are in order already. */
function sortedKeys(o) {
  const keys = Object.keys(o);
  for (let i = 1; i < keys.length; i++) if (keys[i - 1] > keys[i]) return keys.sort();
  return keys;
}

/** The value the package renders for `node` (after `toJSON`). */
function jsonValue(node) {
  return node && typeof node.toJSON === 'function' ? node.toJSON() : node;
}

/** True when `value` (after `toJSON`) renders to something. */
function renders(value) {
  return value !== undefined && typeof value !== 'function' && typeof value !== 'symbol';
}

function stableStringify(obj, opts) {
  if (opts !== undefined && opts !== null) {
    const unsupported = typeof opts === 'object' ? Object.keys(opts).filter((k) => k !== 'space') : [typeof opts];
    if (unsupported.length > 0) throw new TypeError(`stable-stringify (fast synth): only the "space" option is supported, got ${unsupported.join(', ')}`);
  }
  let space = (opts && opts.space) || '';
  if (typeof space === 'number') space = repeat(space, ' ');
  const colon = space ? ': ' : ':';
  /** Per level: the texts around members (built once; documents repeat the same few levels). */
  const levels = [];
  const at = (level) => {
    let l = levels[level];
    if (l === undefined) {
      const indent = (n) => (space ? `\n${repeat(n, space)}` : '');
      const inner = indent(level + 1);
      const close = indent(level);
      l = levels[level] = { first: inner, next: `,${inner}`, closeArray: `${close}]`, closeObject: `${close}}` };
    }
    return l;
  };
  /** Each key's JSON and the colon (keys repeat across the resources of a stack). */
  const keyTexts = new Map();
  const keyText = (key) => {
    let t = keyTexts.get(key);
    if (t === undefined) keyTexts.set(key, (t = JSON.stringify(key) + colon));
    return t;
  };
  const seen = new Set();
  const sink = new Sink();

  /** Writes `value` (already through toJSON, and rendering to something) at `level`. */
  const write = (value, level) => {
    if (typeof value !== 'object' || value === null) {
      sink.add(JSON.stringify(value));
      return;
    }
    const l = at(level);
    if (Array.isArray(value)) {
      sink.add('[');
      for (let i = 0; i < value.length; i++) {
        sink.add(i === 0 ? l.first : l.next);
        const item = jsonValue(value[i]);
        if (renders(item)) write(item, level + 1);
        else sink.add('null');
      }
      sink.add(l.closeArray);
      return;
    }
    if (seen.has(value)) throw new TypeError('Converting circular structure to JSON');
    seen.add(value);
    sink.add('{');
    let first = true;
    for (const key of sortedKeys(value)) {
      const member = jsonValue(value[key]);
      if (!renders(member)) continue;
      sink.add(first ? l.first : l.next);
      sink.add(keyText(key));
      first = false;
      write(member, level + 1);
    }
    seen.delete(value);
    sink.add(l.closeObject);
  };

  const top = jsonValue(obj);
  if (!renders(top)) return undefined;
  write(top, 0);
  return sink.toString();
}

module.exports = stableStringify;
