/**
 * Spotlab as a CDK construct library: `new SpotlabRunners(this, 'Ci', props)` in any CDK app.
 * The props are the configuration file's keys (docs/configuration.md names each key's prop).
 */
export { ConfigError, loadConfig, parseConfig } from './config/load';
export type { PoolConfig, SpotlabConfig } from './config/schema';
export {
  type SpotlabHostProps,
  SpotlabPropsError,
  type SpotlabRunnersProps,
  type SpotlabSettings,
} from './runners-props';
export { SpotlabRunners } from './spotlab-runners';
