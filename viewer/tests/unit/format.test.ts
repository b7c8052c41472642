import { describe, expect, it } from 'vitest';
import { formatAttribute, formatNumber, formatPercent, formatPlain, formatRupiah } from '../../src/format';

describe('numbers the Indonesian way', () => {
  it('groups with dots and uses a decimal comma', () => {
    expect(formatNumber(1234.5, 'id')).toBe('1.234,5');
    expect(formatNumber(454174, 'id')).toBe('454.174');
    expect(formatNumber(0.93530402, 'id')).toBe('0,935');
    expect(formatNumber(1234.5, 'en')).toBe('1,234.5');
  });
  it('keeps large non-integers whole and hides -0', () => {
    expect(formatNumber(67211.0237, 'id')).toBe('67.211');
    expect(formatNumber(123456.7, 'id')).toBe('123.457');
    expect(formatNumber(-0.00001, 'id')).toBe('0');
    expect(formatNumber(2.25, 'id', 2)).toBe('2,25');
  });
  it('shows missing values as a dash', () => {
    expect(formatNumber(null, 'id')).toBe('–');
    expect(formatNumber(NaN, 'en')).toBe('–');
  });
  it('percentages', () => {
    expect(formatPercent(0.085, 'id')).toBe('8,5%');
    expect(formatPercent(0.085, 'en')).toBe('8.5%');
  });
  it('rupiah in words', () => {
    expect(formatRupiah(2e10, 'id')).toBe('Rp 20 miliar');
    expect(formatRupiah(2e10, 'en')).toBe('Rp 20 billion');
    expect(formatRupiah(1.5e6, 'id')).toBe('Rp 1,5 juta');
    expect(formatRupiah(3.25e12, 'id')).toBe('Rp 3,3 triliun');
    expect(formatRupiah(950000, 'id')).toBe('Rp 950.000');
    expect(formatRupiah(-2e9, 'id')).toBe('-Rp 2 miliar');
  });
  it('formats a layer attribute by its field name (layers have no descriptor)', () => {
    expect(formatAttribute('poverty_share', 0.148, 'id')).toBe('14,8%');
    expect(formatAttribute('population', 9489, 'id')).toBe('9.489');
    expect(formatAttribute('budget_rp', 2e10, 'id')).toBe('Rp 20 miliar');
    expect(formatAttribute('rawat_inap', true, 'id')).toBe('ya');
    expect(formatAttribute('nama', 'Wanea', 'en')).toBe('Wanea');
    expect(formatAttribute('x', null, 'en')).toBe('–');
  });
  it('formats plainly without a name to go by', () => {
    expect(formatPlain(0.148, 'id')).toBe('0,148');
    expect(formatPlain(2e10, 'id')).toBe('20.000.000.000');
    expect(formatPlain(false, 'en')).toBe('no');
    expect(formatPlain({ a: 1 }, 'en')).toBe('{"a":1}');
  });
});
