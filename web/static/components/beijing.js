// Beijing time typed by people: a date field and a 24-hour text time (HH:MM or HH:MM:SS).
// The time is a text field because the browser's own time control follows its locale
// (12-hour AM/PM in some).

const SHANGHAI = "+08:00"; // Beijing time has no daylight saving
/** What a time field accepts (its `pattern` says the same). */
const CLOCK = /^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/;

/**
 * A date and a 24-hour time (Beijing time) as epoch ms, or NaN when either is missing or
 * not a time.
 * @param {HTMLInputElement} date
 * @param {HTMLInputElement} time
 * @returns {number}
 */
export function beijingMs(date, time) {
  const clock = time.value.trim();
  if (!date.value || !CLOCK.test(clock)) return NaN;
  return Date.parse(`${date.value}T${clock.length === 5 ? `${clock}:00` : clock}${SHANGHAI}`);
}

/**
 * Show epoch ms in a date and a time field, Beijing time, to the second.
 * @param {number} ms
 * @param {HTMLInputElement} date
 * @param {HTMLInputElement} time
 */
export function showBeijing(ms, date, time) {
  const local = new Date(ms + 8 * 3600_000).toISOString();
  date.value = local.slice(0, 10);
  time.value = local.slice(11, 19);
}
