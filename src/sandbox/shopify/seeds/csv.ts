import fs from 'node:fs';
import { parse } from 'csv-parse/sync';

export type CsvRow = Record<string, string>;

export function readCsv(file: string): CsvRow[] {
  return parse(fs.readFileSync(file), { columns: true, bom: true, skip_empty_lines: true }) as CsvRow[];
}
