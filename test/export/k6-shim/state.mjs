/** What the shimmed k6 APIs recorded, read by the test. */
export const recorded = {
  /** @type {Array<{name: string, passed: boolean, tags?: object}>} */
  checks: [],
  /** @type {Array<{metric: string, value: number, tags?: object}>} */
  metrics: [],
  /**
   * Every upgrade request the script made: URL and headers as sent. @type {Array<{url: string, headers:
   * Record<string, string>}>}
   */
  requests: [],
};

/** What the test tells the shim: the message the script echoes after an upgrade. */
export const shimConfig = { echo: 'wsgate-echo' };
