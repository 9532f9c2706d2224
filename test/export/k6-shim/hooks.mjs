// Module resolution hook: `k6` and `k6/<module>` resolve to the shim files beside this one.
const SHIMS = {
  k6: 'k6.mjs',
  'k6/ws': 'ws.mjs',
  'k6/encoding': 'encoding.mjs',
  'k6/execution': 'execution.mjs',
  'k6/metrics': 'metrics.mjs',
};

export async function resolve(specifier, context, next) {
  const file = SHIMS[specifier];
  if (file) return { url: new URL(`./${file}`, import.meta.url).href, shortCircuit: true };
  return next(specifier, context);
}
