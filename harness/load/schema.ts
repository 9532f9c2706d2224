import { Type } from '@sinclair/typebox';

/** The `load:` block. Owned by the load engine; see harness/load/. */
export const LoadSchema = Type.Object({}, { additionalProperties: true, description: 'Load model (arrival-rate stages, held connections, mix)' });
