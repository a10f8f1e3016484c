import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadConfig } from './config/load';
import type { SpotlabConfig } from './config/schema';
import { SpotlabStack } from './spotlab-stack';

/** Context key that overrides the configuration file: `cdk synth -c config=path`. */
export const CONFIG_CONTEXT_KEY = 'config';

/**
 * Builds the Spotlab app: reads the configuration named by `-c config=...` (default
 * `spotlab.config.json`), creates the stack and runs cdk-nag's AWS Solutions checks on it.
 */
export function createApp(
  app: App = new App(),
  config?: Readonly<SpotlabConfig>,
): { app: App; stack: SpotlabStack; config: Readonly<SpotlabConfig> } {
  const file: unknown = app.node.tryGetContext(CONFIG_CONTEXT_KEY);
  const resolved = config ?? loadConfig(typeof file === 'string' ? file : undefined);
  const stack = new SpotlabStack(app, resolved.stackName, {
    config: resolved,
    description: 'Spotlab: scale-to-zero GitLab CI runners on EC2 spot',
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack, config: resolved };
}
