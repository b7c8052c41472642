// Which columns of a result are mapped, listed and sorted by: the analysis' descriptor says
// (its headline, its rank and category columns), not the columns' names. Pure, unit-tested.

import type { AnalysisInfo, Row } from './api';
import { describe, headlineOf } from './descriptor';

/** Numeric columns of the rows, in first-seen order (nested objects left out). */
export function numericColumns(rows: Row[]): string[] {
  const cols: string[] = [];
  for (const r of rows.slice(0, 50)) {
    for (const [k, v] of Object.entries(r)) if (typeof v === 'number' && !cols.includes(k)) cols.push(k);
  }
  return cols;
}

export const isRank = (info: AnalysisInfo | undefined, col: string) => describe(info, col)?.column.kind === 'rank';

/** The column a result is mapped by at first: its headline, else the first that is not a rank. */
export function defaultField(info: AnalysisInfo | undefined, cols: string[]): string {
  const headline = headlineOf(info);
  if (headline && cols.includes(headline)) return headline;
  return cols.find((c) => !isRank(info, c)) ?? cols[0] ?? '';
}

/** The rank column a result is listed by (its first, in the descriptor's order), if any. */
export function rankColumn(info: AnalysisInfo | undefined, cols: string[]): string | undefined {
  return (info?.columns ?? []).find((c) => c.kind === 'rank' && cols.includes(c.name))?.name;
}

/** The table's columns: the rank (when there is one), the name, the mapped column, the first
 *  category column (a hot spot's finding, a cluster), then up to three more numbers, good or
 *  bad news first (other ranks, such as a rank's range, are left to the row's details). */
export function tableColumns(info: AnalysisInfo | undefined, rows: Row[], field: string): string[] {
  const numeric = numericColumns(rows);
  const rank = rankColumn(info, numeric);
  const categories: string[] = [];
  for (const r of rows.slice(0, 50)) {
    for (const [k, v] of Object.entries(r)) {
      if ((typeof v === 'string' || typeof v === 'number') && describe(info, k)?.column.kind === 'category' && !categories.includes(k)) categories.push(k);
    }
  }
  const category = categories.filter((c) => c !== field).slice(0, 1);
  const taken = new Set([rank, field, ...categories]);
  const judged = (c: string) => (describe(info, c)?.column.better ?? 'neutral') !== 'neutral';
  const others = numeric.filter((c) => !taken.has(c) && !isRank(info, c));
  const rest = [...others.filter(judged), ...others.filter((c) => !judged(c))].slice(0, 3);
  return [...(rank ? [rank] : []), 'name', ...(field && field !== rank ? [field] : []), ...category, ...rest];
}
