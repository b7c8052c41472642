import { describe, expect, it } from 'vitest';
import { label, t } from '../../src/i18n';

describe('labels in both languages', () => {
  it('fills placeholders', () => {
    expect(t('detail.rank', { rank: 3, n: 83 }, 'id')).toBe('Peringkat 3 dari 83');
    expect(t('detail.rank', { rank: 3, n: 83 }, 'en')).toBe('Rank 3 of 83');
  });
  it('names fields, with sum_/mean_ understood, unknown ones as they are', () => {
    expect(label('poor_households', 'id')).toBe('Rumah tangga miskin');
    expect(label('sum_students', 'id')).toBe('Jumlah siswa');
    expect(label('mean_students', 'en')).toBe('Mean students');
    expect(label('kode_kec', 'en')).toBe('kode_kec');
  });
});
