export declare const recorded: {
  checks: Array<{ name: string; passed: boolean; tags?: object }>;
  metrics: Array<{ metric: string; value: number; tags?: object }>;
  requests: Array<{ url: string; headers: Record<string, string> }>;
  sent: Array<{ url: string; messages: string[] }>;
};
export declare function resetRecorded(): void;
