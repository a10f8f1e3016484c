import type { SpotlabReplay } from '../../planner/model';
import type { RunReport } from '../../report/model';
import type { replayConfigured } from '../../sim/world/replay-configured';

/** What `spotlab simulate` runs on; tests pass fakes. */
export interface SimulateDeps {
  /** Spotlab's real code on the in-memory world. */
  readonly replay: () => Promise<SpotlabReplay>;
  /** The same code through the operator's own pools, caps and prices (`--config`). */
  readonly replayConfigured?: () => Promise<typeof replayConfigured>;
  /** The HTML report `npm run demo` writes too. */
  readonly render: () => Promise<(report: RunReport) => string>;
}

/** The production wiring, loaded on first use so `--help` and flag errors stay instant. */
export const defaultSimulateDeps: SimulateDeps = {
  replay: async () => (await import('../../sim/world/replay')).replayTrace,
  replayConfigured: async () => (await import('../../sim/world/replay-configured')).replayConfigured,
  render: async () => (await import('../../report/html')).renderHtmlReport,
};
