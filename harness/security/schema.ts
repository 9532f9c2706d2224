import { Type } from '@sinclair/typebox';

/** The `security:` block. Owned by harness/security/. */
export const SecuritySchema = Type.Object({}, { additionalProperties: true, description: 'Security probes: fail-closed, bypass attempts, decision caching, leaks' });
