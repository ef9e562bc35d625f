/**
 * STIX 2.1 §6 STIX Cyber-observable Objects: the schemas in schemas/stix (sco-common.json and
 * one file per SCO type), exercised through the STIX validator that loads them.
 */
import { readFileSync } from 'node:fs';
import { isIPv4, isIPv6 } from 'node:net';
import { join } from 'node:path';
import fc from 'fast-check';

import { SCO_TYPES } from '../../src/stix/types';
import { createStixValidator, ValidationResult } from '../../src/stix/validator';

const permissive = createStixValidator({ policy: 'permissive' });
const strict = createStixValidator({ policy: 'strict' });

// A version 5, variant 10 UUID, as §2.9 requires of SCO identifiers.
const UUID = 'e277603e-1060-5ad4-9937-c26c97f1ca68';
const ref = (type: string): string => `${type}--${UUID}`;
const HEX64 = 'ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c';

type Json = Record<string, unknown>;
type Invalid = [name: string, object: Json, rules: string[]];

const sco = (type: string, properties: Json): Json => ({ type, spec_version: '2.1', id: ref(type), ...properties });

function without(obj: Json, key: string): Json {
  const copy = { ...obj };
  delete copy[key];
  return copy;
}

/** "path: rule" for each issue: the part of a finding the tests pin down. */
function rulesOf(result: ValidationResult): string[] {
  return result.ok ? [] : result.issues.map((issue) => `${issue.path}: ${issue.rule}`);
}

function expectValid(obj: Json): void {
  expect(rulesOf(permissive.validate(obj))).toEqual([]);
  expect(rulesOf(strict.validate(obj))).toEqual([]);
}

function expectRules(obj: Json, rules: string[]): void {
  expect(rulesOf(permissive.validate(obj)).sort()).toEqual([...rules].sort());
}

function describeSco(title: string, valid: [string, Json][], invalid: Invalid[]): void {
  describe(title, () => {
    it.each(valid)('accepts %s', (_name, obj) => expectValid(obj));
    it.each(invalid)('rejects %s', (_name, obj, rules) => expectRules(obj, rules));
  });
}

const SCHEMA_DIR = join(__dirname, '..', '..', 'schemas', 'stix');
const readSchema = (file: string): Json => JSON.parse(readFileSync(join(SCHEMA_DIR, file), 'utf8')) as Json;

describe('STIX 2.1 §3.2 Common Properties, as SCOs use them (sco-common.json)', () => {
  const base = sco('mutex', { name: '__CLEANSWEEP__' });

  it.each([
    ['without spec_version, which defaults to 2.1 for SCOs', without(base, 'spec_version')],
    [
      'with object markings and granular markings',
      {
        ...base,
        object_marking_refs: ['marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da'],
        granular_markings: [{ marking_ref: 'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82', selectors: ['name'] }],
      },
    ],
    ['with defanged', { ...base, defanged: false }],
  ])('accepts an SCO %s', (_name, obj) => expectValid(obj));

  it.each<Invalid>([
    ['without id', without(base, 'id'), ['id: required']],
    ['with an id that is not an identifier', { ...base, id: 'mutex-1' }, ['id: identifier']],
    ['with a non-boolean defanged', { ...base, defanged: 'yes' }, ['defanged: type']],
    ['with an empty object_marking_refs', { ...base, object_marking_refs: [] }, ['object_marking_refs: empty-list']],
    ['with a granular marking without selectors', { ...base, granular_markings: [{ lang: 'en' }] }, ['granular_markings[0].selectors: required']],
    ['with an empty extensions dictionary', { ...base, extensions: {} }, ['extensions: empty-dictionary']],
    [
      'with a predefined extension of another type',
      { ...base, extensions: { 'tcp-ext': { src_flags_hex: '02' } } },
      ['extensions.tcp-ext: extension-type'],
    ],
    [
      'with an extension definition without extension_type',
      { ...base, extensions: { [ref('extension-definition')]: { x: 1 } } },
      [`extensions.${ref('extension-definition')}.extension_type: required`],
    ],
  ])('rejects an SCO %s', (_name, obj, rules) => expectRules(obj, rules));

  it('accepts an extension-definition extension and a custom property only under the permissive policy', () => {
    const extended = {
      ...base,
      x_acme_origin: 'sandbox',
      extensions: { [ref('extension-definition')]: { extension_type: 'property-extension', rank: 5 } },
    };
    expect(rulesOf(permissive.validate(extended))).toEqual([]);
    expect(rulesOf(strict.validate(extended)).sort()).toEqual([
      `extensions.${ref('extension-definition')}: custom-extension`,
      'x_acme_origin: custom-property',
    ]);
  });
});

describeSco(
  'STIX 2.1 §6.1 Artifact Object',
  [
    ['an embedded payload', sco('artifact', { mime_type: 'image/jpeg', payload_bin: 'VBORw0KGgoAAAANSUhEUgAAADI==' })],
    ['a payload padded with "="', sco('artifact', { payload_bin: 'aGVsbG8=' })],
    ['a URL with hashes', sco('artifact', { url: 'https://upload.example.com/sample.zip', hashes: { 'SHA-256': HEX64 } })],
    [
      'an encrypted payload',
      sco('artifact', {
        mime_type: 'application/zip',
        payload_bin: 'UEsDBAo=',
        encryption_algorithm: 'mime-type-indicated',
        decryption_key: 'infected',
      }),
    ],
    ['a defanged URL', sco('artifact', { url: 'hxxp://example[.]com/a.zip', hashes: { MD5: '001dd76872d80801692ff942308c64e6' }, defanged: true })],
  ],
  [
    ['neither payload_bin nor url', sco('artifact', { mime_type: 'image/jpeg' }), [': artifact-content']],
    [
      'both payload_bin and url',
      sco('artifact', { payload_bin: 'AAAA', url: 'https://example.com/a', hashes: { MD5: '001dd76872d80801692ff942308c64e6' } }),
      [': artifact-content'],
    ],
    ['a url without hashes', sco('artifact', { url: 'https://example.com/a' }), ['hashes: dependent-required']],
    [
      'a decryption_key without encryption_algorithm',
      sco('artifact', { payload_bin: 'AAAA', decryption_key: 'k' }),
      ['encryption_algorithm: dependent-required'],
    ],
    ['a payload that is not base64', sco('artifact', { payload_bin: 'aGVsbG8' }), ['payload_bin: binary']],
    ['an unknown encryption algorithm', sco('artifact', { payload_bin: 'AAAA', encryption_algorithm: 'rot13' }), ['encryption_algorithm: enum']],
    ['a url that is not a URL', sco('artifact', { url: 'not a url', hashes: { MD5: '001dd76872d80801692ff942308c64e6' } }), ['url: url']],
    [
      'a predefined extension of the File Object',
      sco('artifact', { payload_bin: 'AAAA', extensions: { 'ntfs-ext': { sid: 'S-1-5' } } }),
      ['extensions.ntfs-ext: extension-type'],
    ],
  ],
);

