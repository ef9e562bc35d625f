/**
 * collections/countries.json, the list of INTERPOL member countries from which Accord makes
 * one collection each. Codes become aliases and (through UUIDv5) collection ids, names become
 * titles, so both must be unique; codes must be real ISO 3166-1 alpha-2 codes.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

interface Country {
  code: string;
  name: string;
}
interface Catalogue {
  source: string;
  as_of: string;
  countries: Country[];
}

const root = path.resolve(__dirname, '..', '..');
const readJson = (relative: string): unknown => JSON.parse(readFileSync(path.join(root, relative), 'utf8'));
const catalogue = readJson('collections/countries.json') as Catalogue;

// Every officially assigned ISO 3166-1 alpha-2 code (249, as in Debian's iso-codes 4.15).
// Written out rather than taken from Intl, whose region list also knows XK, EU, UN and the like.
const ISO_3166_1_ALPHA_2 = new Set(
  `AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS
   BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE
   EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM
   HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC
   LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA
   NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW
   SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO
   TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW`.split(/\s+/),
);

describe('collections/countries.json: INTERPOL member countries', () => {
  const codes = catalogue.countries.map((c) => c.code);
  const names = catalogue.countries.map((c) => c.name);

  test('matches schemas/catalog/countries.json', () => {
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    addFormats(ajv);
    const validate = ajv.compile(readJson('schemas/catalog/countries.json') as object);
    expect(validate(catalogue) ? [] : validate.errors).toEqual([]);
  });

  test('the ISO 3166-1 list written here has all 249 codes', () => {
    expect(ISO_3166_1_ALPHA_2.size).toBe(249);
  });

  test('has at least 190 members', () => {
    expect(catalogue.countries.length).toBeGreaterThanOrEqual(190);
  });

  test('every code is an assigned ISO 3166-1 alpha-2 code', () => {
    expect(codes.filter((code) => !ISO_3166_1_ALPHA_2.has(code))).toEqual([]);
  });

  test('codes are unique and sorted', () => {
    expect(new Set(codes).size).toBe(codes.length);
    expect(codes).toEqual([...codes].sort());
  });

  test('names are unique, also ignoring case', () => {
    expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(names.length);
  });

  test('lower-case codes, the collection aliases, are unique too', () => {
    expect(new Set(codes.map((c) => c.toLowerCase())).size).toBe(codes.length);
  });

  test('as_of is a real date, not in the future', () => {
    const date = new Date(`${catalogue.as_of}T00:00:00Z`);
    expect(date.toISOString().slice(0, 10)).toBe(catalogue.as_of);
    expect(date.getTime()).toBeLessThanOrEqual(Date.now());
  });

  test('includes the latest admissions and the members that are not UN states', () => {
    // Palau (2023) and Micronesia (2021) are the two latest admissions; Aruba, Curaçao,
    // Sint Maarten, the Holy See and Palestine are members without UN membership.
    for (const code of ['PW', 'FM', 'KI', 'VU', 'SB', 'AW', 'CW', 'SX', 'VA', 'PS']) expect(codes).toContain(code);
  });

  test('leaves out non-members and INTERPOL sub-bureaus of member countries', () => {
    // North Korea and Tuvalu are not members; Hong Kong, Macao, Bermuda, Puerto Rico and
    // the others are sub-bureaus of a member country's NCB, not members themselves.
    for (const code of ['KP', 'TV', 'TW', 'HK', 'MO', 'BM', 'KY', 'GI', 'PR', 'VG', 'AI']) expect(codes).not.toContain(code);
  });
});
