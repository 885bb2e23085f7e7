/**
 * Formatting for people and for machines: aligned tables, JSON documents, and dates. Text that
 * came from users (token names) is made inert before it reaches a terminal.
 */
import type { CliIo } from './io.js';

/**
 * Control characters and bidirectional overrides written as `\u{…}` escapes, so a token name
 * cannot move the cursor, recolour the terminal or reorder what an administrator reads.
 */
export function printable(text: string): string {
  return text.replace(
    /[\p{Cc}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/gu,
    (char) => `\\u{${(char.codePointAt(0) ?? 0).toString(16)}}`,
  );
}

/** A date as `2026-06-01 12:00 UTC`, or `never`/`-` for null. */
export function formatDate(date: Date | null, none = '-'): string {
  if (date === null) return none;
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

const width = (text: string): number => [...text].length;

/** Rows under headers, columns padded to their widest cell, two spaces apart. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const cells = [headers, ...rows.map((row) => row.map(printable))];
  const widths = headers.map((_header, column) => Math.max(...cells.map((row) => width(row[column] ?? ''))));
  return cells
    .map((row) =>
      row
        .map((cell, column) => cell + ' '.repeat((widths[column] ?? 0) - width(cell)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
    .concat('\n');
}

/** Writes one JSON document (dates as ISO 8601 strings) and nothing else to stdout. */
export function writeJson(io: CliIo, value: unknown): void {
  io.out(`${JSON.stringify(value, null, 2)}\n`);
}
