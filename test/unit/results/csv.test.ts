import { csvCell, toCsv } from '../../../src/results/exports';

describe('CSV cells', () => {
  test.each([
    ['=SUM(A1:A9)', "'=SUM(A1:A9)"],
    ['+84912345678', "'+84912345678"],
    ['-1', "'-1"],
    ['@cmd', "'@cmd"],
    ['\tx', "'\tx"],
    ['Nguyễn Thị Trúc Linh', 'Nguyễn Thị Trúc Linh'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['=1,2', `"'=1,2"`],
    ['line\nbreak', '"line\nbreak"'],
  ])('%j → %j', (input, out) => {
    expect(csvCell(input)).toBe(out);
  });

  test('numbers stay numbers (a negative score is not text), rounded to 6 decimals; null is empty', () => {
    expect(csvCell(-1.5)).toBe('-1.5');
    expect(csvCell(23 / 3)).toBe('7.666667');
    expect(csvCell(7)).toBe('7');
    expect(csvCell(null)).toBe('');
    expect(csvCell(new Date('2021-11-19T12:00:00Z'))).toBe('2021-11-19T12:00:00.000Z');
  });

  test('a file starts with the UTF-8 BOM and uses CRLF', () => {
    expect(toCsv(['a', 'b'], [[1, 'Giải Nhất']])).toBe('\ufeffa,b\r\n1,Giải Nhất\r\n');
  });
});
