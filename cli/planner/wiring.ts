import type { SpotlabReplay } from '../../planner/model';
import type { RunReport } from '../../report/model';

/** What `spotlab simulate` runs on; tests pass fakes. */
export interface SimulateDeps {
  /** Spotlab's real code on the in-memory world. */
  readonly replay: () => Promise<SpotlabReplay>;
  /** The HTML report `npm run demo` writes too. */
  readonly render: () => Promise<(report: RunReport) => string>;
}

/** The production wiring, loaded on first use so `--help` and flag errors stay instant. */
export const defaultSimulateDeps: SimulateDeps = {
  replay: async () => (await import('../../sim/world/replay')).replayTrace,
  render: async () => (await import('../../report/html')).renderHtmlReport,
};
