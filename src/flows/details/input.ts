import { Type, type Static } from 'typebox';

export const DetailsPatchBody = Type.Object(
  {
    displayName: Type.Optional(Type.String({ maxLength: 200 })),
    birthDate: Type.Optional(Type.String({ maxLength: 32, description: 'YYYY-MM-DD' })),
  },
  { additionalProperties: false },
);
export type DetailsPatch = Static<typeof DetailsPatchBody>;

export const MeReply = Type.Object({
  id: Type.String(),
  displayName: Type.String(),
  email: Type.String(),
  emailVerified: Type.Boolean(),
  birthDate: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
});
export type Me = Static<typeof MeReply>;
