import { Type, type Static } from 'typebox';

/** The body of every "use the token from the mailed link" request. */
export const TokenBody = Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false });
export type TokenInput = Static<typeof TokenBody>;
