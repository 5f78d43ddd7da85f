/** Birth dates as ISO calendar dates (YYYY-MM-DD): real dates, from 1900-01-01 up to today. */
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function checkBirthDate(input: string, today: Date): string | undefined {
  const match = ISO_DATE.exec(input);
  if (!match) return 'invalid_date';
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  // setUTCFullYear, not Date.UTC: Date.UTC maps the years 0–99 to 1900–1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return 'invalid_date';
  if (year < 1900) return 'before_1900';
  // A member on the other side of the date line may already be a day ahead of UTC.
  const latest = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() + 1);
  if (date.getTime() > latest) return 'in_future';
  return undefined;
}