describeSco(
  'STIX 2.1 §6.2 Autonomous System (AS) Object',
  [
    ['a number, name and RIR', sco('autonomous-system', { number: 15139, name: 'Slime Industries', rir: 'ARIN' })],
    ['a 32-bit AS number', sco('autonomous-system', { number: 4294967295 })],
  ],
  [
    ['no number', sco('autonomous-system', { name: 'Slime Industries' }), ['number: required']],
    ['a negative number', sco('autonomous-system', { number: -1 }), ['number: as-number']],
    ['a number beyond 32 bits', sco('autonomous-system', { number: 4294967296 }), ['number: as-number']],
    ['a number written as text', sco('autonomous-system', { number: 'AS15139' }), ['number: as-number']],
  ],
);

describeSco(
  'STIX 2.1 §6.3 Directory Object',
  [
    ['a path', sco('directory', { path: 'C:\\Windows\\System32' })],
    [
      'times and contents',
      sco('directory', {
        path: '/home/jdoe',
        path_enc: 'UTF-8',
        ctime: '2016-01-20T12:31:12Z',
        mtime: '2016-01-20T12:31:12.123Z',
        atime: '2016-01-20T12:31:12Z',
        contains_refs: [ref('file'), ref('directory')],
      }),
    ],
  ],
  [
    ['no path', sco('directory', { path_enc: 'UTF-8' }), ['path: required']],
    ['contents that are processes', sco('directory', { path: '/tmp', contains_refs: [ref('file'), ref('process')] }), ['contains_refs[1]: ref-type']],
    ['an empty contains_refs', sco('directory', { path: '/tmp', contains_refs: [] }), ['contains_refs: empty-list']],
    ['a ctime that is not a timestamp', sco('directory', { path: '/tmp', ctime: 'yesterday' }), ['ctime: timestamp']],
  ],
);

describeSco(
  'STIX 2.1 §6.4 Domain Name Object',
  [
    [
      'a domain name (OASIS infrastructure example)',
      { type: 'domain-name', id: 'domain-name--ecb120bf-2694-4902-a737-62b74539a41b', value: 'example.com' },
    ],
    [
      'a name that resolves to addresses',
      sco('domain-name', { value: 'www.example.com', resolves_to_refs: [ref('ipv4-addr'), ref('ipv6-addr'), ref('domain-name')] }),
    ],
    ['an A-label', sco('domain-name', { value: 'xn--bcher-kva.example' })],
    ['a U-label (RFC 5890)', sco('domain-name', { value: 'bücher.example' })],
    ['a fully qualified name with the root dot', sco('domain-name', { value: 'example.com.' })],
    ['a service label with an underscore', sco('domain-name', { value: '_dmarc.example.com' })],
    ['a defanged name', sco('domain-name', { value: 'example[.]com', defanged: true })],
  ],
  [
    ['no value', sco('domain-name', {}), ['value: required']],
    ['a space', sco('domain-name', { value: 'exa mple.com' }), ['value: domain-name']],
    ['an empty label', sco('domain-name', { value: 'example..com' }), ['value: domain-name']],
    ['a URL', sco('domain-name', { value: 'http://example.com/' }), ['value: domain-name']],
    ['a defanged name not marked defanged', sco('domain-name', { value: 'example[.]com' }), ['value: domain-name']],
    ['a label of 64 characters', sco('domain-name', { value: `${'a'.repeat(64)}.example` }), ['value: domain-name']],
    ['a name of 254 characters', sco('domain-name', { value: `${'a.'.repeat(126)}ab` }), ['value: domain-name']],
    ['a resolution to a file', sco('domain-name', { value: 'example.com', resolves_to_refs: [ref('file')] }), ['resolves_to_refs[0]: ref-type']],
  ],
);

describeSco(
  'STIX 2.1 §6.5 Email Address Object',
  [
    [
      'an address with a display name and account',
      sco('email-addr', { value: 'john@example.com', display_name: 'John Doe', belongs_to_ref: ref('user-account') }),
    ],
    ['an internationalized address', sco('email-addr', { value: 'jörg@bücher.example' })],
  ],
  [
    ['no value', sco('email-addr', { display_name: 'John Doe' }), ['value: required']],
    ['a value with the display name', sco('email-addr', { value: 'John Doe <john@example.com>' }), ['value: email-address']],
    ['a value without "@"', sco('email-addr', { value: 'john' }), ['value: email-address']],
    ['two addresses', sco('email-addr', { value: 'a@example.com, b@example.com' }), ['value: email-address']],
    [
      'an account that is an identity',
      sco('email-addr', { value: 'john@example.com', belongs_to_ref: ref('identity') }),
      ['belongs_to_ref: ref-type'],
    ],
  ],
);

