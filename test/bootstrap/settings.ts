import type { BootstrapSettings } from '../../lib/bootstrap/user-data';

/** Settings of a typical docker pool, for the bootstrap tests. */
export const settings: BootstrapSettings = {
  region: 'eu-west-1',
  gitlabUrl: 'https://gitlab.example.com',
  tokenPrefix: '/spotlab/runner-token',
  executor: 'docker',
  dockerImage: 'alpine:3.20',
  privileged: false,
  dockerGpus: false,
  waitTimeoutSeconds: 600,
  tokenWaitSeconds: 10,
  cacheBucket: '',
  arch: 'x86_64',
  runnerVersion: '19.3.0',
  pool: 'arm-docker',
  startupNamespace: 'Spotlab/Startup',
};
