#!/usr/bin/env node
// The `spotlab` operator command. The sources are TypeScript, run through tsx (installed with the
// project's dependencies), so the CLI always runs the same code the tests and the Lambdas use.
import { register } from 'tsx/esm/api';

// The SDK warns on every run under Node.js 20 that its 2027 releases need 22; the README says so
// once, and a warning block on stderr would bury the command's own output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
});