const plainEmail = sco('email-message', {
  is_multipart: false,
  date: '1997-11-21T15:55:06.000Z',
  content_type: 'text/plain',
  from_ref: ref('email-addr'),
  sender_ref: ref('email-addr'),
  to_refs: [ref('email-addr')],
  cc_refs: [ref('email-addr')],
  bcc_refs: [ref('email-addr')],
  message_id: '<4.7.9.2@example.com>',
  subject: 'Saying Hello',
  received_lines: ['from mail.example.com ([198.51.100.3]) by smtp.gmail.com with ESMTPSA id q23sm23309939wme.17.2016.07.19.07.20.32'],
  additional_header_fields: { 'Reply-To': ['steve@example.com', 'jane@example.com'], 'X-Mailer': 'Foo 1.0' },
  body: 'Cats are funny!',
  raw_email_ref: ref('artifact'),
});
const multipartEmail = sco('email-message', {
  is_multipart: true,
  content_type: 'multipart/mixed',
  body_multipart: [
    { content_type: 'text/plain; charset=utf-8', content_disposition: 'inline', body: 'Cats are funny!' },
    { content_type: 'image/png', content_disposition: 'attachment; filename="tabby.png"', body_raw_ref: ref('artifact') },
    { content_type: 'application/zip', body_raw_ref: ref('file') },
  ],
});
describeSco(
  'STIX 2.1 §6.6 Email Message Object',
  [
    ['a plain message with headers', plainEmail],
    ['a multipart message (§6.6.2 Email MIME Component Type)', multipartEmail],
    ['a message with only is_multipart', sco('email-message', { is_multipart: false })],
  ],
  [
    ['no is_multipart', without(plainEmail, 'is_multipart'), ['is_multipart: required']],
    ['a body on a multipart message', { ...multipartEmail, body: 'x' }, ['body: email-body']],
    ['MIME parts on a plain message', { ...plainEmail, body_multipart: [{ body: 'x' }] }, ['body_multipart: email-body']],
    [
      'a MIME part without content',
      sco('email-message', { is_multipart: true, body_multipart: [{ content_type: 'text/plain' }] }),
      ['body_multipart[0]: mime-part-body'],
    ],
    [
      'a MIME part with both body and body_raw_ref',
      sco('email-message', { is_multipart: true, body_multipart: [{ body: 'x', body_raw_ref: ref('artifact') }] }),
      ['body_multipart[0]: mime-part-body'],
    ],
    [
      'a MIME part referring to a process',
      sco('email-message', { is_multipart: true, body_multipart: [{ body_raw_ref: ref('process') }] }),
      ['body_multipart[0].body_raw_ref: ref-type'],
    ],
    ['a sender that is an identity', { ...plainEmail, from_ref: ref('identity') }, ['from_ref: ref-type']],
    ['recipients that are user accounts', { ...plainEmail, to_refs: [ref('email-addr'), ref('user-account')] }, ['to_refs[1]: ref-type']],
    ['a raw message that is a file', { ...plainEmail, raw_email_ref: ref('file') }, ['raw_email_ref: ref-type']],
    ['a numeric header field', { ...plainEmail, additional_header_fields: { 'X-Count': 3 } }, ['additional_header_fields.X-Count: header-field']],
    [
      'a header name with a space',
      { ...plainEmail, additional_header_fields: { 'Reply To': 'a@example.com' } },
      ['additional_header_fields["Reply To"]: dictionary-key'],
    ],
    ['an empty list of received lines', { ...plainEmail, received_lines: [] }, ['received_lines: empty-list']],
    ['a date that is not a timestamp', { ...plainEmail, date: 'Fri, 21 Nov 1997 09:55:06 -0600' }, ['date: timestamp']],
  ],
);

