import { z } from 'zod';
import type { Hook } from '../gitlab/api';
import { HOOK_EVENTS, hooksTo } from '../gitlab/hooks';

/** What `webhook install` does on one project. */
export type HookAction =
  | { readonly kind: 'create' }
  | { readonly kind: 'update'; readonly hookId: number; readonly reasons: readonly string[] }
  | { readonly kind: 'unchanged'; readonly hookId: number };

const flagsSchema = z.record(z.string(), z.unknown());

/**
 * Create, update or leave the project's hook to `url`. GitLab never returns a hook's secret
 * token, so "unchanged" compares what it does return: the URL, the event flags, SSL verification
 * and whether GitLab disabled it; `force` updates anyway (after the secret was rotated). Of several
 * hooks to the URL the first is kept up to date; the others are reported, never deleted.
 */
export function planHook(hooks: readonly Hook[], url: string, force = false): HookAction {
  const [hook] = hooksTo(hooks, url);
  if (hook === undefined) return { kind: 'create' };
  const flags = flagsSchema.parse(hook);
  const reasons: string[] = [];
  // A flag GitLab does not return (older versions lack some) cannot be compared.
  const wrong = Object.entries(HOOK_EVENTS).filter(([flag, on]) => flag in flags && flags[flag] !== on);
  if (wrong.length > 0)
    reasons.push(`events differ (${wrong.map(([flag, on]) => `${flag}=${on}`).join(', ')})`);
  if (hook.enable_ssl_verification === false) reasons.push('SSL verification is off');
  if (hook.token_present === false) reasons.push('it has no secret token');
  if (hook.alert_status === 'disabled' || hook.alert_status === 'temporarily_disabled')
    // GitLab re-enables a hook when a test delivery gets a 2xx answer.
    reasons.push(
      `GitLab ${hook.alert_status.replace('_', ' ')} it after failed deliveries (a 2xx from \`spotlab webhook test\` re-enables it)`,
    );
  if (force && reasons.length === 0) reasons.push('--force: the secret token is sent again');
  return reasons.length === 0
    ? { kind: 'unchanged', hookId: hook.id }
    : { kind: 'update', hookId: hook.id, reasons };
}

/** How many hooks to `url` there are beyond the one kept. */
export function duplicateHooks(hooks: readonly Hook[], url: string): number {
  return Math.max(0, hooksTo(hooks, url).length - 1);
}
