/**
 * A strict reader of systemd unit files for tests: sections in order, each directive with every
 * value it was given (repeated keys accumulate). Throws on anything systemd would read differently
 * from what a renderer meant (continuation lines, text outside a section, malformed lines).
 */
export interface ParsedUnit {
  readonly sections: string[];
  get(section: string, key: string): string[];
  one(section: string, key: string): string | undefined;
  keys(section: string): string[];
}

export function parseUnit(text: string): ParsedUnit {
  const sections: string[] = [];
  const values = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | undefined;
  text.split('\n').forEach((line, i) => {
    if (line.endsWith('\\')) throw new Error(`line ${i + 1} ends with a backslash: systemd joins it with the next line`);
    if (line.trim() === '' || /^[#;]/.test(line)) return;
    const header = /^\[([A-Za-z]+)\]$/.exec(line);
    if (header) {
      if (values.has(header[1])) throw new Error(`section [${header[1]}] appears twice`);
      sections.push(header[1]);
      current = new Map();
      values.set(header[1], current);
      return;
    }
    const kv = /^([A-Za-z][A-Za-z0-9]*)=(.*)$/.exec(line);
    if (!kv) throw new Error(`line ${i + 1} is not a directive: ${JSON.stringify(line)}`);
    if (!current) throw new Error(`line ${i + 1} is outside a section`);
    const list = current.get(kv[1]) ?? [];
    list.push(kv[2]);
    current.set(kv[1], list);
  });
  return {
    sections,
    get: (s, k) => values.get(s)?.get(k) ?? [],
    one: (s, k) => {
      const v = values.get(s)?.get(k);
      if (v && v.length > 1) throw new Error(`${s}.${k} is set ${v.length} times`);
      return v?.[0];
    },
    keys: (s) => [...(values.get(s)?.keys() ?? [])],
  };
}
