import { writeFile } from 'node:fs/promises';
import { GitlabAuthError, GitlabNotFoundError } from '../../lambdas/shared/gitlab/errors';
import { type ExportProgress, exportTrace } from '../../planner/export/export-trace';
import { finishedJobPages } from '../../planner/export/gitlab-jobs';
import { formatOf } from '../../planner/trace/parse';
import { formatTrace } from '../../planner/trace/write';
import { UsageError } from '../errors';
import type { CliIo, Command } from '../io';
import { parseTraceExportOptions, TRACE_HELP, type TraceExportOptions } from '../planner/trace-options';

/** `spotlab trace export`: a replayable trace of a project's job history (docs/simulate.md). */
export const traceCommand: Command = {
  async run(args, io) {
    const [verb, ...rest] = args;
    let options: TraceExportOptions;
    try {
      if (verb === '--help' || verb === '-h') {
        io.stdout(TRACE_HELP);
        return 0;
      }
      if (verb !== 'export') throw new UsageError(`unknown subcommand "${verb ?? ''}" (try: trace export)`);
      options = parseTraceExportOptions(rest);
      if (!options.help && options.project === undefined)
        throw new UsageError('--project: a project id is required');
      if (!options.help && !io.env.GITLAB_TOKEN)
        throw new UsageError('set GITLAB_TOKEN to a token with read_api');
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      io.stderr(`spotlab trace: ${error.message}\n\n${TRACE_HELP}`);
      return 2;
    }
    if (options.help) {
      io.stdout(TRACE_HELP);
      return 0;
    }
    try {
      return await runExport(options, io);
    } catch (error) {
      io.stderr(`spotlab trace export: ${describe(error, options.project)}\n`);
      return 1;
    }
  },
};

async function runExport(options: TraceExportOptions, io: CliIo): Promise<number> {
  const projectId = options.project ?? 0;
  const now = io.now ?? Date.now;
  const pages = finishedJobPages({
    baseUrl: options['gitlab-url'] ?? io.env.GITLAB_URL ?? 'https://gitlab.com',
    token: io.env.GITLAB_TOKEN ?? '',
    projectId,
    now,
    ...(io.fetch === undefined ? {} : { fetch: io.fetch }),
    ...(io.sleep === undefined ? {} : { sleep: io.sleep }),
    onRetry: (reason, delayMs) =>
      io.stderr(`GitLab: ${reason}, retrying in ${Math.ceil(delayMs / 1000)} s\n`),
  });
  const sinceMs = now() - options.since * 1000;
  const trace = await exportTrace(pages, projectId, sinceMs, (progress) => io.stderr(progressLine(progress)));
  const format = options.out === undefined ? 'csv' : formatOf(options.out);
  const text = formatTrace(trace.jobs, format);
  if (options.out === undefined) io.stdout(text);
  else await writeFile(options.out, text);
  io.stderr(
    `${trace.jobs.length} jobs written to ${options.out ?? 'stdout'}` +
      `${trace.skipped > 0 ? ` (${trace.skipped} never started, left out)` : ''}\n`,
  );
  return 0;
}

function progressLine(progress: ExportProgress): string {
  const reached =
    progress.reachedMs === undefined ? '' : `, back to ${new Date(progress.reachedMs).toISOString()}`;
  return `page ${progress.pages}: ${progress.jobs} jobs${reached}\n`;
}

// Errors name what to do; none of them carries the token.
function describe(error: unknown, projectId: number | undefined): string {
  if (error instanceof GitlabAuthError)
    return `GitLab refused GITLAB_TOKEN (HTTP ${error.status}): it needs the read_api scope and access to project ${projectId}`;
  if (error instanceof GitlabNotFoundError)
    return `project ${projectId} not found (or the token cannot see it)`;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
