#!/usr/bin/env node
// The `spotlab` operator command. The sources are TypeScript, run through tsx (installed with the
// project's dependencies), so the CLI always runs the same code the tests and the Lambdas use.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
});
