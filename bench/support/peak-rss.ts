/**
 * Preloaded (`node --import`) into a process a benchmark measures: at exit, writes the process's
 * peak resident set size in kilobytes (`process.resourceUsage().maxRSS`, what `/usr/bin/time -v`
 * reports) to the file `SPOTLAB_PEAK_RSS_FILE` names. Node cannot read a child's peak from outside.
 */
import { writeFileSync } from 'node:fs';

const file = process.env.SPOTLAB_PEAK_RSS_FILE;
if (file !== undefined) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
