#!/usr/bin/env node
import { relative } from 'node:path';
import { createApp } from '../lib/app';
import { ConfigError } from '../lib/config/load';
import { synthSummary } from '../lib/synth-summary';

try {
  const { app, stack, config } = createApp();
  const artifact = app.synth().getStackByName(stack.stackName);
  const resourceCount = Object.keys(artifact.template.Resources ?? {}).length;
  // stderr: the CLI reads the assembly from disk, and stdout stays free for `cdk synth`'s own use.
  console.error(
    synthSummary(config, {
      stackName: stack.stackName,
      templateFile: relative(process.cwd(), artifact.templateFullPath),
      resourceCount,
    }),
  );
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}