const fullFile = sco('file', {
  hashes: { 'SHA-256': HEX64, MD5: '001dd76872d80801692ff942308c64e6' },
  size: 25536,
  name: 'foo.dll',
  name_enc: 'UTF-8',
  magic_number_hex: '4D5A',
  mime_type: 'application/x-msdownload',
  ctime: '2016-01-20T12:31:12Z',
  mtime: '2016-01-20T12:31:12Z',
  atime: '2016-01-20T12:31:12Z',
  parent_directory_ref: ref('directory'),
  contains_refs: [ref('ipv4-addr'), ref('x-acme-thing')],
  content_ref: ref('artifact'),
});
const pebinary = {
  pe_type: 'exe',
  imphash: '1c6a0e3a2b3e5a0d7e7a4b2c3d4e5f60',
  machine_hex: '014c',
  number_of_sections: 4,
  time_date_stamp: '2016-01-22T12:31:12Z',
  pointer_to_symbol_table_hex: '74726144',
  number_of_symbols: 4542568,
  size_of_optional_header: 224,
  characteristics_hex: '818f',
  file_header_hashes: { MD5: '001dd76872d80801692ff942308c64e6' },
  optional_header: { magic_hex: '010b', major_linker_version: 2, address_of_entry_point: 4096, size_of_image: 8192, checksum_hex: '00000000' },
  sections: [
    { name: 'CODE', entropy: 0.061089 },
    { name: '.data', size: 512, hashes: { 'SHA-256': HEX64 } },
  ],
};
describeSco(
  'STIX 2.1 §6.7 File Object',
  [
    ['a name only', sco('file', { name: 'qwerty.dll' })],
    ['hashes only', sco('file', { hashes: { 'SHA-256': HEX64 } })],
    ['every property', fullFile],
    [
      'the archive, NTFS, PDF and raster image extensions',
      sco('file', {
        name: 'bundle.zip',
        extensions: {
          'archive-ext': { contains_refs: [ref('file'), ref('directory')], comment: 'test' },
          'ntfs-ext': {
            sid: 'S-1-5-21-1',
            alternate_data_streams: [{ name: 'second.stream', size: 25536, hashes: { MD5: '001dd76872d80801692ff942308c64e6' } }],
          },
          'pdf-ext': {
            version: '1.7',
            is_optimized: false,
            document_info_dict: { Title: 'Sample', Author: 'Adobe' },
            pdfid0: 'DFCE52BD827ECF765649852119D',
            pdfid1: '57A1E0F9ED2AE523E313C',
          },
          'raster-image-ext': {
            image_height: 768,
            image_width: 1024,
            bits_per_pixel: 72,
            exif_tags: { Make: 'Nikon', Model: 'D7000', XResolution: 4928 },
          },
        },
      }),
    ],
    ['the Windows PE binary extension', sco('file', { name: 'a.exe', extensions: { 'windows-pebinary-ext': pebinary } })],
  ],
  [
    ['neither hashes nor name', sco('file', { size: 1 }), [': file-hashes-or-name']],
    ['a negative size', { ...fullFile, size: -1 }, ['size: non-negative']],
    ['an odd-length magic number', { ...fullFile, magic_number_hex: 'ffd8f' }, ['magic_number_hex: hex']],
    ['a parent that is a file', { ...fullFile, parent_directory_ref: ref('file') }, ['parent_directory_ref: ref-type']],
    ['content that is a file', { ...fullFile, content_ref: ref('file') }, ['content_ref: ref-type']],
    ['an empty hashes dictionary', { ...fullFile, hashes: {} }, ['hashes: empty-dictionary']],
    ['a malformed SHA-256', { ...fullFile, hashes: { 'SHA-256': 'abc' } }, ['hashes.SHA-256: hash-value']],
    [
      'an archive without contents',
      sco('file', { name: 'a.zip', extensions: { 'archive-ext': { comment: 'empty' } } }),
      ['extensions.archive-ext.contains_refs: required'],
    ],
    [
      'an archive containing a process',
      sco('file', { name: 'a.zip', extensions: { 'archive-ext': { contains_refs: [ref('process')] } } }),
      ['extensions.archive-ext.contains_refs[0]: ref-type'],
    ],
    [
      'an NTFS extension without properties',
      sco('file', { name: 'a', extensions: { 'ntfs-ext': { note: 'x' } } }),
      ['extensions.ntfs-ext: at-least-one-property'],
    ],
    [
      'an alternate data stream without a name',
      sco('file', { name: 'a', extensions: { 'ntfs-ext': { alternate_data_streams: [{ size: 1 }] } } }),
      ['extensions.ntfs-ext.alternate_data_streams[0].name: required'],
    ],
    [
      'a PDF information dictionary with a number',
      sco('file', { name: 'a.pdf', extensions: { 'pdf-ext': { document_info_dict: { Pages: 3 } } } }),
      ['extensions.pdf-ext.document_info_dict.Pages: type'],
    ],
    [
      'a raster image extension without properties',
      sco('file', { name: 'a.png', extensions: { 'raster-image-ext': { note: 'x' } } }),
      ['extensions.raster-image-ext: at-least-one-property'],
    ],
    [
      'an EXIF tag that is a boolean',
      sco('file', { name: 'a.jpg', extensions: { 'raster-image-ext': { exif_tags: { Flash: true } } } }),
      ['extensions.raster-image-ext.exif_tags.Flash: exif-tag'],
    ],
    [
      'a PE binary without pe_type',
      sco('file', { name: 'a.exe', extensions: { 'windows-pebinary-ext': without(pebinary, 'pe_type') } }),
      ['extensions.windows-pebinary-ext.pe_type: required'],
    ],
    [
      'a PE optional header without properties',
      sco('file', { name: 'a.exe', extensions: { 'windows-pebinary-ext': { pe_type: 'dll', optional_header: { note: 'x' } } } }),
      ['extensions.windows-pebinary-ext.optional_header: at-least-one-property'],
    ],
    [
      'a PE section without a name',
      sco('file', { name: 'a.exe', extensions: { 'windows-pebinary-ext': { pe_type: 'dll', sections: [{ size: 1 }] } } }),
      ['extensions.windows-pebinary-ext.sections[0].name: required'],
    ],
    [
      'a PE time stamp that is not a timestamp',
      sco('file', { name: 'a.exe', extensions: { 'windows-pebinary-ext': { pe_type: 'dll', time_date_stamp: '1453465872' } } }),
      ['extensions.windows-pebinary-ext.time_date_stamp: timestamp'],
    ],
    [
      'a Network Traffic extension',
      sco('file', { name: 'a', extensions: { 'http-request-ext': { request_method: 'get', request_value: '/' } } }),
      ['extensions.http-request-ext: extension-type'],
    ],
  ],
);

describeSco(
  'STIX 2.1 §6.8 IPv4 Address Object',
  [
    [
      'an address (OASIS infrastructure example)',
      { type: 'ipv4-addr', id: 'ipv4-addr--1e4ffad7-0b88-41d4-ba4d-77d27490b956', value: '198.51.100.3' },
    ],
    ['a CIDR block', sco('ipv4-addr', { value: '198.51.100.0/24' })],
    ['the whole address space', sco('ipv4-addr', { value: '0.0.0.0/0' })],
    [
      'the deprecated references',
      sco('ipv4-addr', { value: '255.255.255.255/32', resolves_to_refs: [ref('mac-addr')], belongs_to_refs: [ref('autonomous-system')] }),
    ],
    ['a defanged address', sco('ipv4-addr', { value: '198.51.100[.]3', defanged: true })],
  ],
  [
    ['no value', sco('ipv4-addr', {}), ['value: required']],
    ['an octet above 255', sco('ipv4-addr', { value: '256.1.1.1' }), ['value: ipv4-addr']],
    ['a prefix above 32', sco('ipv4-addr', { value: '198.51.100.0/33' }), ['value: ipv4-addr']],
    ['three octets', sco('ipv4-addr', { value: '198.51.100' }), ['value: ipv4-addr']],
    ['a leading zero', sco('ipv4-addr', { value: '198.051.100.3' }), ['value: ipv4-addr']],
    ['surrounding space', sco('ipv4-addr', { value: ' 198.51.100.3' }), ['value: ipv4-addr']],
    ['an IPv6 address', sco('ipv4-addr', { value: '2001:db8::1' }), ['value: ipv4-addr']],
    ['a defanged address not marked defanged', sco('ipv4-addr', { value: '198.51.100[.]3' }), ['value: ipv4-addr']],
    [
      'an owner that is a location',
      sco('ipv4-addr', { value: '198.51.100.3', belongs_to_refs: [ref('location')] }),
      ['belongs_to_refs[0]: ref-type'],
    ],
    [
      'a resolution to an IPv6 address',
      sco('ipv4-addr', { value: '198.51.100.3', resolves_to_refs: [ref('ipv6-addr')] }),
      ['resolves_to_refs[0]: ref-type'],
    ],
  ],
);

