// The version of huddle: what `huddle --version` prints and what the hub reports in its status.

export const HUDDLE_VERSION = '0.1.0';
