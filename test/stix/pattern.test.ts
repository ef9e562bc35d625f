/**
 * STIX 2.1 §9 STIX Patterning: the parser accepts the grammar of the standard (and of the
 * OASIS STIXPattern.g4 it ships with) and reports the offset of the first error.
 */
import fc from 'fast-check';

import { MAX_NESTING_DEPTH, parseStixPattern, type PatternResult } from '../../src/stix/pattern/parser';

function failure(pattern: string): { position: number; message: string } {
  const result: PatternResult = parseStixPattern(pattern);
  if (result.ok) throw new Error(`expected ${JSON.stringify(pattern)} to be rejected`);
  return { position: result.position, message: result.message };
}

/** Every rejection must point inside the input and repeat that position in its message. */
function expectWellFormedFailure(pattern: string, result: PatternResult): void {
  if (result.ok) return;
  expect(result.position).toBeGreaterThanOrEqual(0);
  expect(result.position).toBeLessThanOrEqual(pattern.length);
  expect(result.message).toContain(`at position ${result.position}`);
  expect(result.message).not.toMatch(/^internal error/);
}

// Every distinct indicator pattern in the OASIS example bundles (shared/data/stix-examples),
// copied here so the tests do not depend on files outside the repository.
const OASIS_EXAMPLE_PATTERNS = [
  "[ipv4-addr:value = '223.166.0.0/15']",
  "[ipv4-addr:value = '58.246.0.0/15']",
  "[ipv4-addr:value = '112.64.0.0/15']",
  "[ipv4-addr:value = '139.226.0.0/15']",
  "[domain-name:value = 'hugesoft.org']",
  "[domain-name:value = 'arrowservice.net']",
  "[domain-name:value = 'msnhome.org']",
  "[file:hashes.md5 = '001dd76872d80801692ff942308c64e6']",
  "[file:hashes.md5 = '002325a0a67fded0381b5648d7fe9b8e']",
  "[file:hashes.md5 = '00dbb9e1c09dbdafb360f3163ba5a3de']",
  "[x509-certificate:issuer = 'CN=WEBMAIL' AND x509-certificate:serial_number = '4c:0b:1d:19:74:86:a7:66:b4:1a:bf:40:27:21:76:28']",
  "[x509-certificate:issuer = 'CN=LM-68AB71FBD8F5' AND x509-certificate:serial_number = '0e:97:88:1c:6c:a1:37:96:42:03:bc:45:42:24:75:6c']",
  "[ipv4-addr:value = '10.0.0.0']",
  "[ ipv4-addr:value = '10.0.0.0' ]",
  "[file:hashes.'SHA-256' = 'ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c']",
  "[email-message:subject MATCHES '^[IMPORTANT] Please Review Before']",
  "[email-message:body_multipart[*].body_raw_ref.name MATCHES '^Final Report.+\\\\.exe$']",
  "[ipv4-addr:value = '219.76.208.163']",
  "[domain-name:value = 'www.webserver.dynssl.com' OR ipv4-addr:value = '113.10.246.30' OR ipv4-addr:value = '219.90.112.203' OR ipv4-addr:value = '75.126.95.138' OR ipv4-addr:value = '219.90.112.197' OR ipv4-addr:value = '202.65.222.45']",
  "[domain-name:value = 'www.webserver.freetcp.com' OR ipv4-addr:value = '113.10.246.30' OR ipv4-addr:value = '219.90.112.203' OR ipv4-addr:value = '202.65.220.64' OR ipv4-addr:value = '75.126.95.138' OR ipv4-addr:value = '219.90.112.197' OR ipv4-addr:value = '202.65.222.45']",
  "[domain-name:value = 'www.webserver.fartit.com' OR ipv4-addr:value = '113.10.246.30' OR ipv4-addr:value = '219.90.112.203' OR ipv4-addr:value = '202.65.220.64' OR ipv4-addr:value = '75.126.95.138']",
  "[domain-name:value = 'microsofta.byinter.net' OR domain-name:value = 'microsoftb.byinter.net' OR domain-name:value = 'microsoftc.byinter.net' OR domain-name:value = 'microsofte.byinter.net' OR ipv4-addr:value = '113.10.246.30' OR ipv4-addr:value = '219.90.112.203' OR ipv4-addr:value = '202.65.220.64' OR ipv4-addr:value = '75.126.95.138' OR ipv4-addr:value = '219.90.112.197' OR ipv4-addr:value = '202.65.222.45' OR ipv4-addr:value = '98.126.148.114']",
  "[domain-name:value = 'nkr.iphone.qpoe.com' OR ipv4-addr:value = '180.210.206.96' OR ipv4-addr:value = '101.78.151.179']",
  "[domain-name:value = 'e.ct.toh.info' OR ipv4-addr:value = '101.78.151.179']",
  "[domain-name:value = 'js001.3322.org' OR ipv4-addr:value = '101.78.151.179']",
  "[domain-name:value = 'apple.cmdnetview.com' OR ipv4-addr:value = '60.10.1.120']",
  "[domain-name:value = 'domain autuo.xicp.net' OR ipv4-addr:value = '60.10.1.115']",
  "[file:name = 'CBricksDoc']",
  "[domain-name:value = 'tw.2012yearleft.com' OR ipv4-addr:value = '60.10.1.114' OR ipv4-addr:value = '60.1.1.114']",
  "[domain-name:value = 'dedydns.ns01.us' OR ipv4-addr:value = '60.10.1.121']",
  "[domain-name:value = 'maofajapa.3322.org' OR ipv4-addr:value = '60.10.1.121']",
  "[domain-name:value = 'send.have8000.com']",
  "[domain-name:value = 'fbi.zyns.com' OR ipv4-addr:value = '60.10.1.118']",
  "[domain-name:value = 'weile3322b.3322.org']",
  "[domain-name:value = 'ngcc.8800.org']",
  "[domain-name:value = 'sh.chromeenter.com' OR ipv4-addr:value = '60.2.148.167']",
  "[domain-name:value = 'mf.ddns.info' OR ipv4-addr:value = '60.2.148.167']",
  "[domain-name:value = 'av.ddns.us' OR ipv4-addr:value = '60.2.148.167']",
  "[domain-name:value = 'jj.mysecondarydns.com' OR ipv4-addr:value = '60.2.148.167']",
  "[domain-name:value = 'mongoles.3322.org' OR ipv4-addr:value = '123.183.210.28']",
  "[domain-name:value = '3q.wubangtu.info' OR ipv4-addr:value = '123.183.210.28']",
  "[file:name = 'CPiShellPutDoc']",
];