describeSco(
  'STIX 2.1 §6.9 IPv6 Address Object',
  [
    ['a full address', sco('ipv6-addr', { value: '2001:0db8:85a3:0000:0000:8a2e:0370:7334' })],
    ['a compressed address', sco('ipv6-addr', { value: '2001:db8::1' })],
    ['a CIDR block', sco('ipv6-addr', { value: '2001:db8::/32' })],
    ['the loopback and unspecified addresses', sco('ipv6-addr', { value: '::1/128' })],
    ['an IPv4-mapped address', sco('ipv6-addr', { value: '::ffff:198.51.100.3' })],
    ['an address with an IPv4 tail', sco('ipv6-addr', { value: '64:ff9b:1::198.51.100.3' })],
    [
      'the deprecated references',
      sco('ipv6-addr', { value: '::', resolves_to_refs: [ref('mac-addr')], belongs_to_refs: [ref('autonomous-system')] }),
    ],
  ],
  [
    ['three colons', sco('ipv6-addr', { value: '2001:db8:::1' }), ['value: ipv6-addr']],
    ['two "::"', sco('ipv6-addr', { value: '2001::db8::1' }), ['value: ipv6-addr']],
    ['a group of five digits', sco('ipv6-addr', { value: '12345::1' }), ['value: ipv6-addr']],
    ['nine groups', sco('ipv6-addr', { value: '1:2:3:4:5:6:7:8:9' }), ['value: ipv6-addr']],
    ['a prefix above 128', sco('ipv6-addr', { value: '2001:db8::/129' }), ['value: ipv6-addr']],
    ['a zone index', sco('ipv6-addr', { value: 'fe80::1%eth0' }), ['value: ipv6-addr']],
    ['an IPv4 address', sco('ipv6-addr', { value: '198.51.100.3' }), ['value: ipv6-addr']],
  ],
);

describeSco(
  'STIX 2.1 §6.10 MAC Address Object',
  [
    ['a colon-delimited lowercase MAC-48', sco('mac-addr', { value: 'd2:fb:49:24:37:18' })],
    ['a defanged address', sco('mac-addr', { value: 'D2-FB-49-24-37-18', defanged: true })],
  ],
  [
    ['upper case', sco('mac-addr', { value: 'D2:FB:49:24:37:18' }), ['value: mac-addr']],
    ['hyphens', sco('mac-addr', { value: 'd2-fb-49-24-37-18' }), ['value: mac-addr']],
    ['dotted groups', sco('mac-addr', { value: 'd2fb.4924.3718' }), ['value: mac-addr']],
    ['five octets', sco('mac-addr', { value: 'd2:fb:49:24:37' }), ['value: mac-addr']],
    ['no value', sco('mac-addr', {}), ['value: required']],
  ],
);

describeSco(
  'STIX 2.1 §6.11 Mutex Object',
  [['a name', sco('mutex', { name: '__CLEANSWEEP__' })]],
  [
    ['no name', sco('mutex', {}), ['name: required']],
    ['a numeric name', sco('mutex', { name: 5 }), ['name: type']],
  ],
);

const traffic = sco('network-traffic', {
  start: '2016-06-19T01:56:39.000Z',
  end: '2016-06-19T01:57:39.000Z',
  is_active: false,
  src_ref: ref('ipv4-addr'),
  dst_ref: ref('domain-name'),
  src_port: 223,
  dst_port: 80,
  protocols: ['ipv4', 'tcp', 'http'],
  src_byte_count: 147600,
  dst_byte_count: 147600,
  src_packets: 100,
  dst_packets: 100,
  ipfix: { minimumIpTotalLength: 32, maximumIpTotalLength: 2556, flowDirection: 'ingress' },
  src_payload_ref: ref('artifact'),
  dst_payload_ref: ref('artifact'),
  encapsulates_refs: [ref('network-traffic')],
  encapsulated_by_ref: ref('network-traffic'),
});
const withExtension = (name: string, extension: Json): Json => ({ ...traffic, extensions: { [name]: extension } });
describeSco(
  'STIX 2.1 §6.12 Network Traffic Object',
  [
    ['every property', traffic],
    ['only a destination', sco('network-traffic', { dst_ref: ref('mac-addr'), protocols: ['arp'] })],
    [
      'ongoing traffic without an end',
      sco('network-traffic', { src_ref: ref('ipv6-addr'), protocols: ['ipv6'], is_active: true, start: '2016-06-19T01:56:39Z' }),
    ],
    [
      'the HTTP request extension',
      withExtension('http-request-ext', {
        request_method: 'get',
        request_value: '/download.html',
        request_version: 'http/1.1',
        request_header: { 'Accept-Encoding': 'gzip,deflate', 'User-Agent': 'Mozilla/5.0', Host: 'www.example.com' },
        message_body_length: 0,
        message_body_data_ref: ref('artifact'),
      }),
    ],
    ['the ICMP extension', withExtension('icmp-ext', { icmp_type_hex: '08', icmp_code_hex: '00' })],
    [
      'the network socket extension',
      withExtension('socket-ext', {
        address_family: 'AF_INET',
        is_blocking: false,
        is_listening: true,
        options: { SO_KEEPALIVE: 1 },
        socket_type: 'SOCK_STREAM',
        socket_descriptor: 3,
        socket_handle: -1,
      }),
    ],
    ['the TCP extension', withExtension('tcp-ext', { src_flags_hex: '00000002' })],
  ],
  [
    ['no protocols', without(traffic, 'protocols'), ['protocols: required']],
    ['neither source nor destination', without(without(traffic, 'src_ref'), 'dst_ref'), [': network-traffic-endpoint']],
    ['an end while active', { ...traffic, is_active: true }, ['end: is-active-end']],
    ['a source that is a file', { ...traffic, src_ref: ref('file') }, ['src_ref: ref-type']],
    ['a port above 65535', { ...traffic, dst_port: 65536 }, ['dst_port: port']],
    ['a negative byte count', { ...traffic, src_byte_count: -5 }, ['src_byte_count: non-negative']],
    ['an IPFIX value that is a list', { ...traffic, ipfix: { flowDirection: ['ingress'] } }, ['ipfix.flowDirection: ipfix']],
    ['an encapsulated address', { ...traffic, encapsulates_refs: [ref('ipv4-addr')] }, ['encapsulates_refs[0]: ref-type']],
    ['a payload that is a file', { ...traffic, src_payload_ref: ref('file') }, ['src_payload_ref: ref-type']],
    [
      'an HTTP request without a request value',
      withExtension('http-request-ext', { request_method: 'get' }),
      ['extensions.http-request-ext.request_value: required'],
    ],
    [
      'an ICMP type that is not hex',
      withExtension('icmp-ext', { icmp_type_hex: 'zz', icmp_code_hex: '00' }),
      ['extensions.icmp-ext.icmp_type_hex: hex'],
    ],
    ['an unknown address family', withExtension('socket-ext', { address_family: 'AF_FOO' }), ['extensions.socket-ext.address_family: enum']],
    [
      'a socket option that is not an integer',
      withExtension('socket-ext', { address_family: 'AF_INET', options: { SO_KEEPALIVE: 'on' } }),
      ['extensions.socket-ext.options.SO_KEEPALIVE: socket-option'],
    ],
    ['a TCP extension without flags', withExtension('tcp-ext', { note: 'x' }), ['extensions.tcp-ext: at-least-one-property']],
    ['a File extension', withExtension('archive-ext', { contains_refs: [ref('file')] }), ['extensions.archive-ext: extension-type']],
  ],
);

