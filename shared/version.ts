/** The suite's name and version, sent in the AWS user agent. Kept equal to package.json by a test. */
export const SUITE_NAME = 'berth';
export const SUITE_VERSION = '0.1.0';