describe('STIX 2.1 §9 STIX Patterning', () => {
  describe('patterns of the OASIS example bundles', () => {
    it.each(OASIS_EXAMPLE_PATTERNS)('accepts %s', (pattern) => {
      expect(parseStixPattern(pattern)).toEqual({ ok: true });
    });
  });

  describe('patterns in the style of the standard’s examples', () => {
    it.each([
      "[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']",
      String.raw`[email-message:from_ref.value MATCHES '.+\\@example\\.com$' AND email-message:body_multipart[*].body_raw_ref.name MATCHES '^Final Report.+\\.exe$']`,
      "[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '203.0.113.33/32']",
      String.raw`[file:name = 'foo.dll' AND file:parent_directory_ref.path = 'C:\\Windows\\System32']`,
      "[user-account:account_type = 'unix' AND user-account:user_id = '1007' AND user-account:account_login = 'Peter'] AND [user-account:account_type = 'unix' AND user-account:user_id = '1009']",
      String.raw`([file:name = 'foo.dll'] AND [windows-registry-key:key = 'HKEY_LOCAL_MACHINE\\foo\\bar']) OR [process:name = 'fooproc' OR process:name = 'procfoo']`,
      String.raw`[windows-registry-key:key = 'HKEY_LOCAL_MACHINE\\System\\Foo\\Bar'] FOLLOWEDBY [process:command_line MATCHES '^.+>-add GlobalSign.cer -c -s -r localMachine Root$'] START t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00Z'`,
      "([ipv4-addr:value = '198.51.100.1/32' OR ipv4-addr:value = '203.0.113.33/32' OR ipv6-addr:value = '2001:0db8:dead:beef:dead:beef:dead:0001/128'] FOLLOWEDBY [domain-name:value = 'example.com']) WITHIN 600 SECONDS",
      "[network-traffic:src_ref.value ISSUBSET '192.168.0.0/16']",
      "[file:extensions.'windows-pebinary-ext'.sections[*].entropy > 7.0]",
      "[file:mime_type = 'application/x-pdf' AND file:extensions.'pdf-ext'.version = '1.4']",
      "[x509-certificate:issuer = 'C=ZA, ST=Western Cape, L=Cape Town, O=Thawte Consulting cc, OU=Certification Services Division, CN=Thawte Premium Server CA/emailAddress=premium-server@thawte.com'] AND [x509-certificate:subject_public_key_exponent = 65537]",
      "[network-traffic:extensions.'http-request-ext'.request_header.'Accept-Encoding' = 'gzip,deflate']",
      "[process:pid = 4 AND process:created_time >= t'2016-01-01T00:00:00Z'] REPEATS 5 TIMES WITHIN 1800 SECONDS",
    ])('accepts %s', (pattern) => {
      expect(parseStixPattern(pattern)).toEqual({ ok: true });
    });
  });

  describe('constants', () => {
    it.each([
      ['an empty string', "[file:name = '']"],
      ['a string with an escaped quote', String.raw`[file:name = 'it\'s']`],
      ['a string with an escaped backslash', String.raw`[file:name = 'C:\\temp']`],
      ['a string that only holds escapes', String.raw`[file:name = '\\\'\\']`],
      ['a string with non-ASCII text', "[file:name = '報告書.pdf 😀']"],
      ['a string holding pattern syntax', "[file:name = '] AND [ /* not a comment */ //']"],
      ['zero', '[file:size = 0]'],
      ['a positive integer', '[file:size = 42]'],
      ['a signed positive integer', '[file:size = +42]'],
      ['a negative integer', '[process:pid != -1]'],
      ['a float', "[file:extensions.'windows-pebinary-ext'.sections[0].entropy = 7.25]"],
      ['a float without integer part', '[file:x = .5]'],
      ['a negative float', '[file:x = -0.5]'],
      ['a signed positive float', '[file:x = +1.5]'],
      ['a float with leading zeros (allowed by the grammar)', '[file:x = 007.5]'],
      ['true', '[file:is_encrypted = true]'],
      ['false', '[file:is_encrypted != false]'],
      ['a timestamp', "[file:created = t'2016-01-20T12:31:12Z']"],
      ['a timestamp with a fraction', "[file:created = t'2016-01-20T12:31:12.123456789Z']"],
      ['a timestamp on a leap day', "[file:created = t'2016-02-29T00:00:00Z']"],
      ['a timestamp on a leap day of a 400-year', "[file:created = t'2000-02-29T00:00:00Z']"],
      ['a timestamp with a leap second', "[file:created = t'2016-12-31T23:59:60Z']"],
      ['a hex constant', "[file:magic_number_hex = h'ffd8ff']"],
      ['an upper-case hex constant', "[file:magic_number_hex = h'FFD8FF']"],
      ['an empty hex constant', "[file:magic_number_hex = h'']"],
      ['a base64 constant of whole groups', "[artifact:payload_bin = b'AAAA']"],
      ['a base64 constant padded with "="', "[artifact:payload_bin = b'aGVsbG8=']"],
      ['a base64 constant padded with "=="', "[artifact:payload_bin = b'aGVsbG8hIQ==']"],
      ['a base64 constant with + and /', "[artifact:payload_bin = b'+/+/']"],
      ['a set of strings', "[file:name IN ('a.exe', 'b.exe')]"],
      ['a set of every constant kind', "[file:x IN ('s', 1, -2, 1.5, true, t'2016-01-01T00:00:00Z', h'00', b'AAAA')]"],
      ['an empty set (allowed by the grammar)', '[file:x IN ()]'],
    ])('accepts %s', (_name, pattern) => {
      expect(parseStixPattern(pattern)).toEqual({ ok: true });
    });

    it.each([
      ['an unknown escape', String.raw`[file:name = 'x\y']`, 15, String.raw`expected an escape sequence \' or \\ at position 15, found "\y"`],
      ['a backslash at the end of the input', "[file:name = 'x\\", 15, String.raw`expected an escape sequence \' or \\ at position 15, found "\"`],
      [
        'an unterminated string',
        "[file:name = 'x]",
        16,
        `expected "'" at position 16, found end of input (the string opened at position 13 is not closed)`,
      ],
      ['an integer with leading zeros', '[file:size = 007]', 13, 'expected an integer without leading zeros at position 13, found "007"'],
      ['a float without fraction digits', '[file:size = 1.]', 14, 'expected "AND", "OR" or "]" at position 14, found "."'],
      ['an exponent', '[file:size = 1e5]', 14, 'expected "AND", "OR" or "]" at position 14, found "e5"'],
      ['a lone sign', '[file:size = -]', 13, 'expected a constant at position 13, found "-"'],
      ['an upper-case boolean', '[file:is_encrypted = TRUE]', 21, 'expected a constant at position 21, found "TRUE"'],
      [
        'an odd number of hex digits',
        "[file:magic_number_hex = h'ffd8f']",
        32,
        'expected a hex digit at position 32, found "\'" (hex constants have an even number of digits)',
      ],
      [
        'a non-hex digit',
        "[file:magic_number_hex = h'fg']",
        28,
        'expected a hex digit at position 28, found "g" (hex constants have an even number of digits)',
      ],
      ['an unterminated hex constant', "[file:magic_number_hex = h'ff", 29, `expected a hex digit or "'" at position 29, found end of input`],
      ['a base64 group cut short', "[artifact:payload_bin = b'aGVsbG8']", 33, 'expected a base64 character or "=" at position 33, found "\'"'],
      [
        'too much base64 padding',
        "[artifact:payload_bin = b'aGVsbG8==']",
        34,
        'expected "\'" at position 34, found "=" (padding ends a base64 constant)',
      ],
      [
        'half of a "==" padding',
        "[artifact:payload_bin = b'aG=']",
        29,
        'expected "=" at position 29, found "\'" (a base64 group of two characters is padded with "==")',
      ],
      [
        'padding after one character',
        "[artifact:payload_bin = b'a===']",
        27,
        'expected a base64 character at position 27, found "=" (base64 comes in groups of four characters)',
      ],
      [
        'a non-base64 character',
        "[artifact:payload_bin = b'aGVs!']",
        30,
        `expected a base64 character or "'" at position 30, found "!" (base64 comes in groups of four characters)`,
      ],
      [
        'an empty base64 constant',
        "[artifact:payload_bin = b'']",
        26,
        'expected a base64 character at position 26, found "\'" (base64 comes in groups of four characters)',
      ],
      ['a set without parentheses', '[file:size IN 1]', 14, 'expected "(" to open a set of constants at position 14, found "1"'],
      ['a set without commas', '[file:size IN (1 2)]', 17, 'expected "," or ")" at position 17, found "2"'],
      ['a set with a trailing comma', '[file:size IN (1,)]', 17, 'expected a constant at position 17, found ")"'],
      ['a nested set', '[file:size IN ((1))]', 15, 'expected a constant at position 15, found "("'],
    ])('rejects %s', (_name, pattern, position, message) => {
      expect(failure(pattern)).toEqual({ position, message });
    });

    describe('timestamps must be valid RFC 3339 UTC date-times', () => {
      const at = (timestamp: string): string => `[file:created = t'${timestamp}']`;
      // The timestamp text starts at offset 18 of `at(...)`.
      it.each([
        ['month 13', '2016-13-01T00:00:00Z', 23, 'expected a month 01-12 at position 23, found "13"'],
        ['month 00', '2016-00-01T00:00:00Z', 23, 'expected a month 01-12 at position 23, found "00"'],
        ['day 00', '2016-01-00T00:00:00Z', 26, 'expected a day 01-31 at position 26, found "00" (2016-01 has 31 days)'],
        ['31 April', '2016-04-31T00:00:00Z', 26, 'expected a day 01-30 at position 26, found "31" (2016-04 has 30 days)'],
        ['29 February of a common year', '2015-02-29T00:00:00Z', 26, 'expected a day 01-28 at position 26, found "29" (2015-02 has 28 days)'],
        ['29 February of a century year', '1900-02-29T00:00:00Z', 26, 'expected a day 01-28 at position 26, found "29" (1900-02 has 28 days)'],
        ['hour 24', '2016-01-01T24:00:00Z', 29, 'expected an hour 00-23 at position 29, found "24"'],
        ['minute 60', '2016-01-01T00:60:00Z', 32, 'expected a minute 00-59 at position 32, found "60"'],
        [
          'a leap second before 23:59',
          '2016-01-01T12:00:60Z',
          35,
          'expected a second 00-59 at position 35, found "60" (a leap second 60 only follows 23:59)',
        ],
        ['second 61', '2016-12-31T23:59:61Z', 35, 'expected a second 00-60 at position 35, found "61"'],
        [
          'a missing Z',
          '2016-01-01T00:00:00',
          37,
          `expected "Z" at position 37, found "'" (timestamps are written t'YYYY-MM-DDTHH:MM:SS[.fraction]Z')`,
        ],
        [
          'a time zone offset',
          '2016-01-01T00:00:00+01:00',
          37,
          `expected "Z" at position 37, found "+" (timestamps are written t'YYYY-MM-DDTHH:MM:SS[.fraction]Z')`,
        ],
        [
          'a lower-case z',
          '2016-01-01T00:00:00z',
          37,
          `expected "Z" at position 37, found "z" (timestamps are written t'YYYY-MM-DDTHH:MM:SS[.fraction]Z')`,
        ],
        [
          'a space for T',
          '2016-01-01 00:00:00Z',
          28,
          `expected "T" at position 28, found " " (timestamps are written t'YYYY-MM-DDTHH:MM:SS[.fraction]Z')`,
        ],
        [
          'a one-digit month',
          '2016-1-01T00:00:00Z',
          24,
          `expected a digit at position 24, found "-" (timestamps are written t'YYYY-MM-DDTHH:MM:SS[.fraction]Z')`,
        ],
        [
          'an empty fraction',
          '2016-01-01T00:00:00.Z',
          38,
          `expected a digit of the fraction of a second at position 38, found "Z" (timestamps are written t'YYYY-MM-DDTHH:MM:SS[.fraction]Z')`,
        ],
        ['a date only', '2016-01-01', 28, `expected "T" at position 28, found "'" (timestamps are written t'YYYY-MM-DDTHH:MM:SS[.fraction]Z')`],
      ])('rejects %s', (_name, timestamp, position, message) => {
        expect(failure(at(timestamp))).toEqual({ position, message });
      });

      it('rejects a timestamp that is not closed', () => {
        expect(failure("[file:created = t'2016-01-01T00:00:00Z")).toEqual({
          position: 38,
          message: `expected "'" at position 38, found end of input (timestamps are written t'YYYY-MM-DDTHH:MM:SS[.fraction]Z')`,
        });
      });
    });
  });

  describe('object paths', () => {
    it.each([
      ['a custom object type', "[x-acme-widget:colour = 'red']"],
      ['an object type with digits', "[x509-certificate:version = '3']"],
      ['a quoted first property', "[file:'name' = 'a.exe']"],
      ['a quoted dictionary key with a hyphen', "[file:hashes.'SHA-256' = 'ef']"],
      ['a dictionary key with spaces', "[process:environment_variables.'HOME DIR' = '/root']"],
      ['a list index', "[file:extensions.'windows-pebinary-ext'.sections[0].name = '.text']"],
      ['a negative list index', "[file:extensions.'windows-pebinary-ext'.sections[-1].name = '.rsrc']"],
      ['every list member', "[network-traffic:protocols[*] = 'tcp']"],
      ['a reference followed into another object', "[email-message:from_ref.value = 'a@example.com']"],
      ['a property starting with an underscore', '[file:_internal = 1]'],
      ['whitespace around path punctuation (the grammar skips it between tokens)', "[file : hashes . MD5 = 'x']"],
    ])('accepts %s', (_name, pattern) => {
      expect(parseStixPattern(pattern)).toEqual({ ok: true });
    });

    it.each([
      [
        'an upper-case object type',
        "[File:name = 'x']",
        1,
        'expected an object type (3 to 250 of a-z, 0-9 and hyphen, starting with a letter, without "--") at position 1, found "File"',
      ],
      [
        'an object type with an underscore',
        "[my_type:name = 'x']",
        1,
        'expected an object type (3 to 250 of a-z, 0-9 and hyphen, starting with a letter, without "--") at position 1, found "my_type"',
      ],
      [
        'an object type of two characters',
        "[ab:name = 'x']",
        1,
        'expected an object type (3 to 250 of a-z, 0-9 and hyphen, starting with a letter, without "--") at position 1, found "ab"',
      ],
      [
        'an object type with "--"',
        "[x--y:name = 'x']",
        1,
        'expected an object type (3 to 250 of a-z, 0-9 and hyphen, starting with a letter, without "--") at position 1, found "x--y"',
      ],
      [
        'an object type of 251 characters',
        `[${'a'.repeat(251)}:name = 'x']`,
        1,
        `expected an object type (3 to 250 of a-z, 0-9 and hyphen, starting with a letter, without "--") at position 1, found "${'a'.repeat(40)}…"`,
      ],
      ['a quoted object type', "['file':name = 'x']", 1, `expected an object path, "(" or "EXISTS" at position 1, found "'file'"`],
      ['a missing colon', "[file.name = 'x']", 5, 'expected ":" at position 5, found "."'],
      ['a missing property', "[file: = 'x']", 7, 'expected a property name at position 7, found "="'],
      [
        'an unquoted hyphenated key',
        "[file:hashes.SHA-256 = 'x']",
        13,
        `expected a property name at position 13, found "SHA-256" (a name with "-" must be quoted, as 'SHA-256')`,
      ],
      ['a dot without a key', "[file:name. = 'x']", 12, 'expected a property name at position 12, found "="'],
      ['a keyword as property name', '[file:AND = 1]', 6, 'expected a property name at position 6, found "AND"'],
      ['a named list index', '[file:sections[x] = 1]', 15, 'expected a list index or "*" at position 15, found "x"'],
      ['a fractional list index', '[file:sections[1.5] = 1]', 15, 'expected a list index or "*" at position 15, found "1.5"'],
      ['an unclosed list index', '[file:sections[0 = 1]', 17, 'expected "]" at position 17, found "="'],
    ])('rejects %s', (_name, pattern, position, message) => {
      expect(failure(pattern)).toEqual({ position, message });
    });
  });

  describe('comparison expressions and comparison operators', () => {
    it.each([
      ['=', "[file:name = 'a']"],
      ['== (grammar alias of =)', "[file:name == 'a']"],
      ['!=', "[file:name != 'a']"],
      ['<> (grammar alias of !=)', "[file:name <> 'a']"],
      ['<', '[file:size < 10]'],
      ['<=', '[file:size <= 10]'],
      ['>', '[file:size > 10]'],
      ['>=', '[file:size >= 10]'],
      ['< on a timestamp', "[file:created < t'2016-01-01T00:00:00Z']"],
      ['> on a string', "[file:name > 'm']"],
      ['IN', "[file:name IN ('a', 'b')]"],
      ['LIKE', "[file:name LIKE 'report%.pdf']"],
      ['MATCHES', "[file:name MATCHES '^report[0-9]+\\\\.pdf$']"],
      ['ISSUBSET', "[ipv4-addr:value ISSUBSET '198.51.100.0/24']"],
      ['ISSUPERSET', "[ipv4-addr:value ISSUPERSET '198.51.100.7/32']"],
      ['EXISTS', '[EXISTS file:hashes.MD5]'],
      ['NOT =', "[file:name NOT = 'a']"],
      ['NOT !=', "[file:name NOT != 'a']"],
      ['NOT <', '[file:size NOT < 10]'],
      ['NOT >=', '[file:size NOT >= 10]'],
      ['NOT IN', "[file:name NOT IN ('a', 'b')]"],
      ['NOT LIKE', "[file:name NOT LIKE 'a%']"],
      ['NOT MATCHES', "[file:name NOT MATCHES '^a']"],
      ['NOT ISSUBSET', "[ipv4-addr:value NOT ISSUBSET '10.0.0.0/8']"],
      ['NOT ISSUPERSET', "[ipv4-addr:value NOT ISSUPERSET '10.0.0.1/32']"],
      ['AND and OR', "[file:name = 'a' AND file:size = 1 OR file:size = 2]"],
      ['parentheses', "[(file:name = 'a' OR file:name = 'b') AND (file:size = 1)]"],
      ['nested parentheses', "[((file:name = 'a'))]"],
      ['EXISTS inside a conjunction', '[EXISTS file:name AND file:x = 1 OR file:size > 0]'],
      ['operators without spaces', "[file:name='a'AND file:size>=1]"],
    ])('accepts %s', (_name, pattern) => {
      expect(parseStixPattern(pattern)).toEqual({ ok: true });
    });

    it.each([
      ['an empty observation', '[]', 1, 'expected an object path, "(" or "EXISTS" at position 1, found "]"'],
      [
        'a missing operator',
        "[file:name 'x']",
        11,
        'expected a comparison operator (NOT, =, !=, <, <=, >, >=, IN, LIKE, MATCHES, ISSUBSET or ISSUPERSET) at position 11, found "\'x\'"',
      ],
      [
        'an unknown operator',
        "[file:name ! 'x']",
        11,
        'expected a comparison operator (NOT, =, !=, <, <=, >, >=, IN, LIKE, MATCHES, ISSUBSET or ISSUPERSET) at position 11, found "!"',
      ],
      [
        'NOT without an operator',
        '[file:size NOT]',
        14,
        'expected a comparison operator (=, !=, <, <=, >, >=, IN, LIKE, MATCHES, ISSUBSET or ISSUPERSET) at position 14, found "]"',
      ],
      ['NOT before the path', '[NOT file:size = 5]', 1, 'expected an object path, "(" or "EXISTS" at position 1, found "NOT"'],
      ['NOT before EXISTS (not in the grammar)', '[NOT EXISTS file:size]', 1, 'expected an object path, "(" or "EXISTS" at position 1, found "NOT"'],
      [
        'EXISTS without a path',
        '[EXISTS]',
        7,
        'expected an object type (3 to 250 of a-z, 0-9 and hyphen, starting with a letter, without "--") at position 7, found "]"',
      ],
      ['EXISTS with an operand', '[EXISTS file:size = 1]', 18, 'expected "AND", "OR" or "]" at position 18, found "="'],
      ['a missing constant', '[file:name = ]', 13, 'expected a constant at position 13, found "]"'],
      ['a path as operand', '[file:name = file:x]', 13, 'expected a constant at position 13, found "file"'],
      ['an ordering against a boolean', '[file:size < true]', 13, 'expected an orderable constant (not a boolean) at position 13, found "true"'],
      ['LIKE with a number', '[file:name LIKE 5]', 16, 'expected a string constant after LIKE at position 16, found "5"'],
      ['MATCHES with a hex constant', "[file:name MATCHES h'00']", 19, `expected a string constant after MATCHES at position 19, found "h'00'"`],
      ['ISSUBSET with a set', "[ipv4-addr:value ISSUBSET ('a')]", 26, 'expected a string constant after ISSUBSET at position 26, found "("'],
      ['two constants', "[file:name MATCHES 'a' 'b']", 23, `expected "AND", "OR" or "]" at position 23, found "'b'"`],
      ['a lower-case and', "[file:name = 'x' and file:name = 'y']", 17, 'expected "AND", "OR" or "]" at position 17, found "and"'],
      ['a dangling AND', "[file:name = 'x' AND]", 20, 'expected an object path, "(" or "EXISTS" at position 20, found "]"'],
      [
        'FOLLOWEDBY inside an observation',
        "[file:name = 'x' FOLLOWEDBY file:name = 'y']",
        17,
        'expected "AND", "OR" or "]" at position 17, found "FOLLOWEDBY"',
      ],
      ['an unclosed observation', "[file:name = 'x'", 16, 'expected "AND", "OR" or "]" at position 16, found end of input'],
      ['an unclosed parenthesis', '[(file:size = 1]', 15, 'expected "AND", "OR" or ")" at position 15, found "]"'],
      ['an observation inside an observation', "[[file:name = 'x']]", 1, 'expected an object path, "(" or "EXISTS" at position 1, found "["'],
    ])('rejects %s', (_name, pattern, position, message) => {
      expect(failure(pattern)).toEqual({ position, message });
    });
  });

  describe('observation expressions and observation operators', () => {
    it.each([
      ['AND', "[file:name = 'a'] AND [file:name = 'b']"],
      ['OR', "[file:name = 'a'] OR [file:name = 'b']"],
      ['FOLLOWEDBY', "[file:name = 'a'] FOLLOWEDBY [file:name = 'b']"],
      ['mixed operators', "[file:name = 'a'] AND [file:name = 'b'] OR [file:name = 'c'] FOLLOWEDBY [file:name = 'd']"],
      ['parenthesised observations', "([file:name = 'a'] OR [file:name = 'b']) FOLLOWEDBY ([file:name = 'c'])"],
      ['a single parenthesised observation', "(([file:name = 'a']))"],
      ['no whitespace between observations', "[file:name = 'a']AND[file:name = 'b']"],
      ['tabs, newlines and Unicode spaces', "\t[file:name = 'a']\r\n\u00a0AND\u2003[file:name = 'b']\u3000"],
      ['block comments', "/* start */ [file:name /* inside */ = 'a'] /* end */"],
      ['line comments', "[file:name = 'a'] // trailing ] [\nAND [file:name = 'b'] //"],
    ])('accepts %s', (_name, pattern) => {
      expect(parseStixPattern(pattern)).toEqual({ ok: true });
    });

    it.each([
      ['an empty pattern', '', 0, 'expected "[" or "(" at position 0, found end of input'],
      ['only whitespace', '   ', 3, 'expected "[" or "(" at position 3, found end of input'],
      ['a comparison without brackets', "file:name = 'x'", 0, 'expected "[" or "(" at position 0, found "file"'],
      ['empty parentheses', '()', 1, 'expected "[" or "(" at position 1, found ")"'],
      [
        'a missing observation operator',
        "[file:name = 'x'] [file:name = 'y']",
        18,
        'expected "AND", "OR", "FOLLOWEDBY", a qualifier or end of input at position 18, found "["',
      ],
      ['a trailing operator', "[file:name = 'x'] AND", 21, 'expected "[" or "(" at position 21, found end of input'],
      ['a leading operator', "AND [file:name = 'x']", 0, 'expected "[" or "(" at position 0, found "AND"'],
      [
        'a lower-case operator',
        "[file:name = 'x'] and [file:name = 'y']",
        18,
        'expected "AND", "OR", "FOLLOWEDBY", a qualifier or end of input at position 18, found "and"',
      ],
      ['a stray closing bracket', '\n[file:x = 1]]', 13, 'expected "AND", "OR", "FOLLOWEDBY", a qualifier or end of input at position 13, found "]"'],
      ['an unclosed group', '([file:size = 1]', 16, 'expected "AND", "OR", "FOLLOWEDBY", a qualifier or ")" at position 16, found end of input'],
      [
        'a character outside the language',
        '[file:size = 5] & [file:size = 6]',
        16,
        'expected "AND", "OR", "FOLLOWEDBY", a qualifier or end of input at position 16, found "&"',
      ],
      [
        'an emoji after the pattern',
        "[file:name = 'x'] 😀",
        18,
        'expected "AND", "OR", "FOLLOWEDBY", a qualifier or end of input at position 18, found "😀"',
      ],
      [
        'a control character',
        "[file:name = 'x']\u0000",
        17,
        'expected "AND", "OR", "FOLLOWEDBY", a qualifier or end of input at position 17, found "\\u0000"',
      ],
      [
        'an unclosed block comment',
        '[file:size = 1] /* x',
        20,
        'expected "*/" at position 20, found end of input (the comment opened at position 16 is not closed)',
      ],
    ])('rejects %s', (_name, pattern, position, message) => {
      expect(failure(pattern)).toEqual({ position, message });
    });
  });

  describe('pattern qualifiers', () => {
    it.each([
      ['WITHIN an integer', "[file:name = 'a'] WITHIN 5 SECONDS"],
      ['WITHIN a float', "[file:name = 'a'] WITHIN 0.5 SECONDS"],
      ['REPEATS', "[file:name = 'a'] REPEATS 3 TIMES"],
      ['START/STOP', "[file:name = 'a'] START t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00.5Z'"],
      ['all three kinds together', "[file:name = 'a'] REPEATS 2 TIMES WITHIN 60 SECONDS START t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00Z'"],
      ['a qualifier on a group', "([file:name = 'a'] AND [file:name = 'b']) WITHIN 300 SECONDS"],
      ['the same kind on nested expressions', "([file:name = 'a'] WITHIN 5 SECONDS) WITHIN 10 SECONDS"],
      ['qualifiers on both sides of an operator', "[file:name = 'a'] REPEATS 2 TIMES AND [file:name = 'b'] REPEATS 3 TIMES"],
    ])('accepts %s', (_name, pattern) => {
      expect(parseStixPattern(pattern)).toEqual({ ok: true });
    });

    it.each([
      ['WITHIN without SECONDS', "[file:name = 'x'] WITHIN 5", 26, 'expected "SECONDS" at position 26, found end of input'],
      ['WITHIN a negative number', "[file:name = 'x'] WITHIN -5 SECONDS", 25, 'expected a positive number of seconds at position 25, found "-5"'],
      ['WITHIN zero', "[file:name = 'x'] WITHIN 0.0 SECONDS", 25, 'expected a positive number of seconds at position 25, found "0.0"'],
      ['WITHIN a string', "[file:name = 'x'] WITHIN '5' SECONDS", 25, `expected a positive number of seconds at position 25, found "'5'"`],
      ['WITHIN in minutes', "[file:name = 'x'] WITHIN 5 MINUTES", 27, 'expected "SECONDS" at position 27, found "MINUTES"'],
      ['REPEATS a float', "[file:name = 'x'] REPEATS 2.5 TIMES", 26, 'expected a positive integer at position 26, found "2.5"'],
      ['REPEATS zero', "[file:name = 'x'] REPEATS 0 TIMES", 26, 'expected a positive integer at position 26, found "0"'],
      ['REPEATS without TIMES', "[file:name = 'x'] REPEATS 3", 27, 'expected "TIMES" at position 27, found end of input'],
      [
        'START with a plain string',
        "[file:name = 'x'] START '2016-01-01T00:00:00Z' STOP t'2016-01-02T00:00:00Z'",
        24,
        `expected a timestamp t'…' at position 24, found "'2016-01-01T00:00:00Z'"`,
      ],
      ['START without STOP', "[file:name = 'x'] START t'2016-01-01T00:00:00Z'", 47, 'expected "STOP" at position 47, found end of input'],
      [
        'STOP without START',
        "[file:name = 'x'] STOP t'2016-01-01T00:00:00Z'",
        18,
        'expected "AND", "OR", "FOLLOWEDBY", a qualifier or end of input at position 18, found "STOP"',
      ],
      ['a qualifier inside an observation', "[file:name = 'x' WITHIN 5 SECONDS]", 17, 'expected "AND", "OR" or "]" at position 17, found "WITHIN"'],
      ['a qualifier before the observation', "WITHIN 5 SECONDS [file:name = 'x']", 0, 'expected "[" or "(" at position 0, found "WITHIN"'],
      [
        'two WITHIN qualifiers',
        "[file:name = 'x'] WITHIN 5 SECONDS WITHIN 6 SECONDS",
        35,
        'expected a single qualifier of each kind at position 35, found "WITHIN" (this observation expression already has a WITHIN qualifier)',
      ],
      [
        'two REPEATS qualifiers on a group',
        "([file:name = 'x']) REPEATS 2 TIMES WITHIN 1 SECONDS REPEATS 3 TIMES",
        53,
        'expected a single qualifier of each kind at position 53, found "REPEATS" (this observation expression already has a REPEATS qualifier)',
      ],
    ])('rejects %s', (_name, pattern, position, message) => {
      expect(failure(pattern)).toEqual({ position, message });
    });
  });

  describe('nesting depth', () => {
    const nested = (depth: number): string => `${'('.repeat(depth)}[file:size = 1]${')'.repeat(depth)}`;

    it(`accepts ${MAX_NESTING_DEPTH} nested levels`, () => {
      // The observation brackets count as one level.
      expect(parseStixPattern(nested(MAX_NESTING_DEPTH - 1))).toEqual({ ok: true });
      const comparisons = `[${'('.repeat(MAX_NESTING_DEPTH - 1)}file:size = 1${')'.repeat(MAX_NESTING_DEPTH - 1)}]`;
      expect(parseStixPattern(comparisons)).toEqual({ ok: true });
    });

    it('rejects one level more, at the bracket that is too deep', () => {
      expect(failure(nested(MAX_NESTING_DEPTH))).toEqual({
        position: MAX_NESTING_DEPTH,
        message: `expected at most ${MAX_NESTING_DEPTH} nested brackets and parentheses at position ${MAX_NESTING_DEPTH}, found "[" (nesting too deep)`,
      });
      const comparisons = `[${'('.repeat(MAX_NESTING_DEPTH)}file:size = 1${')'.repeat(MAX_NESTING_DEPTH)}]`;
      expect(failure(comparisons).position).toBe(MAX_NESTING_DEPTH);
    });

    it('counts depth, not the number of groups', () => {
      const siblings = Array.from({ length: 3 * MAX_NESTING_DEPTH }, () => nested(MAX_NESTING_DEPTH - 1)).join(' OR ');
      expect(parseStixPattern(siblings)).toEqual({ ok: true });
    });
  });

  describe('robustness', () => {
    it('returns a result for arguments that are not strings', () => {
      expect(parseStixPattern(42 as unknown as string)).toEqual({
        ok: false,
        position: 0,
        message: 'expected a pattern string, found number',
      });
    });

    it('never throws on random printable strings and reports a position inside them', () => {
      fc.assert(
        fc.property(fc.string({ maxLength: 200 }), (text) => {
          expectWellFormedFailure(text, parseStixPattern(text));
        }),
        { numRuns: 2000 },
      );
    });

    it('never throws on random Unicode strings', () => {
      fc.assert(
        fc.property(fc.string({ unit: 'binary', maxLength: 100 }), (text) => {
          expectWellFormedFailure(text, parseStixPattern(text));
        }),
        { numRuns: 1000 },
      );
    });

    const VALID = [
      ...OASIS_EXAMPLE_PATTERNS.slice(0, 10),
      "[file:hashes.'SHA-256' = 'ef' AND file:size IN (1, 2.5, true)] WITHIN 5 SECONDS",
      String.raw`[file:name MATCHES '^a\\.b\'c$' OR EXISTS file:x[*].y] REPEATS 2 TIMES`,
      "([file:created > t'2016-01-01T00:00:00Z'] FOLLOWEDBY [artifact:payload_bin = b'aGk=']) START t'2016-01-01T00:00:00Z' STOP t'2016-02-01T00:00:00Z'",
      "[file:magic_number_hex = h'ffd8' AND (file:size NOT > -1 OR file:size <= .5)] /* c */ // d",
    ];
    const FRAGMENTS = [
      '[',
      ']',
      '(',
      ')',
      "'",
      '\\',
      ':',
      '.',
      ',',
      '*',
      '=',
      '!=',
      '<',
      '>=',
      ' ',
      'AND',
      'OR',
      'NOT',
      'IN',
      'LIKE',
      'EXISTS',
      'FOLLOWEDBY',
      'WITHIN',
      'SECONDS',
      'REPEATS',
      'TIMES',
      'START',
      'STOP',
      "t'",
      "h'",
      "b'",
      '1',
      '-',
      '+',
      '0.5',
      'true',
      'file',
      'x',
      '/*',
      '*/',
      '//',
      '\n',
      '=',
    ];

    it('never throws on random edits of valid patterns', () => {
      const edit = fc.oneof(
        fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.constantFrom(...FRAGMENTS) }),
        fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 8 }) }),
        fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), text: fc.string({ minLength: 1, maxLength: 3 }) }),
      );
      fc.assert(
        fc.property(fc.constantFrom(...VALID), fc.array(edit, { minLength: 1, maxLength: 6 }), (pattern, edits) => {
          let text = pattern;
          for (const e of edits) {
            const at = e.at % (text.length + 1);
            if (e.kind === 'insert') text = text.slice(0, at) + e.text + text.slice(at);
            else if (e.kind === 'delete') text = text.slice(0, at) + text.slice(at + e.length);
            else text = text.slice(0, at) + e.text + text.slice(at + e.text.length);
          }
          expectWellFormedFailure(text, parseStixPattern(text));
        }),
        { numRuns: 3000 },
      );
    });

    it('never throws on random sequences of pattern tokens', () => {
      fc.assert(
        fc.property(fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 40 }), (parts) => {
          const text = parts.join(' ');
          expectWellFormedFailure(text, parseStixPattern(text));
        }),
        { numRuns: 2000 },
      );
    });

    it('accepts every pattern generated from the grammar', () => {
      const constant = fc.constantFrom("'s'", String.raw`'a\'b\\c'`, '1', '-2', '0.5', 'true', "t'2016-01-01T00:00:00Z'", "h'0f'", "b'AAAA'");
      const path = fc
        .tuple(
          fc.constantFrom('file', 'x-custom-type', 'ipv4-addr'),
          fc.constantFrom('name', "'quoted-key'", '_p'),
          fc.array(fc.constantFrom('.sub', ".'k-ey'", '[0]', '[*]', '[-1]'), { maxLength: 3 }),
        )
        .map(([type, first, steps]) => `${type}:${first}${steps.join('')}`);
      const test = fc.oneof(
        fc.tuple(path, fc.constantFrom('', 'NOT '), fc.constantFrom('=', '!=', '=='), constant).map(([p, n, o, c]) => `${p} ${n}${o} ${c}`),
        fc
          .tuple(
            path,
            fc.constantFrom('<', '<=', '>', '>='),
            constant.filter((c) => c !== 'true'),
          )
          .map(([p, o, c]) => `${p} ${o} ${c}`),
        fc.tuple(path, fc.constantFrom('LIKE', 'MATCHES', 'ISSUBSET', 'ISSUPERSET')).map(([p, o]) => `${p} ${o} 'v'`),
        fc.tuple(path, fc.array(constant, { maxLength: 3 })).map(([p, cs]) => `${p} IN (${cs.join(', ')})`),
        path.map((p) => `EXISTS ${p}`),
      );
      const { observations } = fc.letrec<{ comparison: string; observation: string; observations: string }>((tie) => ({
        comparison: fc.oneof(
          { depthSize: 'small', withCrossShrink: true },
          test,
          fc.tuple(tie('comparison'), fc.constantFrom('AND', 'OR'), tie('comparison')).map(([a, op, b]) => `${a} ${op} ${b}`),
          tie('comparison').map((c) => `(${c})`),
        ),
        observation: fc
          .tuple(
            fc.oneof(
              { depthSize: 'small' },
              tie('comparison').map((c) => `[${c}]`),
              tie('observations').map((o) => `(${o})`),
            ),
            fc.subarray(['WITHIN 5 SECONDS', 'REPEATS 2 TIMES', "START t'2016-01-01T00:00:00Z' STOP t'2016-01-02T00:00:00Z'"]),
          )
          .map(([o, qualifiers]) => [o, ...qualifiers].join(' ')),
        observations: fc.oneof(
          { depthSize: 'small', withCrossShrink: true },
          tie('observation'),
          fc.tuple(tie('observations'), fc.constantFrom('AND', 'OR', 'FOLLOWEDBY'), tie('observations')).map(([a, op, b]) => `${a} ${op} ${b}`),
        ),
      }));
      fc.assert(
        fc.property(observations, (pattern) => {
          expect(parseStixPattern(pattern)).toEqual({ ok: true });
        }),
        { numRuns: 1000 },
      );
    });
  });

  // Hostile inputs of tens of thousands of characters: the parser is linear and its
  // recursion is capped, so each completes promptly; jest's timeout is the guard.
  describe('adversarial inputs', () => {
    const N = 50_000;

    it('deep opening parentheses stop at the nesting cap', () => {
      expect(failure('('.repeat(N)).position).toBe(MAX_NESTING_DEPTH);
      expect(failure(`[${'('.repeat(N)}`).position).toBe(MAX_NESTING_DEPTH);
    });

    it('an unterminated string of escaped quotes is scanned once', () => {
      const brief = `[a:b = '${"\\'".repeat(N)}`;
      // "a" is not a STIX type name (3 characters at least), which is the first error.
      expect(failure(brief).position).toBe(1);
      const text = `[file:name = '${"\\'".repeat(N)}`;
      expect(failure(text)).toEqual({
        position: text.length,
        message: `expected "'" at position ${text.length}, found end of input (the string opened at position 13 is not closed)`,
      });
    });

    it('a long string constant is accepted', () => {
      expect(parseStixPattern(`[file:name = '${'a\\\\'.repeat(N)}']`)).toEqual({ ok: true });
    });

    it('long chains of observations and comparisons are accepted', () => {
      expect(parseStixPattern(Array.from({ length: N / 10 }, () => '[file:size = 1]').join(' AND '))).toEqual({ ok: true });
      expect(parseStixPattern(`[${Array.from({ length: N / 10 }, () => "file:name = 'x'").join(' OR ')}]`)).toEqual({ ok: true });
      expect(parseStixPattern(`[file:x${'.y[0]'.repeat(N / 5)} = 1]`)).toEqual({ ok: true });
      expect(parseStixPattern(`[file:size IN (${'1, '.repeat(N / 3)}1)]`)).toEqual({ ok: true });
    });

    it('long unterminated literals and comments fail at the end of the input', () => {
      for (const text of [`[file:x = h'${'ab'.repeat(N)}`, `[file:x = b'${'AAAA'.repeat(N)}`, `[file:x = 1] /*${'*'.repeat(N)}`]) {
        expect(failure(text).position).toBe(text.length);
      }
    });

    it('long runs of repeated qualifiers and operators fail early', () => {
      expect(failure(`[file:size = 1]${' WITHIN 1 SECONDS'.repeat(N / 10)}`).position).toBe(33);
      expect(failure(`[file:size = 1]${' AND'.repeat(N)}`).position).toBe(20);
    });
  });
});
