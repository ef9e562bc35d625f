import { exampleFiles, issuesOf, loadFixture, permissive, strict } from './helpers';

describe('OASIS STIX 2.1 example content', () => {
  const files = exampleFiles();

  it('ships the example bundles with their LICENSE', () => {
    expect(files.length).toBeGreaterThanOrEqual(8);
  });

  it.each(files)('%s validates under the permissive policy', (file) => {
    expect(issuesOf(permissive.validate(loadFixture(file)))).toEqual([]);
  });

  it.each(files)('%s validates under the strict policy (it has no custom content)', (file) => {
    expect(issuesOf(strict.validate(loadFixture(file)))).toEqual([]);
  });
});
