import { DOCKER_IMAGE, RUNNER_VERSION, scriptBody, shellQuote } from './user-data';

/** What the image bake needs to know; none of it is secret. */
export interface BakeSettings {
  /** CPU architecture of the image, which picks the gitlab-runner binary and helper image. */
  readonly arch: 'x86_64' | 'arm64';
  /** gitlab-runner release baked in, e.g. `19.3.0`. */
  readonly runnerVersion: string;
  /** Job images pulled into the image, so the first job that names one starts without a pull. */
  readonly prePulledImages: readonly string[];
}

/** Where the bake leaves its marker, `runner=<version>`, which runner-bootstrap.sh reads. */
export const BAKED_MARKER = '/etc/spotlab/baked';

const BAKE_URL = new URL('./bake-image.sh', import.meta.url);
const INSTALL_URL = new URL('./runner-install.sh', import.meta.url);

/**
 * The bake script: a bash shebang, the settings, the install logic shared with the VM bootstrap
 * (`runner-install.sh`), then `bake-image.sh`. Throws an Error naming the bad setting.
 */
export function renderBakeScript(settings: BakeSettings): string {
  if (settings.arch !== 'x86_64' && settings.arch !== 'arm64')
    throw new Error(`BakeSettings.arch must be x86_64 or arm64, got ${JSON.stringify(settings.arch)}`);
  if (!RUNNER_VERSION.test(settings.runnerVersion))
    throw new Error(
      `BakeSettings.runnerVersion must be a gitlab-runner release, got ${settings.runnerVersion}`,
    );
  for (const image of settings.prePulledImages) {
    if (!DOCKER_IMAGE.test(image))
      throw new Error(
        `BakeSettings.prePulledImages must be docker image references, got ${JSON.stringify(image)}`,
      );
  }
  const block = [
    ['SPOTLAB_ARCH', settings.arch],
    ['SPOTLAB_RUNNER_VERSION', settings.runnerVersion],
    ['SPOTLAB_PRE_PULLED_IMAGES', settings.prePulledImages.join(' ')],
  ]
    .map(([name, value]) => `${name}=${shellQuote(value ?? '')}`)
    .join('\n');
  return `#!/bin/bash\n# Spotlab bake settings (rendered at synth; no secrets)\n${block}\n${scriptBody(INSTALL_URL)}\n${scriptBody(BAKE_URL)}`;
}

/**
 * The Image Builder component document (AWSTOE) that runs the bake script in the build phase. JSON
 * is YAML, so the script needs no YAML escaping; AWSTOE writes `commands` to one file and runs it
 * with bash.
 */
export function bakeComponentDocument(settings: BakeSettings): string {
  const script = renderBakeScript(settings);
  // AWSTOE substitutes {{ variables }} in inputs; the script must hold none.
  if (script.includes('{{')) throw new Error('the bake script must not contain "{{"');
  return JSON.stringify({
    name: 'SpotlabRunnerBake',
    description: 'Docker, a verified gitlab-runner, its helper image and pre-pulled job images',
    schemaVersion: '1.0',
    phases: [
      {
        name: 'build',
        steps: [{ name: 'Bake', action: 'ExecuteBash', inputs: { commands: [script] } }],
      },
    ],
  });
}
