import { describe, expect, it } from 'vitest';
import { attributeLabel, t, withName } from '../../src/i18n';

describe('labels in both languages', () => {
  it('fills placeholders', () => {
    expect(t('detail.rank', { rank: 3, n: 83 }, 'id')).toBe('Peringkat 3 dari 83');
    expect(t('detail.rank', { rank: 3, n: 83 }, 'en')).toBe('Rank 3 of 83');
  });
  it('names layer attributes, unknown ones as they are', () => {
    expect(attributeLabel('poor_households', 'id')).toBe('Rumah tangga miskin');
    expect(attributeLabel('name', 'en')).toBe('Name');
    expect(attributeLabel('kode_kec', 'en')).toBe('kode_kec');
    // a result column is not an attribute: its label is its descriptor's
    expect(attributeLabel('sum_students', 'id')).toBe('sum_students');
    expect(withName('Penduduk', 'population')).toBe('Penduduk (population)');
    expect(withName('kode_kec', 'kode_kec')).toBe('kode_kec');
  });
});