const processObject = sco('process', {
  is_hidden: false,
  pid: 1221,
  created_time: '2016-01-20T14:11:25.55Z',
  cwd: '/tmp/',
  command_line: './gedit-bin --new-window',
  environment_variables: { HOME: '/home/jdoe', PATH: '/usr/bin' },
  opened_connection_refs: [ref('network-traffic')],
  creator_user_ref: ref('user-account'),
  image_ref: ref('file'),
  parent_ref: ref('process'),
  child_refs: [ref('process')],
});
describeSco(
  'STIX 2.1 §6.13 Process Object',
  [
    ['every property', processObject],
    ['a pid only', sco('process', { pid: 4 })],
    ['only extensions', sco('process', { extensions: { 'windows-process-ext': { integrity_level: 'high' } } })],
    [
      'the Windows process and service extensions',
      sco('process', {
        pid: 2217,
        extensions: {
          'windows-process-ext': {
            aslr_enabled: true,
            dep_enabled: true,
            priority: 'HIGH_PRIORITY_CLASS',
            owner_sid: 'S-1-5-21-186985262-1144665072-74031268-1309',
            window_title: 'x',
            startup_info: { wShowWindow: 1 },
            integrity_level: 'system',
          },
          'windows-service-ext': {
            service_name: 'sirvizio',
            descriptions: ['Sirvizio service'],
            display_name: 'Sirvizio',
            group_name: 'LocalService',
            start_type: 'SERVICE_AUTO_START',
            service_dll_refs: [ref('file')],
            service_type: 'SERVICE_WIN32_OWN_PROCESS',
            service_status: 'SERVICE_RUNNING',
          },
        },
      }),
    ],
  ],
  [
    ['no property of its own', sco('process', {}), [': at-least-one-property']],
    ['an image that is a directory', { ...processObject, image_ref: ref('directory') }, ['image_ref: ref-type']],
    ['children that are files', { ...processObject, child_refs: [ref('file')] }, ['child_refs[0]: ref-type']],
    ['a pid written as text', { ...processObject, pid: '1221' }, ['pid: type']],
    ['a numeric environment variable', { ...processObject, environment_variables: { DEBUG: 1 } }, ['environment_variables.DEBUG: type']],
    [
      'an unknown integrity level',
      sco('process', { extensions: { 'windows-process-ext': { integrity_level: 'extreme' } } }),
      ['extensions.windows-process-ext.integrity_level: enum'],
    ],
    [
      'a Windows service extension without properties',
      sco('process', { pid: 1, extensions: { 'windows-service-ext': { note: 'x' } } }),
      ['extensions.windows-service-ext: at-least-one-property'],
    ],
    [
      'a service DLL that is a process',
      sco('process', { pid: 1, extensions: { 'windows-service-ext': { service_dll_refs: [ref('process')] } } }),
      ['extensions.windows-service-ext.service_dll_refs[0]: ref-type'],
    ],
    [
      'an unknown service start type',
      sco('process', { pid: 1, extensions: { 'windows-service-ext': { start_type: 'SERVICE_LATER' } } }),
      ['extensions.windows-service-ext.start_type: enum'],
    ],
  ],
);

describeSco(
  'STIX 2.1 §6.14 Software Object',
  [
    [
      'a described product',
      sco('software', {
        name: 'Word',
        cpe: 'cpe:2.3:a:microsoft:word:2000:*:*:*:*:*:*:*',
        swid: 'com.microsoft.word',
        languages: ['en', 'pt-BR'],
        vendor: 'Microsoft',
        version: '2002',
      }),
    ],
    ['a name only', sco('software', { name: 'gedit' })],
  ],
  [
    ['no name', sco('software', { vendor: 'Microsoft' }), ['name: required']],
    ['an empty language list', sco('software', { name: 'Word', languages: [] }), ['languages: empty-list']],
    ['languages that are not a list', sco('software', { name: 'Word', languages: 'en' }), ['languages: type']],
  ],
);

