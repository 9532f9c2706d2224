export declare const recorded: {
  checks: Array<{ name: string; passed: boolean; tags?: object }>;
  metrics: Array<{ metric: string; value: number; tags?: object }>;
  requests: Array<{ url: string; headers: Record<string, string> }>;
};
export declare const shimConfig: { echo: string };
