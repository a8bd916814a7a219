import { sniff } from '../../src/storage/sniff';

const mp4 = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom'), Buffer.alloc(64)]);
const mov = Buffer.concat([Buffer.from([0, 0, 0, 0x14]), Buffer.from('ftypqt  '), Buffer.alloc(64)]);
const webm = Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x84]), Buffer.from('webm'), Buffer.alloc(32)]);
const mkv = Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x88]), Buffer.from('matroska'), Buffer.alloc(32)]);

describe('sniff', () => {
  test.each([
    ['mp4', mp4, 'mp4'],
    ['mov', mov, 'mov'],
    ['webm', webm, 'webm'],
    ['png', Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), 'png'],
    ['jpeg', Buffer.from('ffd8ffe000104a464946', 'hex'), 'jpeg'],
    ['webp', Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBPVP8 ')]), 'webp'],
    ['xlsx (zip)', Buffer.from('504b030414000600', 'hex'), 'xlsx'],
    ['csv with Vietnamese', Buffer.from('\uFEFFID video,Lượt xem\n7003421587766431002,1.234.567\n'), 'csv'],
  ])('%s', (_name, bytes, kind) => {
    expect(sniff(bytes)).toBe(kind);
  });

  test.each([
    ['an HTML page', Buffer.from('<!DOCTYPE html><html><script>alert(1)</script>')],
    ['a Windows executable', Buffer.concat([Buffer.from('MZ'), Buffer.alloc(10), Buffer.from([0, 0])])],
    ['Matroska that is not WebM', mkv],
    ['an ELF binary', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0])],
    ['nothing', Buffer.alloc(0)],
  ])('refuses %s as anything we accept', (_name, bytes) => {
    expect(['mp4', 'mov', 'webm', 'png', 'jpeg', 'webp']).not.toContain(sniff(bytes));
    if (_name !== 'nothing' && _name !== 'an HTML page') expect(sniff(bytes)).toBeUndefined();
  });

  test('markup is not CSV', () => {
    expect(sniff(Buffer.from('<html><body>x</body></html>'))).toBeUndefined();
  });
});
