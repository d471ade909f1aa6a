/**
 * An independent reader of the Alloy configuration syntax, for tests: it tokenizes with Go
 * string-escape rules and returns the block tree with decoded values, so a test can check that
 * what the writer produced reads back as exactly the data it was given.
 */
export type Value = string | number | boolean | null | { ref: string } | Value[] | { [k: string]: Value };
export interface Attr {
  kind: 'attribute';
  name: string;
  value: Value;
}
export interface Block {
  kind: 'block';
  name: string;
  label?: string;
  body: Stmt[];
}
export type Stmt = Attr | Block;

type Tok = { t: 'ident' | 'string' | 'number' | 'punct'; v: string };

function decodeString(src: string, start: number): { value: string; end: number } {
  let i = start + 1;
  let out = '';
  const bytes: number[] = [];
  const flush = () => {
    if (bytes.length) {
      out += Buffer.from(bytes).toString('utf8');
      bytes.length = 0;
    }
  };
  while (i < src.length) {
    const c = src[i];
    if (c === '"') {
      flush();
      return { value: out, end: i + 1 };
    }
    if (c === '\n') throw new Error(`newline inside a string at ${i}`);
    if (c !== '\\') {
      flush();
      out += c;
      i++;
      continue;
    }
    const e = src[i + 1];
    const simple: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"' };
    if (e in simple) {
      flush();
      out += simple[e];
      i += 2;
    } else if (e === 'x') {
      const h = src.slice(i + 2, i + 4);
      if (!/^[0-9a-fA-F]{2}$/.test(h)) throw new Error(`bad \\x escape at ${i}`);
      bytes.push(parseInt(h, 16));
      i += 4;
    } else if (e === 'u' || e === 'U') {
      const n = e === 'u' ? 4 : 8;
      const h = src.slice(i + 2, i + 2 + n);
      if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(h)) throw new Error(`bad \\${e} escape at ${i}`);
      flush();
      out += String.fromCodePoint(parseInt(h, 16));
      i += 2 + n;
    } else if (/[0-7]/.test(e)) {
      const o = src.slice(i + 1, i + 4);
      if (!/^[0-7]{3}$/.test(o)) throw new Error(`bad octal escape at ${i}`);
      bytes.push(parseInt(o, 8));
      i += 4;
    } else {
      throw new Error(`unknown escape \\${e} at ${i}`);
    }
  }
  throw new Error('unterminated string');
}

export function tokenize(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
    } else if (src.startsWith('//', i)) {
      while (i < src.length && src[i] !== '\n') i++;
    } else if (src.startsWith('/*', i)) {
      const end = src.indexOf('*/', i + 2);
      if (end < 0) throw new Error('unterminated block comment');
      i = end + 2;
    } else if (c === '"') {
      const s = decodeString(src, i);
      toks.push({ t: 'string', v: s.value });
      i = s.end;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i))!;
      toks.push({ t: 'ident', v: m[0] });
      i += m[0].length;
    } else if (/[0-9-]/.test(c)) {
      const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(src.slice(i));
      if (!m) throw new Error(`bad number at ${i}`);
      toks.push({ t: 'number', v: m[0] });
      i += m[0].length;
    } else if ('{}[]=,.'.includes(c)) {
      toks.push({ t: 'punct', v: c });
      i++;
    } else {
      throw new Error(`unexpected ${JSON.stringify(c)} at ${i}`);
    }
  }
  return toks;
}

export function parseAlloy(src: string): Stmt[] {
  const toks = tokenize(src);
  let p = 0;
  const peek = (o = 0) => toks[p + o];
  const expect = (t: Tok['t'], v?: string): Tok => {
    const tok = toks[p++];
    if (!tok || tok.t !== t || (v !== undefined && tok.v !== v)) throw new Error(`expected ${v ?? t}, got ${JSON.stringify(tok)}`);
    return tok;
  };
  const isPunct = (v: string, o = 0) => peek(o)?.t === 'punct' && peek(o).v === v;

  function dotted(): string {
    let name = expect('ident').v;
    while (isPunct('.')) {
      p++;
      name += '.' + expect('ident').v;
    }
    return name;
  }

  function value(): Value {
    const tok = peek();
    if (!tok) throw new Error('unexpected end');
    if (tok.t === 'string') return (p++, tok.v);
    if (tok.t === 'number') return (p++, Number(tok.v));
    if (tok.t === 'ident') {
      if (tok.v === 'true' || tok.v === 'false') return (p++, tok.v === 'true');
      if (tok.v === 'null') return (p++, null);
      return { ref: dotted() };
    }
    if (isPunct('[')) {
      p++;
      const items: Value[] = [];
      while (!isPunct(']')) {
        items.push(value());
        if (isPunct(',')) p++;
        else break;
      }
      expect('punct', ']');
      return items;
    }
    if (isPunct('{')) {
      p++;
      const obj: Record<string, Value> = {};
      while (!isPunct('}')) {
        const k = peek();
        if (k.t !== 'ident' && k.t !== 'string') throw new Error(`bad object key ${JSON.stringify(k)}`);
        p++;
        expect('punct', '=');
        if (k.v in obj) throw new Error(`duplicate key ${k.v}`);
        obj[k.v] = value();
        if (isPunct(',')) p++;
        else break;
      }
      expect('punct', '}');
      return obj;
    }
    throw new Error(`unexpected ${JSON.stringify(tok)}`);
  }

  function body(end: boolean): Stmt[] {
    const out: Stmt[] = [];
    while (p < toks.length && !(end && isPunct('}'))) {
      const name = dotted();
      if (isPunct('=')) {
        if (name.includes('.')) throw new Error(`attribute names cannot be dotted: ${name}`);
        p++;
        out.push({ kind: 'attribute', name, value: value() });
        continue;
      }
      let label: string | undefined;
      if (peek()?.t === 'string') label = toks[p++].v;
      expect('punct', '{');
      const inner = body(true);
      expect('punct', '}');
      out.push({ kind: 'block', name, ...(label !== undefined ? { label } : {}), body: inner });
    }
    return out;
  }

  const result = body(false);
  if (p !== toks.length) throw new Error('trailing tokens');
  return result;
}

export function blocks(stmts: Stmt[], name: string): Block[] {
  return stmts.filter((s): s is Block => s.kind === 'block' && s.name === name);
}

export function attrOf(b: Block, name: string): Value | undefined {
  return (b.body.find((s) => s.kind === 'attribute' && s.name === name) as Attr | undefined)?.value;
}
