import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, describe, expect, it } from 'vitest';
import { readMembersFile } from '../../../gateway/src/import/read-members.ts';

const dir = mkdtempSync(join(tmpdir(), 'le-import-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const HEADER =
  'member_id,card_uid,first_name,last_name,phone,email,birth_date,anniversary_date,language,customer_group,pin,opening_points,opening_credit';

describe('members file reader (docs/program.md: Cards and members)', () => {
  it('reads every column of a good CSV into typed rows', async () => {
    const path = write(
      'good.csv',
      `\uFEFF${HEADER}\nM-1,04 a1 b2 c3,Անի,Պետրոսյան,+374 91 123456,ani@example.am,1990-02-28,2015-06-01,hy,pensioner,1234,1500,250000\n`,
    );
    const { rows, problems } = await readMembersFile(path);
    expect(problems).toEqual([]);
    expect(rows).toEqual([
      {
        line: 2,
        memberId: 'M-1',
        cardUid: '04A1B2C3',
        firstName: 'Անի',
        lastName: 'Պետրոսյան',
        phone: '+37491123456',
        email: 'ani@example.am',
        birthDate: '1990-02-28',
        anniversaryDate: '2015-06-01',
        language: 'hy',
        customerGroup: 'pensioner',
        pin: '1234',
        openingPoints: 1500,
        openingCredit: 250000,
      },
    ]);
  });

  it('names every bad row by its line and reason, including rows spanning quoted newlines', async () => {
    const path = write(
      'bad.csv',
      [
        'member_id;card_uid;first_name;last_name;birth_date;pin;opening_points',
        'M1;04A1B2C3;Ani;"two',
        'lines";1990-01-01;1234;10',
        'M2;XYZ;;;1990-02-30;12;-3',
        'M3;04A1B2C3;Bob;;;;',
        'M1;0A0B0C0D;Ani;;;;5',
        'M4;;Dan;;;;',
      ].join('\n'),
    );
    const { problems } = await readMembersFile(path);
    expect(problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      'line 4: card_uid "XYZ" must be a 4, 7 or 10 byte UID in hex',
      'line 4: first_name is required',
      'line 4: birth_date "1990-02-30" must be a date YYYY-MM-DD',
      'line 4: pin must be 4 to 8 digits',
      'line 4: opening_points "-3" must be a whole number ≥ 0 (money in minor units)',
      'line 5: card_uid 04A1B2C3 is already on line 3',
      'line 6: opening balances of member M1 belong on its first row (line 3)',
      'line 7: card_uid is required',
    ]);
  });

  it("takes a member's later rows as extra cards, and reads the demo members cleanly", async () => {
    const { rows, problems } = await readMembersFile(
      new URL('../../../gateway/demo/members.csv', import.meta.url).pathname,
    );
    expect(problems).toEqual([]);
    const nina = rows.filter((r) => r.memberId === 'M-1006');
    expect(nina.map((r) => r.cardUid)).toEqual(['04DEAD00BEEF42', '2C3D4E5F']);
    expect(new Set(rows.map((r) => r.language))).toEqual(new Set(['hy', 'fa', 'en', 'ru']));
    const conflicting = await readMembersFile(
      write('conflict.csv', `${HEADER}\nM1,0A0B0C0D,Ani,,,,,,,,,,\nM1,04A1B2C3,Anna,,,,,,,,,,\n`),
    );
    expect(conflicting.problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      "line 3: firstName differs from member M1's first row (line 2)",
    ]);
  });

  it('refuses unknown columns, a missing required column and other file types', async () => {
    const unknown = await readMembersFile(write('cols.csv', 'member_id,nickname\nM1,x\n'));
    expect(unknown.problems.map((p) => p.message)).toEqual([
      expect.stringMatching(/^unknown column "nickname"/),
      'missing column "first_name"',
    ]);
    const txt = await readMembersFile(write('members.txt', HEADER));
    expect(txt.problems[0]?.message).toMatch(/expected a \.csv or \.xlsx file/);
  });

  it('reads XLSX with dates, numbers and the same checks, naming sheet rows', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('members');
    sheet.addRow([
      'member_id',
      'card_uid',
      'first_name',
      'phone',
      'birth_date',
      'language',
      'opening_points',
    ]);
    sheet.addRow(['M1', '04A1B2C3D4E5F6', 'Нина', 79161234567, new Date(Date.UTC(1988, 1, 29)), 'ru', 300]);
    sheet.addRow(['M2', '04A1B2C3D4E5F7', 'Sara', null, 'yesterday', 'fa', 1.5]);
    const path = join(dir, 'members.xlsx');
    await workbook.xlsx.writeFile(path);
    const { rows, problems } = await readMembersFile(path);
    expect(rows[0]).toMatchObject({
      line: 2,
      cardUid: '04A1B2C3D4E5F6',
      phone: '79161234567',
      birthDate: '1988-02-29',
      language: 'ru',
      openingPoints: 300,
    });
    expect(problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      'line 3: birth_date "yesterday" must be a date YYYY-MM-DD',
      'line 3: opening_points "1.5" must be a whole number ≥ 0 (money in minor units)',
    ]);
  });
});
