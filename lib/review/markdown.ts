/**
 * Escaping for GitHub-flavoured Markdown. Resource addresses and messages are data: a for_each key
 * may hold `<`, `|`, `*` or a backtick, and none of it may turn into HTML, emphasis, a link or a
 * broken table in the comment.
 */

/**
 * Text safe anywhere in a comment (paragraphs, list items, table cells, inside `<code>`): every
 * character that HTML or Markdown give a meaning to becomes a numeric character reference, which
 * GitHub renders as the character itself; line breaks become spaces.
 */
export function escapeText(s: string): string {
  return s.replace(/\r\n?|\n/g, ' ').replace(/[&<>"'`*_[\]()|~\\#!{}+=:@$^-]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** `s` as inline code (`<code>` with the content escaped: a backtick or `|` in `s` cannot end it). */
export function code(s: string): string {
  return `<code>${escapeText(s)}</code>`;
}

/**
 * One line inside a fenced code block opened with {@link FENCE}: nothing in it is interpreted, only
 * a line starting with the fence would close the block, and control characters are dropped.
 */
export function fencedLine(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\r\n?|\n/g, ' ').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '').replace(/~{3,}|`{3,}/g, (m) => m.replace(/./g, m[0] === '~' ? '-' : "'"));
}

/** The fence of the review's code blocks (tildes: no address line can start with one after {@link fencedLine}). */
export const FENCE = '~~~~';

/** `+€1.20`, `−€0.50`, `€0.00`. */
export function euroDelta(eur: number): string {
  const c = Math.round(eur * 100);
  if (c === 0) return '±€0.00';
  return `${c > 0 ? '+' : '−'}€${(Math.abs(c) / 100).toFixed(2)}`;
}

/** `€12.34`. */
export function euro(eur: number): string {
  return `€${(Math.round(eur * 100) / 100).toFixed(2)}`;
}
