import { Type, type Static } from 'typebox';

export const JoinBody = Type.Object(
  {
    displayName: Type.String({ maxLength: 200, description: '3–24 characters, unique ignoring case' }),
    email: Type.String({ maxLength: 320 }),
    birthDate: Type.String({ maxLength: 32, description: 'YYYY-MM-DD', examples: ['1990-04-01'] }),
    password: Type.String({ maxLength: 1024, description: '8–256 characters' }),
  },
  { additionalProperties: false },
);
export type JoinInput = Static<typeof JoinBody>;

export const AcceptedReply = Type.Object({ status: Type.String() });
