/**
 * Preloaded (`node --import`) into a process a benchmark measures: at exit, writes the process's
 * peak resident set size in kilobytes (`maxRSS`, what `/usr/bin/time -v` reports) and its CPU time
 * in microseconds (user + system) as JSON to the file `SPOTLAB_PEAK_RSS_FILE` names. Node cannot
 * read a child's figures from outside.
 */
import { writeFileSync } from 'node:fs';

const file = process.env.SPOTLAB_PEAK_RSS_FILE;
if (file !== undefined)
  process.on('exit', () => {
    const { maxRSS, userCPUTime, systemCPUTime } = process.resourceUsage();
    writeFileSync(file, JSON.stringify({ maxRSS, cpuMicros: userCPUTime + systemCPUTime }));
  });
