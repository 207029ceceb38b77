// Stands in for node:crypto and node:fs in the browser build (see vite.config.ts): core's
// server-only helpers import them, and the dashboard never calls those helpers.
const unavailable = (name: string) => () => {
  throw new Error(`${name} is not available in the browser`);
};
export const randomBytes = unavailable('randomBytes');
export const writeSync = unavailable('writeSync');
