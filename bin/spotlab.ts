#!/usr/bin/env node
import { createApp } from '../lib/app';
import { ConfigError } from '../lib/config/load';

try {
  createApp();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}
