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
  /**
   * Per upgraded connection, the messages the script sent in its open handler, in order: what went
   * over the real connection. @type {Array<{url: string, messages: string[]}>}
   */
  sent: [],
};

/** Forget everything recorded (between two runs of a script in one process). */
export function resetRecorded() {
  recorded.checks.length = 0;
  recorded.metrics.length = 0;
  recorded.requests.length = 0;
  recorded.sent.length = 0;
}
