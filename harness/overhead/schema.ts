import { Type } from '@sinclair/typebox';

/** The `overhead:` block. Owned by harness/overhead/. */
export const OverheadSchema = Type.Object({}, { additionalProperties: true, description: 'Auth latency overhead measurement against a baseline target' });
