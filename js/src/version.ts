/** The package version; the User-Agent is `gopherqueue-js/<VERSION>`. Kept equal to package.json and the Python package by a test. */
export const VERSION = "2.0.0";
