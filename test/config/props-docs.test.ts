import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderSettingsDeclaration, SETTINGS_FILE } from '../../tools/settings-declaration';
import { propDocProblems } from '../support/prop-docs';

describe('SpotlabRunners props: TSDoc', () => {
  // The props are the configuration schema's keys: their TSDoc is the comments on the zod
  // shapes' keys, which lib/runners-settings.ts writes out for editors and docs generators.
  it('documents every prop, and gives every optional one its @default', () => {
    expect(propDocProblems('lib/runners-props.ts', 'SpotlabRunnersProps')).toEqual([]);
  }, 60_000);

  it('keeps lib/runners-settings.ts as the generator writes it from the schema (npm run props:generate)', () => {
    expect(readFileSync(SETTINGS_FILE, 'utf8')).toBe(renderSettingsDeclaration());
  }, 60_000);
});