describeSco(
  'STIX 2.1 §6.15 URL Object',
  [
    ['a URL', sco('url', { value: 'https://example.com/research/index.html' })],
    ['a URL with query and fragment', sco('url', { value: 'http://198.51.100.3:8080/a/b?c=d&e=f#g' })],
    ['a defanged URL', sco('url', { value: 'hxxps://example[.]com/a', defanged: true })],
  ],
  [
    ['no value', sco('url', {}), ['value: required']],
    ['no scheme', sco('url', { value: 'example.com/research' }), ['value: url']],
    ['spaces', sco('url', { value: 'https://example.com/a b' }), ['value: url']],
  ],
);

const account = sco('user-account', {
  user_id: '1001',
  credential: 'password',
  account_login: 'jdoe',
  account_type: 'unix',
  display_name: 'John Doe',
  is_service_account: false,
  is_privileged: false,
  can_escalate_privs: true,
  is_disabled: false,
  account_created: '2016-01-20T12:31:12Z',
  account_expires: '2018-01-20T12:31:12Z',
  credential_last_changed: '2016-01-20T14:27:43Z',
  account_first_login: '2016-01-20T14:26:07Z',
  account_last_login: '2016-07-22T16:08:28Z',
  extensions: { 'unix-account-ext': { gid: 1001, groups: ['wheel'], home_dir: '/home/jdoe', shell: '/bin/bash' } },
});
describeSco(
  'STIX 2.1 §6.16 User Account Object',
  [
    ['every property and the UNIX account extension', account],
    ['a login only', sco('user-account', { account_login: 'jdoe' })],
  ],
  [
    ['no property of its own', sco('user-account', {}), [': at-least-one-property']],
    ['a privilege flag written as text', { ...account, is_privileged: 'yes' }, ['is_privileged: type']],
    ['a creation time that is not a timestamp', { ...account, account_created: '2016-01-20' }, ['account_created: timestamp']],
    [
      'a UNIX account extension without properties',
      { ...account, extensions: { 'unix-account-ext': { note: 'x' } } },
      ['extensions.unix-account-ext: at-least-one-property'],
    ],
    ['a gid written as text', { ...account, extensions: { 'unix-account-ext': { gid: '1001' } } }, ['extensions.unix-account-ext.gid: type']],
  ],
);

const registryKey = sco('windows-registry-key', {
  key: 'HKEY_LOCAL_MACHINE\\System\\Foo\\Bar',
  values: [
    { name: 'Foo', data: 'qwerty', data_type: 'REG_SZ' },
    { name: '', data: '1', data_type: 'REG_DWORD' },
  ],
  modified_time: '2016-01-20T12:31:12Z',
  creator_user_ref: ref('user-account'),
  number_of_subkeys: 2,
});
describeSco(
  'STIX 2.1 §6.17 Windows Registry Key Object',
  [
    ['every property', registryKey],
    ['a hive only', sco('windows-registry-key', { key: 'HKEY_CURRENT_USER' })],
    ['values only', sco('windows-registry-key', { values: [{ data_type: 'REG_NONE' }] })],
  ],
  [
    ['no property of its own', sco('windows-registry-key', {}), [': at-least-one-property']],
    ['an abbreviated hive', { ...registryKey, key: 'HKLM\\Software\\Foo' }, ['key: registry-hive']],
    ['a key without a hive', { ...registryKey, key: 'Software\\Foo' }, ['key: registry-hive']],
    ['an unknown hive', { ...registryKey, key: 'HKEY_EVERYTHING\\Foo' }, ['key: registry-hive']],
    ['a value without properties', { ...registryKey, values: [{ note: 'x' }] }, ['values[0]: at-least-one-property']],
    ['an unknown data type', { ...registryKey, values: [{ name: 'Foo', data_type: 'REG_FOO' }] }, ['values[0].data_type: enum']],
    ['a negative subkey count', { ...registryKey, number_of_subkeys: -1 }, ['number_of_subkeys: non-negative']],
    ['a creator that is an identity', { ...registryKey, creator_user_ref: ref('identity') }, ['creator_user_ref: ref-type']],
  ],
);

const certificate = sco('x509-certificate', {
  is_self_signed: false,
  hashes: { 'SHA-256': HEX64 },
  version: '3',
  serial_number: '36:f7:d4:32:f4:ab:70:ea:d3:ce:98:6e:ea:99:93:49:32:0a:b7:06',
  signature_algorithm: 'md5WithRSAEncryption',
  issuer: 'C=ZA, ST=Western Cape, L=Cape Town, O=Thawte Consulting cc, OU=Certification Services Division, CN=Thawte Server CA',
  validity_not_before: '2016-03-12T12:00:00Z',
  validity_not_after: '2016-08-21T12:00:00Z',
  subject: 'C=US, ST=Maryland, L=Pasadena, O=Brent Baccala, OU=FreeSoft, CN=www.freesoft.org',
  subject_public_key_algorithm: 'rsaEncryption',
  subject_public_key_modulus: '00:b4:8e:92:08:1e:fb',
  subject_public_key_exponent: 65537,
  x509_v3_extensions: {
    basic_constraints: 'critical,CA:TRUE, pathlen:0',
    name_constraints: 'permitted;IP:192.168.0.0/255.255.0.0',
    policy_constraints: 'requireExplicitPolicy:3',
    key_usage: 'critical, keyCertSign',
    extended_key_usage: 'critical,codeSigning,1.2.3.4',
    subject_key_identifier: 'hash',
    authority_key_identifier: 'keyid,issuer',
    subject_alternative_name: 'email:my@other.address,RID:1.2.3.4',
    issuer_alternative_name: 'issuer:copy',
    crl_distribution_points: 'URI:http://myhost.com/myca.crl',
    inhibit_any_policy: '2',
    private_key_usage_period_not_before: '2016-03-12T12:00:00Z',
    private_key_usage_period_not_after: '2018-03-12T12:00:00Z',
    certificate_policies: '1.2.4.5, 1.1.3.4',
    policy_mappings: '2.16.840.1.101.3.2.1.48.1:2.16.840.1.101.3.2.1.48.2',
  },
});
describeSco(
  'STIX 2.1 §6.18 X.509 Certificate Object',
  [
    ['every property and the v3 extensions (§6.18.2)', certificate],
    ['a serial number only', sco('x509-certificate', { serial_number: '4c:0b:1d:19:74:86:a7:66:b4:1a:bf:40:27:21:76:28' })],
  ],
  [
    ['no property of its own', sco('x509-certificate', {}), [': at-least-one-property']],
    ['an empty v3 extensions object', { ...certificate, x509_v3_extensions: { note: 'x' } }, ['x509_v3_extensions: at-least-one-property']],
    ['an exponent written as text', { ...certificate, subject_public_key_exponent: '65537' }, ['subject_public_key_exponent: type']],
    ['a validity that is not a timestamp', { ...certificate, validity_not_before: 'Mar 12 12:00:00 2016 GMT' }, ['validity_not_before: timestamp']],
    [
      'a key usage period that is not a timestamp',
      { ...certificate, x509_v3_extensions: { private_key_usage_period_not_after: 'never' } },
      ['x509_v3_extensions.private_key_usage_period_not_after: timestamp'],
    ],
  ],
);

