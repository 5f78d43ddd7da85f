import { Type, type Static } from 'typebox';

export const ResetRequestBody = Type.Object({ email: Type.String({ maxLength: 320 }) }, { additionalProperties: false });
export type ResetRequestInput = Static<typeof ResetRequestBody>;

export const ResetCompleteBody = Type.Object(
  { token: Type.String({ minLength: 1, maxLength: 200 }), newPassword: Type.String({ maxLength: 1024 }) },
  { additionalProperties: false },
);
export type ResetCompleteInput = Static<typeof ResetCompleteBody>;