describe('STIX 2.1 §6 SCO schema files', () => {
  const scoFiles = [...SCO_TYPES].map((type) => `${type}.json`);

  it.each(scoFiles)('%s is a draft 2020-12 schema named after its type and section', (file) => {
    const schema = readSchema(file);
    const type = file.replace(/\.json$/, '');
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.$id).toBe(`https://accord.invalid/schemas/stix/${file}`);
    expect(schema.title).toMatch(/^STIX 2\.1 §6\.\d+ /);
    expect((schema.properties as Json).type).toEqual({ const: type });
    expect(schema.allOf).toContainEqual({ $ref: 'sco-common.json#/$defs/sco-common' });
  });

  /** Every "pattern" string anywhere in a schema. */
  function patternsOf(node: unknown, out: string[] = []): string[] {
    if (Array.isArray(node)) node.forEach((n) => patternsOf(n, out));
    else if (node !== null && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'pattern' && typeof value === 'string') out.push(value);
        else patternsOf(value, out);
      }
    }
    return out;
  }
  const patterns = [...new Set(['sco-common.json', ...scoFiles].flatMap((file) => patternsOf(readSchema(file))))];

  // Near-misses of every pattern, long enough that a backtracking blow-up would not finish;
  // jest's timeout is the guard.
  const N = 100_000;
  const hostile = [
    'a'.repeat(N),
    `${'0'.repeat(N)}!`,
    `${'f'.repeat(N)}g`,
    `${'A'.repeat(N - 1)}=`,
    `${'AAAA'.repeat(N / 4)}A=`,
    `${'a.'.repeat(N / 2)} `,
    `${'a'.repeat(63)}.`.repeat(N / 64) + '/',
    `${'ab:'.repeat(N / 3)}x`,
    `${'1:'.repeat(N / 2)}::`,
    `${'1.'.repeat(N / 2)}1`,
    `${'a@'.repeat(N / 2)}`,
    `HKEY_${'A'.repeat(N)}`,
  ];

  it.each(patterns)('pattern %s compiles as a Unicode regex and runs on hostile input', (pattern) => {
    const regex = new RegExp(pattern, 'u');
    for (const input of hostile) expect(typeof regex.test(input)).toBe('boolean');
  });
});

describe('STIX 2.1 §6.8/§6.9 address values agree with Node’s address parser', () => {
  const ipv4 = (value: string): boolean => permissive.validate(sco('ipv4-addr', { value })).ok;
  const ipv6 = (value: string): boolean => permissive.validate(sco('ipv6-addr', { value })).ok;
  const prefixUpTo =
    (max: number) =>
    (prefix: string): boolean =>
      /^(?:0|[1-9][0-9]{0,2})$/.test(prefix) && Number(prefix) <= max;
  const cidr =
    (isAddress: (a: string) => boolean, max: number) =>
    (value: string): boolean => {
      const [address, prefix, ...rest] = value.split('/');
      return rest.length === 0 && isAddress(address ?? '') && (prefix === undefined || prefixUpTo(max)(prefix));
    };

  it('accepts every generated IPv4 and IPv6 address', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.integer({ min: 0, max: 32 }), (address, prefix) => {
        expect(ipv4(address)).toBe(true);
        expect(ipv4(`${address}/${prefix}`)).toBe(true);
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.ipV6(), fc.integer({ min: 0, max: 128 }), (address, prefix) => {
        expect(ipv6(address)).toBe(true);
        expect(ipv6(`${address}/${prefix}`)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  const near = (alphabet: string) => fc.string({ unit: fc.constantFrom(...alphabet), maxLength: 24 });

  it('decides IPv4 values as node:net does', () => {
    fc.assert(
      fc.property(near('0123456789./'), (value) => {
        expect(ipv4(value)).toBe(cidr(isIPv4, 32)(value));
      }),
      { numRuns: 3000 },
    );
  });

  it('decides IPv6 values as node:net does', () => {
    fc.assert(
      fc.property(near('0123456789abcdefABCDEF:./'), (value) => {
        expect(ipv6(value)).toBe(cidr(isIPv6, 128)(value));
      }),
      { numRuns: 5000 },
    );
  });
});

describe('STIX 2.1 hex and binary values', () => {
  const magic = (magic_number_hex: string): boolean => permissive.validate(sco('file', { name: 'a', magic_number_hex })).ok;
  const payload = (payload_bin: string): boolean => permissive.validate(sco('artifact', { payload_bin })).ok;

  it('accepts the hex and base64 encodings of any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        const buffer = Buffer.from(bytes);
        expect(magic(buffer.toString('hex'))).toBe(true);
        expect(magic(buffer.toString('hex').toUpperCase())).toBe(true);
        expect(payload(buffer.toString('base64'))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('rejects odd-length hex and base64 that is cut or mispadded', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 40 }), (bytes) => {
        const hex = Buffer.from(bytes).toString('hex');
        expect(magic(hex.slice(1))).toBe(false);
        const base64 = Buffer.from(bytes).toString('base64');
        expect(payload(base64.slice(0, -1))).toBe(false);
        expect(payload(`${base64}=`)).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
});
